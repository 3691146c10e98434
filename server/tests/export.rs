//! Exporting customers: the console streams a search (owners only, never
//! hashes); `gatehouse export` writes everyone, with hashes on request.

mod support;

use axum::http::{StatusCode, header};
use gatehouse::domain::Role;
use support::*;

const BIN: &str = env!("CARGO_BIN_EXE_gatehouse");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owners_download_a_search_as_json_lines_or_csv() {
    on_each_backend(|app| async move {
        // More customers than one export page, so the stream spans pages.
        for i in 0..1_205 {
            app.insert_customer(
                &format!("c{i:04}@example.com"),
                &format!("Customer, \"{i}\""),
                1_000 + i,
                i % 2 == 0,
            )
            .await;
        }
        let mut owner = app.admin_browser("owner@example.com", Role::Owner).await;
        owner
            .get("/admin/customers?status=verified")
            .await
            .assert_contains("/admin/customers/export?q=&amp;field=email&amp;status=verified");

        let jsonl = owner
            .get("/admin/customers/export?status=verified&format=jsonl")
            .await;
        jsonl.assert_status(StatusCode::OK);
        assert_eq!(
            jsonl.headers[header::CONTENT_TYPE],
            "application/jsonl; charset=utf-8"
        );
        assert!(
            jsonl.headers[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .ends_with(".jsonl\"")
        );
        let lines: Vec<serde_json::Value> = jsonl
            .body
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 603);
        assert!(
            lines
                .iter()
                .all(|l| l["email_verified"] == true && l["tier"] == "regular")
        );
        assert!(lines.iter().all(|l| l.get("password_hash").is_none()));
        assert_eq!(lines[0]["email"], "c1204@example.com");
        assert_eq!(lines[0]["display_name"], "Customer, \"1204\"");
        assert_eq!(lines[0]["created_at"], "1970-01-01T00:36:44Z");

        let csv = owner.get("/admin/customers/export?q=c000&format=csv").await;
        csv.assert_status(StatusCode::OK);
        let mut reader = csv::Reader::from_reader(csv.body.as_bytes());
        let headers = reader.headers().unwrap().clone();
        assert_eq!(
            headers.iter().collect::<Vec<_>>(),
            [
                "id",
                "email",
                "email_verified",
                "display_name",
                "tier",
                "tier_expires_at",
                "created_at",
                "last_sign_in_at",
                "disabled",
                "external_id"
            ]
        );
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 10);
        assert_eq!(&rows[0][1], "c0000@example.com");
        assert_eq!(&rows[0][3], "Customer, \"0\"");

        owner
            .get("/admin/customers/export?format=xml")
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        owner
            .get("/admin/customers/export?format=csv&tier=nope")
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        for role in [Role::Support, Role::Auditor] {
            let mut admin = app
                .admin_browser(&format!("{}@example.com", role.as_str()), role)
                .await;
            let page = admin.get("/admin/customers").await;
            assert!(!page.body.contains("/admin/customers/export"));
            admin
                .get("/admin/customers/export?format=csv")
                .await
                .assert_status(StatusCode::FORBIDDEN);
        }
        let exports = app
            .state
            .store
            .audit_events(
                &gatehouse::domain::AuditFilter {
                    action: Some(gatehouse::domain::Action::CustomersExported),
                    ..Default::default()
                },
                None,
                10,
            )
            .await
            .unwrap();
        assert_eq!(exports.len(), 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_command_writes_everyone_with_hashes_on_request() {
    on_each_backend(|app| async move {
        app.signed_up_and_verified("ada@example.com", STRONG_PASSWORD)
            .await;
        app.insert_customer("bob@example.com", "Bob", 5, false)
            .await;
        let dir = tempfile::tempdir().unwrap();
        let run = |args: &[&str]| {
            std::process::Command::new(BIN)
                .arg("export")
                .args(args)
                .env("GATEHOUSE_DATABASE_URL", &app.db.url)
                .env("GATEHOUSE_LOG", "error")
                .output()
                .unwrap()
        };
        let out = run(&[]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert_eq!(stdout.lines().count(), 2);
        assert!(!stdout.contains("argon2"));
        assert!(String::from_utf8_lossy(&out.stderr).contains("Exported 2 customers"));

        let file = dir.path().join("all.csv");
        let out = run(&[
            "--format",
            "csv",
            "--with-password-hashes",
            "--output",
            file.to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut reader = csv::Reader::from_path(&file).unwrap();
        assert_eq!(
            reader.headers().unwrap().iter().next_back(),
            Some("password_hash")
        );
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let ada = rows.iter().find(|r| &r[1] == "ada@example.com").unwrap();
        assert!(ada[10].starts_with("$argon2id$"));
        assert_eq!(&ada[2], "true");

        let bad = run(&["--format", "xml"]);
        assert!(!bad.status.success());
        assert!(String::from_utf8_lossy(&bad.stderr).contains("--format must be jsonl or csv"));

        // The file holds hashes: its owner's only, never overwritten unasked,
        // and a symbolic link placed at its name is never followed.
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let before = std::fs::read(&file).unwrap();
        let again = run(&["--output", file.to_str().unwrap()]);
        assert!(!again.status.success());
        assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
        assert_eq!(std::fs::read(&file).unwrap(), before);
        let target = dir.path().join("precious.txt");
        std::fs::write(&target, "keep me").unwrap();
        let link = dir.path().join("link.jsonl");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(!run(&["--output", link.to_str().unwrap()]).status.success());
        let forced = run(&["--output", link.to_str().unwrap(), "--force"]);
        assert!(forced.status.success());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
        assert!(!std::fs::symlink_metadata(&link).unwrap().is_symlink());
        assert_eq!(std::fs::read_to_string(&link).unwrap().lines().count(), 2);
    })
    .await;
}

/// Cells a spreadsheet would run as a formula are written as text (a
/// leading apostrophe), and import reads them back as they were.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_cells_that_look_like_formulas_are_neutralised() {
    on_each_backend(|app| async move {
        app.insert_customer("eve@example.com", "=HYPERLINK(\"http://x\",\"y\")", 5, true)
            .await;
        app.insert_customer("dan@example.com", "@SUM(A1)", 6, true)
            .await;
        let mut owner = app
            .admin_browser("owner@example.com", gatehouse::domain::Role::Owner)
            .await;
        let csv = owner.get("/admin/customers/export?format=csv").await;
        csv.assert_status(StatusCode::OK);
        let mut reader = csv::Reader::from_reader(csv.body.as_bytes());
        let names: Vec<String> = reader
            .records()
            .map(|r| r.unwrap()[3].to_string())
            .collect();
        assert!(
            names.contains(&"'=HYPERLINK(\"http://x\",\"y\")".to_string()),
            "{names:?}"
        );
        assert!(names.contains(&"'@SUM(A1)".to_string()), "{names:?}");
        assert!(!names.iter().any(|n| n.starts_with(['=', '@'])));

        // Into an empty database, the names come back unchanged.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("people.csv");
        std::fs::write(&file, &csv.body).unwrap();
        let other = TestApp::start(&support::Backend::Sqlite, &[]).await;
        let out = std::process::Command::new(BIN)
            .args(["import", file.to_str().unwrap()])
            .env("GATEHOUSE_DATABASE_URL", &other.db.url)
            .env("GATEHOUSE_LOG", "error")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let eve = gatehouse::domain::Email::parse("eve@example.com").unwrap();
        let (customer, _) = other
            .state
            .store
            .customer_by_email(&eve)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            customer.display_name.as_str(),
            "=HYPERLINK(\"http://x\",\"y\")"
        );
    })
    .await;
}
