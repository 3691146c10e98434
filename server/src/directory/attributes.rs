//! Profile attributes: fields owners define on every customer (a loyalty
//! number, a birthday, a preferred store). A value is checked and put in one
//! canonical form by its attribute's type, the same way wherever it comes
//! from: sign-up, the account page, the console or an import file.

use crate::audit;
use crate::domain::{
    Action, Attribute, AttributeId, CHOICES_MAX, Changes, CustomerId, Error, FieldErrors, Kind,
    OwnerTask, Problem, RequestContext, Result, Values,
};
use crate::state::AppState;
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// Who fills a form in decides which attributes it has and whether
/// required ones may be left empty.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Editor {
    Customer,
    Admin,
}

/// The attributes a form shows to `editor`, in display order.
pub fn on_form(defs: &[Attribute], editor: Editor) -> impl Iterator<Item = &Attribute> {
    defs.iter()
        .filter(move |a| !a.archived && (editor == Editor::Admin || a.customer_editable))
}

/// Reads the attribute fields of a submitted form (named `attr.<key>`) for
/// the attributes in `fields`, every one of which the form showed.
pub fn read_form<'a>(
    fields: impl Iterator<Item = &'a Attribute>,
    form: &HashMap<String, String>,
    editor: Editor,
) -> std::result::Result<Changes, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut changes = Changes::new();
    for attribute in fields {
        let name = attribute.field_name();
        let raw = form.get(&name).map(String::as_str).unwrap_or("");
        match attribute.canonical(raw) {
            Ok(None) if attribute.required && editor == Editor::Customer => {
                let label = attribute.label.clone();
                errors.add(name, Problem::ValueMissing { label });
            }
            Ok(value) => changes.push((attribute.id, value)),
            Err(problem) => errors.add(name, attribute.problem(problem)),
        }
    }
    if errors.is_empty() {
        Ok(changes)
    } else {
        Err(errors)
    }
}

/// Required attributes the customer has no value for, that they can give.
pub fn missing_required<'a>(defs: &'a [Attribute], values: &Values) -> Vec<&'a Attribute> {
    on_form(defs, Editor::Customer)
        .filter(|a| a.required && !values.contains_key(&a.id))
        .collect()
}

/// The required attributes a customer has yet to give, in form order.
pub async fn missing_for(state: &AppState, customer: CustomerId) -> Result<Vec<Attribute>> {
    let defs = state.store.list_attributes().await?;
    let values = state.store.customer_attributes(customer).await?;
    Ok(missing_required(&defs, &values)
        .into_iter()
        .cloned()
        .collect())
}

/// Writes a customer's changed values and records which changed. Personal
/// attributes are named in the trail but their values are not kept there.
pub async fn save(
    state: &AppState,
    customer: CustomerId,
    changes: Changes,
    ctx: &RequestContext,
) -> Result<()> {
    let defs = state.store.list_attributes().await?;
    let before = state.store.customer_attributes(customer).await?;
    let changed: Changes = changes
        .into_iter()
        .filter(|(id, value)| before.get(id) != value.as_ref())
        .collect();
    if changed.is_empty() {
        return Ok(());
    }
    state
        .store
        .set_customer_attributes(customer, &defs, &changed, state.clock.now())
        .await?;
    let mut details = serde_json::Map::new();
    for (id, after) in &changed {
        let Some(attribute) = defs.iter().find(|a| a.id == *id) else {
            continue;
        };
        let entry = if attribute.personal {
            json!({ "changed": true })
        } else {
            json!({ "before": before.get(id), "after": after })
        };
        details.insert(attribute.key.clone(), entry);
    }
    let details = json!({ "attributes": details });
    audit::record(
        state,
        ctx,
        Action::CustomerAttributesUpdated,
        Some(customer),
        details,
    )
    .await
}

/// An attribute as an owner defines it: what the console's form and the
/// admin API both send, typed. Every field is checked here, all at once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttributeDraft {
    pub key: String,
    pub label: String,
    /// `None`: none chosen, refused for a new attribute (one defined
    /// keeps its type).
    pub kind: Option<Kind>,
    /// A choice attribute's choices, in order; repeats (ignoring case)
    /// are dropped.
    pub choices: Vec<String>,
    pub required: bool,
    pub searchable: bool,
    pub personal: bool,
    /// Who may change the value; `None`: not chosen, which is refused.
    pub editable_by: Option<Editor>,
}

/// Keys customers' records already use for something else.
const RESERVED_KEYS: &[&str] = &[
    "id",
    "sub",
    "email",
    "email_verified",
    "name",
    "display_name",
    "tier",
    "tier_expires_at",
    "external_id",
    "password_hash",
    "created_at",
    "disabled",
    "attributes",
];

