-- The diplôme's short label, printed after the long one on the récapitulatif as the guide does
-- ("BACCALAURÉAT GÉNÉRAL - Bac général"), and the épreuves a diplôme held dispenses (domain.md:
-- another BTS, a DUT or a national diploma of level 5 or above dispenses Culture générale et
-- expression; the others follow each spécialité's règlement). Keyed by examen, spécialité and
-- épreuve code, valid for every session that has the épreuve.
ALTER TABLE diplomes ADD COLUMN libelle_court text;

CREATE TABLE diplome_dispenses (
    diplome_code text NOT NULL REFERENCES diplomes (code) ON DELETE CASCADE,
    examen_code text NOT NULL,
    specialite_code text NOT NULL,
    epreuve_code text NOT NULL,
    PRIMARY KEY (diplome_code, examen_code, specialite_code, epreuve_code)
);
CREATE INDEX diplome_dispenses_specialite ON diplome_dispenses (examen_code, specialite_code);
