//! The audit trail: append-only in the database, filtered and paged in the console.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_trail_is_append_only_in_the_database() {
    for backend in backends() {
        let app = TestApp::start(&backend, &[]).await;
        let id = app
            .insert_customer("fay@example.com", "Fay", 5_000, true)
            .await;
        let mut support = app
            .admin_browser("support@example.com", Role::Support)
            .await;
        support.get(&format!("/admin/customers/{id}")).await;
        support
            .post(&format!("/admin/customers/{id}/disable"), &[])
            .await;
        let statements = [
            "UPDATE audit_events SET action = 'nothing'",
            "DELETE FROM audit_events",
        ];
        for sql in statements {
            let refused = match &backend {
                Backend::Sqlite => {
                    let pool = sqlx::SqlitePool::connect(&app.db.url).await.unwrap();
                    sqlx::query(sql).execute(&pool).await.is_err()
                }
                Backend::Postgres(_) => {
                    let pool = sqlx::PgPool::connect(&app.db.url).await.unwrap();
                    sqlx::query(sql).execute(&pool).await.is_err()
                }
            };
            assert!(refused, "{sql} must be refused");
        }
        assert_eq!(
            app.state.store.audit_for_customer(id, 10).await.unwrap()[0].action,
            "customer.disabled"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_page_filters_and_pages_through_the_trail() {
    on_each_backend(|app| async move {
        use gatehouse::audit::record;
        use gatehouse::domain::{Action, Caller, RequestContext};
        let ann = app.insert_customer("ann@example.com", "Ann", 1, true).await;
        let ben = app.insert_customer("ben@example.com", "Ben", 2, true).await;
        let ctx = RequestContext::new(
            Caller::Customer(ann),
            Some("192.0.2.1".into()),
            None,
            uuid::Uuid::now_v7(),
        );
        for n in 0..60 {
            let details = serde_json::json!({ "n": n });
            record(
                &app.state,
                &ctx,
                Action::CustomerSignedIn,
                Some(ann),
                details,
            )
            .await
            .unwrap();
        }
        // Three days later, support disables Ben.
        app.state.clock.advance(3 * 86_400);
        let later = time::OffsetDateTime::from_unix_timestamp(app.state.clock.now())
            .unwrap()
            .date()
            .to_string();
        let mut support = app
            .admin_browser("support@example.com", Role::Support)
            .await;
        support.get(&format!("/admin/customers/{ben}")).await;
        support
            .post(&format!("/admin/customers/{ben}/disable"), &[])
            .await
            .assert_redirect(&format!("/admin/customers/{ben}"));
        let mut auditor = app
            .admin_browser("auditor@example.com", Role::Auditor)
            .await;

        // Every event once, newest first, over keyset pages.
        let mut seen = Vec::new();
        let mut next = Some("/admin/audit".to_string());
        let mut pages = 0;
        while let Some(path) = next {
            let page = auditor.get(&path).await;
            page.assert_status(StatusCode::OK);
            seen.extend(
                page.body
                    .split("{\"n\":")
                    .skip(1)
                    .map(|rest| rest[..rest.find('}').unwrap()].to_string()),
            );
            next = extract_next(&page.body);
            pages += 1;
        }
        assert_eq!(pages, 2);
        let expected: Vec<String> = (0..60).rev().map(|n| n.to_string()).collect();
        assert_eq!(seen, expected);

        let disabled = auditor.get("/admin/audit?action=customer.disabled").await;
        disabled
            .assert_status(StatusCode::OK)
            .assert_contains("admin support@example.com")
            .assert_contains(&ben.to_string());
        assert!(!disabled.body.contains("customer.signed_in</td>"));

        let by_support = auditor
            .get("/admin/audit?actor=support%40example.com")
            .await;
        by_support.assert_contains("customer.disabled</td>");
        assert!(!by_support.body.contains("customer.signed_in</td>"));

        let about_ben = auditor.get("/admin/audit?customer=BEN%40example.com").await;
        about_ben.assert_contains("customer.disabled</td>");
        assert!(!about_ben.body.contains("{\"n\":"));
        let about_ann = auditor
            .get(&format!(
                "/admin/audit?customer={ann}&action=customer.signed_in"
            ))
            .await;
        assert_eq!(
            about_ann.body.matches("customer.signed_in</td>").count(),
            50
        );

        let recent = auditor.get(&format!("/admin/audit?from={later}")).await;
        recent.assert_contains("customer.disabled</td>");
        assert!(!recent.body.contains("{\"n\":"));
        let old = auditor
            .get(&format!("/admin/audit?to={later}&action=customer.disabled"))
            .await;
        old.assert_contains("customer.disabled</td>");
        let before = auditor.get("/admin/audit?to=2000-01-01").await;
        before.assert_contains("No events match.");

        // A filter that names nobody says so and lists nothing.
        auditor
            .get("/admin/audit?actor=nobody%40example.com")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("No admin has that email address.")
            .assert_contains("No events match.");

        for bad in [
            "/admin/audit?action=customer.exploded",
            "/admin/audit?from=29-02-2026",
            "/admin/audit?after=%21%21",
            "/admin/audit?actor=not+an+email",
            "/admin/audit?customer=%3Cscript%3E",
        ] {
            auditor
                .get(bad)
                .await
                .assert_status(StatusCode::BAD_REQUEST);
        }
        // Read-only: there is no way to write to it.
        let req = auditor
            .request(axum::http::Method::POST, "/admin/audit")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(axum::body::Body::from(format!(
                "csrf_token={}",
                auditor.csrf.clone().unwrap()
            )))
            .unwrap();
        auditor
            .send(req)
            .await
            .assert_status(StatusCode::METHOD_NOT_ALLOWED);
        app.browser()
            .get("/admin/audit")
            .await
            .assert_redirect("/admin/login");
    })
    .await;
}
