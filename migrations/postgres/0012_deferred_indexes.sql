-- Search indexes that a bulk import into an empty database dropped, to
-- build them once at its end (sorting a million keys once is several times
-- faster than inserting them one by one), with the statement that builds
-- each again. Dropping and recording happen in one transaction, so if the
-- import is interrupted, the next start builds what is listed here.
CREATE TABLE deferred_indexes (
    name    TEXT PRIMARY KEY,
    rebuild TEXT NOT NULL
);
