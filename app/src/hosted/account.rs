use super::signup::password_hint;
use crate::components::{
    AttributeField, AttributeInput, Card, CsrfField, Field, Notice, OUTLINE_BUTTON,
    OUTLINE_DANGER_BUTTON, PRIMARY_LINK, SubmitButton,
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
    /// The security section's summary.
    pub factors: usize,
    pub recovery_codes_left: i64,
    /// Devices signed in, and applications holding access.
    pub devices: usize,
    pub apps: usize,
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
    let t = chrome.lang;
    let summary = page
        .invalid
        .then(|| view! { <Notice tone="error" message=t.t("form-correct-fields")/> });
    let title = t.t("complete-profile-title");
    let body = view! {
        <Card title=title.clone()>
            {summary}
            <p class="mb-6 text-sm text-slate-600">{t.t("complete-profile-text")}</p>
            <form method="post" action=paths::COMPLETE_PROFILE novalidate>
                <CsrfField token=csrf/>
                {page.attributes.iter().cloned().map(|input| view! { <AttributeField input=input/> }).collect_view()}
                <SubmitButton label=t.t("complete-profile-submit")/>
            </form>
        </Card>
    };
    document(&chrome, &title, body)
}

/// One section of the account page: a heading, a line or two, and its one
/// main action.
fn section(id: &'static str, title: String, children: impl IntoView) -> impl IntoView {
    let heading = format!("account-{id}");
    let labelled_by = heading.clone();
    view! {
        <section class="border-t border-slate-200 py-6 first:border-t-0 first:pt-0" aria-labelledby=labelled_by>
            <h2 id=heading class="mb-3 text-lg font-semibold">{title}</h2>
            {children}
        </section>
    }
}

/// A form folded behind its name until wanted (open when it has errors).
fn folded(summary: String, open: bool, children: impl IntoView) -> impl IntoView {
    view! {
        <details class="mt-4" open=open>
            <summary class="cursor-pointer text-sm font-semibold text-indigo-700 hover:underline">{summary}</summary>
            <div class="mt-3">{children}</div>
        </details>
    }
}

