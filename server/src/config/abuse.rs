//! Settings that hold back abuse: sign-in throttling, where client
//! addresses come from behind a proxy, how much waiting the server accepts
//! before it sheds load, and how much mail one address may receive.

use super::{ConfigError, invalid};
use clap::Args;
use ipnet::IpNet;
use std::net::IpAddr;

#[derive(Args, Debug, Clone)]
pub struct AbuseSettings {
    /// Wrong passwords for one account from one address before that address
    /// is blocked from the account (the owner is mailed a link to lift it).
    #[arg(
        long,
        env = "GATEHOUSE_LOCKOUT_FAILURES",
        default_value_t = 10,
        global = true
    )]
    pub lockout_failures: i64,

    /// Minutes such a block lasts.
    #[arg(
        long,
        env = "GATEHOUSE_LOCKOUT_MINUTES",
        default_value_t = 60,
        global = true
    )]
    pub lockout_minutes: i64,

    /// Wrong passwords per hour from one address, across accounts.
    #[arg(
        long,
        env = "GATEHOUSE_ADDRESS_FAILURES_PER_HOUR",
        default_value_t = 100,
        global = true
    )]
    pub address_failures_per_hour: i64,

    /// Wrong passwords per hour from one network (IPv4 /24, IPv6 /64).
    #[arg(
        long,
        env = "GATEHOUSE_NETWORK_FAILURES_PER_HOUR",
        default_value_t = 400,
        global = true
    )]
    pub network_failures_per_hour: i64,

    /// Wrong passwords per hour for one account from anywhere (distributed
    /// guessing); the address of its last sign-in is exempt.
    #[arg(
        long,
        env = "GATEHOUSE_ACCOUNT_FAILURES_PER_HOUR",
        default_value_t = 100,
        global = true
    )]
    pub account_failures_per_hour: i64,

    /// Proxies (addresses or CIDR networks, comma-separated) whose
    /// X-Forwarded-For is believed: the client is the last address in it
    /// that is not one of them. Without it, the peer address is the client.
    #[arg(
        long,
        env = "GATEHOUSE_TRUSTED_PROXIES",
        value_delimiter = ',',
        global = true
    )]
    pub trusted_proxies: Vec<String>,

    /// Password checks that may wait for a hashing thread; beyond it a
    /// sign-in is answered at once with 503 and Retry-After. Defaults to 32
    /// per hashing thread (about a second of waiting).
    #[arg(long, env = "GATEHOUSE_HASH_QUEUE", global = true)]
    pub hash_queue: Option<usize>,

    /// Seconds a request may take before it is answered with 503.
    #[arg(
        long,
        env = "GATEHOUSE_REQUEST_TIMEOUT_SECONDS",
        default_value_t = 30,
        global = true
    )]
    pub request_timeout_seconds: u64,

    /// Mails one address may be sent per hour; more are dropped (and logged).
    #[arg(
        long,
        env = "GATEHOUSE_MAILS_PER_ADDRESS_PER_HOUR",
        default_value_t = 10,
        global = true
    )]
    pub mails_per_address_per_hour: i64,
}

/// Sign-in throttling limits (see `identity::throttle`).
#[derive(Clone, Debug)]
pub struct Throttling {
    pub source_failures: i64,
    pub lockout_seconds: i64,
    pub address_failures_per_hour: i64,
    pub network_failures_per_hour: i64,
    pub account_failures_per_hour: i64,
}

impl Default for Throttling {
    fn default() -> Self {
        Self {
            source_failures: 10,
            lockout_seconds: 3600,
            address_failures_per_hour: 100,
            network_failures_per_hour: 400,
            account_failures_per_hour: 100,
        }
    }
}

/// The abuse settings, checked.
#[derive(Clone, Debug)]
pub struct Abuse {
    pub throttling: Throttling,
    pub trusted_proxies: Vec<IpNet>,
    /// Password checks that may wait for a hashing thread, if set.
    pub hash_queue: Option<usize>,
    pub request_timeout: std::time::Duration,
    pub mails_per_address_per_hour: i64,
}

