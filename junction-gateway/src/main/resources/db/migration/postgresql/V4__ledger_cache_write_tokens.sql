-- Prompt tokens written to a provider's cache (Anthropic's cache_creation_input_tokens), a part of
-- input_tokens like cached_tokens, so that each class of the prompt is counted once.
ALTER TABLE ledger_requests ADD COLUMN cache_write_tokens BIGINT NOT NULL DEFAULT 0;
