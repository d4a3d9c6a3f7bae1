-- Registration part 3 (issue 12): the gestionnaires' decisions, the aménagement decisions
-- beside the health answers, and the read-only switch of the service.

-- Écarter (reject): the candidature leaves the candidate's list like a withdrawal does (statut
-- 'desinscrite', so every candidate write refuses it and the slot frees for a new one);
-- `ecartee_at` tells a rejection from a withdrawal.
ALTER TABLE candidatures ADD COLUMN ecartee_at timestamptz;

-- Every decision a gestionnaire or administrateur took on a candidature, with its reason.
-- An aménagement decision's measures are health data: they live in candidature_amenagements.
CREATE TABLE candidature_decisions (
    id bigserial PRIMARY KEY,
    candidature_id uuid NOT NULL REFERENCES candidatures ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('ecarter', 'desinscrire', 'amenagement')),
    reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    version integer NOT NULL,
    decided_by uuid NOT NULL,
    decided_role text NOT NULL,
    decided_at timestamptz NOT NULL
);
CREATE INDEX candidature_decisions_of ON candidature_decisions (candidature_id, id);

-- The aménagement granted (health data, beside candidature_sante): never logged, never in an
-- event, never in the audit log; shown to the candidate and the académie's gestionnaires.
CREATE TABLE candidature_amenagements (
    decision_id bigint PRIMARY KEY REFERENCES candidature_decisions ON DELETE CASCADE,
    candidature_id uuid NOT NULL REFERENCES candidatures ON DELETE CASCADE,
    mesures text[] NOT NULL,
    texte text
);
CREATE INDEX candidature_amenagements_of ON candidature_amenagements (candidature_id, decision_id);

-- The service's read-only switch (shared/http/read_only.py reads this one row): in the
-- database so that every replica agrees.
CREATE TABLE read_only_mode (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    enabled boolean NOT NULL,
    reason text,
    changed_at timestamptz NOT NULL,
    changed_by uuid
);
