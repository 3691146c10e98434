//! The authorization endpoint's rules (RFC 6749 §4.1, OpenID Connect Core
//! §3.1.2): which requests are sound, whether the customer must sign in
//! (again), consent, and the code that sends them back to the application.
//!
//! Until the client and its redirect URI are known good, nothing redirects:
//! an error goes to a page of ours, never to an address the request named.

use super::params::Params;
use super::{SCOPES, issuer};
use crate::audit;
use crate::domain::oidc::{
    Client, CodeGrant, Grant, GrantType, OAuthCode, OAuthError, OAuthProblem,
};
use crate::domain::secrets::LinkToken;
use crate::domain::{Action, Caller, Error, RequestContext, Result};
use crate::identity::sessions::SignedIn;
use crate::state::AppState;
use serde_json::json;

/// Codes are good for a minute (RFC 6749 recommends at most ten).
pub const CODE_LIFETIME: i64 = 60;
/// A sound authorization request.
#[derive(Clone, Debug)]
pub struct AuthRequest {
    pub client: Client,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub prompt: Prompt,
    pub max_age: Option<i64>,
    /// The authentication levels the application would like, best first
    /// (voluntary, OpenID Connect Core §3.1.2.1).
    pub acr_values: Vec<String>,
    /// The customer an `id_token_hint` names (an ID token we signed).
    pub hinted_subject: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Prompt {
    pub none: bool,
    pub login: bool,
    pub consent: bool,
    pub create: bool,
}

/// A request refused by sending the customer back to the application with
/// the error (RFC 6749 §4.1.2.1).
#[derive(Debug)]
pub struct Rejection {
    pub redirect_uri: String,
    pub state: Option<String>,
    pub error: OAuthError,
}

impl Rejection {
    /// Where the browser goes: the redirect URI with the error added.
    pub fn location(&self, issuer: &str) -> String {
        let mut pairs = vec![
            ("error", self.error.code.as_str().to_string()),
            ("error_description", self.error.problem.to_string()),
        ];
        if let Some(state) = &self.state {
            pairs.push(("state", state.clone()));
        }
        pairs.push(("iss", issuer.to_string()));
        with_query(&self.redirect_uri, &pairs)
    }
}

/// How a sound request is answered now. (The sign-in journey decides how
/// a customer gets in; this decides what an application gets once they are.)
pub enum Answer {
    /// The customer must sign in (or in again) first.
    SignIn,
    /// The customer must show a second factor again first.
    StepUp,
    /// A third-party application: ask the customer.
    Consent,
    /// Back to the application, with a code or an error.
    Redirect(String),
}

/// Parses the request's parameters. `Err` is for requests that cannot be
/// answered by redirecting (unknown client, unregistered redirect URI) and
/// for faults; `Ok(Err(rejection))` is answered at the redirect URI.
pub async fn parse(
    state: &AppState,
    pairs: &[(String, String)],
) -> Result<std::result::Result<AuthRequest, Rejection>> {
    let params = Params::new(pairs)?;
    let client = super::clients::find(state, params.one("client_id")?.unwrap_or_default()).await?;
    let redirect_uri = match params.one("redirect_uri")? {
        Some(uri)
            if client
                .redirect_uris
                .iter()
                .any(|r| super::clients::redirect_matches(r, uri)) =>
        {
            uri.to_string()
        }
        // OpenID Connect requires redirect_uri; with one registered URI,
        // plain OAuth may leave it out.
        None if client.redirect_uris.len() == 1 && !params.has_openid() => {
            client.redirect_uris[0].clone()
        }
        _ => {
            return Err(Error::oauth(
                OAuthCode::InvalidRequest,
                OAuthProblem::RedirectUri,
            ));
        }
    };
    // From here on, errors go back to the application.
    let state_param = params.one("state").ok().flatten().map(str::to_string);
    let reject = |error: OAuthError| Rejection {
        redirect_uri: redirect_uri.clone(),
        state: state_param.clone(),
        error,
    };
    let mut request = match check(&params, &client) {
        Ok(request) => request,
        Err(error) => return Ok(Err(reject(error))),
    };
    request.redirect_uri = redirect_uri.clone();
    request.state = state_param.clone();
    request.client = client;
    if let Some(hint) = params.one("id_token_hint").ok().flatten() {
        match super::logout::hinted_subject(state, hint).await {
            Ok(sub) => request.hinted_subject = Some(sub),
            Err(Error::OAuth(error)) => return Ok(Err(reject(error))),
            Err(e) => return Err(e),
        }
    }
    Ok(Ok(request))
}

fn check(params: &Params, client: &Client) -> std::result::Result<AuthRequest, OAuthError> {
    // Request objects are refused rather than ignored: a nonce or a
    // redirect carried only inside one would otherwise silently vanish.
    if params.one("request")?.is_some() {
        return Err(OAuthError::new(
            OAuthCode::RequestNotSupported,
            OAuthProblem::RequestObject,
        ));
    }
    if params.one("request_uri")?.is_some() {
        return Err(OAuthError::new(
            OAuthCode::RequestUriNotSupported,
            OAuthProblem::RequestObject,
        ));
    }
    match params.one("response_type")? {
        Some("code") => {}
        Some(_) => {
            return Err(OAuthError::new(
                OAuthCode::UnsupportedResponseType,
                OAuthProblem::ResponseType,
            ));
        }
        None => return Err(OAuthError::invalid_request("response_type")),
    }
    if !matches!(params.one("response_mode")?, None | Some("query")) {
        return Err(OAuthError::invalid_request("response_mode"));
    }
    if !client.allows(GrantType::AuthorizationCode) {
        return Err(OAuthError::new(
            OAuthCode::UnauthorizedClient,
            OAuthProblem::GrantNotAllowed,
        ));
    }
    let scopes = requested_scopes(params.one("scope")?.unwrap_or("openid"), client)?;
    let code_challenge = match (
        params.one("code_challenge")?,
        params.one("code_challenge_method")?,
    ) {
        (Some(challenge), Some("S256")) => {
            // base64url of a SHA-256: 43 characters.
            if challenge.len() != 43
                || !challenge
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return Err(OAuthError::invalid_request("code_challenge"));
            }
            Some(challenge.to_string())
        }
        (Some(_), _) => {
            return Err(OAuthError::new(
                OAuthCode::InvalidRequest,
                OAuthProblem::PkceMethod,
            ));
        }
        (None, Some(_)) => return Err(OAuthError::invalid_request("code_challenge")),
        (None, None) if client.public => {
            return Err(OAuthError::new(
                OAuthCode::InvalidRequest,
                OAuthProblem::PkceRequired,
            ));
        }
        (None, None) => None,
    };
    let mut prompt = Prompt::default();
    for value in params.one("prompt")?.unwrap_or("").split_whitespace() {
        match value {
            "none" => prompt.none = true,
            "login" => prompt.login = true,
            "consent" => prompt.consent = true,
            "create" => prompt.create = true,
            "select_account" => {}
            _ => return Err(OAuthError::invalid_request("prompt")),
        }
    }
    // "none" asks for no page at all: it cannot be combined with one.
    if prompt.none && (prompt.login || prompt.consent || prompt.create) {
        return Err(OAuthError::invalid_request("prompt"));
    }
    // Accepted (one, bounded); every page is in English for now.
    params.one("ui_locales")?;
    // Checked here (one, bounded); the sign-in form reads it from the
    // pending request (`PendingAuthorization::login_hint`).
    params.one("login_hint")?;
    let max_age = match params.one("max_age")? {
        None => None,
        Some(raw) => Some(
            raw.parse::<i64>()
                .ok()
                .filter(|age| *age >= 0)
                .ok_or_else(|| OAuthError::invalid_request("max_age"))?,
        ),
    };
    Ok(AuthRequest {
        client: client.clone(),
        redirect_uri: String::new(),
        scopes,
        state: None,
        nonce: params.one("nonce")?.map(str::to_string),
        code_challenge,
        prompt,
        max_age,
        acr_values: params
            .one("acr_values")?
            .map(|v| v.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default(),
        hinted_subject: None,
    })
}

/// Standard OpenID Connect scopes Gatehouse does not offer: asked for,
/// they are left out (Core §5.4: claims not available are omitted), while
/// a scope Gatehouse offers but the application may not use is refused.
const STANDARD_SCOPES_NOT_OFFERED: [&str; 2] = ["address", "phone"];

/// The scopes asked for, each known and allowed to the client, in order.
pub fn requested_scopes(
    raw: &str,
    client: &Client,
) -> std::result::Result<Vec<String>, OAuthError> {
    let mut scopes: Vec<String> = Vec::new();
    for scope in raw.split_whitespace() {
        if STANDARD_SCOPES_NOT_OFFERED.contains(&scope) {
            continue;
        }
        if !SCOPES.contains(&scope) || !client.scopes.iter().any(|s| s == scope) {
            return Err(OAuthError::new(
                OAuthCode::InvalidScope,
                OAuthProblem::Scope(scope.chars().take(64).collect()),
            ));
        }
        if !scopes.iter().any(|s| s == scope) {
            scopes.push(scope.to_string());
        }
    }
    Ok(scopes)
}

/// Decides the next step for a sound request, for the customer signed in
/// on this browser (if any); `signed_in_for_it`: that session began after
/// the request came (the customer just signed in to answer it).
pub async fn decide(
    state: &AppState,
    ctx: &RequestContext,
    request: &AuthRequest,
    signed_in: Option<&SignedIn>,
    signed_in_for_it: bool,
) -> Result<Answer> {
    let reject = |code, problem| {
        let rejection = Rejection {
            redirect_uri: request.redirect_uri.clone(),
            state: request.state.clone(),
            error: OAuthError::new(code, problem),
        };
        Ok(Answer::Redirect(rejection.location(&issuer(state))))
    };
    let Some(signed_in) = signed_in else {
        return if request.prompt.none {
            reject(OAuthCode::LoginRequired, OAuthProblem::NotSignedIn)
        } else {
            Ok(Answer::SignIn)
        };
    };
    let (auth_time, amr) = (signed_in.auth_time, signed_in.amr.clone());
    let now = state.clock.now();
    // A sign-in made for this request is fresh whatever its age by now;
    // one found is too old for prompt=login, for max_age=0 always, and for
    // another max_age past it.
    let too_old = request
        .max_age
        .is_some_and(|age| age == 0 || now - auth_time > age);
    let stale = !signed_in_for_it && (request.prompt.login || too_old);
    // The application expects someone else (id_token_hint): only a new
    // sign-in, made for this request, may answer it.
    let someone_else = !signed_in_for_it
        && request
            .hinted_subject
            .as_ref()
            .is_some_and(|sub| *sub != signed_in.customer.id.to_string());
    if stale || someone_else {
        let problem = if someone_else {
            OAuthProblem::HintMismatch
        } else {
            OAuthProblem::NotSignedIn
        };
        return if request.prompt.none {
            reject(OAuthCode::LoginRequired, problem)
        } else {
            Ok(Answer::SignIn)
        };
    }

    // A stronger level than the session's: a customer with a factor shows
    // it again (step-up); one without cannot reach it, and the tokens say
    // the level reached (the application decides what that allows).
    if !super::acr_met(&request.acr_values, &amr)
        && can_step_up(state, signed_in, &request.acr_values).await?
    {
        return if request.prompt.none {
            reject(OAuthCode::InteractionRequired, OAuthProblem::NotSignedIn)
        } else {
            Ok(Answer::StepUp)
        };
    }
    if !request.client.first_party {
        let consented = state
            .store
            .consented_scope(signed_in.customer.id, &request.client.id)
            .await?
            .unwrap_or_default();
        let covered = request
            .scopes
            .iter()
            .all(|s| consented.split_whitespace().any(|c| c == s));
        if request.prompt.consent || !covered {
            return if request.prompt.none {
                reject(OAuthCode::ConsentRequired, OAuthProblem::ConsentNeeded)
            } else {
                Ok(Answer::Consent)
            };
        }
    }
    let location = issue_code(state, ctx, request, signed_in).await?;
    Ok(Answer::Redirect(location))
}

/// Whether the customer holds a factor that raises the session to the
/// level asked for: a passkey for the phishing-resistant one, any factor
/// for multi-factor.
async fn can_step_up(state: &AppState, signed_in: &SignedIn, requested: &[String]) -> Result<bool> {
    let owner = crate::store::FactorOwner::Customer(signed_in.customer.id);
    let factors = state.store.factors(owner).await?;
    Ok(if super::needs_passkey(requested) {
        factors
            .iter()
            .any(|f| f.kind == crate::domain::mfa::FactorKind::Passkey)
    } else {
        !factors.is_empty()
    })
}

/// The customer's answer on the consent page.
pub async fn consent(
    state: &AppState,
    ctx: &RequestContext,
    request: &AuthRequest,
    signed_in: &SignedIn,
    allowed: bool,
) -> Result<String> {
    if !allowed {
        let rejection = Rejection {
            redirect_uri: request.redirect_uri.clone(),
            state: request.state.clone(),
            error: OAuthError::new(OAuthCode::AccessDenied, OAuthProblem::Denied),
        };
        return Ok(rejection.location(&issuer(state)));
    }
    let customer = &signed_in.customer;
    let mut scopes: Vec<String> = state
        .store
        .consented_scope(customer.id, &request.client.id)
        .await?
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    for scope in &request.scopes {
        if !scopes.contains(scope) {
            scopes.push(scope.clone());
        }
    }
    let scope = scopes.join(" ");
    state
        .store
        .save_consent(customer.id, &request.client.id, &scope, state.clock.now())
        .await?;
    let ctx = ctx.acting_as(Caller::Customer(customer.id));
    audit::record(
        state,
        &ctx,
        Action::OidcConsentGiven,
        Some(customer.id),
        json!({ "client_id": request.client.id, "scope": scope }),
    )
    .await?;
    issue_code(state, &ctx, request, signed_in).await
}

/// A code for `request`, granted in the session `signed_in` (the `sid` of
/// its ID tokens).
async fn issue_code(
    state: &AppState,
    _ctx: &RequestContext,
    request: &AuthRequest,
    signed_in: &SignedIn,
) -> Result<String> {
    let code = LinkToken::generate();
    let now = state.clock.now();
    let grant = CodeGrant {
        grant: Grant {
            client_id: request.client.id.clone(),
            customer: signed_in.customer.id,
            scope: request.scopes.join(" "),
            auth_time: signed_in.auth_time,
            amr: signed_in.amr.clone(),
            family: uuid::Uuid::now_v7(),
            session: Some(signed_in.session_id),
        },
        redirect_uri: request.redirect_uri.clone(),
        nonce: request.nonce.clone(),
        code_challenge: request.code_challenge.clone(),
    };
    state
        .store
        .insert_code(&code.hash, &grant, now, now + CODE_LIFETIME)
        .await?;
    let mut pairs = vec![("code", code.raw)];
    if let Some(s) = &request.state {
        pairs.push(("state", s.clone()));
    }
    // RFC 9207: the client can tell which provider answered.
    pairs.push(("iss", issuer(state)));
    Ok(with_query(&request.redirect_uri, &pairs))
}

/// `uri` with `pairs` added to its query (keeping what it had).
fn with_query(uri: &str, pairs: &[(&str, String)]) -> String {
    match url::Url::parse(uri) {
        Ok(mut url) => {
            url.query_pairs_mut().extend_pairs(pairs);
            url.to_string()
        }
        Err(_) => uri.to_string(),
    }
}
