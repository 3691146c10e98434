//! Handing a signed-in session to another device: "Continue on another
//! device". The signed-in device (the source) offers a ticket, shown as a
//! QR code and a link carrying a random secret, with a short match code.
//! The first browser to open it claims it and shows the same code; the
//! source then sees which device asks and confirms or refuses. Only the
//! source decides (a QR code shown to the wrong person hands nothing over
//! without it), and the new device gets a session of its own through the
//! sign-in journey, never a copy of the source's cookie.
//!
//! A shared screen (a kiosk, a TV) pulls instead: it shows the QR code,
//! a signed-in phone opens it and answers, and the screen gets a short
//! session that signs itself out.
//!
//! A ticket is single-use, lives a minute to be opened and another to be
//! answered, and dies with its source session (the row cascades).

use super::sessions::Proof;
use super::signin::{self, Advanced, AttemptKey, Input, Purpose, Realm};
use crate::audit;
use crate::domain::secrets::{hash_token, random_string};
use crate::domain::{
    Action, Caller, CustomerId, Error, RequestContext, Result, SignedIn, device_words,
};
use crate::state::AppState;
use crate::store::{Claimant, HandoffKey, HandoffRow, Limit, NewHandoff};
use crate::throttle;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use serde_json::json;
use uuid::Uuid;

/// How long a ticket waits to be opened on the other device.
pub const OPEN_SECONDS: i64 = 60;
/// Once opened, how long it waits for the source's answer and the new
/// device's next visit.
pub const ANSWER_SECONDS: i64 = 60;
/// Tickets one session may offer in `OFFER_WINDOW` seconds, and one
/// address (several sessions behind it).
const OFFERS_PER_SESSION: i64 = 10;
const OFFERS_PER_ADDRESS: i64 = 30;
const OFFER_WINDOW: i64 = 600;

/// A new ticket, as its source device shows it. `secret` is shown once, in
/// the QR code and link; only its digest is stored.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Offer {
    pub id: Uuid,
    pub secret: String,
    pub match_code: String,
}

impl Offer {
    fn new() -> Self {
        Self {
            id: Uuid::now_v7(),
            secret: random_string(),
            // Two digits, never with a leading zero: easy to compare at a glance.
            match_code: (10 + OsRng.next_u32() % 90).to_string(),
        }
    }
}

/// Takes one of `max` offers `key` may make in `OFFER_WINDOW`.
async fn reserve_offer(state: &AppState, key: &str, max: i64) -> Result<()> {
    let now = state.clock.now();
    let limit = Limit {
        max,
        window: OFFER_WINDOW,
    };
    let reserved = state.store.reserve_attempt(key, None, limit, now).await?;
    if reserved.granted {
        Ok(())
    } else {
        Err(Error::Throttled {
            retry_after: (reserved.retry_at - now).max(1),
        })
    }
}

/// Where a ticket stands, as its source device sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AtSource {
    /// Not opened yet.
    Waiting {
        match_code: String,
        expires_at: i64,
    },
    /// Opened on `device`, from `ip`: the source's answer is wanted.
    Opened {
        match_code: String,
        device: String,
        ip: Option<String>,
    },
    /// Confirmed; `signed_in` once the new device has its session.
    Confirmed {
        device: String,
        signed_in: bool,
    },
    Refused {
        device: String,
    },
    /// Expired, ended with its session, or never this session's.
    Gone,
}

/// What a ticket's secret shows the device that opened it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Opened {
    /// Open to be claimed here: the code to compare and the device asking.
    Open { match_code: String, from: String },
    /// Claimed already (here: go on waiting; elsewhere: refused).
    Claimed { here: bool },
    /// No such ticket, or it expired, or its session ended.
    Gone,
}

/// Where a claimed ticket stands, for the device that claimed it.
pub enum AtTarget {
    /// The source has not answered yet.
    Waiting { match_code: String, from: String },
    /// The source refused.
    Refused,
    /// The source confirmed: the sign-in journey's answer for this device.
    Continued(Advanced),
    /// Expired, spent, or its session ended.
    Gone,
}

/// The key the claiming browser keeps to its ticket.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ClaimKey(String);

/// The signed-in customer offers this session to another device.
pub async fn offer(state: &AppState, ctx: &RequestContext, signed_in: &SignedIn) -> Result<Offer> {
    offer_for(state, ctx, signed_in, &Purpose::Account).await
}

