//! The stylesheet, compiled from Tailwind classes at build time (see
//! `server/build.rs`) and served from the binary under a content hash.

use app::paths;
use axum::Router;
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/gatehouse.css"));
pub const STYLESHEET_HREF: &str = concat!("/assets/gatehouse-", env!("GATEHOUSE_CSS_HASH"), ".css");

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route(paths::ASSET, get(asset))
}

async fn asset(Path(file): Path<String>) -> Response {
    if STYLESHEET_HREF.strip_prefix("/assets/") == Some(file.as_str()) {
        (
            [
                (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            CSS,
        )
            .into_response()
    } else {
        crate::domain::Error::NotFound.into_response()
    }
}

/// Chrome for pages rendered without a session (errors).
pub fn bare_chrome() -> app::Chrome {
    app::Chrome {
        stylesheet: STYLESHEET_HREF.into(),
        ..Default::default()
    }
}
