//! `gatehouse seed`: realistic synthetic customers, fast, for trying the
//! console and measuring it at millions of rows.

use crate::config::Config;
use crate::password::{Hasher, Password};
use crate::store::BulkCustomer;
use indicatif::{ProgressBar, ProgressStyle};
use std::time::Instant;
use uuid::{Timestamp, Uuid};

/// Every seeded customer can sign in with this password.
pub const SEED_PASSWORD: &str = "seeded-customer-passphrase";

const BATCH: usize = 20_000;

const FIRST: &[&str] = &[
    "Ada",
    "Alan",
    "Amara",
    "Ana",
    "Arjun",
    "Astrid",
    "Aylin",
    "Bea",
    "Ben",
    "Carlos",
    "Chen",
    "Chloé",
    "Dario",
    "Dmitri",
    "Elif",
    "Emma",
    "Fatima",
    "Finn",
    "Grace",
    "Hana",
    "Hugo",
    "Ines",
    "Ivan",
    "Jana",
    "Jonas",
    "Kai",
    "Kenji",
    "Lara",
    "Leila",
    "Liam",
    "Lucía",
    "Maya",
    "Mei",
    "Mohammed",
    "Nadia",
    "Noah",
    "Olga",
    "Omar",
    "Priya",
    "Rafael",
    "Rosa",
    "Sami",
    "Sofia",
    "Tariq",
    "Theo",
    "Umar",
    "Valentina",
    "Wei",
    "Yara",
    "Zoë",
];
const LAST: &[&str] = &[
    "Abebe",
    "Andersson",
    "Bauer",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fernández",
    "García",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kim",
    "Kowalski",
    "Lefebvre",
    "Lopez",
    "Müller",
    "Nakamura",
    "Nguyen",
    "Novak",
    "O'Brien",
    "Okafor",
    "Patel",
    "Popescu",
    "Quinn",
    "Rossi",
    "Santos",
    "Schmidt",
    "Silva",
    "Singh",
    "Smith",
    "Tanaka",
    "Tremblay",
    "Van Dijk",
    "Wang",
    "Williams",
    "Yilmaz",
    "Zhang",
];
const DOMAINS: &[&str] = &[
    "example.com",
    "example.org",
    "example.net",
    "mail.example",
    "post.example",
];

/// A small, fast, reproducible generator (SplitMix64): seeding needs variety, not secrecy.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

pub async fn run(config: Config, count: usize, quiet: bool) -> anyhow::Result<()> {
    let store = super::open_store(&config).await?;
    let hash = Hasher::new(1, 1)
        .hash(Password::new(SEED_PASSWORD.into()))
        .await?;
    let now = crate::domain::Clock::system().now();
    // A random run tag keeps emails unique across seed runs into one database.
    let random = Uuid::new_v4().as_u128();
    let run_tag = format!("{:08x}", random as u32);
    let mut rng = Rng((random >> 64) as u64);
    let bar = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(count as u64)
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} customers, {per_sec}, eta {eta}")
            .expect("valid template"),
    );
    let started = Instant::now();
    let three_years = 3 * 365 * 24 * 3600;
    let mut done = 0;
    while done < count {
        let n = BATCH.min(count - done);
        let rows: Vec<BulkCustomer> = (done..done + n)
            .map(|i| {
                let first = rng.pick(FIRST);
                let last = rng.pick(LAST);
                let created_at = now - rng.below(three_years) as i64;
                let verified = rng.below(10) < 8;
                let signed_in = verified && rng.below(10) < 7;
                let local: String = format!("{first}.{last}")
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
                    .collect::<String>()
                    .to_ascii_lowercase();
                BulkCustomer {
                    id: Uuid::new_v7(Timestamp::from_unix(
                        uuid::NoContext,
                        created_at as u64,
                        (i % 1_000_000_000) as u32,
                    )),
                    email: format!("{local}.{run_tag}{i}@{}", rng.pick(DOMAINS)),
                    display_name: format!("{first} {last}"),
                    password_hash: hash.as_str().to_string(),
                    email_verified_at: verified.then_some(created_at + 600),
                    created_at,
                    last_sign_in_at: signed_in
                        .then(|| created_at + rng.below((now - created_at).max(1) as u64) as i64),
                }
            })
            .collect();
        store
            .bulk_insert_customers(&rows, &config.terms_version)
            .await?;
        done += n;
        bar.set_position(done as u64);
    }
    bar.finish();
    store.analyze().await?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "Seeded {count} customers into the {} database in {secs:.1} s ({:.0}/s). Their password: {SEED_PASSWORD}",
        store.backend_name(),
        count as f64 / secs.max(0.001)
    );
    store.close().await;
    Ok(())
}
