-- A shared screen (a TV, a kiosk, a car) signed in from a phone. The
-- handoff ticket gains a direction: 'push' ("Continue on another device"),
-- where the signed-in device offers the ticket and another claims it, and
-- 'pull', where the shared screen shows the QR code and is the claimant from
-- the start, and the signed-in phone that opens it becomes the source. A
-- pulled ticket has no customer or source session until a phone approves it.
-- Tickets already offered carry over as 'push'.
ALTER TABLE handoff_tickets
    ADD COLUMN direction TEXT NOT NULL DEFAULT 'push'
        CHECK (direction IN ('push', 'pull'));
ALTER TABLE handoff_tickets ALTER COLUMN direction DROP DEFAULT;
ALTER TABLE handoff_tickets ALTER COLUMN customer_id DROP NOT NULL;
ALTER TABLE handoff_tickets ALTER COLUMN source_session DROP NOT NULL;
-- The shared screen asks for its ticket by its own key.
CREATE INDEX handoff_tickets_by_claim ON handoff_tickets (claim_digest);

-- A shared screen's short session, which signs itself out.
ALTER TABLE customer_sessions ADD COLUMN shared_screen BOOLEAN NOT NULL DEFAULT FALSE;
