//! The browser session (tower-sessions, in the database): every key
//! Gatehouse keeps in it, in one place. The browser holds a cookie
//! (`gatehouse_session` for customers, `gatehouse_admin` for the console);
//! what the record says signed in, waiting or shown once lives here, and
//! the capabilities never see it.

use crate::domain::{Admin, AdminId, CustomerId, Result, SignedIn};
use crate::identity::sessions;
use crate::state::AppState;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use uuid::Uuid;

/// The names of everything kept in a browser session, in one place.
pub mod keys {
    /// The `customer_sessions` row this browser is signed in with.
    pub const CUSTOMER: &str = "customer_session";
    /// The admin signed in on this browser, and when (console cookie only).
    pub const ADMIN: &str = "admin";
    /// Set at sign-in while required profile attributes are missing.
    pub const PROFILE_INCOMPLETE: &str = "profile_incomplete";
    /// The customer who signed up in this browser, until they verify.
    pub const PENDING_SIGNUP: &str = "pending_signup";
    /// A one-time message for the next page (POST-redirect-GET).
    pub const FLASH: &str = "flash";
    /// The synchronizer token every form carries.
    pub const CSRF: &str = "csrf_token";
    /// The language this browser asked for: from the language menu, or an
    /// application's `ui_locales`.
    pub const LANG: &str = "lang";
    /// Applications' authorization requests waiting for the customer to
    /// sign in or consent, each under its own id (several tabs at once).
    pub const AUTHORIZATIONS: &str = "pending_authorizations";
    /// A device's user code the customer typed, waiting for sign-in and
    /// their answer.
    pub const DEVICE: &str = "pending_device_code";
    /// The key to this browser's sign-in attempt, while it waits for a
    /// second factor or an enrolment (each cookie holds its realm's).
    pub const SIGN_IN_ATTEMPT: &str = "sign_in_attempt";
    /// An authenticator app being set up, until its first code confirms it.
    pub const TOTP_SETUP: &str = "totp_setup";
    /// Recovery codes just made, shown once on the next page.
    pub const NEW_RECOVERY_CODES: &str = "new_recovery_codes";
    /// A WebAuthn ceremony in progress (its challenge state).
    pub const PASSKEY_CEREMONY: &str = "passkey_ceremony";
    /// The handoff ticket this signed-in browser offered last (its secret,
    /// to draw the QR code again while it waits).
    pub const HANDOFF_OFFER: &str = "handoff_offer";
    /// The key to the handoff ticket this browser opened and claimed.
    pub const HANDOFF_CLAIM: &str = "handoff_claim";
    /// The code this shared screen shows, and its claim on it.
    pub const HANDOFF_SCREEN: &str = "handoff_screen";
    /// A shared screen's code this phone scanned before it was signed in:
    /// once it is, the screen's question comes back.
    pub const SCREEN_TO_APPROVE: &str = "screen_to_approve";
    /// When the record was last written (Unix seconds): an unchanged
    /// session is written again only once this is a minute old.
    pub const KEPT_AT: &str = "kept_at";
}

/// How stale an unchanged session's record may get before a page view
/// writes it again (pushing its idle expiry on): idle timeouts hold to
/// the minute, and a burst of page views is a burst of reads, not writes.
pub const KEEP_ALIVE_SECONDS: i64 = 60;

/// After a request: a session that holds something and was not changed
/// is written only when its last write is a minute old (tower-sessions
/// writes changed sessions; with idle expiry it would otherwise need every
/// view written). Anonymous browsers have no session and stay that way.
pub async fn keep_alive(session: &Session, now: i64) -> Result<()> {
    // Empty: no session, or one just ended (flushed), which must stay so.
    if session.is_empty().await {
        return Ok(());
    }
    if session.is_modified() {
        return put(session, keys::KEPT_AT, now).await;
    }
    let kept_at: Option<i64> = get(session, keys::KEPT_AT).await?;
    if kept_at.is_none_or(|at| now - at >= KEEP_ALIVE_SECONDS) {
        put(session, keys::KEPT_AT, now).await?;
    }
    Ok(())
}

/// A session that could not be read or written. The store's own faults
/// are the database out of reach (its errors arrive as text): the page
/// says so with a 503 and when to retry, like every other page then.
fn unreadable(e: tower_sessions::session::Error) -> crate::domain::Error {
    use tower_sessions::session::Error as Session;
    use tower_sessions::session_store::Error as Store;
    match e {
        Session::Store(Store::Backend(reason)) => {
            tracing::warn!(%reason, "browser session unavailable");
            crate::domain::Error::Offline { retry_after: 5 }
        }
        e => anyhow::Error::new(e).into(),
    }
}

/// Reads a value from the session (`None` when absent).
pub async fn get<T: DeserializeOwned>(session: &Session, key: &str) -> Result<Option<T>> {
    session.get(key).await.map_err(unreadable)
}

/// Stores a value in the session.
pub async fn put<T: Serialize>(session: &Session, key: &str, value: T) -> Result<()> {
    session.insert(key, value).await.map_err(unreadable)?;
    Ok(())
}

