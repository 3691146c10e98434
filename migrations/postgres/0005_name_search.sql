-- Name search ("contains", any case) by a trigram index.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX customers_name_trigrams ON customers USING gin (lower(display_name) gin_trgm_ops);
