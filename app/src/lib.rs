//! Gatehouse's views, rendered on the server with Leptos.
//!
//! Nothing here does I/O or knows about the database: every page is a function
//! from a plain view-model struct to an HTML string, so views are unit-tested by
//! rendering them and reading the markup.

pub mod components;
pub mod console;
pub mod hosted;
pub mod i18n;
pub mod paths;

pub use i18n::Lang;

use leptos::prelude::*;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// What every page needs besides its own content.
#[derive(Clone, Debug, Default)]
pub struct Chrome {
    /// URL of the compiled stylesheet (content-hashed, so it can be cached forever).
    pub stylesheet: String,
    /// CSRF token for the forms on the page, including the header's sign-out button.
    pub csrf_token: String,
    /// Display name of the signed-in customer, if any; shows the account menu.
    pub customer_name: Option<String>,
    /// URL of the page script (passkey ceremonies), if the page has one.
    pub script: Option<String>,
    /// The language the page speaks.
    pub lang: Lang,
    /// This page's path and query: where the language menu comes back to.
    pub here: String,
    /// The application the customer is signing in for, if any: every page
    /// of the way says so.
    pub app: Option<AppBadge>,
}

/// An application as hosted pages name it: its name and logo.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppBadge {
    pub name: String,
    /// An https address (the application's registration says so).
    pub logo_url: Option<String>,
}

/// Validation errors keyed by form field name, shown next to the field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
/// Field names are mostly fixed, but profile attributes name theirs at run time.
pub struct FieldErrors(BTreeMap<Cow<'static, str>, String>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the first error for a field: it is the one to fix first.
    pub fn add(&mut self, field: impl Into<Cow<'static, str>>, message: impl Into<String>) {
        self.0.entry(field.into()).or_insert_with(|| message.into());
    }

    /// Adds every error of `other` (first one per field wins).
    pub fn extend(&mut self, other: FieldErrors) {
        for (field, message) in other.0 {
            self.add(field, message);
        }
    }

    pub fn get(&self, field: &str) -> Option<String> {
        self.0.get(field).cloned()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v.as_str()))
    }
}

/// Renders a complete HTML document around `body`.
pub(crate) fn document(chrome: &Chrome, title: &str, body: impl IntoView + 'static) -> String {
    let chrome = chrome.clone();
    let lang = chrome.lang;
    let title = lang.tf(
        "page-title",
        &[
            ("page", title.into()),
            ("brand", lang.t("brand-default").into()),
        ],
    );
    let html = Owner::new().with(move || {
        view! {
            <html lang=lang.tag() dir=lang.dir()>
                <head>
                    <meta charset="utf-8"/>
                    <meta name="viewport" content="width=device-width, initial-scale=1"/>
                    <meta name="referrer" content="no-referrer"/>
                    <title>{title}</title>
                    <link rel="stylesheet" href=chrome.stylesheet.clone()/>
                    {chrome.script.clone().map(|src| view! { <script src=src defer></script> })}
                </head>
                // The page script's own words, in the page's language.
                <body class="min-h-screen bg-slate-50 text-slate-900 antialiased"
                    data-passkey-cancelled=lang.t("passkey-cancelled")
                    data-passkey-failed=lang.t("passkey-failed")
                    data-page-failed=lang.t("page-failed")>
                    <components::Header chrome=chrome.clone()/>
                    <main id="main" class="mx-auto w-full max-w-md px-4 py-8 sm:py-12">
                        {chrome.app.clone().map(|app| components::app_banner(lang, app))}
                        {body}
                    </main>
                    <components::Footer chrome=chrome.clone()/>
                </body>
            </html>
        }
        .to_html()
    });
    format!("<!DOCTYPE html>{html}")
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::Chrome;

    pub fn chrome() -> Chrome {
        Chrome {
            stylesheet: "/assets/test.css".into(),
            csrf_token: "tok-123".into(),
            customer_name: None,
            script: None,
            lang: crate::Lang::En,
            here: "/login".into(),
            app: None,
        }
    }
}
