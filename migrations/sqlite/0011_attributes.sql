-- Profile attributes: fields the organisation defines on every customer.
-- Definitions are never deleted (archived instead), so no value is lost.
CREATE TABLE attributes (
    id                BLOB PRIMARY KEY,
    key               TEXT NOT NULL UNIQUE,
    label             TEXT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('text', 'number', 'boolean', 'date', 'choice', 'email', 'phone')),
    choices           TEXT NOT NULL DEFAULT '[]',  -- JSON array, for kind 'choice'
    required          INTEGER NOT NULL DEFAULT 0 CHECK (required IN (0, 1)),
    customer_editable INTEGER NOT NULL DEFAULT 1 CHECK (customer_editable IN (0, 1)),
    searchable        INTEGER NOT NULL DEFAULT 0 CHECK (searchable IN (0, 1)),
    personal          INTEGER NOT NULL DEFAULT 0 CHECK (personal IN (0, 1)),
    position          INTEGER NOT NULL,
    archived_at       INTEGER,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);

-- One row per customer and attribute that has a value, in canonical form.
-- `search_value` is lower(value) while the attribute is searchable and NULL
-- otherwise, so only searchable attributes cost index space and upkeep.
CREATE TABLE customer_attributes (
    customer_id  BLOB NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    attribute_id BLOB NOT NULL REFERENCES attributes(id),
    value        TEXT NOT NULL,
    search_value TEXT,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (customer_id, attribute_id)
) WITHOUT ROWID;
CREATE INDEX customer_attributes_search ON customer_attributes (attribute_id, search_value, customer_id)
    WHERE search_value IS NOT NULL;
