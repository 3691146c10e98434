use super::{ConsoleChrome, console_document};
use crate::FieldErrors;
use crate::components::{Card, CsrfField, Field, Notice, SubmitButton};
use crate::paths;
use leptos::prelude::*;

#[derive(Clone, Debug, Default)]
pub struct AdminSignInView {
    pub email: String,
    pub error: Option<String>,
    pub notice: Option<String>,
}

pub fn admin_sign_in_page(chrome: &ConsoleChrome, page: &AdminSignInView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let body = view! {
        <div class="mx-auto max-w-md">
            <Card title="Console sign-in".to_string()>
                {page.notice.clone().map(|m| view! { <Notice tone="success" message=m/> })}
                {page.error.clone().map(|m| view! { <Notice tone="error" message=m/> })}
                <form method="post" action=paths::CONSOLE_SIGN_IN novalidate>
                    <CsrfField token=csrf.clone()/>
                    <Field name="email" label="Email" kind="email" value=page.email.clone() autocomplete="username" maxlength=254/>
                    <Field name="password" label="Password" kind="password" autocomplete="current-password" maxlength=1024/>
                    <SubmitButton label="Sign in"/>
                </form>
            </Card>
        </div>
    };
    console_document(&chrome, "Sign in", body)
}

#[derive(Clone, Debug, Default)]
pub struct AdminSetupView {
    pub token: String,
    /// Fixed by the invitation; when `None` the new admin types one.
    pub invited_email: Option<String>,
    pub role: String,
    pub email: String,
    pub display_name: String,
    pub password_min: usize,
    pub errors: FieldErrors,
}

pub fn admin_setup_page(chrome: &ConsoleChrome, page: &AdminSetupView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let intro = format!(
        "You are setting up a {} account for the Gatehouse console.",
        page.role
    );
    let email_field = match page.invited_email.clone() {
        Some(email) => view! {
            <p class="mb-4 text-sm"><span class="font-medium text-slate-700">"Email: "</span>{email}</p>
        }
        .into_any(),
        None => view! {
            <Field name="email" label="Email" kind="email" value=page.email.clone()
                error=page.errors.get("email") autocomplete="username" maxlength=254/>
        }
        .into_any(),
    };
    let hint = format!("At least {} characters.", page.password_min);
    let body = view! {
        <div class="mx-auto max-w-md">
            <Card title="Set up your admin account".to_string()>
                <p class="mb-4 text-sm text-slate-600">{intro}</p>
                {page.errors.get("token").map(|m| view! { <Notice tone="error" message=m/> })}
                <form method="post" action=paths::CONSOLE_SETUP novalidate>
                    <CsrfField token=csrf.clone()/>
                    <input type="hidden" name="token" value=page.token.clone()/>
                    {email_field}
                    <Field name="display_name" label="Name" value=page.display_name.clone()
                        error=page.errors.get("display_name") autocomplete="name" maxlength=100/>
                    <Field name="password" label="Password" kind="password"
                        error=page.errors.get("password") autocomplete="new-password" maxlength=1024 hint=hint/>
                    <SubmitButton label="Create admin account"/>
                </form>
            </Card>
        </div>
    };
    console_document(&chrome, "Set up your admin account", body)
}

/// The console's second step: a passkey or the authenticator app's code,
/// or (on a first sign-in) setting one of them up. Admins always use a
/// second factor.
#[derive(Clone, Debug, Default)]
pub struct AdminSecondFactorView {
    pub error: Option<String>,
    /// Setting up: the key grouped for typing, the otpauth address and its
    /// QR code (an SVG element made by the server).
    pub setup: Option<(String, String, String)>,
    /// Verifying: the admin has a passkey. Setting up: one can be added
    /// here (Gatehouse is on a domain name).
    pub passkey: bool,
    /// Verifying: the admin has an authenticator app.
    pub app: bool,
}

