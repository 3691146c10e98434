//! Customers' own way in: signing up, proving their email, signing in (one
//! flow that says what comes next), their sessions, recovering a forgotten
//! password and looking after their account.

pub mod account;
pub mod links;
pub mod recovery;
pub mod second_step;
pub mod sessions;
pub mod signin;
pub mod signup;
pub mod throttle;
pub mod unblock;
pub mod verification;
