//! Holding back password guessing, shared by every instance through the
//! database, in the way of Auth0's brute-force and suspicious-IP protection:
//!
//! - an account from one source address: a growing delay after a few
//!   failures, then a block (the owner is mailed a link that lifts it);
//!   nobody elsewhere is locked out by it;
//! - a source address, and its network (/24, /64), across accounts: a
//!   ceiling per hour against password spraying;
//! - an account from anywhere: a much higher ceiling per hour against
//!   distributed stuffing, which the address of the account's last sign-in
//!   is exempt from, so the owner keeps signing in from their usual place.
//!
//! Every counter is reserved, in one statement, before any password is
//! hashed: however many requests arrive at once, no more than a limit's
//! worth are evaluated. A success gives the reservations back.

use crate::config::Throttling;
use crate::domain::{Email, Error, Result};
use crate::state::AppState;
use crate::store::{Limit, Reservation};
use std::net::IpAddr;

/// Whose accounts a sign-in form is for: customers and admins are apart
/// (own tables, own cookies, own failure counters).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Realm {
    Customers,
    Admins,
}

/// The counters' name for the account an email names in a realm (whether
/// or not it exists, so a block reveals nothing).
pub fn account_key(realm: Realm, email: &Email) -> String {
    match realm {
        Realm::Customers => format!("customer:{}", email.as_str()),
        Realm::Admins => format!("admin:{}", email.as_str()),
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Counter {
    /// The account from this source: delays, then a block.
    AccountFromSource,
    Address,
    Network,
    /// The account from anywhere.
    Account,
}

impl Counter {
    /// Its name in metrics.
    fn name(self) -> &'static str {
        match self {
            Self::AccountFromSource => "account_from_address",
            Self::Address => "address",
            Self::Network => "network",
            Self::Account => "account",
        }
    }
}

/// Reserved attempts, to be settled by `failed` or `succeeded`.
#[must_use = "a reservation is settled by failed() or succeeded()"]
pub struct Attempt {
    held: Vec<(Counter, String, Reservation)>,
}

/// Why a reserved attempt was refused (for the audit record and the page).
pub struct Refused {
    pub retry_after: i64,
}

/// Reserves one password attempt on `account` from `source`. `usual_source`:
/// the account last signed in from there.
pub async fn reserve(
    state: &AppState,
    account: &str,
    source: Option<&str>,
    usual_source: bool,
) -> Result<std::result::Result<Attempt, Refused>> {
    let limits = &state.config.abuse.throttling;
    let source = source.unwrap_or("unknown");
    let mut counters = vec![
        (
            Counter::AccountFromSource,
            format!("{account}|{source}"),
            limits.per_account_source(),
        ),
        (
            Counter::Address,
            format!("ip:{source}"),
            limits.per_address(),
        ),
    ];
    if let Some(net) = network(source) {
        counters.push((Counter::Network, format!("net:{net}"), limits.per_network()));
    }
    if !usual_source {
        counters.push((Counter::Account, account.to_string(), limits.per_account()));
    }
    let mut attempt = Attempt { held: Vec::new() };
    let now = state.clock.now();
    // One read of every counter first: a plainly closed one refuses with no
    // write. Whatever it says, each grant is decided by its own statement.
    let read: Vec<(&str, Limit)> = counters.iter().map(|(_, k, l)| (k.as_str(), *l)).collect();
    if let Some((n, refused)) = state.store.first_closed(&read, now).await? {
        state.metrics.throttled(counters[n].0.name());
        return Ok(Err(Refused {
            retry_after: (refused.retry_at - now).max(1),
        }));
    }
    for (counter, key, limit) in counters {
        let owner =
            matches!(counter, Counter::AccountFromSource | Counter::Account).then_some(account);
        let reservation = state
            .store
            .reserve_unchecked(&key, owner, limit, now)
            .await?;
        if !reservation.granted {
            state.metrics.throttled(counter.name());
            attempt.give_back(state).await?;
            return Ok(Err(Refused {
                retry_after: (reservation.retry_at - now).max(1),
            }));
        }
        attempt.held.push((counter, key, reservation));
    }
    Ok(Ok(attempt))
}

/// What a failed attempt led to.
pub enum AfterFailure {
    /// Counted; nothing more.
    Counted,
    /// This failure blocked the account from its source: tell the owner.
    Blocked,
}

impl Attempt {
    /// The password was wrong: the reservations stay counted, and the
    /// account from this source waits longer before the next try.
    pub async fn failed(self, state: &AppState) -> Result<AfterFailure> {
        let limits = &state.config.abuse.throttling;
        let now = state.clock.now();
        for (counter, key, reservation) in &self.held {
            if *counter != Counter::AccountFromSource {
                continue;
            }
            let not_before = now + limits.delay_after(reservation.attempts);
            let blocked = state
                .store
                .attempt_failed(
                    key,
                    limits.source_failures,
                    not_before,
                    now + limits.lockout_seconds,
                )
                .await?;
            if blocked {
                tracing::warn!(
                    "sign-in to an account blocked from one address after repeated failures"
                );
                return Ok(AfterFailure::Blocked);
            }
        }
        Ok(AfterFailure::Counted)
    }

    /// The password was right: the account's failures from this source are
    /// forgotten, and the other counters get this attempt back.
    pub async fn succeeded(self, state: &AppState) -> Result<()> {
        let forget = self
            .held
            .iter()
            .find(|(counter, _, _)| *counter == Counter::AccountFromSource)
            .map(|(_, key, _)| key.as_str());
        Ok(state.store.release_attempts(&self.keys(), forget).await?)
    }

    /// Gives every reservation back: the attempt was never evaluated.
    pub async fn give_back(&self, state: &AppState) -> Result<()> {
        Ok(state.store.release_attempts(&self.keys(), None).await?)
    }

    fn keys(&self) -> Vec<&str> {
        self.held.iter().map(|(_, key, _)| key.as_str()).collect()
    }
}

/// Lifts every block and clears every failure of an account (the owner's
/// unblock link, an admin, a password reset).
pub async fn unblock(state: &AppState, account: &str) -> Result<u64> {
    Ok(state.store.unblock_account(account).await?)
}

/// How many source addresses are held back from the account now.
pub async fn blocked_sources(state: &AppState, account: &str) -> Result<i64> {
    Ok(state
        .store
        .blocked_sources(account, state.clock.now())
        .await?)
}

/// The refusal as the error endpoints answer (429 with `Retry-After`).
impl From<Refused> for Error {
    fn from(refused: Refused) -> Self {
        Error::Throttled {
            retry_after: refused.retry_after,
        }
    }
}

/// The network an address belongs to, for the network ceiling: the /24 of
/// an IPv4 address, the /64 of an IPv6 one (what one subscriber holds).
fn network(source: &str) -> Option<String> {
    match source.parse::<IpAddr>().ok()?.to_canonical() {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            Some(format!("{a}.{b}.{c}.0/24"))
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            Some(format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3]))
        }
    }
}

