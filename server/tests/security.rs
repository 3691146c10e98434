//! CSRF, headers, bad requests, health endpoints and static assets.

mod support;

use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_changing_requests_need_the_csrf_token() {
    on_each_backend(|app| async move {
        let mut browser = app.browser();
        browser.get("/signup").await;
        let fields = [
            ("email", "csrf@example.com"),
            ("display_name", "C"),
            ("password", STRONG_PASSWORD),
            ("accept_terms", "yes"),
        ];

        let missing = browser.post_raw("/signup", &encode(&fields)).await;
        missing
            .assert_status(StatusCode::FORBIDDEN)
            .assert_contains("This form has expired");

        let mut forged = vec![("csrf_token", "forged-token-value")];
        forged.extend_from_slice(&fields);
        browser
            .post_raw("/signup", &encode(&forged))
            .await
            .assert_status(StatusCode::FORBIDDEN);

        // A token from another session is no good either.
        let mut other = app.browser();
        other.get("/login").await;
        let mut foreign = vec![("csrf_token", other.csrf.as_deref().unwrap())];
        foreign.extend_from_slice(&fields);
        browser
            .post_raw("/signup", &encode(&foreign))
            .await
            .assert_status(StatusCode::FORBIDDEN);

        // No session at all.
        let mut stranger = app.browser();
        stranger
            .post_raw("/logout", "csrf_token=x")
            .await
            .assert_status(StatusCode::FORBIDDEN);

        assert_eq!(app.customers().await, 0);

        // Sign-out is a form too.
        let mut signed_in = app
            .signed_up_and_verified("csrf@example.com", STRONG_PASSWORD)
            .await;
        signed_in
            .post_raw("/logout", "")
            .await
            .assert_status(StatusCode::FORBIDDEN);
        signed_in
            .get("/account")
            .await
            .assert_status(StatusCode::OK);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_and_oversized_requests_get_clear_errors() {
    let app = TestApp::start(&Backend::Sqlite, &[]).await;
    let mut browser = app.browser();
    browser.get("/signup").await;
    let csrf = browser.csrf.clone().unwrap();

    // JSON to a form endpoint.
    let req = browser
        .request(Method::POST, "/signup")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"email":"x@example.com"}"#))
        .unwrap();
    browser
        .send(req)
        .await
        .assert_status(StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // Larger than any form.
    let huge = format!("csrf_token={csrf}&display_name={}", "a".repeat(70 * 1024));
    let page = browser.post_raw("/signup", &huge).await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE);

    // Not valid form encoding for the expected fields (a field given twice).
    let page = browser
        .post_raw(
            "/signup",
            &format!("csrf_token={csrf}&email=a%40b.com&email=c%40d.com"),
        )
        .await;
    page.assert_status(StatusCode::BAD_REQUEST)
        .assert_contains("could not be read");

    // Invalid UTF-8 in a field.
    let page = browser
        .post_raw(
            "/login",
            &format!("csrf_token={csrf}&email=%FF%FE&password=x"),
        )
        .await;
    assert!(page.status.is_client_error(), "{}", page.status);
    assert_eq!(app.customers().await, 0);

    browser
        .get("/no/such/page")
        .await
        .assert_status(StatusCode::NOT_FOUND)
        .assert_contains("Page not found");
}

/// A program asking for JSON at an unknown address gets an RFC 9457
/// problem document, not a page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn programs_get_problem_documents() {
    let app = TestApp::start(&Backend::Sqlite, &[]).await;
    let mut browser = app.browser();
    let req = browser
        .request(axum::http::Method::GET, "/api/no-such-endpoint")
        .header(header::ACCEPT, "application/json")
        .body(axum::body::Body::empty())
        .unwrap();
    let page = browser.send(req).await;
    page.assert_status(StatusCode::NOT_FOUND);
    assert_eq!(
        page.headers[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let body: serde_json::Value = serde_json::from_str(&page.body).unwrap();
    assert_eq!(body["status"], 404);
    assert_eq!(body["detail"], "There is nothing at this address.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_security_headers() {
    let app = TestApp::start(&Backend::Sqlite, &[]).await;
    let page = app.browser().get("/login").await;
    let csp = page
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(page.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(page.headers[header::REFERRER_POLICY], "no-referrer");
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");
    // One script, served from Gatehouse itself (passkey ceremonies): no
    // inline script anywhere.
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let scripts: Vec<&str> = page.body.split("<script").skip(1).collect();
    assert_eq!(scripts.len(), 1, "one script tag");
    let src_start = scripts[0].find("src=\"").expect("a src") + 5;
    let src = &scripts[0][src_start..src_start + scripts[0][src_start..].find('"').unwrap()];
    assert!(
        src.starts_with("/assets/passkeys-") && src.ends_with(".js"),
        "{src}"
    );
    assert!(scripts[0].contains("></script>"), "no inline body");
    let script = app.browser().get(src).await;
    script.assert_status(StatusCode::OK);
    assert_eq!(
        script.headers[header::CONTENT_TYPE],
        "text/javascript; charset=utf-8"
    );
    assert!(script.body.contains("navigator.credentials"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stylesheet_is_served_with_tailwind_variants() {
    let app = TestApp::start(&Backend::Sqlite, &[]).await;
    let mut browser = app.browser();
    let page = browser.get("/login").await;
    let href_at = page.body.find("/assets/gatehouse-").unwrap();
    let href: String = page.body[href_at..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    let css = browser.get(&href).await;
    css.assert_status(StatusCode::OK);
    assert_eq!(css.headers[header::CONTENT_TYPE], "text/css; charset=utf-8");
    assert!(
        css.headers[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert!(
        css.body.contains(".bg-indigo-600"),
        "utility classes are generated"
    );
    assert!(
        css.body.contains("hover\\:bg-indigo-700:hover"),
        "hover variants survive"
    );
    assert!(
        css.body.contains("@media (width >= 40rem)"),
        "responsive variants survive"
    );
    browser
        .get("/assets/gatehouse-0000.css")
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_readiness_answer_json() {
    on_each_backend(|app| async move {
        let mut browser = app.browser();
        let health = browser.get("/healthz").await;
        health.assert_status(StatusCode::OK);
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&health.body).unwrap()["status"],
            "ok"
        );
        let ready = browser.get("/readyz").await;
        ready.assert_status(StatusCode::OK);
        let json: serde_json::Value = serde_json::from_str(&ready.body).unwrap();
        assert_eq!(json["status"], "ready");
        assert_eq!(json["database"], app.state.store.backend_name());
        assert!(
            health.headers.get(header::SET_COOKIE).is_none(),
            "probes must not create sessions"
        );

        // Stopping: the balancer is told to send new requests elsewhere.
        app.state
            .draining
            .store(true, std::sync::atomic::Ordering::Relaxed);
        let draining = browser.get("/readyz").await;
        draining.assert_status(StatusCode::SERVICE_UNAVAILABLE);
        assert!(draining.body.contains("draining"));
        app.state
            .draining
            .store(false, std::sync::atomic::Ordering::Relaxed);

        let mut visitor = app.browser();
        visitor.get("/login").await.assert_status(StatusCode::OK);
        let mut ada = app
            .signed_up_and_verified("ada@example.com", STRONG_PASSWORD)
            .await;
        ada.get("/account").await.assert_status(StatusCode::OK);

        // The database out of reach: probes say so, and a page that needs
        // it answers 503 with when to retry, not a 500 or a hang.
        app.state.store.close().await;
        browser
            .get("/readyz")
            .await
            .assert_status(StatusCode::SERVICE_UNAVAILABLE);
        browser.get("/healthz").await.assert_status(StatusCode::OK);
        let refused = visitor
            .post(
                "/login",
                &[("email", "ada@example.com"), ("password", STRONG_PASSWORD)],
            )
            .await;
        refused.assert_status(StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(refused.headers[header::RETRY_AFTER], "5");
        // A signed-in page too: its session cannot be read.
        let account = ada.get("/account").await;
        account
            .assert_status(StatusCode::SERVICE_UNAVAILABLE)
            .assert_contains("cannot reach our records");
        assert_eq!(account.headers[header::RETRY_AFTER], "5");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_methods_get_a_page_not_a_blank() {
    let app = TestApp::start(&Backend::Sqlite, &[]).await;
    let mut browser = app.browser();
    browser
        .get("/logout")
        .await
        .assert_status(StatusCode::METHOD_NOT_ALLOWED)
        .assert_contains("does not accept that kind of request");
}

/// Signing in replaces the CSRF token, for customers and admins: a token
/// seen before sign-in (on a shared machine, in a page cache) is worthless
/// after.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_replaces_the_csrf_token() {
    on_each_backend(|app| async move {
        drop(
            app.signed_up_and_verified("cy@example.com", STRONG_PASSWORD)
                .await,
        );
        let mut browser = app.browser();
        browser.get("/login").await;
        let before = browser.csrf.clone().unwrap();
        browser
            .post(
                "/login",
                &[("email", "cy@example.com"), ("password", STRONG_PASSWORD)],
            )
            .await
            .assert_redirect("/account");
        browser.get("/account").await.assert_status(StatusCode::OK);
        let after = browser.csrf.clone().unwrap();
        assert_ne!(before, after);
        browser.csrf = Some(before);
        browser
            .post("/account/profile", &[("display_name", "Forged")])
            .await
            .assert_status(StatusCode::FORBIDDEN);

        let root = app
            .admin_browser("root@example.com", gatehouse::domain::Role::Owner)
            .await;
        let mut console = app.browser();
        console.admin_totp = root.admin_totp.clone();
        console.get("/admin/login").await;
        let before = console.csrf.clone().unwrap();
        app.console_sign_in(&mut console, "root@example.com", ADMIN_PASSWORD)
            .await
            .assert_redirect("/admin/customers");
        console
            .get("/admin/customers")
            .await
            .assert_status(StatusCode::OK);
        assert_ne!(console.csrf.clone().unwrap(), before);
    })
    .await;
}

/// `text` parsed by Prometheus' own Python client (`prometheus_client`'s
/// OpenMetrics parser): every family and sample, as "name{labels} value"
/// lines. A document it refuses fails the test.
fn parsed_by_prometheus(text: &str) -> Vec<String> {
    use std::io::Write;
    let script = [
        "import sys",
        "from prometheus_client.openmetrics.parser import text_string_to_metric_families",
        "for family in text_string_to_metric_families(sys.stdin.read()):",
        "    for s in family.samples:",
        "        labels = ','.join(f'{k}={v}' for k, v in sorted(s.labels.items()))",
        "        print(f'{s.name}{{{labels}}} {s.value}')",
    ]
    .join("\n");
    let mut child = std::process::Command::new("python3")
        .args(["-c", &script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "Prometheus' parser refused the metrics:\n{}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// Operators see requests by route and status, sign-ins by where they
/// led, the hashing pool and the database pool; Prometheus' parser reads
/// it, and no email or id is a label.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_and_sign_ins_in_prometheus_format() {
    on_each_backend(|app| async move {
        let mut ada = app
            .signed_up_and_verified("ada@example.com", STRONG_PASSWORD)
            .await;
        ada.get("/account").await.assert_status(StatusCode::OK);
        let mut stranger = app.browser();
        stranger.get("/login").await;
        // Four wrong passwords, and the fifth try is held back.
        for _ in 0..5 {
            stranger
                .post(
                    "/login",
                    &[
                        ("email", "ada@example.com"),
                        ("password", "not the password"),
                    ],
                )
                .await;
        }
        // An application's token grant, its copy read once and then reused.
        let service = gatehouse::oidc::clients::register(
            &app.state,
            &gatehouse::domain::RequestContext::system(),
            gatehouse::oidc::clients::Registration {
                name: "Metrics Service".into(),
                grant_types: Some(vec!["client_credentials".into()]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let secret = service.secret.unwrap();
        // On PostgreSQL the registration's own notice comes back and drops
        // the copy once: let it arrive first.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        for _ in 0..2 {
            let req = stranger
                .request(Method::POST, "/oauth2/token")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(encode(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", &service.client.id),
                    ("client_secret", &secret),
                ])))
                .unwrap();
            stranger.send(req).await.assert_status(StatusCode::OK);
        }
        let page = app.browser().get("/metrics").await;
        page.assert_status(StatusCode::OK);
        assert!(
            page.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("application/openmetrics-text"),
        );
        assert!(
            !page.body.contains("ada@example.com"),
            "an email in metrics"
        );
        let samples = parsed_by_prometheus(&page.body);
        let value = |prefix: &str| -> f64 {
            samples
                .iter()
                .find(|s| s.starts_with(prefix))
                .unwrap_or_else(|| panic!("no {prefix} in {samples:#?}"))
                .rsplit(' ')
                .next()
                .unwrap()
                .parse()
                .unwrap()
        };
        assert!(
            value("gatehouse_http_requests_total{method=GET,route=/account,status=200}") >= 1.0
        );
        assert!(
            value("gatehouse_http_request_duration_seconds_count{method=GET,route=/account}")
                >= 1.0
        );
        assert_eq!(
            value("gatehouse_sign_in_steps_total{outcome=refused_credentials,realm=customers}"),
            4.0
        );
        assert_eq!(
            value("gatehouse_sign_in_steps_total{outcome=held_back,realm=customers}"),
            1.0
        );
        assert_eq!(
            value("gatehouse_throttle_refusals_total{limit=account_from_address}"),
            1.0
        );
        assert_eq!(
            value("gatehouse_token_grants_total{grant_type=client_credentials,result=issued}"),
            2.0
        );
        assert!(value("gatehouse_cache_lookups_total{cache=clients,result=hit}") >= 1.0);
        assert!(value("gatehouse_changes_heard_total{change=client}") >= 1.0);
        assert_eq!(value("gatehouse_draining{"), 0.0);
        assert!(value("gatehouse_mail_outbox_waiting{") >= 0.0);
        assert!(value("gatehouse_sign_in_steps_total{outcome=done,realm=customers}") >= 1.0);
        assert!(value("gatehouse_password_hash_threads{") >= 1.0);
        assert_eq!(value("gatehouse_password_hash_queue{"), 0.0);
        assert!(value("gatehouse_database_connections{state=idle}") >= 0.0);
        assert!(value("gatehouse_browser_session_writes{") >= 1.0);
        // Every page above read the database: each statement was timed.
        assert!(value("gatehouse_database_query_duration_seconds_count{") >= 10.0);
        assert!(value("gatehouse_database_query_duration_seconds_sum{") > 0.0);
    })
    .await;
}
