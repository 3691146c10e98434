use crate::components::{Card, CsrfField};
use crate::paths;
use crate::{Chrome, document};
use leptos::prelude::*;

/// A third-party application asks to know the customer: what it asks for,
/// in words, and the two answers.
#[derive(Clone, Debug, Default)]
pub struct ConsentView {
    pub app_name: String,
    /// The application's logo (an https address), shown beside its name.
    pub logo_url: Option<String>,
    /// One line per thing shared ("Your email address").
    pub shares: Vec<String>,
    pub customer_email: String,
    /// Where the answer goes: the consent form, or a device's confirmation.
    pub action: &'static str,
    /// What the answer is about (the pending request's id, or the device's
    /// user code), sent back with it so it answers only what was shown.
    pub answers: String,
    /// The code a device shows, for the customer to compare.
    pub device_code: Option<String>,
}

pub fn consent_page(chrome: &Chrome, page: &ConsentView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let t = chrome.lang;
    let title = t.tf("consent-title", &[("app", page.app_name.clone().into())]);
    let shares = page
        .shares
        .iter()
        .map(|line| view! { <li>{line.clone()}</li> })
        .collect_view();
    // The name says who asks; the logo only adds to it (empty alt text).
    let logo = page.logo_url.clone().map(|src| {
        view! { <img src=src alt="" width="48" height="48" referrerpolicy="no-referrer" class="mb-4 h-12 w-12 rounded object-contain"/> }
    });
    let body = view! {
        <Card title=title.clone()>
            {logo}
            <p class="mb-4 text-sm text-slate-700">
                {t.tf("consent-asks", &[("app", page.app_name.clone().into()), ("email", page.customer_email.clone().into())])}
            </p>
            <ul class="mb-6 list-disc space-y-1 ps-5 text-sm text-slate-800">{shares}</ul>
            {page.device_code.clone().map(|code| view! {
                <p class="mb-6 text-sm text-slate-700">
                    {t.t("consent-device-code")}" "
                    <strong class="font-mono text-base tracking-widest" dir="ltr">{code}</strong>
                </p>
            })}
            <p class="mb-6 text-sm text-slate-600">
                {t.t("consent-take-back")}
            </p>
            <form method="post" action=page.action class="flex flex-col gap-3 sm:flex-row-reverse">
                <CsrfField token=csrf/>
                <input type="hidden" name="answers" value=page.answers.clone()/>
                <button type="submit" name="decision" value="allow"
                    class="w-full rounded-md bg-indigo-600 px-4 py-2 text-base font-semibold text-white shadow-sm hover:bg-indigo-700 focus:outline-none focus:ring-2 focus:ring-indigo-500 focus:ring-offset-2">
                    {t.t("consent-allow")}
                </button>
                <button type="submit" name="decision" value="deny"
                    class="w-full rounded-md border border-slate-300 bg-white px-4 py-2 text-base font-semibold text-slate-800 shadow-sm hover:bg-slate-50 focus:outline-none focus:ring-2 focus:ring-indigo-500 focus:ring-offset-2">
                    {t.t("consent-deny")}
                </button>
            </form>
        </Card>
    };
    document(&chrome, &title, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::chrome;

    #[test]
    fn names_the_app_and_what_it_sees_escaped() {
        let html = consent_page(
            &chrome(),
            &ConsentView {
                app_name: "<b>Shop</b>".into(),
                logo_url: Some("https://shop.example.com/logo.png?a=1&b=2".into()),
                shares: vec!["Your email address".into()],
                customer_email: "ada@example.com".into(),
                action: paths::CONSENT,
                answers: "r1\"x".into(),
                device_code: None,
            },
        );
        assert!(html.contains("&lt;b&gt;Shop&lt;/b&gt;"));
        assert!(
            html.contains(r#"name="answers" value="r1&quot;x""#),
            "{html}"
        );
        assert!(
            html.contains(r#"src="https://shop.example.com/logo.png?a=1&amp;b=2""#),
            "{html}"
        );
        assert!(html.contains("Your email address"));
        assert!(html.contains(r#"name="decision" value="allow""#));
        assert!(html.contains(r#"name="csrf_token" value="tok-123""#));
    }
}

/// An application asks to sign the customer out, without proof that it
/// knows who is signed in here: the customer confirms.
#[derive(Clone, Debug, Default)]
pub struct SignOutView {
    pub app_name: String,
    /// The request's parameters, sent again with the answer.
    pub params: Vec<(String, String)>,
}

pub fn sign_out_page(chrome: &Chrome, page: &SignOutView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let hidden = page
        .params
        .iter()
        .map(|(k, v)| view! { <input type="hidden" name=k.clone() value=v.clone()/> })
        .collect_view();
    let body = view! {
        <Card title="Sign out?".to_string()>
            <p class="mb-6 text-sm text-slate-700">
                <strong>{page.app_name.clone()}</strong>
                " asks to sign you out of your account on this device."
            </p>
            <form method="post" action=paths::END_SESSION>
                <CsrfField token=csrf/>
                {hidden}
                <button type="submit"
                    class="w-full rounded-md bg-indigo-600 px-4 py-2 text-base font-semibold text-white shadow-sm hover:bg-indigo-700 focus:outline-none focus:ring-2 focus:ring-indigo-500 focus:ring-offset-2">
                    "Sign out"
                </button>
            </form>
            <p class="mt-4 text-sm"><a href=paths::ACCOUNT class="font-medium text-indigo-700 hover:underline">"Stay signed in"</a></p>
        </Card>
    };
    document(&chrome, "Sign out?", body)
}

/// Where a customer types the code their TV or car shows.
#[derive(Clone, Debug, Default)]
pub struct DeviceView {
    pub user_code: String,
    pub error: Option<String>,
}

pub fn device_page(chrome: &Chrome, page: &DeviceView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let body = view! {
        <Card title="Connect a device".to_string()>
            <p class="mb-4 text-sm text-slate-700">
                "Type the code shown on your TV, car or other device."
            </p>
            <form method="post" action=paths::DEVICE novalidate>
                <CsrfField token=csrf/>
                <crate::components::Field name="user_code" label="Code" value=page.user_code.clone()
                    error=page.error.clone() autocomplete="off" maxlength=16/>
                <crate::components::SubmitButton label="Continue"/>
            </form>
        </Card>
    };
    document(&chrome, "Connect a device", body)
}
