//! `gatehouse bench-abuse`: does the server stay usable during a flood of
//! wrong passwords from many addresses?
//!
//! It seeds customers, starts `gatehouse serve` on a loopback port, signs
//! one customer in from their usual address, then floods the sign-in form
//! with wrong guesses from many loopback addresses (127.0.x.y all reach a
//! loopback server) while probing `/healthz` and the signed-in customer's
//! `/account`. It prints both p99s, how the flood was answered (evaluated,
//! held back by the throttle, shed by the hashing queue), and whether the
//! owner could still sign in meanwhile.

use super::bench::{
    BENCH_PASSWORD, ms, percentile, probe, seed, session_cookie, sign_in_form, start_server,
    tempdir,
};
use crate::config::Config;
use anyhow::Context;
use app::paths;
use clap::Args;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

#[derive(Args, Debug)]
pub struct AbuseBenchArgs {
    /// Customers to seed (the flood guesses at all of them).
    #[arg(long, default_value_t = 500)]
    pub customers: usize,
    /// Seconds of flood.
    #[arg(long, default_value_t = 15)]
    pub seconds: u64,
    /// Loopback addresses the flood comes from.
    #[arg(long, default_value_t = 200)]
    pub addresses: usize,
    /// Concurrent flooding clients.
    #[arg(long, default_value_t = 64)]
    pub clients: usize,
}

/// How the flood's requests were answered.
#[derive(Default, Debug)]
struct Answers {
    /// 401: the password was checked and wrong.
    evaluated: u64,
    /// 429: held back by the throttle before any hashing.
    held_back: u64,
    /// 503: shed by the full hashing queue.
    shed: u64,
    other: u64,
}

/// A benchmark is a script: its steps run in order and print as they go.
pub async fn run(args: AbuseBenchArgs, config: Config) -> anyhow::Result<()> {
    let threads = config.hash_threads;
    let temp = tempdir()?;
    let database = format!("sqlite://{}", temp.join("abuse.db").display());
    let emails = Arc::new(seed(&database, args.customers).await?);
    println!(
        "gatehouse bench-abuse: {} customers, {} flooding clients from {} addresses, {} s",
        emails.len(),
        args.clients,
        args.addresses,
        args.seconds
    );
    let (mut server, base, http) = start_server(&database, threads, &[]).await?;

    // The owner signs in from their usual address before the flood.
    let owner_email = emails[0].clone();
    let owner = client_from(Ipv4Addr::new(127, 0, 0, 1))?;
    let owner_cookie = session_cookie(&owner, &base, &owner_email, BENCH_PASSWORD)
        .await?
        .context("the owner could not sign in before the flood")?;

    let stop = Arc::new(AtomicBool::new(false));
    let health = tokio::spawn(probe(
        http.clone(),
        format!("{base}{}", paths::HEALTH),
        None,
        stop.clone(),
    ));
    let account = tokio::spawn(probe(
        owner.clone(),
        format!("{base}{}", paths::ACCOUNT),
        Some(owner_cookie),
        stop.clone(),
    ));
    let mut flood = Vec::new();
    for n in 0..args.clients {
        let address = loopback(n % args.addresses.max(1));
        let client = client_from(address)?;
        flood.push(tokio::spawn(guess_loop(
            client,
            base.clone(),
            emails.clone(),
            n,
            stop.clone(),
        )));
    }
    // Midway, the owner signs in again from their usual address.
    tokio::time::sleep(Duration::from_secs(args.seconds / 2)).await;
    let owner_again = session_cookie(&owner, &base, &owner_email, BENCH_PASSWORD).await?;
    tokio::time::sleep(Duration::from_secs(args.seconds - args.seconds / 2)).await;
    stop.store(true, Ordering::Relaxed);

    let mut answers = Answers::default();
    for client in flood {
        let a = client.await?;
        answers.evaluated += a.evaluated;
        answers.held_back += a.held_back;
        answers.shed += a.shed;
        answers.other += a.other;
    }
    let mut health = health.await?.0;
    let mut account = account.await?.0;
    let _ = server.kill().await;
    let _ = std::fs::remove_dir_all(&temp);
    health.sort();
    account.sort();

    let total = (answers.evaluated + answers.held_back + answers.shed + answers.other).max(1);
    let share = |n: u64| n as f64 * 100.0 / total as f64;
    println!();
    println!(
        "flood: {total} wrong guesses in {} s ({:.0}/s): {:.1}% evaluated (401), {:.1}% held back unhashed (429), {:.1}% shed (503), {} other",
        args.seconds,
        total as f64 / args.seconds as f64,
        share(answers.evaluated),
        share(answers.held_back),
        share(answers.shed),
        answers.other
    );
    println!(
        "/healthz during the flood ({} probes): p50 {:.2} ms, p99 {:.2} ms (target p99 < 20 ms)",
        health.len(),
        ms(percentile(&health, 50.0)),
        ms(percentile(&health, 99.0))
    );
    println!(
        "signed-in /account during the flood ({} probes): p50 {:.2} ms, p99 {:.2} ms",
        account.len(),
        ms(percentile(&account, 50.0)),
        ms(percentile(&account, 99.0))
    );
    println!(
        "the owner signing in from their usual address during the flood: {}",
        if owner_again.is_some() {
            "signed in"
        } else {
            "REFUSED"
        }
    );
    Ok(())
}

/// The `n`th flooding address: 127.0.1.1, 127.0.1.2, ... (127.0.0.1 is the
/// owner's).
fn loopback(n: usize) -> Ipv4Addr {
    Ipv4Addr::new(127, 0, 1 + (n / 250) as u8, 1 + (n % 250) as u8)
}

fn client_from(address: Ipv4Addr) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .local_address(IpAddr::V4(address))
        .build()?)
}

/// One flooding client: wrong passwords at the seeded customers in turn.
async fn guess_loop(
    http: reqwest::Client,
    base: String,
    emails: Arc<Vec<String>>,
    seed: usize,
    stop: Arc<AtomicBool>,
) -> Answers {
    let mut answers = Answers::default();
    let Ok((cookie, csrf)) = sign_in_form(&http, &base).await else {
        return answers;
    };
    let mut i = seed.wrapping_mul(7919);
    while !stop.load(Ordering::Relaxed) {
        i = i.wrapping_add(1);
        let email = &emails[i % emails.len()];
        let sent = http
            .post(format!("{base}{}", paths::SIGN_IN))
            .header("cookie", &cookie)
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("email", email),
                ("password", "not-the-password"),
            ])
            .send()
            .await;
        match sent.map(|r| r.status().as_u16()) {
            Ok(401) => answers.evaluated += 1,
            Ok(429) => answers.held_back += 1,
            Ok(503) => answers.shed += 1,
            _ => answers.other += 1,
        }
    }
    answers
}
