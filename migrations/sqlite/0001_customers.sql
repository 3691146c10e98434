-- Customer accounts and everything the foundation flows need.
-- Times are Unix seconds (UTC); identifiers customers see are UUIDv7.

CREATE TABLE customers (
    id                BLOB PRIMARY KEY,
    email             TEXT NOT NULL UNIQUE           -- normalised: trimmed, lower-case
                      CHECK (email = lower(trim(email))),
    email_verified_at INTEGER,
    display_name      TEXT NOT NULL,
    password_hash     TEXT NOT NULL,                 -- PHC string
    terms_version     TEXT NOT NULL,
    terms_accepted_at INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    last_sign_in_at   INTEGER
);

-- Single-use tokens sent by mail; only their SHA-256 is stored.
CREATE TABLE customer_tokens (
    token_hash  BLOB PRIMARY KEY,
    customer_id BLOB NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);
CREATE INDEX customer_tokens_by_customer ON customer_tokens (customer_id, purpose);

-- A signed-in session of a customer. The browser's tower-sessions record
-- points here; deleting a row signs that device out on its next request.
CREATE TABLE customer_sessions (
    id           BLOB PRIMARY KEY,
    customer_id  BLOB NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,                   -- absolute lifetime
    last_seen_at INTEGER NOT NULL,
    user_agent   TEXT
);
CREATE INDEX customer_sessions_by_customer ON customer_sessions (customer_id);

-- Failed sign-ins per normalised email, kept here so every instance sees them.
CREATE TABLE sign_in_failures (
    email            TEXT PRIMARY KEY,
    failures         INTEGER NOT NULL,
    window_started_at INTEGER NOT NULL,
    locked_until     INTEGER
);

-- Outgoing mail. Written in the same request that needs it, sent by a worker;
-- with no SMTP server configured this is the development outbox.
CREATE TABLE mail_outbox (
    id            BLOB PRIMARY KEY,
    recipient     TEXT NOT NULL,
    subject       TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    sent_at       INTEGER,
    last_error    TEXT
);
CREATE INDEX mail_outbox_pending ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL;
