//! `/__console`: the web console for QA — the terminals as device screens with the buttons a person at them
//! would press, the journal and the client checks, live. One self-contained page embedded in the binary (no
//! fonts, scripts or styles from elsewhere); everything it shows and does goes through the admin API with the
//! admin token, which the page asks for when the mock has one. The page itself holds no data, so it is served
//! without the token.

use axum::http::header;
use axum::response::IntoResponse;

/// The page.
pub const PAGE: &str = include_str!("console.html");

super::api! {
    /// The console's route.
    pub fn routes / doc: [page]
}

/// The console: terminals, journal and client checks, live.
#[utoipa::path(get, path = "/__console", tag = "Console (not GP tom)", responses((status = 200, description = "The console page (HTML); its data comes from the admin API", content_type = "text/html")))]
pub async fn page() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        PAGE,
    )
}
