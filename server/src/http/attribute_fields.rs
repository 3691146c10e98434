//! Profile attributes as form fields, for the hosted pages and the console.

use crate::domain::{Attribute, Values};
use app::FieldErrors;
use app::components::AttributeInput;
use std::collections::HashMap;

/// Where a form's values come from: what is stored, or what was just typed.
pub enum Shown<'a> {
    Stored(&'a Values),
    Typed(&'a HashMap<String, String>),
}

/// The fields for `attributes`, with values and any errors from `errors`.
pub fn attribute_inputs<'a>(
    attributes: impl Iterator<Item = &'a Attribute>,
    shown: Shown<'_>,
    errors: &FieldErrors,
) -> Vec<AttributeInput> {
    attributes
        .map(|a| {
            let name = a.field_name();
            let value = match &shown {
                Shown::Stored(values) => values.get(&a.id).cloned(),
                Shown::Typed(form) => form.get(&name).cloned(),
            };
            AttributeInput {
                error: errors.get(&name),
                name,
                label: a.label.clone(),
                kind: a.kind.as_str(),
                value: value.unwrap_or_default(),
                choices: a.choices.clone(),
                required: a.required,
            }
        })
        .collect()
}
