//! Recovery codes: ten single-use codes for when the customer's other
//! factors are out of reach. Shown once; only their SHA-256 is stored
//! (each holds 50 random bits and every try is throttled like a password,
//! so a slow hash would add nothing). A new set replaces the old one.

use crate::domain::secrets::hash_token;
use crate::domain::{CustomerId, Result};
use crate::state::AppState;
use argon2::password_hash::rand_core::{OsRng, RngCore};

pub const CODES: usize = 10;
/// Crockford's base32 (no i, l, o, u): 32 symbols, 5 bits each. Typed
/// look-alikes are read as the digit they resemble.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
const LENGTH: usize = 10;

/// A fresh set for the customer, replacing any old one: returned once,
/// formatted `xxxxx-xxxxx`.
pub async fn regenerate(state: &AppState, customer: CustomerId) -> Result<Vec<String>> {
    let codes: Vec<String> = (0..CODES).map(|_| generate()).collect();
    let hashes: Vec<Vec<u8>> = codes
        .iter()
        .map(|c| hash_token(&normalise(c).unwrap_or_default()))
        .collect();
    state
        .store
        .replace_recovery_codes(customer, &hashes, state.clock.now())
        .await?;
    Ok(codes)
}

/// Spends one of the customer's codes: false when it is not an unused one.
pub async fn spend(state: &AppState, customer: CustomerId, raw: &str) -> Result<bool> {
    let Some(code) = normalise(raw) else {
        return Ok(false);
    };
    Ok(state
        .store
        .spend_recovery_code(customer, &hash_token(&code), state.clock.now())
        .await?)
}

/// A code as typed (any case, with or without the hyphen and spaces) in
/// its stored form, if it has the shape of one.
pub fn normalise(raw: &str) -> Option<String> {
    let code: String = raw
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| match c.to_ascii_lowercase() {
            'o' => '0',
            'i' | 'l' => '1',
            c => c,
        })
        .collect();
    (code.len() == LENGTH && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

fn generate() -> String {
    let mut bytes = [0u8; LENGTH];
    OsRng.fill_bytes(&mut bytes);
    // 256 is a multiple of 32: every symbol is equally likely.
    let symbols: String = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(b & 31)] as char)
        .collect();
    format!("{}-{}", &symbols[..5], &symbols[5..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_formatted_and_read_back_however_typed() {
        let code = generate();
        assert_eq!(code.len(), 11);
        assert_eq!(&code[5..6], "-");
        let stored = normalise(&code).unwrap();
        assert_eq!(normalise(&code.to_uppercase()), Some(stored.clone()));
        assert_eq!(normalise(&stored), Some(stored.clone()));
        assert_eq!(
            normalise(&format!(" {} ", code.replace('-', " "))),
            Some(stored)
        );
        assert_eq!(normalise("123456"), None);
        assert_eq!(normalise("abcde-fghu0"), None);
        assert_eq!(normalise("OIL00-00000").as_deref(), Some("0110000000"));
    }

    #[test]
    fn codes_differ() {
        let a: Vec<String> = (0..50).map(|_| generate()).collect();
        let mut b = a.clone();
        b.dedup();
        b.sort();
        b.dedup();
        assert_eq!(a.len(), b.len());
    }
}
