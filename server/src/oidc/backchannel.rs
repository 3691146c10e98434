//! OpenID Connect Back-Channel Logout 1.0: telling applications, server to
//! server, that a customer's session ended.
//!
//! Ending a session queues one logout per application that received an ID
//! token in it, in the same transaction (`end_sessions!` in the store): a
//! sign-out, "sign out everywhere", support ending sessions, a password
//! change or reset, a new email, a disable, an account deleted. This worker
//! sends them: a logout token (a JWT naming the customer and the session,
//! `sid` as in the ID tokens, with the logout event and no `nonce`), signed
//! when sent and posted as a form to the application's registered address.
//! A refusal or no answer is tried again with growing pauses for a day,
//! then given up; both ends are on the audit trail.

use super::issuer;
use crate::audit;
use crate::domain::{Action, CustomerId, RequestContext, Result};
use crate::state::AppState;
use crate::store::DueLogout;
use serde_json::json;
use std::time::Duration;

/// The event a logout token carries (§2.4).
pub const LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";
/// A logout token is good for two minutes: it is signed as it is sent.
const TOKEN_LIFETIME: i64 = 120;
/// How long an application is given to answer.
const ANSWER_WITHIN: Duration = Duration::from_secs(5);
/// Tries stop a day after the session ended.
const GIVE_UP_AFTER: i64 = 24 * 3600;
/// Logouts one look sends at most.
const BATCH: i64 = 20;

/// Sends queued logouts until the process ends. Any instance may send any
/// one (each is leased to one at a time); a look finds those queued
/// anywhere within a second.
pub async fn run_worker(state: AppState) {
    let http = match reqwest::Client::builder()
        // An application answers where it is registered, or not at all.
        .redirect(reqwest::redirect::Policy::none())
        .timeout(ANSWER_WITHIN)
        .build()
    {
        Ok(http) => http,
        Err(e) => {
            tracing::error!(error = %e, "back-channel logouts cannot be sent");
            return;
        }
    };
    loop {
        match deliver_due(&state, &http).await {
            Ok(0) => tokio::time::sleep(Duration::from_secs(1)).await,
            Ok(_) => {}
            Err(_) if state.store.is_closed() => return,
            Err(e) => {
                tracing::warn!(error = %e, "back-channel logouts not sent");
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
    }
}

/// Sends the logouts due now: how many were tried.
pub async fn deliver_due(state: &AppState, http: &reqwest::Client) -> Result<usize> {
    let now = state.clock.now();
    // A read first: the lease below writes, and most looks find nothing.
    if state
        .store
        .next_logout_due()
        .await?
        .is_none_or(|due| due > now)
    {
        return Ok(0);
    }
    // Leased for longer than a try can take, so no other instance sends it
    // meanwhile; should this one stop, it comes back due.
    let due = state.store.lease_due_logouts(now, now + 60, BATCH).await?;
    for logout in &due {
        let tried = send(state, http, logout).await;
        settle(state, logout, tried).await?;
    }
    Ok(due.len())
}

/// Signs and posts one logout token: `Err` says what went wrong.
async fn send(
    state: &AppState,
    http: &reqwest::Client,
    logout: &DueLogout,
) -> std::result::Result<(), String> {
    let client = state
        .store
        .client(&logout.client_id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the application is gone")?;
    let Some(uri) = client.backchannel_logout_uri.as_deref() else {
        return Err("the application no longer has a back-channel logout URI".into());
    };
    let now = state.clock.now();
    let claims = json!({
        "iss": issuer(state),
        "sub": logout.customer_id.to_string(),
        "aud": client.id,
        "iat": now,
        "exp": now + TOKEN_LIFETIME,
        "jti": uuid::Uuid::new_v4().to_string(),
        "sid": logout.session_id.to_string(),
        "events": { LOGOUT_EVENT: {} },
    });
    let keys = state.signing_keys().await.map_err(|e| e.to_string())?;
    let token = keys
        .signer(client.id_token_alg)
        .and_then(|signer| signer.sign("logout+jwt", &claims))
        .map_err(|e| e.to_string())?;
    let answer = http
        .post(uri)
        .form(&[("logout_token", token.as_str())])
        .send()
        .await
        .map_err(|e| format!("no answer: {e}"))?;
    // §2.8: 200 OK (some applications say 204); anything else is a refusal.
    match answer.status() {
        status if status.is_success() => Ok(()),
        status => Err(format!("answered {status}")),
    }
}

/// Records how a try went: sent, tried again later, or given up.
async fn settle(
    state: &AppState,
    logout: &DueLogout,
    tried: std::result::Result<(), String>,
) -> Result<()> {
    let now = state.clock.now();
    let customer = Some(CustomerId(logout.customer_id));
    let details = |error: Option<&str>| {
        json!({
            "client_id": logout.client_id,
            "session_id": logout.session_id,
            "attempts": logout.attempts,
            "error": error,
        })
    };
    let ctx = RequestContext::system();
    match tried {
        Ok(()) => {
            state.metrics.backchannel_logout("sent");
            state.store.logout_tried(logout, now, None, None).await?;
            tracing::info!(client_id = %logout.client_id, attempts = logout.attempts, "back-channel logout sent");
            let action = Action::OidcBackchannelLogoutSent;
            audit::record(state, &ctx, action, customer, details(None)).await
        }
        Err(error) if now - logout.created_at < GIVE_UP_AFTER => {
            // 10 s, 20 s, 40 s, ... at most an hour apart.
            let pause = (10i64 << (logout.attempts.clamp(1, 10) - 1)).min(3600);
            state.metrics.backchannel_logout("retry");
            tracing::warn!(client_id = %logout.client_id, attempts = logout.attempts, %error, "back-channel logout not taken; will try again");
            let retry_at = Some(now + pause);
            state
                .store
                .logout_tried(logout, now, Some(&error), retry_at)
                .await?;
            Ok(())
        }
        Err(error) => {
            tracing::warn!(client_id = %logout.client_id, attempts = logout.attempts, %error, "back-channel logout given up");
            state.metrics.backchannel_logout("given_up");
            state
                .store
                .logout_tried(logout, now, Some(&error), None)
                .await?;
            let action = Action::OidcBackchannelLogoutFailed;
            audit::record(state, &ctx, action, customer, details(Some(&error))).await
        }
    }
}
