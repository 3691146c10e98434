//! The words of signing in: why a step did not go on, and what factors
//! and policies are called.

use super::{Refusal, all_problems, wait};
use crate::domain::mfa::MfaProblem;
use crate::domain::{Error, Result};
use crate::identity::signin::{Realm, Refusal as Why, Step};
use axum::http::StatusCode;

/// What a sign-in page shows above its form for a step that does not go
/// on (`None`: the step leads to a page).
pub fn step_refusal(realm: Realm, step: &Step) -> Option<Refusal> {
    let (status, message) = match step {
        Step::Refused(Why::Credentials) => (
            StatusCode::UNAUTHORIZED,
            match realm {
                Realm::Customers => "That email and password do not match an account.",
                Realm::Admins => "That email and password do not match an admin account.",
            }
            .to_string(),
        ),
        Step::Refused(Why::Disabled) => (
            StatusCode::FORBIDDEN,
            "This account is disabled. Contact support if you think this is a mistake.".into(),
        ),
        Step::Refused(Why::Factor) => (StatusCode::UNAUTHORIZED, MfaProblem::CodeWrong.to_string()),
        Step::Refused(Why::Expired | Why::OutOfStep) => {
            (StatusCode::CONFLICT, MfaProblem::SignInExpired.to_string())
        }
        Step::HeldBack {
            retry_after,
            second_factor,
        } => {
            return Some(Refusal {
                status: StatusCode::TOO_MANY_REQUESTS,
                message: if *second_factor {
                    mfa_held_back(*retry_after)
                } else {
                    held_back(realm, *retry_after)
                },
                retry_after: Some(*retry_after),
            });
        }
        _ => return None,
    };
    Some(Refusal {
        status,
        message,
        retry_after: None,
    })
}

/// How a form answers a second-factor code: `Ok(Ok(kind))` when it
/// passed, `Ok(Err(..))` with the status, message and retry time to show,
/// `Err` for a fault.
pub fn code_answer(
    checked: Result<crate::mfa::check::Checked>,
) -> Result<Result<crate::domain::mfa::FactorKind, Refusal>> {
    use crate::mfa::check::Checked;
    Ok(Err(match checked {
        Ok(Checked::Passed(kind)) => return Ok(Ok(kind)),
        Ok(Checked::Wrong) => Refusal {
            status: StatusCode::UNAUTHORIZED,
            message: MfaProblem::CodeWrong.to_string(),
            retry_after: None,
        },
        Ok(Checked::Locked { seconds_left }) => Refusal {
            status: StatusCode::TOO_MANY_REQUESTS,
            message: mfa_held_back(seconds_left),
            retry_after: Some(seconds_left),
        },
        Err(Error::Invalid(errors)) => Refusal {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: all_problems(&errors),
            retry_after: None,
        },
        Err(e) => return Err(e),
    }))
}

/// Why a second factor is held back: too many wrong codes.
fn mfa_held_back(seconds_left: i64) -> String {
    format!("Too many wrong codes. Try again in {}.", wait(seconds_left))
}

/// What a kind of second factor is called on a page.
pub fn factor_kind_words(kind: crate::domain::mfa::FactorKind) -> &'static str {
    use crate::domain::mfa::FactorKind;
    match kind {
        FactorKind::Passkey => "Passkey",
        FactorKind::Totp => "Authenticator app",
        FactorKind::RecoveryCode => "Recovery code",
    }
}

/// A factor as every list shows it, its dates written by `when`.
pub fn factor_row(
    f: &crate::domain::mfa::Factor,
    when: impl Fn(i64) -> String,
) -> app::components::FactorRow {
    app::components::FactorRow {
        id: f.id.to_string(),
        kind: factor_kind_words(f.kind).into(),
        name: f.name.clone(),
        created: when(f.created_at),
        last_used: f.last_used_at.map_or_else(|| "never".into(), &when),
    }
}

/// What an MFA policy means for the customer it applies to.
pub fn policy_words(policy: crate::domain::mfa::MfaPolicy) -> &'static str {
    use crate::domain::mfa::MfaPolicy as P;
    match policy {
        P::Off => "Your account signs in with your password or a passkey.",
        P::Optional => {
            "A second factor is optional: once you add one, it is asked after your password."
        }
        P::Required => "Your account requires a second factor after your password.",
        P::PhishingResistant => "Your account requires a passkey to sign in.",
    }
}

/// Why a sign-in is held back, and what the person can do: customers may
/// reset their password (which lifts a block); admins have no reset page
/// and ask another owner.
fn held_back(realm: Realm, seconds_left: i64) -> String {
    let wait = wait(seconds_left);
    match realm {
        Realm::Customers => format!(
            "Too many failed sign-ins. Try again in {wait}, or reset your password to sign in now."
        ),
        Realm::Admins => format!(
            "Too many failed sign-ins. Try again in {wait}, or ask an owner to check the audit trail."
        ),
    }
}
