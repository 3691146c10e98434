use super::{ConsoleChrome, console_document};
use crate::components::{CELL, DataTable, Flash, Notice};
use crate::paths;
use leptos::prelude::*;

#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum SearchField {
    /// Exact address or its beginning.
    #[default]
    Email,
    /// Part of the name, or whole words of it, any case.
    Name,
    /// The customer id.
    Id,
}

impl SearchField {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Name => "name",
            Self::Id => "id",
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct CustomerRow {
    pub id: String,
    pub email: String,
    pub display_name: String,
    /// "Active", "Disabled" or "Unverified".
    pub status: String,
    pub created: String,
    pub last_sign_in: String,
}

/// The form that moves every customer of a search to one tier.
#[derive(Clone, Debug, Default)]
pub struct BulkTierForm {
    /// The search's own parameters, carried as hidden fields.
    pub search: Vec<(String, String)>,
    /// Active tiers (id, name).
    pub tiers: Vec<(String, String)>,
}

#[derive(Clone, Debug, Default)]
pub struct CustomersView {
    pub field: SearchField,
    pub query: String,
    pub status: String,
    /// The created-date range as typed (YYYY-MM-DD), empty when open.
    pub from: String,
    pub to: String,
    /// "created" or "last_sign_in".
    pub sort: String,
    /// The tier filter (a slug, or empty for every tier) and the choices.
    pub tier: String,
    pub tiers: Vec<(String, String)>,
    /// The attribute filter (a searchable attribute's key and the value
    /// looked for) and the searchable attributes (key, label).
    pub attribute: String,
    pub attribute_value: String,
    pub attributes: Vec<(String, String)>,
    /// The export of this search (without format), for owners.
    pub export_link: Option<String>,
    /// Moving everyone this search finds to a tier, for roles that edit.
    pub bulk: Option<BulkTierForm>,
    pub rows: Vec<CustomerRow>,
    /// Link to the next page, carrying the search and the keyset cursor.
    pub next_page: Option<String>,
    pub first_page: Option<String>,
    pub total: String,
    pub error: Option<String>,
    pub notice: Option<String>,
}

/// One page's template, top to bottom as it reads: long because the page
/// is, and easier to follow whole than scattered over helpers.
pub fn customers_page(chrome: &ConsoleChrome, page: &CustomersView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let field_options = [SearchField::Email, SearchField::Name, SearchField::Id]
        .into_iter()
        .map(|f| {
            let label = match f {
                SearchField::Email => "Email (exact or beginning)",
                SearchField::Name => "Name",
                SearchField::Id => "Customer id",
            };
            view! { <option value=f.as_str() selected={f == page.field}>{label}</option> }
        })
        .collect_view();
    let status_options = [
        ("all", "Any status"),
        ("active", "Active"),
        ("disabled", "Disabled"),
        ("verified", "Verified"),
        ("unverified", "Unverified"),
    ]
        .into_iter()
        .map(|(value, label)| view! { <option value=value selected={page.status == value}>{label}</option> })
        .collect_view();
    let sort_options = [("created", "Newest first"), ("last_sign_in", "Last sign-in")]
        .into_iter()
        .map(|(value, label)| view! { <option value=value selected={page.sort == value}>{label}</option> })
        .collect_view();
    let tier_options = std::iter::once((String::new(), "Any tier".to_string()))
        .chain(page.tiers.iter().cloned())
        .map(|(slug, name)| {
            let selected = slug == page.tier;
            view! { <option value=slug selected=selected>{name}</option> }
        })
        .collect_view();
    let attribute_filter = (!page.attributes.is_empty()).then(|| {
        let options = std::iter::once((String::new(), "No attribute".to_string()))
            .chain(page.attributes.iter().cloned())
            .map(|(key, label)| {
                let selected = key == page.attribute;
                view! { <option value=key selected=selected>{label}</option> }
            })
            .collect_view();
        view! {
            <div>
                <label for="search-attr" class="block text-sm font-medium text-slate-700">"Attribute"</label>
                <select id="search-attr" name="attr" class="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2">{options}</select>
            </div>
            <div>
                <label for="search-attr-value" class="block text-sm font-medium text-slate-700">"Attribute is"</label>
                <input id="search-attr-value" name="attr_value" type="text" value=page.attribute_value.clone() maxlength="500"
                    class="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2"/>
            </div>
        }
    });
    let rows = page
        .rows
        .iter()
        .map(|r| {
            view! {
                <tr class="border-t border-slate-200">
                    <td class=format!("{CELL} break-all")>
                        <a href=paths::at(paths::CUSTOMER, &[&r.id]) class="font-medium text-indigo-700 hover:underline">{r.email.clone()}</a>
                    </td>
                    <td class=CELL>{r.display_name.clone()}</td>
                    <td class=CELL>{r.status.clone()}</td>
                    <td class=format!("{CELL} whitespace-nowrap")>{r.created.clone()}</td>
                    <td class=format!("{CELL} whitespace-nowrap")>{r.last_sign_in.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let row_count = page.rows.len();
    let body = view! {
        <h1 class="mb-4 text-2xl font-semibold">"Customers"</h1>
        {page.error.clone().map(|m| view! { <Notice tone="error" message=m/> })}
        <Flash message=page.notice.clone()/>
        <form method="get" action=paths::CUSTOMERS class="mb-4 flex flex-col flex-wrap gap-2 rounded-lg bg-white p-4 shadow-sm sm:flex-row sm:items-start" role="search">
            <div class="flex-1 sm:min-w-64">
                <label for="search-q" class="block text-sm font-medium text-slate-700">"Search"</label>
                <input id="search-q" name="q" type="search" value=page.query.clone() maxlength="254"
                    aria-describedby="search-q-hint" class="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2"/>
                <p id="search-q-hint" class="mt-1 text-xs text-slate-500">"In names: part of a name (“anak”), or words in any order, the last as far as typed (“tanaka zo”)."</p>
            </div>
            <div>
                <label for="search-field" class="block text-sm font-medium text-slate-700">"In"</label>
                <select id="search-field" name="field" class="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2">{field_options}</select>
            </div>
            <div>
                <label for="search-status" class="block text-sm font-medium text-slate-700">"Status"</label>
                <select id="search-status" name="status" class="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2">{status_options}</select>
            </div>
            <div>
                <label for="search-tier" class="block text-sm font-medium text-slate-700">"Tier"</label>
                <select id="search-tier" name="tier" class="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2">{tier_options}</select>
            </div>
            {attribute_filter}
            <div>
                <label for="search-from" class="block text-sm font-medium text-slate-700">"Created from"</label>
                <input id="search-from" name="from" type="date" value=page.from.clone()
                    class="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2"/>
            </div>
            <div>
                <label for="search-to" class="block text-sm font-medium text-slate-700">"Created to"</label>
                <input id="search-to" name="to" type="date" value=page.to.clone()
                    class="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2"/>
            </div>
            <div>
                <label for="search-sort" class="block text-sm font-medium text-slate-700">"Sort"</label>
                <select id="search-sort" name="sort" aria-describedby="search-sort-hint" class="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2">{sort_options}</select>
                <p id="search-sort-hint" class="sr-only">"Email searches are listed by address."</p>
            </div>
            // Top-aligned (the search box has a hint below it): the button
            // sits level with the fields, below their labels' line.
            <button type="submit" class="rounded-md bg-indigo-600 px-4 py-2 font-semibold text-white hover:bg-indigo-700 sm:mt-6">"Search"</button>
        </form>
        <div class="mb-2 flex flex-wrap items-center justify-between gap-2 text-sm text-slate-600">
            <p>{page.total.clone()}</p>
            {page.export_link.clone().map(|href| view! {
                <p class="flex gap-3">
                    "Export this search:"
                    <a href=format!("{href}&format=jsonl") class="text-indigo-700 hover:underline">"JSON Lines"</a>
                    <a href=format!("{href}&format=csv") class="text-indigo-700 hover:underline">"CSV"</a>
                </p>
            })}
        </div>
        <DataTable caption="Customers" headers=vec!["Email", "Name", "Status", "Created", "Last sign-in"]
            empty="No customers match." rows=row_count>{rows}</DataTable>
        {page.bulk.clone().map(|bulk| {
            let hidden = bulk.search.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value/> }).collect_view();
            let options = bulk.tiers.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view();
            view! {
                <details class="mt-4 rounded-lg bg-white p-4 shadow-sm">
                    <summary class="cursor-pointer font-semibold">"Move everyone this search finds to a tier"</summary>
                    <form method="post" action=paths::CUSTOMERS_BULK_TIER class="mt-3 flex flex-col gap-2 sm:flex-row sm:items-end">
                        <input type="hidden" name="csrf_token" value=chrome.csrf_token.clone()/>
                        {hidden}
                        <div>
                            <label for="bulk-tier" class="block text-sm font-medium text-slate-700">"Tier"</label>
                            <select id="bulk-tier" name="to_tier" class="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2">{options}</select>
                        </div>
                        <div class="flex-1">
                            <label for="bulk-reason" class="block text-sm font-medium text-slate-700">"Reason"</label>
                            <input id="bulk-reason" name="bulk_reason" type="text" maxlength="500" class="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2"/>
                        </div>
                        <button type="submit" class="rounded-md bg-slate-800 px-4 py-2 font-semibold text-white hover:bg-slate-700">"Start moving"</button>
                    </form>
                </details>
            }
        })}
        <nav class="mt-4 flex gap-4 text-sm" aria-label="Pages">
            {page.first_page.clone().map(|href| view! { <a href=href class="text-indigo-700 hover:underline">"First page"</a> })}
            {page.next_page.clone().map(|href| view! { <a href=href rel="next" class="text-indigo-700 hover:underline">"Next page"</a> })}
        </nav>
    };
    console_document(&chrome, "Customers", body)
}
