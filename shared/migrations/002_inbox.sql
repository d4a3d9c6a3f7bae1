-- Events already handled, per handler: the insert shares the handler's transaction, so a
-- redelivered event finds its row and has no second effect.
CREATE TABLE inbox (
    event_id uuid NOT NULL,
    handler text NOT NULL,
    event_type text NOT NULL,
    handled_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, handler)
);
