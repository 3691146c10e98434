//! Membership tiers and the history of customers moving between them.

use super::{AdminId, CustomerId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TierId(pub Uuid);

impl std::fmt::Display for TierId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tier {
    pub id: TierId,
    /// Stable, URL- and token-safe name (`gold`).
    pub slug: String,
    pub name: String,
    /// Order among tiers: higher is better.
    pub rank: i64,
    pub description: String,
    /// `#rrggbb`.
    pub colour: String,
    /// Free-form capabilities (`priority-support`), later published as claims.
    pub entitlements: Vec<String>,
    pub is_default: bool,
    /// Where customers go when their time in this tier ends.
    pub fallback: Option<TierId>,
    pub grace_days: i64,
    pub archived: bool,
}

/// How a customer came to change tier.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ChangeSource {
    Admin,
    Bulk,
    Import,
    Expiry,
}

impl ChangeSource {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "admin" => Some(Self::Admin),
            "bulk" => Some(Self::Bulk),
            "import" => Some(Self::Import),
            "expiry" => Some(Self::Expiry),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Bulk => "bulk",
            Self::Import => "import",
            Self::Expiry => "expiry",
        }
    }
}

/// One move of one customer, as the history keeps it.
#[derive(Clone, Debug)]
pub struct TierChange {
    pub customer: CustomerId,
    pub from: Option<TierId>,
    pub to: TierId,
    pub source: ChangeSource,
    pub actor: Option<AdminId>,
    pub reason: String,
    /// The new assignment's end, if it has one.
    pub expires_at: Option<i64>,
    pub at: i64,
}
