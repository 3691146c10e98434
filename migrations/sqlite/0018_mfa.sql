-- Second factors. A factor belongs to a customer or to an admin (admins
-- must use MFA on the console). TOTP keeps its shared secret and the last
-- time step it accepted (a code is accepted once); a passkey keeps its
-- credential id (found by it when the browser names it, without an email)
-- and webauthn-rs's record of it, counter included.
CREATE TABLE mfa_factors (
    id            BLOB PRIMARY KEY,
    customer_id   BLOB REFERENCES customers(id) ON DELETE CASCADE,
    admin_id      BLOB REFERENCES admins(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('totp', 'passkey')),
    name          TEXT NOT NULL,
    totp_secret   BLOB,
    totp_last_step INTEGER NOT NULL DEFAULT 0,
    credential_id BLOB UNIQUE,
    passkey       TEXT,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER,
    CHECK ((customer_id IS NULL) <> (admin_id IS NULL)),
    CHECK ((kind = 'totp') = (totp_secret IS NOT NULL)),
    CHECK ((kind = 'passkey') = (credential_id IS NOT NULL AND passkey IS NOT NULL))
);
CREATE INDEX mfa_factors_by_customer ON mfa_factors (customer_id) WHERE customer_id IS NOT NULL;
CREATE INDEX mfa_factors_by_admin ON mfa_factors (admin_id) WHERE admin_id IS NOT NULL;
-- One authenticator app per account.
CREATE UNIQUE INDEX mfa_one_totp_per_customer ON mfa_factors (customer_id) WHERE kind = 'totp' AND customer_id IS NOT NULL;
CREATE UNIQUE INDEX mfa_one_totp_per_admin ON mfa_factors (admin_id) WHERE kind = 'totp' AND admin_id IS NOT NULL;

-- Recovery codes: ten per customer, stored as SHA-256 (they are 50 random
-- bits each and single-use, throttled like passwords), spent once.
CREATE TABLE mfa_recovery_codes (
    customer_id BLOB NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    code_hash   BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    used_at     INTEGER,
    PRIMARY KEY (customer_id, code_hash)
);

-- Browsers a customer asked to be remembered after a second factor: the
-- cookie's SHA-256, until it expires (the policy's days at that time; a
-- shorter policy later shortens it at the next sign-in).
CREATE TABLE mfa_remembered_browsers (
    token_hash  BLOB PRIMARY KEY,
    customer_id BLOB NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX mfa_remembered_by_customer ON mfa_remembered_browsers (customer_id);
CREATE INDEX mfa_remembered_by_expiry ON mfa_remembered_browsers (expires_at);

-- The MFA policy: one row for everyone, overridden per tier (NULL: as the
-- global policy says).
CREATE TABLE mfa_settings (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    policy          TEXT NOT NULL CHECK (policy IN ('off', 'optional', 'required', 'phishing_resistant')),
    remember_days   INTEGER NOT NULL CHECK (remember_days BETWEEN 0 AND 365),
    step_up_minutes INTEGER NOT NULL CHECK (step_up_minutes BETWEEN 1 AND 1440),
    updated_at      INTEGER NOT NULL
);
INSERT INTO mfa_settings (id, policy, remember_days, step_up_minutes, updated_at)
VALUES (1, 'optional', 30, 10, unixepoch());
ALTER TABLE tiers ADD COLUMN mfa_policy TEXT CHECK (mfa_policy IN ('off', 'optional', 'required', 'phishing_resistant'));
ALTER TABLE tiers ADD COLUMN mfa_remember_days INTEGER CHECK (mfa_remember_days BETWEEN 0 AND 365);

-- When the session last passed a second factor (sign-in or step-up): the
-- step-up window counts from it.
ALTER TABLE customer_sessions ADD COLUMN mfa_at INTEGER;
