-- Grand Public registration windows ("services d'inscription"): open iff ouverture <= t <
-- fermeture. Instants in UTC; the académie's zone turns them into local times at the edges.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE fenetres (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    examen_code text NOT NULL,
    session_annee integer NOT NULL,
    academie_code text NOT NULL REFERENCES academies,
    ouverture timestamptz NOT NULL,
    fermeture timestamptz NOT NULL,
    changed_by uuid,
    changed_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (examen_code, session_annee) REFERENCES sessions,
    CHECK (ouverture < fermeture),
    -- Closes the race between two gestionnaires creating overlapping windows at once.
    CONSTRAINT fenetres_no_overlap EXCLUDE USING gist (
        examen_code WITH =, session_annee WITH =, academie_code WITH =,
        tstzrange(ouverture, fermeture, '[)') WITH &&
    )
);
