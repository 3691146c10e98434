//! One codec for every keyset page: where a page ended (its last row's sort
//! key) as a link carries it, tagged with the kind of key, in URL-safe
//! base64 so it is opaque to whoever reads the link. Reading one back checks
//! its kind and number of parts; anything else is not a cursor.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::fmt::Display;

/// `parts` of a sort key of `kind`. Only the last part may contain a dot
/// (an email address does).
pub fn encode(kind: &str, parts: &[&dyn Display]) -> String {
    let mut raw = kind.to_string();
    for part in parts {
        raw.push('.');
        raw.push_str(&part.to_string());
    }
    URL_SAFE_NO_PAD.encode(raw)
}

/// The `N` parts of a key `encode` made with `kind`; `None` for anything else.
pub fn decode<const N: usize>(encoded: &str, kind: &str) -> Option<[String; N]> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(encoded).ok()?).ok()?;
    let rest = raw.strip_prefix(kind)?.strip_prefix('.')?;
    let parts: Vec<String> = rest.splitn(N, '.').map(str::to_string).collect();
    parts.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_back_as_written_and_only_as_their_kind() {
        let key = encode(
            "c",
            &[&1_700_000_000, &"01890a5d-ac96-774b-bcce-b302099a8057"],
        );
        assert_eq!(
            decode::<2>(&key, "c"),
            Some([
                "1700000000".into(),
                "01890a5d-ac96-774b-bcce-b302099a8057".into()
            ])
        );
        assert_eq!(decode::<2>(&key, "l"), None);
        assert_eq!(decode::<3>(&key, "c"), None);
        let email = encode("e", &[&"a.b@example.com"]);
        assert_eq!(decode::<1>(&email, "e"), Some(["a.b@example.com".into()]));
        assert_eq!(decode::<1>("not base64!", "e"), None);
    }
}