pub fn account_page(chrome: &Chrome, page: &AccountView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let csrf = chrome.csrf_token.clone();
    let t = chrome.lang;
    let verification = if page.email_verified {
        view! { <span class="whitespace-nowrap rounded bg-green-100 px-2 py-0.5 text-xs font-medium text-green-800">{t.t("account-email-verified")}</span> }
            .into_any()
    } else {
        view! {
            <span class="whitespace-nowrap rounded bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-900">{t.t("account-email-unverified")}</span>
            <form method="post" action=paths::ACCOUNT_VERIFY_EMAIL class="mt-2">
                <CsrfField token=csrf.clone()/>
                <button type="submit" class=OUTLINE_BUTTON>{t.t("account-resend-verification")}</button>
            </form>
        }
        .into_any()
    };
    let email_open = !page.new_email.is_empty() || !page.email_errors.is_empty();
    let change_email = view! {
        <form method="post" action=paths::ACCOUNT_EMAIL novalidate>
            <CsrfField token=csrf.clone()/>
            <Field name="new_email" label=t.t("account-new-email") kind="email" value=page.new_email.clone()
                error=page.email_errors.get("new_email") autocomplete="email" maxlength=254
                hint=t.t("account-new-email-hint")/>
            <Field name="current_password" label=t.t("field-password") kind="password" id="field-email-password"
                error=page.email_errors.get("current_password") autocomplete="current-password" maxlength=1024/>
            <button type="submit" class=OUTLINE_BUTTON>{t.t("account-send-link")}</button>
        </form>
    };
    let profile = view! {
        <dl class="mb-6 space-y-3 text-sm">
            <div>
                <dt class="font-medium text-slate-500">{t.t("field-email")}</dt>
                <dd><bdi class="break-all">{page.email.clone()}</bdi>" "{verification}</dd>
            </div>
            <div>
                <dt class="font-medium text-slate-500">{t.t("account-member-since")}</dt>
                <dd class="whitespace-nowrap">{page.member_since.clone()}</dd>
            </div>
        </dl>
        <form method="post" action=paths::ACCOUNT_PROFILE novalidate>
            <CsrfField token=csrf.clone()/>
            <Field name="display_name" label=t.t("field-name") value=page.display_name.clone()
                error=page.profile_errors.get("display_name") autocomplete="name" maxlength=100/>
            {page.attributes.iter().cloned().map(|input| view! { <AttributeField input=input/> }).collect_view()}
            <SubmitButton label=t.t("account-save-profile")/>
        </form>
        {folded(t.t("account-change-email"), email_open, change_email)}
    };
    let summary = if page.factors == 0 {
        t.t("account-security-none")
    } else {
        format!(
            "{}. {}",
            t.tf("account-factors", &[("count", page.factors.into())]),
            t.tf(
                "recovery-codes-left",
                &[("count", page.recovery_codes_left.into())]
            )
        )
    };
    let change_password = view! {
        <form method="post" action=paths::ACCOUNT_PASSWORD novalidate>
            <CsrfField token=csrf.clone()/>
            <Field name="current_password" label=t.t("account-current-password") kind="password"
                error=page.password_errors.get("current_password") autocomplete="current-password" maxlength=1024/>
            <Field name="new_password" label=t.t("field-new-password") kind="password"
                error=page.password_errors.get("new_password") autocomplete="new-password" maxlength=1024
                hint=password_hint(t, page.password_min)/>
            <button type="submit" class=OUTLINE_BUTTON>{t.t("account-change-password")}</button>
        </form>
    };
    let security = view! {
        <p class="mb-4 text-sm text-slate-700">{summary}</p>
        <a href=paths::ACCOUNT_SECURITY class=PRIMARY_LINK>{t.t("account-manage-security")}</a>
        {folded(t.t("account-change-password"), !page.password_errors.is_empty(), change_password)}
    };
    let devices = view! {
        <p class="mb-4 text-sm text-slate-700">{t.tf("account-devices-count", &[("count", page.devices.max(1).into())])}</p>
        <div class="flex flex-wrap items-center gap-3">
            <a href=paths::ACCOUNT_DEVICES class=PRIMARY_LINK>{t.t("account-see-devices")}</a>
            <form method="post" action=paths::ACCOUNT_HANDOFF>
                <CsrfField token=csrf.clone()/>
                <button type="submit" class=OUTLINE_BUTTON>{t.t("handoff-continue")}</button>
            </form>
        </div>
    };
    let apps_words = if page.apps == 0 {
        t.t("account-apps-none")
    } else {
        t.tf("account-apps-count", &[("count", page.apps.into())])
    };
    let apps = view! {
        <p class="mb-4 text-sm text-slate-700">{apps_words}</p>
        <a href=paths::ACCOUNT_APPS class=PRIMARY_LINK>{t.t("account-see-apps")}</a>
    };
    let delete = view! {
        <p class="mb-3 text-sm text-slate-600">{t.t("account-delete-text")}</p>
        <a href=paths::ACCOUNT_DELETE class=format!("inline-block {OUTLINE_DANGER_BUTTON}")>{t.t("account-delete-link")}</a>
    };
    let title = t.t("account-title");
    let body = view! {
        <Card title=title.clone()>
            {page.notice.clone().map(|m| view! { <Notice tone="success" message=m/> })}
            {section("profile", t.t("account-profile"), profile)}
            {section("security", t.t("account-security"), security)}
            {section("devices", t.t("account-devices"), devices)}
            {section("apps", t.t("account-apps"), apps)}
            {section("delete", t.t("account-delete"), delete)}
        </Card>
    };
    document(&chrome, &title, body)
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
    let t = chrome.lang;
    let title = t.t("confirm-email-title");
    let body = view! {
        <Card title=title.clone()>
            <p class="mb-4 break-words text-sm text-slate-700">
                {t.tf("confirm-email-text", &[("email", page.new_email.as_str().into())])}
            </p>
            <form method="post" action=paths::ACCOUNT_EMAIL_CONFIRM novalidate>
                <CsrfField token=csrf/>
                <input type="hidden" name="token" value=page.token.clone()/>
                <SubmitButton label=t.t("confirm-email-submit")/>
            </form>
        </Card>
    };
    document(&chrome, &title, body)
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
    let t = chrome.lang;
    let title = t.t("delete-title");
    let body = view! {
        <Card title=title.clone()>
            <p class="mb-3 break-words text-sm text-slate-700">
                {t.tf("delete-text", &[("email", page.email.as_str().into())])}
            </p>
            <p class="mb-4 text-sm text-slate-700">{t.t("delete-confirm-text")}</p>
            <form method="post" action=paths::ACCOUNT_DELETE novalidate>
                <CsrfField token=csrf/>
                <Field name="current_password" label=t.t("field-password") kind="password"
                    error=page.error.clone() autocomplete="current-password" maxlength=1024/>
                <button type="submit" class="w-full rounded-md bg-red-700 px-4 py-2 text-base font-semibold text-white hover:bg-red-800 focus:outline-none focus:ring-2 focus:ring-red-500 focus:ring-offset-2">
                    {t.t("delete-submit")}
                </button>
            </form>
            <p class="mt-6 text-sm"><a href=paths::ACCOUNT class="text-indigo-700 hover:underline">{t.t("delete-keep")}</a></p>
        </Card>
    };
    document(&chrome, &title, body)
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
