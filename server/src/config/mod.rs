//! Configuration: every setting as a flag and an environment variable.
//!
//! Every setting is a flag and a `GATEHOUSE_*` variable; `gatehouse --help`
//! lists them. Values are checked once at start-up so a bad setting stops the
//! process with a message naming it, instead of failing later under load.

mod abuse;
mod places;

use crate::domain::oidc::SigningAlg;
use crate::password::{CommonPasswords, Policy};
pub use abuse::{Abuse, AbuseSettings, Throttling};
use clap::{Args, ValueEnum};
pub use places::Places;
use std::net::SocketAddr;
use url::Url;

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Args, Debug, Clone)]
pub struct Settings {
    /// Address and port to listen on.
    #[arg(
        long,
        env = "GATEHOUSE_BIND",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    pub bind: String,

    /// Serve Prometheus' /metrics on this address:port only (e.g. an
    /// internal interface), instead of beside the pages.
    #[arg(long, env = "GATEHOUSE_METRICS_BIND", global = true)]
    pub metrics_bind: Option<String>,

    /// Database: sqlite://PATH (created if missing) or postgres://USER@HOST/DB.
    #[arg(
        long,
        env = "GATEHOUSE_DATABASE_URL",
        default_value = "sqlite://gatehouse.db",
        global = true
    )]
    pub database_url: String,

    /// A PostgreSQL streaming replica (hot standby) of the database: console
    /// search and exports read from it; everything that must see its own
    /// writes stays on the primary.
    #[arg(long, env = "GATEHOUSE_DATABASE_REPLICA_URL", global = true)]
    pub database_replica_url: Option<String>,

    /// Public base URL customers reach Gatehouse at; used in emailed links.
    /// Cookies are marked Secure when it is https.
    #[arg(long, env = "GATEHOUSE_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// SMTP server for outgoing mail: smtps://user:pass@host:465 (TLS),
    /// smtp://user:pass@host:587?tls=required (STARTTLS), or plain smtp://host:25
    /// for a local relay. Without it, mail goes to the development outbox and the console.
    #[arg(
        long,
        env = "GATEHOUSE_SMTP_URL",
        global = true,
        hide_env_values = true
    )]
    pub smtp_url: Option<String>,

    /// Sender address of outgoing mail.
    #[arg(
        long,
        env = "GATEHOUSE_MAIL_FROM",
        default_value = "Gatehouse <no-reply@localhost>",
        global = true
    )]
    pub mail_from: String,

    /// Sign a customer out after this many minutes without a request.
    #[arg(long, env = "GATEHOUSE_SESSION_IDLE_MINUTES", default_value_t = 60 * 24, global = true)]
    pub session_idle_minutes: u32,

    /// Sign a customer out this many hours after sign-in, active or not.
    #[arg(long, env = "GATEHOUSE_SESSION_ABSOLUTE_HOURS", default_value_t = 24 * 30, global = true)]
    pub session_absolute_hours: u32,

    /// A shared screen (a kiosk, a TV) signed in from a phone signs itself
    /// out after this many minutes.
    #[arg(
        long,
        env = "GATEHOUSE_SHARED_SCREEN_MINUTES",
        default_value_t = 15,
        global = true
    )]
    pub shared_screen_minutes: u32,

    /// Sign an admin out of the console after this many minutes without a request.
    #[arg(
        long,
        env = "GATEHOUSE_ADMIN_SESSION_IDLE_MINUTES",
        default_value_t = 30,
        global = true
    )]
    pub admin_session_idle_minutes: u32,

    /// Sign an admin out this many hours after sign-in, active or not.
    #[arg(
        long,
        env = "GATEHOUSE_ADMIN_SESSION_ABSOLUTE_HOURS",
        default_value_t = 12,
        global = true
    )]
    pub admin_session_absolute_hours: u32,

    /// Minimum password length.
    #[arg(
        long,
        env = "GATEHOUSE_PASSWORD_MIN_LENGTH",
        default_value_t = 8,
        global = true
    )]
    pub password_min_length: usize,

    /// A file of passwords to refuse (one per line) besides the built-in
    /// list of the most common ones: an organisation's own name, products, ...
    #[arg(long, env = "GATEHOUSE_COMMON_PASSWORDS_FILE", global = true)]
    pub common_passwords_file: Option<std::path::PathBuf>,

    /// A places database in the GeoLite2 format (City or Country, .mmdb):
    /// device lists show about where each sign-in came from. Looked up in
    /// memory, never over the network.
    #[arg(long, env = "GATEHOUSE_GEOIP_DB", global = true)]
    pub geoip_db: Option<std::path::PathBuf>,

    /// Threads that hash passwords; sign-ins beyond this queue. Defaults to the number of cores.
    #[arg(long, env = "GATEHOUSE_HASH_THREADS", global = true)]
    pub hash_threads: Option<usize>,

    /// Version of the terms of service customers accept at sign-up.
    #[arg(
        long,
        env = "GATEHOUSE_TERMS_VERSION",
        default_value = "1",
        global = true
    )]
    pub terms_version: String,

    /// Log format: readable text or one JSON object per line.
    #[arg(
        long,
        env = "GATEHOUSE_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormat,

    /// Key that seals the token signing keys in the database: 32 bytes in
    /// base64 (`openssl rand -base64 32`), the same on every instance.
    /// Required with PostgreSQL; on SQLite without it, a key file is
    /// created beside the database (back it up with the database).
    #[arg(
        long,
        env = "GATEHOUSE_KEY_ENCRYPTION_KEY",
        global = true,
        hide_env_values = true
    )]
    pub key_encryption_key: Option<String>,

    /// Signature algorithm of access tokens: ES256 (fast), RS256 or EdDSA.
    #[arg(
        long,
        env = "GATEHOUSE_ACCESS_TOKEN_ALG",
        default_value = "ES256",
        global = true
    )]
    pub access_token_alg: String,

    #[command(flatten)]
    pub abuse: AbuseSettings,
}

