//! `gatehouse bench-spike`: does a burst of sign-ins slow everything else?
//!
//! It measures this machine's raw argon2id rate, seeds customers, starts
//! `gatehouse serve` as its own process, signs one customer in, then probes
//! cheap requests (a signed-in page, JWKS, discovery, `/healthz`) every 10 ms
//! from this process, first quietly and then while sign-ins arrive at
//! `--factor` times the raw rate (open loop: each arrives on time whether or
//! not the last was answered, as a crowd does). It prints each class's p50
//! and p99, quiet and in the spike, and the sign-ins served and shed.

use super::bench::{
    BENCH_PASSWORD, key_env, ms, percentile, post_sign_in, probe, raw_verify_rate, seed,
    session_cookie, sign_in_form, start_server, tempdir,
};
use anyhow::Context;
use app::paths;
use clap::Args;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[derive(Args, Debug)]
pub struct SpikeBenchArgs {
    /// Seconds of each phase (quiet, then the spike).
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Sign-ins arrive at this many times the raw hash rate.
    #[arg(long, default_value_t = 4.0)]
    pub factor: f64,
    /// Customers to seed.
    #[arg(long, default_value_t = 500)]
    pub customers: usize,
    /// Database for the benchmark server; default: a new SQLite file in a temporary directory.
    #[arg(long)]
    pub bench_database: Option<String>,
}

/// The cheap requests watched, by name and path; the first is signed in.
const CLASSES: [(&str, &str); 4] = [
    ("signed-in page", paths::ACCOUNT),
    ("JWKS", paths::JWKS),
    ("discovery", paths::DISCOVERY),
    ("health", paths::HEALTH),
];

/// What a phase saw: each class's latencies and failures, and the sign-ins.
struct Phase {
    classes: Vec<(Vec<Duration>, usize)>,
    served: usize,
    shed: usize,
    failed: usize,
    held_back: usize,
}

pub async fn run(args: SpikeBenchArgs, config: crate::config::Config) -> anyhow::Result<()> {
    let threads = config.hash_threads;
    let raw = raw_verify_rate(threads, Duration::from_secs(3)).await?;
    let rate = raw * args.factor;
    println!(
        "gatehouse bench-spike: raw argon2id {raw:.1}/s on {threads} thread(s); spike of {rate:.0} sign-ins/s for {} s",
        args.seconds
    );
    let temp = tempdir()?;
    let database = args
        .bench_database
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", temp.join("bench.db").display()));
    let emails = Arc::new(seed(&database, args.customers).await?);
    let env = key_env(&database, &config);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (mut server, base, http) = start_server(&database, threads, &env).await?;
    let cookie = session_cookie(&http, &base, &emails[0], BENCH_PASSWORD)
        .await?
        .context("the watched customer could not sign in")?;

    let seconds = Duration::from_secs(args.seconds);
    let quiet = phase(&http, &base, &cookie, seconds, None).await;
    let spike = phase(&http, &base, &cookie, seconds, Some((rate, emails))).await;
    let _ = server.kill().await;
    let _ = std::fs::remove_dir_all(&temp);

    println!();
    println!(
        "{:<16} {:>10} {:>10} {:>10} {:>10} {:>8} {:>7}",
        "request", "quiet p50", "quiet p99", "spike p50", "spike p99", "p99 x", "failed"
    );
    for (n, (name, _)) in CLASSES.iter().enumerate() {
        let (mut calm, calm_failed) = quiet.classes[n].clone();
        let (mut busy, busy_failed) = spike.classes[n].clone();
        calm.sort();
        busy.sort();
        let (calm99, busy99) = (percentile(&calm, 99.0), percentile(&busy, 99.0));
        println!(
            "{name:<16} {:>8.2}ms {:>8.2}ms {:>8.2}ms {:>8.2}ms {:>7.2}x {:>7}",
            ms(percentile(&calm, 50.0)),
            ms(calm99),
            ms(percentile(&busy, 50.0)),
            ms(busy99),
            ms(busy99) / ms(calm99).max(0.001),
            calm_failed + busy_failed,
        );
    }
    let total = spike.served + spike.shed + spike.held_back + spike.failed;
    println!(
        "sign-ins in the spike: {total} arrived, {} served ({:.1}/s), {} shed with 503 and Retry-After, {} held back by the throttle (429: the same customer several times at once), {} failed otherwise (target: cheap p99 within 2x of quiet, none failed)",
        spike.served,
        spike.served as f64 / seconds.as_secs_f64(),
        spike.shed,
        spike.held_back,
        spike.failed
    );
    Ok(())
}

/// Probes every class for `length`, with sign-ins arriving at `load`'s
/// rate meanwhile when given.
async fn phase(
    http: &reqwest::Client,
    base: &str,
    cookie: &str,
    length: Duration,
    load: Option<(f64, Arc<Vec<String>>)>,
) -> Phase {
    let stop = Arc::new(AtomicBool::new(false));
    let probes: Vec<_> = CLASSES
        .iter()
        .enumerate()
        .map(|(n, (_, path))| {
            let cookie = (n == 0).then(|| cookie.to_string());
            tokio::spawn(probe(
                http.clone(),
                format!("{base}{path}"),
                cookie,
                stop.clone(),
            ))
        })
        .collect();
    let counts = Arc::new([
        AtomicUsize::new(0),
        AtomicUsize::new(0),
        AtomicUsize::new(0),
        AtomicUsize::new(0),
    ]);
    let started = Instant::now();
    match load {
        Some((rate, emails)) => {
            let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            let mut arrivals = Vec::new();
            let mut n = 0usize;
            while started.elapsed() < length {
                tick.tick().await;
                n += 1;
                let (http, base, counts) = (http.clone(), base.to_string(), counts.clone());
                let email = emails[n % emails.len()].clone();
                arrivals.push(tokio::spawn(async move {
                    let kind = match attempt(&http, &base, &email).await {
                        Ok(303) => 0,
                        Ok(503) => 1,
                        // The same customer from the same address, several
                        // at once: the throttle holds the extra ones back.
                        Ok(429) => 3,
                        Ok(status) => {
                            eprintln!("sign-in answered {status}");
                            2
                        }
                        Err(e) => {
                            eprintln!("sign-in failed: {e:#}");
                            2
                        }
                    };
                    counts[kind].fetch_add(1, Ordering::Relaxed);
                }));
            }
            stop.store(true, Ordering::Relaxed);
            for arrival in arrivals {
                let _ = arrival.await;
            }
        }
        None => {
            tokio::time::sleep(length).await;
            stop.store(true, Ordering::Relaxed);
        }
    }
    let mut classes = Vec::new();
    for probe in probes {
        classes.push(probe.await.unwrap_or_default());
    }
    Phase {
        classes,
        served: counts[0].load(Ordering::Relaxed),
        shed: counts[1].load(Ordering::Relaxed),
        failed: counts[2].load(Ordering::Relaxed),
        held_back: counts[3].load(Ordering::Relaxed),
    }
}

/// One sign-in as a browser makes it: the form, then the POST; its status.
async fn attempt(http: &reqwest::Client, base: &str, email: &str) -> anyhow::Result<u16> {
    let form = sign_in_form(http, base).await?;
    let response = post_sign_in(http, base, form, email, BENCH_PASSWORD).await?;
    Ok(response.status().as_u16())
}
