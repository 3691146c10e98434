//! `gatehouse seed` on every backend: the rows arrive, are valid customers,
//! and sign in with the documented password.

mod support;

use axum::http::StatusCode;
use gatehouse::domain::Role;
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_customers_are_real_customers() {
    on_each_backend(|app| async move {
        let config = (*app.state.config).clone();
        gatehouse::cli::seed::run(config.clone(), 2_500, true)
            .await
            .unwrap();
        // A second run adds more, without clashing with the first.
        gatehouse::cli::seed::run(config, 500, true).await.unwrap();
        assert_eq!(app.customers().await, 3_000);

        let mut admin = app.admin_browser("owner@example.com", Role::Owner).await;
        let page = admin.get("/admin/customers").await;
        page.assert_status(StatusCode::OK)
            .assert_contains("3,000 customers");
        // Bulk-loaded names are in the name index.
        let smiths = admin.get("/admin/customers?field=name&q=tremblay").await;
        assert!(!listed_emails(&smiths.body).is_empty());
        // And in the word index, found in any order.
        let newest = app
            .state
            .store
            .search_customers(&gatehouse::domain::CustomerSearch::all(), None, 1)
            .await
            .unwrap();
        let name = newest.rows[0].display_name.as_str().to_string();
        let reversed: Vec<&str> = name.split(' ').rev().collect();
        let by_words = admin
            .get(&format!(
                "/admin/customers?field=name&q={}",
                url::form_urlencoded::byte_serialize(reversed.join(" ").as_bytes())
                    .collect::<String>()
            ))
            .await;
        assert!(listed_emails(&by_words.body).contains(&newest.rows[0].email.as_str().to_string()));
        let emails = listed_emails(&page.body);
        let email = emails[0].as_str();

        let mut customer = app.browser();
        customer.get("/login").await;
        customer
            .post(
                "/login",
                &[
                    ("email", email),
                    ("password", gatehouse::cli::seed::SEED_PASSWORD),
                ],
            )
            .await
            .assert_redirect("/account");
    })
    .await;
}
