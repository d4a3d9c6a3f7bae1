-- Erased accounts (shared.erasure): only the id stays, so that an event arriving after the
-- erasure (a retry, a replay) neither stores the account's data again nor sends it an email.
CREATE TABLE IF NOT EXISTS erased_accounts (
    account_id uuid PRIMARY KEY,
    erased_at timestamptz NOT NULL
);
