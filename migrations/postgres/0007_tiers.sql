-- Membership tiers. Every customer is in exactly one; one tier is the
-- default for new customers. Entitlements are a JSON array of strings.
CREATE TABLE tiers (
    id               UUID PRIMARY KEY,
    slug             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    rank             BIGINT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    colour           TEXT NOT NULL DEFAULT '#64748b',
    entitlements     TEXT NOT NULL DEFAULT '[]',
    is_default       BOOLEAN NOT NULL DEFAULT FALSE,
    -- Where customers go when their time in this tier ends, after grace days.
    fallback_tier_id UUID REFERENCES tiers(id),
    grace_days       BIGINT NOT NULL DEFAULT 0 CHECK (grace_days >= 0),
    archived_at      BIGINT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    CHECK (NOT (is_default AND archived_at IS NOT NULL))
);
CREATE UNIQUE INDEX tiers_one_default ON tiers (is_default) WHERE is_default;

-- The tier every existing and new customer starts in, until owners change it.
INSERT INTO tiers (id, slug, name, rank, description, is_default, created_at, updated_at)
VALUES ('00000000-0000-7000-8000-000000000001', 'regular', 'Regular', 0, 'Every customer starts here.', TRUE,
        extract(epoch FROM now())::bigint, extract(epoch FROM now())::bigint);

ALTER TABLE customers ADD COLUMN tier_id UUID NOT NULL DEFAULT '00000000-0000-7000-8000-000000000001'
    REFERENCES tiers(id);
ALTER TABLE customers ADD COLUMN tier_expires_at BIGINT;

-- The customer list filtered by tier, newest first; member counts.
CREATE INDEX customers_by_tier ON customers (tier_id, created_at DESC, id DESC);
-- The expiry job's work list.
CREATE INDEX customers_tier_expiring ON customers (tier_expires_at) WHERE tier_expires_at IS NOT NULL;

-- Every tier change: from, to, how (source), who (actor), when and why.
CREATE TABLE tier_changes (
    id           UUID PRIMARY KEY,            -- UUIDv7
    customer_id  UUID NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    from_tier_id UUID,
    to_tier_id   UUID NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('admin', 'bulk', 'import', 'expiry')),
    actor_id     UUID,                        -- the admin, for admin and bulk changes
    reason       TEXT NOT NULL DEFAULT '',
    expires_at   BIGINT,                      -- the new assignment's end, if any
    at           BIGINT NOT NULL
);
CREATE INDEX tier_changes_by_customer ON tier_changes (customer_id, at DESC, id DESC);
CREATE INDEX tier_changes_to ON tier_changes (to_tier_id, at DESC, id DESC);
CREATE INDEX tier_changes_from ON tier_changes (from_tier_id, at DESC, id DESC);
