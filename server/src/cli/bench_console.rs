//! `gatehouse bench-console`: how fast the console finds customers in the
//! database it is pointed at (seed it first: `gatehouse seed --customers N`).
//!
//! It serves the real router on a loopback port inside this process, signs
//! in a temporary auditor (removed at the end; its sign-in stays on the audit
//! trail), and times whole HTTP requests, one at a time, for each kind of
//! search the console offers, with real customers' emails and names. It
//! prints p50 / p95 / max per kind against the targets.

use crate::directory::admins;
use app::paths;

use crate::cli::bench::{ms, percentile};
use crate::config::Config;
use crate::domain::mfa::FactorKind;
use crate::domain::{Clock, Role};
use crate::domain::{Cursor, Sort};
use crate::password::Password;
use crate::state::AppState;
use crate::store::{FactorOwner, NewFactor, Store};
use anyhow::{Context, bail};
use clap::Args;
use std::time::{Duration, Instant};

#[derive(Args, Debug)]
pub struct ConsoleBenchArgs {
    /// Timed requests per kind of search.
    #[arg(long, default_value_t = 200)]
    pub requests: usize,
    /// How deep the deep-page check goes, in pages of 50.
    #[arg(long, default_value_t = 10_000)]
    pub depth_pages: i64,
    /// Time only the searches by searchable attributes.
    #[arg(long)]
    pub attributes_only: bool,
}

const PAGE: i64 = 50;

struct Scenario {
    name: String,
    target_ms: f64,
    paths: Vec<String>,
}

pub async fn run(args: ConsoleBenchArgs, config: Config) -> anyhow::Result<()> {
    let store = super::open_store(&config).await?;
    let (customers, _) = store.estimate_customers().await?;
    let depth = args.depth_pages * PAGE;
    if customers < depth + PAGE {
        bail!(
            "the database holds about {customers} customers; page {} needs {}: run `gatehouse seed --customers N` first",
            args.depth_pages,
            depth + PAGE
        );
    }
    println!(
        "gatehouse bench-console: {} database, about {customers} customers, {} requests per kind",
        store.backend_name(),
        args.requests
    );

    let scenarios = scenarios(&store, args.requests, depth, args.attributes_only).await?;
    let state = AppState::new(config, store.clone(), Clock::system());
    let (email, password) = (
        format!("bench-{}@bench.invalid", uuid::Uuid::new_v4().simple()),
        format!("bench {} {}", uuid::Uuid::new_v4(), uuid::Uuid::new_v4()),
    );
    let admin = admins::create(
        &state,
        &email,
        Role::Auditor,
        Password::new(password.clone()),
    )
    .await
    .map_err(|e| anyhow::anyhow!("creating the bench admin: {e}"))?;
    // Admins show a second factor: the bench admin holds an app, and the
    // bench acts as it.
    let mut app_secret = vec![0u8; 20];
    argon2::password_hash::rand_core::RngCore::fill_bytes(
        &mut argon2::password_hash::rand_core::OsRng,
        &mut app_secret,
    );
    let now = state.clock.now();
    store
        .insert_factor(&NewFactor {
            id: uuid::Uuid::now_v7(),
            owner: FactorOwner::Admin(admin.id),
            kind: FactorKind::Totp,
            name: "Bench",
            totp: Some((&app_secret, 0)),
            passkey: None,
            now,
        })
        .await?;
    let signer = (email.as_str(), password.as_str(), app_secret.as_slice());
    let result = measure(&state, signer, &scenarios).await;
    store.delete_admin(admin.id).await?;
    let results = result?;

    println!();
    println!(
        "{:<34} {:>9} {:>9} {:>9}   target p95",
        "kind", "p50 ms", "p95 ms", "max ms"
    );
    let mut missed = 0;
    for (scenario, mut latencies) in scenarios.iter().zip(results) {
        latencies.sort();
        let p95 = ms(percentile(&latencies, 95.0));
        let verdict = if p95 < scenario.target_ms {
            "ok"
        } else {
            missed += 1;
            "MISSED"
        };
        println!(
            "{:<34} {:>9.2} {:>9.2} {:>9.2}   < {} ms {verdict}",
            scenario.name,
            ms(percentile(&latencies, 50.0)),
            p95,
            ms(latencies.last().copied().unwrap_or_default()),
            scenario.target_ms
        );
    }
    store.close().await;
    if missed > 0 {
        bail!("{missed} kind(s) of search missed their target");
    }
    Ok(())
}

