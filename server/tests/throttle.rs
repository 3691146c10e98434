//! Sign-in throttling as an attacker meets it, through the real router on
//! every backend: guesses reserved before any hashing (so a burst is cut at
//! the limit), one address held back and blocked while the owner signs in
//! from elsewhere, ceilings per address and per account, the owner's
//! unblock link, support's unblock, and the current-password check.

mod support;

use axum::http::{StatusCode, header};
use gatehouse::domain::Role;
use support::*;

const ATTACKER: &str = "203.0.113.9:5000";
const WRONG: &str = "wrong guess here";

fn from(app: &TestApp, peer: &str) -> Browser {
    let mut browser = app.browser();
    browser.peer = peer.parse().unwrap();
    browser
}

async fn guess(browser: &mut Browser, email: &str, password: &str) -> Page {
    browser
        .post("/login", &[("email", email), ("password", password)])
        .await
}

/// Sixty guesses at once from one address at one account: no more than the
/// limit are checked against the password, the rest are refused unhashed,
/// and the right password from that address is refused afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_guesses_is_evaluated_only_up_to_the_limit() {
    on_each_backend(|app| async move {
        drop(
            app.signed_up_and_verified("ivy@example.com", STRONG_PASSWORD)
                .await,
        );
        let mut attacker = from(&app, ATTACKER);
        attacker.get("/login").await;
        let checked_before = app.state.hasher.checked();
        let burst: Vec<_> = (0..60)
            .map(|_| {
                let mut browser = attacker.clone();
                tokio::spawn(
                    async move { guess(&mut browser, "ivy@example.com", WRONG).await.status },
                )
            })
            .collect();
        let mut refused = 0;
        for answer in burst {
            match answer.await.unwrap() {
                StatusCode::UNAUTHORIZED => {}
                StatusCode::TOO_MANY_REQUESTS => refused += 1,
                other => panic!("unexpected {other}"),
            }
        }
        let checked = app.state.hasher.checked() - checked_before;
        assert!(
            checked <= 10,
            "{checked} passwords checked against a limit of 10"
        );
        assert_eq!(refused, 60 - checked as usize);
        let page = guess(&mut attacker, "ivy@example.com", STRONG_PASSWORD).await;
        page.assert_status(StatusCode::TOO_MANY_REQUESTS);
        assert!(page.headers.contains_key(header::RETRY_AFTER));
        // Admins' accounts are held to the same.
        drop(app.admin_browser("owner@example.com", Role::Owner).await);
        let mut console = from(&app, ATTACKER);
        console.get("/admin/login").await;
        let checked_before = app.state.hasher.checked();
        let burst: Vec<_> = (0..30)
            .map(|_| {
                let mut browser = console.clone();
                tokio::spawn(async move {
                    browser
                        .post(
                            "/admin/login",
                            &[("email", "owner@example.com"), ("password", WRONG)],
                        )
                        .await
                        .status
                })
            })
            .collect();
        for answer in burst {
            answer.await.unwrap();
        }
        let checked = app.state.hasher.checked() - checked_before;
        assert!(
            checked <= 10,
            "{checked} admin passwords checked against a limit of 10"
        );
    })
    .await;
}

/// One address guessing at one account: a few free tries, then growing
/// waits, then a block with a mail to the owner, who keeps signing in from
/// elsewhere and can lift the block from the mail. An unknown email answers
/// the same way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_is_held_back_and_blocked_while_the_owner_signs_in() {
    on_each_backend(|app| async move {
        drop(
            app.signed_up_and_verified("lee@example.com", STRONG_PASSWORD)
                .await,
        );
        let mut attacker = from(&app, ATTACKER);
        attacker.get("/login").await;
        for email in ["lee@example.com", "ghost@example.com"] {
            for _ in 0..4 {
                guess(&mut attacker, email, WRONG)
                    .await
                    .assert_status(StatusCode::UNAUTHORIZED);
            }
            // After the fourth failure, a second's wait.
            let held = guess(&mut attacker, email, STRONG_PASSWORD).await;
            held.assert_status(StatusCode::TOO_MANY_REQUESTS)
                .assert_contains("Try again in 1 second");
            assert_eq!(held.headers[header::RETRY_AFTER], "1");
            for _ in 4..10 {
                app.state.clock.advance(61);
                guess(&mut attacker, email, WRONG)
                    .await
                    .assert_status(StatusCode::UNAUTHORIZED);
            }
            app.state.clock.advance(61);
            let blocked = guess(&mut attacker, email, STRONG_PASSWORD).await;
            blocked
                .assert_status(StatusCode::TOO_MANY_REQUESTS)
                .assert_contains("reset your password");
            let wait: i64 = blocked.headers[header::RETRY_AFTER]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((3500..=3600).contains(&wait), "{wait}");
        }

        // The owner, elsewhere, is not held back.
        let mut owner = app.browser();
        owner
            .sign_in("lee@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/account");

        // The owner was told, with a link that lifts the block; opening it
        // changes nothing until confirmed.
        let mail = app.mail.wait_for_nth("lee@example.com", 2).await;
        assert!(mail.body.contains("203.0.113.9"), "{}", mail.body);
        let link = link_to(&mail.body, "/unblock-sign-in?token=");
        let mut mailbox = app.browser();
        mailbox.get(&link).await.assert_status(StatusCode::OK);
        guess(&mut attacker, "lee@example.com", STRONG_PASSWORD)
            .await
            .assert_status(StatusCode::TOO_MANY_REQUESTS);
        let token = link.split("token=").nth(1).unwrap().to_string();
        mailbox
            .post("/unblock-sign-in", &[("token", &token)])
            .await
            .assert_redirect("/login");
        // Spent.
        mailbox
            .get(&link)
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        guess(&mut attacker, "lee@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/account");

        // Nobody was mailed about the unknown address.
        app.mail.settle().await;
        assert!(app.mail.to("ghost@example.com").is_empty());
    })
    .await;
}

