-- Documents published by gestionnaires (docs/documents.md, "Documents published by
-- gestionnaires"). Every table below that names a candidature goes with it when its account is
-- erased (ON DELETE CASCADE from candidatures or documents).

-- The latest saved version of each candidature, as its CandidatureCreated/Modified event
-- carried it: the templates print the identity and the épreuves from it, and a batch selects
-- candidatures by spécialité and établissement.
CREATE TABLE candidature_snapshots (
    candidature_id uuid PRIMARY KEY REFERENCES candidatures ON DELETE CASCADE,
    version integer NOT NULL,
    specialite_code text NOT NULL,
    etablissement text NOT NULL,
    etablissement_code text,
    payload jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX candidature_snapshots_filter ON candidature_snapshots (specialite_code);

-- The versions recorded before this table existed, from their render jobs.
INSERT INTO candidature_snapshots (candidature_id, version, specialite_code, etablissement,
                                   etablissement_code, payload)
SELECT DISTINCT ON (j.candidature_id) j.candidature_id, j.version,
       j.payload -> 'candidature' ->> 'specialite_code',
       j.payload -> 'recapitulatif' ->> 'etablissement',
       j.payload -> 'recapitulatif' ->> 'etablissement_code',
       j.payload
FROM render_jobs j JOIN candidatures c USING (candidature_id)
ORDER BY j.candidature_id, j.version DESC;

-- A generation: one template, its variable parts (`params`), for one candidature
-- (`candidature_id`: its params may hold health data, erased with it) or every candidature of
-- an académie matching `filter`. Its items are the per-candidature work.
CREATE TABLE document_batches (
    id uuid PRIMARY KEY,
    academie text NOT NULL,
    template text NOT NULL,
    params jsonb NOT NULL,
    filter jsonb NOT NULL,
    candidature_id uuid REFERENCES candidatures ON DELETE CASCADE,
    total integer NOT NULL DEFAULT 0,
    created_by uuid NOT NULL,
    created_at timestamptz NOT NULL
);

-- One item a candidature a batch: UNIQUE, so a batch makes at most one document a candidature
-- whatever the crashes and replicas. Claimed by the generation worker with a lease (due_at
-- pushed ahead, FOR UPDATE SKIP LOCKED) as render jobs are.
CREATE TABLE document_batch_items (
    id bigserial PRIMARY KEY,
    batch_id uuid NOT NULL REFERENCES document_batches ON DELETE CASCADE,
    candidature_id uuid NOT NULL REFERENCES candidatures ON DELETE CASCADE,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    due_at timestamptz NOT NULL DEFAULT now(),
    last_error text,
    document_id uuid,
    done_at timestamptz,
    UNIQUE (batch_id, candidature_id)
);

CREATE INDEX document_batch_items_due ON document_batch_items (due_at, id)
    WHERE status = 'pending';

CREATE FUNCTION document_batch_items_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('document_batch_items', '');
    RETURN NULL;
END $$;

CREATE TRIGGER document_batch_items_inserted AFTER INSERT ON document_batch_items
    FOR EACH STATEMENT EXECUTE FUNCTION document_batch_items_notify();

-- Who published a gestionnaire's document, and how. A generated one names its batch: the
-- UNIQUE (batch_id, candidature_id) decides between two attempts at one item (an upload has
-- no batch, and NULLs are distinct).
CREATE TABLE gestion_documents (
    document_id uuid PRIMARY KEY REFERENCES documents ON DELETE CASCADE,
    candidature_id uuid NOT NULL,
    source text NOT NULL CHECK (source IN ('upload', 'template')),
    batch_id uuid REFERENCES document_batches ON DELETE CASCADE,
    published_by uuid NOT NULL,
    UNIQUE (batch_id, candidature_id)
);

-- The audit of a withdrawal: who, when, why (documents.withdrawn_at hides the document).
CREATE TABLE document_withdrawals (
    document_id uuid PRIMARY KEY REFERENCES documents ON DELETE CASCADE,
    withdrawn_by uuid NOT NULL,
    withdrawn_at timestamptz NOT NULL,
    reason text NOT NULL
);

-- Objects put before the transaction that records them: the transaction deletes the row; a
-- row still here after `gestion_orphan_after_s` (a crash between the put and the commit) is
-- moved to objects_to_remove, whose objects the render worker removes.
CREATE TABLE pending_objects (
    object_key text PRIMARY KEY,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
