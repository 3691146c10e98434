use super::signup::password_hint;
use crate::components::{
    AttributeField, AttributeInput, Card, CsrfField, Field, Notice, SubmitButton,
};
use crate::paths;
use crate::{Chrome, FieldErrors, document};
use leptos::prelude::*;

#[derive(Clone, Debug, Default)]
pub struct AccountView {
    pub email: String,
    pub email_verified: bool,
    pub display_name: String,
    pub member_since: String,
    pub password_min: usize,
    /// The attributes customers may change, in the profile form.
    pub attributes: Vec<AttributeInput>,
    /// A confirmation after a successful change (POST-redirect-GET flash).
    pub notice: Option<String>,
    pub profile_errors: FieldErrors,
    pub password_errors: FieldErrors,
    /// The change-of-email form: the address typed, and its errors.
    pub new_email: String,
    pub email_errors: FieldErrors,
}

/// What a customer is asked before they continue, when the organisation
/// has come to require something they have not given yet.
#[derive(Clone, Debug, Default)]
pub struct CompleteProfileView {
    pub attributes: Vec<AttributeInput>,
    pub invalid: bool,
}

pub fn complete_profile_page(chrome: &Chrome, page: &CompleteProfileView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let summary = page.invalid.then(
        || view! { <Notice tone="error" message="Please correct the highlighted fields.".to_string()/> },
    );
    let body = view! {
        <Card title="A little more about you".to_string()>
            {summary}
            <p class="mb-6 text-sm text-slate-600">"Before you continue, we need these details for your account."</p>
            <form method="post" action=paths::COMPLETE_PROFILE novalidate>
                <CsrfField token=csrf/>
                {page.attributes.iter().cloned().map(|input| view! { <AttributeField input=input/> }).collect_view()}
                <SubmitButton label="Continue"/>
            </form>
        </Card>
    };
    document(&chrome, "A little more about you", body)
}

pub fn account_page(chrome: &Chrome, page: &AccountView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let verification = if page.email_verified {
        view! { <span class="rounded bg-green-100 px-2 py-0.5 text-xs font-medium text-green-800">"Verified"</span> }
            .into_any()
    } else {
        view! {
            <span class="rounded bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-900">"Not verified"</span>
            <form method="post" action=paths::ACCOUNT_VERIFY_EMAIL class="mt-2">
                <CsrfField token=csrf.clone()/>
                <button type="submit" class="text-sm font-medium text-indigo-700 hover:underline">
                    "Send a new verification link"
                </button>
            </form>
        }
        .into_any()
    };
    let body = view! {
        <Card title="Your account".to_string()>
            {page.notice.clone().map(|m| view! { <Notice tone="success" message=m/> })}
            <dl class="mb-8 space-y-3 text-sm">
                <div>
                    <dt class="font-medium text-slate-500">"Email"</dt>
                    <dd class="break-all">{page.email.clone()} " " {verification}</dd>
                </div>
                <div>
                    <dt class="font-medium text-slate-500">"Member since"</dt>
                    <dd>{page.member_since.clone()}</dd>
                </div>
                <div>
                    <dt class="font-medium text-slate-500">"Devices"</dt>
                    <dd>
                        <a href=paths::ACCOUNT_DEVICES class="font-medium text-indigo-700 hover:underline">"Where you are signed in"</a>
                        <form method="post" action=paths::ACCOUNT_HANDOFF class="mt-1">
                            <CsrfField token=csrf.clone()/>
                            <button type="submit" class="font-medium text-indigo-700 hover:underline">"Continue on another device"</button>
                        </form>
                    </dd>
                </div>
                <div>
                    <dt class="font-medium text-slate-500">"Apps"</dt>
                    <dd><a href=paths::ACCOUNT_APPS class="font-medium text-indigo-700 hover:underline">"Apps with access to your account"</a></dd>
                </div>
                <div>
                    <dt class="font-medium text-slate-500">"Security"</dt>
                    <dd><a href=paths::ACCOUNT_SECURITY class="font-medium text-indigo-700 hover:underline">"Passkeys, authenticator app and recovery codes"</a></dd>
                </div>
            </dl>
            <h2 class="mb-3 text-lg font-semibold">"Profile"</h2>
            <form method="post" action=paths::ACCOUNT_PROFILE class="mb-8" novalidate>
                <CsrfField token=csrf.clone()/>
                <Field name="display_name" label="Name" value=page.display_name.clone()
                    error=page.profile_errors.get("display_name") autocomplete="name" maxlength=100/>
                {page.attributes.iter().cloned().map(|input| view! { <AttributeField input=input/> }).collect_view()}
                <SubmitButton label="Save profile"/>
            </form>
            <h2 class="mb-3 text-lg font-semibold">"Change email"</h2>
            <form method="post" action=paths::ACCOUNT_EMAIL class="mb-8" novalidate>
                <CsrfField token=csrf.clone()/>
                <Field name="new_email" label="New email" kind="email" value=page.new_email.clone()
                    error=page.email_errors.get("new_email") autocomplete="email" maxlength=254
                    hint="We send a link to the new address; your address changes when you open it.".to_string()/>
                <Field name="current_password" label="Password" kind="password" id="field-email-password"
                    error=page.email_errors.get("current_password") autocomplete="current-password" maxlength=1024/>
                <SubmitButton label="Send the link"/>
            </form>
            <h2 class="mb-3 text-lg font-semibold">"Change password"</h2>
            <form method="post" action=paths::ACCOUNT_PASSWORD novalidate>
                <CsrfField token=csrf.clone()/>
                <Field name="current_password" label="Current password" kind="password"
                    error=page.password_errors.get("current_password") autocomplete="current-password" maxlength=1024/>
                <Field name="new_password" label="New password" kind="password"
                    error=page.password_errors.get("new_password") autocomplete="new-password" maxlength=1024
                    hint=password_hint(chrome.lang, page.password_min)/>
                <SubmitButton label="Change password"/>
            </form>
            <h2 class="mb-2 mt-8 text-lg font-semibold">"Delete account"</h2>
            <p class="text-sm text-slate-600">
                "Removes your account and everything Gatehouse keeps about you. "
                <a href=paths::ACCOUNT_DELETE class="font-medium text-red-700 hover:underline">"Delete your account"</a>
            </p>
        </Card>
    };
    document(&chrome, "Your account", body)
}

