-- An attempt log that says nothing the row does not (one try, to the row's own provider and model,
-- answered with the status the client received, no error) is kept as that try's latency alone:
-- attempt_log is null and upstream_ms holds its latency_ms. Most records are such, and the log was a
-- third of their bytes to bind, store and commit. The gateway reads such a row back with its full
-- attempt log; a row with attempt_log null and upstream_ms null made no attempt.
ALTER TABLE ledger_requests ADD COLUMN upstream_ms INTEGER;
-- Records are searched by model only in the dashboard's list, newest first, as they are by provider
-- and status: along the created_at index, which finds a common model's latest records at once and
-- reads further back for a rare one. An index per model cost every insert a fourth B-tree, about a
-- tenth of the ledger writer's time. Sums per model come from ledger_minutes.
DROP INDEX ledger_requests_model_created_at;