/// The requests to time, built from customers actually in the database:
/// one block per kind of search, in the order the report prints them.
async fn scenarios(
    store: &Store,
    requests: usize,
    depth: i64,
    attributes_only: bool,
) -> anyhow::Result<Vec<Scenario>> {
    let mut rng = uuid::Uuid::new_v4().as_u128();
    let mut samples = Vec::with_capacity(requests);
    while samples.len() < requests {
        // A random two-letter start lands on a random customer's email.
        rng = rng.rotate_left(13) ^ 0x9E37_79B9_7F4A_7C15;
        let start: String = [b'a' + (rng % 26) as u8, b'a' + ((rng >> 8) % 26) as u8]
            .iter()
            .map(|&b| b as char)
            .collect();
        if let Some(found) = store.customer_email_at_or_after(&start).await? {
            samples.push(found);
        }
    }
    let encode = |pairs: &[(&str, &str)]| {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            s.append_pair(k, v);
        }
        format!("{}?{}", paths::CUSTOMERS, s.finish())
    };
    let mut attribute_scenarios = Vec::new();
    for a in store.list_attributes().await? {
        if !a.searchable || a.archived {
            continue;
        }
        // The sampled customers' own values.
        let mut values = Vec::with_capacity(requests);
        for (email, _) in &samples {
            values.extend(store.attribute_value_by_email(a.id, email).await?);
        }
        if values.is_empty() {
            continue;
        }
        attribute_scenarios.push(Scenario {
            name: format!("attribute {}", a.key),
            target_ms: 50.0,
            paths: values
                .iter()
                .map(|v| encode(&[("attr", &a.key), ("attr_value", v)]))
                .collect(),
        });
    }
    if attributes_only {
        return Ok(attribute_scenarios);
    }
    let exact = samples
        .iter()
        .map(|(email, _)| encode(&[("field", "email"), ("q", email)]))
        .collect();
    let prefix = samples
        .iter()
        .map(|(email, _)| encode(&[("field", "email"), ("q", &email[..3.min(email.len())])]))
        .collect();
    // Part of the family name, from its second letter: a true substring.
    let substring = samples
        .iter()
        .map(|(_, name)| {
            let family: Vec<char> = name
                .split_whitespace()
                .last()
                .unwrap_or(name)
                .chars()
                .collect();
            let part: String = family.iter().skip(1).take(4).collect();
            let part = if part.chars().count() >= 3 {
                part
            } else {
                name.chars().take(4).collect()
            };
            encode(&[("field", "name"), ("q", &part)])
        })
        .collect();
    // A whole family name: thousands share each one.
    let common = samples
        .iter()
        .map(|(_, name)| {
            let family = name.split_whitespace().last().unwrap_or(name);
            encode(&[("field", "name"), ("q", &family.to_lowercase())])
        })
        .collect();
    // A whole name: each of its words is common, together a few thousand
    // customers at 10M.
    let full = samples
        .iter()
        .map(|(_, name)| encode(&[("field", "name"), ("q", &name.to_lowercase())]))
        .collect();
    let year = time::OffsetDateTime::now_utc().date();
    let (from, to) = (
        (year - time::Duration::days(365)).to_string(),
        (year - time::Duration::days(180)).to_string(),
    );
    let filters = [
        vec![("status", "unverified")],
        vec![("status", "disabled")],
        vec![("status", "active"), ("sort", "last_sign_in")],
        vec![("from", from.as_str()), ("to", to.as_str())],
    ];
    let filtered = (0..requests)
        .map(|i| encode(&filters[i % filters.len()]))
        .collect();
    let deep_created = store
        .cursor_at_depth(Sort::Created, depth - 1)
        .await?
        .context("no customer that deep")?;
    let deep_sign_in = store
        .cursor_at_depth(Sort::LastSignIn, depth - 1)
        .await?
        .context("no customer that deep")?;
    let deep = (0..requests)
        .map(|i| {
            let (cursor, sort): (&Cursor, &str) = if i % 2 == 0 {
                (&deep_created, "created")
            } else {
                (&deep_sign_in, "last_sign_in")
            };
            encode(&[("sort", sort), ("after", &cursor.encode())])
        })
        .collect();
    Ok([
        Scenario {
            name: "exact email".into(),
            target_ms: 5.0,
            paths: exact,
        },
        Scenario {
            name: "email prefix (3 letters)".into(),
            target_ms: 5.0,
            paths: prefix,
        },
        Scenario {
            name: "name substring".into(),
            target_ms: 50.0,
            paths: substring,
        },
        Scenario {
            name: "common family name".into(),
            target_ms: 50.0,
            paths: common,
        },
        Scenario {
            name: "first and family name".into(),
            target_ms: 50.0,
            paths: full,
        },
        Scenario {
            name: "filtered list, first page".into(),
            target_ms: 50.0,
            paths: filtered,
        },
        Scenario {
            name: "list page deep (after N pages)".into(),
            target_ms: 10.0,
            paths: deep,
        },
    ]
    .into_iter()
    .chain(attribute_scenarios)
    .collect())
}

