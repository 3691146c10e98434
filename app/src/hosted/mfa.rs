//! Second factors: sign-in's second step, setting up an authenticator app,
//! recovery codes shown once, and the customer's security page.

use crate::components::{
    Card, ConfirmAction, CsrfField, FactorRow, Field, Notice, OUTLINE_BUTTON, PRIMARY_LINK,
    SubmitButton, checkbox,
};
use crate::i18n::HOLE;
use crate::paths;
use crate::{Chrome, document};
use leptos::prelude::*;

/// Asking for a second factor: at sign-in, or again before a sensitive
/// action (step-up).
#[derive(Clone, Debug, Default)]
pub struct SecondFactorView {
    /// Where the form posts: sign-in's second step or the step-up.
    pub action: &'static str,
    /// Step-up: the page to return to afterwards.
    pub next: Option<String>,
    pub error: Option<String>,
    /// Days a browser may be remembered (0: the choice is not offered).
    pub remember_days: i64,
    pub has_app: bool,
    pub has_passkey: bool,
    /// Only a passkey is accepted (the phishing-resistant policy).
    pub passkey_only: bool,
    /// Sign-in asks a factor held before setting up the one the policy
    /// now requires (a passkey).
    pub before_enrol: bool,
}

pub fn second_factor_page(chrome: &Chrome, page: &SecondFactorView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let step_up = page.next.is_some();
    let t = chrome.lang;
    let title = t.t(if step_up {
        "step-up-title"
    } else {
        "second-factor-title"
    });
    let intro = t.t(if step_up {
        "step-up-intro"
    } else if page.before_enrol {
        "second-factor-intro-before-enrol"
    } else {
        "second-factor-intro"
    });
    let how = t.t(if page.passkey_only {
        "second-factor-how-passkey"
    } else if page.has_app {
        "second-factor-how-app"
    } else {
        "second-factor-how-passkey-or-code"
    });
    let passkey = page.has_passkey.then(|| {
        view! {
            <div class="mb-6 hidden" data-passkey-verify="">
                <button type="button" data-passkey-action="verify" class="w-full rounded-md border border-indigo-600 px-4 py-2 text-base font-semibold text-indigo-700 hover:bg-indigo-50 focus:outline-none focus:ring-2 focus:ring-indigo-500">
                    {t.t("second-factor-use-passkey")}
                </button>
                <p class="mt-2 hidden text-sm text-red-700" role="alert" data-passkey-error=""></p>
            </div>
            <noscript><p class="mb-6 text-sm text-slate-600">{t.t("passkeys-need-javascript")}</p></noscript>
        }
    });
    let form = (!page.passkey_only).then(|| {
        let remember = (page.remember_days > 0 && !step_up).then(|| {
            checkbox(
                "remember",
                &t.tf("second-factor-remember", &[("days", page.remember_days.into())]),
                &t.t("second-factor-remember-hint"),
                false,
                None,
            )
        });
        view! {
            <form method="post" action=page.action novalidate>
                <CsrfField token=csrf.clone()/>
                {page.next.clone().map(|n| view! { <input type="hidden" name="next" value=n/> })}
                <Field name="code" label=t.t("second-factor-code") value=String::new() autocomplete="one-time-code" maxlength=20
                    error=page.error.clone() hint=t.t("second-factor-code-hint")/>
                {remember}
                <SubmitButton label=t.t("second-factor-submit")/>
            </form>
        }
    });
    let passkey_only_error = page
        .passkey_only
        .then(|| page.error.clone())
        .flatten()
        .map(|m| view! { <Notice tone="error" message=m/> });
    let body = view! {
        <Card title=title.clone()>
            {passkey_only_error}
            <p class="mb-6 text-sm text-slate-600">{intro}" "{how}</p>
            {passkey}
            {form}
            <form method="post" action=paths::SIGN_OUT class="mt-6 text-center text-sm">
                <CsrfField token=csrf.clone()/>
                <button type="submit" class="text-indigo-700 hover:underline">{t.t("second-factor-cancel")}</button>
            </form>
        </Card>
    };
    document(&chrome, &title, body)
}

