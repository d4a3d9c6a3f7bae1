-- Responses of POSTs sent with an Idempotency-Key: the same key and body gets the same answer
-- without a second effect; the row shares the transaction of the request's effects.
CREATE TABLE idempotency_keys (
    scope text NOT NULL,
    key text NOT NULL,
    request_hash bytea NOT NULL,
    status integer,
    body text,
    content_type text,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);

CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);
