//! The words people read for what capabilities decide, written in one place
//! (ready for translation): sign-in steps, and the field problems and
//! refusals that reach a page.

use crate::domain::{Error, FieldErrors, Result};
use crate::identity::signin::{Next, Realm};
use axum::http::StatusCode;

/// How a sign-in form answers an attempt: `Ok(Ok(next))` when the caller
/// goes on to `next`, `Ok(Err(..))` with the status and the message shown
/// above the form again, `Err` for a fault.
pub fn sign_in_answer(
    realm: Realm,
    attempt: Result<Next>,
) -> Result<Result<Next, (StatusCode, String)>> {
    match attempt {
        Ok(next) => Ok(match sign_in_refusal(realm, &next) {
            Some(refusal) => Err(refusal),
            None => Ok(next),
        }),
        Err(Error::Invalid(errors)) => Ok(Err((
            StatusCode::UNPROCESSABLE_ENTITY,
            all_problems(&errors),
        ))),
        Err(e) => Err(e),
    }
}

/// A sign-in form's answer to a step that is not "go on": its status and
/// the message shown above the form.
fn sign_in_refusal(realm: Realm, next: &Next) -> Option<(StatusCode, String)> {
    Some(match next {
        Next::Done | Next::CompleteProfile => return None,
        Next::Rejected => (
            StatusCode::UNAUTHORIZED,
            match realm {
                Realm::Customers => "That email and password do not match an account.",
                Realm::Admins => "That email and password do not match an admin account.",
            }
            .to_string(),
        ),
        Next::Disabled => (
            StatusCode::FORBIDDEN,
            "This account is disabled. Contact support if you think this is a mistake.".into(),
        ),
        Next::Locked { seconds_left } => (StatusCode::TOO_MANY_REQUESTS, locked(*seconds_left)),
    })
}

fn locked(seconds_left: i64) -> String {
    let minutes = (seconds_left + 59) / 60;
    format!(
        "Too many failed attempts for this email. Try again in {minutes} minute{}, or reset your password.",
        if minutes == 1 { "" } else { "s" }
    )
}

/// Every problem of a form as one sentence, for a form that shows a single
/// message.
pub fn all_problems(errors: &FieldErrors) -> String {
    errors.iter().map(|(_, m)| m).collect::<Vec<_>>().join(" ")
}

/// A form's problems as the page shows them beside each field.
impl From<FieldErrors> for app::FieldErrors {
    fn from(errors: FieldErrors) -> Self {
        let mut shown = app::FieldErrors::new();
        for (field, message) in errors.iter() {
            shown.add(field.to_string(), message.to_string());
        }
        shown
    }
}
