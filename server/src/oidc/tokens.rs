//! The token endpoint's grants (RFC 6749 §4.1.3, §4.4, §6) and the tokens
//! they mint: access tokens as JWTs (RFC 9068, `typ: at+jwt`), ID tokens
//! (OpenID Connect Core §2), opaque refresh tokens stored as digests and
//! rotated on every use.

use super::authorize::requested_scopes;
use super::issuer;
use super::params::Params;
use super::{acr_of, claims};
use crate::audit;
use crate::domain::oidc::{Client, Grant, GrantType, OAuthCode, OAuthError, OAuthProblem};
use crate::domain::secrets::{LinkToken, hash_token};
use crate::domain::{Action, Customer, CustomerId, Error, RequestContext, Result};
use crate::signing::jwt_algorithm;
use crate::state::AppState;
use crate::store::{CodeSpend, RefreshSpend};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// What a successful grant returns (RFC 6749 §5.1).
#[derive(Debug, Serialize)]
pub struct Issued {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    pub scope: String,
}

/// An access token's claims (RFC 9068 §2.2).
#[derive(Debug, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub client_id: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    pub scope: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
    /// The grant the token was issued under (a customer's sign-in to the
    /// application), so revoking the grant ends its access tokens too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gid: Option<uuid::Uuid>,
}

/// Runs the grant the request names for an authenticated client.
pub async fn exchange(
    state: &AppState,
    ctx: &RequestContext,
    client: &Client,
    params: &Params<'_>,
) -> Result<Issued> {
    let grant = match params.one("grant_type")? {
        None => return Err(OAuthError::invalid_request("grant_type").into()),
        Some(raw) => GrantType::parse(raw).ok_or_else(|| {
            OAuthError::new(
                OAuthCode::UnsupportedGrantType,
                OAuthProblem::GrantNotAllowed,
            )
        })?,
    };
    if !client.allows(grant) {
        return Err(Error::oauth(
            OAuthCode::UnauthorizedClient,
            OAuthProblem::GrantNotAllowed,
        ));
    }
    let issued = match grant {
        GrantType::AuthorizationCode => authorization_code(state, ctx, client, params).await,
        GrantType::RefreshToken => refresh(state, ctx, client, params).await,
        GrantType::ClientCredentials => client_credentials(state, client, params).await,
        GrantType::DeviceCode => {
            async {
                let grant = super::device::poll(state, client, params).await?;
                let customer = live_customer(state, grant.customer).await?;
                mint(state, client, &customer, &grant, None, None).await
            }
            .await
        }
    };
    let result = match &issued {
        Ok(_) => "issued",
        Err(Error::OAuth(refused)) => refused.code.as_str(),
        Err(_) => "error",
    };
    state.metrics.token_grant(grant.as_str(), result);
    issued
}

async fn authorization_code(
    state: &AppState,
    ctx: &RequestContext,
    client: &Client,
    params: &Params<'_>,
) -> Result<Issued> {
    let code = params
        .one("code")?
        .ok_or_else(|| OAuthError::invalid_request("code"))?;
    let redirect_uri = params.one("redirect_uri")?;
    let verifier = params.one("code_verifier")?;
    let now = state.clock.now();
    let invalid = || Error::oauth(OAuthCode::InvalidGrant, OAuthProblem::CodeInvalid);
    let granted = match state
        .store
        .spend_code(&hash_token(code), &client.id, now)
        .await?
    {
        CodeSpend::Granted(granted) => granted,
        CodeSpend::Replayed => {
            audit::record(
                state,
                ctx,
                Action::OidcCodeReplayed,
                None,
                json!({ "client_id": client.id }),
            )
            .await?;
            return Err(invalid());
        }
        CodeSpend::Unknown => return Err(invalid()),
    };
    // The code was spent either way: a wrong verifier or redirect URI
    // cannot be retried with the same code.
    if redirect_uri != Some(granted.redirect_uri.as_str()) {
        return Err(invalid());
    }
    match (&granted.code_challenge, verifier) {
        (Some(challenge), Some(verifier)) => {
            if !pkce_matches(challenge, verifier) {
                return Err(Error::oauth(
                    OAuthCode::InvalidGrant,
                    OAuthProblem::PkceMismatch,
                ));
            }
        }
        (None, None) => {}
        _ => {
            return Err(Error::oauth(
                OAuthCode::InvalidGrant,
                OAuthProblem::PkceMismatch,
            ));
        }
    }
    let customer = live_customer(state, granted.grant.customer).await?;
    // Its session has ended since the code was issued (signed out
    // everywhere, say): nothing may be minted for it any more.
    if !state
        .store
        .record_session_grant(&granted.grant, now)
        .await?
    {
        return Err(invalid());
    }
    mint(
        state,
        client,
        &customer,
        &granted.grant,
        granted.nonce.as_deref(),
        None,
    )
    .await
}

