//! Passwords: what a new one must be, how every one is hashed and checked.
//!
//! New hashes are argon2id with at least OWASP's parameters (`argon2`), made
//! and checked on the bounded pool (`pool`); hashes imported from other
//! systems are checked until replaced (`imported`).

mod common;
mod imported;
mod pool;

pub use common::CommonPasswords;
pub use imported::HashKind;
pub use pool::{Busy, Hasher, Slot};

use crate::domain::{PasswordHash, PasswordProblem};
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash as Phc, PasswordHasher as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::Arc;

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

/// Checks an imported hash: a known form, well-formed, with bounded cost.
pub fn check_imported_hash(raw: &str) -> Result<(PasswordHash, HashKind), String> {
    let kind = imported::check_hash(raw)?;
    Ok((PasswordHash::from_phc(raw.trim().to_string()), kind))
}

/// Checks `password` against a stored hash of any accepted form; a match
/// on anything but current argon2id parameters comes with its replacement.
/// A hash whose cost is out of bounds is refused without computing it.
pub(crate) fn verify_now(password: &str, stored: &PasswordHash) -> Verification {
    let kind = match imported::check_hash(stored.as_str()) {
        Ok(kind) => kind,
        Err(reason) => {
            tracing::warn!(%reason, "stored password hash refused unverified");
            return Verification::Invalid;
        }
    };
    if kind != HashKind::Argon2 {
        return if imported::verify_other(kind, password, stored) {
            Verification::Valid {
                rehashed: Some(hash_now(password)),
            }
        } else {
            Verification::Invalid
        };
    }
    let Ok(phc) = Phc::new(stored.as_str()) else {
        return Verification::Invalid;
    };
    // Verify with the parameters recorded in the hash itself.
    if !argon2_matches(password.as_bytes(), &phc) {
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

thread_local! {
    /// This hashing thread's argon2 work memory, kept between checks: a
    /// fresh 19 MiB block per check cost a sign-in storm about a tenth of
    /// its time zeroing memory and faulting pages in. Argon2 writes every
    /// block before reading it, so what a previous check left is never read.
    static WORK_MEMORY: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Work memory kept per thread, at most: the current parameters' 19 MiB.
/// A costlier imported hash gets memory of its own, given back after.
const KEPT_BLOCKS: usize = 19 * 1024;

/// Whether `password` matches an argon2 PHC string, computed with the
/// parameters it records, in this thread's kept work memory. The digests
/// are compared by `password_hash::Output`, in constant time.
fn argon2_matches(password: &[u8], phc: &Phc) -> bool {
    use argon2::password_hash::Output;
    let (Ok(algorithm), Ok(params)) = (Algorithm::try_from(phc.algorithm), Params::try_from(phc))
    else {
        return false;
    };
    let version = match phc.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(version)) => version,
        Some(Err(_)) => return false,
    };
    let (Some(salt), Some(expected)) = (phc.salt, phc.hash) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let blocks = params.block_count();
    let argon = Argon2::new(algorithm, version, params);
    let computed = if blocks <= KEPT_BLOCKS {
        WORK_MEMORY.with_borrow_mut(|memory| {
            if memory.len() < blocks {
                memory.resize(blocks, argon2::Block::default());
            }
            argon.hash_password_into_with_memory(password, salt, &mut out, &mut memory[..blocks])
        })
    } else {
        argon.hash_password_into(password, salt, &mut out)
    };
    computed.is_ok() && Output::new(&out).is_ok_and(|out| out == expected)
}

/// What a new password must be: a minimum length, a generous maximum, not
/// on the common list and not easy to guess. No composition rules (NIST SP
/// 800-63B).
#[derive(Clone, Debug)]
pub struct Policy {
    pub min_length: usize,
    common: Arc<CommonPasswords>,
}

impl Policy {
    pub fn new(min_length: usize, common: CommonPasswords) -> Self {
        Self {
            min_length,
            common: Arc::new(common),
        }
    }

    /// The same policy with a minimum length of at least `min`.
    pub fn at_least(&self, min: usize) -> Self {
        Self {
            min_length: self.min_length.max(min),
            common: self.common.clone(),
        }
    }

    /// `user_inputs`: what the person typed elsewhere (email, name), which a
    /// password should not be made of.
    pub fn check(&self, password: &str, user_inputs: &[&str]) -> Result<(), PasswordProblem> {
        let len = password.chars().count();
        if len < self.min_length {
            return Err(PasswordProblem::TooShort {
                min: self.min_length,
            });
        }
        if len > PASSWORD_MAX {
            return Err(PasswordProblem::TooLong { max: PASSWORD_MAX });
        }
        if self.common.contains(password) {
            return Err(PasswordProblem::Common);
        }
        // zxcvbn's cost grows with length; a common password is short, so
        // the first 64 characters decide.
        let head: String = password.chars().take(64).collect();
        let estimate = zxcvbn::zxcvbn(&head, user_inputs);
        if u8::from(estimate.score()) < 2 {
            return Err(PasswordProblem::Guessable);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_rejects_short_long_and_common() {
        let policy = |min| Policy::new(min, CommonPasswords::load(None).unwrap());
        let check_policy =
            |password: &str, min, inputs: &[&str]| policy(min).check(password, inputs);
        assert_eq!(
            check_policy("baseball1", 8, &[]),
            Err(PasswordProblem::Common)
        );
        assert_eq!(
            check_policy("Sunshine2", 8, &[]),
            Err(PasswordProblem::Common)
        );
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
