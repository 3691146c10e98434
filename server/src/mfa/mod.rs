//! Second factors and the MFA policy tiers set.
//!
//! - `totp`: authenticator apps (setup with a QR code, codes accepted once);
//! - `passkeys`: WebAuthn with webauthn-rs, as a second factor or alone;
//! - `recovery`: ten single-use codes, stored hashed;
//! - `check`: a code typed at sign-in's second step or a step-up, throttled
//!   like passwords and audited;
//! - `enrol`: adding and removing factors, new recovery codes, an admin's
//!   reset, and the step-up window sensitive actions require;
//! - `policy`: the global policy and each tier's, and who is covered.
//!
//! What the policy asks after the first factor is decided by sign-in
//! itself (`identity::second_step`), so every way in asks for it.

pub mod check;
pub mod enrol;
pub mod passkeys;
pub mod policy;
pub mod recovery;
pub mod totp;