async fn refresh(
    state: &AppState,
    ctx: &RequestContext,
    client: &Client,
    params: &Params<'_>,
) -> Result<Issued> {
    let token = params
        .one("refresh_token")?
        .ok_or_else(|| OAuthError::invalid_request("refresh_token"))?;
    let narrowed = params.one("scope")?;
    let now = state.clock.now();
    // A narrower scope is checked before the token is spent: a refused
    // request changes nothing (RFC 6749 §5.2), where spending it would
    // make the client's retry look like a replay and end the grant.
    if let Some(narrowed) = narrowed
        && let Some((grant, .., true)) = state.store.refresh_token(&hash_token(token), now).await?
        && grant.client_id == client.id
    {
        narrower_scope(client, &grant, narrowed)?;
    }
    let next = LinkToken::generate();
    let spent = state
        .store
        .rotate_refresh_token(
            &hash_token(token),
            &client.id,
            &next.hash,
            now,
            now + client.refresh_token_ttl,
        )
        .await?;
    let invalid = || Error::oauth(OAuthCode::InvalidGrant, OAuthProblem::RefreshTokenInvalid);
    let (grant, customer) = match spent {
        RefreshSpend::Rotated(rotated) => *rotated,
        RefreshSpend::Replayed => {
            audit::record(
                state,
                ctx,
                Action::OidcRefreshTokenReplayed,
                None,
                json!({ "client_id": client.id }),
            )
            .await?;
            return Err(invalid());
        }
        RefreshSpend::Unknown => return Err(invalid()),
    };
    // Rotation skips a disabled customer's token (and disabling revoked
    // it); this holds should a disable land in between.
    if customer.disabled {
        return Err(Error::oauth(
            OAuthCode::InvalidGrant,
            OAuthProblem::CustomerGone,
        ));
    }
    // A narrower scope for this access token only (RFC 6749 §6); the
    // session it was granted in, while that lasts, for the ID token.
    let mut this_time = grant.clone();
    this_time.session = state.store.grant_session(grant.family).await?;
    if let Some(narrowed) = narrowed {
        this_time.scope = narrower_scope(client, &grant, narrowed)?;
    }
    mint(state, client, &customer, &this_time, None, Some(next.raw)).await
}

/// The scope `narrowed` asks of a refresh, when within what `grant` holds.
fn narrower_scope(client: &Client, grant: &Grant, narrowed: &str) -> Result<String> {
    let asked = requested_scopes(narrowed, client)?;
    if !asked
        .iter()
        .all(|s| grant.scope.split_whitespace().any(|g| g == s))
    {
        return Err(Error::oauth(
            OAuthCode::InvalidScope,
            OAuthProblem::Scope(narrowed.chars().take(64).collect()),
        ));
    }
    Ok(asked.join(" "))
}

