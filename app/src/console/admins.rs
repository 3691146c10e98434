use super::{ConsoleChrome, console_document};
use crate::FieldErrors;
use crate::components::{CELL, CsrfField, DataTable, Field, Flash, PostButton};
use crate::paths;
use leptos::prelude::*;

pub const ROLES: [(&str, &str); 3] = [
    ("owner", "Owner: everything, manages admins"),
    ("support", "Support: views and edits customers"),
    ("auditor", "Auditor: reads everything, changes nothing"),
];

#[derive(Clone, Debug, Default)]
pub struct AdminRow {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub created: String,
    pub last_sign_in: String,
    /// The admin looking at the page.
    pub is_me: bool,
    /// Source addresses held back from signing in to this admin's account.
    pub blocked_sources: i64,
    /// Their second factors, by kind ("Passkey", "Authenticator app").
    pub factors: Vec<String>,
}

#[derive(Clone, Debug, Default)]
pub struct InviteRow {
    pub id: String,
    pub email: String,
    pub role: String,
    pub expires: String,
}

#[derive(Clone, Debug, Default)]
pub struct AdminsView {
    pub admins: Vec<AdminRow>,
    pub invites: Vec<InviteRow>,
    /// Owners see the forms; everyone else a read-only list.
    pub can_manage: bool,
    pub invite_email: String,
    pub invite_role: String,
    pub errors: FieldErrors,
    pub notice: Option<String>,
}

/// The role choices: described in the invitation form, bare in table rows.
fn role_options(selected: &str, described: bool) -> impl IntoView + use<> {
    let selected = selected.to_string();
    ROLES
        .into_iter()
        .map(|(value, label)| {
            let label = if described { label } else { value };
            view! { <option value=value selected={selected == value}>{label}</option> }
        })
        .collect_view()
}

/// One page's template, top to bottom as it reads: long because the page
/// is, and easier to follow whole than scattered over helpers.
pub fn admins_page(chrome: &ConsoleChrome, page: &AdminsView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let manage = page.can_manage;
    let admin_count = page.admins.len();
    let admins = page
        .admins
        .iter()
        .map(|a| {
            let who = if a.is_me { format!("{} (you)", a.display_name) } else { a.display_name.clone() };
            let controls = manage.then(|| {
                let select_id = format!("role-{}", a.id);
                view! {
                    <div class="flex flex-col items-start gap-2 lg:flex-row lg:items-center">
                        <form method="post" action=paths::at(paths::ADMIN_ROLE, &[&a.id]) class="flex items-center gap-2">
                            <CsrfField token=csrf.clone()/>
                            <label for=select_id.clone() class="sr-only">{format!("Role of {}", a.email)}</label>
                            <select id=select_id name="role" class="rounded-md border border-slate-300 bg-white px-2 py-1.5">{role_options(&a.role, false)}</select>
                            <button type="submit" class="rounded-md bg-slate-800 px-3 py-1.5 text-sm font-semibold text-white hover:bg-slate-700">"Change role"</button>
                        </form>
                        <PostButton action=paths::at(paths::ADMIN_REMOVE, &[&a.id]) label="Remove".to_string()
                            csrf=csrf.clone() tone="danger" aria_label=format!("Remove {}", a.email)/>
                        {(!a.is_me && !a.factors.is_empty()).then(|| view! {
                            <PostButton action=paths::at(paths::ADMIN_MFA_RESET, &[&a.id]) label="Reset MFA".to_string()
                                csrf=csrf.clone() tone="danger" aria_label=format!("Reset MFA of {}", a.email)/>
                        })}
                        {(a.blocked_sources > 0).then(|| view! {
                            <PostButton action=paths::at(paths::ADMIN_UNBLOCK, &[&a.id]) label="Lift sign-in blocks".to_string()
                                csrf=csrf.clone() aria_label=format!("Lift sign-in blocks of {}", a.email)/>
                        })}
                    </div>
                }
            });
            let factors = if a.factors.is_empty() {
                "none yet (set up at the next sign-in)".to_string()
            } else {
                a.factors.join(", ")
            };
            view! {
                <tr class="border-t border-slate-200">
                    <td class=format!("{CELL} break-all")>{a.email.clone()}</td>
                    <td class=CELL>{who}</td>
                    <td class=CELL>{a.role.clone()}</td>
                    <td class=format!("{CELL} whitespace-nowrap")>{a.created.clone()}</td>
                    <td class=format!("{CELL} whitespace-nowrap")>
                        {a.last_sign_in.clone()}
                        {(a.blocked_sources > 0).then(|| view! {
                            <span class="block text-sm font-medium text-red-700">{format!("held back from {} address(es)", a.blocked_sources)}</span>
                        })}
                    </td>
                    <td class=CELL>{factors}</td>
                    <td class=CELL>{controls}</td>
                </tr>
            }
        })
        .collect_view();
    let invite_count = page.invites.len();
    let invites = page
        .invites
        .iter()
        .map(|i| {
            let revoke = manage.then(|| view! {
                <PostButton action=paths::at(paths::INVITE_REVOKE, &[&i.id]) label="Withdraw".to_string()
                    csrf=csrf.clone() aria_label=format!("Withdraw the invitation for {}", i.email)/>
            });
            view! {
                <tr class="border-t border-slate-200">
                    <td class=format!("{CELL} break-all")>{i.email.clone()}</td>
                    <td class=CELL>{i.role.clone()}</td>
                    <td class=format!("{CELL} whitespace-nowrap")>{i.expires.clone()}</td>
                    <td class=CELL>{revoke}</td>
                </tr>
            }
        })
        .collect_view();
    let invite_form = manage.then(|| {
        view! {
            <section class="mb-6 rounded-lg bg-white p-4 shadow-sm">
                <h2 class="mb-3 text-lg font-semibold">"Invite an admin"</h2>
                <form method="post" action=paths::ADMINS_INVITE novalidate>
                    <CsrfField token=csrf.clone()/>
                    <Field name="email" label="Email" kind="email" value=page.invite_email.clone()
                        error=page.errors.get("email") maxlength=254
                        hint="They get a link by mail that works once, for 24 hours."/>
                    <div class="mb-4">
                        <label for="invite-role" class="block text-sm font-medium text-slate-700">"Role"</label>
                        <select id="invite-role" name="role" class="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2">{role_options(&page.invite_role, true)}</select>
                    </div>
                    <button type="submit" class="rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700">"Send invitation"</button>
                </form>
            </section>
        }
    });
    let body = view! {
        <h1 class="mb-4 text-2xl font-semibold">"Admins"</h1>
        <Flash message=page.notice.clone()/>
        {invite_form}
        <DataTable caption="Admins" headers=vec!["Email", "Name", "Role", "Since", "Last sign-in", "Second factor", "Manage"]
            empty="No admins." rows=admin_count>{admins}</DataTable>
        <h2 class="mb-2 mt-6 text-lg font-semibold">"Open invitations"</h2>
        <DataTable caption="Open invitations" headers=vec!["Email", "Role", "Expires", "Manage"]
            empty="No open invitations." rows=invite_count>{invites}</DataTable>
    };
    console_document(&chrome, "Admins", body)
}
