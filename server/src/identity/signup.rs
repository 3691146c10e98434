//! Creating an account.
//!
//! The outcome looks the same whether or not the email was already
//! registered: the same page, a password hash computed either way, and a mail
//! to the address in both cases (a verification link, or a note that the
//! account exists). Only the owner of the mailbox learns which.

use super::verification;
use crate::audit;
use crate::directory::attributes::{self, Editor};
use crate::domain::links as paths;
use crate::domain::{
    Action, Attribute, Caller, Changes, CustomerId, DisplayName, Email, Error, FieldErrors,
    Problem, RequestContext, Result,
};
use crate::mail;
use crate::password::Password;
use crate::state::AppState;
use crate::store::NewCustomer;
use serde_json::json;
use std::collections::HashMap;

pub struct SignUpInput {
    pub email: String,
    pub display_name: String,
    pub password: Password,
    pub accept_terms: bool,
    /// The form's attribute fields (`attr.<key>`), as typed.
    pub attributes: HashMap<String, String>,
}

/// Whom the browser that signed up waits for: the new customer, or, when
/// the address was taken, an id of nobody, so that both answers (page,
/// cookies, session) are alike and tell the visitor nothing.
pub struct Pending(pub CustomerId);

pub async fn sign_up(
    state: &AppState,
    input: SignUpInput,
    ctx: &RequestContext,
) -> Result<Pending> {
    let mut errors = FieldErrors::new();
    let email = Email::parse(&input.email)
        .map_err(|e| errors.add("email", e))
        .ok();
    let name = DisplayName::parse(&input.display_name)
        .map_err(|e| errors.add("display_name", e))
        .ok();
    let user_inputs = [
        input.email.as_str(),
        input.display_name.as_str(),
        "gatehouse",
    ];
    if let Err(e) = state
        .config
        .password_policy
        .check(input.password.as_str(), &user_inputs)
    {
        errors.add("password", e);
    }
    let defs = state.store.list_attributes().await?;
    let fields = attributes::on_form(&defs, Editor::Customer);
    let values = attributes::read_form(fields, &input.attributes, Editor::Customer)
        .map_err(|e| errors.extend(e))
        .unwrap_or_default();
    if !input.accept_terms {
        errors.add("accept_terms", Problem::TermsNotAccepted);
    }
    let (Some(email), Some(name), true) = (email, name, errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };

    let hash = state.hasher.hash(input.password).await?;
    let id = CustomerId::new();
    let now = state.clock.now();
    let created = state
        .store
        .insert_customer(NewCustomer {
            id,
            email: &email,
            display_name: &name,
            password_hash: &hash,
            terms_version: &state.config.terms_version,
            now,
        })
        .await?;
    if created {
        let given: Changes = values.into_iter().filter(|(_, v)| v.is_some()).collect();
        welcome(state, ctx, id, &email, &defs, &given).await?;
        Ok(Pending(id))
    } else {
        let config = &state.config;
        let note = mail::already_registered_mail(
            mail::language(None, ctx.lang),
            email.as_str(),
            &config.link(paths::SIGN_IN),
            &config.link(paths::FORGOT_PASSWORD),
        );
        state.mailer.enqueue(note).await?;
        Ok(Pending(CustomerId::new()))
    }
}

/// A new customer's first steps: the attributes they gave, the audit
/// record and the verification mail.
async fn welcome(
    state: &AppState,
    ctx: &RequestContext,
    id: CustomerId,
    email: &Email,
    defs: &[Attribute],
    given: &Changes,
) -> Result<()> {
    tracing::info!(customer_id = %id, "customer signed up");
    let now = state.clock.now();
    if !given.is_empty() {
        state
            .store
            .set_customer_attributes(id, defs, given, now)
            .await?;
    }
    let terms = json!({ "terms_version": state.config.terms_version });
    audit::record(
        state,
        &ctx.acting_as(Caller::Customer(id)),
        Action::CustomerSignedUp,
        Some(id),
        terms,
    )
    .await?;
    verification::send_link(state, id, email, mail::language(None, ctx.lang)).await
}
