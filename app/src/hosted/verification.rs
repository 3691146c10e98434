use crate::components::{Card, CsrfField, Field, SubmitButton};
use crate::paths;
use crate::{Chrome, document};
use leptos::prelude::*;

/// Confirmation step for a verification link. The link itself only shows this
/// page; the POST spends the token, so mail scanners that prefetch links do not
/// use it up.
pub fn verify_email_page(chrome: &Chrome, token: &str) -> String {
    let (chrome, token) = (chrome.clone(), token.to_string());
    let csrf = chrome.csrf_token.clone();
    let body = view! {
        <Card title="Verify your email".to_string()>
            <p class="mb-4 text-sm text-slate-600">"Confirm that this email address is yours."</p>
            <form method="post" action=paths::VERIFY_EMAIL>
                <CsrfField token=csrf.clone()/>
                <input type="hidden" name="token" value=token/>
                <SubmitButton label="Verify my email"/>
            </form>
        </Card>
    };
    document(&chrome, "Verify your email", body)
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
