-- Membership tiers. Every customer is in exactly one; one tier is the
-- default for new customers. Entitlements are a JSON array of strings.
CREATE TABLE tiers (
    id               BLOB PRIMARY KEY,
    slug             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    rank             INTEGER NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    colour           TEXT NOT NULL DEFAULT '#64748b',
    entitlements     TEXT NOT NULL DEFAULT '[]',
    is_default       INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    -- Where customers go when their time in this tier ends, after grace days.
    fallback_tier_id BLOB REFERENCES tiers(id),
    grace_days       INTEGER NOT NULL DEFAULT 0 CHECK (grace_days >= 0),
    archived_at      INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    CHECK (NOT (is_default = 1 AND archived_at IS NOT NULL))
);
CREATE UNIQUE INDEX tiers_one_default ON tiers (is_default) WHERE is_default = 1;

-- The tier every existing and new customer starts in, until owners change it.
INSERT INTO tiers (id, slug, name, rank, description, is_default, created_at, updated_at)
VALUES (X'00000000000070008000000000000001', 'regular', 'Regular', 0, 'Every customer starts here.', 1,
        unixepoch(), unixepoch());

-- SQLite cannot add a column with both REFERENCES and a non-NULL default.
-- The store writes only tiers it has just read, and a tier with customers
-- cannot be deleted (below); a trigger on every customer insert would halve
-- bulk-insert speed.
ALTER TABLE customers ADD COLUMN tier_id BLOB NOT NULL DEFAULT X'00000000000070008000000000000001';
ALTER TABLE customers ADD COLUMN tier_expires_at INTEGER;
CREATE TRIGGER tiers_keep_members BEFORE DELETE ON tiers
WHEN EXISTS (SELECT 1 FROM customers WHERE tier_id = OLD.id)
BEGIN SELECT RAISE(ABORT, 'tier has customers'); END;

-- The customer list filtered by tier, newest first; member counts.
CREATE INDEX customers_by_tier ON customers (tier_id, created_at DESC, id DESC);
-- The expiry job's work list.
CREATE INDEX customers_tier_expiring ON customers (tier_expires_at) WHERE tier_expires_at IS NOT NULL;

-- Every tier change: from, to, how (source), who (actor), when and why.
CREATE TABLE tier_changes (
    id           BLOB PRIMARY KEY,            -- UUIDv7
    customer_id  BLOB NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    from_tier_id BLOB,
    to_tier_id   BLOB NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('admin', 'bulk', 'import', 'expiry')),
    actor_id     BLOB,                        -- the admin, for admin and bulk changes
    reason       TEXT NOT NULL DEFAULT '',
    expires_at   INTEGER,                     -- the new assignment's end, if any
    at           INTEGER NOT NULL
);
CREATE INDEX tier_changes_by_customer ON tier_changes (customer_id, at DESC, id DESC);
CREATE INDEX tier_changes_to ON tier_changes (to_tier_id, at DESC, id DESC);
CREATE INDEX tier_changes_from ON tier_changes (from_tier_id, at DESC, id DESC);
