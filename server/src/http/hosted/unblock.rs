//! The link mailed when sign-ins from an address were blocked: a page to
//! confirm, and the POST that lifts the block.

use super::{TokenQuery, page, see_other};
use crate::domain::Result;
use crate::http::extract::{FormData, Visitor};
use crate::identity::unblock;
use crate::state::AppState;
use app::hosted::*;
use app::paths;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new().route(paths::UNBLOCK, get(confirm_form).post(confirm))
}

async fn confirm_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<TokenQuery>,
) -> Result<Response> {
    unblock::check_link(&state, &q.token).await?;
    let t = visitor.lang;
    let view = ConfirmLinkView {
        title: t.t("unblock-title"),
        text: t.t("unblock-text"),
        action: paths::UNBLOCK,
        button: t.t("unblock-submit"),
        token: q.token,
    };
    Ok(page(
        StatusCode::OK,
        confirm_link_page(&visitor.chrome().await?, &view),
    ))
}

async fn confirm(
    State(state): State<AppState>,
    visitor: Visitor,
    FormData(form): FormData<TokenQuery>,
) -> Result<Response> {
    unblock::redeem(&state, &form.token, &visitor.ctx).await?;
    visitor
        .flash("The block is lifted: you can sign in from every address again.")
        .await?;
    Ok(see_other(paths::SIGN_IN))
}
