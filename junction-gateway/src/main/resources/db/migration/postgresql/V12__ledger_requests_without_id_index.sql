-- The request id's unique index goes, as on SQLite: a record is written once, and a batch written
-- again (a spill replayed, a commit retried after an unclear failure) checks each record first,
-- through the created_at index (see RecordTable).
ALTER TABLE ledger_requests DROP CONSTRAINT ledger_requests_pkey;