/// Setting up an authenticator app: at sign-in when the policy requires a
/// factor, or from the security page.
#[derive(Clone, Debug, Default)]
pub struct TotpSetupView {
    pub action: &'static str,
    /// The secret, grouped for typing.
    pub secret: String,
    pub otpauth_url: String,
    /// The QR code: an SVG element made by the server from `otpauth_url`.
    pub qr_svg: String,
    pub error: Option<String>,
    /// At sign-in: the policy requires a factor before going on.
    pub required: bool,
    /// Passkeys are offered too (the browser runs the ceremony).
    pub offer_passkey: bool,
    /// Only a passkey will do (the phishing-resistant policy).
    pub passkey_only: bool,
}

pub fn totp_setup_page(chrome: &Chrome, page: &TotpSetupView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let t = chrome.lang;
    let title = t.t(if page.required {
        "enrol-title"
    } else {
        "totp-setup-title"
    });
    let required = page.required.then(|| {
        let words = t.t(if page.passkey_only {
            "enrol-required-passkey"
        } else {
            "enrol-required"
        });
        view! { <Notice tone="info" message=words/> }
    });
    let passkey = page.offer_passkey.then(|| {
        view! {
            <div class="mb-6 hidden" data-passkey-register="">
                <h2 class="mb-2 text-lg font-semibold">{t.t("enrol-passkey-heading")}</h2>
                <p class="mb-3 text-sm text-slate-600">{t.t("enrol-passkey-text")}</p>
                <button type="button" data-passkey-action="register" class="w-full rounded-md border border-indigo-600 px-4 py-2 text-base font-semibold text-indigo-700 hover:bg-indigo-50 focus:outline-none focus:ring-2 focus:ring-indigo-500">
                    {t.t("enrol-passkey-add")}
                </button>
                <p class="mt-2 hidden text-sm text-red-700" role="alert" data-passkey-error=""></p>
            </div>
            <noscript><p class="mb-6 text-sm text-slate-600">{t.t("passkeys-need-javascript")}</p></noscript>
        }
    });
    // A heading of its own only beside the passkey; alone, the page's title
    // says it.
    let offer_passkey = page.offer_passkey;
    let app = (!page.passkey_only).then(|| {
        view! {
            {offer_passkey.then(|| view! { <h2 class="mb-2 text-lg font-semibold">{t.t("totp-heading")}</h2> })}
            <ol class="mb-4 list-decimal space-y-1 ps-5 text-sm text-slate-700">
                <li>{t.t("totp-step-open")}</li>
                <li>{t.t("totp-step-scan")}</li>
                <li>{t.t("totp-step-enter")}</li>
            </ol>
            <div class="mb-4 flex justify-center rounded-md border border-slate-200 bg-white p-2" inner_html=page.qr_svg.clone()></div>
            <p class="mb-1 text-sm font-medium text-slate-700">{t.t("totp-key")}</p>
            <p class="mb-4 break-words rounded bg-slate-100 px-3 py-2 font-mono text-sm" data-totp-secret="">{page.secret.clone()}</p>
            <p class="mb-4 text-sm"><a href=page.otpauth_url.clone() class="text-indigo-700 hover:underline">{t.t("totp-open-here")}</a></p>
            <form method="post" action=page.action novalidate>
                <CsrfField token=csrf.clone()/>
                <Field name="code" label=t.t("totp-code") value=String::new() autocomplete="one-time-code"
                    maxlength=10 error=page.error.clone()/>
                <SubmitButton label=t.t("totp-submit")/>
            </form>
        }
    });
    let cancel = if page.required {
        view! {
            <form method="post" action=paths::SIGN_OUT class="mt-6 text-center text-sm">
                <CsrfField token=csrf.clone()/>
                <button type="submit" class="text-indigo-700 hover:underline">{t.t("second-factor-cancel")}</button>
            </form>
        }
        .into_any()
    } else {
        view! {
            <p class="mt-6 text-center text-sm"><a href=paths::ACCOUNT_SECURITY class="text-indigo-700 hover:underline">{t.t("back-to-security")}</a></p>
        }
        .into_any()
    };
    let body = view! {
        <Card title=title.clone()>
            {required}
            {passkey}
            {app}
            {cancel}
        </Card>
    };
    document(&chrome, &title, body)
}

/// New recovery codes, shown this once.
#[derive(Clone, Debug, Default)]
pub struct RecoveryCodesView {
    pub codes: Vec<String>,
    /// Whose codes: named in the downloaded file.
    pub email: String,
    /// Where "I have saved them" leads.
    pub continue_href: &'static str,
}

