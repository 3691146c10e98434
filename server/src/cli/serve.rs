//! `gatehouse serve`: migrate, start the background jobs, serve HTTP until
//! Ctrl-C or SIGTERM.

use crate::config::Config;
use crate::directory::admins;
use crate::domain::Clock;
use crate::state::AppState;
use crate::{http, jobs};
use anyhow::Context;

/// Connects, migrates, and serves until Ctrl-C or SIGTERM.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let store = super::open_store(&config).await?;
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("GATEHOUSE_BIND: cannot listen on {}", config.bind))?;
    let state = AppState::new(config, store.clone(), Clock::system());
    if let Some(link) = admins::bootstrap_link(&state).await? {
        // The one secret this log ever shows, and only until an owner exists.
        tracing::warn!("no admin yet: create the owner account at {link} (valid 24 hours, once)");
    }
    // Signing keys are made (first start) and parsed now, so a wrong or
    // missing key encryption key is reported here, not at the first sign-in.
    if let Err(e) = state.signing_keys().await {
        tracing::warn!(error = %e, "single sign-on cannot sign tokens");
    }
    // Browsers make passkeys only for a domain name: on an IP address the
    // pages leave passkeys out, and admins and customers whose policy
    // asks for one cannot sign in.
    if !crate::mfa::passkeys::available(&state) {
        tracing::warn!(
            public_url = %state.config.public_url,
            "passkeys are unavailable: GATEHOUSE_PUBLIC_URL must name a domain (such as localhost), not an IP address"
        );
    }
    if let Some(address) = state.config.metrics_bind {
        let metrics = tokio::net::TcpListener::bind(address)
            .await
            .with_context(|| format!("GATEHOUSE_METRICS_BIND: cannot listen on {address}"))?;
        tracing::info!("metrics at http://{address}/metrics");
        tokio::spawn(
            axum::serve(
                metrics,
                http::metrics_router(state.clone()).into_make_service(),
            )
            .into_future(),
        );
    }
    jobs::start(&state);
    tokio::spawn(crate::telemetry::report_suppressed());
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
        http::router(state.clone()).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(drain(state.clone()))
    .await?;
    store.close().await;
    Ok(())
}

/// Waits for the signal to stop, then says so at `/readyz` (requests on
/// open connections still see it) while axum stops accepting and lets the
/// requests in flight finish.
async fn drain(state: AppState) {
    shutdown_signal().await;
    state
        .draining
        .store(true, std::sync::atomic::Ordering::Relaxed);
    tracing::info!("stopping: finishing the requests in flight");
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
