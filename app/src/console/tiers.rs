use super::{ConsoleChrome, console_document};
use crate::FieldErrors;
use crate::components::{CELL, CsrfField, DataTable, Field, Flash, PostButton, fact_rows};
use crate::paths;
use leptos::prelude::*;

/// A tier as the console lists it.
#[derive(Clone, Debug, Default)]
pub struct TierRow {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub rank: i64,
    pub colour: String,
    pub entitlements: String,
    pub is_default: bool,
    pub archived: bool,
}

/// The tier form's values, as stored or as typed.
#[derive(Clone, Debug, Default)]
pub struct TierFormValues {
    pub slug: String,
    pub name: String,
    pub rank: String,
    pub description: String,
    pub colour: String,
    pub entitlements: String,
    pub fallback: String,
    pub grace_days: String,
}

#[derive(Clone, Debug, Default)]
pub struct TiersView {
    pub tiers: Vec<TierRow>,
    pub can_manage: bool,
    pub form: TierFormValues,
    pub errors: FieldErrors,
    pub notice: Option<String>,
}

/// One move of a customer between tiers, for history tables.
#[derive(Clone, Debug, Default)]
pub struct TierChangeRow {
    pub at: String,
    /// The customer's id (on a tier's page) or empty (on the customer's page).
    pub customer: String,
    pub from: String,
    pub to: String,
    pub source: String,
    pub by: String,
    pub reason: String,
    pub until: String,
}

#[derive(Clone, Debug, Default)]
pub struct TierDetailView {
    pub tier: TierRow,
    pub description: String,
    pub fallback: String,
    pub grace_days: i64,
    pub members: i64,
    pub changes: Vec<TierChangeRow>,
    /// Every tier (slug, name) for the fallback choice.
    pub all_tiers: Vec<(String, String)>,
    pub can_manage: bool,
    pub form: TierFormValues,
    pub errors: FieldErrors,
    pub notice: Option<String>,
    /// The tier's MFA policy and its members' coverage.
    pub mfa: super::TierMfaView,
}

/// A colour chip beside a tier's name (decorative: the name says it all).
pub fn tier_badge(name: &str, colour: &str) -> impl IntoView + use<> {
    view! {
        <span class="inline-flex items-center gap-2">
            <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true"><circle cx="6" cy="6" r="6" fill=colour.to_string()/></svg>
            {name.to_string()}
        </span>
    }
}

fn tier_form(
    action: String,
    csrf: String,
    values: TierFormValues,
    errors: FieldErrors,
    tiers: Vec<(String, String)>,
    submit: &'static str,
) -> impl IntoView {
    let fallback_options = std::iter::once((String::new(), "No fallback".to_string()))
        .chain(tiers)
        .map(|(slug, name)| {
            let selected = slug == values.fallback;
            view! { <option value=slug selected=selected>{name}</option> }
        })
        .collect_view();
    let fallback_error = errors.get("fallback");
    view! {
        <form method="post" action=action novalidate class="grid grid-cols-1 gap-x-4 sm:grid-cols-2">
            <CsrfField token=csrf/>
            <Field name="name" label="Name" value=values.name error=errors.get("name") maxlength=60/>
            <Field name="slug" label="Slug" value=values.slug error=errors.get("slug") maxlength=40
                hint="Lower-case letters, digits and hyphens; tokens and exports use it."/>
            <Field name="rank" label="Rank" kind="number" value=values.rank error=errors.get("rank") maxlength=7
                hint="Higher ranks are better tiers."/>
            <Field name="colour" label="Colour" value=values.colour error=errors.get("colour") maxlength=7
                hint="Like #b8860b."/>
            <Field name="description" label="Description" value=values.description error=errors.get("description")
                maxlength=500 required=false/>
            <Field name="entitlements" label="Entitlements" value=values.entitlements error=errors.get("entitlements")
                maxlength=4000 required=false hint="Separated by commas, e.g. priority-support, free-shipping."/>
            <div class="mb-4">
                <label for="field-fallback" class="block text-sm font-medium text-slate-700">"Fallback tier"</label>
                <select id="field-fallback" name="fallback"
                    aria-describedby=if fallback_error.is_some() { "field-fallback-hint field-fallback-error" } else { "field-fallback-hint" }
                    aria-invalid=fallback_error.is_some().then_some("true")
                    class="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2">{fallback_options}</select>
                <p id="field-fallback-hint" class="mt-1 text-sm text-slate-500">"Where customers go when their time in this tier ends."</p>
                {fallback_error.map(|e| view! { <p id="field-fallback-error" class="mt-1 text-sm font-medium text-red-700">{e}</p> })}
            </div>
            <Field name="grace_days" label="Grace days" kind="number" value=values.grace_days error=errors.get("grace_days")
                maxlength=3 required=false hint="Days after the end date before the move."/>
            <div class="sm:col-span-2">
                <button type="submit" class="rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700">{submit}</button>
            </div>
        </form>
    }
}

