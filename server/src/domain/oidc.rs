//! The vocabulary of single sign-on: applications (OAuth clients), the
//! grants they use, signing algorithms, and the protocol's own errors
//! (RFC 6749 §5.2, OpenID Connect Core §3.1.2.6).

use super::CustomerId;
use uuid::Uuid;

/// The longest an access or ID token lives (an application's lifetime is
/// capped here); a retired signing key stays published this long.
pub const ACCESS_TOKEN_LIFETIME_MAX: i64 = 24 * 3600;

/// An application registered to sign customers in through Gatehouse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Client {
    /// `client_id`: random, shown to the application's developers.
    pub id: String,
    /// Shown on the hosted pages ("Sign in to the Web Shop").
    pub name: String,
    /// A public client (a mobile or single-page app) cannot keep a secret:
    /// it authenticates by PKCE alone.
    pub public: bool,
    /// The organisation's own application: no consent screen.
    pub first_party: bool,
    /// An API that accepts access tokens: it may introspect those of every
    /// application (any other client only its own, RFC 7662 §4).
    pub resource_server: bool,
    pub enabled: bool,
    /// Compared exactly, character for character.
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub grant_types: Vec<GrantType>,
    /// The scopes the application may ask for.
    pub scopes: Vec<String>,
    /// Seconds.
    pub access_token_ttl: i64,
    /// Seconds.
    pub refresh_token_ttl: i64,
    pub id_token_alg: SigningAlg,
    pub logo_url: Option<String>,
    /// The public keys of a `private_key_jwt` client (a JWKS document);
    /// such a client holds no secret.
    pub jwks: Option<String>,
    /// Where it is told, server to server, that a customer's session ended
    /// (OpenID Connect Back-Channel Logout); none: it is not told.
    pub backchannel_logout_uri: Option<String>,
    /// Where Gatehouse sends a browser to have the application sign it in
    /// (third-party-initiated login): a handed-off customer arrives there.
    pub initiate_login_uri: Option<String>,
    pub created_at: i64,
}

/// How an application proves who it is at the token endpoint.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ClientAuth {
    /// A public client: by PKCE alone.
    None,
    ClientSecret,
    PrivateKeyJwt,
}

impl ClientAuth {
    /// As discovery and client metadata name it (RFC 7591).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::ClientSecret => "client_secret_basic",
            Self::PrivateKeyJwt => "private_key_jwt",
        }
    }
}

impl Client {
    pub fn allows(&self, grant: GrantType) -> bool {
        self.grant_types.contains(&grant)
    }

    pub fn auth(&self) -> ClientAuth {
        match (self.public, &self.jwks) {
            (true, _) => ClientAuth::None,
            (false, Some(_)) => ClientAuth::PrivateKeyJwt,
            (false, None) => ClientAuth::ClientSecret,
        }
    }
}

/// The grant types Gatehouse implements, by their protocol names.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum GrantType {
    AuthorizationCode,
    RefreshToken,
    ClientCredentials,
    DeviceCode,
}

impl GrantType {
    pub const ALL: [GrantType; 4] = [
        Self::AuthorizationCode,
        Self::RefreshToken,
        Self::ClientCredentials,
        Self::DeviceCode,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AuthorizationCode => "authorization_code",
            Self::RefreshToken => "refresh_token",
            Self::ClientCredentials => "client_credentials",
            Self::DeviceCode => "urn:ietf:params:oauth:grant-type:device_code",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == raw)
    }
}

/// Token signature algorithms (JWA names).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum SigningAlg {
    /// What every client library accepts: the default for ID tokens.
    RS256,
    /// Fast to sign: the default for access tokens.
    ES256,
    EdDSA,
}

impl SigningAlg {
    pub const ALL: [SigningAlg; 3] = [Self::RS256, Self::ES256, Self::EdDSA];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::RS256 => "RS256",
            Self::ES256 => "ES256",
            Self::EdDSA => "EdDSA",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == raw)
    }
}

/// A signing key as stored: the private half sealed, the public half a JWK.
#[derive(Clone, Debug)]
pub struct StoredKey {
    pub kid: String,
    pub alg: SigningAlg,
    pub sealed_private: Vec<u8>,
    pub public_jwk: String,
    pub created_at: i64,
    pub retired_at: Option<i64>,
}

