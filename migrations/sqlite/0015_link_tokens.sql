-- Mailed links name the address they were sent to (a link is only good
-- while the customer's email is still that address), and a third kind of
-- link lifts a sign-in block. SQLite cannot change a CHECK in place: the
-- table is rebuilt (nothing references it).
CREATE TABLE customer_tokens_new (
    token_hash  BLOB PRIMARY KEY,
    customer_id BLOB NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('verify_email', 'reset_password', 'unblock_sign_in')),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER,
    email       TEXT
);
INSERT INTO customer_tokens_new (token_hash, customer_id, purpose, created_at, expires_at, used_at, email)
    SELECT t.token_hash, t.customer_id, t.purpose, t.created_at, t.expires_at, t.used_at, c.email
    FROM customer_tokens t JOIN customers c ON c.id = t.customer_id;
DROP TABLE customer_tokens;
ALTER TABLE customer_tokens_new RENAME TO customer_tokens;
CREATE INDEX customer_tokens_by_customer ON customer_tokens (customer_id, purpose);