pub fn recovery_codes_page(chrome: &Chrome, page: &RecoveryCodesView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let t = chrome.lang;
    let codes = page
        .codes
        .iter()
        .map(|c| view! { <li class="font-mono">{c.clone()}</li> })
        .collect_view();
    // The file a download saves: a line saying what the codes are, then one
    // code per line. A data: address, because the codes exist nowhere else
    // (only their hashes are stored) and the page needs no script for it.
    let file = format!(
        "{}\n\n{}\n",
        t.tf(
            "recovery-codes-file",
            &[("email", page.email.as_str().into())]
        ),
        page.codes.join("\n")
    );
    let download: String = url::form_urlencoded::byte_serialize(file.as_bytes()).collect();
    let download = format!(
        "data:text/plain;charset=utf-8,{}",
        download.replace('+', "%20")
    );
    let title = t.t("recovery-codes-title");
    let body = view! {
        <Card title=title.clone()>
            <Notice tone="info" message=t.t("recovery-codes-text")/>
            <ul class="mb-4 grid grid-cols-2 gap-2 rounded-md bg-slate-100 p-4 text-base" data-recovery-codes="">{codes}</ul>
            <div class="mb-6 flex flex-wrap gap-3 print:hidden">
                <button type="button" class=format!("hidden {OUTLINE_BUTTON}") data-copy-codes="" data-copied=t.t("recovery-codes-copied")>{t.t("recovery-codes-copy")}</button>
                <a href=download download="recovery-codes.txt" class=OUTLINE_BUTTON>{t.t("recovery-codes-download")}</a>
                <button type="button" class=format!("hidden {OUTLINE_BUTTON}") data-print="">{t.t("recovery-codes-print")}</button>
            </div>
            <a href=page.continue_href class="block w-full rounded-md bg-indigo-600 px-4 py-2 text-center text-base font-semibold text-white shadow-sm hover:bg-indigo-700 focus:outline-none focus:ring-2 focus:ring-indigo-500 focus:ring-offset-2 print:hidden">
                {t.t("recovery-codes-saved")}
            </a>
        </Card>
    };
    document(&chrome, &title, body)
}

#[derive(Clone, Debug, Default)]
pub struct SecurityView {
    pub factors: Vec<FactorRow>,
    /// Passkeys work here (Gatehouse is reached by a domain name).
    pub passkeys: bool,
    pub has_app: bool,
    pub recovery_codes_left: i64,
    /// What the customer's tier requires, in words.
    pub policy: String,
    pub notice: Option<String>,
    pub error: Option<String>,
}

