//! The MFA policy in the console: every role reads it, owners set it.
//! A tier's own policy is set on the tier's page (`tiers`), from the view
//! made here.

use super::{SignedInAdmin, answer, page};
use crate::domain::mfa::{Coverage, MfaPolicy, MfaProblem, MfaSettings, TierMfa};
use crate::domain::{Error, FieldErrors, Result, TierId};
use crate::http::extract::FormData;
use crate::mfa::policy::{self, PolicyDraft};
use crate::state::AppState;
use app::console::*;
use app::paths;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route(paths::MFA_POLICY, get(show).post(save))
}

#[derive(Deserialize)]
struct PolicyForm {
    #[serde(default)]
    policy: String,
    #[serde(default)]
    remember_days: String,
    #[serde(default)]
    step_up_minutes: String,
}

impl PolicyForm {
    /// The typed policy the form stands for.
    fn draft(&self) -> PolicyDraft {
        PolicyDraft {
            policy: MfaPolicy::parse(self.policy.trim()),
            remember_days: self.remember_days.trim().parse().ok(),
            step_up_minutes: self.step_up_minutes.trim().parse().ok(),
        }
    }
}

/// A tier's own policy as its form sends it: an empty field (or
/// "inherit") follows the global policy.
#[derive(Deserialize)]
pub(super) struct TierMfaForm {
    #[serde(default)]
    pub policy: String,
    #[serde(default)]
    pub remember_days: String,
}

impl TierMfaForm {
    pub fn own(&self) -> Result<TierMfa> {
        let mut errors = FieldErrors::new();
        let policy = match self.policy.trim() {
            "" | "inherit" => None,
            raw => {
                let parsed = MfaPolicy::parse(raw);
                if parsed.is_none() {
                    errors.add("policy", MfaProblem::PolicyChoice);
                }
                parsed
            }
        };
        let remember_days = match self.remember_days.trim() {
            "" => None,
            raw => {
                let parsed = raw.parse().ok();
                if parsed.is_none() {
                    errors.add("remember_days", MfaProblem::RememberDays);
                }
                parsed
            }
        };
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        Ok(TierMfa {
            policy,
            remember_days,
        })
    }
}

fn global_words(settings: &MfaSettings) -> String {
    let remember = match settings.remember_days {
        0 => "browsers never remembered".to_string(),
        d => format!("browsers remembered {d} days"),
    };
    format!("{}, {remember}", settings.policy.label())
}

async fn view(state: &AppState, admin: &SignedInAdmin) -> Result<MfaPolicyView> {
    let (settings, own, tiers) = policy::overview(state).await?;
    let tiers = tiers
        .into_iter()
        .filter(|t| !t.archived)
        .map(|t| {
            let mfa = own.get(&t.id).copied().unwrap_or_default();
            TierPolicyRow {
                id: t.id.to_string(),
                name: t.name,
                colour: t.colour,
                policy: mfa.policy.map_or_else(
                    || format!("As global ({})", settings.policy.label()),
                    |p| p.label().to_string(),
                ),
                remember: match mfa.remember_days.unwrap_or(settings.remember_days) {
                    0 => "Never".into(),
                    d => format!("{d} days"),
                },
            }
        })
        .collect();
    Ok(MfaPolicyView {
        policy: settings.policy.as_str().into(),
        remember_days: settings.remember_days.to_string(),
        step_up_minutes: settings.step_up_minutes.to_string(),
        tiers,
        can_manage: admin.admin().role.can_manage_admins(),
        ..Default::default()
    })
}

async fn show(State(state): State<AppState>, admin: SignedInAdmin) -> Result<Response> {
    let view = MfaPolicyView {
        notice: admin.0.take_flash().await?,
        ..view(&state, &admin).await?
    };
    Ok(page(
        StatusCode::OK,
        mfa_policy_page(&admin.0.chrome().await?, &view),
    ))
}

async fn save(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    FormData(form): FormData<PolicyForm>,
) -> Result<Response> {
    let saved = policy::set(&state, &admin.0.ctx, form.draft()).await;
    let done = |()| ("The MFA policy is saved.".into(), paths::MFA_POLICY.into());
    answer(&admin, saved, done, async |errors| {
        let view = MfaPolicyView {
            policy: form.policy,
            remember_days: form.remember_days,
            step_up_minutes: form.step_up_minutes,
            errors: super::shown(&errors),
            ..view(&state, &admin).await?
        };
        Ok(mfa_policy_page(&admin.0.chrome().await?, &view))
    })
    .await
}

/// A tier's MFA section: its own policy (as stored, or `typed`) and how
/// many of its members are covered.
pub(super) async fn tier_view(
    state: &AppState,
    tier: TierId,
    typed: Option<(String, String)>,
) -> Result<TierMfaView> {
    let (settings, own) = policy::of_tier(state, tier).await?;
    let Coverage {
        members,
        enrolled,
        totp,
        passkey,
    } = policy::coverage(state, tier).await?;
    let (policy, remember_days) = typed.unwrap_or_else(|| {
        (
            own.policy
                .map(|p| p.as_str().to_string())
                .unwrap_or_default(),
            own.remember_days.map(|d| d.to_string()).unwrap_or_default(),
        )
    });
    Ok(TierMfaView {
        policy,
        remember_days,
        global: global_words(&settings),
        coverage: CoverageView {
            members,
            enrolled,
            totp,
            passkey,
        },
        errors: Default::default(),
    })
}
