//! Signing in: one journey for customers and admins. A sign-in attempt
//! records the realm, who is signing in, what for, and what they have
//! proven; `advance` takes the next thing the person did and returns the
//! one next step (a second factor, setting one up, the profile, held
//! back, refused, or done). The rules are a pure function (`decide`);
//! this module verifies each input, then applies the decision's effects
//! in one place: the throttle, the audit trail, the disabled check, the
//! stored attempt and the session a finished attempt begins.
//!
//! Every way in goes through here: a password, a passkey alone, the link
//! mailed at sign-up, an accepted admin invitation, then a code, a
//! passkey or a factor set up. The customer and admin realms differ in
//! data (tables, policy, where "done" leads), not in code paths.

mod attempt;
mod decide;
mod facts;
mod password;

pub use crate::throttle::{Realm, account_key};
pub use attempt::{AttemptKey, Proven, Purpose};
pub use decide::{Facts, Refusal, Step};

use super::sessions;
use crate::audit;
use crate::directory::attributes;
use crate::domain::mfa::{EffectiveMfa, FactorKind, MfaPolicy, MfaProblem};
use crate::domain::{Action, Admin, Caller, Customer, CustomerId, Error, RequestContext, Result};
use crate::mfa::check::{self, Checked};
use crate::mfa::passkeys::{self, Ceremony};
use crate::password::Password;
use crate::state::AppState;
use crate::store::FactorOwner;
use attempt::{Attempt, beginning, session_proof};
use facts::facts;
use serde_json::json;
use uuid::Uuid;

/// What a sign-in form sends.
pub struct Credentials {
    pub email: String,
    pub password: Password,
    /// The token of this browser's "remember me" cookie, if it has one:
    /// a remembered browser skips the second factor while the policy allows.
    pub remembered: Option<String>,
}

/// What the person just did.
pub enum Input<'a> {
    /// Typed an email and password (begins an attempt).
    Password(Credentials),
    /// Answered a passkey sign-in: the passkey names the account (begins
    /// an attempt).
    PasskeyAlone {
        ceremony: Option<Ceremony>,
        answer: &'a str,
    },
    /// Followed the link mailed at sign-up, in the browser that signed up
    /// (begins an attempt; the link is checked by `verification`).
    EmailLink(CustomerId),
    /// Accepted an admin invitation and chose a password (begins an
    /// attempt; the invitation is checked by `directory::admins`).
    Invitation(Admin),
    /// Opened a handoff ticket that the customer's signed-in device then
    /// confirmed (begins an attempt; the ticket is checked and spent by
    /// `identity::handoff`).
    Handoff {
        customer: CustomerId,
        /// The confirming session, what it had proven, and when it last
        /// showed a second factor.
        source: Uuid,
        proof: sessions::Proof,
        mfa_at: Option<i64>,
        /// The device is a shared screen: a short session.
        shared_screen: bool,
    },
    /// Typed a code as the second factor: an app's, or a recovery code.
    Code(&'a str),
    /// Answered a passkey challenge as the second factor.
    Passkey {
        ceremony: Option<Ceremony>,
        answer: &'a str,
    },
    /// Set up a factor while the attempt asked for one (the new factor's id).
    Enrolled(Uuid),
}

/// The signed-in session a finished attempt began.
#[derive(Clone, Debug)]
pub enum Began {
    Customer { id: CustomerId, session: Uuid },
    Admin(Admin),
}

/// What an input led to.
#[derive(Debug)]
pub struct Advanced {
    pub step: Step,
    /// The attempt the browser keeps for its next input, while it waits.
    pub waiting: Option<AttemptKey>,
    /// The session begun, when the attempt is done.
    pub began: Option<Began>,
}

impl Advanced {
    fn only(step: Step) -> Self {
        Self {
            step,
            waiting: None,
            began: None,
        }
    }
}

/// The account an attempt is for.
#[derive(Clone, Debug)]
pub enum Account {
    Customer(Customer),
    Admin(Admin),
}

