//! Applications: registering them, their settings and secrets; how they
//! authenticate is `authentication`.
//!
//! A client secret is 256 random bits, shown once and stored as its SHA-256
//! digest: a secret that cannot be guessed needs no slow hash, so the token
//! endpoint never waits on the password pool.

mod authentication;
mod redirect_uris;

pub use authentication::{Credential, Presented, authenticate, from_basic_header, presented};
pub use redirect_uris::{acceptable_redirect_uri, redirect_matches};

use super::SCOPES;
use super::assertion;
use crate::audit;
use crate::domain::oidc::{
    Client, ClientAuth, GrantType, OAuthCode, OAuthError, OAuthProblem, SigningAlg,
};
use crate::domain::secrets::{hash_token, random_string};
use crate::domain::{
    Action, Change, Error, FieldErrors, OwnerTask, Problem, Record, RequestContext, Result,
};
use crate::signing::MAX_TOKEN_LIFETIME;
use crate::state::{AppState, CachedClient};
use serde_json::json;

pub const REDIRECT_URIS_MAX: usize = 20;
/// What a registration that does not say gets (the console's new form too).
pub const DEFAULT_GRANTS: [GrantType; 2] = [GrantType::AuthorizationCode, GrantType::RefreshToken];
pub const DEFAULT_ACCESS_TOKEN_TTL: i64 = 3600;
pub const DEFAULT_REFRESH_TOKEN_TTL: i64 = 30 * 24 * 3600;
pub const NAME_MAX: usize = 100;

/// What an owner (or `gatehouse clients create`) asks for.
#[derive(Clone, Debug, Default)]
pub struct Registration {
    pub name: String,
    pub public: bool,
    pub first_party: bool,
    /// May introspect every application's access tokens (an API).
    pub resource_server: bool,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    /// `None`: authorization_code and refresh_token.
    pub grant_types: Option<Vec<String>>,
    /// `None`: every scope Gatehouse knows.
    pub scopes: Option<Vec<String>>,
    pub access_token_ttl: Option<i64>,
    pub refresh_token_ttl: Option<i64>,
    pub id_token_alg: Option<String>,
    pub logo_url: Option<String>,
    /// Public keys (a JWKS document) for `private_key_jwt`: a confidential
    /// client with keys is given no secret.
    pub jwks: Option<String>,
    /// Where the application is told that a customer's session ended.
    pub backchannel_logout_uri: Option<String>,
    /// Where the application signs a browser in at Gatehouse's request.
    pub initiate_login_uri: Option<String>,
}

/// A registered application, with its secret this once (none when public).
pub struct Registered {
    pub client: Client,
    pub secret: Option<String>,
}

pub async fn register(
    state: &AppState,
    ctx: &RequestContext,
    registration: Registration,
) -> Result<Registered> {
    ctx.require_owner(OwnerTask::ManageApps)?;
    let mut client = check(registration)?;
    // 122 random bits as 32 hex digits: never begins with "-" (a base64 id
    // could, and a command line then reads it as an option) and is safe
    // unquoted in a URL, a shell and a config file.
    client.id = uuid::Uuid::new_v4().simple().to_string();
    client.created_at = state.clock.now();
    let secret = (client.auth() == ClientAuth::ClientSecret).then(random_string);
    let digest = secret.as_deref().map(hash_token);
    state
        .store
        .insert_client(&client, digest.as_deref())
        .await?;
    // An id asked for before it existed may be remembered as unknown.
    state.announce(Change::Client(client.id.clone())).await;
    audit::record(
        state,
        ctx,
        Action::AppRegistered,
        None,
        json!({ "client_id": client.id, "name": client.name, "public": client.public }),
    )
    .await?;
    Ok(Registered { client, secret })
}

