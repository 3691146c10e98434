//! Signed-in sessions of customers.
//!
//! The browser holds a tower-sessions cookie; its record (in the database)
//! names a row of `customer_sessions`, which carries the absolute expiry and
//! can be deleted to sign that device out from anywhere, on any instance.

use crate::customers::Customer;
use crate::error::Result;
use crate::state::AppState;
use tower_sessions::Session;
use uuid::Uuid;

const AUTH_KEY: &str = "customer_session";
/// Refresh `last_seen_at` at most this often per session, to keep page views read-only.
const TOUCH_EVERY: i64 = 60;

pub struct SignedIn {
    pub customer: Customer,
    pub session_id: Uuid,
}

/// Signs the customer in on this browser. The cookie's id is replaced first,
/// so an id planted before sign-in (session fixation) is worthless after.
pub async fn start(
    state: &AppState,
    session: &Session,
    customer: &Customer,
    user_agent: Option<&str>,
    ip: Option<&str>,
) -> Result<()> {
    session.cycle_id().await.map_err(anyhow::Error::new)?;
    let id = Uuid::now_v7();
    let now = state.clock.now();
    let expires = now + state.config.session_absolute.whole_seconds();
    let user_agent = user_agent.map(|ua| ua.chars().take(256).collect::<String>());
    state
        .store
        .insert_customer_session(id, customer.id, now, expires, user_agent.as_deref(), ip)
        .await?;
    session
        .insert(AUTH_KEY, id)
        .await
        .map_err(anyhow::Error::new)?;
    Ok(())
}

/// The customer signed in on this browser, if the session is still live.
pub async fn current(state: &AppState, session: &Session) -> Result<Option<SignedIn>> {
    let Some(id) = session
        .get::<Uuid>(AUTH_KEY)
        .await
        .map_err(anyhow::Error::new)?
    else {
        return Ok(None);
    };
    let now = state.clock.now();
    match state.store.customer_for_session(id, now).await? {
        Some((customer, last_seen)) => {
            if now - last_seen >= TOUCH_EVERY {
                state.store.touch_customer_session(id, now).await?;
            }
            Ok(Some(SignedIn {
                customer,
                session_id: id,
            }))
        }
        None => {
            // Ended elsewhere (sign-out everywhere, reset, expiry): forget it here too.
            session
                .remove::<Uuid>(AUTH_KEY)
                .await
                .map_err(anyhow::Error::new)?;
            Ok(None)
        }
    }
}

/// Signs this browser out and discards its session record.
pub async fn end(state: &AppState, session: &Session) -> Result<()> {
    if let Some(id) = session
        .get::<Uuid>(AUTH_KEY)
        .await
        .map_err(anyhow::Error::new)?
    {
        state.store.delete_customer_session(id).await?;
    }
    session.flush().await.map_err(anyhow::Error::new)?;
    Ok(())
}
