//! Reads that may lag go to a PostgreSQL streaming replica: a real hot
//! standby, made with `pg_basebackup` from a primary cluster of the test's
//! own (both on free loopback ports, removed at the end). With the
//! standby's replay paused, a customer created on the primary is missing
//! from the console's search (served by the replica) while their record
//! page (the primary) shows them; replay resumed, the search finds them.
//!
//! Needs PostgreSQL's server binaries (Debian's postgresql package); runs
//! when GATEHOUSE_TEST_POSTGRES_URL is set, as in CI.

mod support;

use axum::http::StatusCode;
use gatehouse::domain::Role;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use support::{Backend, TestApp, free_port, listed_emails};

/// PostgreSQL's server programs (`initdb`, `pg_ctl`, `pg_basebackup`).
fn postgres_bin() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL's server binaries (apt-get install postgresql)")
        .map(|e| e.unwrap().path().join("bin"))
        .filter(|bin| bin.join("pg_basebackup").exists())
        .collect();
    versions.sort();
    versions.pop().expect("no PostgreSQL bin directory")
}

/// Runs a PostgreSQL program as the `postgres` user when the test runs as
/// root (the server refuses to run as root).
fn run(bin: &Path, program: &str, args: &[&str]) {
    let path = bin.join(program);
    let out = if is_root() {
        Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(&path)
            .args(args)
            .output()
    } else {
        Command::new(&path).args(args).output()
    }
    .unwrap();
    assert!(out.status.success(), "{program} {args:?}: {out:?}");
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// A cluster started with `pg_ctl`, stopped when dropped.
struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
}

impl Cluster {
    fn start(bin: &Path, data: PathBuf, port: u16, sockets: &Path) -> Self {
        let options = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c fsync=off",
            sockets.display()
        );
        let log = data.with_extension("log");
        run(
            bin,
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap(),
                "-l",
                log.to_str().unwrap(),
                "-o",
                &options,
                "-w",
                "start",
            ],
        );
        Self {
            bin: bin.to_path_buf(),
            data,
            port,
        }
    }

    fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data.to_str().unwrap().to_string();
        run(
            &self.bin,
            "pg_ctl",
            &["-D", &data, "-m", "immediate", "stop"],
        );
    }
}

async fn standby_sql(url: &str, sql: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::query(sql).execute(&mut conn).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_search_reads_a_hot_standby_and_record_pages_the_primary() {
    if std::env::var("GATEHOUSE_TEST_POSTGRES_URL").is_err() {
        eprintln!(
            "note: GATEHOUSE_TEST_POSTGRES_URL is not set; the replica test needs PostgreSQL, skipped"
        );
        return;
    }
    let bin = postgres_bin();
    let dir = tempfile::tempdir().unwrap();
    if is_root() {
        assert!(
            Command::new("chown")
                .args(["postgres:postgres"])
                .arg(dir.path())
                .status()
                .unwrap()
                .success()
        );
    }
    let (primary_data, standby_data) = (dir.path().join("primary"), dir.path().join("standby"));
    // A primary of our own: its pg_hba lets the standby replicate.
    run(
        &bin,
        "initdb",
        &[
            "-D",
            primary_data.to_str().unwrap(),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
        ],
    );
    let primary = Cluster::start(&bin, primary_data, free_port(), dir.path());
    let port = primary.port.to_string();
    // The hot standby: a base backup that streams from the primary.
    run(
        &bin,
        "pg_basebackup",
        &[
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-U",
            "postgres",
            "-D",
            standby_data.to_str().unwrap(),
            "-R",
            "-X",
            "stream",
        ],
    );
    let standby = Cluster::start(&bin, standby_data, free_port(), dir.path());

    let app = TestApp::start(&Backend::Postgres(primary.url("postgres")), &[]).await;
    let database = app.db.url.rsplit('/').next().unwrap().to_string();
    let standby_url = standby.url(&database);
    // An instance that reads lagging lists from the standby.
    let mut config = (*app.state.config).clone();
    config.database_replica_url = Some(standby_url.clone());
    let store = gatehouse::store::Store::connect(&app.db.url)
        .await
        .unwrap()
        .with_replica(&standby_url)
        .await
        .unwrap();
    assert_eq!(store.lagging_reads_from(), "replica");
    let state = gatehouse::AppState::new(config, store, app.state.clock.clone());
    let with_replica = gatehouse::http::router(state);

    let mut admin = app
        .admin_browser("owner@example.com", Role::Owner)
        .await
        .through(&with_replica);
    app.insert_customer("ada@example.com", "Ada", 1_700_000_000, true)
        .await;
    let found = |page: &support::Page| listed_emails(&page.body);
    // Streaming: the standby has her within moments.
    let start = Instant::now();
    loop {
        let page = admin.get("/admin/customers?q=ada&field=email").await;
        page.assert_status(StatusCode::OK);
        if found(&page) == ["ada@example.com"] {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "never replicated"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Replay paused: what the primary has now, the standby has not.
    standby_sql(&standby_url, "SELECT pg_wal_replay_pause()").await;
    let bea = app
        .insert_customer("bea@example.com", "Bea", 1_700_000_100, true)
        .await;
    let search = admin.get("/admin/customers?q=bea&field=email").await;
    search.assert_status(StatusCode::OK);
    assert!(
        found(&search).is_empty(),
        "the search did not come from the standby"
    );
    // Her record page must see the latest writes: the primary.
    admin
        .get(&format!("/admin/customers/{}", bea.0))
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("bea@example.com");
    // Writes through this instance go to the primary, as always.
    let mut visitor = app.browser().through(&with_replica);
    visitor.get("/signup").await.assert_status(StatusCode::OK);
    visitor
        .post(
            "/signup",
            &[
                ("email", "cy@example.com"),
                ("display_name", "Cy"),
                ("password", support::STRONG_PASSWORD),
                ("accept_terms", "yes"),
            ],
        )
        .await
        .assert_redirect("/signup/check-email");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM customers WHERE email = 'cy@example.com'")
            .await,
        1
    );

    standby_sql(&standby_url, "SELECT pg_wal_replay_resume()").await;
    let start = Instant::now();
    loop {
        let page = admin.get("/admin/customers?q=bea&field=email").await;
        if found(&page) == ["bea@example.com"] {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "replay never resumed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // The standby gone: the search falls back to the primary.
    drop(standby);
    let page = admin.get("/admin/customers?q=bea&field=email").await;
    page.assert_status(StatusCode::OK);
    assert_eq!(found(&page), ["bea@example.com"]);
    drop(app);
    drop(primary);
}
