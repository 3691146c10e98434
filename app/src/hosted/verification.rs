use crate::components::{Card, CsrfField, Field, SubmitButton};
use crate::paths;
use crate::{Chrome, document};
use leptos::prelude::*;

/// The confirmation step of a mailed link (verify an address, lift a
/// sign-in block). The link itself only shows this page; the POST spends
/// the token, so mail scanners that prefetch links do not use it up.
#[derive(Clone, Debug)]
pub struct ConfirmLinkView {
    pub title: &'static str,
    pub text: &'static str,
    /// Where the form posts the token.
    pub action: &'static str,
    pub button: &'static str,
    pub token: String,
}

pub fn confirm_link_page(chrome: &Chrome, page: &ConfirmLinkView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let body = view! {
        <Card title=page.title.to_string()>
            <p class="mb-4 text-sm text-slate-600">{page.text}</p>
            <form method="post" action=page.action>
                <CsrfField token=csrf.clone()/>
                <input type="hidden" name="token" value=page.token.clone()/>
                <SubmitButton label=page.button/>
            </form>
        </Card>
    };
    document(&chrome, page.title, body)
}

#[derive(Clone, Debug, Default)]
pub struct ResendVerificationView {
    pub email: String,
    pub error: Option<String>,
}

pub fn resend_verification_page(chrome: &Chrome, page: &ResendVerificationView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let body = view! {
        <Card title="Resend verification email".to_string()>
            <form method="post" action=paths::RESEND_VERIFICATION novalidate>
                <CsrfField token=csrf.clone()/>
                <Field name="email" label="Email" kind="email" value=page.email.clone()
                    error=page.error.clone() autocomplete="email" maxlength=254/>
                <SubmitButton label="Send a new link"/>
            </form>
        </Card>
    };
    document(&chrome, "Resend verification email", body)
}
