//! The words people read for what capabilities decide, written in one place
//! (ready for translation), one file per capability: sign-in steps and
//! factors (`sign_in`), signed-in devices (`devices`), single sign-on
//! (`oidc`), and the field problems and refusals that reach a page
//! (`problems`). Here: what every page shares.

mod devices;
mod oidc;
mod problems;
mod sign_in;

pub use devices::{device_row, source_words};
pub use oidc::{grant_words, scope_description, scope_words};
pub use sign_in::{
    code_answer, factor_kind_words, factor_row, policy_words, sign_in_expired, step_refusal,
};

use crate::directory::customers::CustomerAction;
use crate::domain::{Error, FieldErrors};
use app::Lang;
use axum::http::StatusCode;

/// A moment as tables show it: "2026-12-07 10:05 UTC".
pub fn date_time(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| format!("{} {:02}:{:02} UTC", t.date(), t.hour(), t.minute()))
        .unwrap_or_default()
}

/// A day as pages show it: "2026-12-07".
pub fn day(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| t.date().to_string())
        .unwrap_or_default()
}

/// A sign-in form's answer to a step that is not "go on": its status, the
/// message shown above the form, and when to retry (held back).
pub struct Refusal {
    pub status: StatusCode,
    pub message: String,
    pub retry_after: Option<i64>,
}

/// A form's answer to input it could not read (a field problem).
pub fn invalid(errors: &FieldErrors) -> Refusal {
    Refusal {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        message: all_problems(errors),
        retry_after: None,
    }
}

/// A wait as people say it: "5 seconds", "1 minute", "12 minutes".
fn wait(lang: Lang, seconds: i64) -> String {
    if seconds < 60 {
        lang.tf("wait-seconds", &[("count", seconds.max(1).into())])
    } else {
        lang.tf("wait-minutes", &[("count", ((seconds + 59) / 60).into())])
    }
}

/// The confirmation of an admin's action on a customer; `sent` is false
/// when a reset mail was held back by the hourly cap.
pub fn action_done(action: CustomerAction, sent: bool) -> &'static str {
    match action {
        CustomerAction::Disable => "The customer is disabled and signed out everywhere.",
        CustomerAction::Enable => "The customer is enabled and can sign in again.",
        CustomerAction::MarkVerified => "The email address is marked verified.",
        CustomerAction::RevokeSessions => "Every session of the customer has ended.",
        CustomerAction::UnblockSignIn => {
            "Sign-ins to this account are no longer held back from any address."
        }
        CustomerAction::SendPasswordReset if sent => {
            "A password-reset link is on its way to the customer."
        }
        CustomerAction::SendPasswordReset => {
            "No mail sent: the customer already received the hourly maximum of reset links."
        }
    }
}

/// The heading of an error's page (and the title of its problem document).
pub fn error_title(error: &Error) -> &'static str {
    match error {
        Error::Invalid(_) => "Check your input",
        Error::BadRequest(_) => "Something is not right",
        Error::Forbidden(_) => "Not allowed",
        Error::NotFound => "Page not found",
        Error::Conflict(_) => "Nothing was changed",
        Error::Throttled { .. } => "Too many attempts",
        Error::Unavailable { .. } => "Busy right now",
        Error::Offline { .. } => "Briefly unavailable",
        Error::OAuth(_) => "This sign-in request cannot be used",
        Error::Internal(_) => "Something went wrong",
    }
}

/// What an error's page says (the detail of its problem document).
pub fn problem_detail(error: &Error) -> String {
    match error {
        Error::Invalid(errors) => all_problems(errors),
        Error::BadRequest(p) | Error::Forbidden(p) | Error::Conflict(p) => p.to_string(),
        Error::NotFound => "There is nothing at this address.".into(),
        Error::Throttled { retry_after } => {
            format!(
                "Too many attempts. Try again in {}.",
                wait(Lang::En, *retry_after)
            )
        }
        Error::Unavailable { retry_after } => format!(
            "Many people are signing in right now. Nothing was changed: try again in {}.",
            wait(Lang::En, *retry_after)
        ),
        Error::Offline { retry_after } => format!(
            "We cannot reach our records for a moment. Nothing was changed: try again in {}.",
            wait(Lang::En, *retry_after)
        ),
        Error::OAuth(e) => e.problem.to_string(),
        Error::Internal(_) => {
            "Something went wrong on our side. Please try again in a moment.".into()
        }
    }
}

/// Every problem of a form as one sentence, for a form that shows a single
/// message.
pub fn all_problems(errors: &FieldErrors) -> String {
    errors
        .iter()
        .map(|(_, p)| p.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A form's problems as the page shows them beside each field.
impl From<FieldErrors> for app::FieldErrors {
    fn from(errors: FieldErrors) -> Self {
        let mut shown = app::FieldErrors::new();
        for (field, problem) in errors.iter() {
            shown.add(field.to_string(), problem.to_string());
        }
        shown
    }
}
