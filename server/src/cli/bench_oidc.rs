//! `gatehouse bench-oidc`: how fast the OpenID Connect endpoints answer,
//! against `gatehouse serve` in its own process, beside the physical
//! ceilings measured in the same run (raw RS256 / ES256 signatures per
//! second and raw argon2id verifications per second).
//!
//! Scenarios, each for `--seconds` with `--clients` concurrent clients:
//! `client_credentials` with RS256 and with ES256 access tokens (the server
//! restarted with each), refresh token rotation, userinfo with a bearer
//! token, and the complete authorization code flow with the password
//! sign-in (authorize, sign-in form, password, resume, token).

use super::bench::{
    BENCH_PASSWORD, csrf_token, key_env, ms, percentile, raw_verify_rate, seed, start_server,
    tempdir,
};
use crate::config::Config;
use crate::domain::oidc::{Grant, SigningAlg};
use crate::domain::secrets::LinkToken;
use crate::domain::{Clock, Email, RequestContext};
use crate::oidc::clients::{self, Registration};
use crate::signing::SigningKey;
use crate::state::AppState;
use anyhow::{Context, bail};
use app::paths;
use base64::Engine;
use clap::Args;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const CALLBACK: &str = "http://127.0.0.1:9/cb";

#[derive(Args, Debug)]
pub struct OidcBenchArgs {
    /// Seconds of load per scenario.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Concurrent clients per scenario.
    #[arg(long, default_value_t = 16)]
    pub clients: usize,
    /// Database for the benchmark server; default: a new SQLite file in a
    /// temporary directory.
    #[arg(long)]
    pub bench_database: Option<String>,
}

/// What one scenario measured.
pub(crate) struct Measured {
    pub ok: usize,
    pub failed: usize,
    pub rate: f64,
    pub p50: f64,
    pub p99: f64,
}

