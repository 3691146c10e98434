use super::{ConsoleChrome, console_document};
use super::{TierChangeRow, change_rows, tier_badge};
use crate::FieldErrors;
use crate::components::{
    AttributeField, AttributeInput, CELL, CsrfField, DataTable, Field, Flash, PostButton, fact_rows,
};
use crate::paths;
use leptos::prelude::*;

#[derive(Clone, Debug, Default)]
pub struct EventRow {
    pub at: String,
    /// The customer acted on (an id), where the table has a column for it.
    pub customer: Option<String>,
    pub actor: String,
    pub action: String,
    pub source: String,
    pub details: String,
}

/// One signed-in device of the customer.
/// An application that holds access for the customer.
#[derive(Clone, Debug, Default)]
pub struct CustomerAppRow {
    pub client_id: String,
    pub name: String,
    /// What it may see, in words.
    pub shares: String,
    pub since: String,
}

#[derive(Clone, Debug, Default)]
pub struct CustomerDetailView {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub verified: bool,
    pub disabled: bool,
    pub created: String,
    pub last_sign_in: String,
    pub last_sign_in_from: String,
    pub sessions: Vec<crate::components::DeviceRow>,
    pub apps: Vec<CustomerAppRow>,
    /// Second factors (names and dates, never secrets), and unused
    /// recovery codes.
    pub factors: Vec<crate::components::FactorRow>,
    pub recovery_codes_left: i64,
    /// Source addresses currently held back from signing in to the account.
    pub blocked_sources: i64,
    /// Whether the admin's role may change this record (buttons shown).
    pub can_edit: bool,
    pub can_delete: bool,
    /// The profile form's values (as stored, or as typed when invalid).
    pub edit_email: String,
    pub edit_name: String,
    pub errors: FieldErrors,
    pub notice: Option<String>,
    pub events: Vec<EventRow>,
    pub tier_name: String,
    pub tier_colour: String,
    pub tier_id: String,
    /// When the customer's time in the tier ends, or empty.
    pub tier_until: String,
    /// Active tiers (id, name) to move the customer to.
    pub tier_options: Vec<(String, String)>,
    pub tier_history: Vec<TierChangeRow>,
    /// Every active attribute, admin-only ones included.
    pub attributes: Vec<AttributeInput>,
}

