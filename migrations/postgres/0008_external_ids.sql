-- The customer's id in the system they were imported from, if any: imports
-- match on it (or on the email when it is absent).
ALTER TABLE customers ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX customers_by_external_id ON customers (external_id) WHERE external_id IS NOT NULL;
