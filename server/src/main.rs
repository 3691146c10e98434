use clap::Parser;
use gatehouse::cli::Cli;
use std::process::ExitCode;

/// mimalloc instead of the system allocator: import and export allocate a
/// few small strings per customer, and glibc's malloc took a third of the
/// time reading an import file. Built without transparent huge pages
/// (`no_thp`): with them, an idle server held 11 MiB more of 2 MiB pages it
/// had barely touched, and sign-ins were no faster (each hashing thread
/// keeps its work memory, so it is not faulted in per check).
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
    let result = runtime.block_on(gatehouse::cli::run(cli.command, config));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gatehouse: {e:#}");
            ExitCode::FAILURE
        }
    }
}