pub async fn run(args: OidcBenchArgs, config: Config) -> anyhow::Result<()> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // The load client runs on this machine too: the server has what it leaves.
    let server_cores = cores.saturating_sub(1).max(1);
    println!(
        "gatehouse bench-oidc: {cores} core(s), {} clients, {} s per scenario",
        args.clients, args.seconds
    );

    // Ceilings, nothing else running.
    let raw = Duration::from_secs(3);
    let rs256 = raw_sign_rate(SigningAlg::RS256, server_cores, raw)?;
    let rs256_all = raw_sign_rate(SigningAlg::RS256, cores, raw)?;
    let es256 = raw_sign_rate(SigningAlg::ES256, server_cores, raw)?;
    // argon2id on the cores left after the load client (the ceiling the
    // target is stated against), and on the password pool's threads (every
    // core: the server does get part of the client's core).
    let argon = raw_verify_rate(server_cores, raw).await?;
    let argon_pool = raw_verify_rate(config.hash_threads, raw).await?;
    println!("raw RS256 signatures on {server_cores} thread(s): {rs256:.0}/s");
    println!("raw RS256 signatures on {cores} thread(s): {rs256_all:.0}/s");
    println!("raw ES256 signatures on {server_cores} thread(s): {es256:.0}/s");
    println!("raw argon2id verifications on {server_cores} thread(s): {argon:.1}/s");
    println!(
        "raw argon2id verifications on {} thread(s) (the password pool): {argon_pool:.1}/s",
        config.hash_threads
    );

    let temp = tempdir()?;
    let database = args
        .bench_database
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", temp.join("bench-oidc.db").display()));
    let env = key_env(&database, &config);
    let emails = seed(&database, args.clients).await?;
    let store = super::open_store_at(&database).await?;
    let state = AppState::new(config.clone(), store, Clock::system());
    let ctx = RequestContext::system();
    let service = clients::register(
        &state,
        &ctx,
        Registration {
            name: "Bench Service".into(),
            grant_types: Some(vec!["client_credentials".into()]),
            ..Default::default()
        },
    )
    .await?;
    let app = clients::register(
        &state,
        &ctx,
        Registration {
            name: "Bench App".into(),
            first_party: true,
            redirect_uris: vec![CALLBACK.into()],
            ..Default::default()
        },
    )
    .await?;
    let service = Arc::new((service.client.id, service.secret.unwrap_or_default()));
    let app = Arc::new((app.client.id, app.secret.unwrap_or_default()));
    println!(
        "database: {}",
        database.split('@').next_back().unwrap_or(&database)
    );
    let seconds = Duration::from_secs(args.seconds);

    let mut results = Vec::new();
    for alg in ["RS256", "ES256"] {
        let mut with_alg = env.clone();
        with_alg.push(("GATEHOUSE_ACCESS_TOKEN_ALG", alg.to_string()));
        let env_refs: Vec<(&str, &str)> = with_alg.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (mut server, base, http) =
            start_server(&database, config.hash_threads, &env_refs).await?;
        let service = service.clone();
        let measured = load(args.clients, seconds, move |_| {
            let (http, base, service) = (http.clone(), base.clone(), service.clone());
            async move { client_credentials(&http, &base, &service).await }
        })
        .await;
        let _ = server.kill().await;
        results.push((format!("client_credentials, {alg} access tokens"), measured));
    }

    let env_refs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (mut server, base, http) = start_server(&database, config.hash_threads, &env_refs).await?;

    // Refresh rotation: each client holds a token of its own and rotates it.
    let mut holders = Vec::new();
    for email in &emails {
        let email = Email::parse(email).expect("seeded emails are valid");
        let (customer, _) = state
            .store
            .customer_by_email(&email)
            .await?
            .context("seeded")?;
        let token = LinkToken::generate();
        let grant = Grant {
            client_id: app.0.clone(),
            customer: customer.id,
            scope: "openid email profile".into(),
            auth_time: state.clock.now(),
            amr: "pwd".into(),
            family: uuid::Uuid::now_v7(),
            session: None,
        };
        let now = state.clock.now();
        state
            .store
            .insert_refresh_token(&token.hash, &grant, now, now + 86_400)
            .await?;
        holders.push(Arc::new(tokio::sync::Mutex::new((
            token.raw,
            String::new(),
        ))));
    }
    let holders = Arc::new(holders);
    let measured = {
        let (http, base, app, holders) = (http.clone(), base.clone(), app.clone(), holders.clone());
        load(args.clients, seconds, move |n| {
            let (http, base, app, holder) =
                (http.clone(), base.clone(), app.clone(), holders[n].clone());
            async move {
                let mut held = holder.lock().await;
                let response = http
                    .post(format!("{base}{}", paths::TOKEN))
                    .basic_auth(&app.0, Some(&app.1))
                    .form(&[("grant_type", "refresh_token"), ("refresh_token", &held.0)])
                    .send()
                    .await?;
                let body = expect_ok(response).await?;
                held.0 = body["refresh_token"]
                    .as_str()
                    .context("refresh_token")?
                    .to_string();
                held.1 = body["access_token"]
                    .as_str()
                    .context("access_token")?
                    .to_string();
                Ok(())
            }
        })
        .await
    };
    results.push(("refresh_token rotation".into(), measured));

    let measured = {
        let (http, base, holders) = (http.clone(), base.clone(), holders.clone());
        load(args.clients, seconds, move |n| {
            let (http, base, holder) = (http.clone(), base.clone(), holders[n].clone());
            async move {
                let token = holder.lock().await.1.clone();
                let response = http
                    .get(format!("{base}{}", paths::USERINFO))
                    .bearer_auth(token)
                    .send()
                    .await?;
                expect_ok(response).await.map(|_| ())
            }
        })
        .await
    };
    results.push(("userinfo with a bearer token".into(), measured));

    let emails = Arc::new(emails);
    let measured = {
        let (http, base, app, emails) = (http.clone(), base.clone(), app.clone(), emails.clone());
        load(args.clients, seconds, move |n| {
            let (http, base, app, emails) =
                (http.clone(), base.clone(), app.clone(), emails.clone());
            async move { code_flow(&http, &base, &app, &emails[n]).await }
        })
        .await
    };
    results.push((
        "authorization code flow with password sign-in".into(),
        measured,
    ));
    let _ = server.kill().await;
    state.store.close().await;

    println!();
    for (name, m) in &results {
        println!(
            "{name}: {:.0}/s, p50 {:.2} ms, p99 {:.2} ms ({} ok, {} failed)",
            m.rate, m.p50, m.p99, m.ok, m.failed
        );
    }
    let share = |m: &Measured, raw: f64| m.rate / raw * 100.0;
    println!();
    println!(
        "client_credentials RS256: {:.1}% of the raw RS256 rate on {server_cores} thread(s) \
         (target >= 80%), {:.1}% of the rate on {cores}",
        share(&results[0].1, rs256),
        share(&results[0].1, rs256_all)
    );
    println!(
        "client_credentials ES256: {:.0}/s (target >= 8000/s)",
        results[1].1.rate
    );
    println!(
        "refresh rotation: {:.0}/s (target >= 2000/s)",
        results[2].1.rate
    );
    println!(
        "code flows: {:.1}% of the raw argon2id rate on {server_cores} thread(s) (target >= 80%), \
         {:.1}% of the rate on the pool's {} thread(s)",
        share(&results[4].1, argon),
        share(&results[4].1, argon_pool),
        config.hash_threads
    );
    Ok(())
}

