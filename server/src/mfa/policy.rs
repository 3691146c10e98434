//! The MFA policy as owners set it: one for everyone, overridden per tier,
//! and how many of a tier's members are covered.

use crate::audit;
use crate::domain::mfa::{
    Coverage, MfaPolicy, MfaProblem, MfaSettings, REMEMBER_DAYS_MAX, STEP_UP_MINUTES_MAX, TierMfa,
};
use crate::domain::{Action, Error, FieldErrors, OwnerTask, RequestContext, Result, TierId};
use crate::state::AppState;
use serde_json::json;

/// The global policy as its form sends it.
pub struct SettingsForm<'a> {
    pub policy: &'a str,
    pub remember_days: &'a str,
    pub step_up_minutes: &'a str,
}

/// A tier's override as its form sends it: empty fields follow the
/// global policy.
pub struct TierForm<'a> {
    pub policy: &'a str,
    pub remember_days: &'a str,
}

fn days(raw: &str, errors: &mut FieldErrors) -> Option<i64> {
    match raw.trim().parse::<i64>() {
        Ok(d) if (0..=REMEMBER_DAYS_MAX).contains(&d) => Some(d),
        _ => {
            errors.add("remember_days", MfaProblem::RememberDays);
            None
        }
    }
}

fn policy(raw: &str, errors: &mut FieldErrors) -> Option<MfaPolicy> {
    let parsed = MfaPolicy::parse(raw.trim());
    if parsed.is_none() {
        errors.add("policy", MfaProblem::PolicyChoice);
    }
    parsed
}

/// Sets the global policy (owners only); every field checked, nothing
/// changed when one is wrong.
pub async fn set(state: &AppState, ctx: &RequestContext, form: SettingsForm<'_>) -> Result<()> {
    ctx.require_owner(OwnerTask::SetMfaPolicy)?;
    let mut errors = FieldErrors::new();
    let policy = policy(form.policy, &mut errors);
    let remember_days = days(form.remember_days, &mut errors);
    let step_up_minutes = match form.step_up_minutes.trim().parse::<i64>() {
        Ok(m) if (1..=STEP_UP_MINUTES_MAX).contains(&m) => Some(m),
        _ => {
            errors.add("step_up_minutes", MfaProblem::StepUpMinutes);
            None
        }
    };
    let (Some(policy), Some(remember_days), Some(step_up_minutes)) =
        (policy, remember_days, step_up_minutes)
    else {
        return Err(Error::Invalid(errors));
    };
    let before = state.store.mfa_settings().await?;
    let after = MfaSettings {
        policy,
        remember_days,
        step_up_minutes,
    };
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

/// Sets one tier's override (owners only).
pub async fn set_for_tier(
    state: &AppState,
    ctx: &RequestContext,
    tier: TierId,
    form: TierForm<'_>,
) -> Result<()> {
    ctx.require_owner(OwnerTask::SetMfaPolicy)?;
    let mut errors = FieldErrors::new();
    let policy = match form.policy.trim() {
        "" | "inherit" => Some(None),
        raw => policy(raw, &mut errors).map(Some),
    };
    let remember_days = match form.remember_days.trim() {
        "" => Some(None),
        raw => days(raw, &mut errors).map(Some),
    };
    let (Some(policy), Some(remember_days)) = (policy, remember_days) else {
        return Err(Error::Invalid(errors));
    };
    let Some(before) = state.store.tier_mfa(tier).await? else {
        return Err(Error::NotFound);
    };
    let after = TierMfa {
        policy,
        remember_days,
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
    let settings = state.store.mfa_settings().await?;
    let tier = state.store.customer_tier_mfa(customer).await?;
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
