-- OpenID Connect Back-Channel Logout 1.0: when a customer's session ends,
-- each application that received an ID token in it is told, server to
-- server, with a signed logout token naming the session (`sid`).

-- Where the application hears of it (none: it is not told).
ALTER TABLE oidc_clients ADD COLUMN backchannel_logout_uri TEXT;

-- The Gatehouse session a code was issued in (its ID tokens' `sid`).
ALTER TABLE oidc_codes ADD COLUMN session_id BLOB;

-- The grants made in a session, while it lasts (they go with it): ending
-- the session tells their applications and ends the grants' tokens, except
-- those the customer allowed for while away (offline_access). A device's
-- grant (RFC 8628) belongs to no session of the device.
CREATE TABLE oidc_session_grants (
    family      BLOB PRIMARY KEY,
    session_id  BLOB NOT NULL REFERENCES customer_sessions(id) ON DELETE CASCADE,
    client_id   TEXT NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
    customer_id BLOB NOT NULL,
    scope       TEXT NOT NULL
);
CREATE INDEX oidc_session_grants_by_session ON oidc_session_grants (session_id);

-- Logout tokens to send: one per application and ended session, written in
-- the transaction that ends the session and sent by a worker with retries
-- (signed when sent, so always fresh). Kept a while once sent or given up,
-- for the audit trail's sake and so a repeat is not queued twice.
CREATE TABLE oidc_backchannel_logouts (
    client_id       TEXT NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
    session_id      BLOB NOT NULL,
    customer_id     BLOB NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    sent_at         INTEGER,
    failed_at       INTEGER,
    last_error      TEXT,
    PRIMARY KEY (client_id, session_id)
);
CREATE INDEX oidc_backchannel_logouts_due ON oidc_backchannel_logouts (next_attempt_at)
    WHERE sent_at IS NULL AND failed_at IS NULL;