pub fn admin_second_factor_page(chrome: &ConsoleChrome, page: &AdminSecondFactorView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let setting_up = page.setup.is_some();
    let (title, action) = match setting_up {
        true => ("Set up a second factor", paths::CONSOLE_SIGN_IN_ENROL),
        false => ("Two-step verification", paths::CONSOLE_SIGN_IN_VERIFY),
    };
    let passkey = page.passkey.then(|| {
        let (heading, label, data) = match setting_up {
            true => ("A passkey", "Add a passkey", "register"),
            false => ("", "Use your passkey", "verify"),
        };
        view! {
            <div class="mb-6 hidden" data-passkey-register=setting_up.then_some("") data-passkey-verify=(!setting_up).then_some("")>
                {(!heading.is_empty()).then(|| view! { <h2 class="mb-2 text-base font-semibold">{heading}</h2> })}
                <button type="button" data-passkey-action=data class="w-full rounded-md border border-indigo-600 px-4 py-2 text-base font-semibold text-indigo-700 hover:bg-indigo-50 focus:outline-none focus:ring-2 focus:ring-indigo-500">
                    {label}
                </button>
                <p class="mt-2 hidden text-sm text-red-700" role="alert" data-passkey-error=""></p>
            </div>
            <noscript><p class="mb-6 text-sm text-slate-600">"Passkeys need JavaScript."</p></noscript>
        }
    });
    let setup = page.setup.clone().map(|(secret, url, qr)| {
        let heading = page.passkey.then(|| view! { <h2 class="mb-2 text-base font-semibold">"Or an authenticator app"</h2> });
        view! {
            {heading}
            <p class="mb-4 text-sm text-slate-700">"Scan this QR code with your authenticator app, or type the key, then enter the 6-digit code it shows."</p>
            <div class="mb-4 flex justify-center rounded-md border border-slate-200 bg-white p-2" inner_html=qr></div>
            <p class="mb-1 text-sm font-medium text-slate-700">"Key"</p>
            <p class="mb-2 break-words rounded bg-slate-100 px-3 py-2 font-mono text-sm" data-totp-secret="">{secret}</p>
            <p class="mb-4 text-sm"><a href=url class="text-indigo-700 hover:underline">"Open in an authenticator app on this device"</a></p>
        }
    });
    let intro = setting_up.then(|| {
        let choice = if page.passkey {
            "Add a passkey, or set up an authenticator app."
        } else {
            "Set up an authenticator app."
        };
        view! { <p class="mb-4 text-sm text-slate-700">"The console requires a second factor at every sign-in. "{choice}</p> }
    });
    let code_intro = (!setting_up && page.app).then(|| {
        view! { <p class="mb-4 text-sm text-slate-700">"Enter the 6-digit code from your authenticator app."</p> }
    });
    let form = (setting_up || page.app).then(|| {
        view! {
            <form method="post" action=action novalidate>
                <CsrfField token=csrf.clone()/>
                <Field name="code" label="Code" value=String::new() autocomplete="one-time-code" maxlength=10
                    error=page.error.clone()/>
                <SubmitButton label="Continue"/>
            </form>
        }
    });
    // Without a code form (a passkey only), a refusal shows on its own.
    let error = (!setting_up && !page.app)
        .then(|| page.error.clone())
        .flatten()
        .map(|m| view! { <Notice tone="error" message=m/> });
    let body = view! {
        <div class="mx-auto max-w-md">
            <Card title=title.to_string()>
                {intro}
                {error}
                {passkey}
                {setup}
                {code_intro}
                {form}
                <form method="post" action=paths::CONSOLE_SIGN_OUT class="mt-6 text-center text-sm">
                    <CsrfField token=csrf/>
                    <button type="submit" class="text-indigo-700 hover:underline">"Cancel and sign out"</button>
                </form>
            </Card>
        </div>
    };
    console_document(&chrome, title, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_admin_with_a_passkey_only_is_offered_no_code_form() {
        let view = AdminSecondFactorView {
            passkey: true,
            error: Some("That passkey was refused.".into()),
            ..Default::default()
        };
        let html = admin_second_factor_page(&ConsoleChrome::default(), &view);
        assert!(html.contains(r#"data-passkey-action="verify""#));
        assert!(!html.contains(r#"name="code""#));
        assert!(html.contains("That passkey was refused."));
        assert!(!html.contains("data-passkey-register"));
    }

    #[test]
    fn setting_up_offers_a_passkey_and_an_app() {
        let view = AdminSecondFactorView {
            passkey: true,
            setup: Some((
                "ABCD EFGH".into(),
                "otpauth://x".into(),
                "<svg></svg>".into(),
            )),
            ..Default::default()
        };
        let html = admin_second_factor_page(&ConsoleChrome::default(), &view);
        assert!(html.contains(r#"data-passkey-action="register""#));
        assert!(html.contains("Or an authenticator app"));
        assert!(html.contains(r#"name="code""#));
        assert!(!html.contains("data-passkey-verify"));
    }

    #[test]
    fn setting_up_where_passkeys_cannot_work_mentions_none() {
        let view = AdminSecondFactorView {
            passkey: false,
            setup: Some(("ABCD".into(), "otpauth://x".into(), "<svg></svg>".into())),
            ..Default::default()
        };
        let html = admin_second_factor_page(&ConsoleChrome::default(), &view);
        assert!(!html.contains("Add a passkey") && !html.contains("data-passkey-action"));
        assert!(html.contains("Set up an authenticator app."));
    }

    #[test]
    fn an_app_only_admin_sees_the_code_form_alone() {
        let view = AdminSecondFactorView {
            app: true,
            ..Default::default()
        };
        let html = admin_second_factor_page(&ConsoleChrome::default(), &view);
        assert!(html.contains(r#"name="code""#));
        assert!(!html.contains("data-passkey-action"));
    }
}
