-- The candidatures the service has heard of: who owns them (Mes documents shows a candidate
-- their own only), what to list them by, and whether they were withdrawn or rejected (their
-- documents stay downloadable, the candidature is marked so).
CREATE TABLE candidatures (
    candidature_id uuid PRIMARY KEY,
    account_id uuid NOT NULL,
    academie text NOT NULL,
    examen text NOT NULL,
    session integer NOT NULL,
    specialite_libelle text NOT NULL,
    numero_candidat text NOT NULL,
    numero_inscription text NOT NULL,
    latest_version integer NOT NULL DEFAULT 0,
    withdrawn_at timestamptz,
    rejected_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX candidatures_account ON candidatures (account_id);

-- Every document a candidate can read. One confirmation per version of a candidature, whatever
-- the redeliveries, crashes between the put and the commit, or replicas: the UNIQUE constraint
-- (version is NULL for a gestionnaire's documents, which may be many). The object lives in the
-- service's bucket under a generated key; size and SHA-256 are those of the stored bytes.
CREATE TABLE documents (
    id uuid PRIMARY KEY,
    candidature_id uuid NOT NULL,
    account_id uuid NOT NULL,
    academie text NOT NULL,
    kind text NOT NULL,
    title text NOT NULL,
    version integer,
    object_key text NOT NULL UNIQUE,
    content_type text NOT NULL DEFAULT 'application/pdf',
    size bigint NOT NULL CHECK (size >= 0),
    sha256 text NOT NULL,
    published_at timestamptz NOT NULL,
    -- A published document withdrawn by a gestionnaire is hidden.
    withdrawn_at timestamptz,
    withdrawn_reason text,
    UNIQUE (candidature_id, kind, version)
);

CREATE INDEX documents_candidature ON documents (candidature_id, published_at DESC);
CREATE INDEX documents_account ON documents (account_id, published_at DESC);

-- Rendering happens outside the inbox transaction: the event handler records a job (one per
-- version), a worker claims due jobs with a lease (due_at pushed ahead, FOR UPDATE SKIP
-- LOCKED), renders, puts the object and records the document. A failed attempt is due again
-- after a growing delay.
CREATE TABLE render_jobs (
    id bigserial PRIMARY KEY,
    candidature_id uuid NOT NULL,
    version integer NOT NULL,
    event_id uuid NOT NULL,
    event_type text NOT NULL,
    payload jsonb NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
    attempts integer NOT NULL DEFAULT 0,
    due_at timestamptz NOT NULL DEFAULT now(),
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    done_at timestamptz,
    UNIQUE (candidature_id, version)
);

CREATE INDEX render_jobs_due ON render_jobs (due_at, id) WHERE status = 'pending';

-- Wakes the render workers (they poll as well: LISTEN only makes them prompt).
CREATE FUNCTION render_jobs_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('render_jobs', '');
    RETURN NULL;
END $$;

CREATE TRIGGER render_jobs_inserted AFTER INSERT ON render_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION render_jobs_notify();
