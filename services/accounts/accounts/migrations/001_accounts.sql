-- Candidate and staff accounts. A candidate's identity is the catalogue's Identite, as JSON.
CREATE TABLE accounts (
    id uuid PRIMARY KEY,
    email text NOT NULL,
    password_hash text NOT NULL,
    role text NOT NULL CHECK (role IN ('candidat', 'gestionnaire', 'administrateur')),
    academies text[] NOT NULL DEFAULT '{}',
    status text NOT NULL CHECK (status IN ('pending', 'active')),
    identite jsonb,
    display_name text,
    created_at timestamptz NOT NULL,
    -- A pending account is erased once this has passed (the activation link's end).
    pending_until timestamptz,
    activated_at timestamptz,
    -- Set when a CandidatureCreated for the account is consumed: the identity is frozen.
    identity_locked_at timestamptz,
    candidature_academies text[] NOT NULL DEFAULT '{}',
    CHECK ((status = 'pending') = (pending_until IS NOT NULL))
);

-- One account per email, compared case-insensitively; two racing creations get one row.
CREATE UNIQUE INDEX accounts_email ON accounts (lower(email));
CREATE INDEX accounts_pending ON accounts (pending_until) WHERE status = 'pending';

-- Activation, password-reset and email-change links: only their SHA-256 is kept.
CREATE TABLE account_tokens (
    digest bytea PRIMARY KEY,
    account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    purpose text NOT NULL CHECK (purpose IN ('activation', 'password_reset', 'email_change')),
    new_email text,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);

CREATE INDEX account_tokens_account ON account_tokens (account_id, purpose);

CREATE TABLE sessions (
    id uuid PRIMARY KEY,
    account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);

CREATE INDEX sessions_live ON sessions (account_id) WHERE revoked_at IS NULL;

-- Refresh tokens rotate: each is used once; a second use revokes its whole session.
CREATE TABLE refresh_tokens (
    digest bytea PRIMARY KEY,
    session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    issued_at timestamptz NOT NULL,
    rotated_at timestamptz
);

CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- Failed logins per email (known or not) and per client.
CREATE TABLE login_throttle (
    key text PRIMARY KEY,
    failures integer NOT NULL,
    last_failure_at timestamptz NOT NULL
);

-- Who changed an identity, when, why, and what it was before.
CREATE TABLE identity_audit (
    id bigserial PRIMARY KEY,
    account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    changed_by uuid NOT NULL,
    changed_by_role text NOT NULL,
    changed_at timestamptz NOT NULL,
    reason text,
    before jsonb,
    after jsonb NOT NULL
);

CREATE INDEX identity_audit_account ON identity_audit (account_id, id);

CREATE TABLE announcements (
    id uuid PRIMARY KEY,
    title text NOT NULL,
    body text NOT NULL,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    created_by uuid NOT NULL,
    created_at timestamptz NOT NULL,
    CHECK (ends_at > starts_at)
);

CREATE INDEX announcements_window ON announcements (ends_at, starts_at);
