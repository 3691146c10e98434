-- The words of every customer's name, case and accents folded, each with
-- the customer's creation time: a search for several words ("zoe tanaka")
-- walks the rarest word's entries newest first and tests the others on the
-- folded name kept beside each entry (INCLUDE: the walk reads the index
-- alone), instead of intersecting long trigram lists. Written by the store
-- with each customer write; the folding is Rust's (`domain::name_words`),
-- so existing customers are indexed at the next start (the record below).
CREATE TABLE customer_name_words (
    word        TEXT NOT NULL,
    customer_created_at BIGINT NOT NULL,
    customer_id UUID NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    PRIMARY KEY (word, customer_created_at, customer_id) INCLUDE (name)
);
CREATE INDEX customer_name_words_customer ON customer_name_words (customer_id);
INSERT INTO deferred_indexes (name, rebuild) VALUES ('customer_name_words', '');
