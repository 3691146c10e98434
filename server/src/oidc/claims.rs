//! What tokens and the userinfo endpoint say about a customer, by scope
//! (OpenID Connect Core §5.4): `email` gives the address and whether it is
//! verified, `profile` the name and when the record last changed
//! (`updated_at`), `gatehouse:tier` the membership tier's slug
//! and entitlements. `sub` is the customer id: stable across email changes.

use crate::domain::{Customer, Result};
use crate::state::AppState;
use serde_json::{Map, Value, json};

/// The customer's claims the scopes allow (`sub` included).
pub async fn about(
    state: &AppState,
    customer: &Customer,
    scopes: &[&str],
) -> Result<Map<String, Value>> {
    let mut claims = Map::new();
    claims.insert("sub".into(), json!(customer.id.to_string()));
    if scopes.contains(&"email") {
        claims.insert("email".into(), json!(customer.email.as_str()));
        claims.insert("email_verified".into(), json!(customer.email_verified));
    }
    if scopes.contains(&"profile") {
        claims.insert("name".into(), json!(customer.display_name.as_str()));
        claims.insert("updated_at".into(), json!(customer.updated_at));
        // The language the customer chose, so applications can speak it too.
        if let Some(locale) = &customer.locale {
            claims.insert("locale".into(), json!(locale));
        }
    }
    if scopes.contains(&"gatehouse:tier")
        && let Some(tier) = state.store.tier_by_id(customer.tier).await?
    {
        claims.insert(
            "gatehouse:tier".into(),
            json!({ "slug": tier.slug, "entitlements": tier.entitlements }),
        );
    }
    Ok(claims)
}