/// Where the key that seals the token signing keys comes from.
#[derive(Clone, Debug)]
pub enum KeySource {
    /// `GATEHOUSE_KEY_ENCRYPTION_KEY`: 32 bytes, the same on every instance.
    Configured([u8; 32]),
    /// SQLite without configuration: a file beside the database, created
    /// with 256 random bits on first start.
    File(std::path::PathBuf),
    /// PostgreSQL without configuration: single sign-on cannot sign tokens
    /// (everything else works); `serve` warns at start.
    Unset,
}

/// A key encryption key as written in configuration or its file: 32 bytes
/// in base64.
pub fn parse_key(text: &str) -> Result<[u8; 32], String> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| "is not base64 (make one with: openssl rand -base64 32)".to_string())?;
    bytes
        .try_into()
        .map_err(|_| "must be 32 bytes (make one with: openssl rand -base64 32)".to_string())
}

/// Settings after validation, in the types the server uses.
#[derive(Clone, Debug)]
pub struct Config {
    pub bind: SocketAddr,
    /// Where `/metrics` is served instead of beside the pages, if anywhere.
    pub metrics_bind: Option<SocketAddr>,
    pub database_url: String,
    pub database_replica_url: Option<String>,
    pub public_url: Url,
    pub smtp_url: Option<Url>,
    pub mail_from: lettre::message::Mailbox,
    pub session_idle: time::Duration,
    pub session_absolute: time::Duration,
    pub shared_screen: time::Duration,
    pub admin_session_idle: time::Duration,
    pub admin_session_absolute: time::Duration,
    pub password_policy: Policy,
    pub hash_threads: usize,
    pub terms_version: String,
    pub key_source: KeySource,
    pub access_token_alg: SigningAlg,
    pub abuse: Abuse,
    pub places: std::sync::Arc<Places>,
}

#[derive(Debug, thiserror::Error)]
#[error("invalid setting {setting}: {reason}")]
pub struct ConfigError {
    pub setting: &'static str,
    pub reason: String,
}

pub(crate) fn invalid(setting: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError {
        setting,
        reason: reason.into(),
    }
}

