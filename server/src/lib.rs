//! Gatehouse: customer identity and access management.
//!
//! Capabilities are modules named for what they do (`signup`, `signin`,
//! `verification`, `recovery`, `account`, `sessions`); `http` maps requests
//! onto them and `store` is the only place that speaks SQL.

pub mod audit;
pub mod cli;
pub mod config;
pub mod directory;
pub mod domain;
pub mod http;
pub mod identity;
pub mod jobs;
pub mod mail;
pub mod mfa;
pub mod oidc;
pub mod password;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod transfer;

pub use state::AppState;

use anyhow::Context;

/// Connects, migrates, and serves until Ctrl-C or SIGTERM.
pub async fn serve(config: config::Config) -> anyhow::Result<()> {
    let store = cli::open_store(&config).await?;
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("GATEHOUSE_BIND: cannot listen on {}", config.bind))?;
    let state = AppState::new(config, store.clone(), domain::Clock::system());
    if let Some(link) = directory::admins::bootstrap_link(&state).await? {
        // The one secret this log ever shows, and only until an owner exists.
        tracing::warn!("no admin yet: create the owner account at {link} (valid 24 hours, once)");
    }
    jobs::start(&state);
    let url = state
        .config
        .public_url
        .as_str()
        .trim_end_matches('/')
        .to_string();
    tracing::info!(
        database = store.backend_name(),
        hash_threads = state.hasher.threads(),
        "Gatehouse is listening on {}",
        listener.local_addr()?
    );
    println!("Gatehouse is running at {url}/");
    axum::serve(
        listener,
        http::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    store.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}
