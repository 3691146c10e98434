-- The console lists an application's active grants: its live refresh
-- tokens, found by application.
CREATE INDEX oidc_refresh_tokens_by_client ON oidc_refresh_tokens (client_id, created_at);

-- private_key_jwt: the public keys (a JWKS document) an application signs
-- its client assertions with; NULL for secret-holding and public clients.
ALTER TABLE oidc_clients ADD COLUMN jwks TEXT;

-- Each client assertion is accepted once: its jti is kept until it expires.
CREATE TABLE oidc_assertion_jtis (
    client_id  TEXT NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
    jti        TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (client_id, jti)
);
CREATE INDEX oidc_assertion_jtis_by_expiry ON oidc_assertion_jtis (expires_at);

-- The refresh token each one replaced: a rotation is then one statement
-- (the successor inserted, its parent spent with it).
ALTER TABLE oidc_refresh_tokens ADD COLUMN parent_hash BLOB;
-- SQLite has no data-modifying WITH: inserting a successor spends its
-- parent here, in the same statement.
CREATE TRIGGER oidc_refresh_tokens_spend_parent AFTER INSERT ON oidc_refresh_tokens
WHEN NEW.parent_hash IS NOT NULL
BEGIN
    UPDATE oidc_refresh_tokens SET used_at = NEW.created_at WHERE token_hash = NEW.parent_hash;
END;
