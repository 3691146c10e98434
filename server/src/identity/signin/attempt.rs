//! A sign-in attempt: who is signing in, in which realm, what for, and
//! what they have proven so far. Kept on the server (every instance sees
//! it) while it waits for its next input, found by an unguessable key
//! the browser holds; only the key's digest is stored.

use super::Realm;
use super::sessions::{AuthMethod, Beginning, Proof};
use crate::domain::mfa::FactorKind;
use crate::domain::secrets::{hash_token, random_string};
use crate::domain::{Error, Result};
use crate::state::AppState;
use crate::store::AttemptRow;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How long an attempt waits for its next input.
pub const ATTEMPT_SECONDS: i64 = 600;

/// What a sign-in is for, fixed when it begins: where "done" leads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Purpose {
    /// A plain sign-in: the customer's account.
    Account,
    /// The admin console.
    Console,
    /// An application's authorization request, by its id in the browser.
    Authorization(String),
    /// A device's user code, waiting for the customer's answer.
    Device(String),
    /// A shared screen's code, scanned on this phone before it was signed
    /// in, waiting for the customer's answer.
    Screen,
    /// Handed off from an application on another device: on to the
    /// application's login initiation address (with `iss`, `login_hint` and
    /// `target_link_uri`), where its own code flow finds this device
    /// signed in.
    App(String),
}

/// One thing proven in an attempt.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Proven {
    Password,
    /// The link mailed at sign-up, followed in the browser that signed up.
    EmailLink,
    /// A passkey with user verification (alone, or as a second factor, or
    /// just set up).
    Passkey,
    /// An authenticator app's code (shown, or confirming its setup).
    Totp,
    RecoveryCode,
    /// The customer's signed-in device `source` confirmed handing its
    /// session here: this device inherits what `source` had proven (and
    /// when it last showed a second factor), never more. A shared
    /// screen's session is short-lived.
    Handoff {
        source: Uuid,
        proof: Proof,
        mfa_at: Option<i64>,
        shared_screen: bool,
    },
}

impl Proven {
    /// The second factor this proof is, if it is one.
    pub fn factor(self) -> Option<FactorKind> {
        match self {
            Self::Passkey => Some(FactorKind::Passkey),
            Self::Totp => Some(FactorKind::Totp),
            Self::RecoveryCode => Some(FactorKind::RecoveryCode),
            Self::Password | Self::EmailLink | Self::Handoff { .. } => None,
        }
    }

    pub fn of_factor(kind: FactorKind) -> Self {
        match kind {
            FactorKind::Passkey => Self::Passkey,
            FactorKind::Totp => Self::Totp,
            FactorKind::RecoveryCode => Self::RecoveryCode,
        }
    }

    fn method(self) -> AuthMethod {
        match self {
            Self::EmailLink => AuthMethod::EmailLink,
            Self::Passkey => AuthMethod::Passkey,
            Self::Handoff { proof, .. } => proof.first,
            _ => AuthMethod::Password,
        }
    }

    /// What a first proof stands for in the rules: a handoff stands for
    /// its source's first factor, and the second factor that source
    /// showed, if any.
    pub fn as_first(self) -> (Self, Option<FactorKind>) {
        match self {
            Self::Handoff { proof, .. } => {
                let first = match proof.first {
                    AuthMethod::Password => Self::Password,
                    AuthMethod::EmailLink => Self::EmailLink,
                    AuthMethod::Passkey => Self::Passkey,
                };
                (first, proof.second)
            }
            other => (other, None),
        }
    }
}

/// How the session an attempt ends in began (`amr`, and whether it was
/// multi-factor): derived from the proofs, never stored beside them.
pub fn session_proof(proofs: &[Proven]) -> Proof {
    let first = proofs.first().copied().unwrap_or(Proven::Password);
    let (_, inherited) = first.as_first();
    Proof {
        first: first.method(),
        // The latest: after proving an app to set up a passkey, the
        // passkey is what the session's policy asked for.
        second: proofs
            .iter()
            .skip(1)
            .rev()
            .find_map(|p| p.factor())
            .or(inherited),
    }
}

/// How the session an attempt ends in begins, at `now`: a second factor
/// shown in this attempt (or a passkey alone) is shown now; a handed-off
/// session keeps its source's time, so a step-up that wants a recent
/// factor is not satisfied by carrying an old one to a new device.
pub fn beginning(proofs: &[Proven], now: i64) -> Beginning {
    let proof = session_proof(proofs);
    let shown_here = proofs.iter().skip(1).any(|p| p.factor().is_some());
    let (mfa_at, handed_off_from, shared_screen) = match proofs.first() {
        Some(Proven::Handoff {
            source,
            mfa_at,
            shared_screen,
            ..
        }) => (
            if shown_here { Some(now) } else { *mfa_at },
            Some(*source),
            *shared_screen,
        ),
        _ => (proof.multi_factor().then_some(now), None, false),
    };
    Beginning {
        proof,
        mfa_at,
        handed_off_from,
        shared_screen,
    }
}

/// The key a browser holds to its attempt: random, shown only to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptKey(String);

impl AttemptKey {
    fn new() -> Self {
        Self(random_string())
    }

    fn digest(&self) -> Vec<u8> {
        hash_token(&self.0)
    }
}

