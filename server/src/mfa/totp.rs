//! Authenticator apps (TOTP, RFC 6238): SHA-1, six digits, 30-second
//! steps, one step of drift either way; each step's code is accepted once
//! (the last accepted step is stored). The codes are totp-rs's.
//!
//! Setting one up: a secret is made and kept by the caller (the web layer,
//! in the browser session), shown as a QR code and as text; it becomes a
//! factor only when the first code from the app confirms it.

use crate::domain::mfa::{FactorKind, MfaProblem};
use crate::domain::qr::qr_svg;
use crate::domain::{Error, Result};
use crate::state::AppState;
use crate::store::{FactorOwner, NewFactor};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use totp_rs::{Algorithm, Builder, Secret, Totp};
use uuid::Uuid;

/// 160 bits, as RFC 4226 recommends.
const SECRET_BYTES: usize = 20;
/// How long a setup waits for its confirming code.
const SETUP_SECONDS: i64 = 900;

/// An authenticator app being set up, until its first code confirms it.
#[derive(Clone, Serialize, Deserialize)]
pub struct PendingSetup {
    /// Base32, as shown.
    secret: String,
    started_at: i64,
}

/// What the setup page shows.
pub struct SetupShown {
    /// The secret in base32, grouped by four for typing.
    pub secret: String,
    /// The `otpauth://` address the QR code holds.
    pub url: String,
    /// The QR code, an inline SVG element.
    pub qr_svg: String,
}

fn totp(secret: Vec<u8>, account: &str) -> Result<Totp> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(secret)
        .with_issuer(Some("Gatehouse"))
        .with_account_name(account.replace(':', ""))
        .build()
        .map_err(|e| Error::Internal(anyhow::anyhow!("TOTP: {e:?}")))
}

/// The time step a code belongs to, if it is right for `secret` at `now`
/// (the step before, now, or the step after).
pub fn check(secret: &[u8], code: &str, now: i64) -> Option<i64> {
    let totp = totp(secret.to_vec(), "").ok()?;
    let now = u64::try_from(now).ok()?;
    totp.check(code, now)
        .and_then(|step| i64::try_from(step).ok())
}

/// The code an app holding `secret` shows at `now`: for operators' tools
/// that act as the app (the console bench's admin), never for checking.
pub fn code_at(secret: &[u8], now: i64) -> Result<String> {
    let now = u64::try_from(now).map_err(|e| Error::Internal(e.into()))?;
    Ok(totp(secret.to_vec(), "")?.generate(now).to_string())
}

