//! An admin's own second factors: what they have, adding a passkey, and
//! removing one (never the last).

use super::{ConsoleChrome, console_document};
use crate::components::{Card, FactorRow, Notice, PostButton};
use crate::paths;
use leptos::prelude::*;

#[derive(Clone, Debug, Default)]
pub struct AdminSecurityView {
    pub factors: Vec<FactorRow>,
    /// The console sign-in is recent enough to change factors.
    pub fresh: bool,
    /// Passkeys work here (Gatehouse is on a domain name).
    pub passkeys: bool,
    pub notice: Option<String>,
}

pub fn admin_security_page(chrome: &ConsoleChrome, page: &AdminSecurityView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let removable = page.fresh && page.factors.len() > 1;
    let factors = page
        .factors
        .iter()
        .map(|f| {
            let remove = removable.then(|| {
                let action = format!("{}?id={}", paths::CONSOLE_FACTOR_REMOVE, f.id);
                view! {
                    <PostButton action=action label="Remove".to_string() csrf=csrf.clone() tone="danger"
                        aria_label=format!("Remove {}", f.name)/>
                }
            });
            view! {
                <li class="flex flex-col gap-2 border-b border-slate-200 py-3 sm:flex-row sm:items-center sm:justify-between">
                    <div>
                        <p class="font-medium">{f.name.clone()}{(f.name != f.kind).then(|| view! { " " <span class="text-sm font-normal text-slate-500">"(" {f.kind.clone()} ")"</span> })}</p>
                        <p class="text-sm text-slate-600">"Added " {f.created.clone()} " · last used " {f.last_used.clone()}</p>
                    </div>
                    {remove}
                </li>
            }
        })
        .collect_view();
    let stale = (!page.fresh).then(|| {
        view! {
            <Notice tone="info" message="Changing your second factors needs a recent sign-in. Sign out, sign in again, then come back.".to_string()/>
        }
    });
    let add = (page.fresh && page.passkeys).then(|| {
        view! {
            <div class="mt-4 hidden" data-passkey-register="">
                <button type="button" data-passkey-action="register" class="rounded-md border border-indigo-600 px-3 py-2 text-sm font-semibold text-indigo-700 hover:bg-indigo-50">"Add a passkey"</button>
                <p class="mt-2 hidden text-sm text-red-700" role="alert" data-passkey-error=""></p>
            </div>
            <noscript><p class="mt-4 text-sm text-slate-600">"Adding a passkey needs JavaScript."</p></noscript>
        }
    });
    let body = view! {
        <div class="mx-auto max-w-2xl">
            <Card title="Your sign-in".to_string()>
                {page.notice.clone().map(|m| view! { <Notice tone="success" message=m/> })}
                {stale}
                <p class="mb-4 text-sm text-slate-600">"The console asks for one of these at every sign-in, after your password."</p>
                <h2 class="mb-2 text-lg font-semibold">"Second factors"</h2>
                <ul aria-label="Your second factors">{factors}</ul>
                {add}
            </Card>
        </div>
    };
    console_document(&chrome, "Your sign-in", body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn factor(id: &str, kind: &str) -> FactorRow {
        FactorRow {
            id: id.into(),
            kind: kind.into(),
            name: kind.into(),
            created: "2026-12-04".into(),
            last_used: "never".into(),
        }
    }

    #[test]
    fn the_last_factor_has_no_remove_button_and_a_stale_sign_in_changes_nothing() {
        let one = AdminSecurityView {
            factors: vec![factor("a", "Authenticator app")],
            fresh: true,
            passkeys: true,
            notice: None,
        };
        let html = admin_security_page(&ConsoleChrome::default(), &one);
        assert!(!html.contains("/admin/security/remove"));
        assert!(html.contains(r#"data-passkey-action="register""#));
        let two = AdminSecurityView {
            factors: vec![factor("a", "Authenticator app"), factor("b", "Passkey")],
            ..one.clone()
        };
        let html = admin_security_page(&ConsoleChrome::default(), &two);
        assert!(html.contains("/admin/security/remove?id=a"));
        let stale = AdminSecurityView {
            fresh: false,
            ..two
        };
        let html = admin_security_page(&ConsoleChrome::default(), &stale);
        assert!(!html.contains("/admin/security/remove"));
        assert!(!html.contains(r#"data-passkey-action="register""#));
        assert!(html.contains("needs a recent sign-in"));
    }
}
