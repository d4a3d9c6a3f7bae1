-- The audit log (issue 12): every gestionnaire and administrateur action in this service, one
-- row each, written in the action's own transaction (an action the audit cannot record fails).
-- Append-only: the service's role may insert and read, never update or delete (the trigger
-- holds even for a mistaken query). No secrets and no health data go in `before`/`after`.
CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL,
    actor uuid NOT NULL,
    role text NOT NULL,
    academies text[] NOT NULL,
    action text NOT NULL,
    target text NOT NULL,
    academie text,
    correlation_id text,
    before jsonb,
    after jsonb
);

CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_actor ON audit_log (actor, at DESC);
CREATE INDEX audit_log_target ON audit_log (target, at DESC);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
