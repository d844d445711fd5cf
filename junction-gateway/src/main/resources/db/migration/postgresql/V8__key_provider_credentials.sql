-- A virtual key's own credential for a provider (bring your own key): requests of that key to that
-- provider are signed with it instead of the gateway's. Sealed with AES-256-GCM under a key derived
-- from the master key, bound to its key id and provider: the database alone does not reveal it.
CREATE TABLE key_provider_credentials (
  key_id     TEXT   NOT NULL,
  provider   TEXT   NOT NULL,
  sealed     TEXT   NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (key_id, provider)
);
