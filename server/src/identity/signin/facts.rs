//! What the rules of a sign-in read about its account, loaded once per
//! step: its state, the MFA policy that applies now, the factors held,
//! and whether this browser was remembered.

use super::attempt::Attempt;
use super::{Account, Facts, Realm};
use crate::domain::mfa::{EffectiveMfa, FactorKind, MfaPolicy};
use crate::domain::secrets::hash_token;
use crate::domain::{AdminId, CustomerId, Result};
use crate::state::AppState;
use crate::store::FactorOwner;
use uuid::Uuid;

/// The account an attempt is for, as it is now, and the facts its rules
/// read (leaving out the factor `new_factor`, if any). `None` when the
/// account is gone.
pub(super) async fn facts(
    state: &AppState,
    attempt: &Attempt,
    remembered: Option<&str>,
    new_factor: Option<Uuid>,
) -> Result<Option<(Account, Facts)>> {
    let held = |owner| held(state, owner, new_factor);
    Ok(match attempt.realm {
        Realm::Customers => {
            let id = CustomerId(attempt.subject);
            let Some(customer) = state.store.customer_by_id(id).await? else {
                return Ok(None);
            };
            let mfa = crate::mfa::policy::for_customer(state, id).await?;
            let held = held(FactorOwner::Customer(id)).await?;
            let facts = Facts {
                realm: Realm::Customers,
                disabled: customer.disabled,
                policy: mfa.policy,
                remembered: remembered_here(state, id, &mfa, remembered).await?,
                held,
            };
            Some((Account::Customer(customer), facts))
        }
        Realm::Admins => {
            let id = AdminId(attempt.subject);
            let Some(admin) = state.store.admin_by_id(id).await? else {
                return Ok(None);
            };
            let facts = Facts {
                realm: Realm::Admins,
                disabled: false,
                policy: MfaPolicy::Required,
                held: held(FactorOwner::Admin(id)).await?,
                remembered: false,
            };
            Some((Account::Admin(admin), facts))
        }
    })
}

async fn held(
    state: &AppState,
    owner: FactorOwner,
    leave_out: Option<Uuid>,
) -> Result<Vec<FactorKind>> {
    let factors = state.store.factors(owner).await?;
    Ok(factors
        .iter()
        .filter(|f| Some(f.id) != leave_out)
        .map(|f| f.kind)
        .collect())
}

/// Whether this browser was remembered after a second factor, within the
/// days the policy allows now. Never under the phishing-resistant policy:
/// there, only a passkey signs in.
async fn remembered_here(
    state: &AppState,
    customer: CustomerId,
    policy: &EffectiveMfa,
    token: Option<&str>,
) -> Result<bool> {
    let Some(token) = token else {
        return Ok(false);
    };
    if policy.remember_days == 0 || !policy.policy.accepts(FactorKind::Totp) {
        return Ok(false);
    }
    let now = state.clock.now();
    let since = now - policy.remember_days * 86_400;
    Ok(state
        .store
        .browser_remembered(&hash_token(token), customer, now, since)
        .await?)
}
