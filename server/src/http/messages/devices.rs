//! Signed-in devices in words: which browser on which system, and how the
//! session began, the same on the customer's device list and the console.

use crate::config::Places;
use crate::domain::device_words;
use crate::identity::sessions::SessionInfo;
use app::Lang;
use app::components::DeviceRow;
use uuid::Uuid;

/// How a session began, from its `amr` values (RFC 8176), as it reads
/// inside a sentence: "password and one-time code", "passkey".
pub fn began_words(lang: Lang, amr: &str) -> String {
    let values: Vec<&str> = amr.split_whitespace().collect();
    lang.t(match (values.first().copied(), values.get(1).copied()) {
        (Some("pwd"), Some("otp")) => "began-password-code",
        (Some("pwd"), Some("hwk")) => "began-password-passkey",
        (Some("pwd"), _) => "began-password",
        (Some("hwk"), _) => "began-passkey",
        (Some("email"), _) => "began-email",
        _ => "began-unknown",
    })
}

/// An address in words: the address, and the place it is near when the
/// operator supplies a places database.
pub fn source_words(lang: Lang, ip: Option<&str>, places: &Places) -> String {
    match ip {
        None => lang.t("source-unknown"),
        Some(ip) => match places.of(ip) {
            Some(place) => lang.tf("source-near", &[("ip", ip.into()), ("place", place.into())]),
            None => ip.to_string(),
        },
    }
}

/// A session as every device list shows it, in `lang` (dates included);
/// `current` is the session of the browser looking, `all` the customer's
/// sessions (a handed-off one is named by the device it came from, while
/// that is still signed in) and `places` says where an address is.
pub fn device_row(
    lang: Lang,
    session: &SessionInfo,
    current: Option<Uuid>,
    places: &Places,
    all: &[SessionInfo],
) -> DeviceRow {
    let handed_off_from = session.handed_off_from.map(|from| {
        all.iter()
            .find(|s| s.id == from)
            .map(|s| device_words(s.user_agent.as_deref()))
            .unwrap_or_else(|| lang.t("device-another"))
    });
    let when = |unix| super::when(lang, unix);
    DeviceRow {
        id: session.id.to_string(),
        device: device_words(session.user_agent.as_deref()),
        began: began_words(lang, &session.amr),
        shared_until: session.shared_screen.then(|| when(session.expires_at)),
        handed_off_from,
        started: when(session.created_at),
        last_seen: when(session.last_seen_at),
        source: source_words(lang, session.ip.as_deref(), places),
        current: current == Some(session.id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn how_a_session_began() {
        let keys = [
            ("pwd", "began-password"),
            ("pwd otp mfa", "began-password-code"),
            ("pwd hwk mfa", "began-password-passkey"),
            ("hwk mfa", "began-passkey"),
            ("email", "began-email"),
            ("", "began-unknown"),
        ];
        for lang in Lang::ALL {
            for (amr, key) in keys {
                assert_eq!(began_words(lang, amr), lang.t(key), "{amr}");
            }
        }
        // Each way of beginning has words of its own.
        let words: std::collections::HashSet<_> = keys
            .iter()
            .map(|(amr, _)| began_words(Lang::De, amr))
            .collect();
        assert_eq!(words.len(), keys.len());
    }
}
