-- Disabled customers cannot sign in; their sessions end when disabled.
ALTER TABLE customers ADD COLUMN disabled_at BIGINT;

-- The audit trail: every admin action and security-relevant customer event.
-- No foreign keys: the record outlives the customers and admins it names.
CREATE TABLE audit_events (
    id          UUID PRIMARY KEY,        -- UUIDv7, so ids sort by time
    at          BIGINT NOT NULL,
    actor_kind  TEXT NOT NULL CHECK (actor_kind IN ('admin', 'customer', 'system')),
    actor_id    UUID,
    action      TEXT NOT NULL,
    customer_id UUID,                    -- the customer acted on, if any
    source_ip   TEXT,
    details     TEXT NOT NULL DEFAULT '{}' -- JSON: fields before and after; never secrets
);
CREATE INDEX audit_events_by_customer ON audit_events (customer_id, id DESC);
CREATE INDEX audit_events_by_time ON audit_events (id DESC);

-- Append-only: only inserts reach this table.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$;
CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