/// Password spraying: one address trying one password on many accounts
/// meets its ceiling, whatever account it turns to next; another address
/// is not affected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spraying_from_one_address_meets_its_ceiling() {
    for backend in backends() {
        let app = TestApp::start(&backend, &["--address-failures-per-hour", "5"]).await;
        let mut sprayer = from(&app, ATTACKER);
        sprayer.get("/login").await;
        for n in 0..5 {
            guess(&mut sprayer, &format!("user{n}@example.com"), WRONG)
                .await
                .assert_status(StatusCode::UNAUTHORIZED);
        }
        guess(&mut sprayer, "user9@example.com", WRONG)
            .await
            .assert_status(StatusCode::TOO_MANY_REQUESTS);
        let mut other = from(&app, "192.0.2.50:1234");
        other.get("/login").await;
        guess(&mut other, "user9@example.com", WRONG)
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
        app.state.clock.advance(3601);
        guess(&mut sprayer, "user9@example.com", WRONG)
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
    }
}

/// Distributed guessing at one account meets the account's ceiling, but
/// not from the address the owner last signed in from.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distributed_guessing_meets_the_account_ceiling_but_not_the_owners_address() {
    for backend in backends() {
        let app = TestApp::start(&backend, &["--account-failures-per-hour", "5"]).await;
        drop(
            app.signed_up_and_verified("max@example.com", STRONG_PASSWORD)
                .await,
        );
        let mut owner = app.browser();
        owner
            .sign_in("max@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/account");
        for n in 0..5 {
            let mut bot = from(&app, &format!("203.0.{n}.1:80"));
            bot.get("/login").await;
            guess(&mut bot, "max@example.com", WRONG)
                .await
                .assert_status(StatusCode::UNAUTHORIZED);
        }
        let mut bot = from(&app, "203.0.9.1:80");
        bot.get("/login").await;
        guess(&mut bot, "max@example.com", STRONG_PASSWORD)
            .await
            .assert_status(StatusCode::TOO_MANY_REQUESTS);
        let mut owner = app.browser();
        owner
            .sign_in("max@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/account");
    }
}

