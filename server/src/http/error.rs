//! How an error becomes a response, on each surface: a page with a clear
//! message for people (`IntoResponse for Error`), or an RFC 9457 problem
//! document for programs (`ApiError`). Both give a 4xx status for anything
//! the caller can fix, and a generic 500, with the cause logged, for
//! anything else. The words come from `messages`.

use super::messages::{error_title, problem_detail};
use crate::domain::Error;
use crate::domain::oidc::OAuthCode;
use app::hosted::{Link, MessageView, message_page};
use app::paths;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

impl Error {
    pub fn status(&self) -> StatusCode {
        match self {
            Error::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            Error::Unavailable { .. } | Error::Offline { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Error::OAuth(e) => match e.code {
                OAuthCode::InvalidClient | OAuthCode::InvalidToken => StatusCode::UNAUTHORIZED,
                _ => StatusCode::BAD_REQUEST,
            },
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Logs a fault's cause; nothing of it reaches the response.
    fn log_if_internal(&self) {
        if let Error::Internal(e) = self {
            tracing::error!(error = ?e, "request failed");
        }
    }

    /// `Retry-After` for a throttled caller.
    fn retry_after(&self, response: &mut Response) {
        if let Error::Throttled { retry_after }
        | Error::Unavailable { retry_after }
        | Error::Offline { retry_after } = self
        {
            retry_after_header(response, *retry_after);
        }
    }
}

/// Tells the client when to try again (at least a second from now).
pub fn retry_after_header(response: &mut Response, seconds: i64) {
    let seconds = HeaderValue::from(seconds.max(1));
    response.headers_mut().insert(header::RETRY_AFTER, seconds);
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        self.log_if_internal();
        let lang = super::speaking::speaking();
        let mut response = page_of(
            self.status(),
            lang,
            error_title(lang, &self),
            problem_detail(lang, &self),
        );
        self.retry_after(&mut response);
        response
    }
}

/// An error page whose heading and text are the catalogue messages
/// `title` and `text`, in the language of the request.
pub fn error_page(status: StatusCode, title: &str, text: &str) -> Response {
    let lang = super::speaking::speaking();
    page_of(status, lang, lang.t(title), lang.t(text))
}

fn page_of(status: StatusCode, lang: app::Lang, title: String, message: String) -> Response {
    let page = MessageView {
        title,
        tone: "error",
        message,
        links: vec![Link {
            href: paths::HOME.into(),
            label: lang.t("error-start-page"),
        }],
    };
    let chrome = app::Chrome {
        lang,
        ..super::assets::bare_chrome()
    };
    (status, Html(message_page(&chrome, &page))).into_response()
}

/// An error as JSON endpoints answer it: an RFC 9457 problem document
/// (`application/problem+json`), with each field's problem under `errors`.
pub struct ApiError(pub Error);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let error = self.0;
        error.log_if_internal();
        let status = error.status();
        let mut body = json!({
            "type": "about:blank",
            // An API's words are English: a program reads them, and a
            // person reading one is a developer.
            "title": error_title(app::Lang::En, &error),
            "status": status.as_u16(),
            "detail": problem_detail(app::Lang::En, &error),
        });
        if let Error::Invalid(errors) = &error {
            let fields: serde_json::Map<_, _> = errors
                .iter()
                .map(|(field, problem)| (field.to_string(), json!(problem.to_string())))
                .collect();
            body["errors"] = fields.into();
        }
        let mut response = (status, Json(body)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        error.retry_after(&mut response);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{EmailProblem, Problem};
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn api_errors_are_problem_documents_with_field_problems() {
        let response = ApiError(Error::invalid("email", EmailProblem::Malformed)).into_response();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["status"], 422);
        assert_eq!(body["title"], "Check your input");
        assert_eq!(
            body["errors"]["email"],
            "Enter a valid email address, like name@example.com."
        );
    }

    #[tokio::test]
    async fn faults_hide_their_cause_and_throttling_says_when_to_retry() {
        let response = ApiError(Error::Internal(anyhow::anyhow!("secret cause"))).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert!(!String::from_utf8_lossy(&body).contains("secret cause"));

        let response = Error::Throttled { retry_after: 42 }.into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "42");

        let response = ApiError(Error::Conflict(Problem::LastOwner)).into_response();
        assert_eq!(response.status(), StatusCode::CONFLICT);
    }
}
