//! What a sign-in asks next: a pure function of the account as it is now
//! (`Facts`) and what the attempt has proven so far. No database and no
//! web here, so every rule is in the table of tests below, and every way
//! in (password, passkey, emailed link, invitation, code, enrolment) is
//! held to the same rules.

use super::Realm;
use super::attempt::{Proven, Purpose};
use crate::domain::mfa::{FactorKind, MfaPolicy};

/// What is known about the account when its attempt advances.
#[derive(Clone, Debug)]
pub struct Facts {
    pub realm: Realm,
    pub disabled: bool,
    /// The MFA policy that applies now (a customer's tier's, else the
    /// global one; admins always need a second factor).
    pub policy: MfaPolicy,
    /// The kinds of factor the account holds (apps and passkeys).
    pub held: Vec<FactorKind>,
    /// This browser was remembered after a second factor, within the days
    /// the policy allows.
    pub remembered: bool,
}

/// The one next step of a sign-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Show a factor held, of a kind `accepted` takes. `before_enrol`: the
    /// policy now wants a kind the account does not hold, and a held one
    /// proves it is them before a new one is bound.
    SecondFactor {
        accepted: MfaPolicy,
        before_enrol: bool,
    },
    /// Set up a factor of a kind `accepted` takes.
    Enrol {
        accepted: MfaPolicy,
    },
    /// Signed in; the organisation's required details first, then on to
    /// what the sign-in was for.
    CompleteProfile(Purpose),
    /// Signed in: on to what the sign-in was for.
    Done(Purpose),
    Refused(Refusal),
    /// Too many failures (of the password, or of the second factor): try
    /// again after this many seconds.
    HeldBack {
        retry_after: i64,
        second_factor: bool,
    },
}

/// Why a sign-in did not go on.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Wrong email or password (the same for an email nobody has).
    Credentials,
    /// A wrong, used or expired code or passkey answer; the attempt still
    /// waits for a right one.
    Factor,
    /// The account is disabled.
    Disabled,
    /// No attempt waits: never begun, timed out, or finished elsewhere.
    Expired,
    /// Not this attempt's step (a new factor before a held one is proven,
    /// a code where a factor must be set up).
    OutOfStep,
}