async fn client_credentials(
    state: &AppState,
    client: &Client,
    params: &Params<'_>,
) -> Result<Issued> {
    let scopes = requested_scopes(params.one("scope")?.unwrap_or(""), client)?;
    // Scopes about a customer mean nothing without one.
    if let Some(scope) = scopes.iter().find(|s| {
        matches!(
            s.as_str(),
            "openid" | "offline_access" | "profile" | "email" | "gatehouse:tier"
        )
    }) {
        return Err(Error::oauth(
            OAuthCode::InvalidScope,
            OAuthProblem::Scope(scope.clone()),
        ));
    }
    let scope = scopes.join(" ");
    let access_token = access_token(state, client, &client.id, &scope, None, None).await?;
    Ok(Issued {
        access_token,
        token_type: "Bearer",
        expires_in: client.access_token_ttl,
        refresh_token: None,
        id_token: None,
        scope,
    })
}

/// The tokens of a grant to a customer: an access token, an ID token when
/// `openid` was granted, and (`refresh` given, or issued here when the
/// client may refresh) the next refresh token.
async fn mint(
    state: &AppState,
    client: &Client,
    customer: &Customer,
    grant: &Grant,
    nonce: Option<&str>,
    refresh: Option<String>,
) -> Result<Issued> {
    let now = state.clock.now();
    let sub = customer.id.to_string();
    let access_token = access_token(
        state,
        client,
        &sub,
        &grant.scope,
        Some(grant.auth_time),
        Some(grant.family),
    )
    .await?;
    let scopes: Vec<&str> = grant.scope.split_whitespace().collect();
    let id_token = if scopes.contains(&"openid") {
        let mut claims = claims::about(state, customer, &scopes).await?;
        let base = json!({
            "iss": issuer(state),
            "aud": client.id,
            "azp": client.id,
            "iat": now,
            "exp": now + client.access_token_ttl,
            "auth_time": grant.auth_time,
            "amr": grant.amr.split_whitespace().collect::<Vec<_>>(),
            "acr": acr_of(&grant.amr),
        });
        if let Value::Object(base) = base {
            claims.extend(base);
        }
        if let Some(nonce) = nonce {
            claims.insert("nonce".into(), json!(nonce));
        }
        // The session, as the back-channel logout token will name it.
        if let Some(session) = grant.session {
            claims.insert("sid".into(), json!(session));
        }
        let keys = state.signing_keys().await?;
        Some(keys.signer(client.id_token_alg)?.sign("JWT", &claims)?)
    } else {
        None
    };
    let refresh_token = match refresh {
        Some(next) => Some(next),
        None => {
            // A new grant: recorded, so ending the customer's access reaches
            // this access token even when no refresh token goes with it.
            state
                .store
                .record_grant_family(grant, now, now + client.access_token_ttl)
                .await?;
            if offline(client, &scopes) {
                let token = LinkToken::generate();
                let expires = now + client.refresh_token_ttl;
                state
                    .store
                    .insert_refresh_token(&token.hash, grant, now, expires)
                    .await?;
                Some(token.raw)
            } else {
                None
            }
        }
    };
    Ok(Issued {
        access_token,
        token_type: "Bearer",
        expires_in: client.access_token_ttl,
        refresh_token,
        id_token,
        scope: grant.scope.clone(),
    })
}

/// Whether a grant of `scopes` gets a refresh token: the client may
/// refresh, and either the customer agreed to access while they are away
/// (`offline_access`, OpenID Connect Core §11) or the application is the
/// organisation's own (registered first party, trusted to stay signed in).
fn offline(client: &Client, scopes: &[&str]) -> bool {
    client.allows(GrantType::RefreshToken)
        && (scopes.contains(&"offline_access") || client.first_party)
}

async fn access_token(
    state: &AppState,
    client: &Client,
    sub: &str,
    scope: &str,
    auth_time: Option<i64>,
    gid: Option<uuid::Uuid>,
) -> Result<String> {
    let now = state.clock.now();
    let iss = issuer(state);
    let claims = AccessClaims {
        aud: iss.clone(),
        iss,
        sub: sub.to_string(),
        client_id: client.id.clone(),
        iat: now,
        exp: now + client.access_token_ttl,
        jti: uuid::Uuid::now_v7().simple().to_string(),
        scope: scope.to_string(),
        auth_time,
        gid,
    };
    let keys = state.signing_keys().await?;
    keys.signer(state.config.access_token_alg)?
        .sign("at+jwt", &claims)
}

