//! Multi-factor authentication: the policy tiers set, the factors an
//! account holds, and why an MFA request is refused.

use uuid::Uuid;

/// How strongly a customer must authenticate, set globally and per tier.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum MfaPolicy {
    /// No second factor is asked at sign-in (passkeys still sign in).
    Off,
    /// Customers who enrolled a factor are asked for it.
    Optional,
    /// Every customer has a factor: one without enrols at the next sign-in.
    Required,
    /// Only passkeys count: they cannot be phished onto another site.
    PhishingResistant,
}

impl MfaPolicy {
    pub const ALL: [Self; 4] = [
        Self::Off,
        Self::Optional,
        Self::Required,
        Self::PhishingResistant,
    ];

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == raw)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Optional => "optional",
            Self::Required => "required",
            Self::PhishingResistant => "phishing_resistant",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Off => "Off",
            Self::Optional => "Optional",
            Self::Required => "Required",
            Self::PhishingResistant => "Phishing-resistant (passkeys only)",
        }
    }

    /// Whether a customer without a (suitable) factor must enrol one.
    pub fn enrolment_required(self) -> bool {
        matches!(self, Self::Required | Self::PhishingResistant)
    }

    /// Whether `kind` satisfies this policy as a second factor.
    pub fn accepts(self, kind: FactorKind) -> bool {
        match self {
            Self::PhishingResistant => kind == FactorKind::Passkey,
            _ => true,
        }
    }
}

/// The global MFA settings.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct MfaSettings {
    pub policy: MfaPolicy,
    /// How long a browser may skip the second factor after passing it; 0:
    /// never remembered.
    pub remember_days: i64,
    /// How recent a second factor must be for sensitive actions.
    pub step_up_minutes: i64,
}

pub const REMEMBER_DAYS_MAX: i64 = 365;
pub const STEP_UP_MINUTES_MAX: i64 = 1440;

/// A tier's own MFA settings; `None` follows the global one.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct TierMfa {
    pub policy: Option<MfaPolicy>,
    pub remember_days: Option<i64>,
}

/// The policy that applies to one customer: their tier's, else the global.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct EffectiveMfa {
    pub policy: MfaPolicy,
    pub remember_days: i64,
    pub step_up_minutes: i64,
}

impl MfaSettings {
    pub fn for_tier(&self, tier: TierMfa) -> EffectiveMfa {
        EffectiveMfa {
            policy: tier.policy.unwrap_or(self.policy),
            remember_days: tier.remember_days.unwrap_or(self.remember_days),
            step_up_minutes: self.step_up_minutes,
        }
    }
}

/// A kind of second factor. Recovery codes are a factor shown at sign-in,
/// but not one listed or stored among the others.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum FactorKind {
    Totp,
    Passkey,
    RecoveryCode,
}

impl FactorKind {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "totp" => Some(Self::Totp),
            "passkey" => Some(Self::Passkey),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Totp => "totp",
            Self::Passkey => "passkey",
            Self::RecoveryCode => "recovery_code",
        }
    }

    /// The `amr` value (RFC 8176) a sign-in with this factor adds.
    pub fn amr(self) -> &'static str {
        match self {
            Self::Totp | Self::RecoveryCode => "otp",
            Self::Passkey => "hwk",
        }
    }
}

/// A factor as lists show it: never its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Factor {
    pub id: Uuid,
    pub kind: FactorKind,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// How many of a tier's members hold a factor, by kind.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    pub members: i64,
    pub enrolled: i64,
    pub totp: i64,
    pub passkey: i64,
}

pub const FACTOR_NAME_MAX: usize = 60;

/// Why an MFA request is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MfaProblem {
    CodeMissing,
    /// Not a code of the expected form (six digits, or a recovery code).
    CodeFormat,
    /// Not six digits, where only an authenticator app's code will do.
    SixDigits,
    /// Wrong, expired, or already used.
    CodeWrong,
    /// The authenticator app being set up was not confirmed in time, or
    /// in another browser.
    SetupExpired,
    AppAlreadySet,
    FactorName,
    FactorGone,
    /// The second step of a sign-in that timed out or never began.
    SignInExpired,
    /// A new factor at sign-in before one already held was proven.
    HeldFactorFirst,
    /// A passkey response that does not verify (forged, replayed, for
    /// another ceremony, or from a removed passkey).
    PasskeyRefused,
    /// The policy accepts only passkeys here.
    PasskeyRequired,
    /// The passkey ceremony timed out, or was never begun in this browser.
    CeremonyExpired,
    /// Passkeys need a domain name, not an IP address.
    PasskeysUnavailable,
    PolicyChoice,
    RememberDays,
    StepUpMinutes,
    /// An admin's last factor: the console always asks for one.
    KeepOneFactor,
    /// An admin's change of factors after a console sign-in older than the
    /// step-up window.
    SignInAgain,
}
