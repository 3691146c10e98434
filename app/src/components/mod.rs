//! Pieces shared by every page: header, form fields with errors, notices.

use crate::Chrome;
use crate::paths;
use leptos::prelude::*;

#[component]
pub fn Header(chrome: Chrome) -> impl IntoView {
    let t = chrome.lang;
    let signed_in = chrome.customer_name.clone().map(|name| {
        view! {
            <nav class="flex min-w-0 items-center gap-1 whitespace-nowrap text-sm sm:gap-3" aria-label=t.t("nav-account")>
                <a href=paths::ACCOUNT class="max-w-[7rem] truncate font-medium text-indigo-700 hover:underline sm:max-w-[14rem]">{name}</a>
                <form method="post" action=paths::ACCOUNT_HANDOFF>
                    <CsrfField token=chrome.csrf_token.clone()/>
                    <button type="submit" class="rounded-md px-2 py-1 text-slate-700 hover:bg-slate-200"
                        title=t.t("handoff-continue")>
                        <span class="hidden sm:inline">{t.t("handoff-continue")}</span>
                        <span class="sm:hidden">{t.t("handoff-continue-short")}</span>
                    </button>
                </form>
                <form method="post" action=paths::SIGN_OUT>
                    <CsrfField token=chrome.csrf_token.clone()/>
                    <button type="submit" class="rounded-md px-2 py-1 text-slate-700 hover:bg-slate-200">
                        {t.t("sign-out")}
                    </button>
                </form>
            </nav>
        }
    });
    view! {
        <header class="border-b border-slate-200 bg-white">
            <div class="mx-auto flex max-w-3xl items-center justify-between gap-3 px-4 py-3">
                <a href=paths::HOME class="text-lg font-semibold tracking-tight text-slate-900">{t.t("brand-default")}</a>
                {signed_in}
            </div>
        </header>
    }
}

/// The language menu under every hosted page: one button per language, in
/// that language's own name, so a customer who reads none of the current
/// page can still find theirs. Works without JavaScript.
#[component]
pub fn Footer(chrome: Chrome) -> impl IntoView {
    // Pages drawn without a session (errors) have no token to post with.
    if chrome.csrf_token.is_empty() {
        return None;
    }
    let t = chrome.lang;
    let choices = crate::Lang::ALL
        .into_iter()
        .map(|lang| {
            let current = lang == t;
            view! {
                <button type="submit" name="lang" value=lang.tag() lang=lang.tag() dir=lang.dir()
                    aria-current=current.then_some("true")
                    class=if current { "rounded px-2 py-1 font-semibold text-slate-900 underline" } else { "rounded px-2 py-1 text-indigo-700 hover:bg-slate-200" }>
                    {lang.own_name()}
                </button>
            }
        })
        .collect_view();
    Some(view! {
        <footer class="mx-auto w-full max-w-md px-4 pb-8 text-sm text-slate-600">
            <form method="post" action=paths::LANGUAGE class="flex flex-wrap items-center justify-center gap-1">
                <CsrfField token=chrome.csrf_token.clone()/>
                <input type="hidden" name="back" value=chrome.here.clone()/>
                <span id="language-label">{t.t("language-menu")}</span>
                <span role="group" aria-labelledby="language-label" class="flex flex-wrap gap-1">{choices}</span>
            </form>
        </footer>
    })
}

/// "Signing in to continue to Web Shop", with its logo: above every page
/// the customer passes on the way from an application.
pub fn app_banner(t: crate::Lang, app: crate::AppBadge) -> impl IntoView {
    // The name says who asks; the logo only adds to it (empty alt text).
    let logo = app.logo_url.map(|src| {
        view! { <img src=src alt="" width="32" height="32" class="h-8 w-8 rounded object-contain"/> }
    });
    view! {
        <p class="mb-4 flex min-w-0 items-center gap-3 text-sm text-slate-700" data-app-banner="">
            {logo}
            <span class="min-w-0 break-words">{t.tf("app-continue", &[("app", app.name.into())])}</span>
        </p>
    }
}

