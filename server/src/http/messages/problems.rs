//! Every `Problem` a capability can name, in the words people read. Pages,
//! JSON bodies and the operator's import report all use these through
//! `Display`.

use crate::domain::mfa::MfaProblem;
use crate::domain::oidc::JwksProblem;
use crate::domain::{
    EmailProblem, NameProblem, OwnerTask, PasswordProblem, Problem, Record, ValueProblem,
};
use std::fmt;

impl fmt::Display for EmailProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EmailProblem::Missing => "Enter your email address.",
            EmailProblem::TooLong => "Email addresses are at most 254 characters.",
            EmailProblem::NotPlainLatin => {
                "Enter the address in plain Latin letters, digits and punctuation (an internationalised domain in its xn-- form)."
            }
            EmailProblem::Malformed => "Enter a valid email address, like name@example.com.",
        })
    }
}

impl fmt::Display for NameProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NameProblem::Missing => "Enter your name.",
            NameProblem::TooLong => "Names are at most 100 characters.",
            NameProblem::ControlCharacters => "Names cannot contain control characters.",
        })
    }
}

impl fmt::Display for PasswordProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PasswordProblem::Missing => f.write_str("Enter your password."),
            PasswordProblem::TooShort { min } => write!(f, "Use at least {min} characters."),
            PasswordProblem::TooLong { max } => write!(f, "Use at most {max} characters."),
            PasswordProblem::Common => f.write_str(
                "This password is too common: it is on the list of passwords attackers try first. Choose another.",
            ),
            PasswordProblem::Guessable => f.write_str(
                "This password is too common or easy to guess. Try a few unrelated words.",
            ),
        }
    }
}

/// A value's problem, for the attribute labelled `label`.
fn value_problem(f: &mut fmt::Formatter<'_>, label: &str, problem: ValueProblem) -> fmt::Result {
    match problem {
        ValueProblem::TextTooLong { max } => {
            write!(f, "{label}: at most {max} characters, on one line.")
        }
        ValueProblem::NotNumber => write!(f, "{label} must be a number, like 42 or 3.5."),
        ValueProblem::NotYesNo => write!(f, "{label} is yes or no."),
        ValueProblem::NotDate => write!(f, "{label} is a date, like 1990-04-25."),
        ValueProblem::NotAChoice => write!(f, "Choose one of the listed options for {label}."),
        ValueProblem::NotEmail => write!(
            f,
            "{label} must be an email address, like name@example.com."
        ),
        ValueProblem::NotPhone => write!(
            f,
            "{label} is an international number starting with + and the country code, like +44 20 7946 0958."
        ),
    }
}

fn owner_task(task: OwnerTask) -> &'static str {
    match task {
        OwnerTask::ManageAdmins => "Only owners manage admins.",
        OwnerTask::DefineTiers => "Only owners define tiers.",
        OwnerTask::DefineAttributes => "Only owners define attributes.",
        OwnerTask::ExportCustomers => "Only owners export customers.",
        OwnerTask::DeleteCustomers => "Only owners can delete customers.",
        OwnerTask::ManageApps => "Only owners register and change applications.",
        OwnerTask::SetMfaPolicy => "Only owners set the MFA policy.",
    }
}

fn not_an_id(record: Record) -> &'static str {
    match record {
        Record::Customer => "That is not a customer id.",
        Record::Admin => "That is not an admin id.",
        Record::Invitation => "That is not an invitation id.",
        Record::Session => "That is not a session id.",
        Record::Tier => "That is not a tier id.",
        Record::TierJob => "That is not a job id.",
        Record::Attribute => "That is not an attribute id.",
        Record::App => "That is not an application's client id.",
    }
}

