-- Erased accounts now live in the shared `erased_accounts` table (shared migration 005,
-- applied before the service's own): the tombstones kept so far move there.
INSERT INTO erased_accounts (account_id, erased_at)
SELECT account_id, erased_at FROM identites_effacees
ON CONFLICT (account_id) DO NOTHING;

DROP TABLE identites_effacees;
