//! Gatehouse as the OpenID Connect provider of the organisation's
//! applications: `clients` (registration, secrets, client authentication),
//! `authorize` (the authorization endpoint's rules: sign-in, consent,
//! codes), `tokens` (the token endpoint's grants and the tokens they mint),
//! `claims` (what a token says about the customer). Signing keys are in
//! `crate::signing`; the endpoints in `http::oidc`.

pub mod access;
pub mod assertion;
pub mod authorize;
pub mod claims;
pub mod clients;
pub mod device;
pub mod logout;
pub mod params;
pub mod tokens;

/// The scopes Gatehouse knows. `gatehouse:tier` adds the customer's
/// membership tier and its entitlements.
pub const SCOPES: &[&str] = &[
    "openid",
    "profile",
    "email",
    "offline_access",
    "gatehouse:tier",
];

/// The issuer identifier: Gatehouse's public address (`iss` of every token).
pub fn issuer(state: &crate::state::AppState) -> String {
    state.config.link("")
}

/// The assurance a session established with one factor gives (`acr`).
pub const ACR_SINGLE_FACTOR: &str = "urn:gatehouse:loa:1";

/// The `acr` values Gatehouse knows (discovery lists them).
pub const ACR_VALUES: &[&str] = &[ACR_SINGLE_FACTOR];

/// Whether the customer's session meets the `acr_values` an application
/// asked for; when not, the customer signs in again, through the sign-in
/// flow (where a second factor can raise the level). Values Gatehouse does
/// not know are ignored, as they are voluntary. Every session meets the
/// single-factor level, the only one so far.
pub fn acr_met(requested: &[String]) -> bool {
    let known: Vec<&String> = requested
        .iter()
        .filter(|a| ACR_VALUES.contains(&a.as_str()))
        .collect();
    known.is_empty() || known.iter().any(|a| *a == ACR_SINGLE_FACTOR)
}
