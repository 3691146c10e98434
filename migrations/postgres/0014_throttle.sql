-- Sign-in throttling, shared by every instance. One row per counter key:
-- an account from one source address, an account from anywhere, a source
-- address, a network. An attempt is reserved here (one statement) before
-- any password is hashed, so no burst evaluates more than the limit.
DROP TABLE sign_in_failures;

CREATE TABLE throttle_counters (
    key               TEXT PRIMARY KEY,
    -- The account a counter belongs to ("customer:ada@example.com"), so an
    -- unblock finds every source's counter; NULL for address counters.
    account           TEXT,
    attempts          BIGINT NOT NULL,
    window_started_at BIGINT NOT NULL,
    -- No attempt before this time (a growing delay after failures).
    not_before        BIGINT NOT NULL,
    -- Set once the limit is reached: refused until then.
    blocked_until     BIGINT,
    -- Whether the statement that last touched the row granted an attempt:
    -- read back through RETURNING, so the decision is the statement's own.
    granted           BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX throttle_counters_by_account ON throttle_counters (account) WHERE account IS NOT NULL;
CREATE INDEX throttle_counters_by_update ON throttle_counters (updated_at);

-- The address of an admin's last sign-in, as customers have: sign-ins from
-- it are not held back by the account-wide ceiling.
ALTER TABLE admins ADD COLUMN last_sign_in_ip TEXT;
