//! What a client may learn of, or end, a token it holds: revocation
//! (RFC 7009) and introspection (RFC 7662).

use super::issuer;
use super::params::Params;
use super::tokens::{live_customer, verify_access_token};
use crate::domain::oidc::{Client, OAuthError};
use crate::domain::secrets::hash_token;
use crate::domain::{CustomerId, Result};
use crate::state::AppState;
use serde_json::{Value, json};

/// Revokes the token (RFC 7009): a refresh token, or an access token,
/// ends its whole grant. Only the client the token was issued to may;
/// anything else (unknown, expired, another client's) is answered the same
/// way, as the RFC asks, and changes nothing.
pub async fn revoke(state: &AppState, client: &Client, params: &Params<'_>) -> Result<()> {
    let token = params
        .one("token")?
        .ok_or_else(|| OAuthError::invalid_request("token"))?;
    params.one("token_type_hint")?;
    let now = state.clock.now();
    if let Some((grant, ..)) = state.store.refresh_token(&hash_token(token), now).await? {
        if grant.client_id == client.id {
            state.store.revoke_grant(grant.family, now).await?;
        }
        return Ok(());
    }
    if let Ok(access) = verify_access_token(state, token).await
        && access.client_id == client.id
        && let Some(gid) = access.gid
    {
        state.store.revoke_grant(gid, now).await?;
    }
    Ok(())
}

/// What a token is (RFC 7662), for an authenticated client: a refresh
/// token only to the client that holds it, an access token to the client
/// it was issued to or to a registered resource server (§4: a token is not
/// shown to just any application). Anything else is inactive, and says
/// nothing more.
pub async fn introspect(
    state: &AppState,
    client: &Client,
    params: &Params<'_>,
) -> Result<serde_json::Map<String, Value>> {
    let token = params
        .one("token")?
        .ok_or_else(|| OAuthError::invalid_request("token"))?;
    params.one("token_type_hint")?;
    let now = state.clock.now();
    let mut answer = serde_json::Map::new();
    answer.insert("active".into(), json!(false));
    if let Some((grant, iat, exp, live)) =
        state.store.refresh_token(&hash_token(token), now).await?
    {
        if live
            && grant.client_id == client.id
            && live_customer(state, grant.customer).await.is_ok()
        {
            answer.extend(
                json!({
                    "active": true,
                    "token_type": "refresh_token",
                    "client_id": grant.client_id,
                    "sub": grant.customer.to_string(),
                    "scope": grant.scope,
                    "iat": iat,
                    "exp": exp,
                    "iss": issuer(state),
                })
                .as_object()
                .cloned()
                .unwrap_or_default(),
            );
        }
        return Ok(answer);
    }
    if let Ok(access) = verify_access_token(state, token).await
        && (access.client_id == client.id || client.resource_server)
    {
        // A customer disabled since is no longer anyone's to act for.
        let customer_live = match access.sub.parse() {
            Ok(id) if access.gid.is_some() => live_customer(state, CustomerId(id)).await.is_ok(),
            _ => true,
        };
        if customer_live {
            let mut claims = serde_json::to_value(&access)
                .map_err(anyhow::Error::new)?
                .as_object()
                .cloned()
                .unwrap_or_default();
            claims.remove("gid");
            answer.extend(claims);
            answer.insert("active".into(), json!(true));
            answer.insert("token_type".into(), json!("access_token"));
        }
    }
    Ok(answer)
}
