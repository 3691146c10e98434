//! Setting up the first owner, and admin sessions kept apart from customers' and ended on time.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_owner_sets_up_through_the_bootstrap_link() {
    on_each_backend(|app| async move {
        let link = gatehouse::directory::admins::bootstrap_link(&app.state)
            .await
            .unwrap()
            .expect("no admin yet");
        let path = &link[PUBLIC_URL.len()..];
        let token = link.split("token=").nth(1).unwrap().to_string();
        let mut browser = app.browser();
        browser
            .get(path)
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("owner account");

        // Bad input changes nothing and keeps the link usable.
        let weak = browser
            .post(
                "/admin/setup",
                &[
                    ("token", &token),
                    ("email", "boss@example.com"),
                    ("display_name", "Boss"),
                    ("password", "short pass"),
                ],
            )
            .await;
        weak.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("at least 12");
        assert_eq!(app.state.store.count_admins().await.unwrap(), 0);

        let page = browser
            .post(
                "/admin/setup",
                &[
                    ("token", &token),
                    ("email", "Boss@Example.com"),
                    ("display_name", "Boss"),
                    ("password", ADMIN_PASSWORD),
                ],
            )
            .await;
        // The console opens only once the owner has set up a second factor.
        page.assert_redirect("/admin/login/enrol");
        let cookie = page
            .headers
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            cookie.starts_with("gatehouse_admin=")
                && cookie.contains("Path=/admin")
                && cookie.contains("HttpOnly"),
            "{cookie}"
        );
        browser
            .get("/admin/customers")
            .await
            .assert_redirect("/admin/login");
        app.admin_enrols(&mut browser).await;
        browser
            .get("/admin/customers")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("Boss (owner)");
        assert!(
            gatehouse::directory::admins::bootstrap_link(&app.state)
                .await
                .unwrap()
                .is_none(),
            "no bootstrap once an owner exists"
        );

        // The link is spent.
        app.browser()
            .get(path)
            .await
            .assert_status(StatusCode::BAD_REQUEST);
    })
    .await;
}

/// A setup link made before anyone was admin stops working as soon as an
/// owner exists, however that owner came to be (here: another setup link
/// printed by a second instance).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_setup_link_stops_working_once_an_owner_exists() {
    on_each_backend(|app| async move {
        let first = gatehouse::directory::admins::bootstrap_link(&app.state)
            .await
            .unwrap()
            .unwrap();
        let second = gatehouse::directory::admins::bootstrap_link(&app.state)
            .await
            .unwrap()
            .unwrap();
        let (mut a, first_token) = open_setup(&app, &first).await;
        let (mut b, second_token) = open_setup(&app, &second).await;
        set_up_owner(&mut a, &first_token, "first@example.com")
            .await
            .assert_redirect("/admin/login/enrol");
        set_up_owner(&mut b, &second_token, "second@example.com")
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        app.browser()
            .get(&second[PUBLIC_URL.len()..])
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        assert_eq!(app.state.store.count_admins().await.unwrap(), 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_and_customer_sessions_are_separate() {
    on_each_backend(|app| async move {
        let mut customer = app
            .signed_up_and_verified("shopper@example.com", STRONG_PASSWORD)
            .await;
        customer
            .get("/admin/customers")
            .await
            .assert_redirect("/admin/login");
        // A customer's credentials are not an admin's.
        customer.get("/admin/login").await;
        customer
            .post(
                "/admin/login",
                &[
                    ("email", "shopper@example.com"),
                    ("password", STRONG_PASSWORD),
                ],
            )
            .await
            .assert_status(StatusCode::UNAUTHORIZED)
            .assert_contains("do not match an admin account");

        // The replay check below needs the enrolment's code step to last
        // the whole test: the clock runs on in real time.
        app.to_step_start();
        let mut admin = app
            .admin_browser("support@example.com", Role::Support)
            .await;
        assert!(
            admin.cookie.is_none(),
            "the console sets only its own cookie"
        );
        admin.get("/account").await.assert_redirect("/login");
        admin
            .get("/admin/customers")
            .await
            .assert_contains("Admin Person (support)");

        admin
            .post("/admin/logout", &[])
            .await
            .assert_redirect("/admin/login");
        admin
            .get("/admin/login")
            .await
            .assert_contains("signed out of the console");
        admin
            .get("/admin/customers")
            .await
            .assert_redirect("/admin/login");

        admin
            .post(
                "/admin/login",
                &[
                    ("email", "support@example.com"),
                    ("password", "wrong password here"),
                ],
            )
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
        // The password, then the authenticator app: a wrong or replayed
        // code keeps the console shut.
        admin
            .post(
                "/admin/login",
                &[
                    ("email", "SUPPORT@example.com"),
                    ("password", ADMIN_PASSWORD),
                ],
            )
            .await
            .assert_redirect("/admin/login/verify");
        admin
            .get("/admin/customers")
            .await
            .assert_redirect("/admin/login");
        admin
            .get("/admin/login/verify")
            .await
            .assert_status(StatusCode::OK);
        admin
            .post("/admin/login/verify", &[("code", "000000")])
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
        let secret = admin.admin_totp.clone().unwrap();
        let spent = totp_code(&secret, app.state.clock.now());
        admin
            .post("/admin/login/verify", &[("code", &spent)])
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
        app.state.clock.advance(30);
        let code = totp_code(&secret, app.state.clock.now());
        admin
            .post("/admin/login/verify", &[("code", &code)])
            .await
            .assert_redirect("/admin/customers");
        admin
            .get("/admin/customers")
            .await
            .assert_status(StatusCode::OK);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_sessions_end_after_their_absolute_lifetime() {
    let app = TestApp::start(&Backend::Sqlite, &["--admin-session-absolute-hours", "1"]).await;
    let mut admin = app.admin_browser("owner@example.com", Role::Owner).await;
    admin
        .get("/admin/customers")
        .await
        .assert_status(StatusCode::OK);
    app.state.clock.advance(3601);
    admin
        .get("/admin/customers")
        .await
        .assert_redirect("/admin/login");
}
