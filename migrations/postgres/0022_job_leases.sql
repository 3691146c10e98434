-- Which instance runs a periodic background job (clean-up, tier expiry)
-- until when: with several instances, each run happens once. An instance
-- takes a lease that is free or has run out; nobody waits on a lock.
CREATE TABLE job_leases (
    name   TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until  BIGINT NOT NULL
);
