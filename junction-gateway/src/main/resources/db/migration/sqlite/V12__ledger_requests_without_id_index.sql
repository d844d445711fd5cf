-- The request id's unique index goes: keeping it cost the writer a third of SQLite's work per record
-- (a text key of 36 characters in a second B-tree). A record is written once; a batch written again
-- (a spill replayed, a commit retried after an unclear failure) checks each record first, through
-- the created_at index, which it already needed (see RecordTable). SQLite cannot drop a primary key,
-- so the table is rebuilt, its rows in the same order.
CREATE TABLE ledger_requests_v12 (
  request_id              TEXT    NOT NULL,
  created_at              INTEGER NOT NULL,
  endpoint                TEXT    NOT NULL,
  model                   TEXT,
  provider                TEXT,
  provider_model          TEXT,
  status                  TEXT    NOT NULL,
  http_status             INTEGER NOT NULL,
  stream                  INTEGER NOT NULL,
  attempts                INTEGER NOT NULL,
  input_tokens            INTEGER NOT NULL,
  cached_tokens           INTEGER NOT NULL,
  output_tokens           INTEGER NOT NULL,
  latency_ms              INTEGER NOT NULL,
  ttft_ms                 INTEGER NOT NULL,
  error                   TEXT,
  attempt_log             TEXT,
  cost_nanos              INTEGER NOT NULL DEFAULT 0,
  cache_write_tokens      INTEGER NOT NULL DEFAULT 0,
  key_id                  TEXT,
  team                    TEXT,
  end_user                TEXT,
  tags                    TEXT,
  inbound_format          TEXT,
  hosted_equivalent_nanos INTEGER,
  upstream_ms             INTEGER
);
INSERT INTO ledger_requests_v12 (request_id, created_at, endpoint, model, provider, provider_model, status,
  http_status, stream, attempts, input_tokens, cached_tokens, output_tokens, latency_ms, ttft_ms, error,
  attempt_log, cost_nanos, cache_write_tokens, key_id, team, end_user, tags, inbound_format,
  hosted_equivalent_nanos, upstream_ms)
SELECT request_id, created_at, endpoint, model, provider, provider_model, status, http_status, stream,
  attempts, input_tokens, cached_tokens, output_tokens, latency_ms, ttft_ms, error, attempt_log, cost_nanos,
  cache_write_tokens, key_id, team, end_user, tags, inbound_format, hosted_equivalent_nanos, upstream_ms
FROM ledger_requests ORDER BY rowid;
DROP TABLE ledger_requests;
ALTER TABLE ledger_requests_v12 RENAME TO ledger_requests;
CREATE INDEX ledger_requests_created_at ON ledger_requests (created_at);
CREATE INDEX ledger_requests_key_created_at ON ledger_requests (key_id, created_at) WHERE key_id IS NOT NULL;
CREATE INDEX ledger_requests_team_created_at ON ledger_requests (team, created_at) WHERE team IS NOT NULL;