/// The hidden CSRF token every state-changing form carries.
#[component]
pub fn CsrfField(token: String) -> impl IntoView {
    view! { <input type="hidden" name="csrf_token" value=token/> }
}

/// A labelled input with its hint and validation error, wired for screen readers.
#[component]
pub fn Field(
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(optional_no_strip)] error: Option<String>,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(default = 200)] maxlength: usize,
    #[prop(default = true)] required: bool,
    /// The element id, where a page has two fields of one name.
    #[prop(optional, into)]
    id: Option<String>,
) -> impl IntoView {
    // An empty hint is no hint (callers with an optional one pass "").
    let hint = hint.filter(|h| !h.is_empty());
    let id = id.unwrap_or_else(|| format!("field-{name}"));
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = match (hint.is_some(), error.is_some()) {
        (true, true) => format!("{hint_id} {error_id}"),
        (true, false) => hint_id.clone(),
        (false, true) => error_id.clone(),
        (false, false) => String::new(),
    };
    let invalid = error.is_some();
    let input_class = if invalid {
        "mt-1 block w-full rounded-md border border-red-500 bg-white px-3 py-2 text-base shadow-sm focus:outline-none focus:ring-2 focus:ring-red-500"
    } else {
        "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-base shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500"
    };
    view! {
        <div class="mb-4">
            <label for=id.clone() class="block text-sm font-medium text-slate-700">{label}</label>
            <input
                id=id
                name=name
                type=kind
                value=value
                autocomplete=autocomplete
                maxlength=maxlength
                required=required
                aria-invalid=invalid.then_some("true")
                aria-describedby=(!described_by.is_empty()).then_some(described_by)
                class=input_class
            />
            {hint.map(|h| view! { <p id=hint_id class="mt-1 text-sm text-slate-500">{h}</p> })}
            {error.map(|e| view! { <p id=error_id class="mt-1 text-sm font-medium text-red-700">{e}</p> })}
        </div>
    }
}

/// A message shown above a form: `tone` is "error", "success" or "info".
#[component]
pub fn Notice(tone: &'static str, message: String) -> impl IntoView {
    let class = match tone {
        "error" => "mb-4 rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800",
        "success" => {
            "mb-4 rounded-md border border-green-200 bg-green-50 px-4 py-3 text-sm text-green-800"
        }
        _ => "mb-4 rounded-md border border-sky-200 bg-sky-50 px-4 py-3 text-sm text-sky-900",
    };
    let role = if tone == "error" { "alert" } else { "status" };
    view! { <div class=class role=role>{message}</div> }
}

#[component]
pub fn SubmitButton(#[prop(into)] label: String) -> impl IntoView {
    view! {
        <button
            type="submit"
            class="w-full rounded-md bg-indigo-600 px-4 py-2 text-base font-semibold text-white shadow-sm hover:bg-indigo-700 focus:outline-none focus:ring-2 focus:ring-indigo-500 focus:ring-offset-2"
        >
            {label}
        </button>
    }
}

/// The white card every hosted page sits in.
#[component]
pub fn Card(title: String, children: Children) -> impl IntoView {
    view! {
        <section class="rounded-lg border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
            <h1 class="mb-6 text-2xl font-semibold tracking-tight">{title}</h1>
            {children()}
        </section>
    }
}

/// The one-time message a page shows after a redirect (POST-redirect-GET).
#[component]
pub fn Flash(message: Option<String>) -> impl IntoView {
    message.map(|m| view! { <Notice tone="success" message=m/> })
}

/// Padding shared by every table cell, so tables line up across pages.
pub const CELL: &str = "px-3 py-2";

/// An outlined button: an action beside the page's main one.
pub const OUTLINE_BUTTON: &str = "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-semibold text-slate-800 hover:bg-slate-50 focus:outline-none focus:ring-2 focus:ring-indigo-500 focus:ring-offset-2";