/// Support sees that an account is held back and lifts it; an admin who is
/// held back is not sent to a customer's reset page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn support_lifts_a_block_and_admins_are_held_back_in_their_own_words() {
    for backend in backends() {
        let app = TestApp::start(&backend, &["--lockout-failures", "3"]).await;
        drop(
            app.signed_up_and_verified("zoe@example.com", STRONG_PASSWORD)
                .await,
        );
        let mut attacker = from(&app, ATTACKER);
        attacker.get("/login").await;
        for _ in 0..3 {
            guess(&mut attacker, "zoe@example.com", WRONG).await;
        }
        guess(&mut attacker, "zoe@example.com", STRONG_PASSWORD)
            .await
            .assert_status(StatusCode::TOO_MANY_REQUESTS);
        let mut support = app.admin_browser("help@example.com", Role::Support).await;
        let id = app.customer_id("zoe@example.com").await;
        support
            .get(&format!("/admin/customers/{id}"))
            .await
            .assert_contains("held back from 1 address");
        support
            .post(&format!("/admin/customers/{id}/unblock"), &[])
            .await
            .assert_redirect(&format!("/admin/customers/{id}"));
        support
            .get(&format!("/admin/customers/{id}"))
            .await
            .assert_contains("no longer held back");
        guess(&mut attacker, "zoe@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/account");

        let mut console = from(&app, ATTACKER);
        console.get("/admin/login").await;
        for _ in 0..3 {
            console
                .post(
                    "/admin/login",
                    &[("email", "help@example.com"), ("password", WRONG)],
                )
                .await
                .assert_status(StatusCode::UNAUTHORIZED);
        }
        let held = console
            .post(
                "/admin/login",
                &[("email", "help@example.com"), ("password", ADMIN_PASSWORD)],
            )
            .await;
        held.assert_status(StatusCode::TOO_MANY_REQUESTS)
            .assert_contains("ask an owner");
        assert!(!held.body.contains("reset your password"));
        assert!(held.headers.contains_key(header::RETRY_AFTER));

        // The admin is told; only an owner lifts the block.
        let told = wait_for_subject(&app, "help@example.com", "console account were blocked").await;
        assert!(told.body.contains("203.0.113.9"), "{}", told.body);
        let help = gatehouse::domain::Email::parse("help@example.com").unwrap();
        let help_id = app
            .state
            .store
            .admin_by_email(&help)
            .await
            .unwrap()
            .unwrap()
            .0
            .id;
        let unblock = format!("/admin/admins/{help_id}/unblock");
        let mut owner = app.admin_browser("boss@example.com", Role::Owner).await;
        owner
            .get("/admin/admins")
            .await
            .assert_contains("held back from 1 address(es)");
        support.get("/admin/admins").await;
        support
            .post(&unblock, &[])
            .await
            .assert_status(StatusCode::FORBIDDEN);
        owner
            .post(&unblock, &[])
            .await
            .assert_redirect("/admin/admins");
        console
            .post(
                "/admin/login",
                &[("email", "help@example.com"), ("password", ADMIN_PASSWORD)],
            )
            .await
            .assert_redirect("/admin/login/verify");
    }
}

/// Waits for a mail to `address` whose subject contains `subject`.
async fn wait_for_subject(app: &TestApp, address: &str, subject: &str) -> ReceivedMail {
    for n in 1.. {
        let mail = app.mail.wait_for_nth(address, n).await;
        if mail.subject.contains(subject) {
            return mail;
        }
    }
    unreachable!()
}

/// Guessing the current password from a signed-in session is held back on
/// the same counters as the sign-in form.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_current_password_check_is_throttled_too() {
    for backend in backends() {
        let app = TestApp::start(&backend, &["--lockout-failures", "3"]).await;
        let mut thief = app
            .signed_up_and_verified("una@example.com", STRONG_PASSWORD)
            .await;
        thief.get("/account").await;
        let change = |current: &'static str| {
            [
                ("current_password", current),
                ("new_password", "brass-meadow-lantern-77"),
            ]
        };
        let checked_before = app.state.hasher.checked();
        for _ in 0..3 {
            thief
                .post("/account/password", &change(WRONG))
                .await
                .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
            app.state.clock.advance(61);
        }
        for _ in 0..5 {
            thief
                .post("/account/password", &change(WRONG))
                .await
                .assert_status(StatusCode::TOO_MANY_REQUESTS);
        }
        assert_eq!(app.state.hasher.checked() - checked_before, 3);
        thief
            .post("/account/password", &change(STRONG_PASSWORD))
            .await
            .assert_status(StatusCode::TOO_MANY_REQUESTS);
    }
}

/// Behind a trusted proxy the forwarded client address is the one held
/// back; from anyone else the header is ignored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_the_forwarded_client_is_held_back() {
    let app = TestApp::start(
        &Backend::Sqlite,
        &["--trusted-proxies", "10.0.0.0/8", "--lockout-failures", "3"],
    )
    .await;
    drop(
        app.signed_up_and_verified("kai@example.com", STRONG_PASSWORD)
            .await,
    );
    let mut proxy = from(&app, "10.1.2.3:443");
    proxy.get("/login").await;
    let forwarded = |browser: &Browser, client: &str, password: &str| {
        let body = encode(&[
            ("csrf_token", browser.csrf.as_deref().unwrap()),
            ("email", "kai@example.com"),
            ("password", password),
        ]);
        browser
            .request(axum::http::Method::POST, "/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("x-forwarded-for", client)
            .body(axum::body::Body::from(body))
            .unwrap()
    };
    for _ in 0..3 {
        let req = forwarded(&proxy, "203.0.113.77", WRONG);
        proxy
            .send(req)
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
    }
    let req = forwarded(&proxy, "203.0.113.77", STRONG_PASSWORD);
    proxy
        .send(req)
        .await
        .assert_status(StatusCode::TOO_MANY_REQUESTS);
    // Another client through the same proxy is not held back.
    let req = forwarded(&proxy, "198.51.100.23", STRONG_PASSWORD);
    proxy.send(req).await.assert_redirect("/account");
}

