-- For a request a self-hosted engine served: what its tokens would have cost, in nano-USD, at the
-- cheapest hosted deployment of the same model, at the catalog prices in force when it was recorded.
-- Null for every other request, so that what self-hosting saved sums over self-hosted requests only.
ALTER TABLE ledger_requests ADD COLUMN hosted_equivalent_nanos INTEGER;
