//! Test harness: the real router on a real database (SQLite always,
//! PostgreSQL when GATEHOUSE_TEST_POSTGRES_URL is set), real SMTP delivery to
//! a loopback sink, and a cookie-keeping "browser" that submits forms the way
//! a browser without JavaScript does.

#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use gatehouse::AppState;
use gatehouse::cli::Cli;
use gatehouse::domain::Clock;
use gatehouse::store::Store;
use http_body_util::BodyExt;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tower::ServiceExt;

pub const PUBLIC_URL: &str = "http://gatehouse.test";

/// Browsers as devices name themselves, for the device list's words.
pub const CHROME_WINDOWS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
pub const SAFARI_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
pub const FIREFOX_ANDROID: &str =
    "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0";
pub const STRONG_PASSWORD: &str = "lantern-orchard-velvet-92";
pub const OTHER_PASSWORD: &str = "copper kettle moonlit harbour";
/// 32 bytes of base64, for PostgreSQL test databases.
pub const TEST_KEY_ENCRYPTION_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
pub const ADMIN_PASSWORD: &str = "granite-lighthouse-saffron-71";

#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    Postgres(String),
}

/// Every backend this run can test. PostgreSQL is skipped, with a note, when
/// GATEHOUSE_TEST_POSTGRES_URL is unset; CI sets it.
pub fn backends() -> Vec<Backend> {
    let mut all = vec![Backend::Sqlite];
    match std::env::var("GATEHOUSE_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => all.push(Backend::Postgres(url)),
        _ => eprintln!(
            "note: GATEHOUSE_TEST_POSTGRES_URL is not set; PostgreSQL skipped, SQLite only"
        ),
    }
    all
}

/// Runs `test` once per backend, naming the backend when it fails.
pub async fn on_each_backend<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for backend in backends() {
        eprintln!("-- backend: {backend:?}");
        let app = TestApp::start(&backend, &[]).await;
        test(app).await;
    }
}

pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    drop_pg: Option<(String, String)>,
}

impl TestDb {
    pub async fn create(backend: &Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("gatehouse.db").display());
                Self {
                    url,
                    _dir: Some(dir),
                    drop_pg: None,
                }
            }
            Backend::Postgres(admin_url) => {
                use sqlx::Connection;
                let name = format!("gatehouse_test_{}", uuid::Uuid::now_v7().simple());
                let mut conn = sqlx::PgConnection::connect(admin_url)
                    .await
                    .expect("GATEHOUSE_TEST_POSTGRES_URL is set but PostgreSQL is unreachable");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                let mut url = url::Url::parse(admin_url).expect("postgres url");
                url.set_path(&name);
                Self {
                    url: url.to_string(),
                    _dir: None,
                    drop_pg: Some((admin_url.clone(), name)),
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.drop_pg.take() {
            // Dropping needs async I/O; do it on a private runtime.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    use sqlx::Connection;
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&mut conn)
                                .await;
                    }
                });
            })
            .join();
        }
    }
}

/// A real SMTP server (aiosmtpd) on a free loopback port.
pub struct MailSink {
    pub port: u16,
    file: PathBuf,
    child: Child,
    _dir: tempfile::TempDir,
}

#[derive(Clone, Debug, serde::Deserialize)]
pub struct ReceivedMail {
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
}