impl Throttling {
    fn per_account_source(&self) -> Limit {
        Limit {
            max: self.source_failures,
            window: self.lockout_seconds,
        }
    }

    fn per_address(&self) -> Limit {
        Limit {
            max: self.address_failures_per_hour,
            window: 3600,
        }
    }

    fn per_network(&self) -> Limit {
        Limit {
            max: self.network_failures_per_hour,
            window: 3600,
        }
    }

    fn per_account(&self) -> Limit {
        Limit {
            max: self.account_failures_per_hour,
            window: 3600,
        }
    }

    /// Seconds to wait after the `attempt`th failure from one source: none
    /// for the first few (typing mistakes), then doubling up to a minute.
    fn delay_after(&self, attempt: i64) -> i64 {
        const FREE: i64 = 3;
        if attempt <= FREE {
            0
        } else {
            1i64 << (attempt - FREE - 1).min(6)
        }
        .min(60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_are_the_subscriber_prefix() {
        assert_eq!(network("192.0.2.77").as_deref(), Some("192.0.2.0/24"));
        assert_eq!(
            network("::ffff:192.0.2.77").as_deref(),
            Some("192.0.2.0/24")
        );
        assert_eq!(
            network("2001:db8:1:2:3:4:5:6").as_deref(),
            Some("2001:db8:1:2::/64")
        );
        assert_eq!(network("unknown"), None);
    }

    #[test]
    fn delays_grow_after_a_few_failures_and_stay_under_a_minute() {
        let t = Throttling::default();
        let delays: Vec<i64> = (1..=12).map(|n| t.delay_after(n)).collect();
        assert_eq!(delays, [0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }
}
