-- Each pièce's latest status as the uploads service announces it (PieceStatusChanged): the
-- back office shows, on the candidature, which pièces are reçues, conformes or non conformes.
CREATE TABLE pieces_statuts (
    piece_id uuid PRIMARY KEY,
    candidature_id uuid NOT NULL REFERENCES candidatures ON DELETE CASCADE,
    statut text NOT NULL,
    commentaire text,
    changed_at timestamptz NOT NULL
);

CREATE INDEX pieces_statuts_candidature ON pieces_statuts (candidature_id);