pub fn tiers_page(chrome: &ConsoleChrome, page: &TiersView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let count = page.tiers.len();
    let all: Vec<(String, String)> = page
        .tiers
        .iter()
        .filter(|t| !t.archived)
        .map(|t| (t.slug.clone(), t.name.clone()))
        .collect();
    let rows = page
        .tiers
        .iter()
        .map(|t| {
            let status = match (t.is_default, t.archived) {
                (true, _) => "Default for new customers",
                (false, true) => "Archived",
                (false, false) => "Active",
            };
            view! {
                <tr class="border-t border-slate-200">
                    <td class=CELL>
                        <a href=paths::at(paths::TIER, &[&t.id]) class="font-medium text-indigo-700 hover:underline">{tier_badge(&t.name, &t.colour)}</a>
                    </td>
                    <td class=CELL>{t.slug.clone()}</td>
                    <td class=CELL>{t.rank}</td>
                    <td class=format!("{CELL} break-all")>{t.entitlements.clone()}</td>
                    <td class=CELL>{status}</td>
                </tr>
            }
        })
        .collect_view();
    let create = page.can_manage.then(|| {
        view! {
            <section class="mt-6 rounded-lg bg-white p-4 shadow-sm">
                <h2 class="mb-3 text-lg font-semibold">"New tier"</h2>
                {tier_form(paths::TIERS.into(), chrome.csrf_token.clone(), page.form.clone(), page.errors.clone(), all, "Create tier")}
            </section>
        }
    });
    let body = view! {
        <h1 class="mb-4 text-2xl font-semibold">"Tiers"</h1>
        <Flash message=page.notice.clone()/>
        <DataTable caption="Tiers" headers=vec!["Tier", "Slug", "Rank", "Entitlements", "Status"]
            empty="No tiers." rows=count>{rows}</DataTable>
        {create}
    };
    console_document(&chrome, "Tiers", body)
}

/// Rows of a tier-history table (`with_customer` adds the customer column).
pub fn change_rows(changes: &[TierChangeRow], with_customer: bool) -> impl IntoView + use<> {
    changes
        .iter()
        .cloned()
        .map(|c| {
            let customer = with_customer.then(|| {
                view! {
                    <td class=format!("{CELL} font-mono text-xs break-all")>
                        <a href=paths::at(paths::CUSTOMER, &[&c.customer]) class="text-indigo-700 hover:underline">{c.customer.clone()}</a>
                    </td>
                }
            });
            view! {
                <tr class="border-t border-slate-200">
                    <td class=format!("{CELL} whitespace-nowrap")>{c.at}</td>
                    {customer}
                    <td class=CELL>{c.from}</td>
                    <td class=CELL>{c.to}</td>
                    <td class=CELL>{c.source}</td>
                    <td class=format!("{CELL} break-all")>{c.by}</td>
                    <td class=CELL>{c.reason}</td>
                    <td class=format!("{CELL} whitespace-nowrap")>{c.until}</td>
                </tr>
            }
        })
        .collect_view()
}

pub fn tier_detail_page(chrome: &ConsoleChrome, page: &TierDetailView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let t = page.tier.clone();
    let facts = [
        ("Slug", t.slug.clone()),
        ("Rank", t.rank.to_string()),
        ("Description", page.description.clone()),
        ("Entitlements", t.entitlements.clone()),
        (
            "Fallback",
            format!("{} (after {} grace days)", page.fallback, page.grace_days),
        ),
        ("Customers", page.members.to_string()),
        (
            "Status",
            if t.is_default {
                "Default for new customers".into()
            } else if t.archived {
                "Archived".into()
            } else {
                "Active".to_string()
            },
        ),
    ];
    let facts = fact_rows(facts);
    let actions = page.can_manage.then(|| {
        let mut buttons = Vec::new();
        if !t.is_default && !t.archived {
            buttons.push(("default", "Make default"));
            buttons.push(("archive", "Archive tier"));
        }
        if t.archived {
            buttons.push(("unarchive", "Restore tier"));
        }
        let forms = buttons
            .into_iter()
            .map(|(action, label)| view! {
                <PostButton action=paths::at(paths::TIER_ACTION, &[&t.id, &action]) label=label.to_string() csrf=csrf.clone()/>
            })
            .collect_view();
        view! { <div class="mt-4 flex flex-wrap gap-2">{forms}</div> }
    });
    let edit = page.can_manage.then(|| {
        let others: Vec<(String, String)> = page.all_tiers.iter().filter(|(slug, _)| *slug != t.slug).cloned().collect();
        view! {
            <section class="mb-6 rounded-lg bg-white p-4 shadow-sm">
                <h2 class="mb-3 text-lg font-semibold">"Edit tier"</h2>
                {tier_form(paths::at(paths::TIER, &[&t.id]), csrf.clone(), page.form.clone(), page.errors.clone(), others, "Save tier")}
            </section>
        }
    });
    let change_count = page.changes.len();
    let body = view! {
        <p class="mb-2 text-sm"><a href=paths::TIERS class="text-indigo-700 hover:underline">"All tiers"</a></p>
        <h1 class="mb-4 text-2xl font-semibold">{tier_badge(&t.name, &t.colour)}</h1>
        <Flash message=page.notice.clone()/>
        <section class="mb-6 rounded-lg bg-white p-4 shadow-sm">
            <dl class="divide-y divide-slate-100">{facts}</dl>
            <p class="mt-2 text-sm">
                <a href=format!("{}?tier={}", paths::CUSTOMERS, t.slug) class="text-indigo-700 hover:underline">"List this tier's customers"</a>
            </p>
            {actions}
        </section>
        {super::tier_mfa_section(&t.id, &page.mfa, page.can_manage, csrf.clone())}
        {edit}
        <h2 class="mb-2 text-lg font-semibold">"Recent changes"</h2>
        <DataTable caption="Recent tier changes" headers=vec!["When", "Customer", "From", "To", "How", "By", "Reason", "Until"]
            empty="No customer has moved into or out of this tier yet." rows=change_count>{change_rows(&page.changes, true)}</DataTable>
    };
    console_document(&chrome, "Tier", body)
}