/// Offers session `signed_in` to another device, which goes on to
/// `purpose` once in (the account, or an application's page).
pub async fn offer_for(
    state: &AppState,
    ctx: &RequestContext,
    signed_in: &SignedIn,
    purpose: &Purpose,
) -> Result<Offer> {
    let address = ctx.ip().unwrap_or("unknown");
    let session_key = format!("handoff-offer:{}", signed_in.session_id);
    reserve_offer(state, &session_key, OFFERS_PER_SESSION).await?;
    reserve_offer(
        state,
        &format!("handoff-offer-ip:{address}"),
        OFFERS_PER_ADDRESS,
    )
    .await?;
    let now = state.clock.now();
    let offer = Offer::new();
    let purpose = serde_json::to_string(purpose).map_err(|e| Error::Internal(e.into()))?;
    state
        .store
        .insert_handoff(&NewHandoff {
            id: offer.id,
            digest: &hash_token(&offer.secret),
            source: Some((signed_in.customer.id.0, signed_in.session_id)),
            claimant: None,
            match_code: &offer.match_code,
            purpose: &purpose,
            now,
            expires_at: now + OPEN_SECONDS,
        })
        .await?;
    let details = json!({
        "ticket": offer.id,
        "from_session": signed_in.session_id,
        "from_device": device_words(ctx.user_agent()),
    });
    audit::record(
        state,
        ctx,
        Action::HandoffOffered,
        Some(signed_in.customer.id),
        details,
    )
    .await?;
    Ok(offer)
}

/// Ticket `id` as the source session `signed_in` sees it now.
pub async fn at_source(state: &AppState, signed_in: &SignedIn, id: Uuid) -> Result<AtSource> {
    let now = state.clock.now();
    let Some(row) = state
        .store
        .handoff(
            HandoffKey::OfSource {
                id,
                session: signed_in.session_id,
            },
            now,
        )
        .await?
    else {
        return Ok(AtSource::Gone);
    };
    let device = device_words(row.claimed_user_agent.as_deref());
    Ok(match (row.claimed_at, row.answer.as_deref()) {
        (None, _) => AtSource::Waiting {
            match_code: row.match_code,
            expires_at: row.expires_at,
        },
        (Some(_), None) => AtSource::Opened {
            match_code: row.match_code,
            device,
            ip: row.claimed_ip,
        },
        (Some(_), Some("confirmed")) => AtSource::Confirmed {
            device,
            signed_in: row.began_session.is_some(),
        },
        (Some(_), Some(_)) => AtSource::Refused { device },
    })
}

/// The source session answers ticket `id`: confirm hands the session to
/// the device that opened it; refuse ends the ticket. False when there
/// was nothing to answer (not opened, answered, expired).
pub async fn answer(
    state: &AppState,
    ctx: &RequestContext,
    signed_in: &SignedIn,
    id: Uuid,
    confirm: bool,
) -> Result<bool> {
    let now = state.clock.now();
    let Some(row) = state
        .store
        .handoff(
            HandoffKey::OfSource {
                id,
                session: signed_in.session_id,
            },
            now,
        )
        .await?
    else {
        return Ok(false);
    };
    if !state
        .store
        .answer_handoff(id, signed_in.session_id, confirm, now)
        .await?
    {
        return Ok(false);
    }
    record_answer(state, ctx, signed_in, &row, confirm).await?;
    Ok(true)
}

/// A device opens a ticket's link. Guesses from one address are held back
/// as password guesses are. `claim`: the key this browser holds, if it
/// claimed a ticket before.
pub async fn open(
    state: &AppState,
    ctx: &RequestContext,
    secret: &str,
    claim: Option<&ClaimKey>,
) -> Result<Opened> {
    let Some(row) = guarded_lookup(state, ctx, secret, Direction::Push).await? else {
        return Ok(Opened::Gone);
    };
    if row.claimed_at.is_some() {
        let here = match (claim, &row.claim_digest) {
            (Some(key), Some(digest)) => hash_token(&key.0) == *digest,
            _ => false,
        };
        return Ok(Opened::Claimed { here });
    }
    Ok(Opened::Open {
        match_code: row.match_code,
        from: device_words(row.source_user_agent.as_deref()),
    })
}

