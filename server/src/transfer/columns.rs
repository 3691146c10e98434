//! What customers move in and out as, defined once for export and import:
//! the file formats and the columns.

/// The two file formats customers move in and out in (export and import).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Format {
    JsonLines,
    Csv,
}

impl Format {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "jsonl" | "" => Some(Self::JsonLines),
            "csv" => Some(Self::Csv),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::JsonLines => "jsonl",
            Self::Csv => "csv",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::JsonLines => "application/jsonl; charset=utf-8",
            Self::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// The columns of a customer, in file order (as JSON Lines keys, and CSV
/// headers before one `attr.<key>` column per attribute).
pub const COLUMNS: [&str; 11] = [
    "id",
    "email",
    "email_verified",
    "display_name",
    "tier",
    "tier_expires_at",
    "created_at",
    "last_sign_in_at",
    "disabled",
    "external_id",
    PASSWORD_HASH,
];

/// Exports carry it only on request (`--with-password-hashes`).
pub const PASSWORD_HASH: &str = "password_hash";

/// Attribute columns are named `attr.<key>` in CSV.
pub const ATTRIBUTE_PREFIX: &str = "attr.";
