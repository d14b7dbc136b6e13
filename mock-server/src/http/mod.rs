//! axum adapters: extract → one engine call → DTO. No business rules here.

pub mod admin;
pub mod app2app;
pub mod console;
pub mod dto;
pub mod extract;
pub mod faults;
pub mod ios;
pub mod journal;
pub mod oauth;
pub mod openapi;
pub mod persist;
pub mod proxy;
pub mod tasks;
pub mod transactions;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

use crate::error;
use crate::state::AppState;

/// The whole HTTP surface: GP tom routes behind the fault layer, `/__admin` behind the optional admin token,
/// the 404 fallback, and the journal layer (which also writes error bodies) around everything. Every route is
/// registered with its `#[utoipa::path]` entry, so `/openapi.json` lists exactly what the router answers.
pub fn router(state: AppState) -> Router {
    let vendor = vendor_routes().layer(from_fn_with_state(state.clone(), faults::apply)); // /__admin is never faulted
    let admin =
        admin::routes().route_layer(from_fn_with_state(state.clone(), admin::require_token));
    let (routes, doc) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(vendor)
        .merge(admin)
        .merge(admin::public_routes())
        .merge(console::routes())
        .split_for_parts();
    let latency = state.with_engine(|e, _| e.world().latency.keys().cloned().collect::<Vec<_>>());
    routes
        .merge(SwaggerUi::new("/docs").url("/openapi.json", openapi::document(doc, latency)))
        .fallback(error::not_found)
        // One layer around everything: journal, error bodies, log line (each extra layer costs per request).
        .layer(from_fn_with_state(state.clone(), journal::record))
        .layer(DefaultBodyLimit::max(state.config().body_limit))
        .with_state(state)
}

/// The GP tom routes (Cloud API and device channels), each with its `#[utoipa::path]` entry.
fn vendor_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(oauth::routes())
        .merge(tasks::routes())
        .merge(transactions::routes())
        .merge(ios::routes())
        .merge(app2app::routes())
}

/// The OpenAPI document of the routes the mock answers, as the router registers them (without the values only
/// a running mock knows): the proxy checks a real GP tom's answers against its schemas.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    OpenApiRouter::<AppState>::with_openapi(openapi::ApiDoc::openapi())
        .merge(vendor_routes())
        .split_for_parts()
        .1
}
