-- Profile attributes: fields the organisation defines on every customer.
-- Definitions are never deleted (archived instead), so no value is lost.
CREATE TABLE attributes (
    id                UUID PRIMARY KEY,
    key               TEXT NOT NULL UNIQUE,
    label             TEXT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('text', 'number', 'boolean', 'date', 'choice', 'email', 'phone')),
    choices           TEXT NOT NULL DEFAULT '[]',  -- JSON array, for kind 'choice'
    required          BOOLEAN NOT NULL DEFAULT FALSE,
    customer_editable BOOLEAN NOT NULL DEFAULT TRUE,
    searchable        BOOLEAN NOT NULL DEFAULT FALSE,
    personal          BOOLEAN NOT NULL DEFAULT FALSE,
    position          BIGINT NOT NULL,
    archived_at       BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);

-- One row per customer and attribute that has a value, in canonical form.
-- `search_value` is lower(value) while the attribute is searchable and NULL
-- otherwise, so only searchable attributes cost index space and upkeep.
CREATE TABLE customer_attributes (
    customer_id  UUID NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    attribute_id UUID NOT NULL REFERENCES attributes(id),
    value        TEXT NOT NULL,
    search_value TEXT,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (customer_id, attribute_id)
);
CREATE INDEX customer_attributes_search ON customer_attributes (attribute_id, search_value, customer_id)
    WHERE search_value IS NOT NULL;
