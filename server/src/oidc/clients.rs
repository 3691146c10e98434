//! Applications: registering them, their secrets, and authenticating them
//! at the token endpoint.
//!
//! A client secret is 256 random bits, shown once and stored as its SHA-256
//! digest: a secret that cannot be guessed needs no slow hash, so the token
//! endpoint never waits on the password pool. Digests are compared in
//! constant time, every live one of the client in turn (two live during a
//! rotation's overlap).

use super::SCOPES;
use crate::audit;
use crate::domain::oidc::{Client, GrantType, OAuthCode, OAuthError, OAuthProblem, SigningAlg};
use crate::domain::secrets::{hash_token, random_string};
use crate::domain::{Action, Error, FieldErrors, Problem, Record, RequestContext, Result};
use crate::signing::MAX_TOKEN_LIFETIME;
use crate::state::{AppState, CachedClient};
use base64::Engine;
use serde_json::json;
use subtle::ConstantTimeEq;

pub const REDIRECT_URIS_MAX: usize = 20;
pub const NAME_MAX: usize = 100;

/// What an owner (or `gatehouse clients create`) asks for.
#[derive(Clone, Debug, Default)]
pub struct Registration {
    pub name: String,
    pub public: bool,
    pub first_party: bool,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    /// Empty: authorization_code and refresh_token.
    pub grant_types: Vec<String>,
    /// Empty: every scope Gatehouse knows.
    pub scopes: Vec<String>,
    pub access_token_ttl: Option<i64>,
    pub refresh_token_ttl: Option<i64>,
    pub id_token_alg: Option<String>,
    pub logo_url: Option<String>,
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
    let mut client = check(registration)?;
    client.id = random_string()[..22].to_string();
    client.created_at = state.clock.now();
    let secret = (!client.public).then(random_string);
    let digest = secret.as_deref().map(hash_token);
    state
        .store
        .insert_client(&client, digest.as_deref())
        .await?;
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

/// Issues a new secret; the old ones keep working for `overlap` seconds so
/// the application can be redeployed with the new one.
pub async fn rotate_secret(
    state: &AppState,
    ctx: &RequestContext,
    client_id: &str,
    overlap: i64,
) -> Result<String> {
    let client = state
        .store
        .client(client_id)
        .await?
        .ok_or(Error::NotFound)?;
    if client.public {
        return Err(Error::BadRequest(Problem::PublicClientCredentials));
    }
    let secret = random_string();
    let now = state.clock.now();
    let overlap = overlap.clamp(0, 30 * 24 * 3600);
    state
        .store
        .rotate_client_secret(&client.id, &hash_token(&secret), now, now + overlap)
        .await?;
    state.clients.forget(&client.id);
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

/// How a client identified itself at the token endpoint.
pub struct Presented {
    pub client_id: String,
    /// `client_secret_basic` or `client_secret_post`; `None` for a public client.
    pub secret: Option<String>,
}

/// The enabled client the credentials prove, or `invalid_client`.
pub async fn authenticate(state: &AppState, presented: &Presented) -> Result<Client> {
    let refused = || {
        Error::from(OAuthError::new(
            OAuthCode::InvalidClient,
            OAuthProblem::ClientAuthentication,
        ))
    };
    if presented.client_id.is_empty() || presented.client_id.len() > 64 {
        return Err(refused());
    }
    let client = state.store.client(&presented.client_id).await?;
    let Some(client) = client.filter(|c| c.enabled) else {
        return Err(refused());
    };
    match (&presented.secret, client.public) {
        (None, true) => Ok(client),
        (Some(secret), false) => {
            let digest = hash_token(secret);
            let live = state
                .store
                .client_secret_digests(&client.id, state.clock.now())
                .await?;
            let matched = live.iter().fold(subtle::Choice::from(0), |found, stored| {
                found | stored.ct_eq(&digest)
            });
            if bool::from(matched) {
                Ok(client)
            } else {
                Err(refused())
            }
        }
        _ => Err(refused()),
    }
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

/// The application by this id, from the last few seconds' copy if any.
async fn cached(state: &AppState, id: &str) -> Result<std::sync::Arc<CachedClient>> {
    if let Some(entry) = state.clients.get(id) {
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
    Ok(state.clients.put(
        id,
        CachedClient {
            client,
            secret_digests,
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
    let grant_types: Vec<GrantType> = if r.grant_types.is_empty() {
        vec![GrantType::AuthorizationCode, GrantType::RefreshToken]
    } else {
        let mut grants = Vec::new();
        for raw in &r.grant_types {
            match GrantType::parse(raw.trim()) {
                Some(g) if !grants.contains(&g) => grants.push(g),
                Some(_) => {}
                None => errors.add("grant_types", Problem::UnknownGrantType(raw.clone())),
            }
        }
        grants
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
    let scopes: Vec<String> = if r.scopes.is_empty() {
        SCOPES.iter().map(|s| s.to_string()).collect()
    } else {
        let mut scopes: Vec<String> = Vec::new();
        for scope in &r.scopes {
            if !SCOPES.contains(&scope.as_str()) {
                errors.add("scopes", Problem::UnknownScope(scope.clone()));
            } else if !scopes.contains(scope) {
                scopes.push(scope.clone());
            }
        }
        scopes
    };
    let access_token_ttl = r.access_token_ttl.unwrap_or(3600);
    let refresh_token_ttl = r.refresh_token_ttl.unwrap_or(30 * 24 * 3600);
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
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    Ok(Client {
        id: String::new(),
        name,
        public: r.public,
        first_party: r.first_party,
        enabled: true,
        redirect_uris: r.redirect_uris,
        post_logout_redirect_uris: r.post_logout_redirect_uris,
        grant_types,
        scopes,
        access_token_ttl,
        refresh_token_ttl,
        id_token_alg,
        logo_url,
        created_at: 0,
    })
}

/// A redirect URI an application may register (RFC 8252 and the OAuth 2.0
/// Security BCP): absolute, no fragment, no credentials; https, http only
/// to a loopback host (native apps on the device), or a private-use scheme
/// with a dot (`com.example.app:/callback`).
pub fn acceptable_redirect_uri(raw: &str) -> bool {
    if raw.len() > 2000 || raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Ok(url) = url::Url::parse(raw) else {
        return false;
    };
    if url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
        return false;
    }
    match url.scheme() {
        "https" => url.host().is_some(),
        "http" => matches!(
            url.host(),
            Some(url::Host::Domain("localhost"))
                | Some(url::Host::Ipv4(std::net::Ipv4Addr::LOCALHOST))
                | Some(url::Host::Ipv6(std::net::Ipv6Addr::LOCALHOST))
        ),
        "javascript" | "data" | "file" | "vbscript" | "blob" | "about" | "ftp" | "ws" | "wss" => {
            false
        }
        scheme => scheme.contains('.'),
    }
}

/// A client secret from an HTTP Basic `Authorization` header (RFC 6749
/// §2.3.1: both parts form-urlencoded, then base64).
pub fn from_basic_header(value: &str) -> Option<Presented> {
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some(Presented {
        client_id: unescape(id)?,
        secret: Some(unescape(secret)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_follow_the_security_bcp() {
        for good in [
            "https://shop.example.com/callback",
            "https://shop.example.com/cb?tenant=1",
            "http://127.0.0.1:8080/cb",
            "http://localhost/cb",
            "http://[::1]:9000/cb",
            "com.example.app:/oauth2redirect",
        ] {
            assert!(acceptable_redirect_uri(good), "{good} should be accepted");
        }
        for bad in [
            "",
            "/relative",
            "http://shop.example.com/cb",
            "https://shop.example.com/cb#frag",
            "https://user:pw@shop.example.com/cb",
            "javascript:alert(1)",
            "data:text/html,hi",
            "myapp:/cb",
            "https://shop.example.com/c b",
            "https://shop.example.com/cb\n",
        ] {
            assert!(!acceptable_redirect_uri(bad), "{bad:?} should be refused");
        }
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        use base64::engine::general_purpose::STANDARD;
        let header = format!("Basic {}", STANDARD.encode("my%3Aapp:s%2Bcret"));
        let presented = from_basic_header(&header).unwrap();
        assert_eq!(presented.client_id, "my:app");
        assert_eq!(presented.secret.as_deref(), Some("s+cret"));
        assert!(from_basic_header("Bearer abc").is_none());
        assert!(from_basic_header("Basic !!!").is_none());
        assert!(from_basic_header(&format!("Basic {}", STANDARD.encode("nocolon"))).is_none());
    }

    #[test]
    fn registrations_are_checked_field_by_field() {
        let Err(Error::Invalid(errors)) = check(Registration {
            name: " ".into(),
            public: true,
            grant_types: vec!["client_credentials".into(), "implicit".into()],
            scopes: vec!["admin".into()],
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
