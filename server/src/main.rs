use clap::Parser;
use gatehouse::config::{AdminCommand, Cli, Command};
use std::process::ExitCode;

/// mimalloc instead of the system allocator: import and export allocate a
/// few small strings per customer, and glibc's malloc took a third of the
/// time reading an import file.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match cli.settings.validate() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("gatehouse: {e}");
            return ExitCode::from(2);
        }
    };
    gatehouse::telemetry::init(cli.settings.log_format);
    let runtime = tokio::runtime::Runtime::new().expect("start the async runtime");
    let result = runtime.block_on(async move {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => gatehouse::serve(config).await,
            Command::Migrate => {
                let store = gatehouse::store::Store::connect(&config.database_url).await?;
                store.migrate().await?;
                println!(
                    "Migrations applied to the {} database.",
                    store.backend_name()
                );
                Ok(())
            }
            Command::Admin(AdminCommand::Create { email, role }) => {
                gatehouse::admins::create_from_cli(config, &email, &role).await
            }
            Command::Seed { customers, quiet } => {
                gatehouse::seed::run(config, customers, quiet).await
            }
            Command::Export {
                format,
                with_password_hashes,
                output,
            } => gatehouse::export::run(config, &format, with_password_hashes, output).await,
            Command::Import {
                file,
                format,
                dry_run,
                quiet,
            } => gatehouse::import::run(config, &file, format.as_deref(), dry_run, quiet).await,
            Command::Bench(args) => gatehouse::bench::run(args, config).await,
            Command::BenchConsole(args) => gatehouse::bench_console::run(args, config).await,
            Command::BenchData(args) => gatehouse::bench_data::run(args, config).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gatehouse: {e:#}");
            ExitCode::FAILURE
        }
    }
}