/// With one hashing thread and room for one waiting check, a burst of
/// sign-ins is partly answered at once with 503 and Retry-After (nothing
/// counted against anyone), and the server serves again right after.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_full_hashing_queue_sheds_sign_ins_with_retry_after() {
    let app = TestApp::start(
        &Backend::Sqlite,
        &["--hash-threads", "1", "--hash-queue", "1"],
    )
    .await;
    drop(
        app.signed_up_and_verified("pat@example.com", STRONG_PASSWORD)
            .await,
    );
    let mut first = app.browser();
    first.get("/login").await;
    let burst: Vec<_> = (0..24)
        .map(|n| {
            let mut browser = first.clone();
            browser.peer = format!("192.0.2.{}:80", n + 1).parse().unwrap();
            tokio::spawn(async move {
                let page = guess(&mut browser, "pat@example.com", WRONG).await;
                (page.status, page.headers.contains_key(header::RETRY_AFTER))
            })
        })
        .collect();
    let mut shed = 0;
    for answer in burst {
        match answer.await.unwrap() {
            (StatusCode::SERVICE_UNAVAILABLE, true) => shed += 1,
            (StatusCode::UNAUTHORIZED, false) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(shed > 0, "nothing shed with room for two checks at once");
    let mut owner = app.browser();
    owner
        .sign_in("pat@example.com", STRONG_PASSWORD)
        .await
        .assert_redirect("/account");
}

/// A sign-in that finds no place in the hashing queue is refused before
/// anything else: no account read, no throttle counter written, so a flood
/// beyond what the pool can hash costs the database nothing. Once a place
/// is free, the same sign-in goes through.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sign_in_without_a_place_to_hash_touches_no_counter() {
    for backend in backends() {
        let app = TestApp::start(&backend, &["--hash-threads", "1", "--hash-queue", "2"]).await;
        drop(
            app.signed_up_and_verified("lou@example.com", STRONG_PASSWORD)
                .await,
        );
        let counters = "SELECT COUNT(*) FROM throttle_counters";
        let before = app.count(counters).await;
        let held: Vec<_> = std::iter::from_fn(|| app.state.hasher.slot().ok()).collect();
        assert_eq!(held.len(), 2, "{backend:?}: every place held");
        let mut browser = from(&app, ATTACKER);
        browser.get("/login").await;
        let page = guess(&mut browser, "lou@example.com", WRONG).await;
        page.assert_status(StatusCode::SERVICE_UNAVAILABLE);
        assert!(page.headers.contains_key(header::RETRY_AFTER));
        assert_eq!(app.count(counters).await, before, "{backend:?}");
        drop(held);
        browser
            .sign_in("lou@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/account");
    }
}

/// Sign-ins that give back the same counters at once only ever queue: on
/// PostgreSQL the rows are locked in key order, where a multi-row UPDATE
/// locked them in the order it found them and deadlocked under a spike.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn attempts_given_back_at_once_never_deadlock() {
    on_each_backend(|app| async move {
        let store = app.state.store.clone();
        let keys = ["a:1", "b:2", "c:3", "d:4"];
        // The real time: counters untouched for a day are purged by the
        // server's own housekeeping, which may run while this test does.
        let now = app.state.clock.now();
        let limit = gatehouse::store::Limit {
            max: 1_000_000,
            window: 3_600,
        };
        for _ in 0..1_000 {
            for key in keys {
                store
                    .reserve_unchecked(key, None, limit, now)
                    .await
                    .unwrap();
            }
        }
        let tasks: Vec<_> = (0..16)
            .map(|task| {
                let store = store.clone();
                tokio::spawn(async move {
                    for round in 0..40 {
                        // Each in its own order, as sign-ins name them.
                        let mut mine = keys.to_vec();
                        mine.rotate_left((task + round) % keys.len());
                        store.release_attempts(&mine, None).await?;
                    }
                    Ok::<_, sqlx::Error>(())
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().expect("no deadlock");
        }
        // 640 given back from each of the 1,000: 360 left on each.
        let counters = |max| keys.map(|k| (k, gatehouse::store::Limit { max, window: 3_600 }));
        let open = store.first_closed(&counters(361), now).await.unwrap();
        assert!(open.is_none(), "360 attempts left, under 361");
        let closed = store.first_closed(&counters(360), now).await.unwrap();
        assert!(closed.is_some(), "360 attempts left, at 360");
        // The whole app lives to here (its temporary database with it), not
        // just the store this test uses.
        drop(app);
    })
    .await;
}
