-- Objects to remove from the bucket: the files of an erased account or of a purged session.
-- The inbox transaction deletes the rows and records the keys here; a periodic job removes the
-- objects (no S3 call inside the event's transaction) and then the keys.
CREATE TABLE objects_to_remove (
    object_key text PRIMARY KEY,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
