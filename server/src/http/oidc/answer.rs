//! What the customer answers on our pages for an application (allow or
//! deny), what the application will see, and sending the browser on.

use crate::domain::{Error, Result};
use crate::http::extract::Visitor;
use crate::http::messages;
use app::hosted::{Link, MessageView, message_page};
use axum::http::HeaderValue;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

#[derive(Deserialize)]
pub(super) struct ConsentForm {
    #[serde(default)]
    decision: String,
    /// What the page asked about: the pending request's id, or the
    /// device's user code.
    #[serde(default)]
    pub(super) answers: String,
}

impl ConsentForm {
    /// Allow or deny, as the two buttons send it.
    pub(super) fn allowed(&self) -> Result<bool> {
        match self.decision.as_str() {
            "allow" => Ok(true),
            "deny" => Ok(false),
            _ => Err(Error::BadRequest(crate::domain::Problem::UnreadableForm(
                "decision".into(),
            ))),
        }
    }
}

/// What the scopes let an application see, one line each.
pub(super) fn shares(lang: app::Lang, scopes: &[String]) -> Vec<String> {
    scopes
        .iter()
        .filter_map(|s| messages::scope_description(lang, s))
        .collect()
}

/// "Continuing to the Web Shop": sends the browser to the application at
/// once (a `Refresh` header, which needs no script), with a link as well.
pub(super) async fn continue_page(
    visitor: &Visitor,
    app_name: &str,
    location: &str,
) -> Result<Response> {
    let view = MessageView {
        title: format!("Continuing to {app_name}"),
        tone: "info",
        message: "You are being sent back to the application.".into(),
        links: vec![Link {
            href: location.to_string(),
            label: format!("Continue to {app_name}"),
        }],
    };
    let mut response = Html(message_page(&visitor.chrome().await?, &view)).into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("0;url={location}")) {
        response.headers_mut().insert("refresh", value);
    }
    Ok(response)
}
