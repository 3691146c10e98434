//! Which applications hold access for a customer, and taking it back
//! (from `/account/apps`): the consent is forgotten and every token the
//! application holds for the customer stops working at once.

use crate::audit;
use crate::domain::{Action, Customer, Error, RequestContext, Result};
use crate::state::AppState;
use crate::store::AppAccess;
use serde_json::json;

pub async fn apps_of(state: &AppState, customer: &Customer) -> Result<Vec<AppAccess>> {
    Ok(state
        .store
        .customer_apps(customer.id, state.clock.now())
        .await?)
}

pub async fn revoke(
    state: &AppState,
    ctx: &RequestContext,
    customer: &Customer,
    client_id: &str,
) -> Result<()> {
    let client_id = super::clients::looks_like_client_id(client_id)?;
    let now = state.clock.now();
    if !state
        .store
        .revoke_app_access(customer.id, client_id, now)
        .await?
    {
        return Err(Error::NotFound);
    }
    audit::record(
        state,
        ctx,
        Action::OidcAccessRevoked,
        Some(customer.id),
        json!({ "client_id": client_id }),
    )
    .await
}
