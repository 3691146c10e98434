-- Moving every customer a console search finds to one tier, in the
-- background: a page at a time, resumable from `cursor` after a crash.
CREATE TABLE tier_jobs (
    id           BLOB PRIMARY KEY,
    to_tier_id   BLOB NOT NULL REFERENCES tiers(id),
    search       TEXT NOT NULL,            -- the console search, as JSON
    description  TEXT NOT NULL,            -- the search as the admin saw it
    reason       TEXT NOT NULL DEFAULT '',
    actor_id     BLOB NOT NULL,
    cursor       TEXT,                     -- where the last finished page ended
    scanned      INTEGER NOT NULL DEFAULT 0,
    moved        INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    leased_until INTEGER NOT NULL DEFAULT 0, -- the instance working on it, until then
    finished_at  INTEGER,
    error        TEXT
);
CREATE INDEX tier_jobs_open ON tier_jobs (leased_until) WHERE finished_at IS NULL;
