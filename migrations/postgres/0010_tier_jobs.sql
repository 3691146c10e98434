-- Moving every customer a console search finds to one tier, in the
-- background: a page at a time, resumable from `cursor` after a crash.
CREATE TABLE tier_jobs (
    id           UUID PRIMARY KEY,
    to_tier_id   UUID NOT NULL REFERENCES tiers(id),
    search       TEXT NOT NULL,            -- the console search, as JSON
    description  TEXT NOT NULL,            -- the search as the admin saw it
    reason       TEXT NOT NULL DEFAULT '',
    actor_id     UUID NOT NULL,
    cursor       TEXT,                     -- where the last finished page ended
    scanned      BIGINT NOT NULL DEFAULT 0,
    moved        BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    leased_until BIGINT NOT NULL DEFAULT 0, -- the instance working on it, until then
    finished_at  BIGINT,
    error        TEXT
);
CREATE INDEX tier_jobs_open ON tier_jobs (leased_until) WHERE finished_at IS NULL;
