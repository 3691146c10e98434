//! Three `gatehouse serve` processes on one PostgreSQL database, behind
//! HAProxy run with `deploy/haproxy.cfg` itself, behave as one server: a
//! session made through one is honoured by all, a sign-out on one ends it
//! everywhere, guesses count together, an application turned off and a key
//! rotated (by a fourth process, the command line) are seen by every
//! instance within a second, mail is delivered once, and an instance
//! stopped under load costs no request.
//!
//! PostgreSQL only: several instances need a database they share. Skipped,
//! with a note, when GATEHOUSE_TEST_POSTGRES_URL is unset; CI sets it.

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::{
    Backend, MailSink, STRONG_PASSWORD, TEST_KEY_ENCRYPTION_KEY, TestDb, extract_csrf, free_port,
};

const BIN: &str = env!("CARGO_BIN_EXE_gatehouse");

/// A child process killed when the test ends, however it ends.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Cluster {
    /// The instances' base URLs, in order.
    instances: Vec<String>,
    processes: Vec<Process>,
    /// The balancer's base URL (also the public URL).
    balancer: String,
    _haproxy: Process,
    env: Vec<(String, String)>,
}

impl Cluster {
    async fn start(db: &TestDb, mail: &MailSink) -> Self {
        let balancer_port = free_port();
        let balancer = format!("http://localhost:{balancer_port}");
        let env: Vec<(String, String)> = [
            ("GATEHOUSE_DATABASE_URL", db.url.clone()),
            ("GATEHOUSE_PUBLIC_URL", balancer.clone()),
            (
                "GATEHOUSE_KEY_ENCRYPTION_KEY",
                TEST_KEY_ENCRYPTION_KEY.into(),
            ),
            (
                "GATEHOUSE_SMTP_URL",
                format!("smtp://127.0.0.1:{}", mail.port),
            ),
            ("GATEHOUSE_HASH_THREADS", "1".into()),
            ("GATEHOUSE_TRUSTED_PROXIES", "127.0.0.1".into()),
            ("GATEHOUSE_LOG", "warn".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        // Migrated once, before the instances race to.
        let migrated = Command::new(BIN)
            .arg("migrate")
            .envs(env.iter().cloned())
            .output()
            .unwrap();
        assert!(migrated.status.success(), "{migrated:?}");

        let http = client();
        let mut instances = Vec::new();
        let mut processes = Vec::new();
        for _ in 0..3 {
            let port = free_port();
            let child = Command::new(BIN)
                .arg("serve")
                .envs(env.iter().cloned())
                .env("GATEHOUSE_BIND", format!("127.0.0.1:{port}"))
                .stdout(Stdio::null())
                .spawn()
                .unwrap();
            processes.push(Process(child));
            instances.push(format!("http://127.0.0.1:{port}"));
        }
        for base in &instances {
            // Ready, and listening to the others.
            wait_until(Duration::from_secs(30), || async {
                metric(&http, base, "gatehouse_hearing_other_instances").await == Some(1.0)
            })
            .await
            .unwrap_or_else(|| panic!("{base} never started hearing the others"));
        }

        let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/haproxy.cfg");
        let mut haproxy = Command::new(haproxy_binary());
        // -db: stay in the foreground, so the test owns the process.
        haproxy
            .args(["-db", "-f"])
            .arg(&config)
            .env("GATEHOUSE_LISTEN", format!("127.0.0.1:{balancer_port}"))
            .stdout(Stdio::null());
        for (n, base) in instances.iter().enumerate() {
            haproxy.env(
                format!("GATEHOUSE_INSTANCE_{}", n + 1),
                base.trim_start_matches("http://"),
            );
        }
        let haproxy = Process(
            haproxy
                .spawn()
                .expect("HAProxy is missing: apt-get install -y haproxy (.ci/run installs it)"),
        );
        let ready = format!("{balancer}/readyz");
        wait_until(Duration::from_secs(10), || async {
            matches!(http.get(&ready).send().await, Ok(r) if r.status() == 200)
        })
        .await
        .expect("HAProxy never answered");
        Self {
            instances,
            processes,
            balancer,
            _haproxy: haproxy,
            env,
        }
    }

    /// Runs a `gatehouse` command (a fourth process) on the same database.
    fn command(&self, args: &[&str]) -> Value {
        let out = Command::new(BIN)
            .args(args)
            .envs(self.env.iter().cloned())
            .output()
            .unwrap();
        assert!(out.status.success(), "gatehouse {args:?}: {out:?}");
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

fn haproxy_binary() -> &'static str {
    if Path::new("/usr/sbin/haproxy").exists() {
        "/usr/sbin/haproxy"
    } else {
        "haproxy"
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Polls `check` every 20 ms until it holds; how long it took, or `None`
/// if it never did within `limit`.
async fn wait_until<F, Fut>(limit: Duration, check: F) -> Option<Duration>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while start.elapsed() < limit {
        if check().await {
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

/// One unlabelled sample of an instance's `/metrics`.
async fn metric(http: &reqwest::Client, base: &str, name: &str) -> Option<f64> {
    let text = http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

/// A browser over real HTTP: keeps cookies and the last form's CSRF token,
/// and sends each request to whichever base URL it is given.
struct Browser {
    http: reqwest::Client,
    cookies: BTreeMap<String, String>,
    csrf: Option<String>,
}

struct Answer {
    status: u16,
    location: Option<String>,
    body: String,
}

impl Browser {
    fn new() -> Self {
        Self {
            http: client(),
            cookies: BTreeMap::new(),
            csrf: None,
        }
    }

    async fn get(&mut self, base: &str, path: &str) -> Answer {
        let request = self.http.get(format!("{base}{path}"));
        self.send(request).await
    }

    async fn post(&mut self, base: &str, path: &str, fields: &[(&str, &str)]) -> Answer {
        let csrf = self.csrf.clone().unwrap_or_default();
        let mut form: Vec<(&str, &str)> = vec![("csrf_token", &csrf)];
        form.extend_from_slice(fields);
        let request = self.http.post(format!("{base}{path}")).form(&form);
        self.send(request).await
    }

    async fn send(&mut self, mut request: reqwest::RequestBuilder) -> Answer {
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect();
            request = request.header("cookie", jar.join("; "));
        }
        let response = request.send().await.unwrap();
        for value in response.headers().get_all("set-cookie") {
            let value = value.to_str().unwrap();
            let Some((name, rest)) = value.split_once('=') else {
                continue;
            };
            let cookie = rest.split(';').next().unwrap().to_string();
            if value.contains("Max-Age=0") || cookie.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), cookie);
            }
        }
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_string());
        let body = response.text().await.unwrap();
        if let Some(token) = extract_csrf(&body) {
            self.csrf = Some(token);
        }
        Answer {
            status,
            location,
            body,
        }
    }
}

/// A client-credentials token from `base`: its kid, or the error's status.
async fn service_token(base: &str, id: &str, secret: &str) -> Result<String, u16> {
    let response = client()
        .post(format!("{base}/oauth2/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    if status != 200 {
        return Err(status);
    }
    let token = body["access_token"].as_str().unwrap();
    Ok(jsonwebtoken::decode_header(token).unwrap().kid.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_behind_haproxy_behave_as_one() {
    let Ok(url) = std::env::var("GATEHOUSE_TEST_POSTGRES_URL") else {
        eprintln!(
            "note: GATEHOUSE_TEST_POSTGRES_URL is not set; several instances need PostgreSQL, skipped"
        );
        return;
    };
    let db = TestDb::create(&Backend::Postgres(url)).await;
    let mail = MailSink::start();
    let mut cluster = Cluster::start(&db, &mail).await;
    let lb = cluster.balancer.clone();
    let [one, two, three] = <[String; 3]>::try_from(cluster.instances.clone()).unwrap();

    // Sign up and verify through the balancer: every request may land on
    // another instance. The mail is sent once, whichever worker sends it.
    let email = "cluster@example.com";
    let mut browser = Browser::new();
    browser.get(&lb, "/signup").await;
    let signed_up = browser
        .post(
            &lb,
            "/signup",
            &[
                ("email", email),
                ("display_name", "Cluster Customer"),
                ("password", STRONG_PASSWORD),
                ("accept_terms", "yes"),
            ],
        )
        .await;
    assert_eq!(signed_up.status, 303, "{}", signed_up.body);
    let sent = mail.wait_for(email).await;
    let at = sent.body.find("token=").expect("a verification link");
    let token: String = sent.body[at + "token=".len()..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    browser
        .get(&lb, &format!("/verify-email?token={token}"))
        .await;
    let verified = browser
        .post(&lb, "/verify-email", &[("token", &token)])
        .await;
    assert_eq!(verified.location.as_deref(), Some("/account"));

    // The session made through the balancer is good on every instance.
    for base in [&one, &two, &three] {
        let account = browser.get(base, "/account").await;
        assert_eq!(account.status, 200, "{base}: {}", account.body);
        assert!(account.body.contains(email));
    }
    // Signed out on one, signed out on all, at once.
    let out = browser.post(&one, "/logout", &[]).await;
    assert_eq!(out.status, 303);
    for base in [&two, &three] {
        let account = browser.get(base, "/account").await;
        assert_eq!(account.status, 303, "{base} still honours the session");
        assert!(account.location.unwrap().starts_with("/login"));
    }

    // Guesses count together: four wrong passwords spread over the
    // instances, and the fifth attempt, on yet another, is held back.
    let mut guesser = Browser::new();
    guesser.get(&lb, "/login").await;
    for base in [&one, &two, &three, &one] {
        let guess = guesser
            .post(
                base,
                "/login",
                &[("email", email), ("password", "not-the-password-at-all")],
            )
            .await;
        assert_eq!(guess.status, 401, "{base}");
    }
    let held = guesser
        .post(
            &two,
            "/login",
            &[("email", email), ("password", STRONG_PASSWORD)],
        )
        .await;
    assert_eq!(held.status, 429, "the fifth guess was not held back");

    // An application, registered by the command line (a fourth process).
    let registered = cluster.command(&[
        "clients",
        "create",
        "--name",
        "Cluster Service",
        "--grant",
        "client_credentials",
    ]);
    let id = registered["client_id"].as_str().unwrap().to_string();
    let secret = registered["client_secret"].as_str().unwrap().to_string();
    // Every instance has it in memory now.
    let mut kids = Vec::new();
    for base in [&one, &two, &three] {
        kids.push(service_token(base, &id, &secret).await.unwrap());
    }
    assert!(kids.iter().all(|k| *k == kids[0]), "{kids:?}");

    // Turned off elsewhere: every instance refuses it within a second.
    cluster.command(&["clients", "disable", &id]);
    for base in [&one, &two, &three] {
        let took = wait_until(Duration::from_secs(1), || async {
            service_token(base, &id, &secret).await.is_err()
        })
        .await;
        assert!(
            took.is_some(),
            "{base} still issues tokens to a disabled application"
        );
        eprintln!("{base} refused the disabled application after {took:?}");
    }
    cluster.command(&["clients", "enable", &id]);
    for base in [&one, &two, &three] {
        let took = wait_until(Duration::from_secs(1), || async {
            service_token(base, &id, &secret).await.is_ok()
        })
        .await;
        assert!(
            took.is_some(),
            "{base} did not hear the application is back"
        );
    }

    // Keys rotated elsewhere: every instance signs with the new key within
    // a second, and publishes it.
    let rotated = cluster.command(&["keys", "rotate"]);
    let new_kids: Vec<String> = rotated["signing_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    for base in [&one, &two, &three] {
        let took = wait_until(Duration::from_secs(1), || async {
            matches!(service_token(base, &id, &secret).await, Ok(kid) if new_kids.contains(&kid))
        })
        .await;
        assert!(took.is_some(), "{base} still signs with the old key");
        eprintln!("{base} signed with the new key after {took:?}");
        let jwks = client()
            .get(format!("{base}/oauth2/jwks"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let jwks: Value = serde_json::from_str(&jwks).unwrap();
        let published: Vec<&str> = jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap())
            .collect();
        assert!(
            published.contains(&kids[0].as_str()),
            "old key unpublished too early"
        );
        assert!(new_kids.iter().all(|k| published.contains(&k.as_str())));
    }

    // Mail asked for through different instances is delivered once each.
    for base in [&one, &two, &three] {
        let mut visitor = Browser::new();
        visitor.get(base, "/forgot-password").await;
        let asked = visitor
            .post(base, "/forgot-password", &[("email", email)])
            .await;
        assert_eq!(asked.status, 303, "{base}");
    }
    mail.wait_for_nth(email, 4).await;
    mail.settle().await;
    assert_eq!(
        mail.to(email).len(),
        4,
        "a mail was sent twice or not at all"
    );

    // One instance stops (SIGTERM) while customers keep coming through the
    // balancer: no request fails, and the stopped one finishes its own.
    let http = client();
    let stopping = cluster.processes.remove(2);
    let mut visitors = Vec::new();
    for _ in 0..4 {
        let mut visitor = Browser::new();
        visitor.get(&three, "/login").await;
        visitors.push(visitor);
    }
    // Each a password to check (tens of milliseconds on one hashing thread).
    let in_flight: Vec<_> = visitors
        .into_iter()
        .map(|mut visitor| {
            let three = three.clone();
            tokio::spawn(async move {
                visitor
                    .post(
                        &three,
                        "/login",
                        &[
                            ("email", "nobody@example.com"),
                            ("password", "wrong-but-long"),
                        ],
                    )
                    .await
                    .status
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(30)).await;
    let pid = stopping.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    for request in in_flight {
        // Joined: a cut connection would have panicked the task.
        let answered = request.await.expect("a request in flight was cut");
        assert_eq!(answered, 401);
    }
    for n in 0..30 {
        let page = http.get(format!("{lb}/login")).send().await.unwrap();
        assert_eq!(
            page.status(),
            200,
            "request {n} through the balancer failed"
        );
    }
    drop(stopping);
}

/// A periodic job's run is leased to one instance: a second instance is
/// refused until the lease runs out, the holder may take it again, and
/// each job has its own lease.
#[tokio::test]
async fn a_job_lease_lets_one_instance_run_each_job() {
    support::on_each_backend(|app| async move {
        // The whole app is held (its database files with it), not only the store.
        let app = app;
        let store = &app.state.store;
        assert!(
            store
                .take_job_lease("nightly_test_job", "a", 1000, 1599)
                .await
                .unwrap()
        );
        assert!(
            !store
                .take_job_lease("nightly_test_job", "b", 1000, 1599)
                .await
                .unwrap()
        );
        assert!(
            !store
                .take_job_lease("nightly_test_job", "b", 1598, 2197)
                .await
                .unwrap()
        );
        assert!(
            store
                .take_job_lease("hourly_test_job", "b", 1000, 1059)
                .await
                .unwrap()
        );
        // Run out: the next instance to look takes it.
        assert!(
            store
                .take_job_lease("nightly_test_job", "b", 1599, 2198)
                .await
                .unwrap()
        );
        assert!(
            !store
                .take_job_lease("nightly_test_job", "a", 1600, 2199)
                .await
                .unwrap()
        );
        assert!(
            store
                .take_job_lease("nightly_test_job", "b", 1700, 2299)
                .await
                .unwrap()
        );
    })
    .await;
}