/// Serves the router on loopback, signs the bench admin in and times every path.
async fn measure(
    state: &AppState,
    (email, password, app_secret): (&str, &str, &[u8]),
    scenarios: &[Scenario],
) -> anyhow::Result<Vec<Vec<Duration>>> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let app = crate::http::router(state.clone())
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let cookie = sign_in(&http, &base, email, password, app_secret).await?;

    let mut results = Vec::new();
    for scenario in scenarios {
        // A few untimed requests first, so every kind starts from a warm cache alike.
        for path in scenario.paths.iter().take(5) {
            get(&http, &base, path, &cookie).await?;
        }
        let mut latencies = Vec::with_capacity(scenario.paths.len());
        for path in &scenario.paths {
            let started = Instant::now();
            get(&http, &base, path, &cookie).await?;
            latencies.push(started.elapsed());
        }
        results.push(latencies);
    }
    server.abort();
    Ok(results)
}

async fn get(http: &reqwest::Client, base: &str, path: &str, cookie: &str) -> anyhow::Result<()> {
    let response = http
        .get(format!("{base}{path}"))
        .header("cookie", cookie)
        .send()
        .await?;
    let status = response.status();
    let body = response.text().await?;
    if status != reqwest::StatusCode::OK || !body.contains("</table>") {
        bail!("{path} answered {status}");
    }
    Ok(())
}

/// The console cookie of a fresh admin sign-in, as an admin's browser
/// gets it: the password, then the code of the app the bench admin holds.
async fn sign_in(
    http: &reqwest::Client,
    base: &str,
    email: &str,
    password: &str,
    app_secret: &[u8],
) -> anyhow::Result<String> {
    let admin_cookie = |r: &reqwest::Response| {
        r.headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("gatehouse_admin="))
            .and_then(|v| v.split(';').next())
            .map(str::to_string)
    };
    let (csrf_cookie, csrf) =
        crate::cli::bench::form_at(http, base, paths::CONSOLE_SIGN_IN).await?;
    let response = http
        .post(format!("{base}{}", paths::CONSOLE_SIGN_IN))
        .header("cookie", &csrf_cookie)
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await?;
    let to = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if response.status() != reqwest::StatusCode::SEE_OTHER || to != paths::CONSOLE_SIGN_IN_VERIFY {
        bail!(
            "the bench admin's password answered {} (to {to:?})",
            response.status()
        );
    }
    let waiting = admin_cookie(&response).context("no console cookie after the password")?;
    // The waiting sign-in has a session now, and its forms that session's token.
    let cookies = format!("{csrf_cookie}; {waiting}");
    let page = http
        .get(format!("{base}{}", paths::CONSOLE_SIGN_IN_VERIFY))
        .header("cookie", &cookies)
        .send()
        .await?
        .text()
        .await?;
    let csrf = crate::cli::bench::csrf_token(&page)?;
    let code = crate::mfa::totp::code_at(app_secret, Clock::system().now())?;
    let response = http
        .post(format!("{base}{}", paths::CONSOLE_SIGN_IN_VERIFY))
        .header("cookie", &cookies)
        .form(&[("csrf_token", csrf), ("code", code.as_str())])
        .send()
        .await?;
    if response.status() != reqwest::StatusCode::SEE_OTHER {
        bail!("the bench admin's code answered {}", response.status());
    }
    let signed_in = admin_cookie(&response).unwrap_or(waiting);
    Ok(format!("{csrf_cookie}; {signed_in}"))
}
