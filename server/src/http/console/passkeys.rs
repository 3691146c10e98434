//! The console's passkey ceremonies, for the page script: an admin whose
//! password held registers a passkey as their first factor, or uses one as
//! their second; a signed-in admin adds one from their security page. Their answers are the customers' kind (`http::ceremony`);
//! the passkeys are the admin's own, and never open a customer account.

use super::session::ConsoleVisitor;
use super::sign_in::{self, admin_at, advance, enrolling, verifying};
use crate::domain::mfa::{FactorKind, MfaProblem};
use crate::domain::{Admin, Caller, Error, Result};
use crate::http::ceremony::{self, Answer, answer, go};
use crate::http::extract::FormData;
use crate::identity::signin::{Input, Step};
use crate::mfa::{enrol, passkeys};
use crate::state::AppState;
use crate::store::FactorOwner;
use app::paths;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            paths::CONSOLE_PASSKEY_REGISTER_OPTIONS,
            post(register_options),
        )
        .route(paths::CONSOLE_PASSKEY_REGISTER, post(register))
        .route(paths::CONSOLE_PASSKEY_VERIFY_OPTIONS, post(verify_options))
        .route(paths::CONSOLE_PASSKEY_VERIFY, post(verify))
}

/// The admin whose sign-in waits in this browser at the step `want`
/// matches (setting up a first factor, or showing one); anything else is
/// an expired sign-in.
async fn waiting(
    state: &AppState,
    visitor: &ConsoleVisitor,
    want: fn(&Step) -> bool,
) -> Result<Admin> {
    admin_at(sign_in::waiting(state, visitor).await?, want)
        .ok_or_else(|| Error::invalid("passkey", MfaProblem::SignInExpired))
}

/// Who registers a passkey: a signed-in admin adding one from their
/// security page (their console sign-in recent enough), or an admin whose
/// first sign-in sets up its first factor (`None`).
async fn registering(state: &AppState, visitor: &ConsoleVisitor) -> Result<(Admin, bool)> {
    let Some(admin) = &visitor.admin else {
        return Ok((waiting(state, visitor, enrolling).await?, false));
    };
    if !super::security::fresh(state, visitor).await? {
        return Err(Error::Conflict(MfaProblem::SignInAgain.into()));
    }
    Ok((admin.clone(), true))
}

async fn options(
    visitor: &ConsoleVisitor,
    started: (serde_json::Value, passkeys::Ceremony),
) -> Result<Response> {
    ceremony::options(&visitor.session, visitor.visitor_token.as_ref(), started).await
}

async fn register_options(
    State(state): State<AppState>,
    visitor: ConsoleVisitor,
) -> Result<Response> {
    answer(
        app::Lang::En,
        async {
            let (admin, _) = registering(&state, &visitor).await?;
            let user = (
                admin.id.0,
                admin.email.as_str(),
                admin.display_name.as_str(),
            );
            let owner = FactorOwner::Admin(admin.id);
            options(
                &visitor,
                passkeys::register_options(&state, owner, user).await?,
            )
            .await
        }
        .await,
    )
}

async fn register(
    State(state): State<AppState>,
    visitor: ConsoleVisitor,
    FormData(form): FormData<Answer>,
) -> Result<Response> {
    answer(
        app::Lang::En,
        async {
            let (admin, signed_in) = registering(&state, &visitor).await?;
            let owner = FactorOwner::Admin(admin.id);
            let ctx = visitor.ctx.acting_as(Caller::Admin(admin.clone()));
            let name = passkeys::name_for(visitor.ctx.user_agent());
            let session = &visitor.session;
            let taken = ceremony::take(session).await?;
            let id = passkeys::register(&state, taken, owner, &name, &form.credential).await?;
            let factor = (id, FactorKind::Passkey, name.as_str());
            enrol::enrolled(&state, &ctx, owner, factor).await?;
            if signed_in {
                visitor.flash("Your passkey is added.").await?;
                return Ok(go(paths::CONSOLE_SECURITY));
            }
            Ok(ceremony::outcome(
                advance(&state, &visitor, Input::Enrolled(id)).await?,
            ))
        }
        .await,
    )
}

async fn verify_options(
    State(state): State<AppState>,
    visitor: ConsoleVisitor,
) -> Result<Response> {
    answer(
        app::Lang::En,
        async {
            let admin = waiting(&state, &visitor, verifying).await?;
            let owner = FactorOwner::Admin(admin.id);
            options(&visitor, passkeys::verify_options(&state, owner).await?).await
        }
        .await,
    )
}

async fn verify(
    State(state): State<AppState>,
    visitor: ConsoleVisitor,
    FormData(form): FormData<Answer>,
) -> Result<Response> {
    answer(
        app::Lang::En,
        async {
            let input = Input::Passkey {
                ceremony: ceremony::take(&visitor.session).await?,
                answer: &form.credential,
            };
            Ok(ceremony::outcome(advance(&state, &visitor, input).await?))
        }
        .await,
    )
}
