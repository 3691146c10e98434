//! The JSON admin API (customers, tiers, attributes, audit), beside the
//! console and answering the same capabilities. The room is ready: its
//! routes arrive with the API, its errors as RFC 9457 problem documents.
