//! Customers' own way in: signing up, proving their email, signing in (one
//! journey, for admins too, held by the server and advanced by each input),
//! their sessions, recovering a forgotten password and looking after their
//! account.

pub mod account;
pub mod handoff;
pub mod links;
pub mod recovery;
pub mod sessions;
pub mod signin;
pub mod signup;
pub mod unblock;
pub mod verification;
