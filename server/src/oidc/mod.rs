//! Gatehouse as the OpenID Connect provider of the organisation's
//! applications: `clients` (registration, secrets, client authentication),
//! `authorize` (the authorization endpoint's rules: sign-in, consent,
//! codes), `tokens` (the token endpoint's grants and the tokens they mint),
//! `claims` (what a token says about the customer). Signing keys are in
//! `crate::signing`; the endpoints in `http::oidc`.

pub mod access;
pub mod assertion;
pub mod authorize;
pub mod backchannel;
pub mod claims;
pub mod clients;
pub mod device;
pub mod handoff;
pub mod introspection;
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
/// Two factors: a password and a code, or a passkey.
pub const ACR_MULTI_FACTOR: &str = "urn:gatehouse:loa:2";
/// A passkey: two factors that cannot be phished onto another site.
pub const ACR_PHISHING_RESISTANT: &str = "urn:gatehouse:loa:3";

/// The `acr` values Gatehouse knows, weakest first (discovery lists them).
pub const ACR_VALUES: &[&str] = &[ACR_SINGLE_FACTOR, ACR_MULTI_FACTOR, ACR_PHISHING_RESISTANT];

/// The level a session's `amr` values reach.
pub fn acr_of(amr: &str) -> &'static str {
    let has = |v: &str| amr.split_whitespace().any(|a| a == v);
    if has("hwk") {
        ACR_PHISHING_RESISTANT
    } else if has("mfa") {
        ACR_MULTI_FACTOR
    } else {
        ACR_SINGLE_FACTOR
    }
}

fn rank(acr: &str) -> Option<usize> {
    ACR_VALUES.iter().position(|a| *a == acr)
}

/// Whether meeting `requested` takes a phishing-resistant factor (a
/// passkey): the weakest known level asked for is that one.
pub fn needs_passkey(requested: &[String]) -> bool {
    requested.iter().filter_map(|a| rank(a)).min() == rank(ACR_PHISHING_RESISTANT)
}

/// Whether a session signed in with `amr` meets the `acr_values` an
/// application asked for: any one of the known values, at least. Values
/// Gatehouse does not know are ignored, as they are voluntary.
pub fn acr_met(requested: &[String], amr: &str) -> bool {
    let reached = rank(acr_of(amr));
    let known: Vec<usize> = requested.iter().filter_map(|a| rank(a)).collect();
    known.is_empty() || known.iter().any(|r| Some(*r) <= reached)
}

#[cfg(test)]
mod acr_tests {
    use super::*;

    #[test]
    fn the_level_follows_the_factors_shown() {
        assert_eq!(acr_of("pwd"), ACR_SINGLE_FACTOR);
        assert_eq!(acr_of("email"), ACR_SINGLE_FACTOR);
        assert_eq!(acr_of("pwd otp mfa"), ACR_MULTI_FACTOR);
        assert_eq!(acr_of("hwk mfa"), ACR_PHISHING_RESISTANT);
        assert_eq!(acr_of("pwd hwk mfa"), ACR_PHISHING_RESISTANT);
    }

    #[test]
    fn a_request_is_met_by_any_known_level_at_least() {
        let asked = |values: &[&str]| values.iter().map(|v| v.to_string()).collect::<Vec<_>>();
        assert!(acr_met(&[], "pwd"));
        assert!(
            acr_met(&asked(&["urn:other:gold"]), "pwd"),
            "unknown values are voluntary"
        );
        assert!(acr_met(&asked(&[ACR_SINGLE_FACTOR]), "pwd"));
        assert!(!acr_met(&asked(&[ACR_MULTI_FACTOR]), "pwd"));
        assert!(acr_met(&asked(&[ACR_MULTI_FACTOR]), "pwd otp mfa"));
        assert!(!acr_met(&asked(&[ACR_PHISHING_RESISTANT]), "pwd otp mfa"));
        assert!(acr_met(
            &asked(&[ACR_PHISHING_RESISTANT, ACR_MULTI_FACTOR]),
            "pwd otp mfa"
        ));
        assert!(acr_met(&asked(&[ACR_MULTI_FACTOR]), "hwk mfa"));
    }
}
