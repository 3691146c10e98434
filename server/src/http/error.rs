//! How an error becomes a response: a page with a clear message and a 4xx
//! status for anything the caller can fix; a generic 500 page, with the cause
//! logged, for anything else.

use crate::domain::Error;
use app::hosted::{Link, MessageView, message_page};
use app::paths;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

impl Error {
    pub fn status(&self) -> StatusCode {
        match self {
            Error::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        let (title, message) = match &self {
            Error::Invalid(errors) => (
                "Check your input",
                errors.iter().map(|(_, m)| m).collect::<Vec<_>>().join(" "),
            ),
            Error::BadRequest(m) => ("Something is not right", m.clone()),
            Error::Forbidden(m) => ("Not allowed", m.clone()),
            Error::NotFound => (
                "Page not found",
                "There is nothing at this address.".to_string(),
            ),
            Error::Conflict(m) => ("Nothing was changed", m.clone()),
            Error::TooManyRequests(m) => ("Too many attempts", m.clone()),
            Error::Internal(e) => {
                tracing::error!(error = ?e, "request failed");
                (
                    "Something went wrong",
                    "Something went wrong on our side. Please try again in a moment.".to_string(),
                )
            }
        };
        error_page(status, title, message)
    }
}

pub fn error_page(status: StatusCode, title: &str, message: String) -> Response {
    let page = MessageView {
        title: title.into(),
        tone: "error",
        message,
        links: vec![Link {
            href: paths::HOME.into(),
            label: "Go to the start page".into(),
        }],
    };
    (
        status,
        Html(message_page(&super::assets::bare_chrome(), &page)),
    )
        .into_response()
}
