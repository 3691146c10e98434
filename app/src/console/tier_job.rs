use super::{ConsoleChrome, console_document};
use crate::components::{Flash, Notice, fact_rows};
use crate::paths;
use leptos::prelude::*;

/// A background change of many customers' tier, as it stands.
#[derive(Clone, Debug, Default)]
pub struct TierJobView {
    pub tier: String,
    pub search: String,
    pub reason: String,
    pub started_by: String,
    pub started: String,
    pub scanned: i64,
    pub moved: i64,
    /// Empty while the job runs.
    pub finished: String,
    pub error: Option<String>,
    pub notice: Option<String>,
    /// This page's own address, for the refresh link.
    pub path: String,
}

pub fn tier_job_page(chrome: &ConsoleChrome, page: &TierJobView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let running = page.finished.is_empty();
    let status = if running {
        "Running".to_string()
    } else {
        format!("Finished {}", page.finished)
    };
    let facts = [
        ("Move to tier", page.tier.clone()),
        ("Customers searched", page.search.clone()),
        ("Reason", page.reason.clone()),
        (
            "Started",
            format!("{} by {}", page.started, page.started_by),
        ),
        ("Status", status),
        ("Customers looked at", page.scanned.to_string()),
        ("Customers moved", page.moved.to_string()),
    ];
    let facts = fact_rows(facts);
    let body = view! {
        <p class="mb-2 text-sm"><a href=paths::CUSTOMERS class="text-indigo-700 hover:underline">"All customers"</a></p>
        <h1 class="mb-4 text-2xl font-semibold">"Tier change for a search"</h1>
        <Flash message=page.notice.clone()/>
        {page.error.clone().map(|m| view! { <Notice tone="error" message=m/> })}
        <section class="rounded-lg bg-white p-4 shadow-sm" >
            <dl class="divide-y divide-slate-100">{facts}</dl>
            // A link, not an automatic refresh: a page that reloads itself
            // takes focus and reading position from people using a screen reader.
            {running.then(|| view! {
                <p class="mt-3 text-sm"><a href=page.path.clone() class="text-indigo-700 hover:underline">"Refresh to see progress"</a></p>
            })}
        </section>
    };
    console_document(&chrome, "Tier change", body)
}
