use super::signup::password_hint;
use crate::components::{Card, CsrfField, Field, Notice, SubmitButton};
use crate::paths;
use crate::{Chrome, FieldErrors, document};
use leptos::prelude::*;

#[derive(Clone, Debug, Default)]
pub struct ForgotPasswordView {
    pub email: String,
    pub error: Option<String>,
}

pub fn forgot_password_page(chrome: &Chrome, page: &ForgotPasswordView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let t = chrome.lang;
    let body = view! {
        <Card title=t.t("forgot-title")>
            <p class="mb-4 text-sm text-slate-600">{t.t("forgot-intro")}</p>
            <form method="post" action=paths::FORGOT_PASSWORD novalidate>
                <CsrfField token=csrf.clone()/>
                <Field name="email" label=t.t("field-email") kind="email" value=page.email.clone()
                    error=page.error.clone() autocomplete="username" maxlength=254/>
                <SubmitButton label=t.t("forgot-submit")/>
            </form>
            <p class="mt-6 text-sm"><a href=paths::SIGN_IN class="text-indigo-700 hover:underline">{t.t("back-to-sign-in")}</a></p>
        </Card>
    };
    document(&chrome, &t.t("forgot-title"), body)
}

#[derive(Clone, Debug, Default)]
pub struct ResetPasswordView {
    pub token: String,
    pub password_min: usize,
    pub errors: FieldErrors,
}

pub fn reset_password_page(chrome: &Chrome, page: &ResetPasswordView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let t = chrome.lang;
    let summary = page
        .errors
        .get("token")
        .map(|m| view! { <Notice tone="error" message=m/> });
    let body = view! {
        <Card title=t.t("reset-title")>
            {summary}
            <form method="post" action=paths::RESET_PASSWORD novalidate>
                <CsrfField token=csrf.clone()/>
                <input type="hidden" name="token" value=page.token.clone()/>
                <Field name="password" label=t.t("field-new-password") kind="password"
                    error=page.errors.get("password") autocomplete="new-password" maxlength=1024
                    hint=password_hint(t, page.password_min)/>
                <SubmitButton label=t.t("reset-submit")/>
            </form>
        </Card>
    };
    document(&chrome, &t.t("reset-title"), body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::chrome;

    #[test]
    fn reset_form_carries_token_and_error() {
        let mut errors = FieldErrors::new();
        errors.add("password", "This password is too common.");
        let html = reset_password_page(
            &chrome(),
            &ResetPasswordView {
                token: "abc_DEF-1".into(),
                password_min: 8,
                errors,
            },
        );
        assert!(html.contains(r#"name="token" value="abc_DEF-1""#));
        assert!(html.contains("This password is too common."));
        assert!(html.contains("At least 8 characters"));
    }
}