pub fn security_page(chrome: &Chrome, page: &SecurityView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let t = chrome.lang;
    let factors = page
        .factors
        .iter()
        .map(|f| {
            let name = f.name.as_str();
            let action = format!("{}?id={}", paths::ACCOUNT_FACTOR_REMOVE, f.id);
            // The kind beside the name, unless the name already says it.
            let kind_shown = (f.name != f.kind).then(|| f.kind.clone());
            let dates = t.tf("security-factor-added", &[("added", HOLE.into()), ("used", HOLE.into())]);
            let mut parts = dates.split(crate::i18n::HOLE);
            let (a, b, c) = (
                parts.next().unwrap_or_default().to_string(),
                parts.next().unwrap_or_default().to_string(),
                parts.next().unwrap_or_default().to_string(),
            );
            view! {
                <li class="flex flex-col gap-2 border-b border-slate-200 py-3 sm:flex-row sm:items-start sm:justify-between" data-factor=f.kind.clone()>
                    <div class="min-w-0">
                        <p class="break-words font-medium">{f.name.clone()}{kind_shown.map(|kind| view! { " " <span class="text-sm font-normal text-slate-500">"(" {kind} ")"</span> })}</p>
                        <p class="text-sm text-slate-600">
                            {a}<span class="whitespace-nowrap">{f.created.clone()}</span>{b}<span class="whitespace-nowrap">{f.last_used.clone()}</span>{c}
                        </p>
                    </div>
                    <ConfirmAction action=action label=t.t("security-remove")
                        aria_label=t.tf("security-remove-named", &[("name", name.into())])
                        question=t.tf("security-remove-confirm", &[("name", name.into())])
                        confirm=t.t("security-remove-yes") cancel=t.t("confirm-cancel") csrf=csrf.clone()/>
                </li>
            }
        })
        .collect_view();
    let none = page.factors.is_empty().then(|| {
        view! { <p class="py-3 text-sm text-slate-600">{t.t("account-security-none")}</p> }
    });
    let app = (!page.has_app).then(|| {
        view! { <a href=paths::ACCOUNT_TOTP class=PRIMARY_LINK>{t.t("security-add-app")}</a> }
    });
    let recovery = (!page.factors.is_empty()).then(|| {
        view! {
            <h2 class="mb-2 mt-8 text-lg font-semibold">{t.t("recovery-codes")}</h2>
            <p class="mb-3 text-sm text-slate-600" data-codes-left=page.recovery_codes_left>
                {t.tf("recovery-codes-left", &[("count", page.recovery_codes_left.into())])} " " {t.t("recovery-codes-renew-text")}
            </p>
            <form method="post" action=paths::ACCOUNT_RECOVERY_CODES>
                <CsrfField token=csrf.clone()/>
                <button type="submit" class=OUTLINE_BUTTON>{t.t("recovery-codes-renew")}</button>
            </form>
        }
    });
    let title = t.t("security-title");
    let body = view! {
        <Card title=title.clone()>
            {page.notice.clone().map(|m| view! { <Notice tone="success" message=m/> })}
            {page.error.clone().map(|m| view! { <Notice tone="error" message=m/> })}
            <p class="mb-4 text-sm text-slate-600">{page.policy.clone()}</p>
            <h2 class="mb-2 text-lg font-semibold">{t.t("security-factors")}</h2>
            <ul class="mb-4" aria-label=t.t("security-factors")>{factors}</ul>
            {none}
            <div class="flex flex-wrap items-center gap-3">
                {page.passkeys.then(|| view! {
                    <div class="hidden" data-passkey-register="">
                        <button type="button" data-passkey-action="register" class="rounded-md border border-indigo-600 px-3 py-2 text-sm font-semibold text-indigo-700 hover:bg-indigo-50">{t.t("security-add-passkey")}</button>
                        <p class="mt-2 hidden text-sm text-red-700" role="alert" data-passkey-error=""></p>
                    </div>
                })}
                {app}
            </div>
            {page.passkeys.then(|| view! { <noscript><p class="mt-2 text-sm text-slate-600">{t.t("security-passkey-needs-javascript")}</p></noscript> })}
            {recovery}
            <p class="mt-8 text-sm"><a href=paths::ACCOUNT class="text-indigo-700 hover:underline">{t.t("back-to-account")}</a></p>
        </Card>
    };
    document(&chrome, &title, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::chrome;

    #[test]
    fn second_factor_form_posts_a_code_and_offers_remembering() {
        let html = second_factor_page(
            &chrome(),
            &SecondFactorView {
                action: paths::SIGN_IN_VERIFY,
                remember_days: 30,
                has_app: true,
                ..Default::default()
            },
        );
        assert!(html.contains(r#"action="/login/verify""#));
        assert!(html.contains(r#"autocomplete="one-time-code""#));
        assert!(html.contains("Remember this browser for 30 days"));
        assert!(!html.contains("data-passkey-verify"));
    }

    #[test]
    fn the_app_setup_page_says_its_heading_once() {
        let heading = format!(">{}</h2>", crate::Lang::En.t("totp-heading"));
        let alone = totp_setup_page(&chrome(), &TotpSetupView::default());
        assert!(!alone.contains(&heading), "the title says it");
        let beside_passkey = TotpSetupView {
            offer_passkey: true,
            required: true,
            ..Default::default()
        };
        assert!(totp_setup_page(&chrome(), &beside_passkey).contains(&heading));
    }

    #[test]
    fn passkey_only_has_no_code_form() {
        let html = second_factor_page(
            &chrome(),
            &SecondFactorView {
                action: paths::SIGN_IN_VERIFY,
                has_passkey: true,
                passkey_only: true,
                ..Default::default()
            },
        );
        assert!(html.contains("data-passkey-verify"));
        assert!(!html.contains(r#"name="code""#));
    }

    #[test]
    fn security_page_lists_factors_with_remove_buttons() {
        let html = security_page(
            &chrome(),
            &SecurityView {
                factors: vec![FactorRow {
                    id: "f1".into(),
                    kind: "Passkey".into(),
                    name: "Laptop <b>".into(),
                    created: "2026-12-04".into(),
                    last_used: "never".into(),
                }],
                recovery_codes_left: 9,
                ..Default::default()
            },
        );
        assert!(html.contains("Laptop &lt;b&gt;"));
        assert!(html.contains("/account/security/remove?id=f1"));
        assert!(html.contains("9 unused recovery codes left."));
        assert!(html.contains("Set up an authenticator app"));
    }
}