/// An attempt as it stands.
#[derive(Clone, Debug)]
pub struct Attempt {
    pub realm: Realm,
    /// The customer's or admin's id.
    pub subject: Uuid,
    pub purpose: Purpose,
    pub proofs: Vec<Proven>,
    pub started_at: i64,
    /// Where it is stored, and at which version; none until it waits.
    stored: Option<(AttemptKey, i64)>,
}

fn realm_str(realm: Realm) -> &'static str {
    match realm {
        Realm::Customers => "customer",
        Realm::Admins => "admin",
    }
}

fn json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Internal(e.into()))
}

impl Attempt {
    pub fn begin(realm: Realm, subject: Uuid, purpose: Purpose, first: Proven, now: i64) -> Self {
        Self {
            realm,
            subject,
            purpose,
            proofs: vec![first],
            started_at: now,
            stored: None,
        }
    }

    /// The attempt `key` names in `realm`, while it waits.
    pub async fn load(state: &AppState, realm: Realm, key: &AttemptKey) -> Result<Option<Self>> {
        let now = state.clock.now();
        let Some(row) = state.store.sign_in_attempt(&key.digest(), now).await? else {
            return Ok(None);
        };
        if row.realm != realm_str(realm) {
            return Ok(None);
        }
        let parse = |e: serde_json::Error| Error::Internal(e.into());
        Ok(Some(Self {
            realm,
            subject: row.subject,
            purpose: serde_json::from_str(&row.purpose).map_err(parse)?,
            proofs: serde_json::from_str(&row.proofs).map_err(parse)?,
            started_at: row.started_at,
            stored: Some((key.clone(), row.version)),
        }))
    }

    /// Keeps the attempt for its next input. False when another request
    /// advanced or ended it meanwhile (two tabs): this one is stale.
    pub async fn save(&mut self, state: &AppState) -> Result<bool> {
        let proofs = json(&self.proofs)?;
        match &self.stored {
            Some((key, version)) => {
                let saved = state
                    .store
                    .advance_sign_in_attempt(&key.digest(), *version, &proofs)
                    .await?;
                if saved {
                    self.stored = Some((key.clone(), version + 1));
                }
                Ok(saved)
            }
            None => {
                let key = AttemptKey::new();
                let row = AttemptRow {
                    realm: realm_str(self.realm).into(),
                    subject: self.subject,
                    purpose: json(&self.purpose)?,
                    proofs,
                    started_at: self.started_at,
                    expires_at: self.started_at + ATTEMPT_SECONDS,
                    version: 0,
                };
                state
                    .store
                    .insert_sign_in_attempt(&key.digest(), &row)
                    .await?;
                self.stored = Some((key, 0));
                Ok(true)
            }
        }
    }

    /// Ends the attempt. False when it was stored and is gone already
    /// (finished by another request): it must not finish twice.
    pub async fn forget(&self, state: &AppState) -> Result<bool> {
        match &self.stored {
            Some((key, _)) => Ok(state.store.delete_sign_in_attempt(&key.digest()).await?),
            None => Ok(true),
        }
    }

    /// The key the browser keeps, once the attempt is stored.
    pub fn key(&self) -> Option<&AttemptKey> {
        self.stored.as_ref().map(|(key, _)| key)
    }
}

/// Forgets the attempt `key` names (the browser starts over).
pub async fn abandon(state: &AppState, key: &AttemptKey) -> Result<()> {
    state.store.delete_sign_in_attempt(&key.digest()).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amr_comes_from_the_proofs() {
        let cases = [
            (vec![Proven::Password], "pwd", false),
            (vec![Proven::Password, Proven::Totp], "pwd otp mfa", true),
            (
                vec![Proven::EmailLink, Proven::Passkey],
                "email hwk mfa",
                true,
            ),
            (vec![Proven::Passkey], "hwk mfa", true),
            (
                vec![Proven::Password, Proven::Totp, Proven::Passkey],
                "pwd hwk mfa",
                true,
            ),
        ];
        for (proofs, amr, multi) in cases {
            let proof = session_proof(&proofs);
            assert_eq!(proof.amr(), amr, "{proofs:?}");
            assert_eq!(proof.multi_factor(), multi, "{proofs:?}");
        }
    }

    #[test]
    fn a_handed_off_session_keeps_its_source_proof_and_time() {
        use crate::identity::sessions::AuthMethod;
        let source = Uuid::now_v7();
        let handoff = Proven::Handoff {
            source,
            proof: Proof {
                first: AuthMethod::Password,
                second: Some(FactorKind::Totp),
            },
            mfa_at: Some(100),
            shared_screen: false,
        };
        let carried = beginning(&[handoff], 500);
        assert_eq!(carried.proof.amr(), "pwd otp mfa");
        assert_eq!(carried.mfa_at, Some(100), "not fresh: carried");
        assert_eq!(carried.handed_off_from, Some(source));
        let stepped = beginning(&[handoff, Proven::Passkey], 500);
        assert_eq!(stepped.proof.amr(), "pwd hwk mfa");
        assert_eq!(stepped.mfa_at, Some(500), "shown on this device now");
        let plain = beginning(&[Proven::Password], 500);
        assert_eq!((plain.mfa_at, plain.handed_off_from), (None, None));
        let passkey = beginning(&[Proven::Passkey], 500);
        assert_eq!(passkey.mfa_at, Some(500));
    }
}
