-- A signed-in session handed to another device ("Continue on another
-- device"). The source device shows a QR code carrying a random secret;
-- the row is found by the secret's SHA-256 digest. The first browser to
-- open it claims it (its own random key, stored as a digest), the source
-- device confirms or refuses, and the claimant's next visit begins a new
-- session of its own. A ticket dies with its source session.
CREATE TABLE handoff_tickets (
    id                 UUID PRIMARY KEY,
    digest             BYTEA NOT NULL UNIQUE,
    customer_id        UUID NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    source_session     UUID NOT NULL REFERENCES customer_sessions(id) ON DELETE CASCADE,
    match_code         TEXT NOT NULL,
    purpose            TEXT NOT NULL,          -- where the new session goes (journey JSON)
    created_at         BIGINT NOT NULL,
    expires_at         BIGINT NOT NULL,
    claim_digest       BYTEA,
    claimed_at         BIGINT,
    claimed_user_agent TEXT,
    claimed_ip         TEXT,
    answer             TEXT CHECK (answer IN ('confirmed', 'refused')),
    answered_at        BIGINT,
    used_at            BIGINT,
    began_session      UUID
);
CREATE INDEX handoff_tickets_by_source ON handoff_tickets (source_session);
CREATE INDEX handoff_tickets_by_expiry ON handoff_tickets (expires_at);

-- The session a handed-off one came from (it may have ended since).
ALTER TABLE customer_sessions ADD COLUMN handed_off_from UUID;
