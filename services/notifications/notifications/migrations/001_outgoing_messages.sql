-- Emails to send, one row per cause: an event gives at most one message per template and
-- recipient, so a redelivered event cannot send twice. The rendered parts are kept so that a
-- retry or a re-send carries exactly what was first composed.
CREATE TABLE outgoing_messages (
    id bigserial PRIMARY KEY,
    event_id uuid NOT NULL,
    event_type text NOT NULL,
    -- The account the email concerns: its messages go when the account is erased.
    account_id uuid,
    template text NOT NULL,
    recipient text NOT NULL,
    recipient_name text,
    subject text NOT NULL,
    body_text text NOT NULL,
    body_html text NOT NULL,
    message_id text NOT NULL UNIQUE,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz,
    UNIQUE (event_id, template, recipient)
);

CREATE INDEX outgoing_messages_due ON outgoing_messages (next_attempt_at, id)
    WHERE status = 'pending';
CREATE INDEX outgoing_messages_recipient ON outgoing_messages (lower(recipient), id);
CREATE INDEX outgoing_messages_event ON outgoing_messages (event_id);
CREATE INDEX outgoing_messages_account ON outgoing_messages (account_id);

-- Every delivery attempt, and every re-send an administrateur asked for.
CREATE TABLE delivery_log (
    id bigserial PRIMARY KEY,
    message_id bigint NOT NULL REFERENCES outgoing_messages (id),
    at timestamptz NOT NULL DEFAULT now(),
    outcome text NOT NULL CHECK (outcome IN ('delivered', 'deferred', 'refused', 'resend')),
    smtp_code integer,
    detail text
);

CREATE INDEX delivery_log_message ON delivery_log (message_id, id);

CREATE FUNCTION outgoing_messages_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('outgoing_messages', '');
    RETURN NULL;
END $$;

CREATE TRIGGER outgoing_messages_inserted AFTER INSERT ON outgoing_messages
    FOR EACH STATEMENT EXECUTE FUNCTION outgoing_messages_notify();
