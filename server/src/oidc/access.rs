//! Which applications hold access for a customer, who an application holds
//! access for, and taking access back (from `/account/apps`, or by support
//! from the console): the consent is forgotten and every token the
//! application holds for the customer stops working at once.

use crate::audit;
use crate::directory::customers::require_edit;
use crate::domain::{Action, Caller, CustomerId, Error, RequestContext, Result};
use crate::state::AppState;
use crate::store::{AppAccess, AppHolder};
use serde_json::json;

pub async fn apps_of(state: &AppState, customer: CustomerId) -> Result<Vec<AppAccess>> {
    Ok(state
        .store
        .customer_apps(customer, state.clock.now())
        .await?)
}

/// The most the console lists, and counts, of an application's holders.
pub const HOLDERS_SHOWN: i64 = 50;
pub const HOLDERS_COUNTED: i64 = 10_000;

/// Who an application holds access for: how many (up to
/// [`HOLDERS_COUNTED`]) and the latest [`HOLDERS_SHOWN`].
pub async fn holders_of(state: &AppState, client_id: &str) -> Result<(i64, Vec<AppHolder>)> {
    let now = state.clock.now();
    let count = state
        .store
        .count_client_holders(client_id, now, HOLDERS_COUNTED)
        .await?;
    let latest = state
        .store
        .client_holders(client_id, now, HOLDERS_SHOWN)
        .await?;
    Ok((count, latest))
}

pub async fn revoke(
    state: &AppState,
    ctx: &RequestContext,
    customer: CustomerId,
    client_id: &str,
) -> Result<()> {
    // The customer themselves, or support acting for them.
    if let Caller::Admin(admin) = &ctx.caller {
        require_edit(admin)?;
    }
    let client_id = super::clients::looks_like_client_id(client_id)?;
    let now = state.clock.now();
    if !state
        .store
        .revoke_app_access(customer, client_id, now)
        .await?
    {
        return Err(Error::NotFound);
    }
    audit::record(
        state,
        ctx,
        Action::OidcAccessRevoked,
        Some(customer),
        json!({ "client_id": client_id }),
    )
    .await
}