/// Saves an owner's changes to an application. Whether it is public stays
/// as registered: a public client has no secret to authenticate with, and a
/// confidential one's apps hold one.
pub async fn update(
    state: &AppState,
    ctx: &RequestContext,
    client_id: &str,
    registration: Registration,
) -> Result<Client> {
    ctx.require_owner(OwnerTask::ManageApps)?;
    let stored = state
        .store
        .client(client_id)
        .await?
        .ok_or(Error::NotFound)?;
    let mut client = check(Registration {
        public: stored.public,
        ..registration
    })?;
    client.id = stored.id.clone();
    client.enabled = stored.enabled;
    client.created_at = stored.created_at;
    if !state
        .store
        .update_client(&client, state.clock.now())
        .await?
    {
        return Err(Error::NotFound);
    }
    state.announce(Change::Client(client.id.clone())).await;
    audit::record(
        state,
        ctx,
        Action::AppUpdated,
        None,
        json!({ "client_id": client.id, "changed": changes(&stored, &client) }),
    )
    .await?;
    Ok(client)
}

/// The names of the settings that differ, for the audit trail.
fn changes(before: &Client, after: &Client) -> Vec<&'static str> {
    [
        ("name", before.name != after.name),
        ("first_party", before.first_party != after.first_party),
        (
            "resource_server",
            before.resource_server != after.resource_server,
        ),
        ("redirect_uris", before.redirect_uris != after.redirect_uris),
        (
            "post_logout_redirect_uris",
            before.post_logout_redirect_uris != after.post_logout_redirect_uris,
        ),
        ("grant_types", before.grant_types != after.grant_types),
        ("scopes", before.scopes != after.scopes),
        (
            "token_lifetimes",
            (before.access_token_ttl, before.refresh_token_ttl)
                != (after.access_token_ttl, after.refresh_token_ttl),
        ),
        ("id_token_alg", before.id_token_alg != after.id_token_alg),
        ("logo_url", before.logo_url != after.logo_url),
        ("jwks", before.jwks != after.jwks),
        (
            "backchannel_logout_uri",
            before.backchannel_logout_uri != after.backchannel_logout_uri,
        ),
        (
            "initiate_login_uri",
            before.initiate_login_uri != after.initiate_login_uri,
        ),
    ]
    .into_iter()
    .filter_map(|(name, changed)| changed.then_some(name))
    .collect()
}

/// Turns an application off or on. Off, it can neither start a sign-in nor
/// use the token endpoint (so its refresh tokens stop working); its
/// customers' grants are kept for when it is turned on again.
pub async fn set_enabled(
    state: &AppState,
    ctx: &RequestContext,
    client_id: &str,
    enabled: bool,
) -> Result<()> {
    ctx.require_owner(OwnerTask::ManageApps)?;
    let mut client = state
        .store
        .client(client_id)
        .await?
        .ok_or(Error::NotFound)?;
    if client.enabled == enabled {
        return Ok(());
    }
    client.enabled = enabled;
    state
        .store
        .update_client(&client, state.clock.now())
        .await?;
    state.announce(Change::Client(client.id.clone())).await;
    let action = if enabled {
        Action::AppEnabled
    } else {
        Action::AppDisabled
    };
    audit::record(state, ctx, action, None, json!({ "client_id": client.id })).await
}

/// Issues a new secret; the old ones keep working for `overlap` seconds so
/// the application can be redeployed with the new one.
pub async fn rotate_secret(
    state: &AppState,
    ctx: &RequestContext,
    client_id: &str,
    overlap: i64,
) -> Result<String> {
    ctx.require_owner(OwnerTask::ManageApps)?;
    let client = state
        .store
        .client(client_id)
        .await?
        .ok_or(Error::NotFound)?;
    match client.auth() {
        ClientAuth::None => return Err(Error::BadRequest(Problem::PublicClientCredentials)),
        ClientAuth::PrivateKeyJwt => return Err(Error::BadRequest(Problem::KeysNotSecret)),
        ClientAuth::ClientSecret => {}
    }
    let secret = random_string();
    let now = state.clock.now();
    let overlap = overlap.clamp(0, 30 * 24 * 3600);
    state
        .store
        .rotate_client_secret(&client.id, &hash_token(&secret), now, now + overlap)
        .await?;
    state.announce(Change::Client(client.id.clone())).await;
    audit::record(
        state,
        ctx,
        Action::AppSecretRotated,
        None,
        json!({ "client_id": client.id, "old_secrets_until": now + overlap }),
    )
    .await?;
    Ok(secret)
}

/// Every registered application.
pub async fn list(state: &AppState) -> Result<Vec<Client>> {
    Ok(state.store.clients().await?)
}

