//! "Continue on another device": the signed-in device's offer and answer
//! (`/account/handoff`), and the other device's link and waiting page
//! (`/handoff/...`). A shared screen the other way round: the screen's
//! code (`/login/screen`) and the signed-in phone's answer
//! (`/handoff/approve`). The ticket's secret travels in the query and in form
//! bodies, never in a path, so request logs never hold it.

use super::{TokenQuery, link, message, page, see_other};
use crate::domain::qr::qr_svg;
use crate::domain::{Error, Result};
use crate::http::browser::{self, keys};
use crate::http::extract::{Customer, FormData, Visitor};
use crate::http::journey::{self, Outcome};
use crate::http::messages;
use crate::identity::handoff::{
    self, AtSource, AtTarget, ClaimKey, Offer, Opened, ScreenAsks, ScreenOffer,
};
use crate::identity::signin::Realm;
use crate::state::AppState;
use app::hosted::{
    ApproveView, HandoffOfferView, HandoffTargetView, ScreenView, approve_page, handoff_offer_page,
    handoff_target_page, minutes_words, screen_page,
};
use app::paths;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

/// How often a waiting page asks to be loaded again, in seconds.
const REFRESH_SECONDS: &str = "2";

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(paths::ACCOUNT_HANDOFF, get(offer_page).post(offer))
        .route(paths::ACCOUNT_HANDOFF_ANSWER, post(answer))
        .route(paths::HANDOFF_OPEN, get(open).post(claim))
        .route(paths::HANDOFF_WAIT, get(wait))
        .route(paths::SCREEN_SIGN_IN, get(screen).post(screen_offer))
        .route(paths::HANDOFF_APPROVE, get(approve_asked).post(approve))
}

/// The link a ticket's QR code carries: `path` with the secret in its query.
fn ticket_link(state: &AppState, path: &str, secret: &str) -> Result<String> {
    let link = state
        .config
        .public_url
        .join(&format!("{path}?token={secret}"))
        .map_err(|e| Error::Internal(e.into()))?;
    Ok(link.to_string())
}

/// A page that is never cached, and that a waiting browser loads again by
/// itself (no script needed).
fn live_page(html: String, refresh: bool) -> Response {
    let mut response = Html(html).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if refresh {
        headers.insert("refresh", HeaderValue::from_static(REFRESH_SECONDS));
    }
    response
}

async fn offer(State(state): State<AppState>, customer: Customer) -> Result<Response> {
    let offer = handoff::offer(&state, &customer.0.ctx, customer.signed_in()).await?;
    browser::put(&customer.0.session, keys::HANDOFF_OFFER, &offer).await?;
    Ok(see_other(paths::ACCOUNT_HANDOFF))
}

async fn offer_page(State(state): State<AppState>, customer: Customer) -> Result<Response> {
    let lang = customer.0.lang;
    let held: Option<Offer> = browser::get(&customer.0.session, keys::HANDOFF_OFFER).await?;
    let at = match &held {
        Some(offer) => handoff::at_source(&state, customer.signed_in(), offer.id).await?,
        None => AtSource::Gone,
    };
    let view = match (at, held) {
        (AtSource::Waiting { match_code, .. }, Some(offer)) => {
            let link = ticket_link(&state, paths::HANDOFF_OPEN, &offer.secret)?;
            HandoffOfferView::Waiting {
                qr_svg: qr_svg(&link, &lang.t("handoff-qr"))?,
                link,
                match_code,
            }
        }
        (
            AtSource::Opened {
                match_code,
                device,
                ip,
            },
            _,
        ) => HandoffOfferView::Opened {
            match_code,
            device,
            source: messages::source_words(lang, ip.as_deref(), &state.config.places),
        },
        (AtSource::Confirmed { device, signed_in }, _) => {
            HandoffOfferView::Confirmed { device, signed_in }
        }
        (AtSource::Refused { device }, _) => HandoffOfferView::Refused { device },
        _ => HandoffOfferView::Gone,
    };
    let refresh = matches!(
        view,
        HandoffOfferView::Waiting { .. }
            | HandoffOfferView::Confirmed {
                signed_in: false,
                ..
            }
    );
    let html = handoff_offer_page(&customer.0.chrome().await?, &view);
    Ok(live_page(html, refresh))
}

#[derive(Deserialize)]
struct AnswerForm {
    #[serde(default)]
    answer: String,
}

async fn answer(
    State(state): State<AppState>,
    customer: Customer,
    FormData(form): FormData<AnswerForm>,
) -> Result<Response> {
    let Some(confirm) = confirmed(&form.answer) else {
        return unanswered(&customer.0, "handoff-choose", paths::ACCOUNT_HANDOFF).await;
    };
    let held: Option<Offer> = browser::get(&customer.0.session, keys::HANDOFF_OFFER).await?;
    let answered = match held {
        Some(offer) => {
            let (ctx, signed_in) = (&customer.0.ctx, customer.signed_in());
            handoff::answer(&state, ctx, signed_in, offer.id, confirm).await?
        }
        None => false,
    };
    if !answered {
        // Expired, or answered in another tab: the page says which.
        let text = customer.0.lang.t("handoff-answered");
        customer.0.flash(&text).await?;
    }
    Ok(see_other(paths::ACCOUNT_HANDOFF))
}

