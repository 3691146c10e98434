//! Profile attributes the organisation defines, and how a value of each
//! type is put in its one canonical form.

use super::Email;
use super::problem::{Problem, ValueProblem};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AttributeId(pub Uuid);

impl std::fmt::Display for AttributeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    Text,
    Number,
    Boolean,
    Date,
    Choice,
    Email,
    Phone,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Text,
        Kind::Number,
        Kind::Boolean,
        Kind::Date,
        Kind::Choice,
        Kind::Email,
        Kind::Phone,
    ];

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Number => "number",
            Self::Boolean => "boolean",
            Self::Date => "date",
            Self::Choice => "choice",
            Self::Email => "email",
            Self::Phone => "phone",
        }
    }

    /// How the console names the type.
    pub fn label(self) -> &'static str {
        match self {
            Self::Text => "Text",
            Self::Number => "Number",
            Self::Boolean => "Yes / no",
            Self::Date => "Date",
            Self::Choice => "Choice from a list",
            Self::Email => "Email address",
            Self::Phone => "Phone number (E.164)",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute {
    pub id: AttributeId,
    /// Stable name in exports, imports and (later) token claims.
    pub key: String,
    pub label: String,
    pub kind: Kind,
    /// The allowed values of a choice, in display order.
    pub choices: Vec<String>,
    /// Customers must give it at sign-up, and are asked for it at sign-in.
    pub required: bool,
    /// Customers see and change it; otherwise only admins do.
    pub customer_editable: bool,
    /// Indexed, and offered as a console search filter.
    pub searchable: bool,
    /// Personal data: kept out of the audit trail, and marked for the
    /// compliance export and erasure.
    pub personal: bool,
    pub position: i64,
    pub archived: bool,
}

pub const TEXT_MAX: usize = 500;
pub const CHOICES_MAX: usize = 100;
/// Numbers beyond this lose whole-number precision in a double.
const NUMBER_MAX: f64 = 1e15;

impl Attribute {
    /// The name of the attribute's field in forms and CSV columns.
    pub fn field_name(&self) -> String {
        format!("attr.{}", self.key)
    }

    /// The canonical form of a value as typed or read from a file, or what
    /// is wrong with it. Empty input means "no value".
    pub fn canonical(&self, raw: &str) -> std::result::Result<Option<String>, ValueProblem> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(None);
        }
        let value = match self.kind {
            Kind::Text => {
                if raw.chars().count() > TEXT_MAX || raw.chars().any(char::is_control) {
                    return Err(ValueProblem::TextTooLong { max: TEXT_MAX });
                }
                raw.to_string()
            }
            Kind::Number => match raw.parse::<f64>() {
                Ok(n) if n.is_finite() && n.abs() < NUMBER_MAX => {
                    // Display never uses an exponent; `+ 0.0` turns -0 into 0.
                    format!("{}", n + 0.0)
                }
                _ => return Err(ValueProblem::NotNumber),
            },
            Kind::Boolean => match raw.to_ascii_lowercase().as_str() {
                "true" | "yes" => "true".into(),
                "false" | "no" => "false".into(),
                _ => return Err(ValueProblem::NotYesNo),
            },
            Kind::Date => {
                let format = time::macros::format_description!("[year]-[month]-[day]");
                match time::Date::parse(raw, format) {
                    Ok(d) if (1000..=9999).contains(&d.year()) => d.to_string(),
                    _ => return Err(ValueProblem::NotDate),
                }
            }
            Kind::Choice => match self.choices.iter().find(|c| c.eq_ignore_ascii_case(raw)) {
                Some(choice) => choice.clone(),
                None => return Err(ValueProblem::NotAChoice),
            },
            Kind::Email => match Email::parse(raw) {
                Ok(email) => email.as_str().to_string(),
                Err(_) => return Err(ValueProblem::NotEmail),
            },
            Kind::Phone => {
                // Spaces and the usual separators are for reading only.
                let compact: String = raw
                    .chars()
                    .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
                    .collect();
                let digits = compact.strip_prefix('+').unwrap_or("");
                let ok = (7..=15).contains(&digits.len())
                    && digits.chars().all(|c| c.is_ascii_digit())
                    && !digits.starts_with('0');
                if !ok {
                    return Err(ValueProblem::NotPhone);
                }
                compact
            }
        };
        Ok(Some(value))
    }

    /// What is wrong with a value of this attribute, as a field problem.
    pub fn problem(&self, problem: ValueProblem) -> Problem {
        Problem::Value {
            label: self.label.clone(),
            problem,
        }
    }

    /// A stored value as JSON: numbers and yes/no typed, the rest as text.
    pub fn to_json(&self, value: &str) -> serde_json::Value {
        match self.kind {
            Kind::Number => match value.parse::<f64>() {
                Ok(n) if n.fract() == 0.0 => json!(n as i64),
                Ok(n) => json!(n),
                Err(_) => json!(value),
            },
            Kind::Boolean => json!(value == "true"),
            _ => json!(value),
        }
    }
}

/// A customer's values, by attribute.
pub type Values = BTreeMap<AttributeId, String>;

/// Values to write: `None` removes the customer's value.
pub type Changes = Vec<(AttributeId, Option<String>)>;