/// A registered application by id, enabled or not (for the console).
pub async fn get(state: &AppState, client_id: &str) -> Result<Client> {
    state.store.client(client_id).await?.ok_or(Error::NotFound)
}

/// An enabled client by id, for the authorization endpoint.
pub async fn find(state: &AppState, client_id: &str) -> Result<Client> {
    let unknown = || {
        Error::from(OAuthError::new(
            OAuthCode::InvalidRequest,
            OAuthProblem::UnknownClient,
        ))
    };
    if client_id.is_empty() || client_id.len() > 64 {
        return Err(unknown());
    }
    let client = cached(state, client_id)
        .await?
        .client
        .clone()
        .ok_or_else(unknown)?;
    if !client.enabled {
        return Err(
            OAuthError::new(OAuthCode::InvalidRequest, OAuthProblem::ClientDisabled).into(),
        );
    }
    Ok(client)
}

/// Whether the application by this id exists and is enabled (from the
/// last few seconds' copy).
pub async fn is_enabled(state: &AppState, client_id: &str) -> Result<bool> {
    if looks_like_client_id(client_id).is_err() {
        return Ok(false);
    }
    Ok(cached(state, client_id)
        .await?
        .client
        .as_ref()
        .is_some_and(|c| c.enabled))
}

/// The application by this id, from the last few seconds' copy if any.
async fn cached(state: &AppState, id: &str) -> Result<std::sync::Arc<CachedClient>> {
    let hit = state.clients.get(id, state.hearing.fresh_for());
    state.metrics.cache_lookup("clients", hit.is_some());
    if let Some(entry) = hit {
        return Ok(entry);
    }
    let client = state.store.client(id).await?;
    let secret_digests = match &client {
        Some(c) if !c.public => {
            state
                .store
                .client_secret_digests(id, state.clock.now())
                .await?
        }
        _ => Vec::new(),
    };
    let keys = client
        .as_ref()
        .and_then(|c| c.jwks.as_deref())
        .and_then(|raw| assertion::parse_jwks(raw).ok());
    Ok(state.clients.put(
        id,
        CachedClient {
            client,
            secret_digests,
            keys,
        },
    ))
}

/// Reads a client id from a command line or a page.
pub fn looks_like_client_id(raw: &str) -> Result<&str> {
    if (1..=64).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        Ok(raw)
    } else {
        Err(Error::BadRequest(Problem::NotAnId(Record::App)))
    }
}

