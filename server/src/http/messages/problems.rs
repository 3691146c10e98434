//! Every `Problem` a capability can name, in the words people read. What
//! customers read comes from the catalogues, in their language
//! ([`problem_words`]); the console's problems are English until its
//! catalogues come. `Display` is the English, for logs, JSON bodies and the
//! operator's import report.

use crate::domain::mfa::MfaProblem;
use crate::domain::oidc::JwksProblem;
use crate::domain::{
    EmailProblem, NameProblem, OwnerTask, PasswordProblem, Problem, Record, ValueProblem,
};
use app::Lang;
use app::i18n::Arg;
use std::fmt;

/// A problem's words: a catalogue message and its arguments, or English.
enum Words {
    Said(&'static str, Vec<(&'static str, Arg<'static>)>),
    English(String),
}

fn said(key: &'static str) -> Words {
    Words::Said(key, Vec::new())
}

fn english(words: impl Into<String>) -> Words {
    Words::English(words.into())
}

impl Words {
    fn in_lang(self, lang: Lang) -> String {
        match self {
            Words::Said(key, args) => lang.tf(key, &args),
            Words::English(words) => words,
        }
    }
}

/// A problem in `lang`.
pub fn problem_words(lang: Lang, problem: &Problem) -> String {
    words(problem).in_lang(lang)
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&problem_words(Lang::En, self))
    }
}

impl fmt::Display for MfaProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&mfa(self).in_lang(Lang::En))
    }
}

impl fmt::Display for EmailProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&email(*self).in_lang(Lang::En))
    }
}

impl fmt::Display for NameProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&name(*self).in_lang(Lang::En))
    }
}

fn email(problem: EmailProblem) -> Words {
    said(match problem {
        EmailProblem::Missing => "problem-email-missing",
        EmailProblem::TooLong => "problem-email-too-long",
        EmailProblem::NotPlainLatin => "problem-email-not-plain-latin",
        EmailProblem::Malformed => "problem-email-malformed",
    })
}

fn name(problem: NameProblem) -> Words {
    said(match problem {
        NameProblem::Missing => "problem-name-missing",
        NameProblem::TooLong => "problem-name-too-long",
        NameProblem::ControlCharacters => "problem-name-control-characters",
    })
}

fn password(problem: PasswordProblem) -> Words {
    match problem {
        PasswordProblem::Missing => said("problem-password-missing"),
        PasswordProblem::TooShort { min } => Words::Said(
            "problem-password-too-short",
            vec![("min", (min as i64).into())],
        ),
        PasswordProblem::TooLong { max } => Words::Said(
            "problem-password-too-long",
            vec![("max", (max as i64).into())],
        ),
        PasswordProblem::Common => said("problem-password-common"),
        PasswordProblem::Guessable => said("problem-password-guessable"),
    }
}

