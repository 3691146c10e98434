use super::{ConsoleChrome, console_document};
use crate::components::Notice;
use leptos::prelude::*;

#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum SearchField {
    /// Exact address or its beginning.
    #[default]
    Email,
    /// Part of the name, any case.
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

#[derive(Clone, Debug, Default)]
pub struct CustomersView {
    pub field: SearchField,
    pub query: String,
    pub status: String,
    pub rows: Vec<CustomerRow>,
    /// Link to the next page, carrying the search and the keyset cursor.
    pub next_page: Option<String>,
    pub first_page: Option<String>,
    pub total: String,
    pub error: Option<String>,
    pub notice: Option<String>,
}

pub fn customers_page(chrome: &ConsoleChrome, page: &CustomersView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let field_options = [SearchField::Email, SearchField::Name, SearchField::Id]
        .into_iter()
        .map(|f| {
            let label = match f {
                SearchField::Email => "Email (exact or beginning)",
                SearchField::Name => "Name (contains)",
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
    let rows = page
        .rows
        .iter()
        .map(|r| {
            view! {
                <tr class="border-t border-slate-200">
                    <td class="px-3 py-2 break-all">
                        <a href=format!("/admin/customers/{}", r.id) class="font-medium text-indigo-700 hover:underline">{r.email.clone()}</a>
                    </td>
                    <td class="px-3 py-2">{r.display_name.clone()}</td>
                    <td class="px-3 py-2">{r.status.clone()}</td>
                    <td class="px-3 py-2 whitespace-nowrap">{r.created.clone()}</td>
                    <td class="px-3 py-2 whitespace-nowrap">{r.last_sign_in.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let empty = page
        .rows
        .is_empty()
        .then(|| view! { <p class="px-3 py-6 text-sm text-slate-600">"No customers match."</p> });
    let body = view! {
        <h1 class="mb-4 text-2xl font-semibold">"Customers"</h1>
        {page.error.clone().map(|m| view! { <Notice tone="error" message=m/> })}
        {page.notice.clone().map(|m| view! { <Notice tone="success" message=m/> })}
        <form method="get" action="/admin/customers" class="mb-4 flex flex-col gap-2 rounded-lg bg-white p-4 shadow-sm sm:flex-row sm:items-end" role="search">
            <div class="flex-1">
                <label for="search-q" class="block text-sm font-medium text-slate-700">"Search"</label>
                <input id="search-q" name="q" type="search" value=page.query.clone() maxlength="254"
                    class="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2"/>
            </div>
            <div>
                <label for="search-field" class="block text-sm font-medium text-slate-700">"In"</label>
                <select id="search-field" name="field" class="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2">{field_options}</select>
            </div>
            <div>
                <label for="search-status" class="block text-sm font-medium text-slate-700">"Status"</label>
                <select id="search-status" name="status" class="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2">{status_options}</select>
            </div>
            <button type="submit" class="rounded-md bg-indigo-600 px-4 py-2 font-semibold text-white hover:bg-indigo-700">"Search"</button>
        </form>
        <p class="mb-2 text-sm text-slate-600">{page.total.clone()}</p>
        <div class="overflow-x-auto rounded-lg bg-white shadow-sm">
            <table class="min-w-full text-left text-sm">
                <caption class="sr-only">"Customers"</caption>
                <thead class="bg-slate-50 text-slate-600">
                    <tr>
                        <th scope="col" class="px-3 py-2">"Email"</th>
                        <th scope="col" class="px-3 py-2">"Name"</th>
                        <th scope="col" class="px-3 py-2">"Status"</th>
                        <th scope="col" class="px-3 py-2">"Created"</th>
                        <th scope="col" class="px-3 py-2">"Last sign-in"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            {empty}
        </div>
        <nav class="mt-4 flex gap-4 text-sm" aria-label="Pages">
            {page.first_page.clone().map(|href| view! { <a href=href class="text-indigo-700 hover:underline">"First page"</a> })}
            {page.next_page.clone().map(|href| view! { <a href=href rel="next" class="text-indigo-700 hover:underline">"Next page"</a> })}
        </nav>
    };
    console_document(&chrome, "Customers", body)
}
