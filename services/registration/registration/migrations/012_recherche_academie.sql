-- The back office's search as a gestionnaire (issue 12, point 1; the benchmark's p99).
--
-- The index of migration 008, (nom_cle, id), is walked in name order for every académie: a
-- gestionnaire's search filtered the other académies' rows out along the way. This one puts
-- the académie first, so that the search of one académie is one index range — the académie,
-- then the name prefix (nom_cle >= p AND nom_cle < p || U+10FFFF) and the keyset position
-- ((nom_cle, id) > cursor) — read in the order of the page. A gestionnaire of several
-- académies gets one such range per académie, each limited to the page, merged by the query
-- (adapters/recherche_sql.py). nom_cle is in the "C" collation (migration 008): the index is
-- too, like the search's ORDER BY and bounds.
CREATE INDEX candidatures_recherche_academie_nom
    ON candidatures (academie_code, nom_cle, id) WHERE version >= 1;
