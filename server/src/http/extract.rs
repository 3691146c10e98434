//! Extractors that hand handlers the caller: the browser session, and the
//! signed-in customer where a page requires one.

use super::assets::STYLESHEET_HREF;
use super::csrf;
use crate::error::Error;
use crate::sessions::{self, SignedIn};
use crate::state::AppState;
use app::Chrome;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

/// Any visitor, signed in or not.
pub struct Visitor {
    pub session: Session,
    pub signed_in: Option<SignedIn>,
    pub user_agent: Option<String>,
    /// The peer address, for the audit trail (absent when not served over TCP).
    pub ip: Option<String>,
}

impl Visitor {
    /// What every page needs: stylesheet, CSRF token and who is signed in.
    pub async fn chrome(&self) -> Result<Chrome, Error> {
        Ok(Chrome {
            stylesheet: STYLESHEET_HREF.into(),
            csrf_token: csrf::token(&self.session).await?,
            customer_name: self
                .signed_in
                .as_ref()
                .map(|s| s.customer.display_name.as_str().to_string()),
        })
    }

    /// Leaves a one-time message for the next page (POST-redirect-GET).
    pub async fn flash(&self, message: &str) -> Result<(), Error> {
        flash(&self.session, message).await
    }

    pub async fn take_flash(&self) -> Result<Option<String>, Error> {
        take_flash(&self.session).await
    }
}

const FLASH_KEY: &str = "flash";

/// Stores a one-time message in whichever session (customer or console) it is given.
pub async fn flash(session: &Session, message: &str) -> Result<(), Error> {
    session
        .insert(FLASH_KEY, message)
        .await
        .map_err(anyhow::Error::new)?;
    Ok(())
}

pub async fn take_flash(session: &Session) -> Result<Option<String>, Error> {
    Ok(session
        .remove::<String>(FLASH_KEY)
        .await
        .map_err(anyhow::Error::new)?)
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let signed_in = sessions::current(state, &session)
            .await
            .map_err(IntoResponse::into_response)?;
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        Ok(Self {
            session,
            signed_in,
            user_agent,
            ip: peer_ip(parts),
        })
    }
}

pub fn peer_ip(parts: &Parts) -> Option<String> {
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip().to_string())
}

/// Set at sign-in while required attributes are missing (see `Customer`).
pub const PROFILE_INCOMPLETE: &str = "profile_incomplete";
const COMPLETE_PROFILE: &str = "/account/complete";

/// A visitor who must be signed in; others are sent to the sign-in page.
pub struct Customer(pub Visitor);

impl Customer {
    pub fn signed_in(&self) -> &SignedIn {
        self.0.signed_in.as_ref().expect("checked by the extractor")
    }
}

impl FromRequestParts<AppState> for Customer {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let visitor = Visitor::from_request_parts(parts, state).await?;
        if visitor.signed_in.is_none() {
            return Err(Redirect::to("/login").into_response());
        }
        // Progressive profiling: until the customer gives what the
        // organisation requires, every customer page leads to that form.
        let incomplete: Option<bool> = visitor
            .session
            .get(PROFILE_INCOMPLETE)
            .await
            .map_err(|e| Error::from(anyhow::Error::new(e)).into_response())?;
        if incomplete == Some(true) && parts.uri.path() != COMPLETE_PROFILE {
            return Err(Redirect::to(COMPLETE_PROFILE).into_response());
        }
        Ok(Self(visitor))
    }
}

/// `axum::Form`, with a malformed body answered by a readable error page.
pub struct FormData<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for FormData<T>
where
    axum::Form<T>:
        axum::extract::FromRequest<S, Rejection = axum::extract::rejection::FormRejection>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(value)) => Ok(Self(value)),
            Err(rejection) => Err(Error::BadRequest(format!(
                "The form could not be read ({}). Go back, reload the page and try again.",
                rejection.body_text()
            ))),
        }
    }
}
