-- A customer changes their own email: the link goes to the new address and
-- carries it (new_email); it works only while the account still has the
-- address the change was asked from (email). SQLite cannot change a CHECK
-- in place: the table is rebuilt (nothing references it).
CREATE TABLE customer_tokens_new (
    token_hash  BLOB PRIMARY KEY,
    customer_id BLOB NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('verify_email', 'reset_password', 'unblock_sign_in', 'change_email')),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER,
    email       TEXT,
    new_email   TEXT
);
INSERT INTO customer_tokens_new (token_hash, customer_id, purpose, created_at, expires_at, used_at, email)
    SELECT token_hash, customer_id, purpose, created_at, expires_at, used_at, email FROM customer_tokens;
DROP TABLE customer_tokens;
ALTER TABLE customer_tokens_new RENAME TO customer_tokens;
CREATE INDEX customer_tokens_by_customer ON customer_tokens (customer_id, purpose);
