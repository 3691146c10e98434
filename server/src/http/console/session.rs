//! Who is on a console page: the console's own session, and the admin
//! signed in with it (loaded again on every request, see `http::browser`).

use crate::domain::{Admin, Caller, RequestContext, Result};
use crate::http::assets::{SCRIPT_HREF, STYLESHEET_HREF};
use crate::http::browser;
use crate::http::{csrf, extract};
use crate::state::AppState;
use app::console::ConsoleChrome;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

/// Anyone on a console page, signed in or not.
pub struct ConsoleVisitor {
    pub session: Session,
    pub admin: Option<Admin>,
    pub ctx: RequestContext,
    /// The CSRF token of a browser without a console session.
    pub visitor_token: Option<csrf::VisitorToken>,
}

impl ConsoleVisitor {
    pub async fn chrome(&self) -> Result<ConsoleChrome> {
        Ok(ConsoleChrome {
            stylesheet: STYLESHEET_HREF.into(),
            csrf_token: csrf::token(&self.session, self.visitor_token.as_ref()).await?,
            admin: self.admin.as_ref().map(|a| {
                (
                    a.display_name.as_str().to_string(),
                    a.role.as_str().to_string(),
                )
            }),
            script: Some(SCRIPT_HREF.into()),
        })
    }

    pub async fn flash(&self, message: &str) -> Result<()> {
        extract::flash(&self.session, message).await
    }

    pub async fn take_flash(&self) -> Result<Option<String>> {
        extract::take_flash(&self.session).await
    }
}

impl FromRequestParts<AppState> for ConsoleVisitor {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let admin = browser::current_admin(state, &session)
            .await
            .map_err(IntoResponse::into_response)?;
        let caller = admin.clone().map_or(Caller::Visitor, Caller::Admin);
        Ok(Self {
            visitor_token: parts.extensions.get().cloned(),
            ctx: extract::context(parts, caller),
            session,
            admin,
        })
    }
}

/// A console visitor who must be a signed-in admin.
pub struct SignedInAdmin(pub ConsoleVisitor);

impl SignedInAdmin {
    pub fn admin(&self) -> &Admin {
        self.0.admin.as_ref().expect("checked by the extractor")
    }
}

impl FromRequestParts<AppState> for SignedInAdmin {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let visitor = ConsoleVisitor::from_request_parts(parts, state).await?;
        if visitor.admin.is_none() {
            return Err(Redirect::to(app::paths::CONSOLE_SIGN_IN).into_response());
        }
        Ok(Self(visitor))
    }
}
