use crate::components::{Card, CsrfField, Field, Notice, SubmitButton};
use crate::paths;
use crate::{Chrome, document};
use leptos::prelude::*;

#[derive(Clone, Debug, Default)]
pub struct SignInView {
    pub email: String,
    pub error: Option<String>,
    pub notice: Option<String>,
}

pub fn sign_in_page(chrome: &Chrome, page: &SignInView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let body = view! {
        <Card title="Sign in".to_string()>
            {page.notice.clone().map(|m| view! { <Notice tone="success" message=m/> })}
            {page.error.clone().map(|m| view! { <Notice tone="error" message=m/> })}
            <form method="post" action=paths::SIGN_IN novalidate>
                <CsrfField token=csrf.clone()/>
                <Field name="email" label="Email" kind="email" value=page.email.clone() autocomplete="username" maxlength=254/>
                <Field name="password" label="Password" kind="password" autocomplete="current-password" maxlength=1024/>
                <SubmitButton label="Sign in"/>
            </form>
            <div class="mt-6 flex flex-col gap-2 text-sm sm:flex-row sm:justify-between">
                <a href=paths::FORGOT_PASSWORD class="text-indigo-700 hover:underline">"Forgot your password?"</a>
                <a href=paths::SIGN_UP class="text-indigo-700 hover:underline">"Create an account"</a>
            </div>
        </Card>
    };
    document(&chrome, "Sign in", body)
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
                email: "a@example.com".into(),
                error: Some("Wrong email or password.".into()),
                notice: None,
            },
        );
        assert!(html.contains(r#"value="a@example.com""#));
        assert!(html.contains("Wrong email or password."));
        assert!(html.contains(r#"name="csrf_token" value="tok-123""#));
        assert!(html.contains(r#"autocomplete="current-password""#));
    }
}
