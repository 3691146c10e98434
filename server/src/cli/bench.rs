//! `gatehouse bench`: how fast can customers sign in, and does the rest of
//! the server stay responsive while they do?
//!
//! In one run it (1) measures this machine's raw argon2id verification rate
//! with Gatehouse's parameters on as many threads as the hashing pool has,
//! (2) seeds customers into a bench database, (3) starts `gatehouse serve` as
//! a separate process on a loopback port, (4) drives sign-ins as a browser
//! makes them (GET the form, POST the credentials, follow the redirect to the
//! account page) from concurrent clients while probing `/healthz`, and (5)
//! prints throughput and latency percentiles against the targets. The load
//! client runs on the same cores: the CPU it used is measured and left out
//! of the ceiling, as the crowd's browsers are not on the server.

use crate::config::Config;
use crate::domain::{Clock, CustomerId, DisplayName, Email};
use crate::password::{Password, Verification};
use crate::store::NewCustomer;
use anyhow::{Context, bail};
use app::paths;
use clap::Args;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

pub(crate) const BENCH_PASSWORD: &str = "bench-lantern-orchard-velvet";

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Customers to seed (existing bench customers are reused).
    #[arg(long, default_value_t = 2000)]
    pub customers: usize,
    /// Seconds of sign-in load.
    #[arg(long, default_value_t = 20)]
    pub seconds: u64,
    /// Concurrent clients signing in; default: 8 per hashing thread.
    #[arg(long)]
    pub clients: Option<usize>,
    /// Seconds spent measuring the raw hash rate.
    #[arg(long, default_value_t = 5)]
    pub raw_seconds: u64,
    /// Database for the benchmark server; default: a new SQLite file in a temporary directory.
    #[arg(long)]
    pub bench_database: Option<String>,
}

/// A benchmark is a script: its steps run in order and print as they go,
/// so it reads best as one function.
pub async fn run(args: BenchArgs, config: Config) -> anyhow::Result<()> {
    let threads = config.hash_threads;
    let clients = args.clients.unwrap_or(threads * 8).max(1);
    println!(
        "gatehouse bench: {threads} hashing thread(s), {clients} clients, {} s of load",
        args.seconds
    );

    // 1. Raw argon2id rate, nothing else running.
    let raw_rate = raw_verify_rate(threads, Duration::from_secs(args.raw_seconds)).await?;
    println!(
        "raw argon2id (m=19456 KiB, t=2, p=1) verifications on {threads} thread(s): {raw_rate:.1}/s"
    );

    // 2. Seed.
    let temp = tempdir()?;
    let database = args
        .bench_database
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", temp.join("bench.db").display()));
    let emails = seed(&database, args.customers).await?;
    println!(
        "seeded {} customers into {}",
        emails.len(),
        database.split('@').next_back().unwrap_or(&database)
    );

    // 3. Server in its own process, as in production.
    let (mut server, base, http) = start_server(&database, threads, &[]).await?;

    // 4. Load and probe.
    let stop = Arc::new(AtomicBool::new(false));
    let emails = Arc::new(emails);
    let started = Instant::now();
    let client_cpu_before = own_cpu_seconds();
    let probe = tokio::spawn(probe_health(http.clone(), base.clone(), stop.clone()));
    let mut workers = Vec::new();
    for n in 0..clients {
        workers.push(tokio::spawn(sign_in_loop(
            http.clone(),
            base.clone(),
            emails.clone(),
            n,
            stop.clone(),
        )));
    }
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    let mut failures = 0usize;
    for w in workers {
        let (ok, failed) = w.await?;
        latencies.extend(ok);
        failures += failed;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let client_cores = (own_cpu_seconds() - client_cpu_before) / elapsed;
    let mut health = probe.await?;
    let _ = server.kill().await;

    // 5. Report.
    latencies.sort();
    health.sort();
    let throughput = latencies.len() as f64 / elapsed;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    // The raw rate of the cores the load client left: each hashing thread's
    // share of the raw rate, on as many cores as remained.
    let left = (cores - client_cores).clamp(0.1, threads as f64);
    let ceiling = raw_rate / threads as f64 * left;
    let health_p99 = percentile(&health, 99.0);
    println!();
    println!(
        "sign-ins (form, password, account page): {} succeeded, {failures} failed in {elapsed:.1} s",
        latencies.len()
    );
    println!(
        "load client: {client_cores:.2} of {cores} cores; raw argon2id on the {left:.2} left: {ceiling:.1}/s"
    );
    println!(
        "sign-in throughput: {throughput:.1}/s = {:.1}% of the raw rate on the cores left to the server (target >= 90%), {:.1}% of the raw rate on every core",
        throughput / ceiling * 100.0,
        throughput / raw_rate * 100.0
    );
    println!(
        "sign-in latency (the whole flow): p50 {:.1} ms, p99 {:.1} ms",
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 99.0))
    );
    println!(
        "/healthz during the storm ({} probes): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (target p99 < 20 ms)",
        health.len(),
        ms(percentile(&health, 50.0)),
        ms(health_p99),
        ms(health.last().copied().unwrap_or_default())
    );
    let _ = std::fs::remove_dir_all(&temp);
    if failures > 0 {
        bail!("{failures} sign-ins failed");
    }
    Ok(())
}

