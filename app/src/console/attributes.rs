use super::{ConsoleChrome, console_document};
use crate::FieldErrors;
use crate::components::{
    CELL, CsrfField, DataTable, Field, Flash, PostButton, SelectField, checkbox, fact_rows,
    textarea_text,
};
use crate::paths;
use leptos::prelude::*;

/// An attribute as the console lists it.
#[derive(Clone, Debug, Default)]
pub struct AttributeRow {
    pub id: String,
    pub key: String,
    pub label: String,
    /// The type, as the console names it.
    pub kind: String,
    /// Its rules in words ("required, searchable").
    pub rules: String,
    pub archived: bool,
}

/// The definition form's values, as stored or as typed.
#[derive(Clone, Debug, Default)]
pub struct AttributeFormValues {
    pub key: String,
    pub label: String,
    pub kind: String,
    pub choices: String,
    pub required: bool,
    pub searchable: bool,
    pub personal: bool,
    /// "customer" or "admin".
    pub editable_by: String,
}

#[derive(Clone, Debug, Default)]
pub struct AttributesView {
    pub attributes: Vec<AttributeRow>,
    /// Every type (value, name) for the new-attribute form.
    pub kinds: Vec<(String, String)>,
    pub can_manage: bool,
    pub form: AttributeFormValues,
    pub errors: FieldErrors,
    pub notice: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct AttributeDetailView {
    pub attribute: AttributeRow,
    pub can_manage: bool,
    pub form: AttributeFormValues,
    pub errors: FieldErrors,
    pub notice: Option<String>,
}

/// The definition form; a new attribute also takes its key and type, which
/// stay fixed afterwards (stored values were checked against them).
fn attribute_form(
    action: String,
    csrf: String,
    values: AttributeFormValues,
    errors: FieldErrors,
    kinds: Option<Vec<(String, String)>>,
    submit: &'static str,
) -> impl IntoView {
    let new_only = kinds.map(|kinds| {
        let options = std::iter::once((String::new(), "Choose a type".to_string())).chain(kinds).collect();
        view! {
            <Field name="key" label="Key" value=values.key.clone() error=errors.get("key") maxlength=40
                hint="Lower-case letters, digits and underscores; exports and imports use it. It cannot change later."/>
            <SelectField name="kind" label="Type" options=options selected=values.kind.clone() error=errors.get("kind")
                hint="It cannot change later."/>
        }
    });
    let editors = vec![
        (
            "customer".to_string(),
            "The customer (and admins)".to_string(),
        ),
        ("admin".to_string(), "Admins only".to_string()),
    ];
    view! {
        <form method="post" action=action novalidate class="grid grid-cols-1 gap-x-4 sm:grid-cols-2">
            <CsrfField token=csrf/>
            {new_only}
            <Field name="label" label="Label" value=values.label error=errors.get("label") maxlength=60
                hint="What customers and admins see beside the field."/>
            <SelectField name="editable_by" label="Who can change it" options=editors selected=values.editable_by
                error=errors.get("editable_by")/>
            <div class="mb-4 sm:col-span-2">
                <label for="field-choices" class="block text-sm font-medium text-slate-700">"Choices"</label>
                <textarea id="field-choices" name="choices" rows="3" maxlength="10000"
                    aria-describedby=if errors.get("choices").is_some() { "field-choices-hint field-choices-error" } else { "field-choices-hint" }
                    aria-invalid=errors.get("choices").is_some().then_some("true")
                    class="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2">{textarea_text(&values.choices)}</textarea>
                <p id="field-choices-hint" class="mt-1 text-sm text-slate-500">"For a choice from a list: one option per line."</p>
                {errors.get("choices").map(|e| view! { <p id="field-choices-error" class="mt-1 text-sm font-medium text-red-700">{e}</p> })}
            </div>
            {checkbox("required", "Required", "Asked at sign-up, and at sign-in of customers who have not given it.", values.required, errors.get("required"))}
            {checkbox("searchable", "Searchable", "Indexed, and offered as a filter on the customer list.", values.searchable, None)}
            {checkbox("personal", "Personal data", "Kept out of the audit trail; included in data export and erasure.", values.personal, None)}
            <div class="sm:col-span-2">
                <button type="submit" class="rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700">{submit}</button>
            </div>
        </form>
    }
}

pub fn attributes_page(chrome: &ConsoleChrome, page: &AttributesView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let count = page.attributes.len();
    let rows = page
        .attributes
        .iter()
        .map(|a| {
            view! {
                <tr class="border-t border-slate-200">
                    <td class=CELL>
                        <a href=paths::at(paths::ATTRIBUTE, &[&a.id]) class="font-medium text-indigo-700 hover:underline">{a.label.clone()}</a>
                    </td>
                    <td class=format!("{CELL} font-mono text-xs")>{a.key.clone()}</td>
                    <td class=CELL>{a.kind.clone()}</td>
                    <td class=CELL>{a.rules.clone()}</td>
                    <td class=CELL>{if a.archived { "Archived" } else { "Active" }}</td>
                </tr>
            }
        })
        .collect_view();
    let create = page.can_manage.then(|| {
        view! {
            <section class="mt-6 rounded-lg bg-white p-4 shadow-sm">
                <h2 class="mb-3 text-lg font-semibold">"New attribute"</h2>
                {attribute_form(paths::ATTRIBUTES.into(), chrome.csrf_token.clone(), page.form.clone(), page.errors.clone(),
                    Some(page.kinds.clone()), "Define attribute")}
            </section>
        }
    });
    let body = view! {
        <h1 class="mb-4 text-2xl font-semibold">"Profile attributes"</h1>
        <Flash message=page.notice.clone()/>
        <DataTable caption="Profile attributes" headers=vec!["Label", "Key", "Type", "Rules", "Status"]
            empty="No attributes yet: customers have an email and a name only." rows=count>{rows}</DataTable>
        {create}
    };
    console_document(&chrome, "Profile attributes", body)
}

pub fn attribute_detail_page(chrome: &ConsoleChrome, page: &AttributeDetailView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let a = page.attribute.clone();
    let facts = [
        ("Key", a.key.clone()),
        ("Type", a.kind.clone()),
        ("Rules", a.rules.clone()),
        (
            "Status",
            if a.archived {
                "Archived".into()
            } else {
                "Active".to_string()
            },
        ),
    ];
    let facts = fact_rows(facts);
    let manage = page.can_manage.then(|| {
        let (action, label) = if a.archived { ("unarchive", "Restore attribute") } else { ("archive", "Archive attribute") };
        view! {
            <div class="mt-4 flex flex-wrap gap-2">
                <PostButton action=paths::at(paths::ATTRIBUTE_ACTION, &[&a.id, &action]) label=label.to_string() csrf=chrome.csrf_token.clone()/>
            </div>
            <section class="mt-6 rounded-lg bg-white p-4 shadow-sm">
                <h2 class="mb-3 text-lg font-semibold">"Edit attribute"</h2>
                {attribute_form(paths::at(paths::ATTRIBUTE, &[&a.id]), chrome.csrf_token.clone(), page.form.clone(),
                    page.errors.clone(), None, "Save attribute")}
            </section>
        }
    });
    let body = view! {
        <p class="mb-2 text-sm"><a href=paths::ATTRIBUTES class="text-indigo-700 hover:underline">"All attributes"</a></p>
        <h1 class="mb-4 text-2xl font-semibold">{a.label.clone()}</h1>
        <Flash message=page.notice.clone()/>
        <section class="rounded-lg bg-white p-4 shadow-sm">
            <dl class="divide-y divide-slate-100">{facts}</dl>
            <p class="mt-2 text-sm text-slate-600">"Archiving hides the attribute from every form, search and export; customers' values are kept."</p>
        </section>
        {manage}
    };
    console_document(&chrome, "Profile attribute", body)
}
