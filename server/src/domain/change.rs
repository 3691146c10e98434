//! What one instance tells the others it changed, so they drop what they
//! hold in memory or wake a job at once instead of at their next look.

/// A change other instances must hear about. Sent as a short text (a
/// PostgreSQL notification payload holds up to 8000 bytes; these are tens).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// An application's settings, state or secrets changed.
    Client(String),
    /// A signing key was added or retired.
    Keys,
    /// Mail was queued.
    Mail,
    /// A bulk tier change was started.
    TierMoves,
}

impl Change {
    /// The text sent between instances.
    pub fn to_payload(&self) -> String {
        match self {
            Self::Client(id) => format!("client:{id}"),
            Self::Keys => "keys".into(),
            Self::Mail => "mail".into(),
            Self::TierMoves => "tier_moves".into(),
        }
    }

    /// Reads a payload; `None` for one this version does not know (sent by
    /// a newer instance during an upgrade), which is then ignored.
    pub fn from_payload(payload: &str) -> Option<Self> {
        match payload {
            "keys" => Some(Self::Keys),
            "mail" => Some(Self::Mail),
            "tier_moves" => Some(Self::TierMoves),
            other => other
                .strip_prefix("client:")
                .filter(|id| !id.is_empty())
                .map(|id| Self::Client(id.to_string())),
        }
    }

    /// Its kind, for metrics labels (never the id).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Client(_) => "client",
            Self::Keys => "keys",
            Self::Mail => "mail",
            Self::TierMoves => "tier_moves",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Change;

    #[test]
    fn payloads_read_back_as_what_was_sent() {
        for change in [
            Change::Client("web-shop_1".into()),
            Change::Keys,
            Change::Mail,
            Change::TierMoves,
        ] {
            assert_eq!(Change::from_payload(&change.to_payload()), Some(change));
        }
        assert_eq!(Change::from_payload("client:"), None);
        assert_eq!(Change::from_payload("reboot"), None);
    }
}
