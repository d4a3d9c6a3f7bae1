-- Formulaires (issue 13, point 5): PDF forms an administrateur offers for an examen, in the
-- service's bucket under a generated key. The same file offered twice for one examen is one
-- formulaire (an upload retried after a lost answer changes nothing).
CREATE TABLE formulaires (
    id uuid PRIMARY KEY,
    examen text NOT NULL,
    title text NOT NULL,
    object_key text NOT NULL UNIQUE,
    size bigint NOT NULL CHECK (size > 0),
    sha256 text NOT NULL,
    pages integer NOT NULL CHECK (pages > 0),
    added_by uuid NOT NULL,
    added_at timestamptz NOT NULL,
    UNIQUE (examen, sha256)
);

CREATE INDEX formulaires_examen ON formulaires (examen, added_at, id);
