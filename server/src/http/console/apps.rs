//! Applications (OpenID Connect clients) in the console: every role reads
//! them and who they hold access for; owners register and change them.

use super::{SignedInAdmin, answer, date_time, page};
use crate::domain::oidc::{Client, ClientAuth, GrantType, SigningAlg};
use crate::domain::{Error, Result};
use crate::http::extract::FormData;
use crate::http::messages::{grant_words, scope_words};
use crate::oidc::clients::{self, Registration};
use crate::oidc::{SCOPES, access};
use crate::state::AppState;
use app::console::*;
use app::paths;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use std::collections::HashMap;

/// How long a replaced secret keeps working, to redeploy the application.
const SECRET_OVERLAP: i64 = 24 * 3600;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::APPS, get(list).post(create))
        .route(paths::APP, get(detail).post(update))
        .route(paths::APP_ACTION, post(act))
}

/// The registration form. Grant types and scopes are checkboxes named
/// `grant.<type>` and `scope.<scope>`.
#[derive(Deserialize, Default)]
struct AppForm {
    #[serde(default)]
    name: String,
    public: Option<String>,
    first_party: Option<String>,
    resource_server: Option<String>,
    #[serde(default)]
    redirect_uris: String,
    #[serde(default)]
    post_logout_redirect_uris: String,
    #[serde(default)]
    access_token_ttl: String,
    #[serde(default)]
    refresh_token_ttl: String,
    #[serde(default)]
    id_token_alg: String,
    #[serde(default)]
    logo_url: String,
    #[serde(default)]
    jwks: String,
    #[serde(default)]
    backchannel_logout_uri: String,
    #[serde(default)]
    initiate_login_uri: String,
    #[serde(flatten)]
    ticked: HashMap<String, String>,
}

impl AppForm {
    fn ticked(&self, prefix: &str) -> Vec<String> {
        let mut ticked: Vec<String> = self
            .ticked
            .keys()
            .filter_map(|k| k.strip_prefix(prefix)?.strip_prefix('.'))
            .map(str::to_string)
            .collect();
        ticked.sort();
        ticked
    }

    fn registration(&self) -> Registration {
        let lines = |s: &str| {
            s.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()
        };
        // A lifetime that is not a number is out of range, and said so.
        let seconds = |s: &str| {
            let s = s.trim();
            (!s.is_empty()).then(|| s.parse().unwrap_or(-1))
        };
        Registration {
            name: self.name.clone(),
            public: self.public.is_some(),
            first_party: self.first_party.is_some(),
            resource_server: self.resource_server.is_some(),
            redirect_uris: lines(&self.redirect_uris),
            post_logout_redirect_uris: lines(&self.post_logout_redirect_uris),
            grant_types: Some(self.ticked("grant")),
            scopes: Some(self.ticked("scope")),
            access_token_ttl: seconds(&self.access_token_ttl),
            refresh_token_ttl: seconds(&self.refresh_token_ttl),
            id_token_alg: Some(self.id_token_alg.clone()),
            logo_url: Some(self.logo_url.trim().to_string()),
            jwks: Some(self.jwks.clone()),
            backchannel_logout_uri: Some(self.backchannel_logout_uri.clone()),
            initiate_login_uri: Some(self.initiate_login_uri.clone()),
        }
    }

    /// The form as typed, to show again with its errors.
    fn values(&self) -> AppFormValues {
        AppFormValues {
            name: self.name.clone(),
            public: self.public.is_some(),
            first_party: self.first_party.is_some(),
            resource_server: self.resource_server.is_some(),
            redirect_uris: self.redirect_uris.clone(),
            post_logout_redirect_uris: self.post_logout_redirect_uris.clone(),
            grant_types: self.ticked("grant"),
            scopes: self.ticked("scope"),
            access_token_ttl: self.access_token_ttl.clone(),
            refresh_token_ttl: self.refresh_token_ttl.clone(),
            id_token_alg: self.id_token_alg.clone(),
            logo_url: self.logo_url.clone(),
            jwks: self.jwks.clone(),
            backchannel_logout_uri: self.backchannel_logout_uri.clone(),
            initiate_login_uri: self.initiate_login_uri.clone(),
        }
    }
}

