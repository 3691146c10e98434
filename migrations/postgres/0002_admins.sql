-- Admins of the console. They are not customers: their own table, their own
-- sessions (a separate cookie), their own sign-in page.

CREATE TABLE admins (
    id              UUID PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE CHECK (email = lower(trim(email))),
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('owner', 'support', 'auditor')),
    password_hash   TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    last_sign_in_at BIGINT
);

-- One-time links that let someone become an admin: the first owner's setup
-- link (no email: the person chooses) and invitations by an owner.
CREATE TABLE admin_invites (
    token_hash  BYTEA PRIMARY KEY,
    email       TEXT,
    role        TEXT NOT NULL CHECK (role IN ('owner', 'support', 'auditor')),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
