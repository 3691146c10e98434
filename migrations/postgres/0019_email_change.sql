-- A customer changes their own email: the link goes to the new address and
-- carries it (new_email); it works only while the account still has the
-- address the change was asked from (email).
ALTER TABLE customer_tokens DROP CONSTRAINT customer_tokens_purpose_check;
ALTER TABLE customer_tokens ADD CONSTRAINT customer_tokens_purpose_check
    CHECK (purpose IN ('verify_email', 'reset_password', 'unblock_sign_in', 'change_email'));
ALTER TABLE customer_tokens ADD COLUMN new_email TEXT;