/// Checks an access token this Gatehouse signed: signature by a published
/// key, `typ`, issuer, audience, and expiry by Gatehouse's clock.
pub async fn verify_access_token(state: &AppState, token: &str) -> Result<AccessClaims> {
    let invalid = || Error::oauth(OAuthCode::InvalidToken, OAuthProblem::BearerToken);
    if token.len() > 4096 {
        return Err(invalid());
    }
    let header = jsonwebtoken::decode_header(token).map_err(|_| invalid())?;
    if header.typ.as_deref() != Some("at+jwt") {
        return Err(invalid());
    }
    let kid = header.kid.ok_or_else(invalid)?;
    let keys = state.signing_keys().await?;
    let (alg, key) = keys.verifier(&kid).ok_or_else(invalid)?;
    let mut validation = jsonwebtoken::Validation::new(jwt_algorithm(*alg));
    let iss = issuer(state);
    validation.set_issuer(&[&iss]);
    validation.set_audience(&[&iss]);
    // Expiry by Gatehouse's clock (tests move it), not the system's.
    validation.validate_exp = false;
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    let data =
        jsonwebtoken::decode::<AccessClaims>(token, key, &validation).map_err(|_| invalid())?;
    if data.claims.exp <= state.clock.now() {
        return Err(invalid());
    }
    // An application disabled since: its tokens stop here at once (a
    // resource server checking signatures alone sees them until expiry).
    if !super::clients::is_enabled(state, &data.claims.client_id).await? {
        return Err(invalid());
    }
    if let Some(gid) = data.claims.gid
        && state.store.grant_revoked(gid).await?
    {
        return Err(invalid());
    }
    Ok(data.claims)
}

/// The claims the userinfo endpoint returns for an access token.
pub async fn userinfo(state: &AppState, token: &str) -> Result<serde_json::Map<String, Value>> {
    let access = verify_access_token(state, token).await?;
    let invalid = || Error::oauth(OAuthCode::InvalidToken, OAuthProblem::BearerToken);
    let scopes: Vec<&str> = access.scope.split_whitespace().collect();
    if !scopes.contains(&"openid") {
        return Err(invalid());
    }
    let id = access.sub.parse().map(CustomerId).map_err(|_| invalid())?;
    let customer = live_customer(state, id).await.map_err(|_| invalid())?;
    claims::about(state, &customer, &scopes).await
}

/// The customer a grant is for, if they may still sign in.
pub(super) async fn live_customer(state: &AppState, id: CustomerId) -> Result<Customer> {
    match state.store.customer_by_id(id).await? {
        Some(customer) if !customer.disabled => Ok(customer),
        _ => Err(Error::oauth(
            OAuthCode::InvalidGrant,
            OAuthProblem::CustomerGone,
        )),
    }
}

/// RFC 7636 §4.6: BASE64URL(SHA256(verifier)) == challenge, for a verifier
/// of 43 to 128 unreserved characters.
pub fn pkce_matches(challenge: &str, verifier: &str) -> bool {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    well_formed && bool::from(computed.as_bytes().ct_eq(challenge.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_is_s256_of_a_well_formed_verifier() {
        // The challenge computed by Python's hashlib and base64 modules.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r7wW1gFWFOEjXk";
        let challenge = "bwWFMyPfdG9qreDhH2lmftFx_dFeLDalzcT1gb_j68g";
        assert!(pkce_matches(challenge, verifier));
        assert!(!pkce_matches(challenge, &verifier.replace('d', "e")));
        assert!(!pkce_matches(challenge, "short"));
        assert!(!pkce_matches(challenge, &format!("{verifier}!")));
    }
}
