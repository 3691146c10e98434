//! Signed-in sessions: how one began (`amr`), and whether one is still
//! live. A customer's session is a row of `customer_sessions`, which
//! carries the absolute expiry and can be deleted to sign that device out
//! from anywhere, on any instance; the browser holds its id (the web
//! layer's business, `http::browser`). An admin's console session is the
//! admin and the sign-in time; the admin is loaded again on every request,
//! so a removal or a role change applies at once.

use crate::audit;
use crate::domain::mfa::FactorKind;
use crate::domain::{Action, Admin, AdminId, Customer, CustomerId, RequestContext, Result};
use crate::state::AppState;
pub use crate::store::SessionInfo;
use crate::store::{Ending, NewSession};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

/// Refresh `last_seen_at` at most this often per session, to keep page views read-only.
const TOUCH_EVERY: i64 = 60;

/// How a customer proved who they are when a session began: the `amr`
/// values (RFC 8176) tokens issued from the session carry.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuthMethod {
    Password,
    /// A link mailed to the customer's address, followed in the browser
    /// that signed up.
    EmailLink,
    /// A passkey with user verification: possession and a PIN or
    /// biometric in one, so multi-factor by itself.
    Passkey,
}

impl AuthMethod {
    pub fn amr(self) -> &'static str {
        match self {
            Self::Password => "pwd",
            Self::EmailLink => "email",
            Self::Passkey => "hwk",
        }
    }
}

/// Everything a customer proved at sign-in: the first factor and, when
/// one was asked, the second.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proof {
    pub first: AuthMethod,
    pub second: Option<FactorKind>,
}

impl Proof {
    pub fn single(first: AuthMethod) -> Self {
        Self {
            first,
            second: None,
        }
    }

    /// Whether two factors were shown (a verified passkey counts alone).
    pub fn multi_factor(self) -> bool {
        self.second.is_some() || self.first == AuthMethod::Passkey
    }

    /// The proof a session's stored `amr` values stand for. A recovery
    /// code is written as `otp` and read back as an app's code: the same
    /// strength under every policy.
    pub fn from_amr(amr: &str) -> Self {
        let mut values = amr.split_whitespace();
        let first = match values.next() {
            Some("hwk") => AuthMethod::Passkey,
            Some("email") => AuthMethod::EmailLink,
            _ => AuthMethod::Password,
        };
        let second = values.find_map(|value| match value {
            "otp" => Some(FactorKind::Totp),
            "hwk" => Some(FactorKind::Passkey),
            _ => None,
        });
        Self { first, second }
    }

    /// The `amr` values (RFC 8176), space-separated.
    pub fn amr(self) -> String {
        let mut amr = vec![self.first.amr()];
        if let Some(second) = self.second {
            amr.push(second.amr());
        }
        if self.multi_factor() {
            amr.push("mfa");
        }
        amr.join(" ")
    }
}

pub use crate::domain::SignedIn;

/// How a session begins: what was proven, when a second factor last was,
/// and the session it was handed off from, if it was.
#[derive(Copy, Clone, Debug)]
pub struct Beginning {
    pub proof: Proof,
    pub mfa_at: Option<i64>,
    pub handed_off_from: Option<Uuid>,
    /// A shared screen's: it lives only the configured minutes.
    pub shared_screen: bool,
}

/// Records a session beginning for `customer`; the browser holds its id
/// (`signed_in_here`).
pub async fn begin(
    state: &AppState,
    customer: &Customer,
    ctx: &RequestContext,
    beginning: Beginning,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let now = state.clock.now();
    let lifetime = if beginning.shared_screen {
        state.config.shared_screen.whole_seconds()
    } else {
        state.config.session_absolute.whole_seconds()
    };
    let expires = now + lifetime;
    // Shown on the console's session list: a device name, not a whole header.
    let user_agent = ctx
        .user_agent()
        .map(|ua| ua.chars().take(256).collect::<String>());
    state
        .store
        .insert_customer_session(&NewSession {
            id,
            customer: customer.id,
            now,
            expires_at: expires,
            user_agent: user_agent.as_deref(),
            ip: ctx.ip(),
            amr: &beginning.proof.amr(),
            mfa_at: beginning.mfa_at,
            handed_off_from: beginning.handed_off_from,
            shared_screen: beginning.shared_screen,
        })
        .await?;
    Ok(id)
}

/// The customer signed in through session `id`, while it is live (seen
/// now: `last_seen_at` is refreshed at most once a minute, to keep page
/// views read-only).
pub async fn live(state: &AppState, id: Uuid) -> Result<Option<SignedIn>> {
    let now = state.clock.now();
    let Some(live) = state.store.customer_for_session(id, now).await? else {
        return Ok(None);
    };
    if now - live.last_seen_at >= TOUCH_EVERY {
        state.store.touch_customer_session(id, now).await?;
    }
    Ok(Some(SignedIn {
        customer: live.customer,
        session_id: id,
        auth_time: live.auth_time,
        amr: live.amr,
        mfa_at: live.mfa_at,
    }))
}

/// Ends session `id` (signed out on its device).
pub async fn end(state: &AppState, id: Uuid) -> Result<()> {
    let now = state.clock.now();
    state.store.end_sessions(Ending::One(id), now).await?;
    Ok(())
}

/// The customer's live sessions (their devices), most recently used first.
pub async fn devices_of(state: &AppState, customer: CustomerId) -> Result<Vec<SessionInfo>> {
    Ok(state
        .store
        .list_customer_sessions(customer, state.clock.now())
        .await?)
}

/// The signed-in customer signs one of their devices out: its next
/// request finds no session, on any instance.
pub async fn end_device(
    state: &AppState,
    ctx: &RequestContext,
    signed_in: &SignedIn,
    session: Uuid,
) -> Result<()> {
    crate::directory::customers::end_session_of(state, ctx, signed_in.customer.id, session).await
}

/// The signed-in customer signs every device but this one out; how many.
pub async fn end_other_devices(
    state: &AppState,
    ctx: &RequestContext,
    signed_in: &SignedIn,
) -> Result<u64> {
    let customer = signed_in.customer.id;
    let ending = Ending::AllBut(customer, signed_in.session_id);
    let ended = state.store.end_sessions(ending, state.clock.now()).await?;
    let details = json!({ "sessions_ended": ended, "kept": signed_in.session_id });
    audit::record(
        state,
        ctx,
        Action::CustomerSessionsRevoked,
        Some(customer),
        details,
    )
    .await?;
    Ok(ended)
}

/// The admin of a console session begun at `signed_in_at`, while within
/// its absolute lifetime and while the admin exists.
pub async fn admin_live(state: &AppState, id: AdminId, signed_in_at: i64) -> Result<Option<Admin>> {
    let age = state.clock.now() - signed_in_at;
    if age >= state.config.admin_session_absolute.whole_seconds() {
        return Ok(None);
    }
    Ok(state.store.admin_by_id(id).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proof_reads_back_from_its_amr() {
        let methods = [
            AuthMethod::Password,
            AuthMethod::EmailLink,
            AuthMethod::Passkey,
        ];
        let seconds = [None, Some(FactorKind::Totp), Some(FactorKind::Passkey)];
        for first in methods {
            for second in seconds {
                let proof = Proof { first, second };
                assert_eq!(Proof::from_amr(&proof.amr()), proof, "{proof:?}");
            }
        }
        let recovery = Proof {
            first: AuthMethod::Password,
            second: Some(FactorKind::RecoveryCode),
        };
        assert_eq!(
            Proof::from_amr(&recovery.amr()).second,
            Some(FactorKind::Totp)
        );
    }
}
