//! The language of the request being answered, for what is drawn where no
//! extractor is at hand (error pages): its `Accept-Language` as it
//! arrives, then the visitor's own choice once the `Visitor` extractor
//! knows it.

use app::Lang;
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use std::cell::Cell;

tokio::task_local! {
    static SPEAKING: Cell<Lang>;
}

/// Every request is answered inside its language's scope. The console
/// speaks English until its catalogues come.
pub async fn speak(req: Request, next: Next) -> Response {
    let asked = if req.uri().path().starts_with(app::paths::CONSOLE) {
        Lang::En
    } else {
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Lang::from_accept_language)
            .unwrap_or_default()
    };
    SPEAKING.scope(Cell::new(asked), next.run(req)).await
}

/// The visitor's own language, once known.
pub fn heard(lang: Lang) {
    // Outside a `speak` scope (a handler called directly) there is nothing
    // to tell.
    let _ = SPEAKING.try_with(|speaking| speaking.set(lang));
}

/// The language the request being answered speaks (English outside one).
pub fn speaking() -> Lang {
    SPEAKING.try_with(Cell::get).unwrap_or_default()
}
