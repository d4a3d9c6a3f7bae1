-- The exam office ("service gestionnaire") a candidate contacts (guide, chapter 4): one per
-- académie, and an override for an examen the académie has handled elsewhere. Parts of their
-- académie (and examen): they go with it.
CREATE TABLE services_gestionnaires (
    academie_code text PRIMARY KEY REFERENCES academies ON DELETE CASCADE,
    libelle text NOT NULL,
    adresse text[] NOT NULL,
    email text NOT NULL,
    telephone text NOT NULL,
    horaires text NOT NULL
);

CREATE TABLE services_gestionnaires_examens (
    academie_code text NOT NULL REFERENCES academies ON DELETE CASCADE,
    examen_code text NOT NULL REFERENCES examens ON DELETE CASCADE,
    libelle text NOT NULL,
    adresse text[] NOT NULL,
    email text NOT NULL,
    telephone text NOT NULL,
    horaires text NOT NULL,
    PRIMARY KEY (academie_code, examen_code)
);

CREATE INDEX services_gestionnaires_examens_examen ON services_gestionnaires_examens (examen_code);