// One match, long on purpose: it is the catalogue a translator works
// through, one line per problem.
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Problem as P;
        let words = match self {
            P::Email(p) => return p.fmt(f),
            P::Name(p) => return p.fmt(f),
            P::Password(p) => return p.fmt(f),
            P::Value { label, problem } => return value_problem(f, label, *problem),
            P::ValueMissing { label } => {
                return write!(f, "Enter your {}.", label.to_lowercase());
            }
            P::TermsNotAccepted => "You must accept the terms of service to create an account.",
            P::CurrentPasswordMissing => "Enter your current password.",
            P::CurrentPasswordWrong => "That is not your current password.",
            P::EmailUnchanged => "That is already your email address.",
            P::EmailChangeLinkInvalid => {
                "This link is invalid, expired or already used, or your address changed since. Ask for a new one on your account page."
            }
            P::EmailChangeTaken => {
                "Another account uses that address now, so your address stays as it was."
            }
            P::VerificationLinkInvalid => {
                "This verification link is invalid, expired or already used. Sign in and ask for a new one."
            }
            P::VerificationLinkIncomplete => {
                "This verification link is incomplete. Copy the whole link from the email."
            }
            P::ResetLinkInvalid => {
                "This reset link is invalid, expired or already used. Ask for a new one."
            }
            P::UnblockLinkInvalid => {
                "This unblock link is invalid, expired or already used. Resetting your password also lifts a block."
            }
            P::OnlyAdmins => "Only console admins can do this.",
            P::OnlyOwners(task) => owner_task(*task),
            P::ReadOnlyRole => "Your role can view customers but not change them.",
            P::NotAnId(record) => not_an_id(*record),
            P::DamagedPageLink => "This page link is damaged; start from the first page.",
            P::UnreadableForm(reason) => {
                return write!(
                    f,
                    "The form could not be read ({reason}). Go back, reload the page and try again."
                );
            }
            P::ChooseTier => "Choose a tier from the list.",
            P::GiveEmailOrId(Record::Admin) => "Give the admin's email address or id.",
            P::GiveEmailOrId(_) => "Give the customer's email address or id.",
            P::ChooseAction => "Choose an action from the list.",
            P::ExportFormat => "Export as jsonl or csv.",
            P::CustomerEmailTaken => "Another customer already uses this email address.",
            P::DeleteNotConfirmed => "Type the customer's email address exactly to confirm.",
            P::SessionGone => "That session has already ended, or belongs to someone else.",
            P::AdminExists => "An admin with this email already exists.",
            P::InviteeIsAdmin => "This address already belongs to an admin.",
            P::SetupLinkInvalid => {
                "This setup link is invalid, expired or already used. Ask an owner for a new one."
            }
            P::InvitationSpent => "That invitation was already used, withdrawn or expired.",
            P::AdminGone => "That admin no longer exists.",
            P::LastOwner => {
                "Gatehouse keeps at least one owner: make another admin an owner first."
            }
            P::OwnMfaReset => {
                "You cannot reset your own second factors. Another owner can reset them for you."
            }
            P::UnknownRole => "A role is owner, support or auditor.",
            P::SearchTooLong { max } => return write!(f, "Search for at most {max} characters."),
            P::SearchField => "Search by email, name or customer id.",
            P::StatusFilter => "Filter by status: all, active, disabled, verified or unverified.",
            P::NameQueryTooShort => "Type at least 3 characters of the name.",
            P::CustomerIdFormat => "A customer id looks like 01890a5d-ac96-774b-bcce-b302099a8057.",
            P::SortKey => "Sort by created or last_sign_in.",
            P::DayFormat { which } => {
                return write!(f, "The {which} day must look like 2026-01-31.");
            }
            P::DaysReversed => "The created-from day must not be after the created-to day.",
            P::NoSuchTier => "There is no tier with that slug.",
            P::NoSuchSearchableAttribute => "There is no searchable attribute with that key.",
            P::ValueToFind { label } => {
                return write!(f, "Type the {} to look for.", label.to_lowercase());
            }
            P::SlugFormat => {
                "Use 1 to 40 lower-case letters, digits and hyphens, starting with a letter or digit."
            }
            P::SlugTaken => "Another tier already has this slug.",
            P::TierName => "Give the tier a name of at most 60 characters.",
            P::RankRange => "The rank is a whole number from 0 to 1000000.",
            P::DescriptionTooLong => "Keep the description to 500 characters.",
            P::ColourFormat => "A colour looks like #b8860b.",
            P::Entitlement(raw) => {
                return write!(
                    f,
                    "\"{raw}\" is not an entitlement: use lower-case letters, digits and - _ . : (at most 64)."
                );
            }
            P::TooManyEntitlements { max } => return write!(f, "At most {max} entitlements."),
            P::FallbackIsSelf => "A tier cannot fall back to itself.",
            P::FallbackArchived => "That tier is archived.",
            P::GraceRange => "Grace is a whole number of days from 0 to 365.",
            P::DefaultMustBeActive => "Only an active tier can be the default.",
            P::TierGone => "That tier no longer exists.",
            P::DefaultNotArchivable => {
                "The default tier cannot be archived: make another tier the default first."
            }
            P::TierHasMembers => {
                "This tier still has customers (or is archived already): move them to another tier first."
            }
            P::TierIsFallback => {
                "Another tier falls back to this one: change that tier's fallback first."
            }
            P::TierNotArchived => "That tier is not archived.",
            P::TierUnavailable => "That tier is archived or no longer exists.",
            P::ReasonTooLong => "Keep the reason to 500 characters.",
            P::EndInPast => "The end date must be in the future.",
            P::KeyFormat => {
                "Use 1 to 40 lower-case letters, digits and underscores, starting with a letter."
            }
            P::KeyReserved => "That key names a built-in field; choose another.",
            P::KeyTaken => "Another attribute already has this key.",
            P::Label => "Give the attribute a label of at most 60 characters.",
            P::ChooseKind => "Choose a type.",
            P::ChoiceTooLong => "Each choice is at most 100 characters.",
            P::ChoiceCount { max } => {
                return write!(f, "List 1 to {max} choices, one per line.");
            }
            P::ChooseEditor => "Choose who can change it.",
            P::RequiredNotEditable => {
                "Only an attribute customers can change can be required of them."
            }
            P::ChoiceHeld { choice, holders: 1 } => {
                return write!(f, "1 customer has \"{choice}\"; it cannot be removed.");
            }
            P::ChoiceHeld { choice, holders } => {
                return write!(
                    f,
                    "{holders} customers have \"{choice}\"; it cannot be removed."
                );
            }
            P::AttributeArchived => "That attribute is already archived.",
            P::AttributeNotArchived => "That attribute is not archived.",
            P::Mfa(p) => return p.fmt(f),
            P::AppName => "Give the application a name of 1 to 100 characters.",
            P::NoRedirectUri => "Give at least one redirect URI for the authorization code grant.",
            P::RedirectUri(uri) => {
                return write!(
                    f,
                    "{uri:?} cannot be a redirect URI: use an absolute https:// address without a \
                     fragment (http:// only on localhost), or an app's own scheme such as com.example.app:/callback."
                );
            }
            P::TooManyRedirectUris { max } => {
                return write!(
                    f,
                    "An application may register at most {max} redirect URIs."
                );
            }
            P::UnknownGrantType(grant) => {
                return write!(
                    f,
                    "{grant:?} is not a grant type: use authorization_code, refresh_token, \
                     client_credentials or urn:ietf:params:oauth:grant-type:device_code."
                );
            }
            P::NoGrantType => "Allow the application at least one grant type.",
            P::PublicClientCredentials => {
                "A public application has no secret, so it cannot use client_credentials."
            }
            P::UnknownScope(scope) => {
                return write!(
                    f,
                    "{scope:?} is not a scope: use openid, profile, email, offline_access or gatehouse:tier."
                );
            }
            P::NoScope => "Allow at least one scope (openid, for signing in).",
            P::Jwks(problem) => match problem {
                JwksProblem::NotJson => {
                    "Give the public keys as a JWKS document: {\"keys\": [...]}."
                }
                JwksProblem::Empty => "The JWKS document lists no key.",
                JwksProblem::TooMany => "Register at most 10 keys (20,000 characters).",
                JwksProblem::Private => {
                    "That JWKS holds private or symmetric key material: register the public keys only, and keep the private key with the application."
                }
                JwksProblem::Unusable => {
                    "A key is not usable: RSA keys of 2048 bits or more, EC keys on P-256 or P-384, or Ed25519 keys."
                }
            },
            P::JwksForPublicClient => {
                "A public client cannot hold a private key: leave its keys empty."
            }
            P::ResourceServerPublic => {
                "A public client cannot introspect tokens: only a confidential application can be a resource server."
            }
            P::KeysNotSecret => {
                "This application proves itself with its keys (private_key_jwt), not a secret: change its public keys instead."
            }
            P::TokenLifetime => {
                "Token lifetimes are 1 minute to 24 hours (access) and 1 hour to 400 days (refresh)."
            }
            P::SigningAlg => "ID tokens are signed with RS256, ES256 or EdDSA.",
            P::LogoUrl => "The logo must be an https:// address.",
            P::WebAddress(uri) => {
                return write!(
                    f,
                    "{uri:?} cannot be used: give an absolute https:// address without a fragment (http:// only on localhost)."
                );
            }
            P::DeviceCodeUnknown => {
                "That code is not valid or has expired. Check the code on your device's screen, or start again there."
            }
        };
        f.write_str(words)
    }
}