/// Starts `gatehouse serve` on a free loopback port over `database`, with
/// extra environment settings; returns the process, its base URL and a
/// client that does not follow redirects.
pub(crate) async fn start_server(
    database: &str,
    threads: usize,
    env: &[(&str, &str)],
) -> anyhow::Result<(tokio::process::Child, String, reqwest::Client)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let server = tokio::process::Command::new(std::env::current_exe()?)
        .arg("serve")
        .env("GATEHOUSE_DATABASE_URL", database)
        .env("GATEHOUSE_BIND", format!("127.0.0.1:{port}"))
        .env("GATEHOUSE_HASH_THREADS", threads.to_string())
        .env("GATEHOUSE_LOG", "warn")
        .env_remove("GATEHOUSE_SMTP_URL")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("starting gatehouse serve")?;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    wait_ready(&http, &base).await?;
    Ok((server, base, http))
}

/// What a bench server needs beside its database: on PostgreSQL, the key
/// its signing keys are sealed with (the configured one, or else a fresh
/// one: a bench database is new, so no key sealed before can be lost).
pub(crate) fn key_env(database: &str, config: &Config) -> Vec<(&'static str, String)> {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    use base64::Engine;
    if database.starts_with("sqlite:") {
        return Vec::new();
    }
    let key = match &config.key_source {
        crate::config::KeySource::Configured(key) => *key,
        _ => {
            let mut key = [0u8; 32];
            OsRng.fill_bytes(&mut key);
            key
        }
    };
    let key = base64::engine::general_purpose::STANDARD.encode(key);
    vec![("GATEHOUSE_KEY_ENCRYPTION_KEY", key)]
}

/// Verifications per second on `threads` threads, nothing else running,
/// computed as the hashing pool computes them (each thread keeps its work
/// memory between checks).
pub(crate) async fn raw_verify_rate(threads: usize, duration: Duration) -> anyhow::Result<f64> {
    let phc = crate::password::Hasher::new(1, 1)
        .hash(Password::new(BENCH_PASSWORD.into()))
        .await?;
    let started = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let phc = phc.clone();
            std::thread::spawn(move || {
                let mut n = 0u64;
                while started.elapsed() < duration {
                    let checked = crate::password::verify_now(BENCH_PASSWORD, &phc);
                    assert!(matches!(checked, Verification::Valid { .. }));
                    n += 1;
                }
                n
            })
        })
        .collect();
    let total: u64 = handles
        .into_iter()
        .map(|h| h.join().expect("hash thread"))
        .sum();
    Ok(total as f64 / started.elapsed().as_secs_f64())
}

pub(crate) async fn seed(database: &str, count: usize) -> anyhow::Result<Vec<String>> {
    let store = super::open_store_at(database).await?;
    let hash = crate::password::Hasher::new(1, 1)
        .hash(Password::new(BENCH_PASSWORD.into()))
        .await?;
    let now = Clock::system().now();
    let name = DisplayName::parse("Bench Customer").expect("valid");
    let mut emails = Vec::with_capacity(count);
    for i in 0..count {
        let email = Email::parse(&format!("bench-{i}@bench.example.com")).expect("valid");
        store
            .insert_customer(NewCustomer {
                id: CustomerId::new(),
                email: &email,
                display_name: &name,
                password_hash: &hash,
                terms_version: "bench",
                now,
            })
            .await?;
        emails.push(email.as_str().to_string());
    }
    store.close().await;
    Ok(emails)
}

async fn wait_ready(http: &reqwest::Client, base: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(r) = http.get(format!("{base}/readyz")).send().await
            && r.status().is_success()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("the benchmark server did not become ready")
}

/// One client: fetch the sign-in form (cookie + CSRF token), post the
/// credentials, repeat. Returns the sign-in POST latencies and failure count.
async fn sign_in_loop(
    http: reqwest::Client,
    base: String,
    emails: Arc<Vec<String>>,
    seed: usize,
    stop: Arc<AtomicBool>,
) -> (Vec<Duration>, usize) {
    let mut latencies = Vec::new();
    let mut failures = 0;
    let mut i = seed.wrapping_mul(7919);
    while !stop.load(Ordering::Relaxed) {
        i = i.wrapping_add(1);
        let email = &emails[i % emails.len()];
        match sign_in_once(&http, &base, email).await {
            Ok(latency) => latencies.push(latency),
            Err(e) => {
                if !stop.load(Ordering::Relaxed) {
                    eprintln!("sign-in failed: {e:#}");
                    failures += 1;
                }
            }
        }
    }
    (latencies, failures)
}

