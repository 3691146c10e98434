//! What a browser session keeps between two pages for the factors'
//! capabilities, which never see it: an authenticator app being set up,
//! and recovery codes just made, shown once.

use crate::domain::{RequestContext, Result};
use crate::http::browser::{self, keys};
use crate::mfa::enrol::{self, Enrolled};
use crate::mfa::totp::{self, PendingSetup, SetupShown};
use crate::state::AppState;
use crate::store::FactorOwner;
use tower_sessions::Session;
use uuid::Uuid;

/// Starts, or shows again, the app setup this browser keeps for `account`.
pub async fn begin_app(state: &AppState, session: &Session, account: &str) -> Result<SetupShown> {
    let kept = browser::get::<PendingSetup>(session, keys::TOTP_SETUP).await?;
    let (shown, pending) = totp::begin(state, kept, account)?;
    browser::put(session, keys::TOTP_SETUP, pending).await?;
    Ok(shown)
}

/// Confirms this browser's app setup with its first code: the new
/// factor's id (its recovery codes, if made, wait to be shown).
pub async fn confirm_app(
    state: &AppState,
    session: &Session,
    ctx: &RequestContext,
    owner: FactorOwner,
    code: &str,
) -> Result<Uuid> {
    let kept = browser::get::<PendingSetup>(session, keys::TOTP_SETUP).await?;
    let enrolled = enrol::confirm_totp(state, kept, ctx, owner, code).await?;
    browser::take::<PendingSetup>(session, keys::TOTP_SETUP).await?;
    keep(session, enrolled).await
}

/// A factor was added: its recovery codes, if made, wait in this browser
/// to be shown; the factor's id.
pub async fn keep(session: &Session, enrolled: Enrolled) -> Result<Uuid> {
    if let Some(codes) = enrolled.new_codes {
        keep_codes(session, codes).await?;
    }
    Ok(enrolled.id)
}

pub async fn keep_codes(session: &Session, codes: Vec<String>) -> Result<()> {
    browser::put(session, keys::NEW_RECOVERY_CODES, codes).await
}

/// Whether recovery codes just made wait in this browser to be shown.
pub async fn codes_waiting(session: &Session) -> Result<bool> {
    Ok(
        browser::get::<Vec<String>>(session, keys::NEW_RECOVERY_CODES)
            .await?
            .is_some(),
    )
}

/// The recovery codes just made, once.
pub async fn take_new_codes(session: &Session) -> Result<Option<Vec<String>>> {
    browser::take(session, keys::NEW_RECOVERY_CODES).await
}
