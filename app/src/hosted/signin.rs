use crate::components::{Card, CsrfField, Field, Notice, SubmitButton};
use crate::paths;
use crate::{Chrome, document};
use leptos::prelude::*;

#[derive(Clone, Debug, Default)]
pub struct SignInView {
    /// Passkeys work here (Gatehouse is reached by a domain name).
    pub passkeys: bool,
    pub email: String,
    pub error: Option<String>,
    pub notice: Option<String>,
    /// The application's request this sign-in is for (its id), if any.
    pub request: String,
}

pub fn sign_in_page(chrome: &Chrome, page: &SignInView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let t = chrome.lang;
    let body = view! {
        <Card title=t.t("sign-in-title")>
            {page.notice.clone().map(|m| view! { <Notice tone="success" message=m/> })}
            {page.error.clone().map(|m| view! { <Notice tone="error" message=m/> })}
            <form method="post" action=paths::SIGN_IN novalidate>
                <CsrfField token=csrf.clone()/>
                {(!page.request.is_empty()).then(|| view! { <input type="hidden" name="request" value=page.request.clone()/> })}
                <Field name="email" label=t.t("field-email") kind="email" value=page.email.clone() autocomplete=if page.passkeys { "username webauthn" } else { "username" } maxlength=254/>
                <Field name="password" label=t.t("field-password") kind="password" autocomplete="current-password" maxlength=1024/>
                <SubmitButton label=t.t("sign-in-submit")/>
            </form>
            {page.passkeys.then(|| view! {
                <div class="mt-4 hidden" data-passkey-sign-in="">
                    <button type="button" data-passkey-action="sign-in" class="w-full rounded-md border border-indigo-600 px-4 py-2 text-base font-semibold text-indigo-700 hover:bg-indigo-50 focus:outline-none focus:ring-2 focus:ring-indigo-500">
                        {t.t("sign-in-passkey")}
                    </button>
                    <p class="mt-2 hidden text-sm text-red-700" role="alert" data-passkey-error=""></p>
                </div>
            })}
            <div class="mt-6 flex flex-col gap-2 text-sm sm:flex-row sm:justify-between">
                <a href=paths::FORGOT_PASSWORD class="text-indigo-700 hover:underline">{t.t("sign-in-forgot")}</a>
                <a href=paths::SIGN_UP class="text-indigo-700 hover:underline">{t.t("sign-in-create-account")}</a>
            </div>
            <p class="mt-4 text-sm text-slate-600">
                {t.t("sign-in-shared-screen")}" "
                <a href=paths::SCREEN_SIGN_IN class="text-indigo-700 underline">{t.t("sign-in-with-phone")}</a>
            </p>
        </Card>
    };
    document(&chrome, &t.t("sign-in-title"), body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::chrome;

    #[test]
    fn keeps_email_and_shows_error() {
        let html = sign_in_page(
            &chrome(),
            &SignInView {
                passkeys: false,
                email: "a@example.com".into(),
                error: Some("Wrong email or password.".into()),
                notice: None,
                request: String::new(),
            },
        );
        assert!(html.contains(r#"value="a@example.com""#));
        assert!(html.contains("Wrong email or password."));
        assert!(html.contains(r#"name="csrf_token" value="tok-123""#));
        assert!(html.contains(r#"autocomplete="current-password""#));
    }
}
