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

/// The console's second step: the authenticator app's code, or (on a
/// first sign-in) setting one up. Admins always use a second factor.
#[derive(Clone, Debug, Default)]
pub struct AdminSecondFactorView {
    pub error: Option<String>,
    /// Setting up: the key grouped for typing, the otpauth address and its
    /// QR code (an SVG element made by the server).
    pub setup: Option<(String, String, String)>,
}

pub fn admin_second_factor_page(chrome: &ConsoleChrome, page: &AdminSecondFactorView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let (title, action) = match page.setup {
        Some(_) => (
            "Set up your authenticator app",
            paths::CONSOLE_SIGN_IN_ENROL,
        ),
        None => ("Two-step verification", paths::CONSOLE_SIGN_IN_VERIFY),
    };
    let setup = page.setup.clone().map(|(secret, url, qr)| {
        view! {
            <p class="mb-4 text-sm text-slate-700">"The console requires a second factor. Scan this QR code with your authenticator app, or type the key, then enter the 6-digit code it shows."</p>
            <div class="mb-4 flex justify-center rounded-md border border-slate-200 bg-white p-2" inner_html=qr></div>
            <p class="mb-1 text-sm font-medium text-slate-700">"Key"</p>
            <p class="mb-2 break-words rounded bg-slate-100 px-3 py-2 font-mono text-sm" data-totp-secret="">{secret}</p>
            <p class="mb-4 text-sm"><a href=url class="text-indigo-700 hover:underline">"Open in an authenticator app on this device"</a></p>
        }
    });
    let intro = page.setup.is_none().then(|| {
        view! { <p class="mb-4 text-sm text-slate-700">"Enter the 6-digit code from your authenticator app."</p> }
    });
    let body = view! {
        <div class="mx-auto max-w-md">
            <Card title=title.to_string()>
                {setup}
                {intro}
                <form method="post" action=action novalidate>
                    <CsrfField token=csrf.clone()/>
                    <Field name="code" label="Code" value=String::new() autocomplete="one-time-code" maxlength=10
                        error=page.error.clone()/>
                    <SubmitButton label="Continue"/>
                </form>
                <form method="post" action=paths::CONSOLE_SIGN_OUT class="mt-6 text-center text-sm">
                    <CsrfField token=csrf/>
                    <button type="submit" class="text-indigo-700 hover:underline">"Cancel and sign out"</button>
                </form>
            </Card>
        </div>
    };
    console_document(&chrome, title, body)
}
