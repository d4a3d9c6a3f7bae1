-- The candidatures the service has heard of: owner, académie (and its time zone, carried by
-- the candidature events), the listing fields of the back office, and whether the candidature
-- was withdrawn or rejected (its pièces are then closed: nothing changes any more).
CREATE TABLE candidatures (
    candidature_id uuid PRIMARY KEY,
    account_id uuid NOT NULL,
    academie text NOT NULL,
    fuseau_horaire text NOT NULL,
    examen text NOT NULL,
    session integer NOT NULL,
    specialite_code text NOT NULL,
    specialite_libelle text NOT NULL,
    numero_candidat text NOT NULL,
    numero_inscription text NOT NULL,
    nom text NOT NULL,
    prenoms text NOT NULL,
    latest_version integer NOT NULL DEFAULT 0,
    closes_at timestamptz,
    closed_at timestamptz,
    closed_reason text,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX candidatures_account ON candidatures (account_id);

-- Which pièces an examen asks for: data, not code (administrateur endpoints change them; the
-- next candidature event applies them). `condition` says when a rule applies: always, for the
-- diplôme possédé, once per bénéfice or dispense (`{epreuve}` in the libellé names it), when
-- an aménagement is requested, or for the listed catégories (codes).
CREATE TABLE piece_rules (
    id bigserial PRIMARY KEY,
    examen text NOT NULL,
    code text NOT NULL,
    libelle text NOT NULL,
    condition text NOT NULL CHECK (condition IN
        ('toujours', 'diplome_possede', 'benefice', 'dispense', 'amenagement', 'categorie')),
    categories text[] NOT NULL DEFAULT '{}',
    groupe text NOT NULL,
    groupe_libelle text NOT NULL,
    formats text[] NOT NULL DEFAULT '{application/pdf,image/jpeg,image/png}',
    max_bytes bigint NOT NULL DEFAULT 10485760 CHECK (max_bytes > 0),
    active boolean NOT NULL DEFAULT true,
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (examen, code)
);

-- The BTS (domain.md §5): one group for the whole file, at most 10 MiB a file.
INSERT INTO piece_rules (examen, code, libelle, condition, categories, groupe, groupe_libelle)
VALUES
    ('BTS', 'IDENTITE', 'Pièce d''identité en cours de validité', 'toujours', '{}',
     'PIECES', 'Pièces justificatives'),
    ('BTS', 'DIPLOME_ACCES', 'Justificatif du diplôme possédé : {diplome}', 'diplome_possede',
     '{}', 'PIECES', 'Pièces justificatives'),
    ('BTS', 'RELEVE_BENEFICE', 'Relevé de notes du bénéfice : {epreuve}', 'benefice', '{}',
     'PIECES', 'Pièces justificatives'),
    ('BTS', 'DIPLOME_DISPENSE', 'Diplôme justifiant la dispense : {epreuve}', 'dispense', '{}',
     'PIECES', 'Pièces justificatives'),
    ('BTS', 'CERTIFICAT_MEDICAL',
     'Avis du médecin désigné par la CDAPH (demande d''aménagement)', 'amenagement', '{}',
     'PIECES', 'Pièces justificatives'),
    ('BTS', 'CERTIFICATS_TRAVAIL',
     'Certificats de travail couvrant l''expérience professionnelle requise (un an)',
     'categorie', '{EP}', 'PIECES', 'Pièces justificatives');

-- A regroupement of pièces under one date limite, per examen, session and académie: created
-- when a candidature first needs it (its date limite then defaults to some days after the
-- window closes) or set beforehand by a gestionnaire.
CREATE TABLE groupes (
    id uuid PRIMARY KEY,
    examen text NOT NULL,
    session integer NOT NULL,
    academie text NOT NULL,
    code text NOT NULL,
    libelle text NOT NULL,
    fuseau_horaire text NOT NULL,
    date_limite timestamptz NOT NULL,
    -- NULL while the date limite is the default one.
    date_limite_set_by uuid,
    UNIQUE (examen, session, academie, code)
);

-- The pièces a candidature must provide. A modification that no longer needs one retires it
-- (active = false; its files are kept); needing it again brings it back. `validated_at` is the
-- candidate's "J'ai fourni toutes mes pièces": the pièce is locked while it is set (a
-- non-conforme status clears it).
CREATE TABLE pieces (
    id uuid PRIMARY KEY,
    candidature_id uuid NOT NULL REFERENCES candidatures ON DELETE CASCADE,
    groupe_id uuid NOT NULL REFERENCES groupes,
    code text NOT NULL,
    ref text NOT NULL DEFAULT '',
    libelle text NOT NULL,
    formats text[] NOT NULL,
    max_bytes bigint NOT NULL CHECK (max_bytes > 0),
    active boolean NOT NULL DEFAULT true,
    retired_at timestamptz,
    status text CHECK (status IN ('recue', 'conforme', 'non_conforme')),
    status_comment text,
    received_at timestamptz,
    status_changed_at timestamptz,
    status_changed_by uuid,
    validated_at timestamptz,
    created_at timestamptz NOT NULL,
    UNIQUE (candidature_id, code, ref)
);

CREATE INDEX pieces_groupe ON pieces (groupe_id, candidature_id);

-- Every file ever deposited: a replaced or deleted one stays (history), the current ones have
-- neither `replaced_at` nor `deleted_at`. The object is in the `pieces` bucket under a
-- generated key; `display_name` is the sanitised original name, for display only.
CREATE TABLE piece_files (
    id uuid PRIMARY KEY,
    piece_id uuid NOT NULL REFERENCES pieces ON DELETE CASCADE,
    candidature_id uuid NOT NULL,
    object_key text NOT NULL UNIQUE,
    display_name text NOT NULL,
    media_type text NOT NULL,
    size bigint NOT NULL CHECK (size > 0),
    sha256 text NOT NULL,
    deposited_at timestamptz NOT NULL,
    replaced_at timestamptz,
    replaced_by uuid REFERENCES piece_files,
    deleted_at timestamptz
);

CREATE INDEX piece_files_piece ON piece_files (piece_id, deposited_at);

-- "J'ai fourni toutes mes pièces" per candidature and group: what the back office lists.
CREATE TABLE declarations (
    candidature_id uuid NOT NULL REFERENCES candidatures ON DELETE CASCADE,
    groupe_id uuid NOT NULL REFERENCES groupes,
    declared_at timestamptz NOT NULL,
    PRIMARY KEY (candidature_id, groupe_id)
);

CREATE INDEX declarations_order ON declarations (declared_at, candidature_id, groupe_id);

-- Every gestionnaire and administrateur action (statuses, downloads, dates limites, rules):
-- who, as what, on what, when; written in the action's transaction. Append-only.
CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL,
    actor uuid NOT NULL,
    role text NOT NULL,
    action text NOT NULL,
    target text NOT NULL,
    academie text,
    correlation_id text,
    details jsonb
);

CREATE INDEX audit_log_target ON audit_log (target, at DESC);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
