//! Password hashing and policy.
//!
//! Hashing is argon2id with at least OWASP's parameters, run on a fixed pool of
//! threads sized to the cores. Requests queue for a hashing thread instead of
//! each taking one, so a burst of sign-ins neither blocks the async runtime nor
//! multiplies argon2's 19 MiB per hash into an out-of-memory kill.

use crate::domain::{PasswordHash, PasswordProblem};
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{
    PasswordHash as Phc, PasswordHasher as _, PasswordVerifier as _, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};

pub const PASSWORD_MAX: usize = 1024;

/// A password as typed. Never printed, never logged.
pub struct Password(String);

impl Password {
    pub fn new(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The parameters every new hash gets: OWASP's argon2id minimum.
pub fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_now(password: &str) -> PasswordHash {
    let salt = SaltString::generate(&mut OsRng);
    let phc = argon2()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 accepts any password up to 4 GiB");
    PasswordHash::from_phc(phc.to_string())
}

pub enum Verification {
    Valid { rehashed: Option<PasswordHash> },
    Invalid,
}

/// The forms of stored hash Gatehouse verifies: its own argon2 PHC strings,
/// and what imports bring from elsewhere, each replaced by argon2id at the
/// customer's next successful sign-in.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum HashKind {
    /// `$argon2id$...` (also argon2i/argon2d).
    Argon2,
    /// `$2a$`, `$2b$`, `$2y$` (OpenBSD bcrypt).
    Bcrypt,
    /// `$pbkdf2-sha256$i=...,l=32$salt$hash` (PHC).
    Pbkdf2Sha256,
    /// `pbkdf2_sha256$iterations$salt$base64` (Django).
    Pbkdf2Sha256Django,
    /// `$scrypt$ln=..,r=..,p=..$salt$hash` (PHC).
    Scrypt,
}

/// Upper bounds on imported work factors: a hash may not make one sign-in
/// cost more than the whole pool can give.
const BCRYPT_COST_MAX: u32 = 15;
const PBKDF2_ITERATIONS_MAX: u32 = 5_000_000;
const SCRYPT_LOG_N_MAX: u8 = 20;
const ARGON2_MEMORY_MAX_KIB: u32 = 256 * 1024;

/// Checks an imported hash: a known form, well-formed, with bounded cost.
pub fn check_imported_hash(raw: &str) -> Result<(PasswordHash, HashKind), String> {
    let raw = raw.trim();
    let kind = if raw.starts_with("$argon2") {
        HashKind::Argon2
    } else if raw.starts_with("$2a$") || raw.starts_with("$2b$") || raw.starts_with("$2y$") {
        HashKind::Bcrypt
    } else if raw.starts_with("$pbkdf2-sha256$") {
        HashKind::Pbkdf2Sha256
    } else if raw.starts_with("pbkdf2_sha256$") {
        HashKind::Pbkdf2Sha256Django
    } else if raw.starts_with("$scrypt$") {
        HashKind::Scrypt
    } else {
        return Err(
            "unsupported password hash format (use argon2, bcrypt, pbkdf2-sha256 or scrypt)".into(),
        );
    };
    let malformed = || format!("malformed {kind:?} hash");
    match kind {
        HashKind::Bcrypt => {
            let parts = raw.parse::<bcrypt::HashParts>().map_err(|_| malformed())?;
            if parts.get_cost() > BCRYPT_COST_MAX {
                return Err(format!("bcrypt cost above {BCRYPT_COST_MAX}"));
            }
        }
        HashKind::Pbkdf2Sha256Django => {
            let (iterations, _, _) = django_parts(raw).ok_or_else(malformed)?;
            if iterations > PBKDF2_ITERATIONS_MAX {
                return Err(format!("pbkdf2 iterations above {PBKDF2_ITERATIONS_MAX}"));
            }
        }
        HashKind::Argon2 | HashKind::Pbkdf2Sha256 | HashKind::Scrypt => {
            let phc = Phc::new(raw).map_err(|_| malformed())?;
            if phc.hash.is_none() || phc.salt.is_none() {
                return Err(malformed());
            }
            let too_costly = match kind {
                HashKind::Argon2 => Params::try_from(&phc)
                    .map(|p| p.m_cost() > ARGON2_MEMORY_MAX_KIB)
                    .map_err(|_| malformed())?,
                HashKind::Pbkdf2Sha256 => pbkdf2::Params::try_from(&phc)
                    .map(|p| p.rounds > PBKDF2_ITERATIONS_MAX)
                    .map_err(|_| malformed())?,
                _ => scrypt::Params::try_from(&phc)
                    .map(|p| p.log_n() > SCRYPT_LOG_N_MAX)
                    .map_err(|_| malformed())?,
            };
            if too_costly {
                return Err(format!("{kind:?} parameters above what a sign-in may cost"));
            }
        }
    }
    Ok((PasswordHash::from_phc(raw.to_string()), kind))
}

/// Django's `pbkdf2_sha256$iterations$salt$hash`: (iterations, salt, hash).
fn django_parts(raw: &str) -> Option<(u32, &str, Vec<u8>)> {
    use base64::Engine;
    let mut parts = raw.split('$');
    let (Some("pbkdf2_sha256"), Some(iterations), Some(salt), Some(hash), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let iterations = iterations.parse().ok().filter(|i| *i > 0)?;
    let hash = base64::engine::general_purpose::STANDARD
        .decode(hash)
        .ok()?;
    (!salt.is_empty() && hash.len() == 32).then_some((iterations, salt, hash))
}

/// Verifies a hash imported in another form; a match is rehashed as argon2id.
fn verify_imported(password: &str, stored: &str) -> Verification {
    let valid = match check_imported_hash(stored) {
        Ok((_, HashKind::Bcrypt)) => bcrypt::verify(password, stored).unwrap_or(false),
        Ok((_, HashKind::Pbkdf2Sha256Django)) => {
            django_parts(stored).is_some_and(|(iterations, salt, hash)| {
                let mut derived = [0u8; 32];
                pbkdf2::pbkdf2_hmac::<sha2::Sha256>(
                    password.as_bytes(),
                    salt.as_bytes(),
                    iterations,
                    &mut derived,
                );
                subtle::ConstantTimeEq::ct_eq(&derived[..], &hash[..]).into()
            })
        }
        Ok((_, HashKind::Pbkdf2Sha256)) => Phc::new(stored).is_ok_and(|phc| {
            pbkdf2::Pbkdf2
                .verify_password(password.as_bytes(), &phc)
                .is_ok()
        }),
        Ok((_, HashKind::Scrypt)) => Phc::new(stored).is_ok_and(|phc| {
            scrypt::Scrypt
                .verify_password(password.as_bytes(), &phc)
                .is_ok()
        }),
        Ok((_, HashKind::Argon2)) | Err(_) => false,
    };
    if valid {
        Verification::Valid {
            rehashed: Some(hash_now(password)),
        }
    } else {
        Verification::Invalid
    }
}

fn verify_now(password: &str, stored: &PasswordHash) -> Verification {
    if !stored.as_str().starts_with("$argon2") {
        return verify_imported(password, stored.as_str());
    }
    let Ok(phc) = Phc::new(stored.as_str()) else {
        return Verification::Invalid;
    };
    // Verify with the parameters recorded in the hash itself.
    if Argon2::default()
        .verify_password(password.as_bytes(), &phc)
        .is_err()
    {
        return Verification::Invalid;
    }
    let current = argon2();
    let up_to_date = phc.algorithm.as_str() == "argon2id"
        && Params::try_from(&phc).is_ok_and(|p| {
            p.m_cost() >= current.params().m_cost()
                && p.t_cost() >= current.params().t_cost()
                && p.p_cost() >= current.params().p_cost()
        });
    let rehashed = (!up_to_date).then(|| hash_now(password));
    Verification::Valid { rehashed }
}

type Job = Box<dyn FnOnce() + Send>;

/// The bounded hashing pool. Cloning shares the pool.
#[derive(Clone)]
pub struct Hasher {
    jobs: mpsc::Sender<Job>,
    threads: usize,
    /// Verified against when an account does not exist, so a sign-in for an
    /// unknown email costs the same as one for a known email.
    dummy: Arc<PasswordHash>,
}

impl Hasher {
    pub fn new(threads: usize) -> Self {
        let threads = threads.max(1);
        // Waiting requests sit in this queue (and, past it, as parked tasks):
        // both cost bytes, not argon2's mebibytes.
        let (tx, rx) = mpsc::channel::<Job>(threads * 64);
        let rx = Arc::new(Mutex::new(rx));
        for n in 0..threads {
            let rx = rx.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || {
                    loop {
                        let job = rx.lock().expect("hash queue lock").blocking_recv();
                        match job {
                            Some(job) => job(),
                            None => break,
                        }
                    }
                })
                .expect("spawn hashing thread");
        }
        let dummy = Arc::new(hash_now("gatehouse-dummy-password-for-timing"));
        Self {
            jobs: tx,
            threads,
            dummy,
        }
    }

    pub fn threads(&self) -> usize {
        self.threads
    }

    async fn run<R: Send + 'static>(&self, f: impl FnOnce() -> R + Send + 'static) -> R {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(f());
        });
        self.jobs
            .send(job)
            .await
            .expect("hashing threads run for the life of the process");
        rx.await.expect("hashing job completes")
    }

    pub async fn hash(&self, password: Password) -> PasswordHash {
        self.run(move || hash_now(password.as_str())).await
    }

    pub async fn verify(&self, password: Password, stored: PasswordHash) -> Verification {
        self.run(move || verify_now(password.as_str(), &stored))
            .await
    }

    /// Spends the same work as a real verification and always fails.
    pub async fn verify_dummy(&self, password: Password) {
        let dummy = self.dummy.clone();
        self.run(move || {
            let _ = verify_now(password.as_str(), &dummy);
        })
        .await
    }
}