/// An outlined red button: an action that takes something away, quieter
/// than the console's solid "danger" one.
pub const OUTLINE_DANGER_BUTTON: &str = "rounded-md border border-red-300 bg-white px-3 py-1.5 text-sm font-semibold text-red-800 hover:bg-red-50 focus:outline-none focus:ring-2 focus:ring-red-500 focus:ring-offset-2";

/// A scrollable table with a caption for screen readers, column headers and
/// a line of text in place of the rows when there are none.
#[component]
pub fn DataTable(
    caption: &'static str,
    headers: Vec<&'static str>,
    /// Shown instead of the rows when `rows` is zero.
    empty: &'static str,
    rows: usize,
    children: Children,
) -> impl IntoView {
    let headers = headers
        .into_iter()
        .map(|h| view! { <th scope="col" class=CELL>{h}</th> })
        .collect_view();
    view! {
        // `relative` keeps visually hidden labels (absolutely positioned) inside
        // the scrolling box; otherwise they widen the page on a phone.
        <div class="relative overflow-x-auto rounded-lg bg-white shadow-sm">
            <table class="min-w-full text-start text-sm">
                <caption class="sr-only">{caption}</caption>
                <thead class="bg-slate-50 text-slate-600"><tr>{headers}</tr></thead>
                <tbody>{children()}</tbody>
            </table>
            {(rows == 0).then(|| view! { <p class="px-3 py-6 text-sm text-slate-600">{empty}</p> })}
        </div>
    }
}

