-- The groups of pièces a candidate declared provided ("J'ai fourni toutes mes pièces"), as the
-- uploads service announces them (PiecesFournies): the back office shows them on the
-- candidature. One row per group, the latest declaration kept (a non-conforme pièce makes the
-- candidate declare the group again).
CREATE TABLE pieces_fournies (
    candidature_id uuid NOT NULL REFERENCES candidatures ON DELETE CASCADE,
    groupe_id uuid NOT NULL,
    groupe_libelle text NOT NULL,
    pieces integer NOT NULL CHECK (pieces >= 0),
    fournies_at timestamptz NOT NULL,
    PRIMARY KEY (candidature_id, groupe_id)
);
