use super::{ConsoleChrome, console_document};
use crate::FieldErrors;
use crate::components::{
    CELL, CsrfField, DataTable, Field, Flash, PostButton, SelectField, checkbox, fact_rows,
    textarea_text,
};
use crate::paths;
use leptos::prelude::*;

/// An application as the console lists it.
#[derive(Clone, Debug, Default)]
pub struct AppRow {
    pub id: String,
    pub name: String,
    pub public: bool,
    pub first_party: bool,
    pub enabled: bool,
    /// It holds a secret (not public, not private_key_jwt): one can be rotated.
    pub has_secret: bool,
    /// Its grant types, in words.
    pub grants: String,
    pub created: String,
}

/// What the registration form offers: (value, words) for each grant type
/// and scope, and the ID token algorithms.
#[derive(Clone, Debug, Default)]
pub struct AppChoices {
    pub grants: Vec<(String, String)>,
    pub scopes: Vec<(String, String)>,
    pub algs: Vec<(String, String)>,
}

/// The registration form's values, as stored or as typed.
#[derive(Clone, Debug, Default)]
pub struct AppFormValues {
    pub name: String,
    pub public: bool,
    pub first_party: bool,
    pub resource_server: bool,
    /// One per line.
    pub redirect_uris: String,
    pub post_logout_redirect_uris: String,
    pub grant_types: Vec<String>,
    pub scopes: Vec<String>,
    /// In seconds, as typed.
    pub access_token_ttl: String,
    pub refresh_token_ttl: String,
    pub id_token_alg: String,
    pub logo_url: String,
    /// A JWKS document, for private_key_jwt.
    pub jwks: String,
    pub backchannel_logout_uri: String,
    pub initiate_login_uri: String,
}

#[derive(Clone, Debug, Default)]
pub struct AppsView {
    pub apps: Vec<AppRow>,
    pub can_manage: bool,
    pub choices: AppChoices,
    pub form: AppFormValues,
    pub errors: FieldErrors,
    pub notice: Option<String>,
}

/// A customer the application holds access for.
#[derive(Clone, Debug, Default)]
pub struct HolderRow {
    pub customer_id: String,
    pub email: String,
    pub since: String,
}

/// A secret shown this once, just after it was made.
#[derive(Clone, Debug, Default)]
pub struct NewSecret {
    pub secret: String,
    /// What happened to the secrets before it.
    pub note: String,
}

#[derive(Clone, Debug, Default)]
pub struct AppDetailView {
    pub app: AppRow,
    /// The settings in words (redirect URIs, scopes, lifetimes...).
    pub facts: Vec<(String, String)>,
    pub can_manage: bool,
    pub choices: AppChoices,
    pub form: AppFormValues,
    pub errors: FieldErrors,
    pub notice: Option<String>,
    pub new_secret: Option<NewSecret>,
    /// How many customers it holds access for, in words ("3", "10,000 or more").
    pub holder_count: String,
    pub holders: Vec<HolderRow>,
}

fn text_area(
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    value: String,
    error: Option<String>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = match error {
        Some(_) => format!("{hint_id} {error_id}"),
        None => hint_id.clone(),
    };
    view! {
        <div class="mb-4 sm:col-span-2">
            <label for=id.clone() class="block text-sm font-medium text-slate-700">{label}</label>
            <textarea id=id name=name rows="3" maxlength="42000" aria-describedby=described_by
                aria-invalid=error.is_some().then_some("true")
                class="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm">{textarea_text(&value)}</textarea>
            <p id=hint_id class="mt-1 text-sm text-slate-500">{hint}</p>
            {error.map(|e| view! { <p id=error_id class="mt-1 text-sm font-medium text-red-700">{e}</p> })}
        </div>
    }
}

/// A group of checkboxes named `{prefix}.{value}`, one per choice.
fn choice_group(
    prefix: &'static str,
    legend: &'static str,
    choices: &[(String, String)],
    ticked: &[String],
    error: Option<String>,
) -> impl IntoView + use<> {
    let boxes = choices
        .iter()
        .map(|(value, words)| {
            checkbox(
                &format!("{prefix}.{value}"),
                words,
                "",
                ticked.contains(value),
                None,
            )
        })
        .collect_view();
    view! {
        <fieldset class="mb-2 sm:col-span-2">
            <legend class="mb-2 text-sm font-medium text-slate-700">{legend}</legend>
            {error.map(|e| view! { <p id=format!("field-{prefix}-error") class="mb-2 text-sm font-medium text-red-700">{e}</p> })}
            <div class="grid grid-cols-1 sm:grid-cols-2">{boxes}</div>
        </fieldset>
    }
}

