//! Choosing the language pages speak: the footer's menu on every page.

use super::{message, see_other};
use crate::domain::Result;
use crate::http::browser;
use crate::http::extract::{FormData, Visitor};
use crate::identity::account;
use crate::state::AppState;
use app::{Lang, paths};
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route(paths::LANGUAGE, post(choose))
}

#[derive(Deserialize)]
struct LanguageForm {
    #[serde(default)]
    lang: String,
    /// The page the menu was on.
    #[serde(default)]
    back: String,
}

/// Keeps the choice for this browser and, for a signed-in customer, on
/// their record (so mails and their other devices speak it too), then
/// shows the same page again.
async fn choose(
    State(state): State<AppState>,
    visitor: Visitor,
    FormData(form): FormData<LanguageForm>,
) -> Result<Response> {
    let back = own_page(&form.back);
    let Some(lang) = Lang::from_tag(&form.lang) else {
        let t = visitor.lang;
        let mut response = message(
            &visitor,
            &t.t("language-unknown-title"),
            "error",
            &t.t("language-unknown"),
            vec![super::link(back, &t.t("language-back"))],
        )
        .await?;
        *response.status_mut() = axum::http::StatusCode::BAD_REQUEST;
        return Ok(response);
    };
    browser::choose_lang(&visitor.session, lang).await?;
    if let Some(signed_in) = &visitor.signed_in {
        account::set_language(&state, &signed_in.customer, lang.tag(), &visitor.ctx).await?;
    }
    Ok(see_other(back).into_response())
}

/// Where the menu may lead back to: a path on this site, never another.
fn own_page(back: &str) -> &str {
    let local = back.starts_with('/')
        && !back.starts_with("//")
        && !back.starts_with("/\\")
        && !back.chars().any(char::is_control);
    if local { back } else { paths::HOME }
}

#[cfg(test)]
mod tests {
    use super::own_page;

    #[test]
    fn the_way_back_stays_on_this_site() {
        assert_eq!(own_page("/login?request=abc"), "/login?request=abc");
        assert_eq!(own_page("//evil.example/"), "/");
        assert_eq!(own_page("/\\evil.example/"), "/");
        assert_eq!(own_page("https://evil.example/"), "/");
        assert_eq!(own_page(""), "/");
    }
}
