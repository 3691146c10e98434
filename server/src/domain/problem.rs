//! What is wrong with an input or a request, named in the domain's terms.
//! Capabilities decide which problem it is; the words people read are chosen
//! in one place, `http::messages` (the `Display` of these types), ready for
//! translation.

/// An email address that cannot be used.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum EmailProblem {
    Missing,
    TooLong,
    /// Non-ASCII letters (look-alikes hide there).
    NotPlainLatin,
    Malformed,
}

/// A display name that cannot be used.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum NameProblem {
    Missing,
    TooLong,
    ControlCharacters,
}

/// A password that cannot be used (or was not given).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum PasswordProblem {
    Missing,
    TooShort {
        min: usize,
    },
    TooLong {
        max: usize,
    },
    /// On the list of passwords people use most (and breaches leak).
    Common,
    /// Easy to guess by zxcvbn's estimate (words, dates, keyboard runs).
    Guessable,
}

/// A profile attribute's value that does not fit the attribute's type.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ValueProblem {
    TextTooLong { max: usize },
    NotNumber,
    NotYesNo,
    NotDate,
    NotAChoice,
    NotEmail,
    NotPhone,
}

/// The tasks only an owner may do.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum OwnerTask {
    ManageAdmins,
    DefineTiers,
    DefineAttributes,
    ExportCustomers,
    DeleteCustomers,
    ManageApps,
    SetMfaPolicy,
}

/// The kinds of record a request names by id.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Record {
    Customer,
    Admin,
    Invitation,
    Session,
    Tier,
    TierJob,
    Attribute,
    App,
}

/// Every problem a request can have. The error's variant says how it is
/// refused (invalid field, bad request, denied, conflict); this says why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    Email(EmailProblem),
    Name(NameProblem),
    Password(PasswordProblem),
    /// A profile attribute's value, with the attribute's label.
    Value {
        label: String,
        problem: ValueProblem,
    },
    /// A required profile attribute left empty.
    ValueMissing {
        label: String,
    },

    // Signing up, in and the account.
    TermsNotAccepted,
    CurrentPasswordMissing,
    CurrentPasswordWrong,
    EmailUnchanged,
    EmailChangeLinkInvalid,
    EmailChangeTaken,
    VerificationLinkInvalid,
    VerificationLinkIncomplete,
    ResetLinkInvalid,
    UnblockLinkInvalid,

    // Who may do what.
    OnlyAdmins,
    OnlyOwners(OwnerTask),
    ReadOnlyRole,

    // Records named by a request.
    NotAnId(Record),
    /// A page link's cursor that does not decode.
    DamagedPageLink,
    /// A form body that could not be read, with the parser's reason.
    UnreadableForm(String),
    ChooseTier,
    /// The audit filter's admin or customer, named by something else than
    /// an email address or id.
    GiveEmailOrId(Record),
    ChooseAction,
    ExportFormat,

    // Customers in the console.
    CustomerEmailTaken,
    DeleteNotConfirmed,
    SessionGone,

    // Admins.
    AdminExists,
    InviteeIsAdmin,
    SetupLinkInvalid,
    InvitationSpent,
    AdminGone,
    LastOwner,
    OwnMfaReset,
    UnknownRole,

    // Customer search.
    SearchTooLong {
        max: usize,
    },
    SearchField,
    StatusFilter,
    NameQueryTooShort,
    CustomerIdFormat,
    SortKey,
    /// A day typed as something else than YYYY-MM-DD; `which` names the
    /// field as the form does (from, to, until).
    DayFormat {
        which: &'static str,
    },
    DaysReversed,
    NoSuchTier,
    NoSuchSearchableAttribute,
    ValueToFind {
        label: String,
    },

    // Tiers and moves between them.
    SlugFormat,
    SlugTaken,
    TierName,
    RankRange,
    DescriptionTooLong,
    ColourFormat,
    Entitlement(String),
    TooManyEntitlements {
        max: usize,
    },
    FallbackIsSelf,
    FallbackArchived,
    GraceRange,
    DefaultMustBeActive,
    TierGone,
    DefaultNotArchivable,
    TierHasMembers,
    TierIsFallback,
    TierNotArchived,
    TierUnavailable,
    ReasonTooLong,
    EndInPast,

    // Attribute definitions.
    KeyFormat,
    KeyReserved,
    KeyTaken,
    Label,
    ChooseKind,
    ChoiceTooLong,
    ChoiceCount {
        max: usize,
    },
    ChooseEditor,
    RequiredNotEditable,
    ChoiceHeld {
        choice: String,
        holders: i64,
    },
    AttributeArchived,
    AttributeNotArchived,

    // Applications (OpenID Connect clients).
    AppName,
    NoRedirectUri,
    RedirectUri(String),
    TooManyRedirectUris {
        max: usize,
    },
    UnknownGrantType(String),
    NoGrantType,
    PublicClientCredentials,
    UnknownScope(String),
    NoScope,
    /// The public keys given for `private_key_jwt`, and what is wrong.
    Jwks(super::oidc::JwksProblem),
    JwksForPublicClient,
    /// A public client cannot introspect, so cannot be a resource server.
    ResourceServerPublic,
    /// A `private_key_jwt` application has no secret to rotate.
    KeysNotSecret,
    TokenLifetime,
    SigningAlg,
    LogoUrl,
    /// An address Gatehouse calls or sends browsers to must be an https://
    /// (or loopback http://) address without a fragment.
    WebAddress(String),
    DeviceCodeUnknown,

    // Second factors and the MFA policy.
    Mfa(super::mfa::MfaProblem),
}

impl From<super::mfa::MfaProblem> for Problem {
    fn from(p: super::mfa::MfaProblem) -> Self {
        Self::Mfa(p)
    }
}

impl From<EmailProblem> for Problem {
    fn from(p: EmailProblem) -> Self {
        Self::Email(p)
    }
}

impl From<NameProblem> for Problem {
    fn from(p: NameProblem) -> Self {
        Self::Name(p)
    }
}

impl From<PasswordProblem> for Problem {
    fn from(p: PasswordProblem) -> Self {
        Self::Password(p)
    }
}
