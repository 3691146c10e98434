//! A protocol request's parameters (RFC 6749 §3.1): each allowed once,
//! empty counts as absent, and every value bounded in length.

use crate::domain::Result;
use crate::domain::oidc::OAuthError;

/// No parameter value is longer than this; `state` and `nonce` are opaque
/// to us but are echoed, so they are bounded too.
const PARAMETER_MAX: usize = 2048;

/// Request parameters, each allowed once (RFC 6749 §3.1).
pub struct Params<'a> {
    pairs: &'a [(String, String)],
}

impl<'a> Params<'a> {
    pub fn new(pairs: &'a [(String, String)]) -> Result<Self> {
        if pairs.len() > 64 {
            return Err(OAuthError::invalid_request("request").into());
        }
        Ok(Self { pairs })
    }

    /// The parameter's value; an empty value counts as absent (RFC 6749
    /// §3.1), a repeated or oversized one is refused.
    pub fn one(&self, name: &'static str) -> std::result::Result<Option<&'a str>, OAuthError> {
        let mut found = self.pairs.iter().filter(|(k, _)| k == name);
        let first = found.next();
        if found.next().is_some() {
            return Err(OAuthError::invalid_request(name));
        }
        match first {
            Some((_, v)) if v.len() > PARAMETER_MAX => Err(OAuthError::invalid_request(name)),
            Some((_, v)) if !v.is_empty() => Ok(Some(v.as_str())),
            _ => Ok(None),
        }
    }

    pub fn has_openid(&self) -> bool {
        self.one("scope")
            .ok()
            .flatten()
            .is_some_and(|s| s.split_whitespace().any(|s| s == "openid"))
    }
}
