-- An attempt log that says nothing the row does not (one try, to the row's own provider and model,
-- answered with the status the client received, no error) is kept as that try's latency alone:
-- attempt_log is null and upstream_ms holds its latency_ms. Most records are such, and the log was a
-- third of their bytes to bind, send and store. The gateway reads such a row back with its full
-- attempt log; a row with attempt_log null and upstream_ms null made no attempt.
ALTER TABLE ledger_requests ADD COLUMN upstream_ms BIGINT;
