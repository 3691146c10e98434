//! What the audit trail records: who acted, and the entries as read back.

use super::{AdminId, CustomerId};
use uuid::Uuid;

#[derive(Copy, Clone, Debug)]
pub enum Actor {
    Admin(AdminId),
    Customer(CustomerId),
    System,
}

#[derive(Clone, Debug)]
pub struct AuditEntry {
    pub id: Uuid,
    pub at: i64,
    pub actor_kind: String,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub customer: Option<CustomerId>,
    pub source_ip: Option<String>,
    pub details: String,
    /// The request it came from (absent on records older than request ids).
    pub request_id: Option<String>,
    pub user_agent: Option<String>,
}

/// What the audit page narrows the trail to; `None` means any.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub action: Option<Action>,
    /// The admin or customer who acted.
    pub actor: Option<Uuid>,
    /// The customer acted on.
    pub customer: Option<CustomerId>,
    /// At or after this Unix time.
    pub from: Option<i64>,
    /// Before this Unix time.
    pub before: Option<i64>,
}

/// Declares [`Action`] with the string each variant is stored as.
macro_rules! actions {
    ($($variant:ident = $name:literal,)*) => {
        /// Every action the trail records; the stored name is the string
        /// beside it, which never changes once written.
        #[derive(Copy, Clone, Debug, PartialEq, Eq)]
        pub enum Action {
            $($variant,)*
        }

        impl Action {
            pub const ALL: &[Action] = &[$(Action::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)*
                }
            }

            pub fn parse(raw: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|a| a.as_str() == raw)
            }
        }
    };
}

actions! {
    AdminInvited = "admin.invited",
    AdminInviteRevoked = "admin.invite_revoked",
    AdminRemoved = "admin.removed",
    AdminRoleChanged = "admin.role_changed",
    AdminSignInBlocked = "admin.sign_in_blocked",
    AdminSignInFailed = "admin.sign_in_failed",
    AdminSignInUnblocked = "admin.sign_in_unblocked",
    AdminSignedIn = "admin.signed_in",
    AdminMfaEnrolled = "admin.mfa_enrolled",
    AdminMfaRemoved = "admin.mfa_removed",
    AdminMfaFailed = "admin.mfa_failed",
    AdminMfaBlocked = "admin.mfa_blocked",
    AdminMfaReset = "admin.mfa_reset",
    AttributeArchived = "attribute.archived",
    AttributeDefined = "attribute.defined",
    AttributeUnarchived = "attribute.unarchived",
    AttributeUpdated = "attribute.updated",
    AppRegistered = "app.registered",
    AppSecretRotated = "app.secret_rotated",
    AppUpdated = "app.updated",
    AppEnabled = "app.enabled",
    AppDisabled = "app.disabled",
    OidcConsentGiven = "oidc.consent_given",
    OidcAccessRevoked = "oidc.access_revoked",
    OidcDeviceApproved = "oidc.device_approved",
    OidcDeviceDenied = "oidc.device_denied",
    OidcBackchannelLogoutSent = "oidc.backchannel_logout_sent",
    OidcBackchannelLogoutFailed = "oidc.backchannel_logout_failed",
    OidcCodeReplayed = "oidc.code_replayed",
    OidcRefreshTokenReplayed = "oidc.refresh_token_replayed",
    OidcClientAuthFailed = "oidc.client_auth_failed",
    CustomerAttributesUpdated = "customer.attributes_updated",
    CustomerDeleted = "customer.deleted",
    CustomerEmailChangeRequested = "customer.email_change_requested",
    CustomerEmailChanged = "customer.email_changed",
    CustomerDisabled = "customer.disabled",
    CustomerEmailMarkedVerified = "customer.email_marked_verified",
    CustomerEmailVerified = "customer.email_verified",
    CustomerEnabled = "customer.enabled",
    CustomerPasswordChanged = "customer.password_changed",
    CustomerPasswordReset = "customer.password_reset",
    CustomerPasswordResetRequested = "customer.password_reset_requested",
    CustomerPasswordResetSent = "customer.password_reset_sent",
    CustomerProfileEdited = "customer.profile_edited",
    CustomerProfileUpdated = "customer.profile_updated",
    CustomerSessionRevoked = "customer.session_revoked",
    CustomerSessionsRevoked = "customer.sessions_revoked",
    HandoffOffered = "handoff.offered",
    HandoffOpened = "handoff.opened",
    HandoffConfirmed = "handoff.confirmed",
    HandoffRefused = "handoff.refused",
    HandoffExpired = "handoff.expired",
    CustomerSignInBlocked = "customer.sign_in_blocked",
    CustomerSignInFailed = "customer.sign_in_failed",
    CustomerSignInUnblocked = "customer.sign_in_unblocked",
    CustomerSignInRefused = "customer.sign_in_refused",
    CustomerSignedIn = "customer.signed_in",
    CustomerSignedUp = "customer.signed_up",
    CustomerTierChanged = "customer.tier_changed",
    CustomerTierExpired = "customer.tier_expired",
    CustomerMfaEnrolled = "customer.mfa_enrolled",
    CustomerMfaRemoved = "customer.mfa_removed",
    CustomerMfaFailed = "customer.mfa_failed",
    CustomerMfaBlocked = "customer.mfa_blocked",
    CustomerMfaReset = "customer.mfa_reset",
    CustomerRecoveryCodeUsed = "customer.recovery_code_used",
    CustomerRecoveryCodesGenerated = "customer.recovery_codes_generated",
    CustomersExported = "customers.exported",
    MfaPolicyChanged = "mfa.policy_changed",
    CustomersImported = "customers.imported",
    TierArchived = "tier.archived",
    TierCreated = "tier.created",
    TierMadeDefault = "tier.made_default",
    TierUnarchived = "tier.unarchived",
    TierUpdated = "tier.updated",
    TiersBulkFinished = "tiers.bulk_finished",
    TiersBulkStarted = "tiers.bulk_started",
}
