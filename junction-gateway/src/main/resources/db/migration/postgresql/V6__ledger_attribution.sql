-- Who a request was served for: the virtual key and its team (null for the master key and an open
-- gateway), the end user the request named in its `user` field, the tags of its x-junction-tags header
-- (comma-separated) and the API format the client spoke (openai, anthropic, ...).
ALTER TABLE ledger_requests ADD COLUMN key_id TEXT;
ALTER TABLE ledger_requests ADD COLUMN team TEXT;
ALTER TABLE ledger_requests ADD COLUMN end_user TEXT;
ALTER TABLE ledger_requests ADD COLUMN tags TEXT;
ALTER TABLE ledger_requests ADD COLUMN inbound_format TEXT;
-- Usage reports and budgets read one key's or one team's records over a time range. Partial, so that
-- requests made with the master key cost the writer no index entry.
CREATE INDEX ledger_requests_key_created_at ON ledger_requests (key_id, created_at) WHERE key_id IS NOT NULL;
CREATE INDEX ledger_requests_team_created_at ON ledger_requests (team, created_at) WHERE team IS NOT NULL;