impl fmt::Display for MfaProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use MfaProblem as M;
        f.write_str(match self {
            M::CodeMissing => "Enter the code from your authenticator app, or a recovery code.",
            M::CodeFormat => {
                "A code is the 6 digits your authenticator app shows, or a recovery code such as 7kq2m-9xp4t."
            }
            M::SixDigits => "Enter the 6 digits your authenticator app shows.",
            M::CodeWrong => {
                "That code is wrong, expired or already used. Wait for the next code and try again."
            }
            M::SetupExpired => {
                "This setup has expired. Start again: a new code will be shown for your app."
            }
            M::AppAlreadySet => {
                "An authenticator app is already set up. Remove it first to set up another."
            }
            M::FactorName => "Give it a name of 1 to 60 characters.",
            M::FactorGone => "That sign-in method has already been removed.",
            M::KeepOneFactor => {
                "The console always asks for a second factor: add another before removing this one."
            }
            M::SignInAgain => {
                "Changing your second factors needs a recent sign-in. Sign out, sign in again, then come back."
            }
            M::SignInExpired => "Your sign-in has expired. Sign in again.",
            M::HeldFactorFirst => {
                "First confirm it's you with your authenticator app or a recovery code, then set up your passkey."
            }
            M::PasskeyRefused => {
                "That passkey could not be verified (it may have been removed). Try again, or use another method."
            }
            M::PasskeyRequired => "Your account requires a passkey for this.",
            M::CeremonyExpired => "That took too long, or began in another tab. Try again.",
            M::PasskeysUnavailable => {
                "Passkeys are not available here: Gatehouse must be reached by a domain name (GATEHOUSE_PUBLIC_URL), not an IP address."
            }
            M::PolicyChoice => "Choose off, optional, required or phishing-resistant.",
            M::RememberDays => "Remembering a browser lasts 0 to 365 days (0: never).",
            M::StepUpMinutes => "The re-check window is 1 to 1440 minutes.",
        })
    }
}
