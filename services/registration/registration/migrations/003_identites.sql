-- A local copy of candidates' identities, projected from the accounts service's events, so the
-- wizard fills the Identification tab without calling accounts. Events may arrive out of order
-- (retries): each part keeps the instant of the event it came from and older events lose.
CREATE TABLE identites (
    account_id uuid PRIMARY KEY,
    email text,
    email_at timestamptz,
    identite jsonb,
    identite_at timestamptz,
    activated_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Erased accounts: only the id stays, so a late event cannot bring the identity back.
CREATE TABLE identites_effacees (
    account_id uuid PRIMARY KEY,
    erased_at timestamptz NOT NULL
);
