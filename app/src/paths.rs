//! Every address Gatehouse serves, named once: the server's router mounts
//! these patterns and the views link and post to them. A pattern's `{name}`
//! segments are filled in with [`at`].

use std::fmt::Display;

// Customer pages.
pub const HOME: &str = "/";
pub const TERMS: &str = "/terms";
pub const SIGN_UP: &str = "/signup";
pub const SIGN_UP_SENT: &str = "/signup/check-email";
pub const VERIFY_EMAIL: &str = "/verify-email";
pub const RESEND_VERIFICATION: &str = "/verify-email/resend";
pub const SIGN_IN: &str = "/login";
pub const SIGN_OUT: &str = "/logout";
/// Choosing the language pages speak (the footer's menu).
pub const LANGUAGE: &str = "/language";
pub const FORGOT_PASSWORD: &str = "/forgot-password";
pub const FORGOT_PASSWORD_SENT: &str = "/forgot-password/sent";
pub const RESET_PASSWORD: &str = "/reset-password";
pub const UNBLOCK: &str = "/unblock-sign-in";
pub const ACCOUNT: &str = "/account";
pub const ACCOUNT_PROFILE: &str = "/account/profile";
pub const ACCOUNT_PASSWORD: &str = "/account/password";
/// Deleting one's own account (after a recent second factor, and the
/// password typed again).
pub const ACCOUNT_DELETE: &str = "/account/delete";
/// Changing one's own email: the request (a recent second factor and the
/// password), and the link mailed to the new address.
pub const ACCOUNT_EMAIL: &str = "/account/email";
pub const ACCOUNT_EMAIL_CONFIRM: &str = "/account/email/confirm";
pub const ACCOUNT_VERIFY_EMAIL: &str = "/account/verify-email";
pub const COMPLETE_PROFILE: &str = "/account/complete";
pub const ACCOUNT_APPS: &str = "/account/apps";
pub const ACCOUNT_DEVICES: &str = "/account/devices";
pub const ACCOUNT_DEVICE_SIGN_OUT: &str = "/account/devices/{session}/sign-out";
pub const ACCOUNT_DEVICES_SIGN_OUT_OTHERS: &str = "/account/devices/sign-out-others";
pub const ACCOUNT_APPS_REVOKE: &str = "/account/apps/revoke";
/// Continuing on another device: the signed-in device shows a QR code and
/// a match code, and answers when the other device has opened it; the
/// other device opens the link, then waits for that answer.
pub const ACCOUNT_HANDOFF: &str = "/account/handoff";
pub const ACCOUNT_HANDOFF_ANSWER: &str = "/account/handoff/answer";
pub const HANDOFF_OPEN: &str = "/handoff/open";
pub const HANDOFF_WAIT: &str = "/handoff";
/// A shared screen (kiosk, TV) signed in from a phone: the screen shows a
/// QR code; the signed-in phone opens it and answers.
pub const SCREEN_SIGN_IN: &str = "/login/screen";
pub const HANDOFF_APPROVE: &str = "/handoff/approve";
/// An application hands its customer to another device (server to
/// server, with the customer's access token): POST offers, GET
/// `?ticket=` says where it stands; the answer is posted to the second.
pub const APP_HANDOFF: &str = "/oauth2/handoff";
pub const APP_HANDOFF_ANSWER: &str = "/oauth2/handoff/answer";
/// Second factors: the customer's own page, setting up an authenticator
/// app, removing a factor, recovery codes, and checking a factor again
/// before a sensitive action (step-up).
pub const ACCOUNT_SECURITY: &str = "/account/security";
pub const ACCOUNT_TOTP: &str = "/account/security/app";
pub const ACCOUNT_FACTOR_REMOVE: &str = "/account/security/remove";
pub const ACCOUNT_RECOVERY_CODES: &str = "/account/security/recovery-codes";
pub const ACCOUNT_STEP_UP: &str = "/account/verify";
/// Sign-in's second step: the second factor, or setting one up when the
/// policy requires it; then on to wherever sign-in leads.
pub const SIGN_IN_VERIFY: &str = "/login/verify";
pub const SIGN_IN_ENROL: &str = "/login/enrol";
pub const SIGN_IN_CONTINUE: &str = "/login/continue";
/// Passkey ceremonies (the page script posts here): options, then the
/// browser's answer, for registering, as a second factor, and for signing
/// in without an email. The script names them too (`app/assets`).
pub const PASSKEY_REGISTER_OPTIONS: &str = "/passkeys/register/options";
pub const PASSKEY_REGISTER: &str = "/passkeys/register";
pub const PASSKEY_VERIFY_OPTIONS: &str = "/passkeys/verify/options";
pub const PASSKEY_VERIFY: &str = "/passkeys/verify";
pub const PASSKEY_SIGN_IN_OPTIONS: &str = "/passkeys/sign-in/options";
pub const PASSKEY_SIGN_IN: &str = "/passkeys/sign-in";

// Single sign-on (OpenID Connect).
pub const DISCOVERY: &str = "/.well-known/openid-configuration";
pub const AUTHORIZE: &str = "/oauth2/authorize";
/// Where a pending authorization continues after the customer signed in.
pub const AUTHORIZE_RESUME: &str = "/oauth2/authorize/resume";
pub const CONSENT: &str = "/oauth2/consent";
pub const TOKEN: &str = "/oauth2/token";
pub const USERINFO: &str = "/oauth2/userinfo";
pub const JWKS: &str = "/oauth2/jwks";
pub const REVOKE: &str = "/oauth2/revoke";
pub const DEVICE_AUTHORIZATION: &str = "/oauth2/device_authorization";
/// Where a customer types the code a TV or car shows.
pub const DEVICE: &str = "/device";
pub const DEVICE_CONFIRM: &str = "/device/confirm";
/// RP-initiated logout.
pub const END_SESSION: &str = "/oauth2/logout";
pub const INTROSPECT: &str = "/oauth2/introspect";