/// Removes a value from the session and returns it.
pub async fn take<T: DeserializeOwned>(session: &Session, key: &str) -> Result<Option<T>> {
    // Removing marks the session changed (a write) even when the key is
    // absent: look first, so a page view that finds nothing writes nothing.
    let value: Option<T> = get(session, key).await?;
    if value.is_some() {
        session.remove_value(key).await.map_err(unreadable)?;
    }
    Ok(value)
}

/// Replaces the cookie's id and the CSRF token: an id planted before
/// sign-in (session fixation), or an id or token seen before a privilege
/// change, is worthless after.
pub async fn cycle(session: &Session) -> Result<()> {
    session.cycle_id().await.map_err(unreadable)?;
    take::<String>(session, keys::CSRF).await?;
    Ok(())
}

/// This browser is signed in with session `id`, under a fresh cookie id.
pub async fn signed_in_here(session: &Session, id: Uuid) -> Result<()> {
    cycle(session).await?;
    put(session, keys::CUSTOMER, id).await
}
/// The customer signed in on this browser, if the session is still live.
pub async fn current(state: &AppState, session: &Session) -> Result<Option<SignedIn>> {
    let Some(id) = get::<Uuid>(session, keys::CUSTOMER).await? else {
        return Ok(None);
    };
    let live = sessions::live(state, id).await?;
    if live.is_none() {
        // Ended elsewhere (sign-out everywhere, reset, expiry): forget it here too.
        take::<Uuid>(session, keys::CUSTOMER).await?;
    }
    Ok(live)
}

/// Signs this browser out and ends its session.
pub async fn end(state: &AppState, session: &Session) -> Result<()> {
    if let Some(id) = get::<Uuid>(session, keys::CUSTOMER).await? {
        sessions::end(state, id).await?;
    }
    session.flush().await.map_err(unreadable)?;
    Ok(())
}

/// Progressive profiling: whether this browser's customer still owes the
/// organisation required details.
pub async fn profile_incomplete(session: &Session) -> Result<bool> {
    Ok(get::<bool>(session, keys::PROFILE_INCOMPLETE).await? == Some(true))
}

pub async fn mark_profile_incomplete(session: &Session) -> Result<()> {
    put(session, keys::PROFILE_INCOMPLETE, true).await
}

pub async fn profile_completed(session: &Session) -> Result<()> {
    take::<bool>(session, keys::PROFILE_INCOMPLETE).await?;
    Ok(())
}

/// Remembers who signed up in this browser, so following the verification
/// link here signs them in; the link opened elsewhere only verifies.
pub async fn remember_signup(session: &Session, customer: CustomerId) -> Result<()> {
    put(session, keys::PENDING_SIGNUP, customer.0).await
}

/// The customer who signed up in this browser, if any.
pub async fn who_signed_up_here(session: &Session) -> Result<Option<CustomerId>> {
    Ok(get::<Uuid>(session, keys::PENDING_SIGNUP)
        .await?
        .map(CustomerId))
}

/// A verification link was followed here: the sign-up is no longer waiting.
pub async fn forget_signup(session: &Session) -> Result<()> {
    take::<Uuid>(session, keys::PENDING_SIGNUP).await?;
    Ok(())
}

#[derive(Serialize, Deserialize)]
struct AdminSession {
    id: Uuid,
    signed_in_at: i64,
}

/// Signs the admin in on this console browser, with a fresh cookie id.
pub async fn start_admin(state: &AppState, session: &Session, admin: &Admin) -> Result<()> {
    cycle(session).await?;
    let record = AdminSession {
        id: admin.id.0,
        signed_in_at: state.clock.now(),
    };
    put(session, keys::ADMIN, record).await
}

/// The admin signed in on this console browser, while within the absolute
/// lifetime (the idle one is the cookie's). Loaded on every request, so a
/// removed admin or a changed role takes effect at once.
pub async fn current_admin(state: &AppState, session: &Session) -> Result<Option<Admin>> {
    let Some(record) = get::<AdminSession>(session, keys::ADMIN).await? else {
        return Ok(None);
    };
    let admin = sessions::admin_live(state, AdminId(record.id), record.signed_in_at).await?;
    if admin.is_none() {
        session.flush().await.map_err(unreadable)?;
    }
    Ok(admin)
}

/// When the admin of this console browser signed in (with both factors).
pub async fn admin_signed_in_at(session: &Session) -> Result<Option<i64>> {
    Ok(get::<AdminSession>(session, keys::ADMIN)
        .await?
        .map(|s| s.signed_in_at))
}

/// Signs this console browser out.
pub async fn end_admin(session: &Session) -> Result<()> {
    session.flush().await.map_err(unreadable)?;
    Ok(())
}