/// Runs `one` in `clients` loops for `duration`; client `n` passes `n`.
pub(crate) async fn load<F, Fut>(clients: usize, duration: Duration, one: F) -> Measured
where
    F: Fn(usize) -> Fut + Send + Sync + Clone + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|n| {
            let (one, stop) = (one.clone(), stop.clone());
            tokio::spawn(async move {
                let (mut ok, mut failed) = (Vec::new(), 0usize);
                while !stop.load(Ordering::Relaxed) {
                    let at = Instant::now();
                    match one(n).await {
                        Ok(()) => ok.push(at.elapsed()),
                        Err(e) => {
                            failed += 1;
                            if failed == 1 {
                                eprintln!("bench client {n}: {e:#}");
                            }
                        }
                    }
                }
                (ok, failed)
            })
        })
        .collect();
    tokio::time::sleep(duration).await;
    stop.store(true, Ordering::Relaxed);
    let (mut all, mut failed) = (Vec::new(), 0);
    for worker in workers {
        if let Ok((ok, f)) = worker.await {
            all.extend(ok);
            failed += f;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    Measured {
        ok: all.len(),
        failed,
        rate: all.len() as f64 / elapsed,
        p50: ms(percentile(&all, 50.0)),
        p99: ms(percentile(&all, 99.0)),
    }
}

/// One `client_credentials` grant for `service` (id, secret).
pub(crate) async fn client_credentials(
    http: &reqwest::Client,
    base: &str,
    service: &(String, String),
) -> anyhow::Result<()> {
    let response = http
        .post(format!("{base}{}", paths::TOKEN))
        .basic_auth(&service.0, Some(&service.1))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await?;
    expect_ok(response).await.map(|_| ())
}

pub(crate) async fn expect_ok(response: reqwest::Response) -> anyhow::Result<serde_json::Value> {
    let status = response.status();
    let body = response.text().await?;
    if !status.is_success() {
        bail!("answered {status}: {body}");
    }
    Ok(serde_json::from_str(&body)?)
}

/// One complete sign-in of a customer to the application: authorize, the
/// sign-in form, the password, back through resume, the code for tokens.
async fn code_flow(
    http: &reqwest::Client,
    base: &str,
    app: &(String, String),
    email: &str,
) -> anyhow::Result<()> {
    let verifier = LinkToken::generate().raw;
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(<sha2::Sha256 as sha2::Digest>::digest(verifier.as_bytes()));
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("response_type", "code"),
            ("client_id", app.0.as_str()),
            ("redirect_uri", CALLBACK),
            ("scope", "openid email"),
            ("state", "bench"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .finish();
    let mut jar = Jar::default();
    let response = http
        .get(format!("{base}{}?{query}", paths::AUTHORIZE))
        .send()
        .await?;
    jar.keep(&response);
    // As a browser does: the sign-in form the request leads to (it names
    // the request), then wherever the sign-in leads (back to it).
    let form = location(&response, paths::SIGN_IN)?;
    let response = http
        .get(format!("{base}{form}"))
        .header("cookie", jar.header())
        .send()
        .await?;
    jar.keep(&response);
    let html = response.text().await?;
    let csrf = csrf_token(&html)?.to_string();
    let request = form.split_once("request=").map_or("", |(_, id)| id);
    let response = http
        .post(format!("{base}{}", paths::SIGN_IN))
        .header("cookie", jar.header())
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("email", email),
            ("password", BENCH_PASSWORD),
            ("request", request),
        ])
        .send()
        .await?;
    jar.keep(&response);
    let resume = location(&response, paths::AUTHORIZE_RESUME)?;
    let response = http
        .get(format!("{base}{resume}"))
        .header("cookie", jar.header())
        .send()
        .await?;
    let refresh = response
        .headers()
        .get("refresh")
        .and_then(|v| v.to_str().ok())
        .context("no way back to the application")?;
    let back = url::Url::parse(refresh.trim_start_matches("0;url="))?;
    let code = back
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .context("no code")?;
    let response = http
        .post(format!("{base}{}", paths::TOKEN))
        .basic_auth(&app.0, Some(&app.1))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", CALLBACK),
            ("code_verifier", verifier.as_str()),
        ])
        .send()
        .await?;
    expect_ok(response).await.map(|_| ())
}

