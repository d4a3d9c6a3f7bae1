-- Retention (issue 12, point 8): a configurable time after its session ended, a candidature is
-- anonymised (handlers/retention.py). `anonymised_at` marks the ones done, so that a second run
-- finds nothing to do; the partial index finds the ones left in a session + académie.
ALTER TABLE candidatures ADD COLUMN anonymised_at timestamptz;

CREATE INDEX candidatures_to_anonymise
    ON candidatures (examen_code, session_annee, academie_code, id) WHERE anonymised_at IS NULL;
