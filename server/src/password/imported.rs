//! Hashes brought by an import from another system (bcrypt, PBKDF2, scrypt,
//! argon2 with other parameters), verified until the customer's next
//! sign-in replaces them with argon2id.
//!
//! Every parameter that sets a hash's cost is bounded, when a hash is
//! imported (a line error) and again before any hash is verified (refused
//! rather than computed): one stored hash must not be able to pin the
//! hashing threads for minutes or exhaust memory, whoever wrote it.

use crate::domain::PasswordHash;
use argon2::Params;
use argon2::password_hash::{PasswordHash as Phc, PasswordVerifier as _};

/// The forms of stored hash Gatehouse verifies.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum HashKind {
    /// `$argon2id$...` (also argon2i/argon2d): Gatehouse's own, or imported.
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

/// Upper bounds on work factors, each about a second or two of one core
/// and at most 256 MiB: above what any common configuration uses (OWASP's
/// argon2id is 19 MiB and two passes; scrypt's N=2^17, r=8 is 128 MiB).
const BCRYPT_COST_MAX: u32 = 14;
const PBKDF2_ITERATIONS_MAX: u32 = 5_000_000;
const ARGON2_MEMORY_MAX_KIB: u32 = 256 * 1024;
const ARGON2_PASSES_MAX: u32 = 10;
const ARGON2_LANES_MAX: u32 = 16;
/// Memory times passes: 256 MiB once, or 64 MiB four times, ...
const ARGON2_WORK_MAX_KIB: u64 = 1024 * 1024;
const SCRYPT_LOG_N_MAX: u8 = 20;
const SCRYPT_R_MAX: u32 = 32;
const SCRYPT_P_MAX: u32 = 16;
/// scrypt's memory is 128·r·N bytes; its work that times p.
const SCRYPT_MEMORY_MAX: u64 = 256 * 1024 * 1024;
const SCRYPT_WORK_MAX: u64 = 1024 * 1024 * 1024;

/// Checks a hash: a known form, well-formed, with bounded cost. Says what
/// is wrong in words for the import's line errors.
pub fn check_hash(raw: &str) -> Result<HashKind, String> {
    let raw = raw.trim();
    let kind = kind_of(raw).ok_or_else(|| {
        "unsupported password hash format (use argon2, bcrypt, pbkdf2-sha256 or scrypt)".to_string()
    })?;
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
                HashKind::Argon2 => argon2_too_costly(&phc),
                // The output is at most 64 bytes, as every PHC hash is.
                HashKind::Pbkdf2Sha256 => pbkdf2::Params::try_from(&phc)
                    .map(|p| p.rounds > PBKDF2_ITERATIONS_MAX)
                    .map_err(|_| malformed())?,
                _ => scrypt_too_costly(&phc).ok_or_else(malformed)?,
            };
            if too_costly {
                return Err(format!("{kind:?} parameters above what a sign-in may cost"));
            }
        }
    }
    Ok(kind)
}

fn kind_of(raw: &str) -> Option<HashKind> {
    Some(if raw.starts_with("$argon2") {
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
        return None;
    })
}

/// Read from the PHC string itself rather than through `Params`, which
/// accepts far more than a sign-in may cost.
fn argon2_too_costly(phc: &Phc) -> bool {
    let param = |name: &str| phc.params.get_decimal(name);
    let (Some(m), Some(t), Some(p)) = (param("m"), param("t"), param("p")) else {
        return true;
    };
    m > ARGON2_MEMORY_MAX_KIB
        || t > ARGON2_PASSES_MAX
        || p > ARGON2_LANES_MAX
        || u64::from(m) * u64::from(t) > ARGON2_WORK_MAX_KIB
        || Params::try_from(phc).is_err()
}

/// `None` when the parameters are missing or not numbers. Read before
/// `scrypt::Params` is built: a huge `r` would make it allocate (and abort
/// the process) before any check of ours ran.
fn scrypt_too_costly(phc: &Phc) -> Option<bool> {
    let log_n: u8 = phc.params.get_decimal("ln")?.try_into().ok()?;
    let r = phc.params.get_decimal("r")?;
    let p = phc.params.get_decimal("p")?;
    if log_n > SCRYPT_LOG_N_MAX || r > SCRYPT_R_MAX || p > SCRYPT_P_MAX || r == 0 || p == 0 {
        return Some(true);
    }
    let memory = (128 * u64::from(r)) << log_n;
    Some(memory > SCRYPT_MEMORY_MAX || memory * u64::from(p) > SCRYPT_WORK_MAX)
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

/// Whether `password` matches a stored hash of another form than argon2
/// (already checked by `check_hash`).
pub(super) fn verify_other(kind: HashKind, password: &str, stored: &PasswordHash) -> bool {
    let stored = stored.as_str();
    match kind {
        HashKind::Bcrypt => bcrypt::verify(password, stored).unwrap_or(false),
        HashKind::Pbkdf2Sha256Django => {
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
        HashKind::Pbkdf2Sha256 => Phc::new(stored).is_ok_and(|phc| {
            pbkdf2::Pbkdf2
                .verify_password(password.as_bytes(), &phc)
                .is_ok()
        }),
        HashKind::Scrypt => Phc::new(stored).is_ok_and(|phc| {
            scrypt::Scrypt
                .verify_password(password.as_bytes(), &phc)
                .is_ok()
        }),
        HashKind::Argon2 => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::password::{Verification, check_imported_hash, verify_now};
    use argon2::password_hash::SaltString;
    use argon2::password_hash::rand_core::OsRng;

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
            // Hostile work factors of each kind: refused, not computed.
            (
                "$argon2id$v=19$m=19456,t=4000000000,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
                "parameters",
            ),
            (
                "$argon2id$v=19$m=4000000,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
                "parameters",
            ),
            (
                "$argon2id$v=19$m=19456,t=2,p=255$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
                "parameters",
            ),
            (
                "$argon2id$v=19$m=131072,t=9,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
                "parameters",
            ),
            (
                "$scrypt$ln=10,r=4000000000,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
                "parameters",
            ),
            (
                "$scrypt$ln=17,r=8,p=16$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
                "parameters",
            ),
            (
                "$scrypt$ln=18,r=16,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
                "parameters",
            ),
            (
                "$pbkdf2-sha256$i=99999999,l=32$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
                "parameters",
            ),
            (
                "$2b$15$abcdefghijklmnopqrstuuJ0V9yMUuBMzDb0q4M3z5k7H3o6s1hG2",
                "cost",
            ),
        ] {
            let error = check_imported_hash(raw).expect_err(raw);
            assert!(error.contains(reason), "{raw}: {error}");
        }
    }
}
