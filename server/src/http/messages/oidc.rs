//! The words of single sign-on: scopes and grants as pages name them, and
//! protocol refusals as their `error_description` says them.

use crate::domain::oidc::{AssertionProblem, GrantType, OAuthProblem};
use app::Lang;

/// What a scope lets an application see, as the consent page lists it
/// (`openid` and `offline_access` show nothing of their own).
pub fn scope_description(lang: Lang, scope: &str) -> Option<String> {
    let key = match scope {
        "profile" => "scope-profile",
        "email" => "scope-email",
        "gatehouse:tier" => "scope-tier",
        "offline_access" => "scope-offline",
        _ => return None,
    };
    Some(lang.t(key))
}

/// A grant type as the console names it.
pub fn grant_words(grant: GrantType) -> &'static str {
    match grant {
        GrantType::AuthorizationCode => "Authorization code (customers sign in)",
        GrantType::RefreshToken => "Refresh token (stay signed in)",
        GrantType::ClientCredentials => "Client credentials (service to service)",
        GrantType::DeviceCode => "Device code (TVs and other devices)",
    }
}

/// A scope as the console names it: the scope, and what it gives.
pub fn scope_words(scope: &str) -> String {
    match scope {
        "openid" => "openid: sign-in (the customer's id)".to_string(),
        // The console speaks English until its pages are in the catalogues.
        _ => match scope_description(Lang::En, scope) {
            Some(words) => format!(
                "{scope}: {}",
                words.replace("Your ", "the customer's ").to_lowercase()
            ),
            None => scope.to_string(),
        },
    }
}

/// The `error_description` of a protocol refusal: read by the developers of
/// the application (and, on the hosted error page, by the customer).
impl std::fmt::Display for OAuthProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OAuthProblem::Parameter(name) => {
                write!(f, "The {name} parameter is missing, repeated or malformed.")
            }
            OAuthProblem::UnknownClient => {
                f.write_str("The application that sent you here is not registered with us.")
            }
            OAuthProblem::ClientDisabled => {
                f.write_str("The application that sent you here is switched off.")
            }
            OAuthProblem::ClientAuthentication => f.write_str("Client authentication failed."),
            OAuthProblem::ClientAssertion(problem) => f.write_str(match problem {
                AssertionProblem::Malformed => "The client assertion is not a well-formed JWT.",
                AssertionProblem::Algorithm => {
                    "The client assertion's algorithm is not accepted (RS256, RS384, RS512, PS256, ES256 or EdDSA)."
                }
                AssertionProblem::Signature => {
                    "The client assertion's signature does not verify with the application's registered keys."
                }
                AssertionProblem::Subject => "The client assertion's iss and sub must both be the client id.",
                AssertionProblem::Audience => {
                    "The client assertion's aud must be the issuer or the endpoint's address."
                }
                AssertionProblem::Expired => "The client assertion has expired (or has no exp).",
                AssertionProblem::TooLong => "The client assertion must expire within 10 minutes.",
                AssertionProblem::NotYetValid => "The client assertion is not valid yet (nbf).",
                AssertionProblem::MissingJti => "The client assertion needs a jti.",
                AssertionProblem::Replayed => "The client assertion was already used: make a new one for each request.",
            }),
            OAuthProblem::RedirectUri => f.write_str(
                "The application asked to send you back to an address it has not registered, \
                 so we did not send you there.",
            ),
            OAuthProblem::GrantNotAllowed => {
                f.write_str("This application may not use this grant type.")
            }
            OAuthProblem::ResponseType => f.write_str("Only response_type=code is supported."),
            OAuthProblem::Scope(scope) => {
                write!(
                    f,
                    "The scope {scope:?} is unknown or not allowed for this application."
                )
            }
            OAuthProblem::PkceRequired => {
                f.write_str("This application must use PKCE (code_challenge with S256).")
            }
            OAuthProblem::PkceMethod => {
                f.write_str("Only code_challenge_method=S256 is supported.")
            }
            OAuthProblem::PkceMismatch => {
                f.write_str("The code_verifier does not match the code_challenge.")
            }
            OAuthProblem::CodeInvalid => {
                f.write_str("The authorization code is invalid, expired or already used.")
            }
            OAuthProblem::RefreshTokenInvalid => {
                f.write_str("The refresh token is invalid, expired or revoked.")
            }
            OAuthProblem::CustomerGone => {
                f.write_str("The account is disabled or no longer exists.")
            }
            OAuthProblem::Denied => f.write_str("The customer declined the request."),
            OAuthProblem::NotSignedIn => f.write_str("The customer is not signed in."),
            OAuthProblem::ConsentNeeded => {
                f.write_str("The customer has not yet agreed to share this with the application.")
            }
            OAuthProblem::BearerToken => {
                f.write_str("The access token is missing, invalid or expired.")
            }
            OAuthProblem::ContentType => {
                f.write_str("Send the request as application/x-www-form-urlencoded.")
            }
            OAuthProblem::DevicePending => {
                f.write_str("The customer has not yet approved the device.")
            }
            OAuthProblem::DeviceSlowDown => {
                f.write_str("Polling too fast: wait 5 s more between polls.")
            }
            OAuthProblem::DeviceCodeExpired => f.write_str("The device code expired: start again."),
            OAuthProblem::DeviceCodeInvalid => {
                f.write_str("The device code is invalid or already used.")
            }
            OAuthProblem::RequestObject => f.write_str(
                "Request objects are not supported: send the parameters themselves.",
            ),
            OAuthProblem::HintMismatch => f.write_str(
                "The id_token_hint names someone other than the customer signed in.",
            ),
            OAuthProblem::SessionEnded => f.write_str(
                "The customer's session this access token was granted in has ended: sign them in again.",
            ),
            OAuthProblem::NoInitiateLoginUri => f.write_str(
                "Register the application's login initiation URI (initiate_login_uri) to hand customers to another device.",
            ),
        }
    }
}