/// An application's authorization request, kept while the customer signs
/// in (or up) and consents: its parameters as sent, and when it first came.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingAuthorization {
    /// Names this request among the browser's pending ones: its consent
    /// page carries it, so "Allow" answers only the request it showed.
    pub id: String,
    pub params: Vec<(String, String)>,
    /// The session signed in on this browser when the request came, if
    /// any: a different one now means the customer signed in for it.
    pub session_at_request: Option<Uuid>,
    /// The application asking, as the pages on the way name it (set once
    /// the request is found valid).
    #[serde(default)]
    pub app_name: Option<String>,
    #[serde(default)]
    pub app_logo: Option<String>,
}

/// How many requests a browser may have waiting; the oldest goes first.
const AUTHORIZATIONS_HELD: usize = 8;

impl PendingAuthorization {
    pub fn new(params: Vec<(String, String)>, signed_in: Option<&SignedIn>) -> Self {
        Self {
            id: Uuid::new_v4().simple().to_string(),
            params,
            session_at_request: signed_in.map(|s| s.session_id),
            app_name: None,
            app_logo: None,
        }
    }

    /// The application as pages on the way name it, once it is known.
    pub fn badge(&self) -> Option<app::AppBadge> {
        self.app_name.clone().map(|name| app::AppBadge {
            name,
            logo_url: self.app_logo.clone(),
        })
    }

    /// The languages the application asked pages to speak (`ui_locales`).
    pub fn ui_locales(&self) -> Option<app::Lang> {
        let tags = self.params.iter().find(|(name, _)| name == "ui_locales")?;
        app::Lang::from_ui_locales(&tags.1)
    }

    /// Whether `signed_in` began after this request came (a sign-in made
    /// for it), rather than being the session it found.
    pub fn signed_in_since(&self, signed_in: &SignedIn) -> bool {
        self.session_at_request != Some(signed_in.session_id)
    }

    /// The `login_hint` the application sent, if it is an email address:
    /// the sign-in form starts with it filled in.
    pub fn login_hint(&self) -> Option<String> {
        let hint = self
            .params
            .iter()
            .find(|(name, _)| name == "login_hint")
            .map(|(_, value)| value)?;
        crate::domain::Email::parse(hint)
            .ok()
            .map(|email| email.as_str().to_string())
    }
}

/// Keeps `lang` as the language this browser asked for (written only when
/// it changes: a page view writes nothing).
pub async fn choose_lang(session: &Session, lang: app::Lang) -> Result<()> {
    if get::<String>(session, keys::LANG).await?.as_deref() != Some(lang.tag()) {
        put(session, keys::LANG, lang.tag()).await?;
    }
    Ok(())
}

/// The language this browser asked for, if any.
pub async fn chosen_lang(session: &Session) -> Result<Option<app::Lang>> {
    Ok(get::<String>(session, keys::LANG)
        .await?
        .and_then(|tag| app::Lang::from_tag(&tag)))
}

async fn authorizations(session: &Session) -> Result<Vec<PendingAuthorization>> {
    Ok(get(session, keys::AUTHORIZATIONS)
        .await?
        .unwrap_or_default())
}

/// Keeps `pending` (replacing its earlier state) as the latest request.
pub async fn hold_authorization(session: &Session, pending: &PendingAuthorization) -> Result<()> {
    let mut held = authorizations(session).await?;
    held.retain(|p| p.id != pending.id);
    held.push(pending.clone());
    let excess = held.len().saturating_sub(AUTHORIZATIONS_HELD);
    held.drain(..excess);
    put(session, keys::AUTHORIZATIONS, held).await
}

/// The request this browser's sign-in continues with: the latest held.
pub async fn pending_authorization(session: &Session) -> Result<Option<PendingAuthorization>> {
    Ok(authorizations(session).await?.pop())
}

/// The request held under `id`, if it still waits.
pub async fn authorization(session: &Session, id: &str) -> Result<Option<PendingAuthorization>> {
    Ok(authorizations(session)
        .await?
        .into_iter()
        .find(|p| p.id == id))
}

pub async fn drop_authorization(session: &Session, id: &str) -> Result<()> {
    let mut held = authorizations(session).await?;
    let before = held.len();
    held.retain(|p| p.id != id);
    if held.is_empty() {
        take::<Vec<PendingAuthorization>>(session, keys::AUTHORIZATIONS).await?;
    } else if held.len() != before {
        put(session, keys::AUTHORIZATIONS, held).await?;
    }
    Ok(())
}

pub async fn hold_device_code(session: &Session, user_code: &str) -> Result<()> {
    put(session, keys::DEVICE, user_code).await
}

pub async fn pending_device_code(session: &Session) -> Result<Option<String>> {
    get(session, keys::DEVICE).await
}

pub async fn drop_device_code(session: &Session) -> Result<()> {
    take::<String>(session, keys::DEVICE).await?;
    Ok(())
}

pub async fn hold_screen_code(session: &Session, secret: &str) -> Result<()> {
    put(session, keys::SCREEN_TO_APPROVE, secret).await
}

pub async fn pending_screen_code(session: &Session) -> Result<Option<String>> {
    get(session, keys::SCREEN_TO_APPROVE).await
}

pub async fn drop_screen_code(session: &Session) -> Result<()> {
    take::<String>(session, keys::SCREEN_TO_APPROVE).await?;
    Ok(())
}
