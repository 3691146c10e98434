//! Signed-in devices in words: which browser on which system, and how the
//! session began, the same on the customer's device list and the console.

use crate::config::Places;
use crate::domain::device_words;
use crate::identity::sessions::SessionInfo;
use app::components::DeviceRow;
use uuid::Uuid;

/// How a session began, from its `amr` values (RFC 8176): "Password and
/// one-time code", "Passkey", "Email link".
pub fn began_words(amr: &str) -> String {
    let values: Vec<&str> = amr.split_whitespace().collect();
    let first = match values.first().copied() {
        Some("pwd") => "Password",
        Some("hwk") => "Passkey",
        Some("email") => "Email link",
        _ => return "Unknown".into(),
    };
    let second = match values.get(1).copied() {
        Some("otp") => Some("one-time code"),
        Some("hwk") => Some("passkey"),
        _ => None,
    };
    match second {
        Some(second) => format!("{first} and {second}"),
        None => first.into(),
    }
}

/// An address in words: the address, and the place it is near when the
/// operator supplies a places database.
pub fn source_words(ip: Option<&str>, places: &Places) -> String {
    match ip {
        None => "unknown".to_string(),
        Some(ip) => match places.of(ip) {
            Some(place) => format!("{ip} (near {place})"),
            None => ip.to_string(),
        },
    }
}

/// A session as every device list shows it, its dates written by `when`
/// and its address placed by `places`; `current` is the session of the
/// browser looking, `all` the customer's sessions (a handed-off one is
/// named by the device it came from, while that is still signed in).
pub fn device_row(
    session: &SessionInfo,
    current: Option<Uuid>,
    when: impl Fn(i64) -> String,
    places: &Places,
    all: &[SessionInfo],
) -> DeviceRow {
    let handed_off_from = session.handed_off_from.map(|from| {
        all.iter()
            .find(|s| s.id == from)
            .map(|s| device_words(s.user_agent.as_deref()))
            .unwrap_or_else(|| "another device".to_string())
    });
    DeviceRow {
        id: session.id.to_string(),
        device: device_words(session.user_agent.as_deref()),
        began: match (&handed_off_from, session.shared_screen) {
            (Some(from), true) => format!("Handoff from {from} (shared screen)"),
            (Some(from), false) => format!("Handoff from {from}"),
            (None, _) => began_words(&session.amr),
        },
        shared_until: session.shared_screen.then(|| when(session.expires_at)),
        handed_off_from,
        started: when(session.created_at),
        last_seen: when(session.last_seen_at),
        source: source_words(session.ip.as_deref(), places),
        current: current == Some(session.id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn how_a_session_began() {
        assert_eq!(began_words("pwd"), "Password");
        assert_eq!(began_words("pwd otp mfa"), "Password and one-time code");
        assert_eq!(began_words("pwd hwk mfa"), "Password and passkey");
        assert_eq!(began_words("hwk mfa"), "Passkey");
        assert_eq!(began_words("email"), "Email link");
        assert_eq!(began_words(""), "Unknown");
    }
}
