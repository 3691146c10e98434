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
pub use problems::problem_words;
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

/// A moment in the reader's language: "7 Dec 2026, 10:05 UTC",
/// "7. Dez. 2026, 10:05 UTC".
pub fn when(lang: Lang, unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| lang.date_time(t.year(), t.month().into(), t.day(), t.hour(), t.minute()))
        .unwrap_or_default()
}

/// A day in the reader's language: "7 Dec 2026".
pub fn on_day(lang: Lang, unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| lang.date(t.year(), t.month().into(), t.day()))
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
pub fn invalid(lang: Lang, errors: &FieldErrors) -> Refusal {
    Refusal {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        message: all_problems(lang, errors),
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
pub fn error_title(lang: Lang, error: &Error) -> String {
    lang.t(match error {
        Error::Invalid(_) => "error-invalid-title",
        Error::BadRequest(_) => "error-bad-request-title",
        Error::Forbidden(_) => "error-forbidden-title",
        Error::NotFound => "error-not-found-title",
        Error::Conflict(_) => "error-conflict-title",
        Error::Throttled { .. } => "error-throttled-title",
        Error::Unavailable { .. } => "error-unavailable-title",
        Error::Offline { .. } => "error-offline-title",
        Error::OAuth(_) => "error-oauth-title",
        Error::Internal(_) => "error-internal-title",
    })
}

/// What an error's page says (the detail of its problem document).
pub fn problem_detail(lang: Lang, error: &Error) -> String {
    let after = |key: &str, seconds: i64| lang.tf(key, &[("wait", wait(lang, seconds).into())]);
    match error {
        Error::Invalid(errors) => all_problems(lang, errors),
        Error::BadRequest(p) | Error::Forbidden(p) | Error::Conflict(p) => problem_words(lang, p),
        Error::NotFound => lang.t("error-not-found"),
        Error::Throttled { retry_after } => after("error-throttled", *retry_after),
        Error::Unavailable { retry_after } => after("error-unavailable", *retry_after),
        Error::Offline { retry_after } => after("error-offline", *retry_after),
        // Told to the application's developers, in English.
        Error::OAuth(e) => e.problem.to_string(),
        Error::Internal(_) => lang.t("error-internal"),
    }
}

/// Every problem of a form as one sentence in `lang`, for a form that
/// shows a single message.
pub fn all_problems(lang: Lang, errors: &FieldErrors) -> String {
    errors
        .iter()
        .map(|(_, p)| problem_words(lang, p))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A form's problems in `lang`, as the page shows them beside each field.
pub fn shown(lang: Lang, errors: &FieldErrors) -> app::FieldErrors {
    let mut shown = app::FieldErrors::new();
    for (field, problem) in errors.iter() {
        shown.add(field.to_string(), problem_words(lang, problem));
    }
    shown
}
