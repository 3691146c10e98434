-- Nothing to do here: on SQLite this number moves the name search index from
-- triggers to the store. PostgreSQL's trigram GIN index is maintained by the
-- database itself. (Both backends keep the same migration numbers.)
SELECT 1;