/// One page's template, top to bottom as it reads: long because the page
/// is, and easier to follow whole than scattered over helpers.
pub fn customer_detail_page(chrome: &ConsoleChrome, page: &CustomerDetailView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let facts = [
        ("Customer id", page.id.clone()),
        (
            "Email",
            format!(
                "{} ({})",
                page.email,
                if page.verified {
                    "verified"
                } else {
                    "not verified"
                }
            ),
        ),
        (
            "Status",
            if page.disabled {
                "Disabled".to_string()
            } else {
                "Active".to_string()
            },
        ),
        ("Created", page.created.clone()),
        ("Last sign-in", page.last_sign_in.clone()),
        ("Last sign-in from", page.last_sign_in_from.clone()),
        ("Active sessions", page.sessions.len().to_string()),
        (
            "Sign-in blocks",
            match page.blocked_sources {
                0 => "none".to_string(),
                1 => "held back from 1 address".to_string(),
                n => format!("held back from {n} addresses"),
            },
        ),
    ]
    .into_iter()
    .map(|(term, value)| (term.to_string(), value))
    .chain(page.attributes.iter().map(|a| {
        let value = match (a.kind, a.value.as_str()) {
            (_, "") => "not given".to_string(),
            ("boolean", "true") => "yes".to_string(),
            ("boolean", _) => "no".to_string(),
            (_, v) => v.to_string(),
        };
        (a.label.clone(), value)
    }))
    .collect::<Vec<_>>();
    let facts = fact_rows(facts);
    let actions = page.can_edit.then(|| {
        let mut buttons = vec![if page.disabled { ("enable", "Enable customer") } else { ("disable", "Disable customer") }];
        if !page.verified {
            buttons.push(("verify-email", "Mark email verified"));
        }
        buttons.push(("send-reset", "Send password-reset email"));
        if !page.sessions.is_empty() {
            buttons.push(("revoke-sessions", "Sign out everywhere"));
        }
        if page.blocked_sources > 0 {
            buttons.push(("unblock", "Lift sign-in blocks"));
        }
        let forms = buttons
            .into_iter()
            .map(|(action, label)| {
                view! {
                    <PostButton action=paths::at(paths::CUSTOMER_ACTION, &[&page.id, &action]) label=label.to_string() csrf=csrf.clone()/>
                }
            })
            .collect_view();
        view! { <div class="mt-4 flex flex-wrap gap-2">{forms}</div> }
    });
    let edit = page.can_edit.then(|| {
        view! {
            <section class="mb-6 rounded-lg bg-white p-4 shadow-sm">
                <h2 class="mb-3 text-lg font-semibold">"Edit profile"</h2>
                <form method="post" action=paths::at(paths::CUSTOMER_PROFILE, &[&page.id]) novalidate>
                    <CsrfField token=csrf.clone()/>
                    <Field name="email" label="Email" kind="email" value=page.edit_email.clone()
                        error=page.errors.get("email") maxlength=254 hint="A changed address must be verified again."/>
                    <Field name="display_name" label="Name" value=page.edit_name.clone()
                        error=page.errors.get("display_name") maxlength=100/>
                    {page.attributes.iter().cloned().map(|input| view! { <AttributeField input=input/> }).collect_view()}
                    <button type="submit" class="rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700">"Save profile"</button>
                </form>
            </section>
        }
    });
    let delete = page.can_delete.then(|| {
        view! {
            <section class="mb-6 rounded-lg border border-red-200 bg-white p-4 shadow-sm">
                <h2 class="mb-3 text-lg font-semibold text-red-800">"Delete customer"</h2>
                <p class="mb-3 text-sm text-slate-600">"Deletes the customer's personal data and ends their sessions. This cannot be undone."</p>
                <form method="post" action=paths::at(paths::CUSTOMER_DELETE, &[&page.id]) novalidate>
                    <CsrfField token=csrf.clone()/>
                    <Field name="confirm_email" label="Type the customer's email to confirm" kind="email"
                        error=page.errors.get("confirm_email") maxlength=254/>
                    <button type="submit" class="rounded-md bg-red-700 px-4 py-2 text-sm font-semibold text-white hover:bg-red-800">"Delete customer"</button>
                </form>
            </section>
        }
    });
    let tier_form = page.can_edit.then(|| {
        let options = page
            .tier_options
            .iter()
            .map(|(id, name)| view! { <option value=id.clone() selected={*id == page.tier_id}>{name.clone()}</option> })
            .collect_view();
        let expires_error = page.errors.get("expires");
        view! {
            <form method="post" action=paths::at(paths::CUSTOMER_TIER, &[&page.id]) novalidate class="mt-4 grid grid-cols-1 gap-x-4 sm:grid-cols-3">
                <CsrfField token=csrf.clone()/>
                <div class="mb-4">
                    <label for="field-tier" class="block text-sm font-medium text-slate-700">"Move to tier"</label>
                    <select id="field-tier" name="tier" class="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2">{options}</select>
                </div>
                <Field name="reason" label="Reason" value=String::new() error=page.errors.get("reason") maxlength=500 required=false/>
                <div class="mb-4">
                    <label for="field-expires" class="block text-sm font-medium text-slate-700">"Until (optional)"</label>
                    <input id="field-expires" name="expires" type="date" aria-invalid=expires_error.is_some().then_some("true")
                        aria-describedby=expires_error.is_some().then_some("field-expires-error")
                        class="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2"/>
                    {expires_error.map(|e| view! { <p id="field-expires-error" class="mt-1 text-sm font-medium text-red-700">{e}</p> })}
                </div>
                <div class="sm:col-span-3">
                    <button type="submit" class="rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700">"Change tier"</button>
                </div>
            </form>
        }
    });
    let history_count = page.tier_history.len();
    let tier_until = if page.tier_until.is_empty() {
        String::new()
    } else {
        format!(" until {}", page.tier_until)
    };
    let event_count = page.events.len();
    let events = page.events.iter().map(event_row).collect_view();
    let session_count = page.sessions.len();
    let sessions = page
        .sessions
        .iter()
        .map(|s| {
            let revoke = page.can_edit.then(|| {
                view! {
                    <PostButton action=paths::at(paths::CUSTOMER_SESSION_REVOKE, &[&page.id, &s.id])
                        label="Sign out".to_string() csrf=csrf.clone()
                        aria_label=format!("Sign out the session started {}", s.started)/>
                }
            });
            view! {
                <tr class="border-t border-slate-200">
                    <td class=CELL>{s.started.clone()}</td>
                    <td class=CELL>{s.last_seen.clone()}</td>
                    <td class=CELL>{s.device.clone()}</td>
                    <td class=CELL>{match (&s.handed_off_from, &s.shared_until) {
                        (Some(from), Some(_)) => format!("Handoff from {from} (shared screen)"),
                        (Some(from), None) => format!("Handoff from {from}"),
                        (None, _) => crate::i18n::sentence_case(&s.began),
                    }}</td>
                    <td class=CELL>{s.source.clone()}</td>
                    <td class=CELL>{revoke}</td>
                </tr>
            }
        })
        .collect_view();
    let app_count = page.apps.len();
    let apps = page
        .apps
        .iter()
        .map(|a| {
            let revoke = page.can_edit.then(|| {
                view! {
                    <PostButton action=paths::at(paths::CUSTOMER_APP_REVOKE, &[&page.id, &a.client_id])
                        label="Revoke".to_string() csrf=csrf.clone()
                        aria_label=format!("Revoke the access of {}", a.name)/>
                }
            });
            view! {
                <tr class="border-t border-slate-200">
                    <td class=CELL>
                        <a href=paths::at(paths::APP, &[&a.client_id]) class="font-medium text-indigo-700 hover:underline">{a.name.clone()}</a>
                    </td>
                    <td class=CELL>{a.shares.clone()}</td>
                    <td class=CELL>{a.since.clone()}</td>
                    <td class=CELL>{revoke}</td>
                </tr>
            }
        })
        .collect_view();
    let factor_count = page.factors.len();
    let factors = page
        .factors
        .iter()
        .map(|f| {
            view! {
                <tr class="border-t border-slate-200">
                    <td class=CELL>{f.kind.clone()}</td>
                    <td class=CELL>{f.name.clone()}</td>
                    <td class=CELL>{f.created.clone()}</td>
                    <td class=CELL>{f.last_used.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let mfa_reset = (page.can_edit && (factor_count > 0 || page.recovery_codes_left > 0)).then(|| {
        view! {
            <div class="mt-2">
                <PostButton action=paths::at(paths::CUSTOMER_MFA_RESET, &[&page.id]) label="Reset MFA".to_string()
                    csrf=csrf.clone() tone="danger"
                    aria_label="Reset MFA: remove every second factor and recovery code".to_string()/>
            </div>
        }
    });
    let recovery_left = format!("Unused recovery codes: {}", page.recovery_codes_left);
    let body = view! {
        <p class="mb-2 text-sm"><a href=paths::CUSTOMERS class="text-indigo-700 hover:underline">"All customers"</a></p>
        <h1 class="mb-4 text-2xl font-semibold break-all">{page.display_name.clone()}</h1>
        <Flash message=page.notice.clone()/>
        <section class="mb-6 rounded-lg bg-white p-4 shadow-sm">
            <dl class="divide-y divide-slate-100">{facts}</dl>
            {actions}
        </section>
        <section class="mb-6 rounded-lg bg-white p-4 shadow-sm">
            <h2 class="mb-2 text-lg font-semibold">"Tier"</h2>
            <p class="text-sm">{tier_badge(&page.tier_name, &page.tier_colour)}{tier_until}</p>
            {tier_form}
            <h3 class="mb-2 mt-4 font-semibold">"Tier history"</h3>
            <DataTable caption="Tier history" headers=vec!["When", "From", "To", "How", "By", "Reason", "Until"]
                empty="Never moved." rows=history_count>{change_rows(&page.tier_history, false)}</DataTable>
        </section>
        {edit}
        <h2 class="mb-2 text-lg font-semibold">"Active sessions"</h2>
        <DataTable caption="Active sessions" headers=vec!["Started", "Last seen", "Device", "Signed in with", "From", "Action"]
            empty="No active sessions." rows=session_count>{sessions}</DataTable>
        <h2 class="mb-2 mt-6 text-lg font-semibold">"Applications"</h2>
        <DataTable caption="Applications with access" headers=vec!["Application", "Sees", "Granted", "Action"]
            empty="No application holds access." rows=app_count>{apps}</DataTable>
        <h2 class="mb-2 mt-6 text-lg font-semibold">"Second factors"</h2>
        <DataTable caption="Second factors" headers=vec!["Kind", "Name", "Added", "Last used"]
            empty="No second factor." rows=factor_count>{factors}</DataTable>
        <p class="mt-2 text-sm text-slate-600">{recovery_left}</p>
        {mfa_reset}
        <h2 class="mb-2 mt-6 text-lg font-semibold">"Recent security events"</h2>
        <DataTable caption="Recent security events" headers=vec!["When", "Event", "By", "From", "Details"]
            empty="No events yet." rows=event_count>{events}</DataTable>
        <div class="mt-6">{delete}</div>
    };
    console_document(&chrome, "Customer", body)
}

/// One audit event as a table row (the customer page and the audit page).
pub(crate) fn event_row(e: &EventRow) -> impl IntoView + use<> {
    let e = e.clone();
    view! {
        <tr class="border-t border-slate-200">
            <td class=format!("{CELL} whitespace-nowrap")>{e.at}</td>
            <td class=CELL>{e.action}</td>
            <td class=format!("{CELL} break-all")>{e.actor}</td>
            <td class=CELL>{e.source}</td>
            <td class=format!("{CELL} break-all font-mono text-xs")>{e.details}</td>
        </tr>
    }
}
