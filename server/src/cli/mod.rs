//! The command line: its grammar (clap) and one file per command. Every
//! command opens the store through [`open_store`], so configuration and
//! migrations are read the same way whatever runs.

pub mod admin;
pub mod bench;
pub mod bench_abuse;
pub mod bench_cluster;
pub mod bench_console;
pub mod bench_data;
pub mod bench_oidc;
pub mod bench_spike;
pub mod clients;
pub mod seed;
pub mod serve;

use crate::config::Config;
use crate::store::Store;
use anyhow::Context;
use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "gatehouse",
    version,
    about = "Customer identity and access management server"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub settings: crate::config::Settings,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run migrations, then serve HTTP (the default).
    Serve,
    /// Run database migrations and exit.
    Migrate,
    /// Fill the database with realistic synthetic customers.
    Seed {
        /// How many customers to create.
        #[arg(long)]
        customers: usize,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
    },
    /// Write every customer (with tier) as JSON Lines or CSV, in constant memory.
    Export {
        /// jsonl or csv.
        #[arg(long, default_value = "jsonl")]
        format: String,
        /// Include password hashes (PHC strings), to move customers to
        /// another Gatehouse; keep such a file as secret as the database.
        #[arg(long)]
        with_password_hashes: bool,
        /// Write here instead of standard output: a new file only its owner
        /// can read (mode 0600).
        #[arg(long)]
        output: Option<std::path::PathBuf>,
        /// Replace the --output file if it exists (a symbolic link there is
        /// replaced, never followed).
        #[arg(long, requires = "output")]
        force: bool,
    },
    /// Create or update customers from JSON Lines or CSV (the columns export
    /// writes), matched by external_id or email; checks the whole file first.
    Import {
        /// The file to read.
        file: std::path::PathBuf,
        /// jsonl or csv; by default, from the file's extension.
        #[arg(long)]
        format: Option<String>,
        /// Check every line and report what would change, writing nothing.
        #[arg(long)]
        dry_run: bool,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
    },
    /// Manage applications that sign customers in (OpenID Connect clients).
    #[command(subcommand)]
    Clients(clients::ClientsCommand),
    /// Manage token signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Manage console admins.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Measure sign-in throughput and latency against a freshly started server.
    Bench(bench::BenchArgs),
    /// Time console searches (exact, prefix, substring, filtered, deep pages)
    /// against the configured database, which should be seeded first.
    BenchConsole(bench_console::ConsoleBenchArgs),
    /// Time importing N customers with bcrypt hashes into an empty database
    /// and exporting them again.
    BenchData(bench_data::DataBenchArgs),
    /// Flood the sign-in form with wrong passwords from many loopback
    /// addresses and measure what stays fast.
    BenchAbuse(bench_abuse::AbuseBenchArgs),
    /// Measure the OpenID Connect endpoints (client credentials, refresh,
    /// userinfo, the whole code flow) beside the raw signing and hashing rates.
    BenchOidc(bench_oidc::OidcBenchArgs),
    /// Probe cheap requests (a signed-in page, JWKS, discovery, health)
    /// quietly, then during a burst of sign-ins at several times the hash
    /// rate; print their p50/p99 side by side and the sign-ins served and shed.
    BenchSpike(bench_spike::SpikeBenchArgs),
    /// Start one, two, three instances on one PostgreSQL and measure
    /// sign-ins and token grants spread over them, with the scaling factor.
    BenchCluster(bench_cluster::ClusterBenchArgs),
}

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Add new signing keys that sign from now on; the old ones stay in
    /// JWKS until every token they signed has expired.
    Rotate,
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Create an admin. A password piped on standard input is used as is;
    /// otherwise a one-time setup link is printed for the admin to open.
    Create {
        /// The admin's email address.
        #[arg(long)]
        email: String,
        /// owner, support or auditor.
        #[arg(long, default_value = "owner")]
        role: String,
    },
}

/// Runs one command to its end.
pub async fn run(command: Option<Command>, config: Config) -> anyhow::Result<()> {
    match command.unwrap_or(Command::Serve) {
        Command::Serve => serve::run(config).await,
        Command::Migrate => {
            let store = open_store(&config).await?;
            println!(
                "Migrations applied to the {} database.",
                store.backend_name()
            );
            store.close().await;
            Ok(())
        }
        Command::Admin(AdminCommand::Create { email, role }) => {
            admin::create(config, &email, &role).await
        }
        Command::Clients(command) => clients::run(command, config).await,
        Command::Keys(KeysCommand::Rotate) => clients::rotate_keys(config).await,
        Command::Seed { customers, quiet } => seed::run(config, customers, quiet).await,
        Command::Export {
            format,
            with_password_hashes,
            output,
            force,
        } => {
            let sink = match &output {
                Some(path) => Some(crate::transfer::export::private_file(path, force)?),
                None => None,
            };
            let store = open_store(&config).await?;
            let result = crate::transfer::export::run(
                &store,
                &format,
                with_password_hashes,
                output.zip(sink),
            )
            .await;
            store.close().await;
            result
        }
        Command::Import {
            file,
            format,
            dry_run,
            quiet,
        } => {
            let store = open_store(&config).await?;
            let result = crate::transfer::import::run(
                &store,
                &config,
                &file,
                format.as_deref(),
                dry_run,
                quiet,
            )
            .await;
            store.close().await;
            result
        }
        Command::Bench(args) => bench::run(args, config).await,
        Command::BenchConsole(args) => bench_console::run(args, config).await,
        Command::BenchAbuse(args) => bench_abuse::run(args, config).await,
        Command::BenchData(args) => bench_data::run(args, config).await,
        Command::BenchOidc(args) => bench_oidc::run(args, config).await,
        Command::BenchSpike(args) => bench_spike::run(args, config).await,
        Command::BenchCluster(args) => bench_cluster::run(args, config).await,
    }
}

/// Opens the configured database and brings its schema up to date: the one
/// way every command (and `serve`) starts.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let store = open_store_at(&config.database_url).await?;
    match &config.database_replica_url {
        Some(url) => store
            .with_replica(url)
            .await
            .context("GATEHOUSE_DATABASE_REPLICA_URL: cannot open the replica"),
        None => Ok(store),
    }
}

/// [`open_store`] for a database other than the configured one (benches
/// make their own).
pub async fn open_store_at(url: &str) -> anyhow::Result<Store> {
    let store = Store::connect(url)
        .await
        .context("GATEHOUSE_DATABASE_URL: cannot open the database")?;
    store
        .migrate()
        .await
        .context("running database migrations")?;
    Ok(store)
}
