-- Messages a consumer gave up on (unparseable, or failing past the delivery limit), kept here
-- so that they can be listed and replayed after a fix. Nothing is dropped silently.
CREATE TABLE dead_letters (
    id bigserial PRIMARY KEY,
    queue text NOT NULL,
    event_id uuid,
    event_type text,
    body bytea NOT NULL,
    headers jsonb NOT NULL DEFAULT '{}',
    reason text NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    dead_at timestamptz NOT NULL DEFAULT now(),
    replayed_at timestamptz
);

CREATE INDEX dead_letters_waiting ON dead_letters (queue, id) WHERE replayed_at IS NULL;