impl MailSink {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("mail.jsonl");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../end2end/smtp_sink.py");
        // The port is chosen free but only taken when the sink binds it, so
        // a test running alongside may take it first: then try another.
        for _ in 0..3 {
            let port = free_port();
            let mut child = Command::new("python3")
                .args([
                    script,
                    "--port",
                    &port.to_string(),
                    "--out",
                    file.to_str().unwrap(),
                ])
                .stdout(Stdio::piped())
                .spawn()
                .expect("start the SMTP sink (python3 with aiosmtpd)");
            let mut ready = String::new();
            BufReader::new(child.stdout.take().unwrap())
                .read_line(&mut ready)
                .expect("sink output");
            if ready.trim() == "ready" {
                return Self {
                    port,
                    file,
                    child,
                    _dir: dir,
                };
            }
            let _ = child.wait();
        }
        panic!("SMTP sink did not start three times (is aiosmtpd installed?)");
    }

    pub fn all(&self) -> Vec<ReceivedMail> {
        std::fs::read_to_string(&self.file)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("sink writes JSON lines"))
            .collect()
    }

    pub fn to(&self, address: &str) -> Vec<ReceivedMail> {
        self.all()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == address))
            .collect()
    }

    /// Waits for the `n`th (1-based) message to `address`.
    pub async fn wait_for_nth(&self, address: &str, n: usize) -> ReceivedMail {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let mails = self.to(address);
            if mails.len() >= n {
                return mails[n - 1].clone();
            }
            assert!(
                Instant::now() < deadline,
                "no mail #{n} to {address} within 15 s; got {mails:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn wait_for(&self, address: &str) -> ReceivedMail {
        self.wait_for_nth(address, 1).await
    }

    /// Gives the mail worker time to send anything it would send.
    pub async fn settle(&self) {
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
}

impl Drop for MailSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The path and query of the first link in `body` that points at `path`.
pub fn link_to(body: &str, path: &str) -> String {
    let start = format!("{PUBLIC_URL}{path}");
    let at = body
        .find(&start)
        .unwrap_or_else(|| panic!("no link to {path} in mail:\n{body}"));
    let url: String = body[at..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    url[PUBLIC_URL.len()..].to_string()
}

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub mail: MailSink,
    pub db: TestDb,
}

impl TestApp {
    pub async fn start(backend: &Backend, extra_args: &[&str]) -> Self {
        // Warnings and faults in the test's output (shown when it fails).
        let _ = tracing_subscriber::fmt()
            .with_env_filter("warn")
            .with_test_writer()
            .try_init();
        let db = TestDb::create(backend).await;
        let mail = MailSink::start();
        let smtp = format!("smtp://127.0.0.1:{}", mail.port);
        let mut argv = vec!["gatehouse", "--database-url", &db.url];
        if !extra_args.contains(&"--public-url") {
            argv.extend(["--public-url", PUBLIC_URL]);
        }
        argv.extend(["--smtp-url", &smtp]);
        // PostgreSQL has no file to keep a key beside: it is configured.
        if matches!(backend, Backend::Postgres(_)) && !extra_args.contains(&"--key-encryption-key")
        {
            argv.extend(["--key-encryption-key", TEST_KEY_ENCRYPTION_KEY]);
        }
        if !extra_args.contains(&"--hash-threads") {
            argv.extend(["--hash-threads", "2"]);
        }
        argv.extend_from_slice(extra_args);
        let config = <Cli as clap::Parser>::try_parse_from(argv)
            .unwrap()
            .settings
            .validate()
            .unwrap();
        let store = Store::connect(&db.url).await.expect("connect");
        store.migrate().await.expect("migrate");
        let state = AppState::new(config, store, Clock::adjustable());
        gatehouse::jobs::start(&state);
        let router = gatehouse::http::router(state.clone());
        Self {
            state,
            router,
            mail,
            db,
        }
    }

    /// A second instance of Gatehouse on the same database (behind the same
    /// load balancer): its own state, caches and router.
    pub async fn another_instance(&self) -> Router {
        let store = Store::connect(&self.db.url).await.expect("connect");
        let config = (*self.state.config).clone();
        let state = AppState::new(config, store, self.state.clock.clone());
        gatehouse::http::router(state)
    }

    /// One number from the database (a `COUNT(*)`, say).
    pub async fn count(&self, sql: &str) -> i64 {
        use sqlx::Connection;
        let url = &self.db.url;
        if url.starts_with("sqlite:") {
            let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
            sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
        } else {
            let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
        }
    }

    /// Sets up an authenticator app for the signed-in customer of
    /// `browser`; returns its secret and the recovery codes shown once.
    pub async fn add_app(&self, browser: &mut Browser) -> (Vec<u8>, Vec<String>) {
        let setup = browser.get("/account/security/app").await;
        setup.assert_status(StatusCode::OK).assert_contains("<svg");
        let secret = shown_totp_secret(&setup.body);
        let now = self.state.clock.now();
        browser
            .post(
                "/account/security/app",
                &[("code", &totp_code(&secret, now))],
            )
            .await
            .assert_redirect("/account/security/recovery-codes");
        let page = browser.get("/account/security/recovery-codes").await;
        page.assert_status(StatusCode::OK);
        assert_eq!(
            page.headers.get("cache-control").unwrap(),
            "no-store",
            "codes are not kept in caches"
        );
        (secret, shown_codes(&page.body))
    }

    pub fn browser(&self) -> Browser {
        Browser {
            router: self.router.clone(),
            cookie: None,
            admin_cookie: None,
            csrf_cookie: None,
            csrf: None,
            remember: None,
            admin_totp: None,
            peer: DEFAULT_PEER.parse().unwrap(),
            user_agent: "gatehouse-tests".into(),
            accept_language: None,
        }
    }

    /// A browser calling itself `user_agent`, from `peer` (address:port).
    pub fn device(&self, user_agent: &str, peer: &str) -> Browser {
        let mut browser = self.browser();
        browser.user_agent = user_agent.into();
        browser.peer = peer.parse().unwrap();
        browser
    }

    /// Sets the global MFA policy (remembered 30 days, step-up 10 minutes).
    pub async fn global_policy(&self, policy: gatehouse::domain::mfa::MfaPolicy) {
        let settings = gatehouse::domain::mfa::MfaSettings {
            policy,
            remember_days: 30,
            step_up_minutes: 10,
        };
        self.state
            .store
            .update_mfa_settings(&settings, self.state.clock.now())
            .await
            .unwrap();
    }

    /// The audit trail's latest events of `action` (at most 100), newest
    /// first.
    pub async fn audit_trail(
        &self,
        action: gatehouse::domain::Action,
    ) -> Vec<gatehouse::domain::AuditEntry> {
        let filter = gatehouse::domain::AuditFilter {
            action: Some(action),
            ..Default::default()
        };
        self.state
            .store
            .audit_events(&filter, None, 100)
            .await
            .unwrap()
    }

    /// The id of the customer with this email.
    pub async fn customer_id(&self, email: &str) -> gatehouse::domain::CustomerId {
        let email = gatehouse::domain::Email::parse(email).unwrap();
        let (customer, _) = self
            .state
            .store
            .customer_by_email(&email)
            .await
            .unwrap()
            .expect("a customer with this email");
        customer.id
    }

    pub async fn customers(&self) -> i64 {
        self.state.store.count_customers().await.unwrap()
    }

    /// Sets up an admin through a one-time link and returns their signed-in browser.
    pub async fn admin_browser(&self, email: &str, role: gatehouse::domain::Role) -> Browser {
        let mut browser = self.admin_invited(email, role).await;
        self.admin_enrols(&mut browser).await;
        browser
    }

    /// Accepts an invitation for a new admin: their browser waits at the
    /// console's first second-factor setup.
    pub async fn admin_invited(&self, email: &str, role: gatehouse::domain::Role) -> Browser {
        let email = gatehouse::domain::Email::parse(email).unwrap();
        let link = gatehouse::directory::admins::invite_link(&self.state, Some(&email), role)
            .await
            .unwrap();
        let mut browser = self.browser();
        browser
            .get(&link[PUBLIC_URL.len()..])
            .await
            .assert_status(StatusCode::OK);
        let token = link.split("token=").nth(1).unwrap().to_string();
        browser
            .post(
                "/admin/setup",
                &[
                    ("token", &token),
                    ("display_name", "Admin Person"),
                    ("password", ADMIN_PASSWORD),
                ],
            )
            .await
            .assert_redirect("/admin/login/enrol");
        browser
    }

    /// The console's first sign-in: sets up the admin's authenticator app
    /// (admins always use one) and opens the console. The key is kept in
    /// the browser for later sign-ins.
    pub async fn admin_enrols(&self, browser: &mut Browser) {
        let page = browser.get("/admin/login/enrol").await;
        page.assert_status(StatusCode::OK);
        let secret = shown_totp_secret(&page.body);
        let code = totp_code(&secret, self.state.clock.now());
        browser
            .post("/admin/login/enrol", &[("code", &code)])
            .await
            .assert_redirect("/admin/customers");
        browser.admin_totp = Some(secret);
    }

    /// Moves the clock on to the start of the next 30-second code step, so
    /// a test that reuses "the current code" has the whole step to do it.
    pub fn to_step_start(&self) {
        let now = self.state.clock.now();
        self.state.clock.advance(30 - now.rem_euclid(30));
    }

    /// Signs in to the console with the password and the app's next code
    /// (the clock moves on a step, so the code is a fresh one).
    pub async fn console_sign_in(
        &self,
        browser: &mut Browser,
        email: &str,
        password: &str,
    ) -> Page {
        browser.get("/admin/login").await;
        let page = browser
            .post("/admin/login", &[("email", email), ("password", password)])
            .await;
        if page.location() != Some("/admin/login/verify") {
            return page;
        }
        let secret = browser.admin_totp.clone().expect("the admin's app key");
        self.state.clock.advance(30);
        let code = totp_code(&secret, self.state.clock.now());
        browser.get("/admin/login/verify").await;
        browser
            .post("/admin/login/verify", &[("code", &code)])
            .await
    }

    /// Inserts a customer directly, `created_at` seconds after the epoch.
    pub async fn insert_customer(
        &self,
        email: &str,
        name: &str,
        created_at: i64,
        verified: bool,
    ) -> gatehouse::domain::CustomerId {
        use gatehouse::domain::{CustomerId, DisplayName, Email};
        let id = CustomerId::new();
        let hash = gatehouse::domain::PasswordHash::from_phc(
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".into(),
        );
        let inserted = self
            .state
            .store
            .insert_customer(gatehouse::store::NewCustomer {
                id,
                email: &Email::parse(email).unwrap(),
                display_name: &DisplayName::parse(name).unwrap(),
                password_hash: &hash,
                terms_version: "1",
                now: created_at,
            })
            .await
            .unwrap();
        assert!(inserted);
        if verified {
            self.state
                .store
                .mark_email_verified(id, created_at)
                .await
                .unwrap();
        }
        id
    }

    /// Signs up through the pages and returns the browser that did it.
    pub async fn sign_up(&self, email: &str, name: &str, password: &str) -> Browser {
        let mut browser = self.browser();
        browser.get("/signup").await.assert_status(StatusCode::OK);
        let page = browser
            .post(
                "/signup",
                &[
                    ("email", email),
                    ("display_name", name),
                    ("password", password),
                    ("accept_terms", "yes"),
                ],
            )
            .await;
        page.assert_redirect("/signup/check-email");
        browser
    }

    /// Resets `email`'s password to `password` through the mailed link, in
    /// a browser of its own.
    pub async fn reset_password_by_mail(&self, email: &str, password: &str) {
        let mut other = self.browser();
        self.mail.settle().await;
        let sent = self.mail.to(email).len();
        other.get("/forgot-password").await;
        other.post("/forgot-password", &[("email", email)]).await;
        let mail = self.mail.wait_for_nth(email, sent + 1).await;
        let link = link_to(&mail.body, "/reset-password?token=");
        other.get(&link).await.assert_status(StatusCode::OK);
        let token = link.split("token=").nth(1).unwrap().to_string();
        other
            .post(
                "/reset-password",
                &[("token", &token), ("password", password)],
            )
            .await
            .assert_redirect("/login");
    }

    /// Signs up, verifies by following the mailed link in the same browser, and
    /// returns that browser, now signed in.
    pub async fn signed_up_and_verified(&self, email: &str, password: &str) -> Browser {
        let mut browser = self.sign_up(email, "Test Customer", password).await;
        let mail = self.mail.wait_for(email).await;
        let link = link_to(&mail.body, "/verify-email?token=");
        browser.get(&link).await.assert_status(StatusCode::OK);
        let token = link.split("token=").nth(1).unwrap().to_string();
        browser
            .post("/verify-email", &[("token", &token)])
            .await
            .assert_redirect("/account");
        browser
    }
}

pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> Option<&str> {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
    }

    #[track_caller]
    pub fn assert_status(&self, status: StatusCode) -> &Self {
        assert_eq!(
            self.status, status,
            "unexpected status; body:\n{}",
            self.body
        );
        self
    }

    #[track_caller]
    /// A redirect to page `to`: with its query when `to` has one, else
    /// whatever the query (`/login` and `/login?request=...` alike).
    pub fn assert_redirect(&self, to: &str) -> &Self {
        assert!(
            self.status.is_redirection(),
            "expected a redirect to {to}, got {}:\n{}",
            self.status,
            self.body
        );
        let location = self.location().unwrap_or_default();
        let compared = if to.contains('?') {
            location
        } else {
            location.split('?').next().unwrap_or_default()
        };
        assert_eq!(compared, to, "redirected to {location}");
        self
    }

    #[track_caller]
    pub fn assert_contains(&self, text: &str) -> &Self {
        assert!(
            self.body.contains(text),
            "page lacks {text:?}:\n{}",
            self.body
        );
        self
    }

    /// The form marks exactly `fields` as wrong (each field's error is
    /// tied to its input), whatever the words: translations keep these.
    pub fn assert_field_errors(&self, fields: &[&str]) -> &Self {
        let marked: Vec<&str> = self
            .body
            .split("id=\"field-")
            .skip(1)
            .filter_map(|rest| rest.split('"').next()?.strip_suffix("-error"))
            .collect();
        let mut expected = fields.to_vec();
        expected.sort_unstable();
        let mut found = marked.clone();
        found.sort_unstable();
        found.dedup();
        assert_eq!(found, expected, "fields marked wrong:\n{}", self.body);
        self
    }
}

