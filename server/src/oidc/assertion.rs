//! `private_key_jwt` (OpenID Connect Core §9, RFC 7523): an application
//! authenticates with a short-lived JWT signed by a private key only it
//! holds, verified against the public keys (JWKS) it registered. Nothing
//! secret is stored on Gatehouse's side.
//!
//! Parsing and checking are pure functions here (property-tested below);
//! remembering each assertion's `jti` until it expires, so none is used
//! twice, is the caller's (`clients::authenticate`).

pub use crate::domain::oidc::{AssertionProblem, JwksProblem};
use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

/// `client_assertion_type` for a JWT (RFC 7523 §2.2).
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How far ahead an assertion may expire: it is meant for one request, and
/// its `jti` is remembered until then.
pub const LIFETIME_MAX: i64 = 600;

/// Clock difference tolerated between the application and Gatehouse.
const LEEWAY: i64 = 30;

pub const JWKS_MAX_BYTES: usize = 20_000;
pub const JWKS_MAX_KEYS: usize = 10;
const JTI_MAX: usize = 256;

/// Signature algorithms accepted for assertions (never `none`, never HMAC:
/// a shared secret is what `client_secret_*` is for).
const ALGORITHMS: [Algorithm; 6] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::ES256,
    Algorithm::EdDSA,
];

/// What a verified assertion leaves to remember: its `jti` until `exp`.
#[derive(Debug, PartialEq, Eq)]
pub struct Verified {
    pub jti: String,
    pub expires_at: i64,
}

#[derive(Deserialize)]
struct Claims {
    iss: Option<String>,
    sub: Option<String>,
    aud: Option<serde_json::Value>,
    exp: Option<i64>,
    nbf: Option<i64>,
    jti: Option<String>,
}

/// The client id an assertion says it comes from (its `sub`), unverified:
/// only to find the keys that then verify it.
pub fn claimed_client(assertion: &str) -> Option<String> {
    let claims: Claims = jsonwebtoken::dangerous::insecure_decode_claims(assertion).ok()?;
    claims.sub
}

/// Verifies `assertion` as client `client_id`'s, signed by one of `keys`,
/// addressed to one of `audiences` (the issuer or an endpoint), at `now`.
pub fn verify(
    assertion: &str,
    client_id: &str,
    keys: &JwkSet,
    audiences: &[String],
    now: i64,
) -> Result<Verified, AssertionProblem> {
    let header = jsonwebtoken::decode_header(assertion).map_err(|_| AssertionProblem::Malformed)?;
    if !ALGORITHMS.contains(&header.alg) {
        return Err(AssertionProblem::Algorithm);
    }
    // Time is checked below against Gatehouse's clock, not the library's.
    let mut validation = Validation::new(header.alg);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    let candidates = keys.keys.iter().filter(|k| match &header.kid {
        Some(kid) => k.common.key_id.as_deref() == Some(kid.as_str()),
        None => true,
    });
    let claims = candidates
        .filter(|k| key_allows(k, header.alg))
        .find_map(|k| {
            let key = DecodingKey::from_jwk(k).ok()?;
            jsonwebtoken::decode::<Claims>(assertion, &key, &validation).ok()
        })
        .ok_or(AssertionProblem::Signature)?
        .claims;
    if claims.iss.as_deref() != Some(client_id) || claims.sub.as_deref() != Some(client_id) {
        return Err(AssertionProblem::Subject);
    }
    let addressed = match &claims.aud {
        Some(serde_json::Value::String(aud)) => audiences.contains(aud),
        Some(serde_json::Value::Array(auds)) => auds
            .iter()
            .any(|a| a.as_str().is_some_and(|a| audiences.iter().any(|x| x == a))),
        _ => false,
    };
    if !addressed {
        return Err(AssertionProblem::Audience);
    }
    let expires_at = claims.exp.ok_or(AssertionProblem::Expired)?;
    if expires_at + LEEWAY <= now {
        return Err(AssertionProblem::Expired);
    }
    if expires_at > now + LIFETIME_MAX + LEEWAY {
        return Err(AssertionProblem::TooLong);
    }
    if claims.nbf.is_some_and(|nbf| nbf > now + LEEWAY) {
        return Err(AssertionProblem::NotYetValid);
    }
    let jti = claims
        .jti
        .filter(|j| !j.is_empty() && j.len() <= JTI_MAX)
        .ok_or(AssertionProblem::MissingJti)?;
    Ok(Verified {
        jti,
        expires_at: expires_at + LEEWAY,
    })
}

