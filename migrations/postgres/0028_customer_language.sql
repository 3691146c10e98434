-- The language a customer chose for Gatehouse's pages and mails (a BCP 47
-- tag Gatehouse speaks, e.g. "de"); none means their browser decides.
ALTER TABLE customers ADD COLUMN locale TEXT;
