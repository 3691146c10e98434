//! `gatehouse clients ...` (applications, scriptable) and `gatehouse keys
//! rotate`. Every change is on the audit trail, as from the console.

use crate::domain::{Clock, RequestContext};
use crate::oidc::clients::{self, Registration};
use crate::state::AppState;
use clap::{Args, Subcommand};
use serde_json::json;

#[derive(Subcommand, Debug)]
pub enum ClientsCommand {
    /// Register an application; prints its client id and secret as JSON
    /// (the secret only this once).
    Create(Box<CreateArgs>),
    /// Every application, as JSON Lines.
    List,
    /// Issue a new secret; the old one keeps working for --overlap-hours.
    RotateSecret {
        /// The application's client id. Ids from older releases may begin
        /// with "-", so a hyphen-led value here is the id, not an option.
        #[arg(allow_hyphen_values = true)]
        client_id: String,
        #[arg(long, default_value_t = 24)]
        overlap_hours: i64,
    },
    /// Turn an application off: it can start no sign-in and use no token
    /// endpoint, on every instance within a second.
    Disable {
        /// The application's client id. Ids from older releases may begin
        /// with "-", so a hyphen-led value here is the id, not an option.
        #[arg(allow_hyphen_values = true)]
        client_id: String,
    },
    /// Turn an application on again.
    Enable {
        /// The application's client id. Ids from older releases may begin
        /// with "-", so a hyphen-led value here is the id, not an option.
        #[arg(allow_hyphen_values = true)]
        client_id: String,
    },
}

#[derive(Args, Debug)]
pub struct CreateArgs {
    /// Shown to customers on the hosted pages.
    #[arg(long)]
    name: String,
    /// Where customers are sent back after signing in (exact match); repeat for several.
    #[arg(long = "redirect-uri")]
    redirect_uris: Vec<String>,
    /// Where customers may be sent after signing out; repeat for several.
    #[arg(long = "post-logout-redirect-uri")]
    post_logout_redirect_uris: Vec<String>,
    /// Where the application is told, server to server, that a customer's
    /// session ended (OpenID Connect Back-Channel Logout).
    #[arg(long)]
    backchannel_logout_uri: Option<String>,
    /// Where Gatehouse sends a browser to have the application sign it in
    /// (OpenID Connect third-party-initiated login): needed to hand a
    /// customer from the application on one device to another.
    #[arg(long)]
    initiate_login_uri: Option<String>,
    /// A public client (mobile or single-page app): no secret, PKCE required.
    #[arg(long)]
    public: bool,
    /// The organisation's own application: no consent screen.
    #[arg(long)]
    first_party: bool,
    /// An API that accepts access tokens: it may introspect every
    /// application's (others only their own).
    #[arg(long)]
    resource_server: bool,
    /// Allowed grant types (default: authorization_code and refresh_token); repeat for several.
    #[arg(long = "grant")]
    grants: Vec<String>,
    /// Allowed scopes (default: all); repeat for several.
    #[arg(long = "scope")]
    scopes: Vec<String>,
    /// Access and ID token lifetime in seconds.
    #[arg(long)]
    access_token_ttl: Option<i64>,
    /// Refresh token lifetime in seconds.
    #[arg(long)]
    refresh_token_ttl: Option<i64>,
    /// RS256 (default), ES256 or EdDSA.
    #[arg(long)]
    id_token_alg: Option<String>,
    /// A JWKS file of the application's public keys: it authenticates with
    /// private_key_jwt, and is given no secret.
    #[arg(long)]
    jwks_file: Option<std::path::PathBuf>,
}