impl Settings {
    /// Checks every setting in turn, each with the message that names it:
    /// a list, so one function.
    pub fn validate(&self) -> Result<Config, ConfigError> {
        let metrics_bind: Option<SocketAddr> = match self.metrics_bind.as_deref() {
            None | Some("") => None,
            Some(raw) => Some(raw.parse().map_err(|_| {
                invalid(
                    "GATEHOUSE_METRICS_BIND",
                    format!("'{raw}' is not an address:port such as 127.0.0.1:9100"),
                )
            })?),
        };
        let bind: SocketAddr = self.bind.parse().map_err(|_| {
            invalid(
                "GATEHOUSE_BIND",
                format!(
                    "'{}' is not an address:port such as 127.0.0.1:3000",
                    self.bind
                ),
            )
        })?;

        if !(self.database_url.starts_with("sqlite:")
            || self.database_url.starts_with("postgres://")
            || self.database_url.starts_with("postgresql://"))
        {
            return Err(invalid(
                "GATEHOUSE_DATABASE_URL",
                "must start with sqlite: or postgres://",
            ));
        }

        let is_postgres =
            |url: &str| url.starts_with("postgres://") || url.starts_with("postgresql://");
        let database_replica_url = match self.database_replica_url.as_deref() {
            None | Some("") => None,
            Some(url) if is_postgres(&self.database_url) && is_postgres(url) => {
                Some(url.to_string())
            }
            Some(_) => {
                return Err(invalid(
                    "GATEHOUSE_DATABASE_REPLICA_URL",
                    "must be a postgres:// replica of a PostgreSQL GATEHOUSE_DATABASE_URL",
                ));
            }
        };

        let public_url = match &self.public_url {
            Some(raw) => {
                Url::parse(raw).map_err(|e| invalid("GATEHOUSE_PUBLIC_URL", e.to_string()))?
            }
            // On loopback, `localhost`: browsers allow passkeys for a
            // domain name, never for an IP address.
            None if bind.ip().is_loopback() => {
                Url::parse(&format!("http://localhost:{}", bind.port()))
                    .expect("localhost and a port form a URL")
            }
            None => Url::parse(&format!("http://{bind}")).expect("socket address forms a URL"),
        };
        if !matches!(public_url.scheme(), "http" | "https") || public_url.host().is_none() {
            return Err(invalid(
                "GATEHOUSE_PUBLIC_URL",
                "must be an http:// or https:// URL with a host",
            ));
        }

        let smtp_url = match &self.smtp_url {
            Some(raw) if !raw.is_empty() => {
                let url =
                    Url::parse(raw).map_err(|e| invalid("GATEHOUSE_SMTP_URL", e.to_string()))?;
                if !matches!(url.scheme(), "smtp" | "smtps") || url.host().is_none() {
                    return Err(invalid(
                        "GATEHOUSE_SMTP_URL",
                        "must be smtp://host[:port] or smtps://host[:port]",
                    ));
                }
                Some(url)
            }
            _ => None,
        };

        let mail_from = self
            .mail_from
            .parse()
            .map_err(|e: lettre::address::AddressError| {
                invalid("GATEHOUSE_MAIL_FROM", e.to_string())
            })?;

        if self.session_idle_minutes == 0 {
            return Err(invalid(
                "GATEHOUSE_SESSION_IDLE_MINUTES",
                "must be at least 1",
            ));
        }
        if self.session_absolute_hours == 0 {
            return Err(invalid(
                "GATEHOUSE_SESSION_ABSOLUTE_HOURS",
                "must be at least 1",
            ));
        }
        if !(1..=720).contains(&self.shared_screen_minutes) {
            return Err(invalid(
                "GATEHOUSE_SHARED_SCREEN_MINUTES",
                "must be between 1 and 720 (12 hours)",
            ));
        }
        if self.admin_session_idle_minutes == 0 {
            return Err(invalid(
                "GATEHOUSE_ADMIN_SESSION_IDLE_MINUTES",
                "must be at least 1",
            ));
        }
        if self.admin_session_absolute_hours == 0 {
            return Err(invalid(
                "GATEHOUSE_ADMIN_SESSION_ABSOLUTE_HOURS",
                "must be at least 1",
            ));
        }
        if !(8..=128).contains(&self.password_min_length) {
            return Err(invalid(
                "GATEHOUSE_PASSWORD_MIN_LENGTH",
                "must be between 8 and 128",
            ));
        }
        let common = CommonPasswords::load(self.common_passwords_file.as_deref()).map_err(|e| {
            invalid(
                "GATEHOUSE_COMMON_PASSWORDS_FILE",
                format!("cannot be read: {e}"),
            )
        })?;
        let places = match &self.geoip_db {
            Some(path) if !path.as_os_str().is_empty() => Places::open(path)
                .map_err(|e| invalid("GATEHOUSE_GEOIP_DB", format!("cannot be read: {e}")))?,
            _ => Places::default(),
        };
        let hash_threads = match self.hash_threads {
            Some(0) => return Err(invalid("GATEHOUSE_HASH_THREADS", "must be at least 1")),
            Some(n) => n,
            None => std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
        };
        if self.terms_version.trim().is_empty() || self.terms_version.len() > 64 {
            return Err(invalid(
                "GATEHOUSE_TERMS_VERSION",
                "must be 1 to 64 characters",
            ));
        }

        let key_source = match &self.key_encryption_key {
            Some(raw) if !raw.is_empty() => KeySource::Configured(
                parse_key(raw.trim()).map_err(|e| invalid("GATEHOUSE_KEY_ENCRYPTION_KEY", e))?,
            ),
            _ => match sqlite_path(&self.database_url) {
                Some(db) => KeySource::File(db.with_extension("key")),
                None => KeySource::Unset,
            },
        };
        let access_token_alg = SigningAlg::parse(&self.access_token_alg).ok_or_else(|| {
            invalid(
                "GATEHOUSE_ACCESS_TOKEN_ALG",
                "must be ES256, RS256 or EdDSA",
            )
        })?;

        Ok(Config {
            key_source,
            access_token_alg,
            bind,
            metrics_bind,
            database_url: self.database_url.clone(),
            database_replica_url,
            public_url,
            smtp_url,
            mail_from,
            session_idle: time::Duration::minutes(self.session_idle_minutes.into()),
            session_absolute: time::Duration::hours(self.session_absolute_hours.into()),
            shared_screen: time::Duration::minutes(self.shared_screen_minutes.into()),
            admin_session_idle: time::Duration::minutes(self.admin_session_idle_minutes.into()),
            admin_session_absolute: time::Duration::hours(self.admin_session_absolute_hours.into()),
            password_policy: Policy::new(self.password_min_length, common),
            hash_threads,
            terms_version: self.terms_version.trim().to_string(),
            abuse: self.abuse.validate()?,
            places: std::sync::Arc::new(places),
        })
    }
}

