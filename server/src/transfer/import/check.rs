//! Checking a line: its fields against the tiers and attributes, the
//! customers it may match, and the ids and addresses seen before in the file.

use crate::domain::{Attribute, DisplayName, Email, Tier, TierId};
use crate::password::check_imported_hash;
use crate::store::{ExistingCustomer, ImportRow, ImportValue, Store};
use crate::transfer::columns::{ATTRIBUTE_PREFIX, COLUMNS as FIELDS};
use anyhow::Context;
use std::collections::HashMap;
use uuid::Uuid;

/// One line's values as text: the fixed fields (in `FIELDS` order) and the
/// attribute values by key (an empty value removes the customer's value).
#[derive(Default)]
pub(super) struct Fields {
    values: [Option<String>; FIELDS.len()],
    pub(super) attributes: Vec<(String, String)>,
}

impl Fields {
    /// The field's text, trimmed; `None` when absent or empty.
    fn get(&self, name: &str) -> Option<&str> {
        let i = FIELDS.iter().position(|f| *f == name)?;
        self.values[i]
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// Sets a field or an attribute (`attr.<key>`) by its column name.
    pub(super) fn set(&mut self, name: &str, value: String) -> Result<(), String> {
        if let Some(key) = name.strip_prefix(ATTRIBUTE_PREFIX) {
            self.attributes.push((key.to_string(), value));
        } else {
            let i = FIELDS
                .iter()
                .position(|f| *f == name)
                .ok_or_else(|| unknown_field(name))?;
            self.values[i] = Some(value);
        }
        Ok(())
    }
}

pub(super) fn boolean(fields: &Fields, name: &str) -> Result<bool, String> {
    match fields.get(name).map(str::to_ascii_lowercase).as_deref() {
        None | Some("false") | Some("0") | Some("no") => Ok(false),
        Some("true") | Some("1") | Some("yes") => Ok(true),
        Some(other) => Err(format!("{name}: \"{other}\" is not true or false")),
    }
}

pub(super) fn timestamp(fields: &Fields, name: &str) -> Result<Option<i64>, String> {
    match fields.get(name) {
        None => Ok(None),
        Some(raw) => {
            time::OffsetDateTime::parse(raw, &time::format_description::well_known::Rfc3339)
                .map(|t| Some(t.unix_timestamp()))
                .map_err(|_| {
                    format!("{name}: \"{raw}\" is not an RFC 3339 time like 2026-01-31T12:00:00Z")
                })
        }
    }
}

/// What a line is checked against: the tiers and attributes by their slug
/// and key, read once per pass.
pub(super) struct Rules {
    tiers: HashMap<String, Tier>,
    default: TierId,
    attributes: HashMap<String, Attribute>,
    pub(super) now: i64,
}

impl Rules {
    pub(super) async fn read(store: &Store) -> anyhow::Result<Self> {
        let tiers: HashMap<String, Tier> = store
            .list_tiers()
            .await?
            .into_iter()
            .map(|t| (t.slug.clone(), t))
            .collect();
        let default = tiers
            .values()
            .find(|t| t.is_default)
            .map(|t| t.id)
            .context("no default tier")?;
        let attributes = store
            .list_attributes()
            .await?
            .into_iter()
            .map(|a| (a.key.clone(), a))
            .collect();
        Ok(Self {
            tiers,
            default,
            attributes,
            now: crate::domain::Clock::system().now(),
        })
    }
}

/// Turns one line's fields into a row to write, or says what is wrong.
pub(super) fn validate(line: u64, fields: &Fields, rules: &Rules) -> Result<ImportRow, String> {
    let Rules {
        tiers,
        default,
        attributes,
        now,
    } = rules;
    let (default, now) = (*default, *now);
    let get = |name: &str| fields.get(name);
    let email =
        Email::parse(get("email").ok_or("email: missing")?).map_err(|e| format!("email: {e}"))?;
    let raw_name =
        get("display_name").unwrap_or_else(|| email.as_str().split('@').next().unwrap_or_default());
    let name = DisplayName::parse(raw_name).map_err(|e| format!("display_name: {e}"))?;
    let tier = match get("tier") {
        None => default,
        Some(slug) => tier(tiers, slug)?,
    };
    let created_at = timestamp(fields, "created_at")?.unwrap_or(now);
    let password_hash = match get("password_hash") {
        None => None,
        Some(raw) => Some(
            check_imported_hash(raw)
                .map_err(|e| format!("password_hash: {e}"))?
                .0
                .as_str()
                .to_string(),
        ),
    };
    let external_id = match get("external_id") {
        Some(x) if x.chars().count() > 255 || x.chars().any(char::is_control) => {
            return Err("external_id: at most 255 printable characters".into());
        }
        x => x.map(str::to_string),
    };
    let id = match get("id") {
        None => Uuid::now_v7(),
        Some(raw) => Uuid::parse_str(raw).map_err(|_| format!("id: \"{raw}\" is not a UUID"))?,
    };
    let values = attribute_values(fields, attributes)?;
    Ok(ImportRow {
        line,
        id,
        email: email.as_str().to_string(),
        display_name: name.as_str().to_string(),
        email_verified_at: boolean(fields, "email_verified")?.then_some(created_at),
        tier,
        tier_expires_at: timestamp(fields, "tier_expires_at")?,
        created_at,
        last_sign_in_at: timestamp(fields, "last_sign_in_at")?,
        disabled_at: boolean(fields, "disabled")?.then_some(now),
        password_hash,
        external_id,
        attributes: values,
    })
}

fn tier(tiers: &HashMap<String, Tier>, slug: &str) -> Result<TierId, String> {
    match tiers.get(slug) {
        Some(t) if t.archived => Err(format!("tier: \"{slug}\" is archived")),
        Some(t) => Ok(t.id),
        None => Err(format!("tier: no tier has the slug \"{slug}\"")),
    }
}

/// The line's attribute values, each checked against its definition.
fn attribute_values(
    fields: &Fields,
    attributes: &HashMap<String, Attribute>,
) -> Result<Vec<ImportValue>, String> {
    let mut values = Vec::new();
    for (key, raw) in &fields.attributes {
        let attribute = match attributes.get(key.as_str()) {
            Some(a) if a.archived => {
                return Err(format!(
                    "{ATTRIBUTE_PREFIX}{key}: the attribute is archived"
                ));
            }
            Some(a) => a,
            None => {
                return Err(format!(
                    "{ATTRIBUTE_PREFIX}{key}: no attribute has the key \"{key}\""
                ));
            }
        };
        let value = attribute.canonical(raw).map_err(|e| {
            let problem = attribute.problem(e);
            format!("{ATTRIBUTE_PREFIX}{key}: \"{raw}\": {problem}")
        })?;
        values.push(ImportValue {
            attribute: attribute.id,
            value,
            searchable: attribute.searchable,
        });
    }
    Ok(values)
}

/// The customers a batch's lines may match, by each key.
#[derive(Default)]
pub(super) struct Existing {
    by_external: HashMap<String, ExistingCustomer>,
    by_email: HashMap<String, ExistingCustomer>,
    by_id: HashMap<Uuid, ExistingCustomer>,
}

impl Existing {
    pub(super) fn new(customers: Vec<ExistingCustomer>) -> Self {
        let mut existing = Self::default();
        for c in customers {
            if let Some(x) = &c.external_id {
                existing.by_external.insert(x.clone(), c.clone());
            }
            existing.by_email.insert(c.email.clone(), c.clone());
            existing.by_id.insert(c.id, c);
        }
        existing
    }
}

/// Which existing customer a row updates (by external id, else by email,
/// else by id), or why it cannot be written.
pub(super) fn matching(
    row: &ImportRow,
    existing: &Existing,
) -> Result<Option<ExistingCustomer>, String> {
    let by_external = row
        .external_id
        .as_ref()
        .and_then(|x| existing.by_external.get(x));
    let by_email = existing.by_email.get(&row.email);
    let by_id = existing.by_id.get(&row.id);
    let target = match (by_external, by_email) {
        (Some(x), Some(e)) if x.id != e.id => {
            return Err("email: belongs to another customer than this external_id".into());
        }
        (Some(x), _) => Some(x),
        (None, Some(e)) if row.external_id.is_some() && e.external_id.is_some() => {
            return Err("email: belongs to a customer with another external_id".into());
        }
        (None, e) => e,
    };
    match (target, by_id) {
        (Some(t), Some(i)) if t.id != i.id => Err("id: belongs to another customer".into()),
        (None, Some(_)) => Err("id: belongs to another customer".into()),
        (t, _) => Ok(t.cloned()),
    }
}

/// The lines each email, external id and id was first seen on: each may
/// appear once in a file.
#[derive(Default)]
pub(super) struct Seen {
    emails: FastMap<String, u64>,
    external_ids: FastMap<String, u64>,
    ids: FastMap<Uuid, u64>,
}

/// A map with a faster hash than the standard one's SipHash (a tenth of the
/// check's time on a million lines), still seeded at random.
pub(super) type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

impl Seen {
    /// The row, or why it repeats an earlier line; remembers its keys.
    pub(super) fn first(&mut self, row: ImportRow) -> Result<ImportRow, String> {
        let repeated = |key: &str, first: &u64| format!("{key} repeats line {first}");
        if let Some(first) = self.emails.get(&row.email) {
            return Err(repeated("email", first));
        }
        if let Some(x) = &row.external_id
            && let Some(first) = self.external_ids.get(x)
        {
            return Err(repeated("external_id", first));
        }
        if let Some(first) = self.ids.get(&row.id) {
            return Err(repeated("id", first));
        }
        self.emails.insert(row.email.clone(), row.line);
        if let Some(x) = &row.external_id {
            self.external_ids.insert(x.clone(), row.line);
        }
        self.ids.insert(row.id, row.line);
        Ok(row)
    }
}

pub(super) fn unknown_field(name: &str) -> String {
    format!(
        "unknown field \"{name}\" (known: {}, and attributes)",
        FIELDS.join(", ")
    )
}

/// CSV columns: the fixed fields and `attr.<key>`.
pub(super) fn check_names<'a>(mut names: impl Iterator<Item = &'a str>) -> Result<(), String> {
    match names.find(|n| !FIELDS.contains(n) && !n.starts_with(ATTRIBUTE_PREFIX)) {
        Some(unknown) => Err(unknown_field(unknown)),
        None => Ok(()),
    }
}
