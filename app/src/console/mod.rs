//! The admin console's pages. Same rules as the hosted pages: plain view
//! models in, HTML out; every action is a form that works without JavaScript.

mod admins;
mod apps;
mod attributes;
mod audit;
mod customer;
mod customers;
mod mfa;
mod security;
mod sign_in;
mod tier_job;
mod tiers;

pub use crate::components::FactorRow;
pub use admins::{AdminRow, AdminsView, InviteRow, ROLES, admins_page};
pub use apps::{
    AppChoices, AppDetailView, AppFormValues, AppRow, AppsView, HolderRow, NewSecret,
    app_detail_page, apps_page,
};
pub use attributes::{
    AttributeDetailView, AttributeFormValues, AttributeRow, AttributesView, attribute_detail_page,
    attributes_page,
};
pub use audit::{AuditView, audit_page};
pub use customer::{CustomerAppRow, CustomerDetailView, EventRow, customer_detail_page};
pub use customers::{BulkTierForm, CustomerRow, CustomersView, SearchField, customers_page};
pub use mfa::{
    CoverageView, MfaPolicyView, POLICIES, TierMfaView, TierPolicyRow, mfa_policy_page,
    tier_mfa_section,
};
pub use security::{AdminSecurityView, admin_security_page};
pub use sign_in::{
    AdminSecondFactorView, AdminSetupView, AdminSignInView, admin_second_factor_page,
    admin_setup_page, admin_sign_in_page,
};
pub use tier_job::{TierJobView, tier_job_page};
pub use tiers::{
    TierChangeRow, TierDetailView, TierFormValues, TierRow, TiersView, change_rows, tier_badge,
    tier_detail_page, tiers_page,
};

use crate::components::CsrfField;
use crate::paths;
use leptos::prelude::*;

/// What every console page needs besides its own content.
#[derive(Clone, Debug, Default)]
pub struct ConsoleChrome {
    pub stylesheet: String,
    pub csrf_token: String,
    /// The signed-in admin's name and role; `None` on the sign-in pages.
    pub admin: Option<(String, String)>,
    /// URL of the page script (passkey ceremonies), if the page has one.
    pub script: Option<String>,
}

pub(crate) fn console_document(
    chrome: &ConsoleChrome,
    title: &str,
    body: impl IntoView + 'static,
) -> String {
    let chrome = chrome.clone();
    let title = format!("{title} · Gatehouse console");
    let html = Owner::new().with(move || {
        let nav = chrome.admin.clone().map(|(name, role)| {
            view! {
                <nav class="flex flex-wrap items-center gap-4 text-sm" aria-label="Console">
                    <a href=paths::CUSTOMERS class="font-medium text-slate-100 hover:underline">"Customers"</a>
                    <a href=paths::TIERS class="font-medium text-slate-100 hover:underline">"Tiers"</a>
                    <a href=paths::ATTRIBUTES class="font-medium text-slate-100 hover:underline">"Attributes"</a>
                    <a href=paths::APPS class="font-medium text-slate-100 hover:underline">"Applications"</a>
                    <a href=paths::MFA_POLICY class="font-medium text-slate-100 hover:underline">"MFA"</a>
                    <a href=paths::AUDIT class="font-medium text-slate-100 hover:underline">"Audit trail"</a>
                    <a href=paths::ADMINS class="font-medium text-slate-100 hover:underline">"Admins"</a>
                    <a href=paths::CONSOLE_SECURITY class="text-slate-300 hover:underline" title="Your sign-in">{format!("{name} ({role})")}</a>
                    <form method="post" action=paths::CONSOLE_SIGN_OUT>
                        <CsrfField token=chrome.csrf_token.clone()/>
                        <button type="submit" class="rounded-md px-2 py-1 text-slate-100 hover:bg-slate-700">"Sign out"</button>
                    </form>
                </nav>
            }
        });
        view! {
            <html lang="en">
                <head>
                    <meta charset="utf-8"/>
                    <meta name="viewport" content="width=device-width, initial-scale=1"/>
                    <meta name="referrer" content="no-referrer"/>
                    <title>{title}</title>
                    <link rel="stylesheet" href=chrome.stylesheet.clone()/>
                    {chrome.script.clone().map(|src| view! { <script src=src defer></script> })}
                </head>
                <body class="min-h-screen bg-slate-100 text-slate-900 antialiased" data-passkey-base=paths::CONSOLE_PASSKEYS>
                    <header class="bg-slate-800">
                        <div class="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-2 px-4 py-3">
                            <a href=paths::CONSOLE class="text-lg font-semibold text-white">"Gatehouse console"</a>
                            {nav}
                        </div>
                    </header>
                    <main id="main" class="mx-auto w-full max-w-6xl px-4 py-6">{body}</main>
                </body>
            </html>
        }
        .to_html()
    });
    format!("<!DOCTYPE html>{html}")
}