/// The sign-in form's cookie (a visitor's CSRF cookie) and its token.
pub(crate) async fn sign_in_form(
    http: &reqwest::Client,
    base: &str,
) -> anyhow::Result<(String, String)> {
    form_at(http, base, paths::SIGN_IN).await
}

/// The CSRF cookie and token of the form at `path`, as a visitor gets them.
pub(crate) async fn form_at(
    http: &reqwest::Client,
    base: &str,
    path: &str,
) -> anyhow::Result<(String, String)> {
    let page = http.get(format!("{base}{path}")).send().await?;
    let cookie = page
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .context("no CSRF cookie")?
        .to_string();
    let html = page.text().await?;
    Ok((cookie, csrf_token(&html)?.to_string()))
}

/// Posts the sign-in form (fetched with `form`) as a browser does.
pub(crate) async fn post_sign_in(
    http: &reqwest::Client,
    base: &str,
    (cookie, csrf): (String, String),
    email: &str,
    password: &str,
) -> anyhow::Result<reqwest::Response> {
    Ok(http
        .post(format!("{base}{}", paths::SIGN_IN))
        .header("cookie", cookie)
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await?)
}

/// Signs in; the session cookie when it worked.
pub(crate) async fn session_cookie(
    http: &reqwest::Client,
    base: &str,
    email: &str,
    password: &str,
) -> anyhow::Result<Option<String>> {
    let form = sign_in_form(http, base).await?;
    let response = post_sign_in(http, base, form, email, password).await?;
    if response.status() != reqwest::StatusCode::SEE_OTHER {
        return Ok(None);
    }
    Ok(signed_in_cookie(&response))
}

/// The signed-in session's cookie a response sets, as `name=value`.
fn signed_in_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("gatehouse_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_string)
}

/// One sign-in as a browser makes it: the form, the password, then the
/// account page the answer leads to.
pub(crate) async fn sign_in_once(
    http: &reqwest::Client,
    base: &str,
    email: &str,
) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let form = sign_in_form(http, base).await?;
    let response = post_sign_in(http, base, form, email, BENCH_PASSWORD).await?;
    if response.status() != reqwest::StatusCode::SEE_OTHER {
        bail!("sign-in answered {}", response.status());
    }
    let cookie = signed_in_cookie(&response).context("no session cookie")?;
    let to = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .context("no redirect")?;
    let page = http
        .get(format!("{base}{to}"))
        .header("cookie", cookie)
        .send()
        .await?;
    if page.status() != reqwest::StatusCode::OK {
        bail!("{to} answered {}", page.status());
    }
    page.bytes().await?;
    Ok(started.elapsed())
}

/// CPU seconds this process has used (user and system), every thread.
pub(crate) fn own_cpu_seconds() -> f64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes one rusage into the pointer it is given.
    let status = unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) };
    if status != 0 {
        return 0.0;
    }
    // SAFETY: getrusage succeeded, so it filled the struct (zeroed before).
    let usage = unsafe { usage.assume_init() };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

async fn probe_health(http: reqwest::Client, base: String, stop: Arc<AtomicBool>) -> Vec<Duration> {
    probe(http, format!("{base}{}", paths::HEALTH), None, stop)
        .await
        .0
}

/// GETs `url` (with `cookie`) every 10 ms until `stop`: the latencies of
/// the successful answers, and how many failed (an error status or none).
pub(crate) async fn probe(
    http: reqwest::Client,
    url: String,
    cookie: Option<String>,
    stop: Arc<AtomicBool>,
) -> (Vec<Duration>, usize) {
    let (mut latencies, mut failed) = (Vec::new(), 0);
    let mut tick = tokio::time::interval(Duration::from_millis(10));
    while !stop.load(Ordering::Relaxed) {
        tick.tick().await;
        let started = Instant::now();
        let mut request = http.get(&url);
        if let Some(cookie) = &cookie {
            request = request.header("cookie", cookie);
        }
        match request.send().await {
            Ok(r) if r.status().is_success() => {
                let _ = r.bytes().await;
                latencies.push(started.elapsed());
            }
            _ => failed += 1,
        }
    }
    (latencies, failed)
}

/// The CSRF token in a page's form, as a benchmark client posts it back.
pub(crate) fn csrf_token(html: &str) -> anyhow::Result<&str> {
    let marker = r#"name="csrf_token" value=""#;
    let at = html.find(marker).context("no CSRF token")? + marker.len();
    Ok(&html[at..at + html[at..].find('"').context("unterminated token")?])
}

pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub(crate) fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub(crate) fn tempdir() -> anyhow::Result<std::path::PathBuf> {
    let dir =
        std::env::temp_dir().join(format!("gatehouse-bench-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
