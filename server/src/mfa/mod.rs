//! Second factors (passkeys, TOTP, recovery codes) and the MFA policy that
//! tiers set. The room is ready; the factors arrive with the MFA issue, and
//! sign-in's next step (`identity::signin`) is where they are asked for.
