-- Every upstream attempt a request made, in order, as JSON:
-- [{"provider","model","status","latency_ms","error"}]; status is null when no response came.
ALTER TABLE ledger_requests ADD COLUMN attempt_log TEXT;