pub async fn run(command: ClientsCommand, config: crate::config::Config) -> anyhow::Result<()> {
    let store = super::open_store(&config).await?;
    let state = AppState::new(config, store, Clock::system());
    let ctx = RequestContext::system();
    let result = match command {
        ClientsCommand::Create(args) => {
            let args = *args;
            let jwks = match &args.jwks_file {
                Some(path) => Some(
                    std::fs::read_to_string(path)
                        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?,
                ),
                None => None,
            };
            let registered = clients::register(
                &state,
                &ctx,
                Registration {
                    name: args.name,
                    public: args.public,
                    first_party: args.first_party,
                    resource_server: args.resource_server,
                    redirect_uris: args.redirect_uris,
                    post_logout_redirect_uris: args.post_logout_redirect_uris,
                    // None given: the defaults.
                    grant_types: (!args.grants.is_empty()).then_some(args.grants),
                    scopes: (!args.scopes.is_empty()).then_some(args.scopes),
                    access_token_ttl: args.access_token_ttl,
                    refresh_token_ttl: args.refresh_token_ttl,
                    id_token_alg: args.id_token_alg,
                    logo_url: None,
                    jwks,
                    backchannel_logout_uri: args.backchannel_logout_uri,
                    initiate_login_uri: args.initiate_login_uri,
                },
            )
            .await;
            registered.map(|r| {
                let mut out = describe(&r.client);
                out["client_secret"] = json!(r.secret);
                println!("{out}");
            })
        }
        ClientsCommand::List => state.store.clients().await.map_err(Into::into).map(|all| {
            for client in all {
                println!("{}", describe(&client));
            }
        }),
        ClientsCommand::RotateSecret {
            client_id,
            overlap_hours,
        } => clients::rotate_secret(&state, &ctx, &client_id, overlap_hours * 3600)
            .await
            .map(|secret| {
                println!(
                    "{}",
                    json!({ "client_id": client_id, "client_secret": secret })
                )
            }),
        ClientsCommand::Disable { client_id } => enable(&state, &ctx, &client_id, false).await,
        ClientsCommand::Enable { client_id } => enable(&state, &ctx, &client_id, true).await,
    };
    state.store.close().await;
    result.map_err(super::admin::describe)
}

async fn enable(
    state: &AppState,
    ctx: &RequestContext,
    client_id: &str,
    enabled: bool,
) -> crate::domain::Result<()> {
    clients::set_enabled(state, ctx, client_id, enabled).await?;
    println!("{}", json!({ "client_id": client_id, "enabled": enabled }));
    Ok(())
}

/// `gatehouse keys rotate`: a new signing key of each algorithm signs from
/// now on; the old ones stay published until their tokens have expired.
pub async fn rotate_keys(config: crate::config::Config) -> anyhow::Result<()> {
    let store = super::open_store(&config).await?;
    let state = AppState::new(config, store, Clock::system());
    // Loading first generates the first keys of a new database, so a
    // rotation always leaves an old key to retire.
    let result = async {
        state.signing_keys().await?;
        let kids = state.keys.rotate(&state.store, &state.clock).await?;
        // Running instances sign with the new keys within a second.
        state.announce(crate::domain::Change::Keys).await;
        Ok::<_, crate::domain::Error>(kids)
    }
    .await;
    state.store.close().await;
    let kids = result.map_err(super::admin::describe)?;
    println!("{}", json!({ "signing_keys": kids }));
    Ok(())
}

fn describe(client: &crate::domain::oidc::Client) -> serde_json::Value {
    json!({
        "client_id": client.id,
        "name": client.name,
        "public": client.public,
        "first_party": client.first_party,
        "resource_server": client.resource_server,
        "enabled": client.enabled,
        "redirect_uris": client.redirect_uris,
        "post_logout_redirect_uris": client.post_logout_redirect_uris,
        "backchannel_logout_uri": client.backchannel_logout_uri,
        "initiate_login_uri": client.initiate_login_uri,
        "grant_types": client.grant_types.iter().map(|g| g.as_str()).collect::<Vec<_>>(),
        "scopes": client.scopes,
        "access_token_ttl": client.access_token_ttl,
        "refresh_token_ttl": client.refresh_token_ttl,
        "id_token_alg": client.id_token_alg.as_str(),
        "token_endpoint_auth_method": client.auth().as_str(),
    })
}

#[cfg(test)]
mod tests {
    use super::ClientsCommand;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    /// Older client ids are URL-safe base64 and one in 64 begins with "-".
    #[test]
    fn a_client_id_that_begins_with_a_hyphen_is_an_id_not_an_option() {
        for verb in ["disable", "enable", "rotate-secret"] {
            let cli = Cli::try_parse_from(["gatehouse", "clients", verb, "-3N_2zDqvXw0aL9b"])
                .unwrap_or_else(|e| panic!("{verb}: {e}"));
            let id = match cli.command {
                Some(Command::Clients(ClientsCommand::Disable { client_id }))
                | Some(Command::Clients(ClientsCommand::Enable { client_id }))
                | Some(Command::Clients(ClientsCommand::RotateSecret { client_id, .. })) => {
                    client_id
                }
                other => panic!("{verb} parsed as {other:?}"),
            };
            assert_eq!(id, "-3N_2zDqvXw0aL9b");
        }
        // Options still work next to such an id.
        let cli = Cli::try_parse_from([
            "gatehouse",
            "clients",
            "rotate-secret",
            "--overlap-hours",
            "2",
            "-3N_2zDqvXw0aL9b",
        ])
        .expect("parses");
        assert!(matches!(
            cli.command,
            Some(Command::Clients(ClientsCommand::RotateSecret {
                overlap_hours: 2,
                ..
            }))
        ));
    }
}
