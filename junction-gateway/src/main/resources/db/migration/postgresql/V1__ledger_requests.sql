-- One row per accepted request. created_at is epoch milliseconds (UTC), as in the SQLite schema.
CREATE TABLE ledger_requests (
  request_id     TEXT             NOT NULL PRIMARY KEY,
  created_at     BIGINT           NOT NULL,
  endpoint       TEXT             NOT NULL,
  model          TEXT,
  provider       TEXT,
  provider_model TEXT,
  status         TEXT             NOT NULL,
  http_status    INTEGER          NOT NULL,
  stream         BOOLEAN          NOT NULL,
  attempts       INTEGER          NOT NULL,
  input_tokens   BIGINT           NOT NULL,
  cached_tokens  BIGINT           NOT NULL,
  output_tokens  BIGINT           NOT NULL,
  cost_usd       DOUBLE PRECISION NOT NULL,
  latency_ms     BIGINT           NOT NULL,
  ttft_ms        BIGINT           NOT NULL,
  error          TEXT
);
CREATE INDEX ledger_requests_created_at ON ledger_requests (created_at);
CREATE INDEX ledger_requests_model_created_at ON ledger_requests (model, created_at);
