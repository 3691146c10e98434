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

/// CSV cells a spreadsheet would run as a formula (CWE-1236) start with one
/// of these. Such a cell is written with a leading apostrophe, which
/// spreadsheets show as text; import takes the apostrophe off again, so an
/// export imports as the same customers.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether a cell needs the apostrophe: it starts a formula, or it starts
/// with an apostrophe before something that would (so import, taking one
/// apostrophe off, gives it back unchanged).
fn needs_guard(cell: &str) -> bool {
    cell.starts_with(FORMULA_STARTS)
        || cell
            .strip_prefix('\'')
            .is_some_and(|rest| !rest.is_empty() && needs_guard(rest))
}

/// A cell as written to CSV: never run as a formula.
pub fn guard_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    if needs_guard(cell) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// A CSV cell as read back: the apostrophe `guard_cell` added taken off.
pub fn unguard_cell(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_read_back_unchanged() {
        for (cell, written) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+44 20 7946 0000", "'+44 20 7946 0000"),
            ("-5", "'-5"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\tcmd"),
            ("\rcmd", "'\rcmd"),
            ("'=already quoted", "''=already quoted"),
            ("Ada Lovelace", "Ada Lovelace"),
            ("it's fine", "it's fine"),
            ("'", "'"),
            ("", ""),
        ] {
            assert_eq!(guard_cell(cell), written, "{cell:?}");
            assert_eq!(unguard_cell(written), cell, "{written:?}");
        }
    }
}