/// A form's answer: confirm or refuse.
fn confirmed(answer: &str) -> Option<bool> {
    match answer {
        "confirm" => Some(true),
        "refuse" => Some(false),
        _ => None,
    }
}

/// A form that answered neither: asked again (`back`), nothing changed;
/// `key` names the question.
async fn unanswered(visitor: &Visitor, key: &str, back: &str) -> Result<Response> {
    let t = visitor.lang;
    let view = app::hosted::MessageView {
        title: t.t("handoff-continue"),
        tone: "error",
        message: t.t(key),
        links: vec![link(back, &t.t("handoff-back"))],
    };
    let html = app::hosted::message_page(&visitor.chrome().await?, &view);
    Ok(page(StatusCode::BAD_REQUEST, html))
}

/// The link was wrong, stale or used: what to do next (`key` says which).
async fn gone(visitor: &Visitor, key: &str) -> Result<Response> {
    let t = visitor.lang;
    let mut response = message(
        visitor,
        &t.t("handoff-link-gone-title"),
        "error",
        &t.t(key),
        vec![link(paths::SIGN_IN, &t.t("handoff-password-instead"))],
    )
    .await?;
    *response.status_mut() = StatusCode::GONE;
    Ok(response)
}

const EXPIRED: &str = "handoff-link-expired";

async fn open(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<TokenQuery>,
) -> Result<Response> {
    let claim: Option<ClaimKey> = browser::get(&visitor.session, keys::HANDOFF_CLAIM).await?;
    match handoff::open(&state, &visitor.ctx, &query.token, claim.as_ref()).await? {
        Opened::Open { match_code, from } => {
            let view = HandoffTargetView::Open {
                match_code,
                from,
                token: query.token,
            };
            let html = handoff_target_page(&visitor.chrome().await?, &view);
            Ok(live_page(html, false))
        }
        Opened::Claimed { here: true } => Ok(see_other(paths::HANDOFF_WAIT)),
        Opened::Claimed { here: false } => gone(&visitor, "handoff-link-used").await,
        Opened::Gone => gone(&visitor, EXPIRED).await,
    }
}

async fn claim(
    State(state): State<AppState>,
    visitor: Visitor,
    FormData(form): FormData<TokenQuery>,
) -> Result<Response> {
    match handoff::claim(&state, &visitor.ctx, &form.token).await? {
        Some(key) => {
            browser::put(&visitor.session, keys::HANDOFF_CLAIM, &key).await?;
            Ok(see_other(paths::HANDOFF_WAIT))
        }
        None => gone(&visitor, EXPIRED).await,
    }
}

async fn wait(State(state): State<AppState>, visitor: Visitor) -> Result<Response> {
    let Some(claim) = browser::get::<ClaimKey>(&visitor.session, keys::HANDOFF_CLAIM).await? else {
        return gone(&visitor, EXPIRED).await;
    };
    let held = journey::held(&visitor.session).await?;
    match handoff::at_target(&state, &visitor.ctx, &claim, held.as_ref()).await? {
        AtTarget::Waiting { match_code, from } => {
            let view = HandoffTargetView::Waiting { match_code, from };
            let html = handoff_target_page(&visitor.chrome().await?, &view);
            Ok(live_page(html, true))
        }
        AtTarget::Refused => {
            browser::take::<ClaimKey>(&visitor.session, keys::HANDOFF_CLAIM).await?;
            gone(&visitor, "handoff-other-refused").await
        }
        AtTarget::Gone => {
            browser::take::<ClaimKey>(&visitor.session, keys::HANDOFF_CLAIM).await?;
            gone(&visitor, EXPIRED).await
        }
        AtTarget::Continued(advanced) => {
            browser::take::<ClaimKey>(&visitor.session, keys::HANDOFF_CLAIM).await?;
            continued(&state, &visitor, advanced).await
        }
    }
}

/// The handed-off device signs in: on to where the journey leads.
async fn continued(
    state: &AppState,
    visitor: &Visitor,
    advanced: crate::identity::signin::Advanced,
) -> Result<Response> {
    let outcome = journey::outcome(
        state,
        &visitor.session,
        visitor.lang,
        Realm::Customers,
        Ok(advanced),
    )
    .await?;
    match outcome {
        Outcome::Go { to, .. } => Ok(see_other(&to)),
        Outcome::Show(refusal) => {
            let t = visitor.lang;
            let mut response = message(
                visitor,
                &t.t("handoff-not-signed-in-title"),
                "error",
                &refusal.message,
                vec![link(paths::SIGN_IN, &t.t("sign-in-title"))],
            )
            .await?;
            *response.status_mut() = refusal.status;
            Ok(response)
        }
    }
}