/// Following the link mailed to a new address: a button, so that a mail
/// scanner opening the link changes nothing.
#[derive(Clone, Debug, Default)]
pub struct ConfirmEmailView {
    pub token: String,
    pub new_email: String,
}

pub fn confirm_email_page(chrome: &Chrome, page: &ConfirmEmailView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let body = view! {
        <Card title="Confirm your new email".to_string()>
            <p class="mb-4 text-sm text-slate-700">
                "Your account's address becomes " <span class="break-words font-medium">{page.new_email.clone()}</span>
                ". Every device is signed out, and you sign in with the new address."
            </p>
            <form method="post" action=paths::ACCOUNT_EMAIL_CONFIRM novalidate>
                <CsrfField token=csrf/>
                <input type="hidden" name="token" value=page.token.clone()/>
                <SubmitButton label="Use this address"/>
            </form>
        </Card>
    };
    document(&chrome, "Confirm your new email", body)
}

/// Confirming the deletion of one's own account.
#[derive(Clone, Debug, Default)]
pub struct DeleteAccountView {
    pub email: String,
    pub error: Option<String>,
}

pub fn delete_account_page(chrome: &Chrome, page: &DeleteAccountView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let body = view! {
        <Card title="Delete your account".to_string()>
            <p class="mb-3 text-sm text-slate-700">
                "This deletes the account " <span class="break-words font-medium">{page.email.clone()}</span>
                ": your profile, second factors and sessions, and every application's access. It cannot be undone."
            </p>
            <p class="mb-4 text-sm text-slate-700">"Type your password to confirm."</p>
            <form method="post" action=paths::ACCOUNT_DELETE novalidate>
                <CsrfField token=csrf/>
                <Field name="current_password" label="Password" kind="password"
                    error=page.error.clone() autocomplete="current-password" maxlength=1024/>
                <button type="submit" class="w-full rounded-md bg-red-700 px-4 py-2 text-base font-semibold text-white hover:bg-red-800 focus:outline-none focus:ring-2 focus:ring-red-500 focus:ring-offset-2">
                    "Delete my account"
                </button>
            </form>
            <p class="mt-6 text-sm"><a href=paths::ACCOUNT class="text-indigo-700 hover:underline">"Keep my account"</a></p>
        </Card>
    };
    document(&chrome, "Delete your account", body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::chrome;

    #[test]
    fn unverified_account_offers_resend_and_escapes_name() {
        let html = account_page(
            &chrome(),
            &AccountView {
                email: "ada@example.com".into(),
                email_verified: false,
                display_name: "Ada \"<b>\"".into(),
                member_since: "2026-11-29".into(),
                password_min: 8,
                ..Default::default()
            },
        );
        assert!(html.contains("Not verified"));
        assert!(html.contains(r#"action="/account/verify-email""#));
        assert!(!html.contains("<b>"));
        assert!(html.contains(r#"href="/account/delete""#));
    }

    #[test]
    fn changing_the_email_shows_its_own_errors_and_confirms_with_a_button() {
        let mut errors = FieldErrors::default();
        errors.add("new_email", "That is already your email address.");
        let html = account_page(
            &chrome(),
            &AccountView {
                email: "ada@example.com".into(),
                new_email: "ada@example.com".into(),
                email_errors: errors,
                ..Default::default()
            },
        );
        assert!(html.contains(r#"action="/account/email""#));
        assert!(html.contains("That is already your email address."));
        let html = confirm_email_page(
            &chrome(),
            &ConfirmEmailView {
                token: "tok".into(),
                new_email: "new@example.com".into(),
            },
        );
        assert!(html.contains(r#"name="token" value="tok""#));
        assert!(html.contains("new@example.com"));
        assert!(html.contains(r#"method="post""#));
    }

    #[test]
    fn deleting_asks_for_the_password_and_shows_its_error() {
        let html = delete_account_page(
            &chrome(),
            &DeleteAccountView {
                email: "ada@example.com".into(),
                error: Some("That is not your current password.".into()),
            },
        );
        assert!(html.contains(r#"name="current_password""#));
        assert!(html.contains("That is not your current password."));
        assert!(html.contains(r#"action="/account/delete""#));
    }
}
