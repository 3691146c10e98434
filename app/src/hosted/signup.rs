use crate::components::{
    AttributeField, AttributeInput, Card, CsrfField, Field, Notice, SubmitButton,
};
use crate::paths;
use crate::{Chrome, FieldErrors, document};
use leptos::prelude::*;

#[derive(Clone, Debug, Default)]
pub struct SignUpView {
    pub email: String,
    pub display_name: String,
    pub accepted_terms: bool,
    pub terms_version: String,
    pub password_min: usize,
    /// The organisation's own fields customers fill in, with values as typed.
    pub attributes: Vec<AttributeInput>,
    pub errors: FieldErrors,
}

pub fn sign_up_page(chrome: &Chrome, page: &SignUpView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let t = chrome.lang;
    let password_hint = password_hint(t, page.password_min);
    let terms_error = page.errors.get("accept_terms");
    let summary = (!page.errors.is_empty())
        .then(|| view! { <Notice tone="error" message=t.t("form-correct-fields")/> });
    let body = view! {
        <Card title=t.t("sign-up-title")>
            {summary}
            <form method="post" action=paths::SIGN_UP novalidate>
                <CsrfField token=csrf.clone()/>
                <Field name="email" label=t.t("field-email") kind="email" value=page.email.clone()
                    error=page.errors.get("email") autocomplete="email" maxlength=254/>
                <Field name="display_name" label=t.t("field-name") value=page.display_name.clone()
                    error=page.errors.get("display_name") autocomplete="name" maxlength=100
                    hint=t.t("field-name-hint")/>
                {page.attributes.iter().cloned().map(|input| view! { <AttributeField input=input/> }).collect_view()}
                <Field name="password" label=t.t("field-password") kind="password"
                    error=page.errors.get("password") autocomplete="new-password" maxlength=1024
                    hint=password_hint/>
                <div class="mb-6">
                    <div class="flex items-start gap-2">
                        <input id="field-accept_terms" type="checkbox" name="accept_terms" value="yes"
                            checked=page.accepted_terms
                            aria-invalid=terms_error.is_some().then_some("true")
                            aria-describedby=terms_error.is_some().then_some("field-accept_terms-error")
                            class="mt-1 h-4 w-4 rounded border-slate-300"/>
                        <label for="field-accept_terms" class="text-sm text-slate-700">
                            {t.t("sign-up-terms-before")}" "
                            <a href=paths::TERMS class="text-indigo-700 underline">{t.t("sign-up-terms-link")}</a>
                            " "{t.tf("sign-up-terms-after", &[("version", page.terms_version.clone().into())])}
                        </label>
                    </div>
                    {terms_error.map(|e| view! { <p id="field-accept_terms-error" class="mt-1 text-sm font-medium text-red-700">{e}</p> })}
                </div>
                <SubmitButton label=t.t("sign-up-submit")/>
            </form>
            <p class="mt-6 text-sm">
                {t.t("sign-up-have-account")}" "
                <a href=paths::SIGN_IN class="text-indigo-700 underline">{t.t("sign-in-submit")}</a>
            </p>
        </Card>
    };
    document(&chrome, &t.t("sign-up-title"), body)
}

pub(crate) fn password_hint(t: crate::Lang, min: usize) -> String {
    t.tf("password-hint", &[("min", min.into())])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::chrome;

    #[test]
    fn shows_field_errors_and_keeps_input_but_not_password() {
        let mut errors = FieldErrors::new();
        errors.add("email", "Enter a valid email address.");
        errors.add("accept_terms", "You must accept the terms to continue.");
        let html = sign_up_page(
            &chrome(),
            &SignUpView {
                email: "bad@".into(),
                display_name: "Ada".into(),
                accepted_terms: false,
                terms_version: "2026-01".into(),
                password_min: 8,
                attributes: Vec::new(),
                errors,
            },
        );
        assert!(html.contains("Enter a valid email address."));
        assert!(html.contains("You must accept the terms to continue."));
        assert!(html.contains(r#"value="Ada""#));
        assert!(html.contains("version 2026-01"));
        assert!(html.contains(r#"aria-describedby="field-email-error""#));
        assert!(
            html.contains(r#"type="password" value="""#),
            "the password is never echoed"
        );
    }

    #[test]
    fn attributes_render_by_type_with_their_errors() {
        let input = |name: &str, kind: &'static str, required: bool| AttributeInput {
            name: format!("attr.{name}"),
            label: name.to_uppercase(),
            kind,
            required,
            choices: vec!["Leeds".into(), "York".into()],
            ..Default::default()
        };
        let mut phone = input("phone", "phone", true);
        phone.value = "+44 20".into();
        phone.error = Some("PHONE is an international number.".into());
        let mut store = input("store", "choice", false);
        store.value = "York".into();
        let html = sign_up_page(
            &chrome(),
            &SignUpView {
                attributes: vec![phone, store, input("birthday", "date", false)],
                ..Default::default()
            },
        );
        assert!(
            html.contains(r#"name="attr.phone" type="tel" value="+44 20""#),
            "{html}"
        );
        assert!(html.contains("PHONE is an international number."));
        assert!(
            html.contains(r#"aria-describedby="field-attr.phone-hint field-attr.phone-error""#)
        );
        assert!(html.contains("STORE (optional)"));
        assert!(html.contains(r#"<option value="York" selected"#), "{html}");
        assert!(html.contains(r#"name="attr.birthday" type="date""#));
    }
}
