//! The MFA policy in the console: the global setting, each tier's override
//! and coverage, and a customer's factors.

use super::ConsoleChrome;
use super::console_document;
use super::tiers::tier_badge;
use crate::FieldErrors;
use crate::components::{CELL, CsrfField, DataTable, Field, Flash, SelectField, fact_rows};
use crate::paths;
use leptos::prelude::*;

/// The policies as (value, label), for the selects.
pub const POLICIES: &[(&str, &str)] = &[
    ("off", "Off"),
    ("optional", "Optional"),
    ("required", "Required"),
    ("phishing_resistant", "Phishing-resistant (passkeys only)"),
];

/// How many of a tier's members hold a factor.
#[derive(Clone, Debug, Default)]
pub struct CoverageView {
    pub members: i64,
    pub enrolled: i64,
    pub totp: i64,
    pub passkey: i64,
}

impl CoverageView {
    fn share(&self, n: i64) -> String {
        if self.members == 0 {
            return format!("{n}");
        }
        format!("{n} ({:.1}%)", n as f64 * 100.0 / self.members as f64)
    }
}

/// One tier on the MFA page.
#[derive(Clone, Debug, Default)]
pub struct TierPolicyRow {
    pub id: String,
    pub name: String,
    pub colour: String,
    /// The tier's own policy label, or "As global (…)".
    pub policy: String,
    pub remember: String,
}

#[derive(Clone, Debug, Default)]
pub struct MfaPolicyView {
    /// The form's values: policy, remember days, step-up minutes.
    pub policy: String,
    pub remember_days: String,
    pub step_up_minutes: String,
    pub tiers: Vec<TierPolicyRow>,
    pub can_manage: bool,
    pub errors: FieldErrors,
    pub notice: Option<String>,
}

fn options() -> Vec<(String, String)> {
    POLICIES
        .iter()
        .map(|(v, l)| (v.to_string(), l.to_string()))
        .collect()
}

pub fn mfa_policy_page(chrome: &ConsoleChrome, page: &MfaPolicyView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let form = if page.can_manage {
        view! {
            <form method="post" action=paths::MFA_POLICY class="max-w-lg" novalidate>
                <CsrfField token=csrf.clone()/>
                <SelectField name="policy" label="Policy for every tier without its own" options=options()
                    selected=page.policy.clone() error=page.errors.get("policy")
                    hint="Required: customers without a factor set one up at their next sign-in. Phishing-resistant: passkeys only."/>
                <Field name="remember_days" label="Remember a browser for (days)" kind="number" value=page.remember_days.clone()
                    error=page.errors.get("remember_days") maxlength=3 hint="0: ask at every sign-in."/>
                <Field name="step_up_minutes" label="Re-check window (minutes)" kind="number" value=page.step_up_minutes.clone()
                    error=page.errors.get("step_up_minutes") maxlength=4
                    hint="Changing a password or a factor needs a second factor within this time."/>
                <button type="submit" class="rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700">"Save policy"</button>
            </form>
        }
        .into_any()
    } else {
        let facts = fact_rows([
            ("Policy", page.policy.clone()),
            ("Remember a browser (days)", page.remember_days.clone()),
            ("Re-check window (minutes)", page.step_up_minutes.clone()),
        ]);
        view! { <dl class="divide-y divide-slate-100">{facts}</dl> }.into_any()
    };
    let count = page.tiers.len();
    let rows = page
        .tiers
        .iter()
        .map(|t| {
            view! {
                <tr class="border-t border-slate-100">
                    <td class=CELL><a href=paths::at(paths::TIER, &[&t.id]) class="text-indigo-700 hover:underline">{tier_badge(&t.name, &t.colour)}</a></td>
                    <td class=CELL>{t.policy.clone()}</td>
                    <td class=CELL>{t.remember.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let body = view! {
        <h1 class="mb-4 text-2xl font-semibold">"Sign-in security (MFA)"</h1>
        <Flash message=page.notice.clone()/>
        <section class="mb-6 rounded-lg bg-white p-4 shadow-sm">
            <h2 class="mb-3 text-lg font-semibold">"Global policy"</h2>
            {form}
        </section>
        <h2 class="mb-3 text-lg font-semibold">"By tier"</h2>
        <p class="mb-3 text-sm text-slate-600">"A tier's own policy overrides the global one; set it on the tier's page, where its coverage is shown."</p>
        <DataTable caption="MFA policy by tier" headers=vec!["Tier", "Policy", "Remember a browser"] empty="No tiers." rows=count>
            {rows}
        </DataTable>
    };
    console_document(&chrome, "Sign-in security", body)
}

/// A tier's MFA section on its page.
#[derive(Clone, Debug, Default)]
pub struct TierMfaView {
    /// The tier's own values ("" follows the global policy).
    pub policy: String,
    pub remember_days: String,
    /// The global policy's label and days, for the "as global" choice.
    pub global: String,
    pub coverage: CoverageView,
    pub errors: FieldErrors,
}

pub fn tier_mfa_section(
    tier_id: &str,
    mfa: &TierMfaView,
    can_manage: bool,
    csrf: String,
) -> impl IntoView + use<> {
    let c = mfa.coverage.clone();
    let facts = fact_rows([
        ("Members", c.members.to_string()),
        ("With a second factor", c.share(c.enrolled)),
        ("With an authenticator app", c.share(c.totp)),
        ("With a passkey", c.share(c.passkey)),
    ]);
    let form = can_manage.then(|| {
        let mut choices = vec![(String::new(), format!("As global ({})", mfa.global))];
        choices.extend(options());
        view! {
            <form method="post" action=paths::at(paths::TIER_MFA, &[&tier_id]) class="mt-4 max-w-lg" novalidate>
                <CsrfField token=csrf/>
                <SelectField name="policy" label="MFA policy" options=choices selected=mfa.policy.clone()
                    error=mfa.errors.get("policy") required=false/>
                <Field name="remember_days" label="Remember a browser for (days)" kind="number" value=mfa.remember_days.clone()
                    error=mfa.errors.get("remember_days") maxlength=3 required=false hint="Empty: as the global policy."/>
                <button type="submit" class="rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700">"Save MFA policy"</button>
            </form>
        }
    });
    view! {
        <section class="mb-6 rounded-lg bg-white p-4 shadow-sm" aria-labelledby="tier-mfa">
            <h2 id="tier-mfa" class="mb-3 text-lg font-semibold">"Sign-in security (MFA)"</h2>
            <dl class="divide-y divide-slate-100">{facts}</dl>
            {form}
        </section>
    }
}