/// The device that opened the link claims its ticket, to wait for the
/// source's answer; `None` when another device claimed it first or it is
/// gone.
pub async fn claim(
    state: &AppState,
    ctx: &RequestContext,
    secret: &str,
) -> Result<Option<ClaimKey>> {
    let Some(row) = guarded_lookup(state, ctx, secret, Direction::Push).await? else {
        return Ok(None);
    };
    let key = ClaimKey(random_string());
    let now = state.clock.now();
    let user_agent: Option<String> = ctx.user_agent().map(|ua| ua.chars().take(256).collect());
    let claimed = state
        .store
        .claim_handoff(
            row.id,
            &hash_token(&key.0),
            user_agent.as_deref(),
            ctx.ip(),
            now,
            now + ANSWER_SECONDS,
        )
        .await?;
    if !claimed {
        return Ok(None);
    }
    let details = json!({
        "ticket": row.id,
        "from_session": row.source_session,
        "to_device": device_words(ctx.user_agent()),
    });
    // Recorded as the customer's act, from the opening device's address
    // and browser (the request context's): only the link's holder could.
    let customer = CustomerId(row.customer_id.ok_or_else(no_source)?);
    let ctx = ctx.acting_as(Caller::Customer(customer));
    audit::record(state, &ctx, Action::HandoffOpened, Some(customer), details).await?;
    Ok(Some(key))
}

/// Where the ticket this browser claimed stands; once its source has
/// confirmed, spends it (once) and signs this device in through the
/// journey, which may still ask for a second factor here.
pub async fn at_target(
    state: &AppState,
    ctx: &RequestContext,
    claim: &ClaimKey,
    held: Option<&AttemptKey>,
) -> Result<AtTarget> {
    let now = state.clock.now();
    let digest = hash_token(&claim.0);
    let Some(row) = state.store.handoff(HandoffKey::Claim(&digest), now).await? else {
        return Ok(AtTarget::Gone);
    };
    match row.answer.as_deref() {
        None => {
            return Ok(AtTarget::Waiting {
                match_code: row.match_code,
                from: device_words(row.source_user_agent.as_deref()),
            });
        }
        Some("confirmed") => {}
        Some(_) => return Ok(AtTarget::Refused),
    }
    if !state.store.use_handoff(row.id, &digest, now).await? {
        return Ok(AtTarget::Gone);
    }
    let purpose: Purpose =
        serde_json::from_str(&row.purpose).map_err(|e| Error::Internal(e.into()))?;
    let input = Input::Handoff {
        customer: CustomerId(row.customer_id.ok_or_else(no_source)?),
        source: row.source_session.ok_or_else(no_source)?,
        proof: Proof::from_amr(row.source_amr.as_deref().unwrap_or_default()),
        mfa_at: row.source_mfa_at,
        shared_screen: row.direction == Direction::Pull.as_str(),
    };
    let advanced = signin::advance(state, ctx, Realm::Customers, held, purpose, input).await?;
    if let Some(signin::Began::Customer { session, .. }) = &advanced.began {
        state.store.handoff_began(row.id, *session).await?;
    }
    Ok(AtTarget::Continued(advanced))
}

/// The live ticket `secret` names, with the lookup counted against this
/// address: a wrong or stale secret counts as a failed guess.
async fn guarded_lookup(
    state: &AppState,
    ctx: &RequestContext,
    secret: &str,
    direction: Direction,
) -> Result<Option<HandoffRow>> {
    let key = format!("handoff:{}", ctx.ip().unwrap_or("unknown"));
    // Keyed by the address itself, so no account-wide ceiling is needed.
    let attempt = throttle::reserve(state, &key, ctx.ip(), true).await??;
    let found = if crate::domain::secrets::looks_like_token(secret) {
        state
            .store
            .handoff(HandoffKey::Secret(&hash_token(secret)), state.clock.now())
            .await
    } else {
        Ok(None)
    };
    // A screen's ticket is no laptop's link, nor the other way round.
    let found = found.map(|row| row.filter(|r| r.direction == direction.as_str()));
    match found {
        Ok(Some(row)) => {
            attempt.succeeded(state).await?;
            Ok(Some(row))
        }
        Ok(None) => {
            attempt.failed(state).await?;
            Ok(None)
        }
        Err(e) => {
            attempt.give_back(state).await?;
            Err(e.into())
        }
    }
}

/// Tickets that expired unanswered are recorded as such when the clean-up
/// deletes them; how many were deleted.
pub async fn expire(state: &AppState) -> Result<usize> {
    let expired = state.store.purge_handoffs(state.clock.now()).await?;
    let ctx = RequestContext::system();
    for ticket in &expired {
        // Answered ones are on the record already; a screen's code that
        // no phone answered belongs to nobody.
        let Some(customer) = ticket.customer_id.filter(|_| ticket.answer.is_none()) else {
            continue;
        };
        let details = json!({
            "ticket": ticket.id,
            "from_session": ticket.source_session,
            "opened": ticket.claimed_at.is_some(),
        });
        let customer = Some(CustomerId(customer));
        audit::record(state, &ctx, Action::HandoffExpired, customer, details).await?;
    }
    Ok(expired.len())
}

