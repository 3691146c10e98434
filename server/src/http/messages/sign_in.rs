//! The words of signing in: why a step did not go on, and what factors
//! and policies are called.

use super::{Refusal, all_problems, wait};
use crate::domain::{Error, Result};
use crate::identity::signin::{Realm, Refusal as Why, Step};
use app::Lang;
use axum::http::StatusCode;

/// What a sign-in page shows above its form for a step that does not go
/// on (`None`: the step leads to a page).
pub fn step_refusal(lang: Lang, realm: Realm, step: &Step) -> Option<Refusal> {
    let (status, message) = match step {
        Step::Refused(Why::Credentials) => (
            StatusCode::UNAUTHORIZED,
            lang.t(match realm {
                Realm::Customers => "refused-credentials",
                Realm::Admins => "refused-credentials-admin",
            }),
        ),
        Step::Refused(Why::Disabled) => (StatusCode::FORBIDDEN, lang.t("refused-disabled")),
        Step::Refused(Why::Factor) => (StatusCode::UNAUTHORIZED, code_wrong(lang)),
        Step::Refused(Why::Expired | Why::OutOfStep) => {
            (StatusCode::CONFLICT, sign_in_expired(lang))
        }
        Step::HeldBack {
            retry_after,
            second_factor,
        } => {
            return Some(Refusal {
                status: StatusCode::TOO_MANY_REQUESTS,
                message: if *second_factor {
                    mfa_held_back(lang, *retry_after)
                } else {
                    held_back(lang, realm, *retry_after)
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
    lang: Lang,
    checked: Result<crate::mfa::check::Checked>,
) -> Result<Result<crate::domain::mfa::FactorKind, Refusal>> {
    use crate::mfa::check::Checked;
    Ok(Err(match checked {
        Ok(Checked::Passed(kind)) => return Ok(Ok(kind)),
        Ok(Checked::Wrong) => Refusal {
            status: StatusCode::UNAUTHORIZED,
            message: code_wrong(lang),
            retry_after: None,
        },
        Ok(Checked::Locked { seconds_left }) => Refusal {
            status: StatusCode::TOO_MANY_REQUESTS,
            message: mfa_held_back(lang, seconds_left),
            retry_after: Some(seconds_left),
        },
        Err(Error::Invalid(errors)) => Refusal {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: all_problems(lang, &errors),
            retry_after: None,
        },
        Err(e) => return Err(e),
    }))
}

/// Why a second factor is held back: too many wrong codes.
fn mfa_held_back(lang: Lang, seconds_left: i64) -> String {
    lang.tf(
        "held-back-code",
        &[("wait", wait(lang, seconds_left).into())],
    )
}

/// A second-factor code that is not the one expected.
fn code_wrong(lang: Lang) -> String {
    lang.t("code-wrong")
}

/// A sign-in that waited too long, or was finished in another tab.
pub fn sign_in_expired(lang: Lang) -> String {
    lang.t("sign-in-expired")
}

/// What a kind of second factor is called on a page.
pub fn factor_kind_words(lang: Lang, kind: crate::domain::mfa::FactorKind) -> String {
    use crate::domain::mfa::FactorKind;
    lang.t(match kind {
        FactorKind::Passkey => "factor-passkey",
        FactorKind::Totp => "factor-app",
        FactorKind::RecoveryCode => "factor-recovery-code",
    })
}

/// A factor as every list shows it, in `lang`, its dates written by `when`.
pub fn factor_row(
    lang: Lang,
    f: &crate::domain::mfa::Factor,
    when: impl Fn(i64) -> String,
) -> app::components::FactorRow {
    app::components::FactorRow {
        id: f.id.to_string(),
        kind: factor_kind_words(lang, f.kind),
        name: f.name.clone(),
        created: when(f.created_at),
        last_used: f
            .last_used_at
            .map_or_else(|| lang.t("security-factor-never-used"), &when),
    }
}

/// What an MFA policy means for the customer it applies to.
pub fn policy_words(lang: Lang, policy: crate::domain::mfa::MfaPolicy) -> String {
    use crate::domain::mfa::MfaPolicy as P;
    lang.t(match policy {
        P::Off => "policy-off",
        P::Optional => "policy-optional",
        P::Required => "policy-required",
        P::PhishingResistant => "policy-phishing-resistant",
    })
}

/// Why a sign-in is held back, and what the person can do: customers may
/// reset their password (which lifts a block); admins have no reset page
/// and ask another owner.
fn held_back(lang: Lang, realm: Realm, seconds_left: i64) -> String {
    let wait = wait(lang, seconds_left);
    let key = match realm {
        Realm::Customers => "held-back",
        Realm::Admins => "held-back-admin",
    };
    lang.tf(key, &[("wait", wait.into())])
}
