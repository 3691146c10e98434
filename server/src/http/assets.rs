//! The stylesheet, compiled from Tailwind classes at build time (see
//! `server/build.rs`), and the page script, served from the binary under
//! content hashes.

use app::paths;
use axum::Router;
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/gatehouse.css"));
pub const STYLESHEET_HREF: &str = concat!("/assets/gatehouse-", env!("GATEHOUSE_CSS_HASH"), ".css");
/// The one script: passkey ceremonies (`app/assets/passkeys.js`).
const SCRIPT: &str = include_str!("../../../app/assets/passkeys.js");
pub const SCRIPT_HREF: &str = concat!("/assets/passkeys-", env!("GATEHOUSE_JS_HASH"), ".js");

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route(paths::ASSET, get(asset))
}

async fn asset(Path(file): Path<String>) -> Response {
    let (kind, body) = if STYLESHEET_HREF.strip_prefix("/assets/") == Some(file.as_str()) {
        ("text/css; charset=utf-8", CSS)
    } else if SCRIPT_HREF.strip_prefix("/assets/") == Some(file.as_str()) {
        ("text/javascript; charset=utf-8", SCRIPT)
    } else {
        return crate::domain::Error::NotFound.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        body,
    )
        .into_response()
}

/// Chrome for pages rendered without a session (errors).
pub fn bare_chrome() -> app::Chrome {
    app::Chrome {
        stylesheet: STYLESHEET_HREF.into(),
        ..Default::default()
    }
}