/// A value's problem, for the attribute labelled `label` (the
/// organisation's own words for it, as it defined them).
fn value(label: &str, problem: ValueProblem) -> Words {
    let label = ("label", Arg::from(label.to_string()));
    match problem {
        ValueProblem::TextTooLong { max } => Words::Said(
            "problem-value-too-long",
            vec![label, ("max", (max as i64).into())],
        ),
        ValueProblem::NotNumber => Words::Said("problem-value-not-number", vec![label]),
        ValueProblem::NotYesNo => Words::Said("problem-value-not-yes-no", vec![label]),
        ValueProblem::NotDate => Words::Said("problem-value-not-date", vec![label]),
        ValueProblem::NotAChoice => Words::Said("problem-value-not-a-choice", vec![label]),
        ValueProblem::NotEmail => Words::Said("problem-value-not-email", vec![label]),
        ValueProblem::NotPhone => Words::Said("problem-value-not-phone", vec![label]),
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

// One match, long on purpose: every problem, one line each. The customer's
// come first and name catalogue messages; the console's follow, in English.
fn words(problem: &Problem) -> Words {
    use Problem as P;
    let words = match problem {
        P::Email(p) => return email(*p),
        P::Name(p) => return name(*p),
        P::Password(p) => return password(*p),
        P::Value { label, problem } => return value(label, *problem),
        P::ValueMissing { label } => {
            return Words::Said(
                "problem-value-missing",
                vec![("label", Arg::from(label.clone()))],
            );
        }
        P::TermsNotAccepted => return said("problem-terms-not-accepted"),
        P::CurrentPasswordMissing => return said("problem-current-password-missing"),
        P::CurrentPasswordWrong => return said("problem-current-password-wrong"),
        P::EmailUnchanged => return said("problem-email-unchanged"),
        P::EmailChangeLinkInvalid => return said("problem-email-change-link-invalid"),
        P::EmailChangeTaken => return said("problem-email-change-taken"),
        P::VerificationLinkInvalid => return said("problem-verification-link-invalid"),
        P::VerificationLinkIncomplete => return said("problem-verification-link-incomplete"),
        P::ResetLinkInvalid => return said("problem-reset-link-invalid"),
        P::UnblockLinkInvalid => return said("problem-unblock-link-invalid"),
        P::SessionGone => return said("problem-session-gone"),
        P::DeviceCodeUnknown => return said("problem-device-code-unknown"),
        P::UnreadableForm(reason) => {
            return Words::Said(
                "problem-unreadable-form",
                vec![("reason", Arg::from(reason.to_string()))],
            );
        }
        P::Mfa(p) => return mfa(p),
        P::OnlyAdmins => "Only console admins can do this.",
        P::OnlyOwners(task) => owner_task(*task),
        P::ReadOnlyRole => "Your role can view customers but not change them.",
        P::NotAnId(record) => not_an_id(*record),
        P::DamagedPageLink => "This page link is damaged; start from the first page.",
        P::ChooseTier => "Choose a tier from the list.",
        P::GiveEmailOrId(Record::Admin) => "Give the admin's email address or id.",
        P::GiveEmailOrId(_) => "Give the customer's email address or id.",
        P::ChooseAction => "Choose an action from the list.",
        P::ExportFormat => "Export as jsonl or csv.",
        P::CustomerEmailTaken => "Another customer already uses this email address.",
        P::DeleteNotConfirmed => "Type the customer's email address exactly to confirm.",
        P::AdminExists => "An admin with this email already exists.",
        P::InviteeIsAdmin => "This address already belongs to an admin.",
        P::SetupLinkInvalid => {
            "This setup link is invalid, expired or already used. Ask an owner for a new one."
        }
        P::InvitationSpent => "That invitation was already used, withdrawn or expired.",
        P::AdminGone => "That admin no longer exists.",
        P::LastOwner => "Gatehouse keeps at least one owner: make another admin an owner first.",
        P::OwnMfaReset => {
            "You cannot reset your own second factors. Another owner can reset them for you."
        }
        P::UnknownRole => "A role is owner, support or auditor.",
        P::SearchTooLong { max } => {
            return english(format!("Search for at most {max} characters."));
        }
        P::SearchField => "Search by email, name or customer id.",
        P::StatusFilter => "Filter by status: all, active, disabled, verified or unverified.",
        P::NameQueryTooShort => "Type at least 3 characters of the name.",
        P::CustomerIdFormat => "A customer id looks like 01890a5d-ac96-774b-bcce-b302099a8057.",
        P::SortKey => "Sort by created or last_sign_in.",
        P::DayFormat { which } => {
            return english(format!("The {which} day must look like 2026-01-31."));
        }
        P::DaysReversed => "The created-from day must not be after the created-to day.",
        P::NoSuchTier => "There is no tier with that slug.",
        P::NoSuchSearchableAttribute => "There is no searchable attribute with that key.",
        P::ValueToFind { label } => {
            return english(format!("Type the {} to look for.", label.to_lowercase()));
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
            return english(format!(
                "\"{raw}\" is not an entitlement: use lower-case letters, digits and - _ . : (at most 64)."
            ));
        }
        P::TooManyEntitlements { max } => return english(format!("At most {max} entitlements.")),
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
            return english(format!("List 1 to {max} choices, one per line."));
        }
        P::ChooseEditor => "Choose who can change it.",
        P::RequiredNotEditable => "Only an attribute customers can change can be required of them.",
        P::ChoiceHeld { choice, holders: 1 } => {
            return english(format!(
                "1 customer has \"{choice}\"; it cannot be removed."
            ));
        }
        P::ChoiceHeld { choice, holders } => {
            return english(format!(
                "{holders} customers have \"{choice}\"; it cannot be removed."
            ));
        }
        P::AttributeArchived => "That attribute is already archived.",
        P::AttributeNotArchived => "That attribute is not archived.",
        P::AppName => "Give the application a name of 1 to 100 characters.",
        P::NoRedirectUri => "Give at least one redirect URI for the authorization code grant.",
        P::RedirectUri(uri) => {
            return english(format!(
                "{uri:?} cannot be a redirect URI: use an absolute https:// address without a \
                     fragment (http:// only on localhost), or an app's own scheme such as com.example.app:/callback."
            ));
        }
        P::TooManyRedirectUris { max } => {
            return english(format!(
                "An application may register at most {max} redirect URIs."
            ));
        }
        P::UnknownGrantType(grant) => {
            return english(format!(
                "{grant:?} is not a grant type: use authorization_code, refresh_token, \
                     client_credentials or urn:ietf:params:oauth:grant-type:device_code."
            ));
        }
        P::NoGrantType => "Allow the application at least one grant type.",
        P::PublicClientCredentials => {
            "A public application has no secret, so it cannot use client_credentials."
        }
        P::UnknownScope(scope) => {
            return english(format!(
                "{scope:?} is not a scope: use openid, profile, email, offline_access or gatehouse:tier."
            ));
        }
        P::NoScope => "Allow at least one scope (openid, for signing in).",
        P::Jwks(problem) => match problem {
            JwksProblem::NotJson => "Give the public keys as a JWKS document: {\"keys\": [...]}.",
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
            return english(format!(
                "{uri:?} cannot be used: give an absolute https:// address without a fragment (http:// only on localhost)."
            ));
        }
    };
    english(words)
}

/// Second factors: the customer's problems said, the console's in English.
fn mfa(problem: &MfaProblem) -> Words {
    use MfaProblem as M;
    said(match problem {
        M::CodeMissing => "problem-code-missing",
        M::CodeFormat => "problem-code-format",
        M::SixDigits => "problem-six-digits",
        M::CodeWrong => "code-wrong",
        M::SetupExpired => "problem-setup-expired",
        M::AppAlreadySet => "problem-app-already-set",
        M::FactorName => "problem-factor-name",
        M::FactorGone => "problem-factor-gone",
        M::SignInAgain => "problem-sign-in-again",
        M::SignInExpired => "sign-in-expired",
        M::HeldFactorFirst => "problem-held-factor-first",
        M::PasskeyRefused => "problem-passkey-refused",
        M::PasskeyRequired => "problem-passkey-required",
        M::CeremonyExpired => "problem-ceremony-expired",
        M::PasskeysUnavailable => "problem-passkeys-unavailable",
        M::KeepOneFactor | M::PolicyChoice | M::RememberDays | M::StepUpMinutes => {
            return english(match problem {
                M::KeepOneFactor => {
                    "The console always asks for a second factor: add another before removing this one."
                }
                M::PolicyChoice => "Choose off, optional, required or phishing-resistant.",
                M::RememberDays => "Remembering a browser lasts 0 to 365 days (0: never).",
                _ => "The re-check window is 1 to 1440 minutes.",
            });
        }
    })
}
