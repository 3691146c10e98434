//! Gatehouse: customer identity and access management.
//!
//! The rooms, from the top down (imports only run down; `tests/architecture.rs`
//! keeps it so):
//!
//! - `cli`: the command line, one file per command (`serve` among them).
//! - `http`: the router and its layers; `http::hosted` (customer pages) and
//!   `http::console` (admin pages), one file per page family; `extract`
//!   makes the request context; `browser` holds every key kept in the
//!   browser session; `journey` turns sign-in steps into pages; `messages`
//!   words what capabilities decide; `error` turns errors into pages (and
//!   JSON for APIs). The only room that knows axum, cookies and the views.
//! - `jobs`: background work of an instance, started in one place.
//! - Capabilities, where the rules live (typed input and the request
//!   context in, domain values and errors out; never the web):
//!   - `identity`: signup, signin (one journey for customers and admins: a
//!     server-held attempt advanced by each input, `decide` saying the next
//!     step), sessions, verification, recovery, account;
//!   - `oidc`: single sign-on; `mfa`: second factors, below the journey
//!     that asks for them; `throttle`: holding back guessing;
//!   - `directory`: customers as admins manage them, tiers, attributes, admins;
//!   - `transfer`: import and export.
//! - `audit` (the trail), `state` (what requests share), `mail` (the outbox),
//!   `password` (hashing pool, policy, imported formats), `signing` (token
//!   signing keys, sealed in the database, parsed once), `config`.
//! - `store`: all SQL, the only place that knows SQLite from PostgreSQL.
//! - `domain`: identifiers, validated values, the request context, the clock
//!   and the one error type; every room may use it.

pub mod audit;
pub mod cli;
pub mod config;
pub mod directory;
pub mod domain;
pub mod http;
pub mod identity;
pub mod jobs;
pub mod mail;
pub mod metrics;
pub mod mfa;
pub mod oidc;
pub mod password;
pub mod signing;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod throttle;
pub mod transfer;

pub use state::AppState;
