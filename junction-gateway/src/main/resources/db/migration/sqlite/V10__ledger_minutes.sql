-- The ledger's records summed per minute and per provider, model, key and team: what the dashboard's
-- charts and the budgets' period totals read, so that neither scans every record (on a ledger of a few
-- million rows the overview's one GROUP BY took seconds). The writer keeps it in the transaction that
-- inserts the records it sums, so the two always agree. A value the record lacks is '' here: a NULL
-- never conflicts with another, and every batch would add a row instead of adding to one.
CREATE TABLE ledger_minutes (
  minute        BIGINT NOT NULL,
  provider      TEXT   NOT NULL,
  model         TEXT   NOT NULL,
  key_id        TEXT   NOT NULL,
  team          TEXT   NOT NULL,
  requests      BIGINT NOT NULL,
  errors        BIGINT NOT NULL,
  failovers     BIGINT NOT NULL,
  input_tokens  BIGINT NOT NULL,
  cached_tokens BIGINT NOT NULL,
  output_tokens BIGINT NOT NULL,
  cost_nanos    BIGINT NOT NULL,
  PRIMARY KEY (minute, provider, model, key_id, team)
) WITHOUT ROWID;
-- Budgets read one key's or one team's minutes since its period began.
CREATE INDEX ledger_minutes_key ON ledger_minutes (key_id, minute) WHERE key_id <> '';
CREATE INDEX ledger_minutes_team ON ledger_minutes (team, minute) WHERE team <> '';
-- What the ledger already holds.
INSERT INTO ledger_minutes
SELECT (created_at / 60000) * 60000, COALESCE(provider, ''), COALESCE(model, ''), COALESCE(key_id, ''),
  COALESCE(team, ''), COUNT(*), SUM(CASE WHEN status <> 'ok' THEN 1 ELSE 0 END),
  SUM(CASE WHEN attempts > 1 THEN 1 ELSE 0 END), SUM(input_tokens), SUM(cached_tokens), SUM(output_tokens),
  SUM(cost_nanos)
FROM ledger_requests
GROUP BY (created_at / 60000) * 60000, COALESCE(provider, ''), COALESCE(model, ''), COALESCE(key_id, ''),
  COALESCE(team, '');
