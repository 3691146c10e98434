//! `gatehouse import`: every line checked before anything is written, each
//! supported hash form signs in (and is upgraded), reruns make no duplicates,
//! and an export imports into an empty database as the same customers.

mod support;

use axum::http::StatusCode;
use gatehouse::domain::{Action, Email};
use std::process::{Command, Output};
use support::*;

const BIN: &str = env!("CARGO_BIN_EXE_gatehouse");

/// One attribute of every type (key, type, choices).
const ATTRIBUTE_KINDS: [(&str, &str, &str); 7] = [
    ("nickname", "text", ""),
    ("points", "number", ""),
    ("newsletter", "boolean", ""),
    ("birthday", "date", ""),
    ("store", "choice", "Leeds\nYork"),
    ("work_email", "email", ""),
    ("phone", "phone", ""),
];

fn gatehouse(app: &TestApp, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("GATEHOUSE_DATABASE_URL", &app.db.url)
        .env("GATEHOUSE_LOG", "error")
        .output()
        .unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn password_hash_of(app: &TestApp, email: &str) -> String {
    let (c, _) = app
        .state
        .store
        .customer_by_email(&Email::parse(email).unwrap())
        .await
        .unwrap()
        .unwrap();
    app.state
        .store
        .password_hash(c.id)
        .await
        .unwrap()
        .unwrap()
        .as_str()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_supported_hash_signs_in_and_is_upgraded() {
    use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
    on_each_backend(|app| async move {
        let pw = "imported-password-42";
        let salt = SaltString::generate(&mut OsRng);
        let django = Command::new("python3")
            .args(["-c", "import hashlib,base64;print('pbkdf2_sha256$1000$NaCl$'+base64.b64encode(hashlib.pbkdf2_hmac('sha256',b'imported-password-42',b'NaCl',1000)).decode())"])
            .output()
            .unwrap();
        let hashes = [
            ("bcrypt", bcrypt::hash(pw, 4).unwrap()),
            (
                "pbkdf2",
                pbkdf2::Pbkdf2
                    .hash_password_customized(pw.as_bytes(), None, None, pbkdf2::Params { rounds: 1_000, output_length: 32 }, &salt)
                    .unwrap()
                    .to_string(),
            ),
            ("django", String::from_utf8(django.stdout).unwrap().trim().to_string()),
            (
                "scrypt",
                scrypt::Scrypt
                    .hash_password_customized(pw.as_bytes(), None, None, scrypt::Params::new(10, 8, 1, 32).unwrap(), &salt)
                    .unwrap()
                    .to_string(),
            ),
            (
                "argon2",
                argon2::Argon2::default().hash_password(pw.as_bytes(), &salt).unwrap().to_string(),
            ),
        ];
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("hashes.jsonl");
        let lines: Vec<String> = hashes
            .iter()
            .map(|(kind, hash)| {
                serde_json::json!({ "email": format!("{kind}@example.com"), "email_verified": true, "password_hash": hash })
                    .to_string()
            })
            .collect();
        std::fs::write(&file, lines.join("\n") + "\n").unwrap();
        let out = ok(&gatehouse(&app, &["import", file.to_str().unwrap(), "--quiet"]));
        assert!(out.contains("Imported 5 lines: 5 customers created, 0 updated"), "{out}");

        for (kind, original) in &hashes {
            let email = format!("{kind}@example.com");
            let mut browser = app.browser();
            browser.sign_in(&email, "wrong password 123").await.assert_status(StatusCode::UNAUTHORIZED);
            assert_eq!(&password_hash_of(&app, &email).await, original, "{kind} kept until a right password");
            browser.sign_in(&email, pw).await.assert_redirect("/account");
            let upgraded = password_hash_of(&app, &email).await;
            assert!(upgraded.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{kind}: {upgraded}");
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_lines_are_each_reported_and_nothing_is_written() {
    on_each_backend(|app| async move {
        app.insert_customer("taken@example.com", "Taken", 1, true).await;
        let dir = tempfile::tempdir().unwrap();
        let jsonl = dir.path().join("bad.jsonl");
        let mut bytes = [
            r#"{"email":"good@example.com","display_name":"Good"}"#,
            r#"{"email":"not-an-email"}"#,
            r#"{"email":"tier@example.com","tier":"platinum"}"#,
            r#"{"email":"hash@example.com","password_hash":"5f4dcc3b5aa765d61d8327deb882cf99"}"#,
            r#"{"email":"bool@example.com","email_verified":"maybe"}"#,
            r#"{"email":"GOOD@example.com"}"#,
            r#"{"email":"when@example.com","created_at":"yesterday"}"#,
            r#"{"email":"field@example.com","shoe_size":"44"}"#,
            r#"{"email": "broken""#,
        ]
        .join("\n")
        .into_bytes();
        bytes.extend_from_slice(b"\n{\"email\":\"caf\xe9@example.com\"}\n");
        bytes.extend_from_slice(b"{\"email\":\"attr@example.com\",\"attributes\":{\"shoe_size\":44}}\n");
        std::fs::write(&jsonl, &bytes).unwrap();
        let before = app.customers().await;

        for args in [vec!["import", "--dry-run", "--quiet"], vec!["import", "--quiet"]] {
            let mut args = args;
            args.insert(1, jsonl.to_str().unwrap());
            let out = gatehouse(&app, &args);
            assert!(!out.status.success());
            let stderr = String::from_utf8_lossy(&out.stderr);
            for expected in [
                "line 2: email:",
                "line 3: tier: no tier has the slug \"platinum\"",
                "line 4: password_hash: unsupported password hash format",
                "line 5: email_verified: \"maybe\" is not true or false",
                "line 6: email repeats line 1",
                "line 7: created_at: \"yesterday\" is not an RFC 3339 time",
                "line 8: unknown field \"shoe_size\"",
                "line 9: not JSON",
                "line 10: not UTF-8",
                "line 11: attr.shoe_size: no attribute has the key \"shoe_size\"",
                "10 of 11 lines are bad; nothing was imported",
            ] {
                assert!(stderr.contains(expected), "missing {expected:?} in:\n{stderr}");
            }
            assert!(!stderr.contains("line 1:"));
            assert_eq!(app.customers().await, before);
        }

        let csv = dir.path().join("bad.csv");
        std::fs::write(&csv, "email,display_name\nok@example.com,Ok\nshort@example.com\ntaken@example.com,Taken Again\n").unwrap();
        let out = gatehouse(&app, &["import", csv.to_str().unwrap(), "--quiet"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(stderr.contains("line 3: malformed CSV"), "{stderr}");
        assert_eq!(app.customers().await, before);

        let odd = dir.path().join("customers.txt");
        std::fs::write(&odd, "x").unwrap();
        let out = gatehouse(&app, &["import", odd.to_str().unwrap()]);
        assert!(String::from_utf8_lossy(&out.stderr).contains("--format must be jsonl or csv"));
    })
    .await;
}

/// Lines are checked a thousand at a time on several threads: what they
/// find is still told by line number, and repeats are found across chunks.
/// Hashes whose work factors would pin the hashing threads or exhaust
/// memory are line errors at import, and refused unverified if one is in
/// the database anyway (the process stays up, the answer is a plain
/// failure). Overlong lines and floods of bad lines are bounded too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_hashes_and_lines_are_refused() {
    on_each_backend(|app| async move {
        let hostile = [
            "$argon2id$v=19$m=19456,t=4000000000,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
            "$argon2id$v=19$m=4000000,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
            "$argon2id$v=19$m=19456,t=2,p=255$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
            "$scrypt$ln=10,r=4000000000,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
            "$scrypt$ln=30,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
            "$scrypt$ln=14,r=8,p=4000000$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
            "$2b$31$abcdefghijklmnopqrstuuJ0V9yMUuBMzDb0q4M3z5k7H3o6s1hG2",
            "$pbkdf2-sha256$i=4000000000,l=32$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
            "pbkdf2_sha256$4000000000$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        ];
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("hostile.jsonl");
        let mut lines: Vec<String> = hostile
            .iter()
            .enumerate()
            .map(|(n, h)| format!(r#"{{"email":"h{n}@example.com","password_hash":"{h}"}}"#))
            .collect();
        lines.push(format!(r#"{{"email":"long@example.com","display_name":"{}"}}"#, "x".repeat(70_000)));
        lines.push(r#"{"email":"fine@example.com"}"#.into());
        std::fs::write(&file, lines.join("\n")).unwrap();
        let out = gatehouse(&app, &["import", file.to_str().unwrap(), "--quiet"]);
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        for n in 1..=hostile.len() {
            assert!(stderr.contains(&format!("line {n}: password_hash:")), "line {n}:\n{stderr}");
        }
        assert!(stderr.contains(&format!("line {}: longer than 65536 bytes", hostile.len() + 1)), "{stderr}");
        assert!(stderr.contains("10 of 11 lines are bad"), "{stderr}");

        // Thousands of bad lines: the first thousand are listed, all counted.
        let many = dir.path().join("many.jsonl");
        std::fs::write(&many, "{\"email\":\"nope\"}\n".repeat(3000)).unwrap();
        let out = gatehouse(&app, &["import", many.to_str().unwrap(), "--quiet"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.matches("email:").count(), 1000, "{}", &stderr[..300]);
        assert!(stderr.contains("and 2000 more bad lines"));
        assert!(stderr.contains("3000 of 3000 lines are bad"));

        // Written straight into the database, a hostile hash is refused at
        // sign-in without being computed.
        let id = app.insert_customer("planted@example.com", "Planted", 1, true).await;
        for hash in hostile {
            let hash = gatehouse::domain::PasswordHash::from_phc(hash.into());
            app.state.store.set_password_hash(id, &hash, 2).await.unwrap();
            let mut browser = app.browser();
            browser
                .sign_in("planted@example.com", "any password at all")
                .await
                .assert_status(StatusCode::UNAUTHORIZED);
            app.state.clock.advance(120);
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_file_is_checked_in_line_order() {
    on_each_backend(|app| async move {
        let before = app.customers().await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("long.jsonl");
        let line = |i: usize| format!("{{\"email\":\"long{i}@example.com\"}}\n");
        let mut text: String = (1..=3_500).map(line).collect();
        std::fs::write(&file, &text).unwrap();
        text = text.replace(
            "{\"email\":\"long2100@example.com\"}",
            "{\"email\":\"long2100\"}",
        );
        text = text.replace("long3200@", "long7@");
        let bad = dir.path().join("bad.jsonl");
        std::fs::write(&bad, &text).unwrap();

        let out = gatehouse(&app, &["import", bad.to_str().unwrap(), "--quiet"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        let reported: Vec<&str> = stderr.lines().filter(|l| l.starts_with("line ")).collect();
        assert_eq!(reported.len(), 2, "{stderr}");
        assert!(reported[0].starts_with("line 2100: email:"), "{stderr}");
        assert_eq!(reported[1], "line 3200: email repeats line 7");
        assert!(stderr.contains("2 of 3500 lines are bad"), "{stderr}");
        assert_eq!(app.customers().await, before);

        let out = ok(&gatehouse(
            &app,
            &["import", file.to_str().unwrap(), "--quiet"],
        ));
        assert!(out.contains("3500 customers created"), "{out}");
        assert_eq!(app.customers().await, before + 3_500);
        let last = Email::parse("long3500@example.com").unwrap();
        assert!(
            app.state
                .store
                .customer_by_email(&last)
                .await
                .unwrap()
                .is_some()
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reruns_update_instead_of_duplicating_and_tier_moves_are_kept() {
    on_each_backend(|app| async move {
        let mut owner = app.admin_browser("owner@example.com", gatehouse::domain::Role::Owner).await;
        owner.get("/admin/tiers").await;
        owner
            .post(
                "/admin/tiers",
                &[("name", "Gold"), ("slug", "gold"), ("rank", "20"), ("colour", "#b8860b"), ("grace_days", "0")],
            )
            .await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("many.csv");
        let mut text = String::from("email,display_name,external_id,tier\n");
        for i in 0..4_500 {
            text.push_str(&format!("c{i}@example.com,Customer {i},crm-{i},\n"));
        }
        std::fs::write(&file, &text).unwrap();
        let dry = ok(&gatehouse(&app, &["import", file.to_str().unwrap(), "--dry-run", "--quiet"]));
        assert!(dry.contains("4500 customers would be created and 0 updated"), "{dry}");
        assert_eq!(app.customers().await, 0);

        let first = ok(&gatehouse(&app, &["import", file.to_str().unwrap(), "--quiet"]));
        assert!(first.contains("4500 customers created, 0 updated"), "{first}");
        // A rerun (as after an interruption) creates nothing new.
        let again = ok(&gatehouse(&app, &["import", file.to_str().unwrap(), "--quiet"]));
        assert!(again.contains("0 customers created, 4500 updated"), "{again}");
        assert_eq!(app.customers().await, 4_500);

        // Matched by external id: a new email and a new tier for crm-7.
        let change = dir.path().join("change.jsonl");
        std::fs::write(
            &change,
            r#"{"external_id":"crm-7","email":"seven@example.com","display_name":"Seven","tier":"gold"}"#,
        )
        .unwrap();
        ok(&gatehouse(&app, &["import", change.to_str().unwrap(), "--quiet"]));
        let (seven, _) = app
            .state
            .store
            .customer_by_email(&Email::parse("seven@example.com").unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(seven.external_id.as_deref(), Some("crm-7"));
        // Imported and updated names are found by name search.
        let by_name = owner.get("/admin/customers?field=name&q=seven").await;
        assert_eq!(listed_emails(&by_name.body), ["seven@example.com"]);
        let imported = owner.get("/admin/customers?field=name&q=customer+4499").await;
        assert_eq!(listed_emails(&imported.body), ["c4499@example.com"]);
        // An update replaces the name's words: "Customer 7" is gone.
        let renamed = owner.get("/admin/customers?field=name&q=7+customer").await;
        assert!(listed_emails(&renamed.body).is_empty());
        let history = app.state.store.tier_history(seven.id, 5).await.unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].source, gatehouse::domain::ChangeSource::Import);
        assert_eq!(app.customers().await, 4_500);

        // An email that belongs to a customer with another external id is refused.
        std::fs::write(&change, r#"{"external_id":"crm-new","email":"c8@example.com"}"#).unwrap();
        let out = gatehouse(&app, &["import", change.to_str().unwrap(), "--quiet"]);
        assert!(String::from_utf8_lossy(&out.stderr).contains("line 1: email: belongs to a customer with another external_id"));

        // Two lines that match one customer by different keys are refused.
        std::fs::write(
            &change,
            concat!(
                r#"{"email":"c9@example.com","display_name":"By email"}"#,
                "\n",
                r#"{"external_id":"crm-9","email":"nine@example.com"}"#,
            ),
        )
        .unwrap();
        let out = gatehouse(&app, &["import", change.to_str().unwrap(), "--quiet"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("line 2: updates the same customer as line 1"), "{stderr}");
        let nine = Email::parse("c9@example.com").unwrap();
        let (nine, _) = app.state.store.customer_by_email(&nine).await.unwrap().unwrap();
        assert_eq!(nine.display_name.as_str(), "Customer 9");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_imports_into_an_empty_database_as_the_same_customers() {
    for backend in backends() {
        let source = TestApp::start(&backend, &[]).await;
        let target = TestApp::start(&backend, &[]).await;
        source
            .signed_up_and_verified("ada@example.com", STRONG_PASSWORD)
            .await;
        source
            .browser()
            .sign_in("ada@example.com", STRONG_PASSWORD)
            .await;
        source
            .insert_customer("bob@example.com", "Bob \"the builder\" \\ Jr.", 5, false)
            .await;
        for app in [&source, &target] {
            let mut owner = app
                .admin_browser("owner@example.com", gatehouse::domain::Role::Owner)
                .await;
            owner.get("/admin/tiers").await;
            owner
                .post(
                    "/admin/tiers",
                    &[
                        ("name", "Gold"),
                        ("slug", "gold"),
                        ("rank", "20"),
                        ("colour", "#b8860b"),
                    ],
                )
                .await;
            for (key, kind, choices) in ATTRIBUTE_KINDS {
                define_attribute(&mut owner, key, kind, choices, &["searchable"])
                    .await
                    .assert_redirect("/admin/attributes");
            }
        }
        let bob = source
            .state
            .store
            .customer_by_email(&Email::parse("bob@example.com").unwrap())
            .await
            .unwrap()
            .unwrap()
            .0;
        let gold = source
            .state
            .store
            .tier_by_slug("gold")
            .await
            .unwrap()
            .unwrap()
            .id;
        let change = gatehouse::domain::TierChange {
            customer: bob.id,
            from: None,
            to: gold,
            source: gatehouse::domain::ChangeSource::Admin,
            actor: None,
            reason: String::new(),
            expires_at: Some(4_000_000_000),
            at: 10,
        };
        source
            .state
            .store
            .change_customer_tier(&change)
            .await
            .unwrap()
            .unwrap();
        source
            .state
            .store
            .set_customer_disabled(bob.id, true, 20)
            .await
            .unwrap();
        let defs = source.state.store.list_attributes().await.unwrap();
        let values = [
            // Quotes, a comma, a backslash and a capital beyond ASCII.
            "Bob's \"Ñickname\", with a comma \\ and a backslash",
            "42.5",
            "true",
            "1980-12-31",
            "York",
            "bob@work.example",
            "+442079460958",
        ];
        let changes = defs
            .iter()
            .zip(values)
            .map(|(a, v)| (a.id, Some(v.to_string())))
            .collect();
        source
            .state
            .store
            .set_customer_attributes(bob.id, &defs, &changes, 30)
            .await
            .unwrap();

        let dir = tempfile::tempdir().unwrap();
        for format in ["jsonl", "csv"] {
            let exported = dir.path().join(format!("source.{format}"));
            let export = |app: &TestApp, path: &std::path::Path| {
                ok(&gatehouse(
                    app,
                    &[
                        "export",
                        "--format",
                        format,
                        "--with-password-hashes",
                        "--output",
                        path.to_str().unwrap(),
                    ],
                ));
                std::fs::read_to_string(path).unwrap()
            };
            let original = export(&source, &exported);
            ok(&gatehouse(
                &target,
                &["import", exported.to_str().unwrap(), "--quiet"],
            ));
            let copy = export(&target, &dir.path().join(format!("target.{format}")));
            assert_eq!(copy, original, "{format} round trip");
            if format == "jsonl" {
                assert!(
                    original.contains(r#""attributes":{"birthday":"1980-12-31","newsletter":true,"nickname":"Bob's \"Ñickname\", with a comma \\ and a backslash","phone":"+442079460958","points":42.5,"store":"York","work_email":"bob@work.example"}"#),
                    "{original}"
                );
            } else {
                assert!(original.lines().next().unwrap().ends_with(
                    "external_id,attr.nickname,attr.points,attr.newsletter,attr.birthday,attr.store,attr.work_email,attr.phone,password_hash"
                ), "{original}");
            }
        }
        // Copied values are searchable in the target.
        let mut owner = target
            .admin_browser("owner2@example.com", gatehouse::domain::Role::Owner)
            .await;
        let found = owner
            .get("/admin/customers?attr=phone&attr_value=%2B44+20+7946+0958")
            .await;
        assert_eq!(listed_emails(&found.body), ["bob@example.com"]);
        // So are names, word by word (the import into an empty database
        // writes the word index once at its end).
        let found = owner
            .get("/admin/customers?q=builder+bob+jr&field=name")
            .await;
        assert_eq!(listed_emails(&found.body), ["bob@example.com"]);
        let found = owner
            .get("/admin/customers?attr=nickname&attr_value=bob%27s+%22%C3%91ickname%22%2C+with+a+comma+%5C+and+a+backslash")
            .await;
        assert_eq!(listed_emails(&found.body), ["bob@example.com"]);
        // Values of the wrong type or for archived attributes are refused.
        let bad = dir.path().join("bad.jsonl");
        std::fs::write(
            &bad,
            concat!(
                r#"{"email":"bob@example.com","attributes":{"points":"many","newsletter":1}}"#,
                "\n",
                r#"{"email":"ada@example.com","attributes":{"birthday":"31/12/1980"}}"#,
                "\n",
                r#"{"email":"cy@example.com","attributes":["phone"]}"#,
                "\n",
            ),
        )
        .unwrap();
        let out = gatehouse(&target, &["import", bad.to_str().unwrap(), "--quiet"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        for expected in [
            "line 1: attr.",
            "line 2: attr.birthday: \"31/12/1980\": Birthday is a date",
            "line 3: attributes: expected an object",
        ] {
            assert!(
                stderr.contains(expected),
                "missing {expected:?} in:\n{stderr}"
            );
        }
        // The copied customer signs in with the same password.
        target
            .browser()
            .sign_in("ada@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/account");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imported_attributes_are_searchable_whether_few_or_many_share_a_value() {
    on_each_backend(|app| async move {
        let mut owner = app
            .admin_browser("owner@example.com", gatehouse::domain::Role::Owner)
            .await;
        define_attribute(&mut owner, "country", "choice", "GB\nFR", &["searchable"])
            .await
            .assert_redirect("/admin/attributes");
        // More customers share GB than the search lists and sorts (5,000):
        // the list is walked instead. Every tenth is French.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("countries.csv");
        let mut text = String::from("email,created_at,attr.country\n");
        for i in 0..6_000 {
            let country = if i % 10 == 0 { "fr" } else { "GB" };
            text.push_str(&format!(
                "c{i}@example.com,{},{country}\n",
                gatehouse::transfer::export::rfc3339(1_000_000 + i)
            ));
        }
        std::fs::write(&file, &text).unwrap();
        ok(&gatehouse(
            &app,
            &["import", file.to_str().unwrap(), "--quiet"],
        ));

        for (value, newest) in [("gb", 5_999), ("FR", 5_990)] {
            let page = owner
                .get(&format!("/admin/customers?attr=country&attr_value={value}"))
                .await;
            let emails = listed_emails(&page.body);
            assert_eq!(emails.len(), 50, "{value}");
            assert_eq!(emails[0], format!("c{newest}@example.com"), "newest first");
            let expect_french = value == "FR";
            for email in &emails {
                let i: i64 = email[1..email.find('@').unwrap()].parse().unwrap();
                assert_eq!(i % 10 == 0, expect_french, "{value}: {email}");
            }
            // The next page carries on where this one ended.
            let next = page
                .body
                .split("href=\"")
                .filter_map(|s| s.split('"').next())
                .find(|href| href.contains("after="))
                .unwrap()
                .replace("&amp;", "&");
            let more = listed_emails(&owner.get(&next).await.body);
            assert_eq!(more.len(), 50);
            assert!(!more.iter().any(|e| emails.contains(e)));
        }
    })
    .await;
}

/// Runs `$body` with `$conn` connected to the test database, as a
/// connection of its own backend.
macro_rules! with_connection {
    ($app:expr, |$conn:ident| $body:expr) => {{
        use sqlx::Connection;
        let url = &$app.db.url;
        if url.starts_with("sqlite:") {
            let mut $conn = sqlx::SqliteConnection::connect(url).await.unwrap();
            $body
        } else {
            let mut $conn = sqlx::PgConnection::connect(url).await.unwrap();
            $body
        }
    }};
}

/// Customers stored before the name word index existed (as after an
/// upgrade: the migration leaves a record asking for it) are indexed at the
/// next start, and only once.
#[tokio::test]
async fn names_stored_before_the_word_index_are_indexed_at_the_next_start() {
    for backend in backends() {
        let app = TestApp::start(&backend, &[]).await;
        app.insert_customer("zoe@example.com", "Zoë Tanaka", 1, true)
            .await;
        app.insert_customer("ken@example.com", "Ken Tanaka", 2, true)
            .await;
        with_connection!(app, |conn| {
            sqlx::query("DELETE FROM customer_name_words")
                .execute(&mut conn)
                .await
                .unwrap();
            sqlx::query(
                "INSERT INTO deferred_indexes (name, rebuild) VALUES ('customer_name_words', '')",
            )
            .execute(&mut conn)
            .await
            .unwrap();
        });
        let mut owner = app
            .admin_browser("owner@example.com", gatehouse::domain::Role::Owner)
            .await;
        let search = "/admin/customers?q=tanaka+zoe&field=name";
        assert!(listed_emails(&owner.get(search).await.body).is_empty());
        app.state.store.migrate().await.unwrap();
        assert_eq!(
            listed_emails(&owner.get(search).await.body),
            ["zoe@example.com"]
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM deferred_indexes").await,
            0,
            "the record is gone"
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM customer_name_words").await,
            4,
            "zoe, ken and tanaka twice"
        );
    }
}

/// Whether the database has an index of this name.
async fn index_exists(app: &TestApp, name: &str) -> bool {
    let sql = if app.db.url.starts_with("sqlite:") {
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = $1"
    } else {
        "SELECT COUNT(*) FROM pg_indexes WHERE indexname = $1"
    };
    let count: i64 = with_connection!(app, |conn| sqlx::query_scalar(sql)
        .bind(name)
        .fetch_one(&mut conn)
        .await
        .unwrap());
    count > 0
}

/// An import into an empty database builds the search indexes once at its
/// end; if it is interrupted, the next start builds them, including for
/// customers written and removed meanwhile.
#[tokio::test]
async fn search_indexes_an_interrupted_import_deferred_are_built_at_the_next_start() {
    for backend in backends() {
        let app = TestApp::start(&backend, &[]).await;
        let store = &app.state.store;
        assert!(store.defer_search_indexes().await.unwrap());
        assert!(!index_exists(&app, "customers_by_created").await);
        assert!(!index_exists(&app, "customer_attributes_search").await);
        // Only one deferral at a time.
        assert!(!store.defer_search_indexes().await.unwrap());

        // The server goes on meanwhile.
        app.insert_customer("grace@example.com", "Grace Hopper", 5, true)
            .await;
        let gone = app
            .insert_customer("alan@example.com", "Alan Turing", 6, true)
            .await;
        assert!(store.delete_customer(gone, 0).await.unwrap());

        // What every start does.
        store.migrate().await.unwrap();
        assert!(index_exists(&app, "customers_by_created").await);
        assert!(index_exists(&app, "customer_attributes_search").await);
        let mut owner = app
            .admin_browser("owner@example.com", gatehouse::domain::Role::Owner)
            .await;
        let found = owner.get("/admin/customers?q=hopper&field=name").await;
        found.assert_contains("grace@example.com");
        assert_eq!(listed_emails(&found.body), vec!["grace@example.com"]);
        let by_words = owner
            .get("/admin/customers?q=HOPPER+grace&field=name")
            .await;
        assert_eq!(listed_emails(&by_words.body), vec!["grace@example.com"]);
        // The foreign keys (dropped on PostgreSQL) hold again.
        define_attribute(&mut owner, "nickname", "text", "", &[])
            .await
            .assert_redirect("/admin/attributes");
        assert!(!orphan_value_accepted(&app).await);
        // With customers, an import keeps the indexes up to date as it goes.
        assert!(!store.defer_search_indexes().await.unwrap());
    }
}

/// Whether the database takes an attribute value of no customer.
async fn orphan_value_accepted(app: &TestApp) -> bool {
    const INSERT: &str = "INSERT INTO customer_attributes (customer_id, attribute_id, value, updated_at) \
        SELECT $1, id, 'x', 0 FROM attributes LIMIT 1";
    let nobody = uuid::Uuid::now_v7();
    with_connection!(app, |conn| sqlx::query(INSERT)
        .bind(nobody)
        .execute(&mut conn)
        .await
        .is_ok_and(|done| done.rows_affected() == 1))
}

/// How many audit events of `action` the system (an operator's command) has
/// recorded, with their details.
async fn operator_events(app: &TestApp, action: Action) -> Vec<serde_json::Value> {
    app.audit_trail(action)
        .await
        .into_iter()
        .map(|e| {
            assert_eq!(e.actor_kind, "system");
            serde_json::from_str(&e.details).unwrap()
        })
        .collect()
}

/// Whether the planner has statistics of the customers table.
async fn customers_analyzed(app: &TestApp) -> bool {
    let sql = if app.db.url.starts_with("sqlite:") {
        "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"
    } else {
        "SELECT COUNT(*) FROM pg_stat_user_tables \
         WHERE relname = 'customers' AND last_analyze IS NOT NULL"
    };
    app.count(sql).await > 0
        && (!app.db.url.starts_with("sqlite:")
            || app
                .count("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'customers'")
                .await
                > 0)
}

/// An operator's import and export are on the audit trail (a refused
/// import, which writes nothing, is not), and an import leaves the query
/// planner statistics of what it filled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_imports_and_exports_are_audited_and_leave_statistics() {
    on_each_backend(|app| async move {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bad.jsonl");
        std::fs::write(&bad, "{\"email\":\"not an email\"}\n").unwrap();
        assert!(
            !gatehouse(&app, &["import", bad.to_str().unwrap()])
                .status
                .success()
        );
        assert!(
            operator_events(&app, Action::CustomersImported)
                .await
                .is_empty()
        );
        assert!(!customers_analyzed(&app).await);

        let good = dir.path().join("good.jsonl");
        let lines = (0..3)
            .map(|i| format!("{{\"email\":\"op{i}@example.com\",\"display_name\":\"Op {i}\"}}\n"))
            .collect::<String>();
        std::fs::write(&good, lines).unwrap();
        ok(&gatehouse(&app, &["import", good.to_str().unwrap()]));
        let imported = operator_events(&app, Action::CustomersImported).await;
        assert_eq!(imported.len(), 1);
        assert_eq!(imported[0]["created"], 3);
        assert_eq!(imported[0]["lines"], 3);
        assert!(customers_analyzed(&app).await);

        let out = dir.path().join("out.csv");
        ok(&gatehouse(
            &app,
            &[
                "export",
                "--format",
                "csv",
                "--output",
                out.to_str().unwrap(),
            ],
        ));
        let exported = operator_events(&app, Action::CustomersExported).await;
        assert_eq!(exported.len(), 1);
        assert_eq!(exported[0]["customers"], 3);
        assert_eq!(exported[0]["with_password_hashes"], false);
    })
    .await;
}
