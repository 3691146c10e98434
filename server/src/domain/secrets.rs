//! Random tokens for links and forms, and comparing secrets safely.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A single-use token as sent to the customer. Only its SHA-256 is stored,
/// so a database leak yields no working links.
pub struct LinkToken {
    pub raw: String,
    pub hash: Vec<u8>,
}

impl LinkToken {
    pub fn generate() -> Self {
        let raw = random_string();
        let hash = hash_token(&raw);
        Self { raw, hash }
    }
}

pub fn hash_token(raw: &str) -> Vec<u8> {
    Sha256::digest(raw.as_bytes()).to_vec()
}

/// 256 random bits, URL-safe base64 (43 characters).
pub fn random_string() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A link token is 43 URL-safe characters; anything else is rejected before
/// touching the database.
pub fn looks_like_token(raw: &str) -> bool {
    raw.len() == 43
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = LinkToken::generate();
        let b = LinkToken::generate();
        assert_ne!(a.raw, b.raw);
        assert!(looks_like_token(&a.raw));
        assert_eq!(a.hash, hash_token(&a.raw));
        assert_eq!(a.hash.len(), 32);
        assert!(!looks_like_token("short"));
        assert!(!looks_like_token(&format!("{}=", &a.raw[..42])));
    }

    #[test]
    fn compares() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }
}