const SCREEN_EXPIRED: &str = "screen-code-gone";

fn screen_minutes(state: &AppState) -> u32 {
    u32::try_from(state.config.shared_screen.whole_minutes()).unwrap_or(u32::MAX)
}

async fn screen_offer(State(state): State<AppState>, visitor: Visitor) -> Result<Response> {
    let offer = handoff::offer_screen(&state, &visitor.ctx).await?;
    browser::put(&visitor.session, keys::HANDOFF_SCREEN, &offer).await?;
    Ok(see_other(paths::SCREEN_SIGN_IN))
}

async fn screen(State(state): State<AppState>, visitor: Visitor) -> Result<Response> {
    let minutes = screen_minutes(&state);
    let held: Option<ScreenOffer> = browser::get(&visitor.session, keys::HANDOFF_SCREEN).await?;
    let chrome = visitor.chrome().await?;
    let Some(held) = held else {
        return Ok(live_page(
            screen_page(&chrome, &ScreenView::Intro { minutes }),
            false,
        ));
    };
    let attempt = journey::held(&visitor.session).await?;
    let at = handoff::at_target(&state, &visitor.ctx, &held.claim, attempt.as_ref()).await?;
    let view = match at {
        AtTarget::Waiting { match_code, .. } => {
            let link = ticket_link(&state, paths::HANDOFF_APPROVE, &held.offer.secret)?;
            let view = ScreenView::Waiting {
                qr_svg: qr_svg(&link, &visitor.lang.t("screen-qr"))?,
                link,
                match_code,
                minutes,
            };
            return Ok(live_page(screen_page(&chrome, &view), true));
        }
        AtTarget::Refused => ScreenView::Ended { refused: true },
        AtTarget::Gone => ScreenView::Ended { refused: false },
        AtTarget::Continued(advanced) => {
            browser::take::<ScreenOffer>(&visitor.session, keys::HANDOFF_SCREEN).await?;
            return continued(&state, &visitor, advanced).await;
        }
    };
    browser::take::<ScreenOffer>(&visitor.session, keys::HANDOFF_SCREEN).await?;
    Ok(live_page(screen_page(&chrome, &view), false))
}

/// The phone opens a screen's code: signed in, it is asked; otherwise it
/// is told to sign in first.
async fn approve_asked(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<TokenQuery>,
) -> Result<Response> {
    // Back from signing in, the code scanned before is asked about again.
    let token = match query.token {
        token if !token.is_empty() => token,
        _ => browser::pending_screen_code(&visitor.session)
            .await?
            .unwrap_or_default(),
    };
    // Held until answered: through a sign-in first, or back after a slip.
    if !token.is_empty() {
        browser::hold_screen_code(&visitor.session, &token).await?;
    }
    if visitor.signed_in.is_none() {
        let t = visitor.lang;
        return message(
            &visitor,
            &t.t("screen-phone-first-title"),
            "info",
            &t.t("screen-phone-first"),
            vec![link(paths::SIGN_IN, &t.t("sign-in-title"))],
        )
        .await;
    }
    match handoff::screen_asks(&state, &visitor.ctx, &token).await? {
        ScreenAsks::Open {
            match_code,
            screen,
            ip,
        } => {
            let view = ApproveView {
                match_code,
                screen,
                source: messages::source_words(visitor.lang, ip.as_deref(), &state.config.places),
                minutes: screen_minutes(&state),
                token,
            };
            Ok(live_page(
                approve_page(&visitor.chrome().await?, &view),
                false,
            ))
        }
        ScreenAsks::Gone => {
            browser::drop_screen_code(&visitor.session).await?;
            gone(&visitor, SCREEN_EXPIRED).await
        }
    }
}

#[derive(Deserialize)]
struct ApproveForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    answer: String,
}

async fn approve(
    State(state): State<AppState>,
    customer: Customer,
    FormData(form): FormData<ApproveForm>,
) -> Result<Response> {
    let Some(confirm) = confirmed(&form.answer) else {
        return unanswered(&customer.0, "screen-choose", paths::HANDOFF_APPROVE).await;
    };
    browser::drop_screen_code(&customer.0.session).await?;
    let (ctx, signed_in) = (&customer.0.ctx, customer.signed_in());
    if !handoff::answer_screen(&state, ctx, signed_in, &form.token, confirm).await? {
        return gone(&customer.0, SCREEN_EXPIRED).await;
    }
    let t = customer.0.lang;
    if confirm {
        let minutes = minutes_words(t, screen_minutes(&state));
        let text = t.tf("screen-signing-in", &[("minutes", minutes.into())]);
        customer.0.flash(&text).await?;
        Ok(see_other(paths::ACCOUNT_DEVICES))
    } else {
        customer.0.flash(&t.t("screen-not-signed-in")).await?;
        Ok(see_other(paths::ACCOUNT))
    }
}
