-- The back office's search, export and counts (issue 12, points 1, 4 and 5).
--
-- What the search filters on is copied from the current version's snapshot onto the
-- candidature by a trigger on candidature_versions (the saved version is what the back office
-- sees, not the working copy of a modification in progress): names, spécialité, catégorie,
-- établissement. `nom_cle` is the name without accents, lower case, in the "C" collation, so
-- that one btree index serves both a prefix range (`nom_cle >= p AND nom_cle < p || U+10FFFF`)
-- and the keyset order (nom_cle, id).
CREATE EXTENSION IF NOT EXISTS unaccent;

-- unaccent() is STABLE (its dictionary could change); this wrapper names the dictionary
-- with its schema and is declared IMMUTABLE so that it may compute stored keys and index
-- bounds. The search applies the same function to what is typed.
CREATE FUNCTION recherche_cle(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN lower(public.unaccent('public.unaccent'::regdictionary, $1));

ALTER TABLE candidatures
    ADD COLUMN nom text,
    ADD COLUMN prenoms text,
    ADD COLUMN nom_cle text COLLATE "C",
    ADD COLUMN specialite_code text,
    ADD COLUMN categorie_code text,
    ADD COLUMN etablissement_code text;

CREATE FUNCTION candidature_recherche_from_version() RETURNS trigger AS $$
BEGIN
    UPDATE candidatures SET
        nom = NEW.snapshot -> 'candidature' ->> 'nom',
        prenoms = NEW.snapshot -> 'candidature' ->> 'prenoms',
        nom_cle = recherche_cle(concat_ws(' ', NEW.snapshot -> 'candidature' ->> 'nom',
                                          NEW.snapshot -> 'candidature' ->> 'prenoms')),
        specialite_code = NEW.snapshot -> 'candidature' ->> 'specialite_code',
        categorie_code = NEW.snapshot -> 'recapitulatif' ->> 'categorie_code',
        etablissement_code = NEW.snapshot -> 'recapitulatif' ->> 'etablissement_code'
    WHERE id = NEW.candidature_id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER candidature_versions_recherche AFTER INSERT ON candidature_versions
    FOR EACH ROW EXECUTE FUNCTION candidature_recherche_from_version();

-- Candidatures saved before this migration.
UPDATE candidatures c SET
    nom = v.snapshot -> 'candidature' ->> 'nom',
    prenoms = v.snapshot -> 'candidature' ->> 'prenoms',
    nom_cle = recherche_cle(concat_ws(' ', v.snapshot -> 'candidature' ->> 'nom',
                                      v.snapshot -> 'candidature' ->> 'prenoms')),
    specialite_code = v.snapshot -> 'candidature' ->> 'specialite_code',
    categorie_code = v.snapshot -> 'recapitulatif' ->> 'categorie_code',
    etablissement_code = v.snapshot -> 'recapitulatif' ->> 'etablissement_code'
FROM candidature_versions v
WHERE v.candidature_id = c.id AND v.version = c.version;

-- Only saved candidatures (version >= 1) are the back office's; drafts are not.
CREATE INDEX candidatures_recherche_nom ON candidatures (nom_cle, id) WHERE version >= 1;
CREATE INDEX candidatures_recherche_scope
    ON candidatures (examen_code, session_annee, academie_code) WHERE version >= 1;
CREATE INDEX candidatures_numero_candidat ON candidatures (numero_candidat);
