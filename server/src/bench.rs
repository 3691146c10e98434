//! `gatehouse bench`: sign-in throughput and latency.

use clap::Args;

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Customers to seed.
    #[arg(long, default_value_t = 1000)]
    pub customers: usize,
}

pub async fn run(_args: BenchArgs, _config: crate::config::Config) -> anyhow::Result<()> {
    anyhow::bail!("not yet")
}
