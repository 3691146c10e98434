-- Customer accounts and everything the foundation flows need.
-- Times are Unix seconds (UTC); identifiers customers see are UUIDv7.

CREATE TABLE customers (
    id                UUID PRIMARY KEY,
    email             TEXT NOT NULL UNIQUE           -- normalised: trimmed, lower-case
                      CHECK (email = lower(trim(email))),
    email_verified_at BIGINT,
    display_name      TEXT NOT NULL,
    password_hash     TEXT NOT NULL,                 -- PHC string
    terms_version     TEXT NOT NULL,
    terms_accepted_at BIGINT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    last_sign_in_at   BIGINT
);

-- Single-use tokens sent by mail; only their SHA-256 is stored.
CREATE TABLE customer_tokens (
    token_hash  BYTEA PRIMARY KEY,
    customer_id UUID NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX customer_tokens_by_customer ON customer_tokens (customer_id, purpose);

-- A signed-in session of a customer. The browser's tower-sessions record
-- points here; deleting a row signs that device out on its next request.
CREATE TABLE customer_sessions (
    id           UUID PRIMARY KEY,
    customer_id  UUID NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,                   -- absolute lifetime
    last_seen_at BIGINT NOT NULL,
    user_agent   TEXT
);
CREATE INDEX customer_sessions_by_customer ON customer_sessions (customer_id);

-- Failed sign-ins per normalised email, kept here so every instance sees them.
CREATE TABLE sign_in_failures (
    email            TEXT PRIMARY KEY,
    failures         BIGINT NOT NULL,
    window_started_at BIGINT NOT NULL,
    locked_until     BIGINT
);

-- Outgoing mail. Written in the same request that needs it, sent by a worker;
-- with no SMTP server configured this is the development outbox.
CREATE TABLE mail_outbox (
    id            UUID PRIMARY KEY,
    recipient     TEXT NOT NULL,
    subject       TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    attempts      BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    sent_at       BIGINT,
    last_error    TEXT
);
CREATE INDEX mail_outbox_pending ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL;