/// The next step for an attempt whose `proofs` hold, for `purpose`.
pub fn decide(facts: &Facts, proofs: &[Proven], purpose: &Purpose) -> Step {
    if facts.disabled {
        return Step::Refused(Refusal::Disabled);
    }
    let Some((first, later)) = proofs.split_first() else {
        return Step::Refused(Refusal::Expired);
    };
    // A handoff is judged as what its source proved, no more.
    let (first, inherited) = first.as_first();
    let first = &first;
    let shown: Vec<FactorKind> = inherited
        .into_iter()
        .chain(later.iter().filter_map(|p| p.factor()))
        .collect();
    let done = Step::Done(purpose.clone());
    if facts.realm == Realm::Admins {
        // Admins always show a second factor; one without sets it up.
        return if facts.held.is_empty() {
            Step::Enrol {
                accepted: MfaPolicy::Required,
            }
        } else if shown.is_empty() {
            Step::SecondFactor {
                accepted: MfaPolicy::Required,
                before_enrol: false,
            }
        } else {
            done
        };
    }
    // A verified passkey is two factors in one, and phishing-resistant.
    if *first == Proven::Passkey || facts.policy == MfaPolicy::Off {
        return done;
    }
    if shown.iter().any(|k| facts.policy.accepts(*k)) {
        return done;
    }
    if !facts.held.iter().any(|k| facts.policy.accepts(*k)) {
        if !facts.policy.enrolment_required() {
            return done;
        }
        // A first factor alone binds a new authenticator only to an
        // account that has none: a stolen password never adds one.
        return if facts.held.is_empty() || !shown.is_empty() {
            Step::Enrol {
                accepted: facts.policy,
            }
        } else {
            Step::SecondFactor {
                accepted: MfaPolicy::Required,
                before_enrol: true,
            }
        };
    }
    if facts.remembered {
        return done;
    }
    Step::SecondFactor {
        accepted: facts.policy,
        before_enrol: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use FactorKind::{Passkey as PasskeyF, Totp};
    use MfaPolicy::{Off, Optional, PhishingResistant, Required};
    use Proven::{EmailLink, Passkey, Password, RecoveryCode};

    fn customer(policy: MfaPolicy, held: &[FactorKind]) -> Facts {
        Facts {
            realm: Realm::Customers,
            disabled: false,
            policy,
            held: held.to_vec(),
            remembered: false,
        }
    }

    fn admin(held: &[FactorKind]) -> Facts {
        Facts {
            realm: Realm::Admins,
            policy: Required,
            ..customer(Required, held)
        }
    }

    const DONE: Step = Step::Done(Purpose::Account);

    fn second(accepted: MfaPolicy) -> Step {
        Step::SecondFactor {
            accepted,
            before_enrol: false,
        }
    }

    fn enrol(accepted: MfaPolicy) -> Step {
        Step::Enrol { accepted }
    }

    const PROVE_HELD: Step = Step::SecondFactor {
        accepted: Required,
        before_enrol: true,
    };

    #[test]
    fn every_policy_factors_and_proofs() {
        let cases: Vec<(Facts, Vec<Proven>, Step)> = vec![
            // Off: the first factor is enough, whatever is held.
            (customer(Off, &[Totp]), vec![Password], DONE),
            // Optional: asked only of those with a factor.
            (customer(Optional, &[]), vec![Password], DONE),
            (
                customer(Optional, &[Totp]),
                vec![Password],
                second(Optional),
            ),
            (
                customer(Optional, &[Totp]),
                vec![Password, Proven::Totp],
                DONE,
            ),
            (
                customer(Optional, &[Totp]),
                vec![Password, RecoveryCode],
                DONE,
            ),
            // Required: a factor is shown, or set up by those with none.
            (customer(Required, &[]), vec![Password], enrol(Required)),
            (customer(Required, &[]), vec![EmailLink], enrol(Required)),
            (
                customer(Required, &[Totp]),
                vec![Password],
                second(Required),
            ),
            (
                customer(Required, &[Totp]),
                vec![Password, Proven::Totp],
                DONE,
            ),
            // After enrolling, the new factor counts as shown.
            (
                customer(Required, &[Totp]),
                vec![Password, Proven::Totp],
                DONE,
            ),
            // A passkey alone is multi-factor.
            (customer(Required, &[PasskeyF]), vec![Passkey], DONE),
            (
                customer(PhishingResistant, &[PasskeyF]),
                vec![Passkey],
                DONE,
            ),
            // Phishing-resistant: only a passkey counts as the second step.
            (
                customer(PhishingResistant, &[PasskeyF, Totp]),
                vec![Password],
                second(PhishingResistant),
            ),
            (
                customer(PhishingResistant, &[PasskeyF, Totp]),
                vec![Password, Proven::Totp],
                second(PhishingResistant),
            ),
            (
                customer(PhishingResistant, &[PasskeyF]),
                vec![Password, Passkey],
                DONE,
            ),
            // No factor at all: set up a passkey after the password.
            (
                customer(PhishingResistant, &[]),
                vec![Password],
                enrol(PhishingResistant),
            ),
            // Only an app held: prove it, then set up a passkey.
            (
                customer(PhishingResistant, &[Totp]),
                vec![Password],
                PROVE_HELD,
            ),
            (
                customer(PhishingResistant, &[Totp]),
                vec![Password, Proven::Totp],
                enrol(PhishingResistant),
            ),
            (
                customer(PhishingResistant, &[Totp]),
                vec![Password, RecoveryCode],
                enrol(PhishingResistant),
            ),
            (
                customer(PhishingResistant, &[Totp, PasskeyF]),
                vec![Password, Proven::Totp, Passkey],
                DONE,
            ),
            // Admins: always a second factor; set up only when none held.
            (admin(&[]), vec![Password], enrol(Required)),
            (admin(&[Totp]), vec![Password], second(Required)),
            (
                admin(&[PasskeyF]),
                vec![Password, Passkey],
                Step::Done(Purpose::Account),
            ),
            (admin(&[Totp]), vec![Password, Proven::Totp], DONE),
        ];
        for (i, (facts, proofs, want)) in cases.into_iter().enumerate() {
            let got = decide(&facts, &proofs, &Purpose::Account);
            assert_eq!(got, want, "case {i}: {facts:?} {proofs:?}");
        }
    }

    #[test]
    fn a_handoff_is_as_strong_as_its_source_and_no_stronger() {
        use crate::identity::sessions::{AuthMethod, Proof};
        let from = |first, second| Proven::Handoff {
            source: uuid::Uuid::nil(),
            proof: Proof { first, second },
            mfa_at: None,
            shared_screen: false,
        };
        let pwd = from(AuthMethod::Password, None);
        let pwd_otp = from(AuthMethod::Password, Some(Totp));
        let pwd_hwk = from(AuthMethod::Password, Some(PasskeyF));
        let hwk = from(AuthMethod::Passkey, None);
        let cases: Vec<(Facts, Vec<Proven>, Step)> = vec![
            (customer(Off, &[Totp]), vec![pwd], DONE),
            (customer(Optional, &[]), vec![pwd], DONE),
            // The source showed no second factor: this device is asked.
            (customer(Optional, &[Totp]), vec![pwd], second(Optional)),
            (customer(Required, &[Totp]), vec![pwd], second(Required)),
            (customer(Required, &[]), vec![pwd], enrol(Required)),
            // The source's factor carries over.
            (customer(Required, &[Totp]), vec![pwd_otp], DONE),
            (customer(Required, &[PasskeyF]), vec![hwk], DONE),
            // An app's code is not enough where a passkey is required:
            // this device shows one.
            (
                customer(PhishingResistant, &[PasskeyF, Totp]),
                vec![pwd_otp],
                second(PhishingResistant),
            ),
            (
                customer(PhishingResistant, &[PasskeyF, Totp]),
                vec![pwd_otp, Passkey],
                DONE,
            ),
            (
                customer(PhishingResistant, &[PasskeyF]),
                vec![pwd_hwk],
                DONE,
            ),
            (customer(PhishingResistant, &[PasskeyF]), vec![hwk], DONE),
            // With only an app held and a passkey wanted, the carried code
            // counts as the held factor proven: set one up here.
            (
                customer(PhishingResistant, &[Totp]),
                vec![pwd_otp],
                enrol(PhishingResistant),
            ),
        ];
        for (i, (facts, proofs, want)) in cases.into_iter().enumerate() {
            let got = decide(&facts, &proofs, &Purpose::Account);
            assert_eq!(got, want, "case {i}: {facts:?} {proofs:?}");
        }
        // Never the remembered-browser shortcut: this device was not remembered.
        let mut disabled = customer(Optional, &[]);
        disabled.disabled = true;
        assert_eq!(
            decide(&disabled, &[pwd_otp], &Purpose::Account),
            Step::Refused(Refusal::Disabled)
        );
    }

    #[test]
    fn a_remembered_browser_skips_the_second_factor_only() {
        let mut facts = customer(Required, &[Totp]);
        facts.remembered = true;
        assert_eq!(decide(&facts, &[Password], &Purpose::Account), DONE);
        // Remembering never lets a customer without a factor skip enrolling.
        let mut none = customer(Required, &[]);
        none.remembered = true;
        assert_eq!(
            decide(&none, &[Password], &Purpose::Account),
            enrol(Required)
        );
    }

    #[test]
    fn disabled_and_empty_attempts_are_refused_on_every_path() {
        for proofs in [vec![Password], vec![Passkey], vec![EmailLink, Proven::Totp]] {
            let mut facts = customer(Optional, &[Totp]);
            facts.disabled = true;
            assert_eq!(
                decide(&facts, &proofs, &Purpose::Account),
                Step::Refused(Refusal::Disabled)
            );
        }
        let facts = customer(Off, &[]);
        assert_eq!(
            decide(&facts, &[], &Purpose::Account),
            Step::Refused(Refusal::Expired)
        );
    }

    #[test]
    fn done_goes_on_to_what_the_sign_in_was_for() {
        let facts = customer(Off, &[]);
        for purpose in [
            Purpose::Account,
            Purpose::Console,
            Purpose::Authorization("r1".into()),
            Purpose::Device("ABCD-EFGH".into()),
        ] {
            assert_eq!(
                decide(&facts, &[Password], &purpose),
                Step::Done(purpose.clone())
            );
        }
    }
}
