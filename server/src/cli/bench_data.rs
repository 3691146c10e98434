//! `gatehouse bench-data`: how fast customers move in and out. Writes a JSON
//! Lines file of N customers with bcrypt hashes and two searchable
//! attributes (as a migration from another system would bring), imports it
//! into an empty database with `gatehouse import`'s code, exports everyone
//! again, times console searches on the result (by attribute among them),
//! and prints the figures against the targets (import >= 20,000/s on SQLite
//! and >= 50,000/s on PostgreSQL; export of 1M in <= 30 s; attribute search
//! p95 < 50 ms).

use crate::config::Config;
use crate::domain::{Attribute, AttributeId, Kind};
use anyhow::bail;
use clap::Args;
use std::io::Write;
use std::time::Instant;

const COUNTRIES: [&str; 20] = [
    "GB", "US", "FR", "DE", "ES", "IT", "NL", "BE", "SE", "NO", "DK", "FI", "PL", "PT", "IE", "AT",
    "CH", "CA", "AU", "JP",
];

#[derive(Args, Debug)]
pub struct DataBenchArgs {
    /// Customers in the generated file.
    #[arg(long, default_value_t = 1_000_000)]
    pub customers: usize,
    /// An empty database to import into; default: a new SQLite file in a temporary directory.
    #[arg(long)]
    pub bench_database: Option<String>,
}

/// A benchmark is a script: its steps run in order and print as they go,
/// so it reads best as one function.
pub async fn run(args: DataBenchArgs, config: Config) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!(
        "gatehouse-bench-data-{}",
        uuid::Uuid::now_v7().simple()
    ));
    std::fs::create_dir_all(&dir)?;
    let database = args
        .bench_database
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", dir.join("bench.db").display()));
    let store = super::open_store_at(&database).await?;
    if store.count_customers().await? > 0 {
        bail!("--bench-database must be empty: the benchmark imports into it");
    }
    let backend = store.backend_name();
    // Two searchable attributes: one nearly unique per customer, one shared
    // by a twentieth of them (a country), as console searches would meet.
    for (key, kind, choices) in [
        ("loyalty_number", Kind::Text, Vec::new()),
        (
            "country",
            Kind::Choice,
            COUNTRIES.iter().map(|c| c.to_string()).collect(),
        ),
    ] {
        let attribute = Attribute {
            id: AttributeId(uuid::Uuid::now_v7()),
            key: key.into(),
            label: key.replace('_', " "),
            kind,
            choices,
            required: false,
            customer_editable: false,
            searchable: true,
            personal: false,
            position: 0,
            archived: false,
        };
        store.insert_attribute(attribute, 0).await?;
    }

    // One real bcrypt hash (cost 10) for everyone: importing does not verify
    // hashes, so the file's cost is what a real migration's would be.
    let hash = bcrypt::hash("bench-data-password", 10)?;
    let file = dir.join("customers.jsonl");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&file)?);
    for i in 0..args.customers {
        let line = serde_json::json!({
            "email": format!("bench{i}@bench-data.example"),
            "display_name": format!("Bench Customer {i}"),
            "email_verified": i % 5 != 0,
            "external_id": format!("legacy-{i}"),
            "created_at": crate::transfer::export::rfc3339(1_600_000_000 + i as i64),
            "password_hash": hash,
            "attributes": {
                "loyalty_number": format!("LN-{:09}", (i as u64 * 2_654_435_761) % 1_000_000_007),
                "country": COUNTRIES[i % COUNTRIES.len()],
            },
        });
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    drop(out);
    println!(
        "gatehouse bench-data: {} customers with bcrypt hashes, {backend} database",
        args.customers
    );

    let config = Config {
        database_url: database.clone(),
        ..config
    };
    // Each command is a process of its own: the store is opened for it and
    // closed after (closing checkpoints SQLite's write-ahead log, which an
    // export would otherwise read through).
    store.close().await;
    let started = Instant::now();
    let store = super::open_store_at(&database).await?;
    crate::transfer::import::run(&store, &config, &file, Some("jsonl"), false, true).await?;
    store.close().await;
    let import_secs = started.elapsed().as_secs_f64();
    let rate = args.customers as f64 / import_secs;
    let target = if backend == "postgres" {
        50_000.0
    } else {
        20_000.0
    };

    let started = Instant::now();
    let exported = dir.join("export.jsonl");
    let store = super::open_store_at(&database).await?;
    let file = crate::transfer::export::private_file(&exported, false)?;
    crate::transfer::export::run(&store, "jsonl", true, Some((exported.clone(), file))).await?;
    store.close().await;
    let export_secs = started.elapsed().as_secs_f64();
    let per_million = export_secs / args.customers as f64 * 1_000_000.0;

    // Console searches by the attributes, on what was imported.
    let depth_pages = (args.customers as i64 / 50 - 2).clamp(1, 10_000);
    let console = crate::cli::bench_console::run(
        crate::cli::bench_console::ConsoleBenchArgs {
            requests: 200,
            depth_pages,
            // The generated names all share "Bench Customer": name
            // searches belong to `bench-console` on a seeded database.
            attributes_only: true,
        },
        config,
    )
    .await;

    println!();
    println!(
        "import: {import_secs:.1} s = {rate:.0} customers/s (target >= {target:.0}/s) {}",
        if rate >= target { "ok" } else { "MISSED" }
    );
    println!(
        "export: {export_secs:.1} s = {per_million:.1} s per million (target <= 30 s) {}",
        if per_million <= 30.0 { "ok" } else { "MISSED" }
    );
    let _ = std::fs::remove_dir_all(&dir);
    console
}
