-- The name search index (FTS5 trigram) was kept in step by triggers on
-- customers. Any trigger makes SQLite run a trigger program for every row
-- inserted, which halved bulk imports; the store now writes the index itself,
-- in the same transaction as each customer write. The index keeps its own
-- copy of the names (no external content), so updates and deletes need only
-- the rowid.
DROP TRIGGER customer_names_insert;
DROP TRIGGER customer_names_delete;
DROP TRIGGER customer_names_update;
DROP TABLE customer_names;
CREATE VIRTUAL TABLE customer_names USING fts5(display_name, tokenize = 'trigram');
INSERT INTO customer_names (rowid, display_name) SELECT rowid, display_name FROM customers;
