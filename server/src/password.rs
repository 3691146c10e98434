//! Password hashing and policy.
//!
//! Hashing is argon2id with at least OWASP's parameters, run on a fixed pool of
//! threads sized to the cores. Requests queue for a hashing thread instead of
//! each taking one, so a burst of sign-ins neither blocks the async runtime nor
//! multiplies argon2's 19 MiB per hash into an out-of-memory kill.

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

/// An argon2id hash in PHC string form. Not printed either: it is a secret too.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    pub fn from_stored(phc: String) -> Self {
        Self(phc)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(..)")
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
    PasswordHash(phc.to_string())
}

pub enum Verification {
    Valid { rehashed: Option<PasswordHash> },
    Invalid,
}

fn verify_now(password: &str, stored: &PasswordHash) -> Verification {
    let Ok(phc) = Phc::new(&stored.0) else {
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
pub fn check_policy(password: &str, min_len: usize, user_inputs: &[&str]) -> Result<(), String> {
    let len = password.chars().count();
    if len < min_len {
        return Err(format!("Use at least {min_len} characters."));
    }
    if len > PASSWORD_MAX {
        return Err(format!("Use at most {PASSWORD_MAX} characters."));
    }
    // zxcvbn's cost grows with length; a common password is short, so the
    // first 64 characters decide.
    let head: String = password.chars().take(64).collect();
    let estimate = zxcvbn::zxcvbn(&head, user_inputs);
    if u8::from(estimate.score()) < 2 {
        return Err(
            "This password is too common or easy to guess. Try a few unrelated words.".into(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
            format!("{:?}", PasswordHash::from_stored("secret".into())),
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
        let stored = PasswordHash::from_stored(
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