impl AbuseSettings {
    pub fn validate(&self) -> Result<Abuse, ConfigError> {
        let positive = [
            ("GATEHOUSE_LOCKOUT_FAILURES", self.lockout_failures),
            ("GATEHOUSE_LOCKOUT_MINUTES", self.lockout_minutes),
            (
                "GATEHOUSE_ADDRESS_FAILURES_PER_HOUR",
                self.address_failures_per_hour,
            ),
            (
                "GATEHOUSE_NETWORK_FAILURES_PER_HOUR",
                self.network_failures_per_hour,
            ),
            (
                "GATEHOUSE_ACCOUNT_FAILURES_PER_HOUR",
                self.account_failures_per_hour,
            ),
            (
                "GATEHOUSE_MAILS_PER_ADDRESS_PER_HOUR",
                self.mails_per_address_per_hour,
            ),
        ];
        for (setting, value) in positive {
            if !(1..=1_000_000).contains(&value) {
                return Err(invalid(setting, "must be between 1 and 1000000"));
            }
        }
        let trusted_proxies = self
            .trusted_proxies
            .iter()
            .filter(|p| !p.trim().is_empty())
            .map(|p| {
                let p = p.trim();
                p.parse::<IpNet>()
                    .or_else(|_| p.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        invalid(
                            "GATEHOUSE_TRUSTED_PROXIES",
                            format!("'{p}' is not an address or a CIDR network"),
                        )
                    })
            })
            .collect::<Result<_, _>>()?;
        if self.hash_queue == Some(0) {
            return Err(invalid("GATEHOUSE_HASH_QUEUE", "must be at least 1"));
        }
        if !(1..=3600).contains(&self.request_timeout_seconds) {
            return Err(invalid(
                "GATEHOUSE_REQUEST_TIMEOUT_SECONDS",
                "must be between 1 and 3600",
            ));
        }
        Ok(Abuse {
            throttling: Throttling {
                source_failures: self.lockout_failures,
                lockout_seconds: self.lockout_minutes * 60,
                address_failures_per_hour: self.address_failures_per_hour,
                network_failures_per_hour: self.network_failures_per_hour,
                account_failures_per_hour: self.account_failures_per_hour,
            },
            trusted_proxies,
            hash_queue: self.hash_queue,
            request_timeout: std::time::Duration::from_secs(self.request_timeout_seconds),
            mails_per_address_per_hour: self.mails_per_address_per_hour,
        })
    }
}

impl Abuse {
    /// The client of a request from `peer` that forwarded `forwarded_for`
    /// (X-Forwarded-For): walking back from the nearest hop, the first
    /// address that is not a trusted proxy.
    pub fn client_address(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        let trusted = |ip: &IpAddr| self.trusted_proxies.iter().any(|n| n.contains(ip));
        if !trusted(&peer) {
            return peer;
        }
        let hops = forwarded_for.unwrap_or_default().split(',').rev();
        let mut client = peer;
        for hop in hops {
            match hop.trim().parse::<IpAddr>() {
                Ok(ip) => {
                    client = ip;
                    if !trusted(&ip) {
                        break;
                    }
                }
                // A hop nobody trusted wrote: stop at the last one known.
                Err(_) => break,
            }
        }
        client
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn abuse(proxies: &[&str]) -> Abuse {
        AbuseSettings {
            trusted_proxies: proxies.iter().map(|p| p.to_string()).collect(),
            ..settings()
        }
        .validate()
        .unwrap()
    }

    #[test]
    fn limits_must_be_positive() {
        let settings = AbuseSettings {
            lockout_failures: 0,
            ..settings()
        };
        let error = settings.validate().unwrap_err();
        assert_eq!(error.setting, "GATEHOUSE_LOCKOUT_FAILURES");
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let none = abuse(&[]);
        assert_eq!(
            none.client_address(ip("10.0.0.5"), Some("203.0.113.9")),
            ip("10.0.0.5")
        );
        let lb = abuse(&["10.0.0.0/8", "192.0.2.1"]);
        // The client may send its own X-Forwarded-For: only the hops the
        // proxies added count.
        assert_eq!(
            lb.client_address(ip("10.0.0.5"), Some("198.51.100.1, 203.0.113.9, 10.1.1.1")),
            ip("203.0.113.9")
        );
        assert_eq!(lb.client_address(ip("10.0.0.5"), None), ip("10.0.0.5"));
        assert_eq!(
            lb.client_address(ip("203.0.113.50"), Some("198.51.100.1")),
            ip("203.0.113.50")
        );
        assert_eq!(
            lb.client_address(ip("10.0.0.5"), Some("garbage, 192.0.2.1")),
            ip("192.0.2.1")
        );
        assert!(
            AbuseSettings {
                trusted_proxies: vec!["not-a-net".into()],
                ..settings()
            }
            .validate()
            .is_err()
        );
    }

    fn settings() -> AbuseSettings {
        AbuseSettings {
            lockout_failures: 10,
            lockout_minutes: 60,
            address_failures_per_hour: 100,
            network_failures_per_hour: 400,
            account_failures_per_hour: 100,
            trusted_proxies: Vec::new(),
            hash_queue: None,
            request_timeout_seconds: 30,
            mails_per_address_per_hour: 10,
        }
    }
}
