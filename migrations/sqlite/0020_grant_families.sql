-- Every grant to an application (a sign-in's code or device approval),
-- recorded when its first tokens are minted, so that ending a customer's
-- access (a password change or reset, a disable, an application removed)
-- reaches access tokens of grants that hold no refresh token. Kept until
-- the longest such access token has expired; /account/apps lists them.
CREATE TABLE oidc_grant_families (
    family      BLOB PRIMARY KEY,
    customer_id BLOB NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    client_id   TEXT NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
    scope       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX oidc_grant_families_by_customer ON oidc_grant_families (customer_id, client_id);
CREATE INDEX oidc_grant_families_by_expiry ON oidc_grant_families (expires_at);

-- An application that is a resource server (an API accepting access
-- tokens) may introspect the access tokens of every application; any
-- other sees only its own (RFC 7662 §4).
ALTER TABLE oidc_clients ADD COLUMN resource_server INTEGER NOT NULL DEFAULT 0;