fn stored_values(c: &Client) -> AppFormValues {
    AppFormValues {
        name: c.name.clone(),
        public: c.public,
        first_party: c.first_party,
        resource_server: c.resource_server,
        redirect_uris: c.redirect_uris.join("\n"),
        post_logout_redirect_uris: c.post_logout_redirect_uris.join("\n"),
        grant_types: c.grant_types.iter().map(|g| g.as_str().into()).collect(),
        scopes: c.scopes.clone(),
        access_token_ttl: c.access_token_ttl.to_string(),
        refresh_token_ttl: c.refresh_token_ttl.to_string(),
        id_token_alg: c.id_token_alg.as_str().into(),
        logo_url: c.logo_url.clone().unwrap_or_default(),
        jwks: c.jwks.clone().unwrap_or_default(),
        backchannel_logout_uri: c.backchannel_logout_uri.clone().unwrap_or_default(),
        initiate_login_uri: c.initiate_login_uri.clone().unwrap_or_default(),
    }
}

/// A new application's form: what `clients create` gives by default.
fn new_values() -> AppFormValues {
    AppFormValues {
        grant_types: clients::DEFAULT_GRANTS
            .iter()
            .map(|g| g.as_str().into())
            .collect(),
        scopes: SCOPES.iter().map(|s| s.to_string()).collect(),
        access_token_ttl: clients::DEFAULT_ACCESS_TOKEN_TTL.to_string(),
        refresh_token_ttl: clients::DEFAULT_REFRESH_TOKEN_TTL.to_string(),
        id_token_alg: SigningAlg::RS256.as_str().into(),
        ..Default::default()
    }
}

fn choices() -> AppChoices {
    AppChoices {
        grants: GrantType::ALL
            .iter()
            .map(|g| (g.as_str().into(), grant_words(*g).into()))
            .collect(),
        scopes: SCOPES
            .iter()
            .map(|s| (s.to_string(), scope_words(s)))
            .collect(),
        algs: SigningAlg::ALL
            .iter()
            .map(|a| (a.as_str().into(), a.as_str().into()))
            .collect(),
    }
}

fn row(c: &Client) -> AppRow {
    AppRow {
        id: c.id.clone(),
        name: c.name.clone(),
        public: c.public,
        first_party: c.first_party,
        enabled: c.enabled,
        has_secret: c.auth() == ClientAuth::ClientSecret,
        grants: c
            .grant_types
            .iter()
            .map(|g| grant_words(*g).split(" (").next().unwrap_or_default())
            .collect::<Vec<_>>()
            .join(", "),
        created: date_time(c.created_at),
    }
}

/// The settings the detail page lists beside the id, kind and status.
fn facts(c: &Client) -> Vec<(String, String)> {
    let list = |items: &[String]| {
        if items.is_empty() {
            "none".to_string()
        } else {
            items.join(", ")
        }
    };
    vec![
        ("Redirect URIs".into(), list(&c.redirect_uris)),
        (
            "Post-logout redirect URIs".into(),
            list(&c.post_logout_redirect_uris),
        ),
        ("Grant types".into(), row(c).grants),
        ("Scopes".into(), list(&c.scopes)),
        (
            "Token lifetimes".into(),
            format!(
                "access {}, refresh {}",
                duration_words(c.access_token_ttl),
                duration_words(c.refresh_token_ttl)
            ),
        ),
        ("ID token signature".into(), c.id_token_alg.as_str().into()),
        (
            "Client authentication".into(),
            match c.auth() {
                ClientAuth::None => "none: a public client, PKCE".into(),
                ClientAuth::ClientSecret => "client secret (Basic or form)".into(),
                ClientAuth::PrivateKeyJwt => {
                    "private_key_jwt, with its registered public keys".into()
                }
            },
        ),
    ]
}

/// A lifetime in the largest unit that divides it ("30 days", "90 seconds").
fn duration_words(seconds: i64) -> String {
    let (n, unit) = [(86_400, "day"), (3600, "hour"), (60, "minute")]
        .into_iter()
        .find(|(size, _)| seconds >= *size && seconds % size == 0)
        .map_or((seconds, "second"), |(size, unit)| (seconds / size, unit));
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

async fn list_view(state: &AppState, admin: &SignedInAdmin) -> Result<AppsView> {
    Ok(AppsView {
        apps: crate::oidc::clients::list(state)
            .await?
            .iter()
            .map(row)
            .collect(),
        can_manage: admin.admin().role.can_manage_admins(),
        choices: choices(),
        form: new_values(),
        ..Default::default()
    })
}

async fn list(State(state): State<AppState>, admin: SignedInAdmin) -> Result<Response> {
    let view = AppsView {
        notice: admin.0.take_flash().await?,
        ..list_view(&state, &admin).await?
    };
    Ok(page(
        StatusCode::OK,
        apps_page(&admin.0.chrome().await?, &view),
    ))
}

/// A page that shows a secret: never stored by a cache, never shown again.
fn secret_page(status: StatusCode, html: String) -> Response {
    let mut response = page(status, html);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn create(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    FormData(form): FormData<AppForm>,
) -> Result<Response> {
    match clients::register(&state, &admin.0.ctx, form.registration()).await {
        Ok(registered) => {
            let client = registered.client;
            // A public client has no secret: its page, the usual way.
            let Some(secret) = registered.secret else {
                admin
                    .0
                    .flash(&format!("The application {} is registered.", client.name))
                    .await?;
                return Ok(Redirect::to(&paths::at(paths::APP, &[&client.id])).into_response());
            };
            let view = AppDetailView {
                notice: Some(format!("The application {} is registered.", client.name)),
                new_secret: Some(NewSecret {
                    secret,
                    note: "Give it to the application with its client id.".into(),
                }),
                ..detail_view(&state, &admin, &client.id).await?
            };
            Ok(secret_page(
                StatusCode::CREATED,
                app_detail_page(&admin.0.chrome().await?, &view),
            ))
        }
        Err(Error::Invalid(errors)) => {
            let view = AppsView {
                form: form.values(),
                errors: super::shown(&errors),
                ..list_view(&state, &admin).await?
            };
            Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                apps_page(&admin.0.chrome().await?, &view),
            ))
        }
        Err(e) => Err(e),
    }
}

