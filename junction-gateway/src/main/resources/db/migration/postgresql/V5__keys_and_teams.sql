-- Teams: limits and a budget that every key of the team counts against, together.
-- Zero means no limit; budget_nanos is nano-USD, as the ledger's cost_nanos.
CREATE TABLE teams (
  name          TEXT    NOT NULL PRIMARY KEY,
  rpm           BIGINT  NOT NULL DEFAULT 0,
  tpm           BIGINT  NOT NULL DEFAULT 0,
  max_parallel  INTEGER NOT NULL DEFAULT 0,
  budget_nanos  BIGINT  NOT NULL DEFAULT 0,
  budget_period TEXT    NOT NULL DEFAULT 'total',
  metadata      TEXT,
  created_at    BIGINT  NOT NULL
);

-- Virtual keys. The secret itself is never stored: secret_hash is the hex SHA-256 of it. A rotation
-- keeps the previous hash until previous_valid_until (epoch ms), for a grace period. Times are epoch
-- milliseconds (UTC); models and tags are JSON arrays of strings, metadata a JSON object.
CREATE TABLE virtual_keys (
  id                   TEXT    NOT NULL PRIMARY KEY,
  name                 TEXT    NOT NULL,
  team                 TEXT,
  models               TEXT    NOT NULL DEFAULT '[]',
  rpm                  BIGINT  NOT NULL DEFAULT 0,
  tpm                  BIGINT  NOT NULL DEFAULT 0,
  max_parallel         INTEGER NOT NULL DEFAULT 0,
  budget_nanos         BIGINT  NOT NULL DEFAULT 0,
  budget_period        TEXT    NOT NULL DEFAULT 'total',
  expires_at           BIGINT,
  tags                 TEXT    NOT NULL DEFAULT '[]',
  metadata             TEXT,
  created_at           BIGINT  NOT NULL,
  revoked_at           BIGINT,
  secret_hash          TEXT    NOT NULL,
  previous_secret_hash TEXT,
  previous_valid_until BIGINT
);
CREATE UNIQUE INDEX virtual_keys_secret_hash ON virtual_keys (secret_hash);
CREATE INDEX virtual_keys_previous_secret_hash ON virtual_keys (previous_secret_hash);
CREATE INDEX virtual_keys_team ON virtual_keys (team);
