-- Disabled customers cannot sign in; their sessions end when disabled.
ALTER TABLE customers ADD COLUMN disabled_at INTEGER;

-- The audit trail: every admin action and security-relevant customer event.
-- No foreign keys: the record outlives the customers and admins it names.
CREATE TABLE audit_events (
    id          BLOB PRIMARY KEY,        -- UUIDv7, so ids sort by time
    at          INTEGER NOT NULL,
    actor_kind  TEXT NOT NULL CHECK (actor_kind IN ('admin', 'customer', 'system')),
    actor_id    BLOB,
    action      TEXT NOT NULL,
    customer_id BLOB,                    -- the customer acted on, if any
    source_ip   TEXT,
    details     TEXT NOT NULL DEFAULT '{}' -- JSON: fields before and after; never secrets
);
CREATE INDEX audit_events_by_customer ON audit_events (customer_id, id DESC);
CREATE INDEX audit_events_by_time ON audit_events (id DESC);

-- Append-only: only inserts reach this table.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
