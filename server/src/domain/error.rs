//! The one error type. Capabilities return it; `http::error` turns it into a
//! page (or JSON) with the right status, `http::messages` into words.

use super::problem::Problem;
use std::borrow::Cow;
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Form input failed validation; the page is re-rendered with these.
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// The request cannot be read as asked (a malformed link or filter).
    #[error("bad request: {0:?}")]
    BadRequest(Problem),
    #[error("denied: {0:?}")]
    Forbidden(Problem),
    #[error("not found")]
    NotFound,
    /// The request no longer fits the record (a stale form, a rule such as
    /// "keep one owner"); nothing was changed.
    #[error("conflict: {0:?}")]
    Conflict(Problem),
    /// Too many attempts; the caller may try again after this many seconds.
    #[error("throttled for {retry_after}s")]
    Throttled { retry_after: i64 },
    /// The server is too busy to take this on now (the hashing queue is
    /// full); the caller may try again after this many seconds.
    #[error("unavailable for {retry_after}s")]
    Unavailable { retry_after: i64 },
    /// The database cannot be reached (down, restarting, or every
    /// connection busy past the pool's wait); nothing was changed, and the
    /// caller may try again after this many seconds.
    #[error("database unreachable, retry in {retry_after}s")]
    Offline { retry_after: i64 },
    /// An OAuth / OpenID Connect request refused as the protocol says
    /// (answered as RFC 6749 JSON, or by redirecting back to the client).
    #[error("oauth: {0:?}")]
    OAuth(super::oidc::OAuthError),
    /// Anything unexpected: logged with context, shown as a generic message.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<super::oidc::OAuthError> for Error {
    fn from(e: super::oidc::OAuthError) -> Self {
        Self::OAuth(e)
    }
}

impl Error {
    pub fn invalid(field: &'static str, problem: impl Into<Problem>) -> Self {
        let mut errors = FieldErrors::new();
        errors.add(field, problem);
        Self::Invalid(errors)
    }

    /// A refusal as the OAuth and OpenID Connect specs word it.
    pub fn oauth(code: super::oidc::OAuthCode, problem: super::oidc::OAuthProblem) -> Self {
        Self::OAuth(super::oidc::OAuthError::new(code, problem))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Validation problems keyed by form field name (profile attributes name
/// theirs at run time); the first problem per field is kept.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(BTreeMap<Cow<'static, str>, Problem>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the first error for a field: it is the one to fix first.
    pub fn add(&mut self, field: impl Into<Cow<'static, str>>, problem: impl Into<Problem>) {
        self.0.entry(field.into()).or_insert_with(|| problem.into());
    }

    /// Adds every error of `other` (first one per field wins).
    pub fn extend(&mut self, other: FieldErrors) {
        for (field, problem) in other.0 {
            self.add(field, problem);
        }
    }

    pub fn get(&self, field: &str) -> Option<&Problem> {
        self.0.get(field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Problem)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }
}
