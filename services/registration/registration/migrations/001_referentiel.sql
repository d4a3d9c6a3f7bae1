-- The référentiel. Natural keys (codes) everywhere, so that an import names its references
-- the way people do. References are RESTRICT: an item still referenced cannot be deleted and
-- is retired instead (retired_at); parts of an item (an épreuve's sous-épreuves, a
-- spécialité's épreuves, an établissement's catégories) go with it.

CREATE TABLE examens (
    code text PRIMARY KEY,
    libelle text NOT NULL,
    -- The BTS has no foreign centre; other examens (BAC…) may.
    centres_etrangers boolean NOT NULL DEFAULT false,
    retired_at timestamptz
);

CREATE TABLE sessions (
    examen_code text NOT NULL REFERENCES examens,
    annee integer NOT NULL CHECK (annee BETWEEN 2000 AND 2100),
    libelle text NOT NULL,
    retired_at timestamptz,
    PRIMARY KEY (examen_code, annee)
);

CREATE TABLE academies (
    code text PRIMARY KEY,
    libelle text NOT NULL,
    fuseau_horaire text NOT NULL,
    outre_mer boolean NOT NULL DEFAULT false,
    -- A centre abroad (for examens that have them), listed with the académies.
    etranger boolean NOT NULL DEFAULT false,
    retired_at timestamptz
);

CREATE TABLE specialites (
    examen_code text NOT NULL,
    session_annee integer NOT NULL,
    code text NOT NULL,
    libelle text NOT NULL,
    retired_at timestamptz,
    PRIMARY KEY (examen_code, session_annee, code),
    FOREIGN KEY (examen_code, session_annee) REFERENCES sessions
);

CREATE TABLE epreuves (
    examen_code text NOT NULL,
    session_annee integer NOT NULL,
    specialite_code text NOT NULL,
    code text NOT NULL,
    parent_code text,
    libelle text NOT NULL,
    nature text NOT NULL CHECK (nature IN ('obligatoire', 'facultative', 'a_choix')),
    modes text[] NOT NULL DEFAULT '{}',
    options text[] NOT NULL DEFAULT '{}',
    coefficient numeric(5, 2),
    rang integer NOT NULL DEFAULT 0,
    retired_at timestamptz,
    PRIMARY KEY (examen_code, session_annee, specialite_code, code),
    FOREIGN KEY (examen_code, session_annee, specialite_code) REFERENCES specialites
        ON DELETE CASCADE,
    FOREIGN KEY (examen_code, session_annee, specialite_code, parent_code) REFERENCES epreuves
        ON DELETE CASCADE
);

CREATE TABLE categories (
    code text PRIMARY KEY,
    libelle text NOT NULL,
    modes text[] NOT NULL,
    formes text[] NOT NULL,
    retired_at timestamptz
);

CREATE TABLE etablissements (
    code text PRIMARY KEY,
    libelle text NOT NULL,
    -- NULL: a national body (the CNED) that candidates of every académie register through.
    academie_code text REFERENCES academies,
    retired_at timestamptz
);

CREATE TABLE etablissement_categories (
    etablissement_code text NOT NULL REFERENCES etablissements ON DELETE CASCADE,
    categorie_code text NOT NULL REFERENCES categories,
    PRIMARY KEY (etablissement_code, categorie_code)
);

CREATE INDEX etablissements_academie ON etablissements (academie_code);
CREATE INDEX etablissement_categories_categorie ON etablissement_categories (categorie_code);

CREATE TABLE types_acquis (
    code text PRIMARY KEY,
    libelle text NOT NULL,
    -- A bénéfice de notes needs a mark of at least note_min, kept duree_validite_ans years.
    note_min numeric(4, 2),
    duree_validite_ans integer,
    retired_at timestamptz
);

CREATE TABLE diplomes (
    code text PRIMARY KEY,
    libelle text NOT NULL,
    retired_at timestamptz
);