async fn detail_view(
    state: &AppState,
    admin: &SignedInAdmin,
    client_id: &str,
) -> Result<AppDetailView> {
    let client_id = clients::looks_like_client_id(client_id)?;
    let client = clients::get(state, client_id).await?;
    let (count, holders) = access::holders_of(state, &client.id).await?;
    let holder_count = if count >= access::HOLDERS_COUNTED {
        format!("{count} or more")
    } else {
        count.to_string()
    };
    Ok(AppDetailView {
        app: row(&client),
        facts: facts(&client),
        can_manage: admin.admin().role.can_manage_admins(),
        choices: choices(),
        form: stored_values(&client),
        holder_count,
        holders: holders
            .into_iter()
            .map(|h| HolderRow {
                customer_id: h.customer_id.to_string(),
                email: h.email,
                since: date_time(h.last_granted_at),
            })
            .collect(),
        ..Default::default()
    })
}

async fn detail(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    Path(id): Path<String>,
) -> Result<Response> {
    let view = AppDetailView {
        notice: admin.0.take_flash().await?,
        ..detail_view(&state, &admin, &id).await?
    };
    Ok(page(
        StatusCode::OK,
        app_detail_page(&admin.0.chrome().await?, &view),
    ))
}

async fn update(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    Path(id): Path<String>,
    FormData(form): FormData<AppForm>,
) -> Result<Response> {
    let client_id = clients::looks_like_client_id(&id)?;
    let updated = clients::update(&state, &admin.0.ctx, client_id, form.registration()).await;
    let saved = |_| {
        let to = paths::at(paths::APP, &[&client_id]);
        ("The application is saved.".into(), to)
    };
    answer(&admin, updated, saved, async |errors| {
        let view = AppDetailView {
            form: form.values(),
            errors: super::shown(&errors),
            ..detail_view(&state, &admin, client_id).await?
        };
        Ok(app_detail_page(&admin.0.chrome().await?, &view))
    })
    .await
}

async fn act(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    Path((id, action)): Path<(String, String)>,
) -> Result<Response> {
    let client_id = clients::looks_like_client_id(&id)?;
    let ctx = &admin.0.ctx;
    let done = match action.as_str() {
        "enable" => {
            clients::set_enabled(&state, ctx, client_id, true).await?;
            "The application is enabled."
        }
        "disable" => {
            clients::set_enabled(&state, ctx, client_id, false).await?;
            "The application is disabled: it can no longer sign customers in or refresh tokens."
        }
        "rotate-secret" => {
            let secret = clients::rotate_secret(&state, ctx, client_id, SECRET_OVERLAP).await?;
            let view = AppDetailView {
                new_secret: Some(NewSecret {
                    secret,
                    note: "The previous secret keeps working for 24 hours; redeploy the application with this one before then.".into(),
                }),
                ..detail_view(&state, &admin, client_id).await?
            };
            return Ok(secret_page(
                StatusCode::OK,
                app_detail_page(&admin.0.chrome().await?, &view),
            ));
        }
        _ => return Err(Error::NotFound),
    };
    admin.0.flash(done).await?;
    Ok(Redirect::to(&paths::at(paths::APP, &[&client_id])).into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn lifetimes_read_in_their_largest_whole_unit() {
        assert_eq!(super::duration_words(3600), "1 hour");
        assert_eq!(super::duration_words(30 * 86_400), "30 days");
        assert_eq!(super::duration_words(600), "10 minutes");
        assert_eq!(super::duration_words(90), "90 seconds");
        assert_eq!(super::duration_words(5400), "90 minutes");
    }
}
