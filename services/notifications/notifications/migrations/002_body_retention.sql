-- Bodies of sent emails are cleared after the retention (settings: body_retention_days).
ALTER TABLE outgoing_messages ADD COLUMN body_purged_at timestamptz;

CREATE INDEX outgoing_messages_sent ON outgoing_messages (sent_at)
    WHERE status = 'sent' AND body_purged_at IS NULL;