/// Checks a registration and gives the client it describes (id and time
/// left for the caller).
fn check(r: Registration) -> Result<Client> {
    let mut errors = FieldErrors::new();
    let name = r.name.trim().to_string();
    if name.is_empty() || name.chars().count() > NAME_MAX || name.chars().any(char::is_control) {
        errors.add("name", Problem::AppName);
    }
    let grant_types: Vec<GrantType> = match &r.grant_types {
        None => DEFAULT_GRANTS.to_vec(),
        Some(asked) => {
            let mut grants = Vec::new();
            for raw in asked {
                match GrantType::parse(raw.trim()) {
                    Some(g) if !grants.contains(&g) => grants.push(g),
                    Some(_) => {}
                    None => errors.add("grant_types", Problem::UnknownGrantType(raw.clone())),
                }
            }
            grants
        }
    };
    if grant_types.is_empty() {
        errors.add("grant_types", Problem::NoGrantType);
    }
    if r.public && grant_types.contains(&GrantType::ClientCredentials) {
        errors.add("grant_types", Problem::PublicClientCredentials);
    }
    for (field, uris) in [
        ("redirect_uris", &r.redirect_uris),
        ("post_logout_redirect_uris", &r.post_logout_redirect_uris),
    ] {
        if uris.len() > REDIRECT_URIS_MAX {
            errors.add(
                field,
                Problem::TooManyRedirectUris {
                    max: REDIRECT_URIS_MAX,
                },
            );
        }
        for uri in uris {
            if !acceptable_redirect_uri(uri) {
                errors.add(field, Problem::RedirectUri(uri.clone()));
            }
        }
    }
    if grant_types.contains(&GrantType::AuthorizationCode) && r.redirect_uris.is_empty() {
        errors.add("redirect_uris", Problem::NoRedirectUri);
    }
    let scopes: Vec<String> = match &r.scopes {
        None => SCOPES.iter().map(|s| s.to_string()).collect(),
        Some(asked) => {
            let mut scopes: Vec<String> = Vec::new();
            for scope in asked {
                if !SCOPES.contains(&scope.as_str()) {
                    errors.add("scopes", Problem::UnknownScope(scope.clone()));
                } else if !scopes.contains(scope) {
                    scopes.push(scope.clone());
                }
            }
            if asked.is_empty() {
                errors.add("scopes", Problem::NoScope);
            }
            scopes
        }
    };
    let access_token_ttl = r.access_token_ttl.unwrap_or(DEFAULT_ACCESS_TOKEN_TTL);
    let refresh_token_ttl = r.refresh_token_ttl.unwrap_or(DEFAULT_REFRESH_TOKEN_TTL);
    if !(60..=MAX_TOKEN_LIFETIME).contains(&access_token_ttl)
        || !(3600..=400 * 24 * 3600).contains(&refresh_token_ttl)
    {
        errors.add("token_lifetimes", Problem::TokenLifetime);
    }
    let id_token_alg = match r.id_token_alg.as_deref() {
        None | Some("") => SigningAlg::RS256,
        Some(raw) => SigningAlg::parse(raw).unwrap_or_else(|| {
            errors.add("id_token_alg", Problem::SigningAlg);
            SigningAlg::RS256
        }),
    };
    let logo_url = r.logo_url.filter(|l| !l.trim().is_empty());
    if let Some(logo) = &logo_url
        && !url::Url::parse(logo).is_ok_and(|u| u.scheme() == "https")
    {
        errors.add("logo_url", Problem::LogoUrl);
    }
    let jwks = r.jwks.filter(|j| !j.trim().is_empty());
    if let Some(raw) = &jwks {
        if r.public {
            errors.add("jwks", Problem::JwksForPublicClient);
        } else if let Err(problem) = assertion::parse_jwks(raw) {
            errors.add("jwks", Problem::Jwks(problem));
        }
    }
    if r.public && r.resource_server {
        errors.add("resource_server", Problem::ResourceServerPublic);
    }
    let backchannel_logout_uri = web_address(
        r.backchannel_logout_uri,
        "backchannel_logout_uri",
        &mut errors,
    );
    let initiate_login_uri = web_address(r.initiate_login_uri, "initiate_login_uri", &mut errors);
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    Ok(Client {
        id: String::new(),
        name,
        public: r.public,
        first_party: r.first_party,
        resource_server: r.resource_server,
        enabled: true,
        redirect_uris: r.redirect_uris,
        post_logout_redirect_uris: r.post_logout_redirect_uris,
        grant_types,
        scopes,
        access_token_ttl,
        refresh_token_ttl,
        id_token_alg,
        logo_url,
        jwks: jwks.map(|j| j.trim().to_string()),
        backchannel_logout_uri,
        initiate_login_uri,
        created_at: 0,
    })
}

/// An optional address Gatehouse calls or sends browsers to: a web address
/// (https, http only on localhost), never an app's own scheme.
fn web_address(
    raw: Option<String>,
    field: &'static str,
    errors: &mut FieldErrors,
) -> Option<String> {
    let uri = raw
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty())?;
    let web = uri.starts_with("https://") || uri.starts_with("http://");
    if !(web && acceptable_redirect_uri(&uri)) {
        errors.add(field, Problem::WebAddress(uri.clone()));
    }
    Some(uri)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrations_are_checked_field_by_field() {
        let Err(Error::Invalid(errors)) = check(Registration {
            name: " ".into(),
            public: true,
            grant_types: Some(vec!["client_credentials".into(), "implicit".into()]),
            scopes: Some(vec!["admin".into()]),
            access_token_ttl: Some(10),
            ..Default::default()
        }) else {
            panic!("expected field errors");
        };
        for field in ["name", "grant_types", "scopes", "token_lifetimes"] {
            assert!(errors.get(field).is_some(), "{field} not flagged");
        }
        let client = check(Registration {
            name: "Web Shop".into(),
            redirect_uris: vec!["https://shop.example.com/cb".into()],
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            client.grant_types,
            [GrantType::AuthorizationCode, GrantType::RefreshToken]
        );
        assert!(client.scopes.contains(&"openid".to_string()));
    }
}