/// What an authorization code, and the refresh tokens after it, stand for:
/// this customer let this application act with these scopes, having signed
/// in at `auth_time` by `amr`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub client_id: String,
    pub customer: CustomerId,
    pub scope: String,
    pub auth_time: i64,
    /// Space-separated authentication methods (RFC 8176): `pwd`, `email`.
    pub amr: String,
    /// The code and every refresh token issued from it.
    pub family: Uuid,
    /// The customer's Gatehouse session it was granted in, while that
    /// lasts (the ID tokens' `sid`); none for a device's grant.
    pub session: Option<Uuid>,
}

/// An authorization code's record beyond its grant.
#[derive(Clone, Debug)]
pub struct CodeGrant {
    pub grant: Grant,
    pub redirect_uri: String,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
}

/// The protocol's error codes (RFC 6749 §4.1.2.1 and §5.2, OpenID Connect
/// Core §3.1.2.6, RFC 6750 §3.1).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum OAuthCode {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    UnsupportedResponseType,
    InvalidScope,
    AccessDenied,
    LoginRequired,
    InteractionRequired,
    ConsentRequired,
    InvalidToken,
    AuthorizationPending,
    SlowDown,
    ExpiredToken,
    RequestNotSupported,
    RequestUriNotSupported,
}

impl OAuthCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::InvalidScope => "invalid_scope",
            Self::AccessDenied => "access_denied",
            Self::LoginRequired => "login_required",
            Self::InteractionRequired => "interaction_required",
            Self::ConsentRequired => "consent_required",
            Self::InvalidToken => "invalid_token",
            Self::AuthorizationPending => "authorization_pending",
            Self::SlowDown => "slow_down",
            Self::ExpiredToken => "expired_token",
            Self::RequestNotSupported => "request_not_supported",
            Self::RequestUriNotSupported => "request_uri_not_supported",
        }
    }
}

/// Why a protocol request is refused, in detail (the `error_description`;
/// its words are in `http::messages`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OAuthProblem {
    /// A parameter is missing, repeated, too long or malformed.
    Parameter(&'static str),
    UnknownClient,
    ClientDisabled,
    ClientAuthentication,
    /// A `private_key_jwt` assertion refused, and why.
    ClientAssertion(AssertionProblem),
    RedirectUri,
    GrantNotAllowed,
    ResponseType,
    Scope(String),
    PkceRequired,
    PkceMethod,
    PkceMismatch,
    CodeInvalid,
    RefreshTokenInvalid,
    CustomerGone,
    Denied,
    NotSignedIn,
    ConsentNeeded,
    BearerToken,
    ContentType,
    DevicePending,
    DeviceSlowDown,
    DeviceCodeExpired,
    DeviceCodeInvalid,
    /// A request object (`request`, `request_uri`): not supported.
    RequestObject,
    /// The `id_token_hint` names someone other than the signed-in customer.
    HintMismatch,
    /// The customer's session behind an access token has ended.
    SessionEnded,
    /// A handoff asked by an application with no login initiation address.
    NoInitiateLoginUri,
}

/// Why an assertion is refused (said in `error_description`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum AssertionProblem {
    /// Not a JWT, or its claims are not JSON of the expected shape.
    Malformed,
    Algorithm,
    /// No registered key verifies its signature.
    Signature,
    /// `iss` and `sub` must both be the client id.
    Subject,
    Audience,
    Expired,
    /// Its `exp` is further ahead than the longest lifetime allowed.
    TooLong,
    NotYetValid,
    MissingJti,
    Replayed,
}

/// Why registered keys are refused.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum JwksProblem {
    NotJson,
    Empty,
    TooMany,
    /// A private or symmetric key: only public keys are registered.
    Private,
    /// A key the verifier cannot use.
    Unusable,
}

/// A refusal as the protocol words it: the code clients act on, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthError {
    pub code: OAuthCode,
    pub problem: OAuthProblem,
}

impl OAuthError {
    pub fn new(code: OAuthCode, problem: OAuthProblem) -> Self {
        Self { code, problem }
    }

    pub fn invalid_request(parameter: &'static str) -> Self {
        Self::new(
            OAuthCode::InvalidRequest,
            OAuthProblem::Parameter(parameter),
        )
    }
}
