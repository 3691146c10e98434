-- Mailed links name the address they were sent to (a link is only good
-- while the customer's email is still that address), and a third kind of
-- link lifts a sign-in block.
ALTER TABLE customer_tokens DROP CONSTRAINT customer_tokens_purpose_check;
ALTER TABLE customer_tokens ADD CONSTRAINT customer_tokens_purpose_check
    CHECK (purpose IN ('verify_email', 'reset_password', 'unblock_sign_in'));
ALTER TABLE customer_tokens ADD COLUMN email TEXT;
UPDATE customer_tokens t SET email = c.email FROM customers c WHERE c.id = t.customer_id;
