//! The vocabulary every layer may use: identifiers, validated values, the
//! request context, the clock and the one error type. Nothing here does I/O
//! or imports another room of the server.

mod admin;
mod attribute;
mod audit;
mod change;
pub mod clock;
mod context;
pub mod cursor;
mod customer;
mod device;
mod error;
pub mod links;
pub mod mfa;
pub mod oidc;
mod password_hash;
mod problem;
pub mod qr;
mod search;
pub mod secrets;
mod tier;

pub use admin::{Admin, AdminId, Role};
pub use attribute::{Attribute, AttributeId, CHOICES_MAX, Changes, Kind, TEXT_MAX, Values};
pub use audit::{Action, Actor, AuditEntry, AuditFilter};
pub use change::Change;
pub use clock::Clock;
pub use context::{Caller, RequestContext};
pub use customer::{
    Customer, CustomerId, DISPLAY_NAME_MAX, DisplayName, EMAIL_MAX, Email, SignedIn,
};
pub use device::device_words;
pub use error::{Error, FieldErrors, Result};
pub use password_hash::PasswordHash;
pub use problem::{
    EmailProblem, NameProblem, OwnerTask, PasswordProblem, Problem, Record, ValueProblem,
};
pub use search::{
    Cursor, CustomerQuery, CustomerSearch, MatchCount, Sort, StatusFilter, name_key, name_words,
};
pub use tier::{ChangeSource, Tier, TierChange, TierId};
