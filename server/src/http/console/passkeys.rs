//! The console's passkey ceremonies, for the page script: an admin whose
//! password held registers a passkey as their first factor, or uses one as
//! their second; a signed-in admin adds one from their security page. Their answers are the customers' kind (`http::ceremony`);
//! the passkeys are the admin's own, and never open a customer account.

use super::session::ConsoleVisitor;
use super::sign_in::pending_admin;
use crate::domain::mfa::{FactorKind, MfaProblem};
use crate::domain::{Admin, Caller, Error, RequestContext, Result};
use crate::http::ceremony::{self, Answer, answer, go};
use crate::http::extract::FormData;
use crate::identity::signin;
use crate::mfa::{check, enrol, passkeys};
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

/// The admin whose sign-in waits in this browser at the step `enrol`
/// names (setting up a first factor, or showing one), acting as
/// themselves; anything else is an expired sign-in.
async fn waiting(
    state: &AppState,
    visitor: &ConsoleVisitor,
    enrol: bool,
) -> Result<(Admin, RequestContext)> {
    match pending_admin(state, visitor).await? {
        Some((admin, step)) if step == enrol => {
            let ctx = visitor.ctx.acting_as(Caller::Admin(admin.clone()));
            Ok((admin, ctx))
        }
        _ => Err(Error::invalid("passkey", MfaProblem::SignInExpired)),
    }
}

/// Who registers a passkey: a signed-in admin adding one from their
/// security page (their console sign-in recent enough), or an admin whose
/// first sign-in sets up its first factor. The flag says which.
async fn registering(
    state: &AppState,
    visitor: &ConsoleVisitor,
) -> Result<(Admin, RequestContext, bool)> {
    let Some(admin) = &visitor.admin else {
        let (admin, ctx) = waiting(state, visitor, true).await?;
        return Ok((admin, ctx, false));
    };
    if !super::security::fresh(state, visitor).await? {
        return Err(Error::Conflict(MfaProblem::SignInAgain.into()));
    }
    Ok((admin.clone(), visitor.ctx.clone(), true))
}

async fn options(visitor: &ConsoleVisitor, value: serde_json::Value) -> Result<Response> {
    ceremony::options(&visitor.session, visitor.visitor_token.as_ref(), value).await
}

async fn register_options(
    State(state): State<AppState>,
    visitor: ConsoleVisitor,
) -> Result<Response> {
    answer(
        async {
            let (admin, _, _) = registering(&state, &visitor).await?;
            let user = (
                admin.id.0,
                admin.email.as_str(),
                admin.display_name.as_str(),
            );
            let owner = FactorOwner::Admin(admin.id);
            let value = passkeys::register_options(&state, &visitor.session, owner, user).await?;
            options(&visitor, value).await
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
        async {
            let (admin, ctx, signed_in) = registering(&state, &visitor).await?;
            let owner = FactorOwner::Admin(admin.id);
            let name = passkeys::name_for(visitor.ctx.user_agent());
            let session = &visitor.session;
            let id = passkeys::register(&state, session, owner, &name, &form.credential).await?;
            let factor = (id, FactorKind::Passkey, name.as_str());
            enrol::enrolled(&state, session, &ctx, owner, factor).await?;
            if signed_in {
                visitor.flash("Your passkey is added.").await?;
                return Ok(go(paths::CONSOLE_SECURITY));
            }
            signin::finish_console(&state, session, &admin).await?;
            Ok(go(paths::CUSTOMERS))
        }
        .await,
    )
}

async fn verify_options(
    State(state): State<AppState>,
    visitor: ConsoleVisitor,
) -> Result<Response> {
    answer(
        async {
            let (admin, _) = waiting(&state, &visitor, false).await?;
            let owner = FactorOwner::Admin(admin.id);
            let value = passkeys::verify_options(&state, &visitor.session, owner).await?;
            options(&visitor, value).await
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
        async {
            let (admin, ctx) = waiting(&state, &visitor, false).await?;
            let owner = FactorOwner::Admin(admin.id);
            let session = &visitor.session;
            if let Err(e) = passkeys::verify(&state, session, owner, &form.credential).await {
                if matches!(e, Error::Invalid(_)) {
                    check::failed(&state, &ctx, owner, FactorKind::Passkey, false).await?;
                }
                return Err(e);
            }
            signin::finish_console(&state, session, &admin).await?;
            Ok(go(paths::CUSTOMERS))
        }
        .await,
    )
}
