-- Responses API answers kept for previous_response_id (unless the request said store: false), and for
-- GET and DELETE /v1/responses/{id}. owner is who created it (a virtual key's id, or master/anonymous):
-- no other caller sees it. input is the request's input items, earlier turns included (JSON array);
-- response the response object as its client got it (JSON). created_at is epoch milliseconds (UTC).
CREATE TABLE stored_responses (
  id         TEXT    NOT NULL PRIMARY KEY,
  owner      TEXT    NOT NULL,
  created_at BIGINT  NOT NULL,
  input      TEXT    NOT NULL,
  response   TEXT    NOT NULL
);
CREATE INDEX stored_responses_created_at ON stored_responses (created_at);
