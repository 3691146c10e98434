-- Console listing: newest first, with the id breaking ties for keyset pages.
CREATE INDEX customers_by_created ON customers (created_at DESC, id DESC);
