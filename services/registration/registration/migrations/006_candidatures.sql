-- Registration part 2: the candidature (domain.md §3, guide chapters 5, 6, 7 and 11).

-- The référentiel carries what the wizard needs: the short label the récapitulatif prints
-- (guide: "E4 - Dévelop.suivi.activ.commercia.") and how many facultatives a session allows.
ALTER TABLE epreuves ADD COLUMN libelle_court text;
ALTER TABLE sessions ADD COLUMN facultatives_max integer NOT NULL DEFAULT 2
    CHECK (facultatives_max BETWEEN 0 AND 20);

-- Numbers are drawn from sequences: unique under concurrency and never reused (a rolled-back
-- transaction leaves a gap, never a duplicate). Formats: docs/services/registration.md.
CREATE SEQUENCE numero_candidat_seq;
CREATE SEQUENCE numero_inscription_seq;

CREATE TABLE candidatures (
    id uuid PRIMARY KEY,
    account_id uuid NOT NULL,
    examen_code text NOT NULL,
    session_annee integer NOT NULL,
    academie_code text NOT NULL REFERENCES academies,
    -- brouillon: never saved; active: Version 01 or later; desinscrite: withdrawn.
    statut text NOT NULL CHECK (statut IN ('brouillon', 'active', 'desinscrite')),
    -- The wizard's input, tab by tab (the draft, then the working copy of a modification);
    -- health answers are NOT here (candidature_sante).
    saisie jsonb NOT NULL DEFAULT '{}',
    version integer NOT NULL DEFAULT 0,
    numero_candidat text,
    numero_inscription text UNIQUE,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    withdrawn_at timestamptz,
    FOREIGN KEY (examen_code, session_annee) REFERENCES sessions
);

-- One draft or active candidature per account + examen + session.
CREATE UNIQUE INDEX candidatures_one_current ON candidatures (account_id, examen_code, session_annee)
    WHERE statut IN ('brouillon', 'active');
CREATE INDEX candidatures_account ON candidatures (account_id);

-- The numéro de candidat: one per account and session, kept across its candidatures.
CREATE TABLE numeros_candidat (
    account_id uuid NOT NULL,
    examen_code text NOT NULL,
    session_annee integer NOT NULL,
    numero text NOT NULL UNIQUE,
    PRIMARY KEY (account_id, examen_code, session_annee)
);

-- Every saved version's snapshot (the récapitulatif as signed), never changed afterwards.
CREATE TABLE candidature_versions (
    candidature_id uuid NOT NULL REFERENCES candidatures ON DELETE CASCADE,
    version integer NOT NULL CHECK (version >= 1),
    saved_at timestamptz NOT NULL,
    closes_at timestamptz NOT NULL,
    snapshot jsonb NOT NULL,
    PRIMARY KEY (candidature_id, version)
);

-- Health data (handicap, aménagement), apart from the rest: version 0 is the working copy,
-- n >= 1 the answer saved with Version n. Never logged, never in an event but as booleans.
CREATE TABLE candidature_sante (
    candidature_id uuid NOT NULL REFERENCES candidatures ON DELETE CASCADE,
    version integer NOT NULL CHECK (version >= 0),
    handicap boolean NOT NULL,
    amenagement boolean NOT NULL,
    PRIMARY KEY (candidature_id, version)
);
