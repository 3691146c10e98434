//! Who a customer is: identifiers and the validated values a customer record holds.

use super::problem::{EmailProblem, NameProblem};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A customer's public identifier (UUIDv7: random, yet index-friendly).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CustomerId(pub Uuid);

impl CustomerId {
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }
}

impl Default for CustomerId {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for CustomerId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A customer record as the rest of the server sees it.
#[derive(Clone, Debug)]
pub struct Customer {
    pub id: CustomerId,
    pub email: Email,
    pub display_name: DisplayName,
    pub email_verified: bool,
    pub created_at: i64,
    /// When the record last changed (the `updated_at` claim).
    pub updated_at: i64,
    pub last_sign_in_at: Option<i64>,
    /// The address the last sign-in came from.
    pub last_sign_in_ip: Option<String>,
    pub disabled: bool,
    pub tier: crate::domain::TierId,
    /// When the customer's time in their tier ends, if it does.
    pub tier_expires_at: Option<i64>,
    /// The customer's id in the system they were imported from.
    pub external_id: Option<String>,
    /// The language they chose for pages and mails (a tag Gatehouse
    /// speaks), if they chose one.
    pub locale: Option<String>,
}

/// An email address in its normalised form: trimmed and lower-cased, so the
/// same address is the same key on SQLite and PostgreSQL alike.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Email(String);

pub const EMAIL_MAX: usize = 254;

impl Email {
    pub fn parse(raw: &str) -> Result<Self, EmailProblem> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(EmailProblem::Missing);
        }
        if trimmed.len() > EMAIL_MAX {
            return Err(EmailProblem::TooLong);
        }
        // Non-ASCII letters are where look-alikes hide (a Cyrillic "а" beside a
        // Latin "a"); internationalised domains are accepted in their xn-- form.
        if !trimmed.is_ascii() {
            return Err(EmailProblem::NotPlainLatin);
        }
        let Some((local, domain)) = trimmed.rsplit_once('@') else {
            return Err(EmailProblem::Malformed);
        };
        if !valid_local_part(local) || !valid_domain(domain) {
            return Err(EmailProblem::Malformed);
        }
        Ok(Self(trimmed.to_ascii_lowercase()))
    }

    /// Trusted input only: a value read back from the database.
    pub fn from_stored(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn valid_local_part(local: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~.";
    !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || SPECIALS.contains(c))
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()))
}

/// How a customer is addressed: 1 to 100 characters, no control or
/// text-direction characters (which can disguise a name in the console).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayName(String);

pub const DISPLAY_NAME_MAX: usize = 100;

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, NameProblem> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(NameProblem::Missing);
        }
        if trimmed.chars().count() > DISPLAY_NAME_MAX {
            return Err(NameProblem::TooLong);
        }
        if trimmed
            .chars()
            .any(|c| c.is_control() || is_bidi_control(c))
        {
            return Err(NameProblem::ControlCharacters);
        }
        Ok(Self(trimmed.to_string()))
    }

    pub fn from_stored(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A customer signed in on a browser or device: who, through which
/// session, since when and how.
pub struct SignedIn {
    pub customer: Customer,
    pub session_id: uuid::Uuid,
    /// When the session began, and how (`amr` values, space-separated).
    pub auth_time: i64,
    pub amr: String,
    /// When the session last passed a second factor (sign-in or step-up).
    pub mfa_at: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            Email::parse("  Ada.Lovelace+x@Example.COM ")
                .unwrap()
                .as_str(),
            "ada.lovelace+x@example.com"
        );
        assert_eq!(
            Email::parse("a@xn--bcher-kva.example").unwrap().as_str(),
            "a@xn--bcher-kva.example"
        );
    }

    #[test]
    fn invalid_and_look_alike_emails_are_rejected() {
        for bad in [
            "",
            "   ",
            "plainaddress",
            "@example.com",
            "a@",
            "a@localhost",
            "a@@example.com",
            "a b@example.com",
            ".a@example.com",
            "a..b@example.com",
            "a@-example.com",
            "a@example.123",
            "\u{430}da@example.com",
            "ada@ex\u{430}mple.com",
            "a@exa_mple.com",
            "a\n@example.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(Email::parse(&long).is_err());
    }

    #[test]
    fn display_names_are_bounded_and_clean() {
        assert_eq!(
            DisplayName::parse("  Zoë Ångström ").unwrap().as_str(),
            "Zoë Ångström"
        );
        assert!(DisplayName::parse("").is_err());
        assert!(DisplayName::parse(&"x".repeat(101)).is_err());
        assert!(DisplayName::parse(&"é".repeat(100)).is_ok());
        assert!(DisplayName::parse("evil\u{202E}txt").is_err());
        assert!(DisplayName::parse("tab\there").is_err());
    }
}
