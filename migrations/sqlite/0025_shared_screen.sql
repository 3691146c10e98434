-- A shared screen (a TV, a kiosk, a car) signed in from a phone. The
-- handoff ticket gains a direction: 'push' ("Continue on another device"),
-- where the signed-in device offers the ticket and another claims it, and
-- 'pull', where the shared screen shows the QR code and is the claimant from
-- the start, and the signed-in phone that opens it becomes the source. A
-- pulled ticket has no customer or source session until a phone approves it.
-- SQLite cannot relax NOT NULL in place, so the table is rebuilt; tickets
-- already offered carry over as 'push'.
CREATE TABLE handoff_tickets_new (
    id                 BLOB PRIMARY KEY,
    digest             BLOB NOT NULL UNIQUE,
    direction          TEXT NOT NULL CHECK (direction IN ('push', 'pull')),
    customer_id        BLOB REFERENCES customers(id) ON DELETE CASCADE,
    source_session     BLOB REFERENCES customer_sessions(id) ON DELETE CASCADE,
    match_code         TEXT NOT NULL,
    purpose            TEXT NOT NULL,          -- where the new session goes (journey JSON)
    created_at         INTEGER NOT NULL,
    expires_at         INTEGER NOT NULL,
    claim_digest       BLOB,
    claimed_at         INTEGER,
    claimed_user_agent TEXT,
    claimed_ip         TEXT,
    answer             TEXT CHECK (answer IN ('confirmed', 'refused')),
    answered_at        INTEGER,
    used_at            INTEGER,
    began_session      BLOB
);
INSERT INTO handoff_tickets_new
    (id, digest, direction, customer_id, source_session, match_code, purpose,
     created_at, expires_at, claim_digest, claimed_at, claimed_user_agent,
     claimed_ip, answer, answered_at, used_at, began_session)
SELECT id, digest, 'push', customer_id, source_session, match_code, purpose,
       created_at, expires_at, claim_digest, claimed_at, claimed_user_agent,
       claimed_ip, answer, answered_at, used_at, began_session
FROM handoff_tickets;
DROP TABLE handoff_tickets;
ALTER TABLE handoff_tickets_new RENAME TO handoff_tickets;
CREATE INDEX handoff_tickets_by_source ON handoff_tickets (source_session);
CREATE INDEX handoff_tickets_by_expiry ON handoff_tickets (expires_at);
-- The shared screen asks for its ticket by its own key.
CREATE INDEX handoff_tickets_by_claim ON handoff_tickets (claim_digest);

-- A shared screen's short session, which signs itself out.
ALTER TABLE customer_sessions ADD COLUMN shared_screen INTEGER NOT NULL DEFAULT 0;