/// Whether `code` has the shape of a TOTP code (six digits).
pub fn looks_like_code(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

/// Starts (or, with the setup `kept` from before, shows again) the setup
/// of an authenticator app for `account` (the name the app shows beside
/// the codes); the setup to keep until the confirming code.
pub fn begin(
    state: &AppState,
    kept: Option<PendingSetup>,
    account: &str,
) -> Result<(SetupShown, PendingSetup)> {
    let now = state.clock.now();
    let pending = match kept {
        Some(p) if now - p.started_at < SETUP_SECONDS => p,
        _ => {
            let mut bytes = vec![0u8; SECRET_BYTES];
            OsRng.fill_bytes(&mut bytes);
            PendingSetup {
                secret: Secret::from(bytes).to_base32(),
                started_at: now,
            }
        }
    };
    let secret = decode(&pending.secret)?;
    let url = totp(secret, account)?
        .to_url()
        .map_err(|e| Error::Internal(anyhow::anyhow!("otpauth URL: {e:?}")))?;
    let shown = SetupShown {
        secret: grouped(&pending.secret),
        qr_svg: qr_svg(&url, "QR code for your authenticator app")?,
        url,
    };
    Ok((shown, pending))
}

/// Confirms the app being set up with its first code: it becomes `owner`'s
/// factor, and that code cannot be used again.
pub async fn confirm(
    state: &AppState,
    kept: Option<PendingSetup>,
    owner: FactorOwner,
    code: &str,
) -> Result<Uuid> {
    let code = code.trim().replace(' ', "");
    if code.is_empty() {
        return Err(Error::invalid("code", MfaProblem::CodeMissing));
    }
    if !looks_like_code(&code) {
        return Err(Error::invalid("code", MfaProblem::SixDigits));
    }
    let now = state.clock.now();
    let Some(pending) = kept.filter(|p| now - p.started_at < SETUP_SECONDS) else {
        return Err(Error::invalid("code", MfaProblem::SetupExpired));
    };
    let secret = decode(&pending.secret)?;
    let Some(step) = check(&secret, &code, now) else {
        return Err(Error::invalid("code", MfaProblem::CodeWrong));
    };
    let id = Uuid::now_v7();
    let sealed = seal(state, id, &secret)?;
    let stored = state
        .store
        .insert_factor(&NewFactor {
            id,
            owner,
            kind: FactorKind::Totp,
            name: "Authenticator app",
            totp: Some((&sealed, step)),
            passkey: None,
            now,
        })
        .await?;
    if !stored {
        return Err(Error::invalid("code", MfaProblem::AppAlreadySet));
    }
    Ok(id)
}

/// Checks a code against `owner`'s app and spends its time step: `None`
/// when wrong, replayed, or there is no app.
pub async fn verify(state: &AppState, owner: FactorOwner, code: &str) -> Result<Option<()>> {
    let Some(stored) = state.store.totp_secret(owner).await? else {
        return Ok(None);
    };
    let now = state.clock.now();
    let secret = open(state, stored.id, &stored.secret)?;
    let Some(step) = check(&secret, code, now) else {
        return Ok(None);
    };
    // Accepted once: a step at or before the last accepted one is refused,
    // in the statement that records this one (two requests at once with
    // the same code cannot both pass).
    if step <= stored.last_step || !state.store.spend_totp_step(stored.id, step, now).await? {
        return Ok(None);
    }
    Ok(Some(()))
}

/// What label a factor's secret is sealed under: it opens for that factor
/// only, so a sealed secret copied to another row does not.
fn label(id: Uuid) -> String {
    format!("totp:{id}")
}

/// The secret as stored: sealed with the key encryption key where there is
/// one (always on SQLite; on PostgreSQL when configured), else as it is.
fn seal(state: &AppState, id: Uuid, secret: &[u8]) -> Result<Vec<u8>> {
    Ok(state
        .keys
        .seal_secret(&label(id), secret)?
        .unwrap_or_else(|| secret.to_vec()))
}

/// The secret from what is stored: a secret kept as it is has exactly
/// `SECRET_BYTES` (also those stored before secrets were sealed); a sealed
/// one is longer (nonce and tag).
fn open(state: &AppState, id: Uuid, stored: &[u8]) -> Result<Vec<u8>> {
    if stored.len() == SECRET_BYTES {
        return Ok(stored.to_vec());
    }
    state.keys.open_secret(&label(id), stored)
}

fn decode(base32: &str) -> Result<Vec<u8>> {
    Secret::try_from_base32(base32)
        .map(|s| s.as_ref().to_vec())
        .map_err(|e| Error::Internal(anyhow::anyhow!("stored TOTP secret: {e:?}")))
}

/// `JBSWY3DPEHPK3PXP` as `JBSW Y3DP EHPK 3PXP`, easier to type.
fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 rows: the 20-byte ASCII secret
    /// "12345678901234567890", eight-digit codes; the last six digits are
    /// the six-digit code (RFC 4226 truncation).
    #[test]
    fn rfc_6238_vectors() {
        let secret = b"12345678901234567890";
        for (time, eight) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
        ] {
            let six = &eight[2..];
            let step = check(secret, six, time).expect("vector accepted");
            assert_eq!(step, time / 30);
        }
    }

    #[test]
    fn one_step_of_drift_either_way_and_no_more() {
        let secret = b"12345678901234567890";
        // 287082 is the code of step 1 (t = 30..59).
        assert_eq!(check(secret, "287082", 59), Some(1));
        assert_eq!(check(secret, "287082", 60), Some(1));
        assert_eq!(check(secret, "287082", 89), Some(1));
        assert_eq!(check(secret, "287082", 90), None);
        assert_eq!(check(secret, "287082", 0), Some(1));
        assert_eq!(check(secret, "000000", 59), None);
        assert_eq!(check(secret, "28708", 59), None);
    }
}