/// The registration form; a new application also chooses whether it is
/// public, which stays fixed afterwards.
fn app_form(
    action: String,
    csrf: String,
    values: AppFormValues,
    errors: FieldErrors,
    choices: AppChoices,
    new: bool,
) -> impl IntoView {
    let kind = new.then(|| {
        checkbox(
            "public",
            "Public client",
            "A mobile, desktop, TV or single-page app that cannot keep a secret: no secret, PKCE required. It cannot change later.",
            values.public,
            None,
        )
    });
    let submit = if new {
        "Register application"
    } else {
        "Save application"
    };
    view! {
        <form method="post" action=action novalidate class="grid grid-cols-1 gap-x-4 sm:grid-cols-2">
            <CsrfField token=csrf/>
            <Field name="name" label="Name" value=values.name error=errors.get("name") maxlength=100
                hint="Shown to customers on the sign-in, consent and device pages."/>
            <Field name="logo_url" label="Logo address" value=values.logo_url error=errors.get("logo_url") maxlength=2000
                required=false hint="Optional; an https:// image shown beside the name."/>
            {text_area("redirect_uris", "Redirect URIs",
                "One per line, matched exactly. https, http only to localhost, or an app's own scheme (com.example.app:/callback).",
                values.redirect_uris, errors.get("redirect_uris"))}
            {text_area("post_logout_redirect_uris", "Post-logout redirect URIs",
                "One per line: where the application may send customers after signing them out.",
                values.post_logout_redirect_uris, errors.get("post_logout_redirect_uris"))}
            <Field name="backchannel_logout_uri" label="Back-channel logout URI" value=values.backchannel_logout_uri
                error=errors.get("backchannel_logout_uri") maxlength=2000 required=false
                hint="Optional: Gatehouse posts a signed logout token here when a customer's session ends (OpenID Connect Back-Channel Logout)."/>
            <Field name="initiate_login_uri" label="Login initiation URI" value=values.initiate_login_uri
                error=errors.get("initiate_login_uri") maxlength=2000 required=false
                hint="Optional: where the app starts a sign-in when Gatehouse asks (iss, login_hint, target_link_uri). Needed to hand a customer to another device."/>
            {choice_group("grant", "Grant types", &choices.grants, &values.grant_types, errors.get("grant_types"))}
            {choice_group("scope", "Scopes it may ask for", &choices.scopes, &values.scopes, errors.get("scopes"))}
            {text_area("jwks", "Public keys (JWKS)",
                "Optional, confidential clients only: the application then signs in with private_key_jwt and is given no secret. Public keys only.",
                values.jwks, errors.get("jwks"))}
            <Field name="access_token_ttl" label="Access token lifetime (seconds)" kind="number" value=values.access_token_ttl
                error=errors.get("token_lifetimes") maxlength=8 hint="60 to 86400; 3600 is an hour."/>
            <Field name="refresh_token_ttl" label="Refresh token lifetime (seconds)" kind="number" value=values.refresh_token_ttl
                maxlength=9 hint="3600 to 34560000; 2592000 is 30 days."/>
            <SelectField name="id_token_alg" label="ID token signature" options=choices.algs selected=values.id_token_alg
                error=errors.get("id_token_alg") hint="RS256 is what every client library accepts."/>
            <div class="sm:col-span-2">
                {kind}
                {checkbox("first_party", "First-party application",
                    "The organisation's own: customers are not asked to consent to what it sees.", values.first_party, None)}
                {checkbox("resource_server", "Resource server",
                    "An API that accepts access tokens: it may introspect those of every application (others only their own). Confidential clients only.",
                    values.resource_server, errors.get("resource_server"))}
            </div>
            <div class="sm:col-span-2">
                <button type="submit" class="rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700">{submit}</button>
            </div>
        </form>
    }
}

fn status(app: &AppRow) -> &'static str {
    if app.enabled { "Enabled" } else { "Disabled" }
}

fn kind(app: &AppRow) -> &'static str {
    match (app.public, app.first_party) {
        (true, true) => "Public, first-party",
        (true, false) => "Public, third-party",
        (false, true) => "Confidential, first-party",
        (false, false) => "Confidential, third-party",
    }
}

pub fn apps_page(chrome: &ConsoleChrome, page: &AppsView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let count = page.apps.len();
    let rows = page
        .apps
        .iter()
        .map(|a| {
            view! {
                <tr class="border-t border-slate-200">
                    <td class=CELL>
                        <a href=paths::at(paths::APP, &[&a.id]) class="font-medium text-indigo-700 hover:underline">{a.name.clone()}</a>
                    </td>
                    <td class=format!("{CELL} font-mono text-xs break-all")>{a.id.clone()}</td>
                    <td class=CELL>{kind(a)}</td>
                    <td class=CELL>{a.grants.clone()}</td>
                    <td class=CELL>{status(a)}</td>
                </tr>
            }
        })
        .collect_view();
    let create = page.can_manage.then(|| {
        view! {
            <section class="mt-6 rounded-lg bg-white p-4 shadow-sm">
                <h2 class="mb-3 text-lg font-semibold">"Register an application"</h2>
                {app_form(paths::APPS.into(), chrome.csrf_token.clone(), page.form.clone(), page.errors.clone(),
                    page.choices.clone(), true)}
            </section>
        }
    });
    let body = view! {
        <h1 class="mb-4 text-2xl font-semibold">"Applications"</h1>
        <p class="mb-4 text-sm text-slate-600">"The organisation's apps that sign customers in with Gatehouse (OpenID Connect)."</p>
        <Flash message=page.notice.clone()/>
        <DataTable caption="Applications" headers=vec!["Name", "Client id", "Kind", "Grants", "Status"]
            empty="No applications yet." rows=count>{rows}</DataTable>
        {create}
    };
    console_document(&chrome, "Applications", body)
}