/// Whether a key may verify a signature made with `alg`: its declared
/// algorithm, if it has one, must be that one.
fn key_allows(key: &Jwk, alg: Algorithm) -> bool {
    key.common
        .key_algorithm
        .is_none_or(|declared| declared == KeyAlgorithm::from(alg))
}

/// Whether a public key has the size its type needs (RSA of at least 2048
/// bits; the curve's coordinate length), so a mistyped key is refused at
/// registration rather than failing every sign-in.
fn key_shape_ok(key: &Jwk) -> bool {
    use base64::Engine;
    use jsonwebtoken::jwk::{AlgorithmParameters as P, EllipticCurve as C};
    let len = |b64: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(b64)
            .map_or(0, |bytes| bytes.len())
    };
    match &key.algorithm {
        P::RSA(rsa) => len(&rsa.n) >= 256 && len(&rsa.e) > 0,
        P::EllipticCurve(ec) => {
            let size = match ec.curve {
                C::P256 => 32,
                C::P384 => 48,
                _ => return false,
            };
            len(&ec.x) == size && len(&ec.y) == size
        }
        P::OctetKeyPair(okp) => okp.curve == C::Ed25519 && len(&okp.x) == 32,
        _ => false,
    }
}

/// Checks public keys an application registers for `private_key_jwt`.
pub fn parse_jwks(raw: &str) -> Result<JwkSet, JwksProblem> {
    if raw.len() > JWKS_MAX_BYTES {
        return Err(JwksProblem::TooMany);
    }
    let value: serde_json::Value = serde_json::from_str(raw).map_err(|_| JwksProblem::NotJson)?;
    let listed = value
        .get("keys")
        .and_then(|k| k.as_array())
        .ok_or(JwksProblem::NotJson)?;
    if listed.is_empty() {
        return Err(JwksProblem::Empty);
    }
    if listed.len() > JWKS_MAX_KEYS {
        return Err(JwksProblem::TooMany);
    }
    // Private RSA/EC/OKP parameters, or a symmetric key's value.
    const PRIVATE: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "k"];
    if listed
        .iter()
        .any(|k| PRIVATE.iter().any(|p| k.get(p).is_some()))
    {
        return Err(JwksProblem::Private);
    }
    let set: JwkSet = serde_json::from_value(value).map_err(|_| JwksProblem::Unusable)?;
    if set
        .keys
        .iter()
        .any(|k| !key_shape_ok(k) || DecodingKey::from_jwk(k).is_err())
    {
        return Err(JwksProblem::Unusable);
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{EncodingKey, Header};
    use proptest::prelude::*;
    use serde_json::json;

    // A P-256 key made for these tests only.
    const TEST_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgWU39fRgj/my3b2go
jBG75DI7tSX9mCCoyfKaMY/dzWShRANCAASwvy47Pb1fVIJSwl8JuHsnydqczVU3
d5oJQBfvNTNnWW90mPWfGlJY7w4dgVXkPoZHbyPOwVM0mUiSbzvzYJ5g
-----END PRIVATE KEY-----";
    const CLIENT: &str = "shop-backend";
    const ISSUER: &str = "https://id.example.com";
    const NOW: i64 = 1_800_000_000;

    /// A PEM block's DER bytes.
    fn der(pem: &str) -> Vec<u8> {
        use base64::Engine;
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap()
    }

    fn keys() -> JwkSet {
        let key = EncodingKey::from_ec_der(&der(TEST_KEY));
        let mut jwk = Jwk::from_encoding_key(&key, Algorithm::ES256).unwrap();
        jwk.common.key_id = Some("k1".into());
        JwkSet { keys: vec![jwk] }
    }

    fn sign(claims: serde_json::Value) -> String {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some("k1".into());
        let key = EncodingKey::from_ec_der(&der(TEST_KEY));
        jsonwebtoken::encode(&header, &claims, &key).unwrap()
    }

    fn good_claims() -> serde_json::Value {
        json!({ "iss": CLIENT, "sub": CLIENT, "aud": ISSUER, "exp": NOW + 60, "jti": "j-1" })
    }

    fn check(assertion: &str) -> Result<Verified, AssertionProblem> {
        verify(assertion, CLIENT, &keys(), &[ISSUER.to_string()], NOW)
    }

    #[test]
    fn a_sound_assertion_verifies_and_each_rule_is_enforced() {
        assert_eq!(
            check(&sign(good_claims())),
            Ok(Verified {
                jti: "j-1".into(),
                expires_at: NOW + 60 + LEEWAY
            })
        );
        assert_eq!(
            claimed_client(&sign(good_claims())).as_deref(),
            Some(CLIENT)
        );
        let with = |field: &str, value: serde_json::Value| {
            let mut claims = good_claims();
            claims[field] = value;
            check(&sign(claims))
        };
        assert_eq!(
            with("aud", json!([ISSUER, "other"])).map(|v| v.jti),
            Ok("j-1".into())
        );
        assert_eq!(
            with("iss", json!("someone-else")),
            Err(AssertionProblem::Subject)
        );
        assert_eq!(
            with("sub", json!("someone-else")),
            Err(AssertionProblem::Subject)
        );
        assert_eq!(
            with("aud", json!("https://elsewhere.example")),
            Err(AssertionProblem::Audience)
        );
        assert_eq!(with("exp", json!(NOW - 31)), Err(AssertionProblem::Expired));
        assert_eq!(
            with("exp", json!(NOW + 3600)),
            Err(AssertionProblem::TooLong)
        );
        assert_eq!(
            with("nbf", json!(NOW + 120)),
            Err(AssertionProblem::NotYetValid)
        );
        assert_eq!(with("jti", json!("")), Err(AssertionProblem::MissingJti));
        // Signed with HMAC using the public key as the secret: refused.
        let forged = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &good_claims(),
            &EncodingKey::from_secret(b"anything").unwrap(),
        )
        .unwrap();
        assert_eq!(check(&forged), Err(AssertionProblem::Algorithm));
        // Another key under the registered kid.
        let other = r#"{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}"#;
        let other = parse_jwks(other).unwrap();
        assert_eq!(
            verify(
                &sign(good_claims()),
                CLIENT,
                &other,
                &[ISSUER.to_string()],
                NOW
            ),
            Err(AssertionProblem::Signature)
        );
    }

    #[test]
    fn only_public_keys_are_registered() {
        let public = serde_json::to_string(&keys()).unwrap();
        assert!(parse_jwks(&public).is_ok());
        assert_eq!(parse_jwks("not json"), Err(JwksProblem::NotJson));
        assert_eq!(parse_jwks(r#"{"keys":[]}"#), Err(JwksProblem::Empty));
        assert_eq!(
            parse_jwks(r#"{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}"#),
            Err(JwksProblem::Private)
        );
        let mut private: serde_json::Value = serde_json::from_str(&public).unwrap();
        private["keys"][0]["d"] = json!("evZzL1gdAFr88hb2OF_2NxApJCzGCEDdfSp6VQO30hw");
        assert_eq!(parse_jwks(&private.to_string()), Err(JwksProblem::Private));
        assert_eq!(
            parse_jwks(r#"{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]}"#),
            Err(JwksProblem::Unusable)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Whatever arrives as an assertion, nothing panics and nothing
        /// but the genuine one verifies.
        #[test]
        fn arbitrary_assertions_never_verify(raw in ".{0,600}") {
            prop_assert!(check(&raw).is_err());
            let _ = claimed_client(&raw);
        }

        /// Any one character of a genuine assertion changed: refused.
        #[test]
        fn a_tampered_assertion_never_verifies(at in any::<prop::sample::Index>(), with in "[A-Za-z0-9_.=-]") {
            let genuine = sign(good_claims());
            let i = at.index(genuine.len());
            let mut tampered = genuine.clone();
            tampered.replace_range(i..i + 1, &with);
            prop_assume!(tampered != genuine);
            // Base64url's last character may carry unused bits: a change
            // there can decode to the same bytes, which is the same token.
            let same_bytes = |a: &str, b: &str| {
                use base64::Engine;
                let decode = |s: &str| s.split('.').map(|p| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(p).ok()).collect::<Vec<_>>();
                decode(a) == decode(b)
            };
            prop_assume!(!same_bytes(&tampered, &genuine));
            prop_assert!(check(&tampered).is_err());
        }

        /// Segments of a genuine assertion rearranged or mixed with noise.
        #[test]
        fn spliced_assertions_never_verify(noise in "[A-Za-z0-9_-]{0,80}", pick in 0usize..6) {
            let genuine = sign(good_claims());
            let parts: Vec<&str> = genuine.split('.').collect();
            let spliced = match pick {
                0 => format!("{}.{}.{noise}", parts[0], parts[1]),
                1 => format!("{}.{noise}.{}", parts[0], parts[2]),
                2 => format!("{noise}.{}.{}", parts[1], parts[2]),
                3 => format!("{}.{}", parts[0], parts[1]),
                4 => format!("{}.{}.{}.{noise}", parts[0], parts[1], parts[2]),
                _ => format!("{}..{}", parts[0], parts[2]),
            };
            prop_assume!(spliced != genuine);
            prop_assert!(check(&spliced).is_err());
        }

        #[test]
        fn arbitrary_jwks_never_panic(raw in ".{0,400}") {
            let _ = parse_jwks(&raw);
        }
    }
}