impl Account {
    pub fn owner(&self) -> FactorOwner {
        match self {
            Self::Customer(c) => FactorOwner::Customer(c.id),
            Self::Admin(a) => FactorOwner::Admin(a.id),
        }
    }

    /// Acting as the account, for the audit trail.
    pub fn caller(&self) -> Caller {
        match self {
            Self::Customer(c) => Caller::Customer(c.id),
            Self::Admin(a) => Caller::Admin(a.clone()),
        }
    }

    /// Its id, email and name, as a new passkey records them.
    pub fn passkey_user(&self) -> (Uuid, &str, &str) {
        match self {
            Self::Customer(c) => (c.id.0, c.email.as_str(), c.display_name.as_str()),
            Self::Admin(a) => (a.id.0, a.email.as_str(), a.display_name.as_str()),
        }
    }

    pub fn email(&self) -> &str {
        self.passkey_user().1
    }
}

/// An attempt waiting for its next input, as its page shows it.
pub struct Waiting {
    pub account: Account,
    pub step: Step,
    /// The kinds of factor the account holds.
    pub held: Vec<FactorKind>,
    /// The policy that applies (remembering, for customers).
    pub mfa: Option<EffectiveMfa>,
}

/// Advances the sign-in with `input`. `held`: the attempt this browser
/// keeps, if any; `purpose`: what a new attempt is for.
pub async fn advance(
    state: &AppState,
    ctx: &RequestContext,
    realm: Realm,
    held: Option<&AttemptKey>,
    purpose: Purpose,
    input: Input<'_>,
) -> Result<Advanced> {
    let now = state.clock.now();
    let (attempt, remembered) = match input {
        Input::Password(credentials) => {
            let password = credentials.password;
            match password::check(state, ctx, realm, &credentials.email, password).await? {
                password::Checked::Valid(id) => {
                    let attempt = Attempt::begin(realm, id, purpose, Proven::Password, now);
                    (attempt, credentials.remembered)
                }
                password::Checked::Rejected => {
                    return Ok(Advanced::only(Step::Refused(Refusal::Credentials)));
                }
                password::Checked::Locked(retry_after) => {
                    return Ok(Advanced::only(Step::HeldBack {
                        retry_after,
                        second_factor: false,
                    }));
                }
            }
        }
        Input::PasskeyAlone { ceremony, answer } => {
            let owner = passkeys::sign_in(state, ceremony, answer).await?;
            // A passkey opens an account of the realm it was asked for.
            let id = match (realm, owner) {
                (Realm::Customers, FactorOwner::Customer(id)) => id.0,
                (Realm::Admins, FactorOwner::Admin(id)) => id.0,
                _ => return Err(Error::invalid("passkey", MfaProblem::PasskeyRefused)),
            };
            (
                Attempt::begin(realm, id, purpose, Proven::Passkey, now),
                None,
            )
        }
        Input::EmailLink(id) => {
            let attempt = Attempt::begin(Realm::Customers, id.0, purpose, Proven::EmailLink, now);
            (attempt, None)
        }
        Input::Handoff {
            customer,
            source,
            proof,
            mfa_at,
            shared_screen,
        } => {
            let first = Proven::Handoff {
                source,
                proof,
                mfa_at,
                shared_screen,
            };
            let attempt = Attempt::begin(Realm::Customers, customer.0, purpose, first, now);
            (attempt, None)
        }
        Input::Invitation(admin) => {
            let attempt = Attempt::begin(
                Realm::Admins,
                admin.id.0,
                Purpose::Console,
                Proven::Password,
                now,
            );
            (attempt, None)
        }
        later => {
            let Some(mut attempt) = load(state, realm, held).await? else {
                return Ok(Advanced::only(Step::Refused(Refusal::Expired)));
            };
            // A factor just set up is judged by the step before it was.
            let new_factor = match &later {
                Input::Enrolled(id) => Some(*id),
                _ => None,
            };
            let Some((account, facts)) = facts(state, &attempt, None, new_factor).await? else {
                attempt.forget(state).await?;
                return Ok(Advanced::only(Step::Refused(Refusal::Expired)));
            };
            let step = decide::decide(&facts, &attempt.proofs, &attempt.purpose);
            if step != Step::Refused(Refusal::Disabled) {
                let ctx = ctx.acting_as(account.caller());
                match prove(state, &ctx, &attempt, &account, &step, later).await? {
                    Ok(proven) => attempt.proofs.push(proven),
                    Err(step) => {
                        let waiting = attempt.key().cloned();
                        return Ok(Advanced {
                            step,
                            waiting,
                            began: None,
                        });
                    }
                }
            }
            (attempt, None)
        }
    };
    if let Some(held) = held.filter(|_| attempt.key().is_none()) {
        // A new attempt replaces the one this browser held.
        attempt::abandon(state, held).await?;
    }
    settle(state, ctx, attempt, remembered.as_deref()).await
}