/// The cookies of one browser, as far as a benchmark needs them.
#[derive(Default)]
struct Jar(Vec<(String, String)>);

impl Jar {
    fn keep(&mut self, response: &reqwest::Response) {
        for value in response.headers().get_all("set-cookie") {
            let Some((name, rest)) = value.to_str().unwrap_or("").split_once('=') else {
                continue;
            };
            let value = rest.split(';').next().unwrap_or("").to_string();
            self.0.retain(|(n, _)| n != name);
            self.0.push((name.to_string(), value));
        }
    }

    fn header(&self) -> String {
        self.0
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Signatures per second of a fresh key of `alg` on `threads` threads.
fn raw_sign_rate(alg: SigningAlg, threads: usize, duration: Duration) -> anyhow::Result<f64> {
    let key = Arc::new(SigningKey::ephemeral(alg)?);
    let claims = serde_json::json!({
        "iss": "https://gatehouse.example", "sub": "bench", "aud": "https://gatehouse.example",
        "client_id": "bench-client", "iat": 1, "exp": 2, "jti": "0123456789abcdef", "scope": "",
    });
    let started = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (key, claims) = (key.clone(), claims.clone());
            std::thread::spawn(move || {
                let mut n = 0u64;
                while started.elapsed() < duration {
                    key.sign("at+jwt", &claims).expect("signs");
                    n += 1;
                }
                n
            })
        })
        .collect();
    let total: u64 = handles.into_iter().map(|h| h.join().unwrap_or(0)).sum();
    Ok(total as f64 / started.elapsed().as_secs_f64())
}

/// Where a redirect leads, when it leads to page `path` (any query).
fn location(response: &reqwest::Response, path: &str) -> anyhow::Result<String> {
    let to = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if to.split('?').next() != Some(path) {
        bail!("{path} expected, {} answered {to:?}", response.status());
    }
    Ok(to.to_string())
}