/// Checks a definition; `stored` is the attribute being edited, whose key
/// and type stay as they are (stored values were checked against them).
fn validate(form: &AttributeDraft, stored: Option<&Attribute>) -> Result<Attribute> {
    let mut errors = FieldErrors::new();
    let key = match stored {
        Some(a) => a.key.clone(),
        None => form.key.trim().to_ascii_lowercase(),
    };
    let key_ok = (1..=40).contains(&key.len())
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !key_ok {
        errors.add("key", Problem::KeyFormat);
    } else if stored.is_none() && RESERVED_KEYS.contains(&key.as_str()) {
        errors.add("key", Problem::KeyReserved);
    }
    let label = form.label.trim().to_string();
    if label.is_empty() || label.chars().count() > 60 || label.chars().any(char::is_control) {
        errors.add("label", Problem::Label);
    }
    let kind = match stored {
        Some(a) => Some(a.kind),
        None => form.kind,
    };
    if kind.is_none() {
        errors.add("kind", Problem::ChooseKind);
    }
    let mut choices: Vec<String> = Vec::new();
    if kind == Some(Kind::Choice) {
        for raw in &form.choices {
            let choice = raw.trim();
            if choice.is_empty() || choices.iter().any(|c| c.eq_ignore_ascii_case(choice)) {
                continue;
            }
            if choice.chars().count() > 100 || choice.chars().any(char::is_control) {
                errors.add("choices", Problem::ChoiceTooLong);
                break;
            }
            choices.push(choice.to_string());
        }
        if choices.is_empty() || choices.len() > CHOICES_MAX {
            errors.add("choices", Problem::ChoiceCount { max: CHOICES_MAX });
        }
    }
    let customer_editable = match form.editable_by {
        Some(editor) => editor == Editor::Customer,
        None => {
            errors.add("editable_by", Problem::ChooseEditor);
            false
        }
    };
    let required = form.required;
    if required && !customer_editable {
        errors.add("required", Problem::RequiredNotEditable);
    }
    let (Some(kind), true) = (kind, errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    Ok(Attribute {
        id: stored.map_or(AttributeId(Uuid::now_v7()), |a| a.id),
        key,
        label,
        kind,
        choices,
        required,
        customer_editable,
        searchable: form.searchable,
        personal: form.personal,
        position: stored.map_or(0, |a| a.position),
        archived: stored.is_some_and(|a| a.archived),
    })
}

fn summary(a: &Attribute) -> serde_json::Value {
    json!({ "attribute_id": a.id, "key": a.key, "label": a.label, "kind": a.kind.as_str(),
        "choices": a.choices, "required": a.required, "customer_editable": a.customer_editable,
        "searchable": a.searchable, "personal": a.personal })
}

pub async fn define(
    state: &AppState,
    form: &AttributeDraft,
    ctx: &RequestContext,
) -> Result<Attribute> {
    let by = ctx.admin()?;
    by.require_owner(OwnerTask::DefineAttributes)?;
    let attribute = validate(form, None)?;
    let Some(attribute) = state
        .store
        .insert_attribute(attribute, state.clock.now())
        .await?
    else {
        return Err(Error::invalid("key", Problem::KeyTaken));
    };
    audit::record(
        state,
        ctx,
        Action::AttributeDefined,
        None,
        summary(&attribute),
    )
    .await?;
    Ok(attribute)
}

pub async fn update(
    state: &AppState,
    id: AttributeId,
    form: &AttributeDraft,
    ctx: &RequestContext,
) -> Result<Attribute> {
    let by = ctx.admin()?;
    by.require_owner(OwnerTask::DefineAttributes)?;
    let before = state
        .store
        .attribute_by_id(id)
        .await?
        .ok_or(Error::NotFound)?;
    let after = validate(form, Some(&before))?;
    if after == before {
        return Ok(after);
    }
    // A choice customers already hold cannot go: their values would no
    // longer be valid anywhere they are shown.
    for removed in before.choices.iter().filter(|c| !after.choices.contains(c)) {
        let holders = state.store.count_attribute_value(id, removed).await?;
        if holders > 0 {
            let choice = removed.clone();
            return Err(Error::invalid(
                "choices",
                Problem::ChoiceHeld { choice, holders },
            ));
        }
    }
    if !state
        .store
        .update_attribute(&after, before.searchable, state.clock.now())
        .await?
    {
        return Err(Error::NotFound);
    }
    let details = json!({ "before": summary(&before), "after": summary(&after) });
    audit::record(state, ctx, Action::AttributeUpdated, None, details).await?;
    Ok(after)
}

/// Hides an attribute from every form, search and export (or shows it
/// again); customers' values are kept either way.
pub async fn set_archived(
    state: &AppState,
    id: AttributeId,
    archived: bool,
    ctx: &RequestContext,
) -> Result<()> {
    let by = ctx.admin()?;
    by.require_owner(OwnerTask::DefineAttributes)?;
    if !state
        .store
        .set_attribute_archived(id, archived, state.clock.now())
        .await?
    {
        return Err(Error::Conflict(if archived {
            Problem::AttributeArchived
        } else {
            Problem::AttributeNotArchived
        }));
    }
    let action = if archived {
        Action::AttributeArchived
    } else {
        Action::AttributeUnarchived
    };
    let details = json!({ "attribute_id": id });
    audit::record(state, ctx, action, None, details).await
}

/// Every attribute the organisation defined, archived ones included.
pub async fn defined(state: &AppState) -> Result<Vec<Attribute>> {
    Ok(state.store.list_attributes().await?)
}

/// One attribute by id.
pub async fn get(state: &AppState, id: AttributeId) -> Result<Attribute> {
    state
        .store
        .attribute_by_id(id)
        .await?
        .ok_or(Error::NotFound)
}

/// The attributes defined and `customer`'s values of them.
pub async fn of_customer(
    state: &AppState,
    customer: CustomerId,
) -> Result<(Vec<Attribute>, Values)> {
    Ok(state.store.attributes_with_values(customer).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attribute(kind: Kind) -> Attribute {
        Attribute {
            id: AttributeId(Uuid::nil()),
            key: "a".into(),
            label: "Value".into(),
            kind,
            choices: vec!["Gold".into(), "Silver".into()],
            required: false,
            customer_editable: true,
            searchable: false,
            personal: false,
            position: 0,
            archived: false,
        }
    }

    fn ok(kind: Kind, raw: &str) -> Option<String> {
        attribute(kind).canonical(raw).expect(raw)
    }

    #[test]
    fn values_take_one_canonical_form_per_type() {
        assert_eq!(ok(Kind::Text, "  Hi there "), Some("Hi there".into()));
        assert_eq!(ok(Kind::Text, "   "), None);
        assert_eq!(ok(Kind::Number, "42.50"), Some("42.5".into()));
        assert_eq!(ok(Kind::Number, "-0"), Some("0".into()));
        assert_eq!(ok(Kind::Number, "1e3"), Some("1000".into()));
        assert_eq!(ok(Kind::Boolean, "Yes"), Some("true".into()));
        assert_eq!(ok(Kind::Date, "1990-04-25"), Some("1990-04-25".into()));
        assert_eq!(ok(Kind::Choice, "gold"), Some("Gold".into()));
        assert_eq!(
            ok(Kind::Email, " Ada@Example.COM"),
            Some("ada@example.com".into())
        );
        assert_eq!(
            ok(Kind::Phone, "+44 (20) 7946-0958"),
            Some("+442079460958".into())
        );
    }

    #[test]
    fn bad_values_say_what_is_expected() {
        for (kind, raw) in [
            (Kind::Text, "two\nlines"),
            (Kind::Number, "forty"),
            (Kind::Number, "NaN"),
            (Kind::Number, "1e20"),
            (Kind::Boolean, "maybe"),
            (Kind::Date, "1990-02-30"),
            (Kind::Date, "25/04/1990"),
            (Kind::Choice, "Bronze"),
            (Kind::Email, "not-an-address"),
            (Kind::Phone, "020 7946 0958"),
            (Kind::Phone, "+0 123 4567"),
            (Kind::Phone, "+12345678901234567"),
        ] {
            let a = attribute(kind);
            let err = a.problem(a.canonical(raw).expect_err(raw)).to_string();
            assert!(err.contains("Value"), "{raw}: {err}");
        }
    }

    #[test]
    fn numbers_and_yes_no_export_typed() {
        assert_eq!(attribute(Kind::Number).to_json("42"), json!(42));
        assert_eq!(attribute(Kind::Number).to_json("2.5"), json!(2.5));
        assert_eq!(attribute(Kind::Boolean).to_json("false"), json!(false));
        assert_eq!(
            attribute(Kind::Date).to_json("2001-01-31"),
            json!("2001-01-31")
        );
    }

    #[test]
    fn required_fields_are_required_of_customers_only() {
        let mut a = attribute(Kind::Text);
        a.required = true;
        let form = HashMap::new();
        let errors = read_form([&a].into_iter(), &form, Editor::Customer).unwrap_err();
        let problem = errors.get("attr.a").map(ToString::to_string);
        assert_eq!(problem.as_deref(), Some("Value is required."));
        let changes = read_form([&a].into_iter(), &form, Editor::Admin).unwrap();
        assert_eq!(changes, vec![(a.id, None)]);
    }

    #[test]
    fn definitions_are_checked() {
        let form = AttributeDraft {
            key: "Email".into(),
            label: "".into(),
            kind: None,
            editable_by: Some(Editor::Admin),
            required: true,
            ..Default::default()
        };
        let Err(Error::Invalid(errors)) = validate(&form, None) else {
            panic!("accepted");
        };
        for field in ["key", "label", "kind", "required"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let choice = AttributeDraft {
            key: "store".into(),
            label: "Favourite store".into(),
            kind: Some(Kind::Choice),
            choices: vec!["Leeds".into(), " York".into(), "leeds".into(), "".into()],
            editable_by: Some(Editor::Customer),
            ..Default::default()
        };
        let a = validate(&choice, None).unwrap();
        assert_eq!(a.choices, vec!["Leeds", "York"]);
    }
}
