//! Email verification: the link's confirmation page, resending a link.

use super::{EmailForm, TokenQuery, link, message, page, see_other};
use crate::domain::{Error, Problem, Result};
use crate::http::browser;
use crate::http::extract::{Customer, FormData, Visitor};
use crate::http::journey::{self, Outcome};
use crate::http::messages;
use crate::identity::signin::Realm;
use crate::identity::verification;
use crate::identity::verification::Verified;
use crate::state::AppState;
use app::hosted::*;
use app::paths;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            paths::VERIFY_EMAIL,
            get(verify_email_form).post(verify_email),
        )
        .route(paths::RESEND_VERIFICATION, get(resend_form).post(resend))
        .route(paths::ACCOUNT_VERIFY_EMAIL, post(send_verification))
}

async fn verify_email_form(visitor: Visitor, Query(q): Query<TokenQuery>) -> Result<Response> {
    if !crate::domain::secrets::looks_like_token(&q.token) {
        return Err(Error::BadRequest(Problem::VerificationLinkIncomplete));
    }
    let t = visitor.lang;
    let view = ConfirmLinkView {
        title: t.t("verify-title"),
        text: t.t("verify-text"),
        action: paths::VERIFY_EMAIL,
        button: t.t("verify-submit"),
        token: q.token,
    };
    Ok(page(
        StatusCode::OK,
        confirm_link_page(&visitor.chrome().await?, &view),
    ))
}

async fn verify_email(
    State(state): State<AppState>,
    visitor: Visitor,
    FormData(form): FormData<TokenQuery>,
) -> Result<Response> {
    let session = &visitor.session;
    let signed_up_here = browser::who_signed_up_here(session).await?;
    let purpose = journey::purpose_here(session, Realm::Customers, None).await?;
    let verified =
        verification::verify_and_enter(&state, &visitor.ctx, &form.token, signed_up_here, purpose)
            .await?;
    browser::forget_signup(session).await?;
    let t = visitor.lang;
    let (notice, next) = match verified {
        Verified::WhileSignedIn => (t.t("verified"), see_other(paths::ACCOUNT)),
        Verified::SignedIn(advanced) => {
            match journey::outcome(&state, session, t, Realm::Customers, Ok(advanced)).await? {
                Outcome::Go { to, .. } => (t.t("verified-welcome"), see_other(&to)),
                Outcome::Show(refusal) => {
                    visitor.flash(&refusal.message).await?;
                    return Ok(see_other(paths::SIGN_IN));
                }
            }
        }
        Verified::SignInToContinue => (t.t("verified-sign-in"), see_other(paths::SIGN_IN)),
    };
    visitor.flash(&notice).await?;
    Ok(next)
}

async fn resend_form(visitor: Visitor) -> Result<Response> {
    let view = ResendVerificationView::default();
    Ok(page(
        StatusCode::OK,
        resend_verification_page(&visitor.chrome().await?, &view),
    ))
}

async fn resend(
    State(state): State<AppState>,
    visitor: Visitor,
    FormData(form): FormData<EmailForm>,
) -> Result<Response> {
    if let Err(e) = crate::domain::Email::parse(&form.email) {
        let view = ResendVerificationView {
            email: form.email,
            error: Some(messages::problem_words(visitor.lang, &e.into())),
        };
        return Ok(page(
            StatusCode::UNPROCESSABLE_ENTITY,
            resend_verification_page(&visitor.chrome().await?, &view),
        ));
    }
    // In the background: the answer must not take longer for a real account.
    let email = form.email.clone();
    let lang = visitor.lang.tag();
    let background = state.clone();
    tokio::spawn(async move {
        if let Err(e) = verification::resend(&background, &email, Some(lang)).await {
            tracing::error!(error = %e, "verification resend failed");
        }
    });
    let t = visitor.lang;
    message(
        &visitor,
        &t.t("resend-sent-title"),
        "info",
        &t.t("resend-sent"),
        vec![link(paths::SIGN_IN, &t.t("sign-in-submit"))],
    )
    .await
}

async fn send_verification(State(state): State<AppState>, customer: Customer) -> Result<Response> {
    let c = &customer.signed_in().customer;
    if !c.email_verified {
        let lang = crate::mail::language(c.locale.as_deref(), Some(customer.0.lang.tag()));
        verification::send_link(&state, c.id, &c.email, lang).await?;
    }
    let t = customer.0.lang;
    customer
        .0
        .flash(&t.tf("verification-sent", &[("email", c.email.as_str().into())]))
        .await?;
    Ok(see_other(paths::ACCOUNT))
}
