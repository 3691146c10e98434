//! The addresses of Gatehouse's pages that capabilities write into mail
//! and tokens (a verification link, a private_key_jwt audience). The views
//! crate names every address for the router; these few are the
//! capabilities' own, and a test in `http` keeps both the same.

pub const SIGN_IN: &str = "/login";
pub const FORGOT_PASSWORD: &str = "/forgot-password";
pub const VERIFY_EMAIL: &str = "/verify-email";
pub const RESET_PASSWORD: &str = "/reset-password";
pub const UNBLOCK: &str = "/unblock-sign-in";
pub const ACCOUNT_EMAIL_CONFIRM: &str = "/account/email/confirm";
pub const CONSOLE_SETUP: &str = "/admin/setup";
pub const TOKEN: &str = "/oauth2/token";
pub const REVOKE: &str = "/oauth2/revoke";
pub const INTROSPECT: &str = "/oauth2/introspect";