/// Which way a ticket hands a session: pushed by the signed-in device, or
/// pulled by a shared screen.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Direction {
    Push,
    Pull,
}

impl Direction {
    fn as_str(self) -> &'static str {
        match self {
            Self::Push => "push",
            Self::Pull => "pull",
        }
    }
}

/// A confirmed ticket always has its source; one without is a fault.
fn no_source() -> Error {
    Error::Internal(anyhow::anyhow!("handoff ticket without its source"))
}

/// A shared screen's ticket, as the screen keeps it: the offer it shows
/// and its claim on it.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ScreenOffer {
    pub offer: Offer,
    pub claim: ClaimKey,
}

/// A shared screen asks to be signed in from a phone: a ticket the screen
/// itself holds the claim to. Screens behind one address offer at most
/// `OFFERS_PER_ADDRESS` in ten minutes.
pub async fn offer_screen(state: &AppState, ctx: &RequestContext) -> Result<ScreenOffer> {
    let key = format!("handoff-screen-ip:{}", ctx.ip().unwrap_or("unknown"));
    reserve_offer(state, &key, OFFERS_PER_ADDRESS).await?;
    let now = state.clock.now();
    let offer = Offer::new();
    let claim = ClaimKey(random_string());
    let purpose =
        serde_json::to_string(&Purpose::Account).map_err(|e| Error::Internal(e.into()))?;
    let user_agent: Option<String> = ctx.user_agent().map(|ua| ua.chars().take(256).collect());
    state
        .store
        .insert_handoff(&NewHandoff {
            id: offer.id,
            digest: &hash_token(&offer.secret),
            source: None,
            claimant: Some(Claimant {
                digest: &hash_token(&claim.0),
                user_agent: user_agent.as_deref(),
                ip: ctx.ip(),
            }),
            match_code: &offer.match_code,
            purpose: &purpose,
            now,
            expires_at: now + OPEN_SECONDS + ANSWER_SECONDS,
        })
        .await?;
    Ok(ScreenOffer { offer, claim })
}

/// A screen's ticket as the signed-in phone that opened it sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScreenAsks {
    /// Waiting for this phone's answer: the screen, and where it is.
    Open {
        match_code: String,
        screen: String,
        ip: Option<String>,
    },
    /// Answered already, expired, or no screen's.
    Gone,
}

/// The signed-in phone opens a screen's link (guesses held back as on
/// every ticket).
pub async fn screen_asks(
    state: &AppState,
    ctx: &RequestContext,
    secret: &str,
) -> Result<ScreenAsks> {
    Ok(
        match guarded_lookup(state, ctx, secret, Direction::Pull).await? {
            Some(row) if row.answer.is_none() => ScreenAsks::Open {
                match_code: row.match_code,
                screen: device_words(row.claimed_user_agent.as_deref()),
                ip: row.claimed_ip,
            },
            _ => ScreenAsks::Gone,
        },
    )
}

/// The signed-in phone answers a screen's ticket: confirm signs the
/// screen in (for the configured minutes) as this customer. False when
/// there was nothing to answer.
pub async fn answer_screen(
    state: &AppState,
    ctx: &RequestContext,
    signed_in: &SignedIn,
    secret: &str,
    confirm: bool,
) -> Result<bool> {
    let Some(row) = guarded_lookup(state, ctx, secret, Direction::Pull).await? else {
        return Ok(false);
    };
    let (customer, session) = (signed_in.customer.id.0, signed_in.session_id);
    let now = state.clock.now();
    if !state
        .store
        .answer_pulled_handoff(row.id, customer, session, confirm, now)
        .await?
    {
        return Ok(false);
    }
    record_answer(state, ctx, signed_in, &row, confirm).await?;
    Ok(true)
}

/// The source's answer to ticket `row`, on the audit trail.
async fn record_answer(
    state: &AppState,
    ctx: &RequestContext,
    signed_in: &SignedIn,
    row: &HandoffRow,
    confirm: bool,
) -> Result<()> {
    let action = if confirm {
        Action::HandoffConfirmed
    } else {
        Action::HandoffRefused
    };
    let details = json!({
        "ticket": row.id,
        "from_session": signed_in.session_id,
        "to_device": device_words(row.claimed_user_agent.as_deref()),
        "to_ip": row.claimed_ip,
        "shared_screen": row.direction == Direction::Pull.as_str(),
    });
    audit::record(state, ctx, action, Some(signed_in.customer.id), details).await
}
