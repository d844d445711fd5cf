-- One row per accepted request. created_at is epoch milliseconds (UTC).
CREATE TABLE ledger_requests (
  request_id     TEXT    NOT NULL PRIMARY KEY,
  created_at     INTEGER NOT NULL,
  endpoint       TEXT    NOT NULL,
  model          TEXT,
  provider       TEXT,
  provider_model TEXT,
  status         TEXT    NOT NULL,
  http_status    INTEGER NOT NULL,
  stream         INTEGER NOT NULL,
  attempts       INTEGER NOT NULL,
  input_tokens   INTEGER NOT NULL,
  cached_tokens  INTEGER NOT NULL,
  output_tokens  INTEGER NOT NULL,
  cost_usd       REAL    NOT NULL,
  latency_ms     INTEGER NOT NULL,
  ttft_ms        INTEGER NOT NULL,
  error          TEXT
);
CREATE INDEX ledger_requests_created_at ON ledger_requests (created_at);
CREATE INDEX ledger_requests_model_created_at ON ledger_requests (model, created_at);
