-- A pièce a gestionnaire asked for on one candidature (domain.md §5.1: "a gestionnaire can
-- request more, usually with a 15-day deadline"): `requested_by` is set, the rules never retire
-- it, and it sits in a group of its own (that candidature's, with its own date limite).
ALTER TABLE pieces ADD COLUMN requested_by uuid;
ALTER TABLE groupes ADD COLUMN candidature_id uuid REFERENCES candidatures ON DELETE CASCADE;