// For machines.
pub const HEALTH: &str = "/healthz";
pub const READY: &str = "/readyz";
/// Prometheus metrics (OpenMetrics text).
pub const METRICS: &str = "/metrics";
pub const ASSET: &str = "/assets/{file}";

// The console.
pub const CONSOLE: &str = "/admin";
pub const CONSOLE_SETUP: &str = "/admin/setup";
pub const CONSOLE_SIGN_IN: &str = "/admin/login";
pub const CONSOLE_SIGN_OUT: &str = "/admin/logout";
/// The console's second step (admins always use one), and setting it up.
pub const CONSOLE_SIGN_IN_VERIFY: &str = "/admin/login/verify";
pub const CONSOLE_SIGN_IN_ENROL: &str = "/admin/login/enrol";
/// An admin's own second factors: the list, adding a passkey, removing one.
pub const CONSOLE_SECURITY: &str = "/admin/security";
pub const CONSOLE_FACTOR_REMOVE: &str = "/admin/security/remove";
/// The console's passkey ceremonies: the page script posts to the same
/// names as the customers' ones, under this prefix (`data-passkey-base`).
pub const CONSOLE_PASSKEYS: &str = "/admin/passkeys";
pub const CONSOLE_PASSKEY_REGISTER_OPTIONS: &str = "/admin/passkeys/register/options";
pub const CONSOLE_PASSKEY_REGISTER: &str = "/admin/passkeys/register";
pub const CONSOLE_PASSKEY_VERIFY_OPTIONS: &str = "/admin/passkeys/verify/options";
pub const CONSOLE_PASSKEY_VERIFY: &str = "/admin/passkeys/verify";
pub const CUSTOMERS: &str = "/admin/customers";
pub const CUSTOMERS_EXPORT: &str = "/admin/customers/export";
pub const CUSTOMERS_BULK_TIER: &str = "/admin/customers/bulk-tier";
pub const CUSTOMER: &str = "/admin/customers/{id}";
pub const CUSTOMER_ACTION: &str = "/admin/customers/{id}/{action}";
pub const CUSTOMER_PROFILE: &str = "/admin/customers/{id}/profile";
pub const CUSTOMER_TIER: &str = "/admin/customers/{id}/tier";
pub const CUSTOMER_DELETE: &str = "/admin/customers/{id}/delete";
pub const CUSTOMER_SESSION_REVOKE: &str = "/admin/customers/{id}/sessions/{session}/revoke";
pub const ADMINS: &str = "/admin/admins";
pub const ADMINS_INVITE: &str = "/admin/admins/invite";
pub const ADMIN_ROLE: &str = "/admin/admins/{id}/role";
pub const ADMIN_REMOVE: &str = "/admin/admins/{id}/remove";
pub const ADMIN_UNBLOCK: &str = "/admin/admins/{id}/unblock";
pub const ADMIN_MFA_RESET: &str = "/admin/admins/{id}/mfa-reset";
pub const INVITE_REVOKE: &str = "/admin/admins/invites/{id}/revoke";
pub const AUDIT: &str = "/admin/audit";
pub const TIERS: &str = "/admin/tiers";
pub const TIER: &str = "/admin/tiers/{id}";
pub const TIER_ACTION: &str = "/admin/tiers/{id}/{action}";
pub const TIER_JOB: &str = "/admin/tier-jobs/{id}";
pub const ATTRIBUTES: &str = "/admin/attributes";
pub const ATTRIBUTE: &str = "/admin/attributes/{id}";
pub const ATTRIBUTE_ACTION: &str = "/admin/attributes/{id}/{action}";
pub const MFA_POLICY: &str = "/admin/mfa";
pub const TIER_MFA: &str = "/admin/tiers/{id}/mfa";
pub const CUSTOMER_MFA_RESET: &str = "/admin/customers/{id}/mfa/reset";
pub const APPS: &str = "/admin/apps";
pub const APP: &str = "/admin/apps/{id}";
pub const APP_ACTION: &str = "/admin/apps/{id}/{action}";
pub const CUSTOMER_APP_REVOKE: &str = "/admin/customers/{id}/apps/{client}/revoke";

/// `pattern` with its `{name}` segments replaced by `values`, in order.
pub fn at(pattern: &str, values: &[&dyn Display]) -> String {
    let mut out = String::with_capacity(pattern.len() + 40);
    let mut values = values.iter();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
        let value = values
            .next()
            .unwrap_or_else(|| panic!("{pattern}: a value for every segment"));
        out.push_str(&value.to_string());
        rest = &rest[close..];
    }
    out.push_str(rest);
    assert!(
        values.next().is_none(),
        "{pattern}: more values than segments"
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_filled_in_order() {
        assert_eq!(
            at(CUSTOMER_SESSION_REVOKE, &[&"c1", &7]),
            "/admin/customers/c1/sessions/7/revoke"
        );
        assert_eq!(at(CUSTOMERS, &[]), "/admin/customers");
    }

    #[test]
    #[should_panic(expected = "a value for every segment")]
    fn a_missing_value_is_a_bug() {
        at(TIER_ACTION, &[&"gold"]);
    }
}
