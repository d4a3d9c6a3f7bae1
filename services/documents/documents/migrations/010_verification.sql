-- The verification of each document (issue 13, point 4): the short code printed on it and
-- what its signed QR token asserts, recorded in the transaction that records the document
-- (a document's row and its code come and go together: erasure and purge cascade). The
-- validity is not stored: `GET /api/v1/verification/{code}` derives it from the document
-- (withdrawn) and its candidature (a later version supersedes, withdrawn or rejected).
CREATE TABLE verifications (
    code text PRIMARY KEY,
    document_id uuid NOT NULL UNIQUE REFERENCES documents (id) ON DELETE CASCADE,
    kind text NOT NULL,
    numero_candidat text NOT NULL,
    numero_inscription text NOT NULL,
    version integer NOT NULL,
    issued_on date NOT NULL,
    initials text NOT NULL,
    -- The SHA-256 the token carries: of the rendered content, not of the file (see
    -- domain/verification.py content_sha256); the file's is documents.sha256.
    content_sha256 text NOT NULL,
    kid text NOT NULL
);

-- Render jobs that keep failing stop (`failed`, listed for an administrateur, retried by hand)
-- after `render_max_attempts` failed renders; an S3 outage only delays and never counts.
ALTER TABLE render_jobs DROP CONSTRAINT render_jobs_status_check;
ALTER TABLE render_jobs ADD CONSTRAINT render_jobs_status_check
    CHECK (status IN ('pending', 'done', 'failed'));
ALTER TABLE render_jobs ADD COLUMN render_failures integer NOT NULL DEFAULT 0;
ALTER TABLE render_jobs ADD COLUMN failed_at timestamptz;
-- The object keys an attempt is about to put, recorded before the put: a key still here when
-- the next attempt starts names no document (its attempt crashed between the put and the
-- commit, or lost its lease), so that attempt queues it in objects_to_remove.
ALTER TABLE render_jobs ADD COLUMN pending_keys text[] NOT NULL DEFAULT '{}';

CREATE INDEX render_jobs_failed ON render_jobs (failed_at DESC, id) WHERE status = 'failed';
