-- Console listing: newest first, with the id breaking ties for keyset pages.
CREATE INDEX customers_by_created ON customers (created_at DESC, id DESC);
-- Email prefix search compares bytes (COLLATE "C"), so a range scan on this
-- index finds every address beginning with the typed text.
CREATE INDEX customers_email_bytes ON customers (email COLLATE "C");