async fn load(
    state: &AppState,
    realm: Realm,
    held: Option<&AttemptKey>,
) -> Result<Option<Attempt>> {
    match held {
        Some(key) => Attempt::load(state, realm, key).await,
        None => Ok(None),
    }
}

/// Checks a later input against the step the attempt is at: the proof it
/// adds, or the step to show instead (the attempt still waits).
async fn prove(
    state: &AppState,
    ctx: &RequestContext,
    attempt: &Attempt,
    account: &Account,
    step: &Step,
    input: Input<'_>,
) -> Result<std::result::Result<Proven, Step>> {
    let owner = account.owner();
    let out_of_step = Err(Step::Refused(Refusal::OutOfStep));
    Ok(match (input, step) {
        (Input::Code(raw), Step::SecondFactor { accepted, .. }) => {
            match check::code(state, ctx, owner, *accepted, raw).await? {
                Checked::Passed(kind) => Ok(Proven::of_factor(kind)),
                Checked::Wrong => Err(Step::Refused(Refusal::Factor)),
                Checked::Locked { seconds_left } => Err(Step::HeldBack {
                    retry_after: seconds_left,
                    second_factor: true,
                }),
            }
        }
        (Input::Passkey { ceremony, answer }, Step::SecondFactor { .. }) => {
            passkeys::verify(state, ctx, ceremony, owner, answer).await?;
            Ok(Proven::Passkey)
        }
        (Input::Enrolled(id), Step::Enrol { accepted }) => {
            // The factor this attempt just set up, of a kind the policy takes.
            let factors = state.store.factors(owner).await?;
            match factors.iter().find(|f| f.id == id) {
                Some(f) if f.created_at >= attempt.started_at && accepted.accepts(f.kind) => {
                    Ok(Proven::of_factor(f.kind))
                }
                _ => out_of_step,
            }
        }
        _ => out_of_step,
    })
}

/// Decides the attempt's next step from its proofs and the account as it
/// is now, and applies it: kept for the next input, refused, or done.
async fn settle(
    state: &AppState,
    ctx: &RequestContext,
    mut attempt: Attempt,
    remembered: Option<&str>,
) -> Result<Advanced> {
    let Some((account, facts)) = facts(state, &attempt, remembered, None).await? else {
        attempt.forget(state).await?;
        return Ok(Advanced::only(Step::Refused(Refusal::Expired)));
    };
    let ctx = ctx.acting_as(account.caller());
    match decide::decide(&facts, &attempt.proofs, &attempt.purpose) {
        Step::Done(purpose) => {
            // Finished once: a second request with the same attempt finds none.
            if !attempt.forget(state).await? {
                return Ok(Advanced::only(Step::Refused(Refusal::Expired)));
            }
            finish(state, &ctx, &attempt, account, purpose).await
        }
        step @ Step::Refused(Refusal::Disabled) => {
            attempt.forget(state).await?;
            let how = session_proof(&attempt.proofs).first.amr();
            let details = json!({ "reason": "disabled", "method": how });
            let id = CustomerId(attempt.subject);
            audit::record(
                state,
                &ctx,
                Action::CustomerSignInRefused,
                Some(id),
                details,
            )
            .await?;
            Ok(Advanced::only(step))
        }
        step => {
            if !attempt.save(state).await? {
                return Ok(Advanced::only(Step::Refused(Refusal::Expired)));
            }
            Ok(Advanced {
                step,
                waiting: attempt.key().cloned(),
                began: None,
            })
        }
    }
}