/// Keeps the session cookie and the last CSRF token seen, like a browser.
/// Where test requests come from unless a test says otherwise (TEST-NET-2).
pub const DEFAULT_PEER: &str = "198.51.100.7:40000";

#[derive(Clone)]
pub struct Browser {
    router: Router,
    /// The customer session cookie (`gatehouse_session`, path /).
    pub cookie: Option<String>,
    /// The console session cookie (`gatehouse_admin`, path /admin).
    pub admin_cookie: Option<String>,
    /// The CSRF cookie of a browser without a session (`gatehouse_csrf`).
    pub csrf_cookie: Option<String>,
    pub csrf: Option<String>,
    /// The cookie of a browser remembered after a second factor.
    pub remember: Option<String>,
    /// The key of the console admin's authenticator app, once set up.
    pub admin_totp: Option<Vec<u8>>,
    /// The address requests come from, as a real connection would give it.
    pub peer: std::net::SocketAddr,
    /// The languages the browser asks for (`Accept-Language`), if any.
    pub accept_language: Option<String>,
    /// The `User-Agent` header it sends.
    pub user_agent: String,
}

impl Browser {
    /// The same browser (cookies and all), its requests now reaching `router`.
    pub fn through(&self, router: &Router) -> Browser {
        Browser {
            router: router.clone(),
            ..self.clone()
        }
    }