/// A labelled checkbox (value "yes" when ticked) with a hint and an error.
pub fn checkbox(
    name: &str,
    label: &str,
    hint: &str,
    checked: bool,
    error: Option<String>,
) -> impl IntoView + use<> {
    let id = format!("field-{}", name.replace(['.', ':'], "-"));
    let hint_id = format!("{id}-hint");
    let (name, label) = (name.to_string(), label.to_string());
    let hint = (!hint.is_empty()).then(|| {
        view! { <p id=hint_id.clone() class="ms-6 text-sm text-slate-500">{hint.to_string()}</p> }
    });
    let error_id = format!("{id}-error");
    let described_by = [
        hint.is_some().then(|| hint_id.clone()),
        error.is_some().then(|| error_id.clone()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let described_by = (!described_by.is_empty()).then_some(described_by);
    view! {
        <div class="mb-4">
            <div class="flex items-start gap-2">
                <input id=id.clone() type="checkbox" name=name value="yes" checked=checked aria-describedby=described_by
                    aria-invalid=error.is_some().then_some("true") class="mt-1 h-4 w-4 rounded border-slate-300"/>
                <label for=id class="text-sm font-medium text-slate-700">{label}</label>
            </div>
            {hint}
            {error.map(|e| view! { <p id=error_id class="ms-6 mt-1 text-sm font-medium text-red-700">{e}</p> })}
        </div>
    }
}

/// A one-button form that posts to `action` (with the CSRF token): how every
/// console action that needs no input is taken. `tone` is "danger" or "neutral".
#[component]
pub fn PostButton(
    action: String,
    label: String,
    csrf: String,
    #[prop(default = "neutral")] tone: &'static str,
    /// An accessible name when the visible label is ambiguous (e.g. in a table row).
    #[prop(optional, into)]
    aria_label: Option<String>,
) -> impl IntoView {
    let class = match tone {
        "danger" => DANGER_BUTTON,
        _ => {
            "rounded-md bg-slate-800 px-3 py-1.5 text-sm font-semibold text-white hover:bg-slate-700 focus:outline-none focus:ring-2 focus:ring-indigo-500 focus:ring-offset-2"
        }
    };
    view! {
        <form method="post" action=action>
            <CsrfField token=csrf/>
            <button type="submit" class=class aria-label=aria_label>{label}</button>
        </form>
    }
}

/// A message with a view in its `HOLE` (a date kept on one line, a name in
/// bold): the words around it come from the catalogue, so each language
/// puts the view where its grammar wants it.
pub fn around<V: IntoView>(text: &str, inner: V) -> (String, V, String) {
    let (before, after) = text.split_once(crate::i18n::HOLE).unwrap_or((text, ""));
    (before.to_string(), inner, after.to_string())
}

/// A destructive action that asks first: a quiet outlined button opens the
/// question and the red button that does it. A `<details>`, so it needs no
/// script and a stray click takes nothing away.
#[component]
pub fn ConfirmAction(
    action: String,
    /// The quiet button that opens the question.
    label: String,
    /// The question, saying what is lost.
    question: String,
    /// The red button that does it.
    confirm: String,
    cancel: String,
    csrf: String,
    /// An accessible name for `label` when a list has several.
    #[prop(optional, into)]
    aria_label: Option<String>,
    /// Hidden fields the action needs: (name, value).
    #[prop(optional)]
    fields: Vec<(String, String)>,
) -> impl IntoView {
    let fields = fields
        .into_iter()
        .map(|(name, value)| view! { <input type="hidden" name=name value=value/> })
        .collect_view();
    view! {
        <details class="group shrink-0" data-confirm="">
            <summary class=format!("{OUTLINE_DANGER_BUTTON} inline-block cursor-pointer list-none group-open:hidden") aria-label=aria_label>{label}</summary>
            <div class="mt-2 rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-900">
                <p class="mb-3">{question}</p>
                <form method="post" action=action class="flex flex-wrap items-center gap-3">
                    <CsrfField token=csrf/>
                    {fields}
                    <button type="submit" class=DANGER_BUTTON>{confirm}</button>
                    // Closes the question again without a script: a link to this
                    // page (the form state is not worth a round trip of its own).
                    <a href="" class="font-medium text-slate-700 hover:underline">{cancel}</a>
                </form>
            </div>
        </details>
    }
}

/// A solid red button: the confirmed destructive action itself.
pub const DANGER_BUTTON: &str = "rounded-md bg-red-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-red-800 focus:outline-none focus:ring-2 focus:ring-red-500 focus:ring-offset-2";

/// A link that looks like the page's main button (it leads to the action's
/// own page).
pub const PRIMARY_LINK: &str = "inline-block rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-700 focus:outline-none focus:ring-2 focus:ring-indigo-500 focus:ring-offset-2";

/// A labelled drop-down list, wired like `Field`. `options` are (value, text);
/// an empty value is the "nothing chosen" entry.
#[component]
pub fn SelectField(
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    options: Vec<(String, String)>,
    #[prop(optional, into)] selected: String,
    #[prop(optional_no_strip)] error: Option<String>,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(default = true)] required: bool,
) -> impl IntoView {
    let id = format!("field-{name}");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = [
        hint.is_some().then(|| hint_id.clone()),
        error.is_some().then(|| error_id.clone()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let invalid = error.is_some();
    let class = if invalid {
        "mt-1 block w-full rounded-md border border-red-500 bg-white px-3 py-2 text-base"
    } else {
        "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-base"
    };
    let options = options
        .into_iter()
        .map(|(value, text)| {
            let chosen = value == selected;
            view! { <option value=value selected=chosen>{text}</option> }
        })
        .collect_view();
    view! {
        <div class="mb-4">
            <label for=id.clone() class="block text-sm font-medium text-slate-700">{label}</label>
            <select id=id name=name class=class required=required
                aria-invalid=invalid.then_some("true")
                aria-describedby=(!described_by.is_empty()).then_some(described_by)>
                {options}
            </select>
            {hint.map(|h| view! { <p id=hint_id class="mt-1 text-sm text-slate-500">{h}</p> })}
            {error.map(|e| view! { <p id=error_id class="mt-1 text-sm font-medium text-red-700">{e}</p> })}
        </div>
    }
}

/// One profile attribute's field, as sign-up, the account page and the
/// console show it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AttributeInput {
    /// The form field's name (`attr.<key>`).
    pub name: String,
    pub label: String,
    /// The attribute's type: text, number, boolean, date, choice, email or phone.
    pub kind: &'static str,
    pub value: String,
    pub choices: Vec<String>,
    pub required: bool,
    pub error: Option<String>,
}

/// The input that suits an attribute's type. Optional fields say so in
/// their label, so customers know what they may skip.
#[component]
pub fn AttributeField(input: AttributeInput) -> impl IntoView {
    let label = if input.required {
        input.label.clone()
    } else {
        format!("{} (optional)", input.label)
    };
    let empty = (String::new(), "Not given".to_string());
    match input.kind {
        "boolean" => {
            let options = vec![
                empty,
                ("true".into(), "Yes".into()),
                ("false".into(), "No".into()),
            ];
            view! { <SelectField name=input.name label=label options=options selected=input.value
            error=input.error required=input.required/> }
            .into_any()
        }
        "choice" => {
            let options = std::iter::once(empty)
                .chain(input.choices.into_iter().map(|c| (c.clone(), c)))
                .collect();
            view! { <SelectField name=input.name label=label options=options selected=input.value
            error=input.error required=input.required/> }
            .into_any()
        }
        kind => {
            let (kind, autocomplete, hint) = match kind {
                "date" => ("date", "off", Some("Like 1990-04-25.")),
                "email" => ("email", "off", None),
                "phone" => (
                    "tel",
                    "tel",
                    Some("With + and the country code, like +44 20 7946 0958."),
                ),
                "number" => ("text", "off", Some("A number, like 42 or 3.5.")),
                _ => ("text", "off", None),
            };
            view! { <Field name=input.name label=label kind=kind value=input.value error=input.error
            autocomplete=autocomplete maxlength=500 required=input.required
            hint=hint.unwrap_or_default()/> }
            .into_any()
        }
    }
}

/// The term/value rows of a record's summary (`<dl>` contents), alike on
/// every console page.
/// A `<textarea>`'s text, escaped: Leptos writes a textarea's children as
/// they are (it treats them as raw text), so a saved value holding
/// `</textarea>` would otherwise end the element and come back as markup.
pub fn textarea_text(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            c => escaped.push(c),
        }
    }
    escaped
}

pub fn fact_rows<T: Into<String>, I: IntoIterator<Item = (T, String)>>(
    facts: I,
) -> impl IntoView + use<T, I> {
    facts
        .into_iter()
        .map(|(term, value)| {
            let term: String = term.into();
            view! {
                <div class="py-2 sm:grid sm:grid-cols-3 sm:gap-4">
                    <dt class="text-sm font-medium text-slate-500">{term}</dt>
                    <dd class="text-sm break-all sm:col-span-2">{value}</dd>
                </div>
            }
        })
        .collect_view()
}

/// One second factor as every list shows it (a customer's security page,
/// an admin's own, a customer's record in the console): names and dates,
/// never a secret.
/// A signed-in device (a session) in words, as the customer's device list
/// and the console show it.
#[derive(Clone, Debug, Default)]
pub struct DeviceRow {
    pub id: String,
    /// "Chrome on Android".
    pub device: String,
    /// "Password and authenticator app", or "Handoff from Chrome on macOS".
    pub began: String,
    /// The device it was handed off from ("Chrome on macOS"), if it was.
    pub handed_off_from: Option<String>,
    /// A shared screen's session: when it signs itself out.
    pub shared_until: Option<String>,
    pub started: String,
    pub last_seen: String,
    /// The address it was last signed in from.
    pub source: String,
    /// The device showing the list.
    pub current: bool,
}

#[derive(Clone, Debug, Default)]
pub struct FactorRow {
    pub id: String,
    /// "Passkey" or "Authenticator app".
    pub kind: String,
    pub name: String,
    pub created: String,
    pub last_used: String,
}
