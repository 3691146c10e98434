-- A sign-in in progress, held by the server between its steps (a first
-- factor proven, a second factor or an enrolment still to come), so every
-- instance sees it. The browser's session holds a random id; the row is
-- found by its SHA-256 digest. `version` rises with each step: two tabs
-- cannot both advance the same attempt from the same state.
CREATE TABLE sign_in_attempts (
    digest     BYTEA PRIMARY KEY,
    realm      TEXT NOT NULL CHECK (realm IN ('customer', 'admin')),
    subject    UUID NOT NULL,
    purpose    TEXT NOT NULL,
    proofs     TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    version    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX sign_in_attempts_by_expiry ON sign_in_attempts (expires_at);
