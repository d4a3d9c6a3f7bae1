-- Events waiting to be published. A row is written in the same transaction as the state change
-- it announces; the relay publishes it and stamps published_at. Rows are kept for the record.
CREATE TABLE outbox (
    id bigserial PRIMARY KEY,
    event_id uuid NOT NULL,
    exchange text NOT NULL,
    routing_key text NOT NULL,
    event_type text,
    correlation_id text,
    body bytea NOT NULL,
    headers jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    attempts integer NOT NULL DEFAULT 0,
    last_error text,
    published_at timestamptz
);

CREATE INDEX outbox_pending ON outbox (next_attempt_at, id) WHERE published_at IS NULL;

CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('outbox', '');
    RETURN NULL;
END $$;

-- One notification per statement (and Postgres folds equal ones per transaction).
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