/// Everything proven: the session begins, on the record.
async fn finish(
    state: &AppState,
    ctx: &RequestContext,
    attempt: &Attempt,
    account: Account,
    purpose: Purpose,
) -> Result<Advanced> {
    let now = state.clock.now();
    match account {
        Account::Customer(customer) => {
            let beginning = beginning(&attempt.proofs, now);
            state
                .store
                .record_sign_in(customer.id, now, ctx.ip())
                .await?;
            let details = match beginning.handed_off_from {
                Some(source) => json!({ "amr": beginning.proof.amr(), "handed_off_from": source }),
                None => json!({ "amr": beginning.proof.amr() }),
            };
            audit::record(
                state,
                ctx,
                Action::CustomerSignedIn,
                Some(customer.id),
                details,
            )
            .await?;
            tracing::info!(customer_id = %customer.id, "customer signed in");
            let session = sessions::begin(state, &customer, ctx, beginning).await?;
            let missing = !attributes::missing_for(state, customer.id)
                .await?
                .is_empty();
            Ok(Advanced {
                step: if missing {
                    Step::CompleteProfile(purpose)
                } else {
                    Step::Done(purpose)
                },
                waiting: None,
                began: Some(Began::Customer {
                    id: customer.id,
                    session,
                }),
            })
        }
        Account::Admin(admin) => {
            state
                .store
                .record_admin_sign_in(admin.id, now, ctx.ip())
                .await?;
            audit::record(state, ctx, Action::AdminSignedIn, None, json!({})).await?;
            tracing::info!(admin_id = %admin.id, "admin signed in");
            Ok(Advanced {
                step: Step::Done(purpose),
                waiting: None,
                began: Some(Began::Admin(admin)),
            })
        }
    }
}

/// The attempt `held` names in `realm` while it waits for an input, with
/// its account and step; `None` when there is none (or it has ended).
pub async fn waiting(
    state: &AppState,
    realm: Realm,
    held: Option<&AttemptKey>,
) -> Result<Option<Waiting>> {
    let Some(attempt) = load(state, realm, held).await? else {
        return Ok(None);
    };
    let Some((account, facts)) = facts(state, &attempt, None, None).await? else {
        return Ok(None);
    };
    let step = decide::decide(&facts, &attempt.proofs, &attempt.purpose);
    if !matches!(step, Step::SecondFactor { .. } | Step::Enrol { .. }) {
        return Ok(None);
    }
    let mfa = match &account {
        Account::Customer(c) => Some(crate::mfa::policy::for_customer(state, c.id).await?),
        Account::Admin(_) => None,
    };
    Ok(Some(Waiting {
        account,
        step,
        held: facts.held,
        mfa,
    }))
}

/// The account whose attempt may set up a factor now: one at the
/// enrolment step (no factor held, or a held one just proven). Asked
/// before a new factor is bound; anything else is refused.
pub async fn enrolling(
    state: &AppState,
    realm: Realm,
    held: Option<&AttemptKey>,
) -> Result<(Account, MfaPolicy)> {
    match waiting(state, realm, held).await? {
        Some(Waiting {
            account,
            step: Step::Enrol { accepted },
            ..
        }) => Ok((account, accepted)),
        Some(Waiting {
            step: Step::SecondFactor {
                before_enrol: true, ..
            },
            ..
        }) => Err(Error::invalid("passkey", MfaProblem::HeldFactorFirst)),
        _ => Err(Error::invalid("passkey", MfaProblem::SignInExpired)),
    }
}
