//! The MFA policy as owners set it: one for everyone, overridden per tier,
//! and how many of a tier's members are covered.

use crate::audit;
use crate::domain::mfa::{
    Coverage, MfaPolicy, MfaProblem, MfaSettings, REMEMBER_DAYS_MAX, STEP_UP_MINUTES_MAX, TierMfa,
};
use crate::domain::{Action, Error, FieldErrors, OwnerTask, RequestContext, Result, TierId};
use crate::state::AppState;
use serde_json::json;

/// The global policy as an owner sets it; `None` is a value not given
/// (or unreadable), which is refused.
#[derive(Clone, Copy, Debug, Default)]
pub struct PolicyDraft {
    pub policy: Option<MfaPolicy>,
    pub remember_days: Option<i64>,
    pub step_up_minutes: Option<i64>,
}

/// Sets the global policy (owners only); every value checked, nothing
/// changed when one is wrong.
pub async fn set(state: &AppState, ctx: &RequestContext, draft: PolicyDraft) -> Result<()> {
    ctx.require_owner(OwnerTask::SetMfaPolicy)?;
    let mut errors = FieldErrors::new();
    if draft.policy.is_none() {
        errors.add("policy", MfaProblem::PolicyChoice);
    }
    let remember_days = draft
        .remember_days
        .filter(|d| (0..=REMEMBER_DAYS_MAX).contains(d));
    if remember_days.is_none() {
        errors.add("remember_days", MfaProblem::RememberDays);
    }
    let step_up_minutes = draft
        .step_up_minutes
        .filter(|m| (1..=STEP_UP_MINUTES_MAX).contains(m));
    if step_up_minutes.is_none() {
        errors.add("step_up_minutes", MfaProblem::StepUpMinutes);
    }
    let (Some(policy), Some(remember_days), Some(step_up_minutes)) =
        (draft.policy, remember_days, step_up_minutes)
    else {
        return Err(Error::Invalid(errors));
    };
    let after = MfaSettings {
        policy,
        remember_days,
        step_up_minutes,
    };
    let before = state.store.mfa_settings().await?;
    state
        .store
        .update_mfa_settings(&after, state.clock.now())
        .await?;
    let details = json!({
        "scope": "global",
        "before": { "policy": before.policy.as_str(), "remember_days": before.remember_days, "step_up_minutes": before.step_up_minutes },
        "after": { "policy": after.policy.as_str(), "remember_days": after.remember_days, "step_up_minutes": after.step_up_minutes },
    });
    audit::record(state, ctx, Action::MfaPolicyChanged, None, details).await
}

/// Sets one tier's override (owners only): what it leaves as `None`
/// follows the global policy.
pub async fn set_for_tier(
    state: &AppState,
    ctx: &RequestContext,
    tier: TierId,
    after: TierMfa,
) -> Result<()> {
    ctx.require_owner(OwnerTask::SetMfaPolicy)?;
    if after
        .remember_days
        .is_some_and(|d| !(0..=REMEMBER_DAYS_MAX).contains(&d))
    {
        return Err(Error::invalid("remember_days", MfaProblem::RememberDays));
    }
    let Some(before) = state.store.tier_mfa(tier).await? else {
        return Err(Error::NotFound);
    };
    if !state
        .store
        .set_tier_mfa(tier, after, state.clock.now())
        .await?
    {
        return Err(Error::NotFound);
    }
    let shown = |m: TierMfa| json!({ "policy": m.policy.map(MfaPolicy::as_str), "remember_days": m.remember_days });
    let details =
        json!({ "scope": "tier", "tier": tier.0, "before": shown(before), "after": shown(after) });
    audit::record(state, ctx, Action::MfaPolicyChanged, None, details).await
}

/// How many of the tier's members hold a factor, by kind.
pub async fn coverage(state: &AppState, tier: TierId) -> Result<Coverage> {
    Ok(state.store.tier_coverage(tier).await?)
}

/// The MFA policy that applies to `customer` now: their tier's, else the
/// global one (read at each sign-in, so a tier move or a policy change
/// applies at the next).
pub async fn for_customer(
    state: &AppState,
    customer: crate::domain::CustomerId,
) -> Result<crate::domain::mfa::EffectiveMfa> {
    let (settings, tier) = state.store.mfa_for_customer(customer).await?;
    Ok(settings.for_tier(tier))
}

/// The global policy, every tier's own settings, and the tiers.
pub async fn overview(
    state: &AppState,
) -> Result<(
    MfaSettings,
    std::collections::HashMap<TierId, TierMfa>,
    Vec<crate::domain::Tier>,
)> {
    let settings = state.store.mfa_settings().await?;
    let own = state.store.tiers_mfa().await?.into_iter().collect();
    let tiers = state.store.list_tiers().await?;
    Ok((settings, own, tiers))
}

/// The global policy and `tier`'s own settings (none: as global).
pub async fn of_tier(state: &AppState, tier: TierId) -> Result<(MfaSettings, TierMfa)> {
    let settings = state.store.mfa_settings().await?;
    let own = state.store.tier_mfa(tier).await?.unwrap_or_default();
    Ok((settings, own))
}
