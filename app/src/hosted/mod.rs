//! Customer-facing pages: sign-up, sign-in, email verification, password
//! recovery and the account page.

mod account;
mod apps;
mod consent;
mod devices;
mod handoff;
mod message;
mod mfa;
mod recovery;
mod signin;
mod signup;
mod verification;

pub use crate::components::{DeviceRow, FactorRow};
pub use account::{
    AccountView, CompleteProfileView, ConfirmEmailView, DeleteAccountView, account_page,
    complete_profile_page, confirm_email_page, delete_account_page,
};
pub use apps::{AppRow, AppsView, apps_page};
pub use consent::{ConsentView, DeviceView, SignOutView, consent_page, device_page, sign_out_page};
pub use devices::{DevicesView, devices_page};
pub use handoff::{
    ApproveView, HandoffOfferView, HandoffTargetView, ScreenView, approve_page, handoff_offer_page,
    handoff_target_page, minutes_words, screen_page,
};
pub use message::{Link, MessageView, message_page};
pub use mfa::{
    RecoveryCodesView, SecondFactorView, SecurityView, TotpSetupView, recovery_codes_page,
    second_factor_page, security_page, totp_setup_page,
};
pub use recovery::{
    ForgotPasswordView, ResetPasswordView, forgot_password_page, reset_password_page,
};
pub use signin::{SignInView, sign_in_page};
pub use signup::{SignUpView, sign_up_page};
pub use verification::{
    ConfirmLinkView, ResendVerificationView, confirm_link_page, resend_verification_page,
};
