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
