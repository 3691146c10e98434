use super::{ConsoleChrome, EventRow, console_document};
use crate::components::{CELL, DataTable, Notice};
use crate::paths;
use leptos::prelude::*;

#[derive(Clone, Debug, Default)]
pub struct AuditView {
    /// The filters as typed, echoed into the form.
    pub action: String,
    pub actor: String,
    pub customer: String,
    pub from: String,
    pub to: String,
    /// Every action there is, for the filter's choices.
    pub actions: Vec<&'static str>,
    pub rows: Vec<EventRow>,
    pub next_page: Option<String>,
    pub first_page: Option<String>,
    /// Why the list is empty when a filter named nobody.
    pub notice: Option<String>,
}

pub fn audit_page(chrome: &ConsoleChrome, page: &AuditView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let options = std::iter::once(("", "Any action"))
        .chain(page.actions.iter().map(|a| (*a, *a)))
        .map(|(value, label)| view! { <option value=value selected={page.action == value}>{label}</option> })
        .collect_view();
    let input = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2";
    let row_count = page.rows.len();
    let rows = page
        .rows
        .iter()
        .map(|e| {
            let e = e.clone();
            let customer = e.customer.clone().map(|id| {
                view! { <a href=paths::at(paths::CUSTOMER, &[&id]) class="text-indigo-700 hover:underline">{id.clone()}</a> }
            });
            view! {
                <tr class="border-t border-slate-200">
                    <td class=format!("{CELL} whitespace-nowrap")>{e.at}</td>
                    <td class=CELL>{e.action}</td>
                    <td class=format!("{CELL} break-all")>{e.actor}</td>
                    <td class=format!("{CELL} break-all font-mono text-xs")>{customer}</td>
                    <td class=CELL>{e.source}</td>
                    <td class=format!("{CELL} break-all font-mono text-xs")>{e.details}</td>
                </tr>
            }
        })
        .collect_view();
    let body = view! {
        <h1 class="mb-4 text-2xl font-semibold">"Audit trail"</h1>
        {page.notice.clone().map(|m| view! { <Notice tone="info" message=m/> })}
        <form method="get" action=paths::AUDIT class="mb-4 grid grid-cols-1 gap-2 rounded-lg bg-white p-4 shadow-sm sm:grid-cols-3 lg:grid-cols-6 lg:items-end" role="search">
            <div>
                <label for="audit-action" class="block text-sm font-medium text-slate-700">"Action"</label>
                <select id="audit-action" name="action" class=input>{options}</select>
            </div>
            <div>
                <label for="audit-actor" class="block text-sm font-medium text-slate-700">"By admin (email or id)"</label>
                <input id="audit-actor" name="actor" type="text" value=page.actor.clone() maxlength="254" class=input/>
            </div>
            <div>
                <label for="audit-customer" class="block text-sm font-medium text-slate-700">"Customer (email or id)"</label>
                <input id="audit-customer" name="customer" type="text" value=page.customer.clone() maxlength="254" class=input/>
            </div>
            <div>
                <label for="audit-from" class="block text-sm font-medium text-slate-700">"From"</label>
                <input id="audit-from" name="from" type="date" value=page.from.clone() class=input/>
            </div>
            <div>
                <label for="audit-to" class="block text-sm font-medium text-slate-700">"To"</label>
                <input id="audit-to" name="to" type="date" value=page.to.clone() class=input/>
            </div>
            <button type="submit" class="rounded-md bg-indigo-600 px-4 py-2 font-semibold text-white hover:bg-indigo-700">"Filter"</button>
        </form>
        <DataTable caption="Audit events" headers=vec!["When", "Event", "By", "Customer", "From", "Details"]
            empty="No events match." rows=row_count>{rows}</DataTable>
        <nav class="mt-4 flex gap-4 text-sm" aria-label="Pages">
            {page.first_page.clone().map(|href| view! { <a href=href class="text-indigo-700 hover:underline">"First page"</a> })}
            {page.next_page.clone().map(|href| view! { <a href=href rel="next" class="text-indigo-700 hover:underline">"Next page"</a> })}
        </nav>
    };
    console_document(&chrome, "Audit trail", body)
}