pub fn app_detail_page(chrome: &ConsoleChrome, page: &AppDetailView) -> String {
    let (chrome, page) = (chrome.clone(), page.clone());
    let a = page.app.clone();
    let csrf = chrome.csrf_token.clone();
    let secret = page.new_secret.clone().map(|s| {
        view! {
            <section class="mb-6 rounded-lg border border-amber-300 bg-amber-50 p-4" aria-labelledby="new-secret">
                <h2 id="new-secret" class="mb-2 text-lg font-semibold">"The client secret, shown this once"</h2>
                <p class="mb-2 text-sm">"Copy it into the application's configuration now: Gatehouse keeps only its digest and cannot show it again."</p>
                <p class="mb-2 rounded-md bg-white p-2 font-mono text-sm break-all" data-testid="client-secret">{s.secret}</p>
                <p class="text-sm text-slate-700">{s.note}</p>
            </section>
        }
    });
    let mut facts = vec![
        ("Client id".to_string(), a.id.clone()),
        ("Kind".to_string(), kind(&a).to_string()),
        ("Status".to_string(), status(&a).to_string()),
        ("Registered".to_string(), a.created.clone()),
    ];
    facts.extend(page.facts.iter().cloned());
    let facts = fact_rows(facts);
    let manage = page.can_manage.then(|| {
        let toggle = if a.enabled {
            view! {
                <PostButton action=paths::at(paths::APP_ACTION, &[&a.id, &"disable"]) label="Disable application".to_string()
                    csrf=csrf.clone() tone="danger"/>
            }
            .into_any()
        } else {
            view! {
                <PostButton action=paths::at(paths::APP_ACTION, &[&a.id, &"enable"]) label="Enable application".to_string()
                    csrf=csrf.clone()/>
            }
            .into_any()
        };
        let rotate = a.has_secret.then(|| {
            view! {
                <PostButton action=paths::at(paths::APP_ACTION, &[&a.id, &"rotate-secret"]) label="New client secret".to_string()
                    csrf=csrf.clone()/>
            }
        });
        view! {
            <div class="mt-4 flex flex-wrap gap-2">{toggle}{rotate}</div>
            <p class="mt-2 text-sm text-slate-600">
                "Disabled, it can neither sign customers in nor refresh tokens; customers' grants are kept for when it is enabled again. "
                "A new secret leaves the current one working for 24 hours, to redeploy the application."
            </p>
        }
    });
    let edit = page.can_manage.then(|| {
        view! {
            <section class="mt-6 rounded-lg bg-white p-4 shadow-sm">
                <h2 class="mb-3 text-lg font-semibold">"Edit application"</h2>
                {app_form(paths::at(paths::APP, &[&a.id]), csrf.clone(), page.form.clone(), page.errors.clone(),
                    page.choices.clone(), false)}
            </section>
        }
    });
    let holder_rows = page.holders.len();
    let holders = page
        .holders
        .iter()
        .map(|h| {
            view! {
                <tr class="border-t border-slate-200">
                    <td class=CELL>
                        <a href=paths::at(paths::CUSTOMER, &[&h.customer_id]) class="font-medium text-indigo-700 hover:underline break-all">{h.email.clone()}</a>
                    </td>
                    <td class=CELL>{h.since.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let body = view! {
        <p class="mb-2 text-sm"><a href=paths::APPS class="text-indigo-700 hover:underline">"All applications"</a></p>
        <h1 class="mb-4 text-2xl font-semibold break-all">{a.name.clone()}</h1>
        <Flash message=page.notice.clone()/>
        {secret}
        <section class="rounded-lg bg-white p-4 shadow-sm">
            <dl class="divide-y divide-slate-100">{facts}</dl>
            {manage}
        </section>
        <h2 class="mb-2 mt-6 text-lg font-semibold">"Active grants"</h2>
        <p class="mb-2 text-sm text-slate-600">{format!("Customers it holds access for: {}. The latest are listed; revoke one from the customer's page.", page.holder_count)}</p>
        <DataTable caption="Active grants" headers=vec!["Customer", "Granted"]
            empty="No customer has granted it access." rows=holder_rows>{holders}</DataTable>
        {edit}
    };
    console_document(&chrome, "Application", body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_areas_value_is_text_never_markup() {
        let saved = "https://a.example/cb\n</textarea><script>alert(1)</script>".to_string();
        let html = Owner::new().with(|| {
            text_area(
                "redirect_uris",
                "Redirect URIs",
                "One per line.",
                saved,
                None,
            )
            .to_html()
        });
        assert!(!html.contains("<script>"), "{html}");
        assert!(
            html.contains("&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea>"),
            "{html}"
        );
    }
}
