-- Objects to remove from the bucket: an erased account's documents. The inbox transaction
-- deletes the rows and records the keys here; the render worker removes the objects (no S3
-- call inside a database transaction) and then the keys.
CREATE TABLE objects_to_remove (
    object_key text PRIMARY KEY,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
