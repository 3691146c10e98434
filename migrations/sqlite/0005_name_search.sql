-- Name search ("contains", any case) by a trigram full-text index, kept in
-- step with the customers table by triggers.
CREATE VIRTUAL TABLE customer_names USING fts5(
    display_name, content = 'customers', content_rowid = 'rowid', tokenize = 'trigram'
);
CREATE TRIGGER customer_names_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customer_names (rowid, display_name) VALUES (new.rowid, new.display_name);
END;
CREATE TRIGGER customer_names_delete AFTER DELETE ON customers BEGIN
    INSERT INTO customer_names (customer_names, rowid, display_name) VALUES ('delete', old.rowid, old.display_name);
END;
CREATE TRIGGER customer_names_update AFTER UPDATE OF display_name ON customers BEGIN
    INSERT INTO customer_names (customer_names, rowid, display_name) VALUES ('delete', old.rowid, old.display_name);
    INSERT INTO customer_names (rowid, display_name) VALUES (new.rowid, new.display_name);
END;
INSERT INTO customer_names (customer_names) VALUES ('rebuild');
