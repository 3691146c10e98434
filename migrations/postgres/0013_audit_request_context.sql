-- The request an audit event came from: its id (also on the request's log
-- lines) and the browser or client that sent it.
ALTER TABLE audit_events ADD COLUMN request_id TEXT;
ALTER TABLE audit_events ADD COLUMN user_agent TEXT;
