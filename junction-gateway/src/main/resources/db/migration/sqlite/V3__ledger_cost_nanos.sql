-- Costs as integer nano-USD, so that sums (usage reports, budgets) are exact.
ALTER TABLE ledger_requests ADD COLUMN cost_nanos INTEGER NOT NULL DEFAULT 0;
UPDATE ledger_requests SET cost_nanos = CAST(ROUND(cost_usd * 1000000000) AS INTEGER);
ALTER TABLE ledger_requests DROP COLUMN cost_usd;
