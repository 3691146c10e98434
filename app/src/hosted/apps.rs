use crate::components::{Card, ConfirmAction, Notice, around};
use crate::i18n::HOLE;
use crate::paths;
use crate::{Chrome, document};
use leptos::prelude::*;

/// An application that holds access for the customer.
#[derive(Clone, Debug, Default)]
pub struct AppRow {
    pub client_id: String,
    pub name: String,
    /// What it may see, one line each.
    pub shares: Vec<String>,
    /// When access was last granted (a date).
    pub since: String,
}

#[derive(Clone, Debug, Default)]
pub struct AppsView {
    pub apps: Vec<AppRow>,
    pub notice: Option<String>,
}

pub fn apps_page(chrome: &Chrome, page: &AppsView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let t = chrome.lang;
    let rows = page
        .apps
        .iter()
        .map(|app| {
            let shares = app
                .shares
                .iter()
                .map(|s| view! { <li>{s.clone()}</li> })
                .collect_view();
            let name = app.name.as_str();
            view! {
                <li class="border-t border-slate-200 py-4 first:border-t-0">
                    <h2 class="break-words text-base font-semibold">{app.name.clone()}</h2>
                    <p class="mb-2 text-sm text-slate-600">{around(
                        &t.tf("apps-granted", &[("when", HOLE.into())]),
                        view! { <span class="whitespace-nowrap">{app.since.clone()}</span> },
                    )}</p>
                    <ul class="mb-3 list-disc ps-5 text-sm text-slate-800">{shares}</ul>
                    <ConfirmAction
                        action=paths::ACCOUNT_APPS_REVOKE.to_string()
                        label=t.tf("apps-remove", &[("app", name.into())])
                        question=t.tf("apps-remove-confirm", &[("app", name.into())])
                        confirm=t.t("apps-remove-yes")
                        cancel=t.t("confirm-cancel")
                        csrf=csrf.clone()
                        fields=vec![("client_id".to_string(), app.client_id.clone())]/>
                </li>
            }
        })
        .collect_view();
    let empty = page.apps.is_empty();
    let title = t.t("apps-title");
    let body = view! {
        <Card title=title.clone()>
            {page.notice.clone().map(|m| view! { <Notice tone="success" message=m/> })}
            {empty.then(|| view! { <p class="text-sm text-slate-700">{t.t("account-apps-none")}</p> })}
            <ul>{rows}</ul>
            <p class="mt-6 text-sm"><a href=paths::ACCOUNT class="font-medium text-indigo-700 hover:underline">{t.t("back-to-account")}</a></p>
        </Card>
    };
    document(&chrome, &title, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::chrome;

    #[test]
    fn lists_apps_with_a_remove_button_each() {
        let html = apps_page(
            &chrome(),
            &AppsView {
                apps: vec![AppRow {
                    client_id: "abc".into(),
                    name: "Shop <1>".into(),
                    shares: vec!["Your name".into()],
                    since: "2026-12-03".into(),
                }],
                notice: None,
            },
        );
        assert!(html.contains("Shop &lt;1&gt;"));
        assert!(html.contains(r#"name="client_id" value="abc""#));
        assert!(!apps_page(&chrome(), &AppsView::default()).contains("Remove access"));
    }
}
