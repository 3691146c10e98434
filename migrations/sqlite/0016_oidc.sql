-- Single sign-on: Gatehouse as the OpenID Connect provider of the
-- organisation's applications.

-- How a customer's session was established: `auth_time`, `amr` and `acr`
-- of the tokens issued from it. Sessions from before this column were
-- password sign-ins.
ALTER TABLE customer_sessions ADD COLUMN amr TEXT NOT NULL DEFAULT 'pwd';

-- An application (OAuth client). Lists are stored as text: redirect URIs
-- one per line, grant types and scopes space-separated, as the protocol
-- writes them.
CREATE TABLE oidc_clients (
    id                        TEXT PRIMARY KEY,          -- client_id, random
    name                      TEXT NOT NULL,
    is_public                 INTEGER NOT NULL,
    first_party               INTEGER NOT NULL,
    enabled                   INTEGER NOT NULL,
    redirect_uris             TEXT NOT NULL,
    post_logout_redirect_uris TEXT NOT NULL,
    grant_types               TEXT NOT NULL,
    scopes                    TEXT NOT NULL,
    access_token_ttl          INTEGER NOT NULL,
    refresh_token_ttl         INTEGER NOT NULL,
    id_token_alg              TEXT NOT NULL,
    logo_url                  TEXT,
    created_at                INTEGER NOT NULL,
    updated_at                INTEGER NOT NULL
);

-- Client secrets as SHA-256 digests (256 random bits need no slow hash).
-- A rotated-out secret keeps working until `expires_at`.
CREATE TABLE oidc_client_secrets (
    digest     BLOB PRIMARY KEY,
    client_id  TEXT NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER
);
CREATE INDEX oidc_client_secrets_by_client ON oidc_client_secrets (client_id);

-- Token signing keys. The private key is sealed (AES-256-GCM) with the key
-- encryption key from configuration; the public half is a JWK. The newest
-- unretired key of an algorithm signs; a retired key stays published until
-- `retired_at` plus the longest token lifetime.
CREATE TABLE signing_keys (
    kid            TEXT PRIMARY KEY,
    alg            TEXT NOT NULL,
    sealed_private BLOB NOT NULL,
    public_jwk     TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    retired_at     INTEGER
);

-- Authorization codes (digests), single-use, a minute long. `family` names
-- the refresh tokens the code led to, so a replayed code revokes them.
CREATE TABLE oidc_codes (
    code_hash      BLOB PRIMARY KEY,
    client_id      TEXT NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
    customer_id    BLOB NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    redirect_uri   TEXT NOT NULL,
    scope          TEXT NOT NULL,
    nonce          TEXT,
    code_challenge TEXT,
    auth_time      INTEGER NOT NULL,
    amr            TEXT NOT NULL,
    family         BLOB NOT NULL,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    used_at        INTEGER
);
CREATE INDEX oidc_codes_by_expiry ON oidc_codes (expires_at);

-- Refresh tokens (digests). Each use spends the token and issues the next
-- one of its family; presenting a spent token revokes the whole family.
CREATE TABLE oidc_refresh_tokens (
    token_hash  BLOB PRIMARY KEY,
    family      BLOB NOT NULL,
    client_id   TEXT NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
    customer_id BLOB NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    scope       TEXT NOT NULL,
    auth_time   INTEGER NOT NULL,
    amr         TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER,
    revoked_at  INTEGER
);
CREATE INDEX oidc_refresh_tokens_by_family ON oidc_refresh_tokens (family);
CREATE INDEX oidc_refresh_tokens_by_customer ON oidc_refresh_tokens (customer_id, client_id);
CREATE INDEX oidc_refresh_tokens_by_expiry ON oidc_refresh_tokens (expires_at);

-- What a customer consented to share with a third-party application.
CREATE TABLE oidc_grants (
    customer_id BLOB NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    client_id   TEXT NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
    scope       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (customer_id, client_id)
);
CREATE INDEX oidc_grants_by_client ON oidc_grants (client_id);

-- Grants revoked before their tokens expired (revocation, a replayed code
-- or refresh token): access tokens carry their grant (`gid`), and
-- introspection and userinfo refuse those of a revoked grant. A row can go
-- once every access token of the grant has expired.
CREATE TABLE oidc_revoked_grants (
    family     BLOB PRIMARY KEY,
    revoked_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

-- The device authorization grant (RFC 8628): a TV or car shows `user_code`,
-- the customer approves it on /device from a phone, the device polls with
-- `device_code` (stored as a digest). `status`: pending, approved, denied,
-- used.
CREATE TABLE oidc_device_codes (
    device_code_hash BLOB PRIMARY KEY,
    user_code        TEXT NOT NULL UNIQUE,
    client_id        TEXT NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
    scope            TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'used')),
    poll_interval    INTEGER NOT NULL,
    last_polled_at   INTEGER,
    customer_id      BLOB REFERENCES customers(id) ON DELETE CASCADE,
    auth_time        INTEGER,
    amr              TEXT,
    created_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL
);
CREATE INDEX oidc_device_codes_by_expiry ON oidc_device_codes (expires_at);
