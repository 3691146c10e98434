use crate::components::{Card, CsrfField, Field, SubmitButton};
use crate::paths;
use crate::{Chrome, document};
use leptos::prelude::*;

/// The confirmation step of a mailed link (verify an address, lift a
/// sign-in block). The link itself only shows this page; the POST spends
/// the token, so mail scanners that prefetch links do not use it up.
#[derive(Clone, Debug)]
pub struct ConfirmLinkView {
    pub title: String,
    pub text: String,
    /// Where the form posts the token.
    pub action: &'static str,
    pub button: String,
    pub token: String,
}

pub fn confirm_link_page(chrome: &Chrome, page: &ConfirmLinkView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let body = view! {
        <Card title=page.title.clone()>
            <p class="mb-4 text-sm text-slate-600">{page.text.clone()}</p>
            <form method="post" action=page.action>
                <CsrfField token=csrf.clone()/>
                <input type="hidden" name="token" value=page.token.clone()/>
                <SubmitButton label=page.button.clone()/>
            </form>
        </Card>
    };
    document(&chrome, &page.title, body)
}

#[derive(Clone, Debug, Default)]
pub struct ResendVerificationView {
    pub email: String,
    pub error: Option<String>,
}

pub fn resend_verification_page(chrome: &Chrome, page: &ResendVerificationView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let t = chrome.lang;
    let body = view! {
        <Card title=t.t("resend-title")>
            <form method="post" action=paths::RESEND_VERIFICATION novalidate>
                <CsrfField token=csrf.clone()/>
                <Field name="email" label=t.t("field-email") kind="email" value=page.email.clone()
                    error=page.error.clone() autocomplete="email" maxlength=254/>
                <SubmitButton label=t.t("resend-submit")/>
            </form>
        </Card>
    };
    document(&chrome, &t.t("resend-title"), body)
}
