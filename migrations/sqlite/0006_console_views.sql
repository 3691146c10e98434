-- Where a customer last signed in from, and where each session began.
ALTER TABLE customers ADD COLUMN last_sign_in_ip TEXT;
ALTER TABLE customer_sessions ADD COLUMN ip TEXT;

-- Console sort by last sign-in, newest first; customers who never signed in
-- sort last (as 0), so one index serves every page of the keyset.
CREATE INDEX customers_by_last_sign_in ON customers (COALESCE(last_sign_in_at, 0) DESC, id DESC);

-- The audit page lists events newest first by their time (ties by id), on
-- its own or filtered by action, actor or customer: one index for each.
DROP INDEX audit_events_by_customer;
DROP INDEX audit_events_by_time;
CREATE INDEX audit_events_by_time ON audit_events (at DESC, id DESC);
CREATE INDEX audit_events_by_customer ON audit_events (customer_id, at DESC, id DESC);
CREATE INDEX audit_events_by_action ON audit_events (action, at DESC, id DESC);
CREATE INDEX audit_events_by_actor ON audit_events (actor_id, at DESC, id DESC);

-- Status filters list newest first from their own small indexes, so a filter
-- that matches few customers (say 12 disabled among 10 million) never walks
-- the whole table to fill a page.
CREATE INDEX customers_disabled_by_created ON customers (created_at DESC, id DESC) WHERE disabled_at IS NOT NULL;
CREATE INDEX customers_unverified_by_created ON customers (created_at DESC, id DESC) WHERE email_verified_at IS NULL;