    /// The signed-in customer changes their password on the account page.
    pub async fn change_password(&mut self, current: &str, new: &str) {
        self.get("/account").await;
        self.post(
            "/account/password",
            &[("current_password", current), ("new_password", new)],
        )
        .await
        .assert_redirect("/account");
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let req = self.request(Method::GET, path).body(Body::empty()).unwrap();
        self.send(req).await
    }

    /// Opens the sign-in page and signs in; returns the answer to the form.
    pub async fn sign_in(&mut self, email: &str, password: &str) -> Page {
        self.get("/login").await.assert_status(StatusCode::OK);
        self.post("/login", &[("email", email), ("password", password)])
            .await
    }

    /// Posts a form with this browser's CSRF token added.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self
            .csrf
            .clone()
            .expect("load a page with a form before posting");
        let mut all = vec![("csrf_token", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &encode(&all)).await
    }

    pub async fn post_raw(&mut self, path: &str, body: &str) -> Page {
        let req = self
            .request(Method::POST, path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(req).await
    }

    pub fn request(&self, method: Method, path: &str) -> axum::http::request::Builder {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .extension(axum::extract::ConnectInfo(self.peer))
            .header(header::USER_AGENT, &self.user_agent);
        if let Some(languages) = &self.accept_language {
            req = req.header(header::ACCEPT_LANGUAGE, languages);
        }
        let mut cookies = Vec::new();
        if let Some(cookie) = &self.cookie {
            cookies.push(format!("gatehouse_session={cookie}"));
        }
        if let Some(cookie) = &self.csrf_cookie {
            cookies.push(format!("gatehouse_csrf={cookie}"));
        }
        if let Some(cookie) = &self.remember {
            cookies.push(format!("gatehouse_mfa_remember={cookie}"));
        }
        if let Some(cookie) = self
            .admin_cookie
            .as_ref()
            .filter(|_| path.starts_with("/admin"))
        {
            cookies.push(format!("gatehouse_admin={cookie}"));
        }
        if !cookies.is_empty() {
            req = req.header(header::COOKIE, cookies.join("; "));
        }
        req
    }

    pub async fn send(&mut self, req: Request<Body>) -> Page {
        let response = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("router is infallible");
        let status = response.status();
        let headers = response.headers().clone();
        for value in headers.get_all(header::SET_COOKIE) {
            let value = value.to_str().unwrap();
            let Some((name, rest)) = value.split_once('=') else {
                continue;
            };
            let cookie = rest.split(';').next().unwrap().to_string();
            let kept = (!value.contains("Max-Age=0") && !cookie.is_empty()).then_some(cookie);
            match name {
                "gatehouse_session" => self.cookie = kept,
                "gatehouse_admin" => self.admin_cookie = kept,
                "gatehouse_csrf" => self.csrf_cookie = kept,
                "gatehouse_mfa_remember" => self.remember = kept,
                _ => {}
            }
        }
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(token) = extract_csrf(&body) {
            self.csrf = Some(token);
        }
        Page {
            status,
            headers,
            body,
        }
    }
}

/// The recovery codes a page shows.
pub fn shown_codes(html: &str) -> Vec<String> {
    let at = html.find("data-recovery-codes").expect("codes shown");
    let list = &html[at..html[at..].find("</ul>").unwrap() + at];
    list.split("<li class=\"font-mono\">")
        .skip(1)
        .map(|item| item[..item.find('<').unwrap()].to_string())
        .collect()
}

const CSRF_MARKER: &str = r#"name="csrf_token" value=""#;

/// Where the CSRF token's value sits in a page, if the page has a form.
fn csrf_span(html: &str) -> Option<std::ops::Range<usize>> {
    let start = html.find(CSRF_MARKER)? + CSRF_MARKER.len();
    let end = html[start..].find('"')? + start;
    Some(start..end)
}

pub fn extract_csrf(html: &str) -> Option<String> {
    csrf_span(html).map(|span| html[span].to_string())
}

/// The page with its (per-session) CSRF token blanked, for comparing pages.
pub fn without_csrf(html: &str) -> String {
    match csrf_span(html) {
        Some(span) => format!("{}{}", &html[..span.start], &html[span.end..]),
        None => html.to_string(),
    }
}

pub fn encode(fields: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}

/// The emails of the customers a console list page links to, in page order.
pub fn listed_emails(html: &str) -> Vec<String> {
    html.split("href=\"/admin/customers/")
        .skip(1)
        .filter(|part| {
            part.split('"')
                .next()
                .is_some_and(|id| uuid::Uuid::parse_str(id).is_ok())
        })
        .map(|part| {
            let text = &part[part.find('>').unwrap() + 1..];
            text[..text.find('<').unwrap()].to_string()
        })
        .collect()
}

/// Defines a profile attribute through the console as an owner (whose
/// browser has loaded a console page). `flags` may hold "required",
/// "searchable", "personal" and "admin" (editable by admins only).
pub async fn define_attribute(
    owner: &mut Browser,
    key: &str,
    kind: &str,
    choices: &str,
    flags: &[&str],
) -> Page {
    let label = {
        let words = key.replace('_', " ");
        let mut chars = words.chars();
        chars
            .next()
            .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
            .unwrap_or_default()
    };
    let mut form = vec![
        ("key", key),
        ("label", label.as_str()),
        ("kind", kind),
        ("choices", choices),
        (
            "editable_by",
            if flags.contains(&"admin") {
                "admin"
            } else {
                "customer"
            },
        ),
    ];
    for flag in ["required", "searchable", "personal"] {
        if flags.contains(&flag) {
            form.push((flag, "yes"));
        }
    }
    owner.get("/admin/attributes").await;
    owner.post("/admin/attributes", &form).await
}

/// The authenticator app's key as a setup page shows it.
pub fn shown_totp_secret(html: &str) -> Vec<u8> {
    let at = html.find("data-totp-secret").expect("the key is shown");
    let start = html[at..].find('>').unwrap() + at + 1;
    let end = html[start..].find('<').unwrap() + start;
    let base32: String = html[start..end].split_whitespace().collect();
    totp_rs::Secret::try_from_base32(&base32)
        .expect("base32 key")
        .as_ref()
        .to_vec()
}

/// The code an authenticator app shows at `time`.
pub fn totp_code(secret: &[u8], time: i64) -> String {
    totp_rs::Builder::new()
        .with_secret(secret.to_vec())
        .build()
        .unwrap()
        .generate(time as u64)
        .to_string()
}
