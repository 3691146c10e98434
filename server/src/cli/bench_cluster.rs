//! `gatehouse bench-cluster`: does adding instances on one PostgreSQL make
//! anything slower or lose anything?
//!
//! It seeds customers and registers a service application, then for one,
//! two, ... `--instances` instances starts that many `gatehouse serve`
//! processes on the one database and, with the clients spread round robin
//! over them, measures browser-like sign-ins (the form, the password, the
//! account page) and `client_credentials` token grants. It prints each
//! one's rate, p50 and p99 and failures per instance count, and the scaling
//! factor against one instance. On one machine the instances share its
//! cores, so the factor is bounded by them: the point is that nothing gets
//! slower and nothing fails.

use super::bench::{key_env, seed, sign_in_once, start_server};
use super::bench_oidc::{Measured, client_credentials, load};
use crate::config::Config;
use crate::domain::{Clock, RequestContext};
use crate::oidc::clients::{self, Registration};
use crate::state::AppState;
use anyhow::bail;
use clap::Args;
use std::sync::Arc;
use std::time::Duration;

#[derive(Args, Debug)]
pub struct ClusterBenchArgs {
    /// The PostgreSQL database the instances share (new or a bench's own).
    #[arg(long)]
    pub bench_database: String,
    /// Up to this many instances (each count from one is measured).
    #[arg(long, default_value_t = 3)]
    pub instances: usize,
    /// Seconds of each measurement.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Concurrent clients, spread over the instances.
    #[arg(long, default_value_t = 16)]
    pub clients: usize,
    /// Customers to seed.
    #[arg(long, default_value_t = 500)]
    pub customers: usize,
}

/// What one instance count measured.
struct Row {
    instances: usize,
    sign_ins: Measured,
    grants: Measured,
}

pub async fn run(args: ClusterBenchArgs, config: Config) -> anyhow::Result<()> {
    let database = args.bench_database.clone();
    if database.starts_with("sqlite:") {
        bail!("several instances share one PostgreSQL: --bench-database postgres://...");
    }
    let instances = args.instances.max(1);
    println!(
        "gatehouse bench-cluster: 1 to {instances} instance(s) on one PostgreSQL, {} clients, {} s each",
        args.clients, args.seconds
    );
    let emails = Arc::new(seed(&database, args.customers).await?);
    let store = super::open_store_at(&database).await?;
    let state = AppState::new(config.clone(), store, Clock::system());
    let service = clients::register(
        &state,
        &RequestContext::system(),
        Registration {
            name: "Bench Cluster Service".into(),
            grant_types: Some(vec!["client_credentials".into()]),
            ..Default::default()
        },
    )
    .await?;
    state.store.close().await;
    let service = Arc::new((service.client.id, service.secret.unwrap_or_default()));
    // Every instance seals and opens the signing keys with the same key.
    let env = key_env(&database, &config);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let seconds = Duration::from_secs(args.seconds);

    let mut rows = Vec::new();
    for count in 1..=instances {
        let mut servers = Vec::new();
        let mut bases = Vec::new();
        let mut http = None;
        // The instances share this machine's cores, as they would share
        // a machine's worth of cores each in production: the hashing
        // threads are split among them rather than multiplied.
        let threads = (config.hash_threads / count).max(1);
        for _ in 0..count {
            let (server, base, client) = start_server(&database, threads, &env).await?;
            servers.push(server);
            bases.push(base);
            http = Some(client);
        }
        let (http, bases) = (http.expect("one instance at least"), Arc::new(bases));
        let sign_ins = {
            let (http, bases, emails) = (http.clone(), bases.clone(), emails.clone());
            load(args.clients, seconds, move |n| {
                let (http, bases, emails) = (http.clone(), bases.clone(), emails.clone());
                async move {
                    let base = &bases[n % bases.len()];
                    sign_in_once(&http, base, &emails[n % emails.len()]).await?;
                    Ok(())
                }
            })
            .await
        };
        let grants = {
            let (http, bases, service) = (http.clone(), bases.clone(), service.clone());
            load(args.clients, seconds, move |n| {
                let (http, bases, service) = (http.clone(), bases.clone(), service.clone());
                async move { client_credentials(&http, &bases[n % bases.len()], &service).await }
            })
            .await
        };
        for mut server in servers {
            let _ = server.kill().await;
        }
        println!(
            "{count} instance(s), {threads} hashing thread(s) each: sign-ins {:.1}/s (p99 {:.0} ms, {} failed), client_credentials {:.0}/s (p99 {:.1} ms, {} failed)",
            sign_ins.rate, sign_ins.p99, sign_ins.failed, grants.rate, grants.p99, grants.failed
        );
        rows.push(Row {
            instances: count,
            sign_ins,
            grants,
        });
    }

    println!();
    println!(
        "{:<10} {:>10} {:>8} {:>8} {:>7} {:>8} {:>12} {:>8} {:>8} {:>7} {:>8}",
        "instances",
        "sign-ins/s",
        "p50 ms",
        "p99 ms",
        "factor",
        "failed",
        "grants/s",
        "p50 ms",
        "p99 ms",
        "factor",
        "failed"
    );
    let (one_sign_in, one_grant) = (rows[0].sign_ins.rate, rows[0].grants.rate);
    for row in &rows {
        println!(
            "{:<10} {:>10.1} {:>8.1} {:>8.1} {:>6.2}x {:>8} {:>12.0} {:>8.2} {:>8.2} {:>6.2}x {:>8}",
            row.instances,
            row.sign_ins.rate,
            row.sign_ins.p50,
            row.sign_ins.p99,
            row.sign_ins.rate / one_sign_in.max(f64::MIN_POSITIVE),
            row.sign_ins.failed,
            row.grants.rate,
            row.grants.p50,
            row.grants.p99,
            row.grants.rate / one_grant.max(f64::MIN_POSITIVE),
            row.grants.failed,
        );
    }
    let failed: usize = rows
        .iter()
        .map(|r| r.sign_ins.failed + r.grants.failed)
        .sum();
    println!(
        "(the instances share this machine's {} core(s): the factor is bounded by them; target: no failure, nothing slower)",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    if failed > 0 {
        bail!("{failed} requests failed");
    }
    Ok(())
}