/// The file of a SQLite database URL (`sqlite://gatehouse.db`,
/// `sqlite:data/g.db?mode=rwc`); `None` for PostgreSQL or in-memory SQLite.
fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.contains(":memory:")).then(|| path.into())
}

impl Config {
    /// An absolute URL under the public base, e.g. `link("/reset-password")`.
    pub fn link(&self, path_and_query: &str) -> String {
        let base = self.public_url.as_str().trim_end_matches('/');
        format!("{base}{path_and_query}")
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.scheme() == "https"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    /// The settings alone, as the command line's grammar embeds them.
    #[derive(Parser)]
    struct Flags {
        #[command(flatten)]
        settings: Settings,
    }

    fn settings(args: &[&str]) -> Settings {
        let mut argv = vec!["gatehouse"];
        argv.extend_from_slice(args);
        Flags::try_parse_from(argv).expect("parses").settings
    }

    #[test]
    fn defaults_are_valid() {
        let config = settings(&[]).validate().expect("valid");
        assert_eq!(config.bind.to_string(), "127.0.0.1:3000");
        assert_eq!(config.link("/login"), "http://localhost:3000/login");
        assert!(!config.secure_cookies());
        assert!(config.smtp_url.is_none());
    }

    #[test]
    fn bad_values_name_the_setting() {
        let cases: &[(&[&str], &str)] = &[
            (&["--bind", "nonsense"], "GATEHOUSE_BIND"),
            (&["--database-url", "mysql://x"], "GATEHOUSE_DATABASE_URL"),
            (&["--public-url", "ftp://x"], "GATEHOUSE_PUBLIC_URL"),
            (&["--smtp-url", "http://mail"], "GATEHOUSE_SMTP_URL"),
            (&["--mail-from", "not an address"], "GATEHOUSE_MAIL_FROM"),
            (
                &["--password-min-length", "4"],
                "GATEHOUSE_PASSWORD_MIN_LENGTH",
            ),
            (
                &["--session-idle-minutes", "0"],
                "GATEHOUSE_SESSION_IDLE_MINUTES",
            ),
            (
                &["--geoip-db", "/no/such/places.mmdb"],
                "GATEHOUSE_GEOIP_DB",
            ),
            (
                &["--shared-screen-minutes", "0"],
                "GATEHOUSE_SHARED_SCREEN_MINUTES",
            ),
            (
                &["--shared-screen-minutes", "721"],
                "GATEHOUSE_SHARED_SCREEN_MINUTES",
            ),
        ];
        for (args, setting) in cases {
            let err = settings(args).validate().expect_err("invalid");
            assert_eq!(err.setting, *setting, "{args:?}");
            assert!(err.to_string().contains(setting));
        }
    }

    #[test]
    fn https_public_url_makes_cookies_secure() {
        let config = settings(&["--public-url", "https://id.example.com/"])
            .validate()
            .unwrap();
        assert!(config.secure_cookies());
        assert_eq!(
            config.link("/verify-email?token=x"),
            "https://id.example.com/verify-email?token=x"
        );
    }
}
