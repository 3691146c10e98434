//! Profile attributes in the console: every role reads them, owners define them.

use super::{SignedInAdmin, answer, page};
use crate::directory::attributes::{self, AttributeDraft, Editor};
use crate::domain::{Attribute, AttributeId, Error, Kind, Problem, Record, Result};
use crate::http::extract::FormData;
use crate::state::AppState;
use app::console::*;
use app::paths;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use uuid::Uuid;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::ATTRIBUTES, get(list).post(create))
        .route(paths::ATTRIBUTE, get(detail).post(update))
        .route(paths::ATTRIBUTE_ACTION, post(act))
}

fn row(a: &Attribute) -> AttributeRow {
    let rules = [
        (a.required, "required"),
        (!a.customer_editable, "admins only"),
        (a.searchable, "searchable"),
        (a.personal, "personal data"),
    ]
    .into_iter()
    .filter_map(|(on, word)| on.then_some(word))
    .collect::<Vec<_>>();
    let kind = match a.kind {
        Kind::Choice => format!("{}: {}", a.kind.label(), a.choices.join(", ")),
        kind => kind.label().to_string(),
    };
    AttributeRow {
        id: a.id.to_string(),
        key: a.key.clone(),
        label: a.label.clone(),
        kind,
        rules: if rules.is_empty() {
            "optional".into()
        } else {
            rules.join(", ")
        },
        archived: a.archived,
    }
}

fn stored_values(a: &Attribute) -> AttributeFormValues {
    AttributeFormValues {
        key: a.key.clone(),
        label: a.label.clone(),
        kind: a.kind.as_str().into(),
        choices: a.choices.join("\n"),
        required: a.required,
        searchable: a.searchable,
        personal: a.personal,
        editable_by: if a.customer_editable {
            "customer"
        } else {
            "admin"
        }
        .into(),
    }
}

/// A definition as its form sends it (absent fields are empty).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
struct AttributeForm {
    key: String,
    label: String,
    kind: String,
    /// One per line (or separated by commas).
    choices: String,
    /// Checkboxes: present when ticked.
    required: Option<String>,
    searchable: Option<String>,
    personal: Option<String>,
    /// "customer" or "admin".
    editable_by: String,
}

impl AttributeForm {
    /// The typed definition the form stands for.
    fn draft(&self) -> AttributeDraft {
        AttributeDraft {
            key: self.key.clone(),
            label: self.label.clone(),
            kind: Kind::parse(self.kind.trim()),
            choices: self
                .choices
                .split(['\n', ','])
                .map(str::to_string)
                .collect(),
            required: self.required.is_some(),
            searchable: self.searchable.is_some(),
            personal: self.personal.is_some(),
            editable_by: match self.editable_by.as_str() {
                "customer" => Some(Editor::Customer),
                "admin" => Some(Editor::Admin),
                _ => None,
            },
        }
    }
}

/// The form as typed, to show again with its errors.
fn typed_values(f: AttributeForm) -> AttributeFormValues {
    AttributeFormValues {
        key: f.key,
        label: f.label,
        kind: f.kind,
        choices: f.choices,
        required: f.required.is_some(),
        searchable: f.searchable.is_some(),
        personal: f.personal.is_some(),
        editable_by: f.editable_by,
    }
}

async fn list_view(state: &AppState, admin: &SignedInAdmin) -> Result<AttributesView> {
    Ok(AttributesView {
        attributes: attributes::defined(state).await?.iter().map(row).collect(),
        kinds: Kind::ALL
            .iter()
            .map(|k| (k.as_str().to_string(), k.label().to_string()))
            .collect(),
        can_manage: admin.admin().role.can_manage_admins(),
        form: AttributeFormValues {
            editable_by: "customer".into(),
            ..Default::default()
        },
        ..Default::default()
    })
}

async fn list(State(state): State<AppState>, admin: SignedInAdmin) -> Result<Response> {
    let view = AttributesView {
        notice: admin.0.take_flash().await?,
        ..list_view(&state, &admin).await?
    };
    Ok(page(
        StatusCode::OK,
        attributes_page(&admin.0.chrome().await?, &view),
    ))
}

async fn create(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    FormData(fields): FormData<AttributeForm>,
) -> Result<Response> {
    let defined = attributes::define(&state, &fields.draft(), &admin.0.ctx).await;
    let saved = |a: Attribute| {
        let notice = format!("The attribute {} is defined.", a.label);
        (notice, paths::ATTRIBUTES.into())
    };
    answer(&admin, defined, saved, async |errors| {
        let view = AttributesView {
            form: typed_values(fields),
            errors: super::shown(&errors),
            ..list_view(&state, &admin).await?
        };
        Ok(attributes_page(&admin.0.chrome().await?, &view))
    })
    .await
}

fn parse_id(raw: &str) -> Result<AttributeId> {
    Uuid::parse_str(raw)
        .map(AttributeId)
        .map_err(|_| Error::BadRequest(Problem::NotAnId(Record::Attribute)))
}

async fn detail_view(
    state: &AppState,
    admin: &SignedInAdmin,
    id: AttributeId,
) -> Result<AttributeDetailView> {
    let a = attributes::get(state, id).await?;
    Ok(AttributeDetailView {
        attribute: row(&a),
        can_manage: admin.admin().role.can_manage_admins(),
        form: stored_values(&a),
        ..Default::default()
    })
}

async fn detail(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    Path(id): Path<String>,
) -> Result<Response> {
    let view = AttributeDetailView {
        notice: admin.0.take_flash().await?,
        ..detail_view(&state, &admin, parse_id(&id)?).await?
    };
    Ok(page(
        StatusCode::OK,
        attribute_detail_page(&admin.0.chrome().await?, &view),
    ))
}

async fn update(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    Path(id): Path<String>,
    FormData(fields): FormData<AttributeForm>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let updated = attributes::update(&state, id, &fields.draft(), &admin.0.ctx).await;
    let saved = |_| {
        let to = paths::at(paths::ATTRIBUTE, &[&id]);
        ("The attribute is saved.".into(), to)
    };
    answer(&admin, updated, saved, async |errors| {
        let view = AttributeDetailView {
            form: typed_values(fields),
            errors: super::shown(&errors),
            ..detail_view(&state, &admin, id).await?
        };
        Ok(attribute_detail_page(&admin.0.chrome().await?, &view))
    })
    .await
}

async fn act(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    Path((id, action)): Path<(String, String)>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let ctx = &admin.0.ctx;
    let (archived, message) = match action.as_str() {
        "archive" => (true, "The attribute is archived."),
        "unarchive" => (false, "The attribute is restored."),
        _ => return Err(Error::NotFound),
    };
    attributes::set_archived(&state, id, archived, ctx).await?;
    admin.0.flash(message).await?;
    Ok(Redirect::to(&paths::at(paths::ATTRIBUTE, &[&id])).into_response())
}