/// Checks a new password against the policy: a minimum length, a generous
/// maximum, and not among the passwords attackers try first. No composition
/// rules (NIST SP 800-63B).
pub fn check_policy(
    password: &str,
    min_len: usize,
    user_inputs: &[&str],
) -> Result<(), PasswordProblem> {
    let len = password.chars().count();
    if len < min_len {
        return Err(PasswordProblem::TooShort { min: min_len });
    }
    if len > PASSWORD_MAX {
        return Err(PasswordProblem::TooLong { max: PASSWORD_MAX });
    }
    // zxcvbn's cost grows with length; a common password is short, so the
    // first 64 characters decide.
    let head: String = password.chars().take(64).collect();
    let estimate = zxcvbn::zxcvbn(&head, user_inputs);
    if u8::from(estimate.score()) < 2 {
        return Err(PasswordProblem::Guessable);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Imported hashes from each supported form verify the right password,
    /// refuse a wrong one, and are replaced by argon2id on success.
    #[test]
    fn imported_hashes_verify_and_are_upgraded() {
        use argon2::password_hash::PasswordHasher;
        let pw = "imported-password-42";
        let salt = SaltString::generate(&mut OsRng);
        let pbkdf2_params = pbkdf2::Params {
            rounds: 1_000,
            output_length: 32,
        };
        let scrypt_params = scrypt::Params::new(10, 8, 1, 32).unwrap();
        // Django's form, computed by Python's hashlib (an independent implementation).
        let django = std::process::Command::new("python3")
            .args(["-c", "import hashlib,base64;print('pbkdf2_sha256$1000$NaCl$'+base64.b64encode(hashlib.pbkdf2_hmac('sha256',b'imported-password-42',b'NaCl',1000)).decode())"])
            .output()
            .expect("python3");
        let hashes = [
            bcrypt::hash(pw, 4).unwrap(),
            pbkdf2::Pbkdf2
                .hash_password_customized(pw.as_bytes(), None, None, pbkdf2_params, &salt)
                .unwrap()
                .to_string(),
            scrypt::Scrypt
                .hash_password_customized(pw.as_bytes(), None, None, scrypt_params, &salt)
                .unwrap()
                .to_string(),
            String::from_utf8(django.stdout).unwrap().trim().to_string(),
        ];
        for stored in hashes {
            let (hash, _) =
                check_imported_hash(&stored).unwrap_or_else(|e| panic!("{e}: {stored}"));
            match verify_now(pw, &hash) {
                Verification::Valid {
                    rehashed: Some(new),
                } => {
                    assert!(new.as_str().starts_with("$argon2id$"), "{stored}")
                }
                _ => panic!("{stored} did not verify"),
            }
            assert!(
                matches!(verify_now("wrong password", &hash), Verification::Invalid),
                "{stored}"
            );
        }
    }

    #[test]
    fn unsupported_malformed_and_costly_hashes_are_refused() {
        for (raw, reason) in [
            ("5f4dcc3b5aa765d61d8327deb882cf99", "unsupported"),
            ("$1$abc$def", "unsupported"),
            ("$2b$04$tooshort", "malformed"),
            (
                "$2b$31$abcdefghijklmnopqrstuuJ0V9yMUuBMzDb0q4M3z5k7H3o6s1hG2",
                "cost",
            ),
            ("pbkdf2_sha256$x$salt$aGFzaA==", "malformed"),
            (
                "pbkdf2_sha256$99999999$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                "iterations",
            ),
            (
                "$scrypt$ln=30,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
                "parameters",
            ),
            ("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA", "malformed"),
        ] {
            let error = check_imported_hash(raw).expect_err(raw);
            assert!(error.contains(reason), "{raw}: {error}");
        }
    }

    #[tokio::test]
    async fn hashes_verify_and_wrong_passwords_fail() {
        let hasher = Hasher::new(2);
        let hash = hasher
            .hash(Password::new("correct horse battery".into()))
            .await;
        assert!(hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(matches!(
            hasher
                .verify(Password::new("correct horse battery".into()), hash.clone())
                .await,
            Verification::Valid { rehashed: None }
        ));
        assert!(matches!(
            hasher.verify(Password::new("wrong".into()), hash).await,
            Verification::Invalid
        ));
        assert_eq!(
            format!("{:?}", PasswordHash::from_phc("secret".into())),
            "PasswordHash(..)"
        );
    }

    #[tokio::test]
    async fn weaker_hashes_are_upgraded_on_verify() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8 * 1024, 1, 1, None).unwrap(),
        );
        let salt = SaltString::generate(&mut OsRng);
        let stored = PasswordHash::from_phc(
            weak.hash_password(b"old secret words", &salt)
                .unwrap()
                .to_string(),
        );
        match Hasher::new(1)
            .verify(Password::new("old secret words".into()), stored)
            .await
        {
            Verification::Valid {
                rehashed: Some(new),
            } => assert!(new.as_str().contains("m=19456,t=2,p=1")),
            _ => panic!("expected a valid password with a rehash"),
        }
    }

    #[test]
    fn policy_rejects_short_long_and_common() {
        assert!(check_policy("short", 8, &[]).is_err());
        assert!(check_policy("password", 8, &[]).is_err());
        assert!(check_policy("password123", 8, &[]).is_err());
        assert!(check_policy("qwertyuiop", 8, &[]).is_err());
        assert!(check_policy("ada@example.com", 8, &["ada@example.com"]).is_err());
        assert!(check_policy(&"x".repeat(1025), 8, &[]).is_err());
        assert!(check_policy("vivid-otter-maple-42", 8, &[]).is_ok());
        assert!(check_policy(&"correct horse battery staple ".repeat(4), 8, &[]).is_ok());
        assert!(check_policy("dog cat pig", 12, &[]).is_err());
    }
}
