//! axum adapters: extract → one engine call → DTO. No business rules here.

pub mod admin;
pub mod app2app;
pub mod console;
pub mod dto;
pub mod extract;
pub mod faults;
pub mod hot;
pub mod ios;
pub mod journal;
pub mod oauth;
pub mod openapi;
pub mod persist;
pub mod proxy;
pub mod tasks;
pub mod transactions;
pub mod wire;

use axum::Router;
use axum::extract::State;
use axum::handler::Handler;
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, get};
use utoipa::OpenApi as _;
use utoipa_axum::PathItemExt as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::error;
use crate::state::AppState;

/// A body's bytes, `None` past `limit` bytes or when reading fails. A body of one frame (every answer the mock
/// writes, most requests) is handed over as it is; `axum::body::to_bytes` would first gather it into a list of
/// buffers (a heap block and ~1 000 instructions a call). Like `to_bytes`, it stops at the first frame that goes
/// past the limit, without reading the rest.
pub async fn whole(mut body: axum::body::Body, limit: usize) -> Option<axum::body::Bytes> {
    use axum::body::HttpBody as _;
    let mut first = None::<axum::body::Bytes>;
    let mut more = Vec::new();
    let mut len = 0usize;
    while let Some(frame) =
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await
    {
        let Ok(data) = frame.ok()?.into_data() else {
            continue; // trailers
        };
        len = len.checked_add(data.len()).filter(|n| *n <= limit)?;
        match &first {
            None => first = Some(data),
            Some(f) => {
                if more.is_empty() {
                    more.extend_from_slice(f);
                }
                more.extend_from_slice(&data);
            }
        }
        if body.is_end_stream() {
            break;
        }
    }
    Some(if more.is_empty() {
        first.unwrap_or_default()
    } else {
        more.into()
    })
}

/// A module's route table, written once: `fn ROUTES` registers each handler on an axum router at the path and
/// methods of its `#[utoipa::path]`, and `fn DOC` builds the same table as a utoipa `OpenApiRouter` (with every
/// operation and schema) for the document. The two are apart so that start-up builds no OpenAPI operation:
/// that happens when `/openapi.json` is first read (or when the proxy loads the schemas). Each `[…]` group is
/// one path (as utoipa-axum's `routes!`).
macro_rules! api {
    ($(#[$meta:meta])* $vis:vis fn $routes:ident / $doc:ident: $([$($handler:ident),+ $(,)?]),+ $(,)?) => {
        $(#[$meta])*
        $vis fn $routes() -> axum::Router<crate::state::AppState> {
            let router = axum::Router::new();
            $($(
                let router = utoipa_axum::paste! {
                    crate::http::serve_at::<[<__path_ $handler>], _, _>(router, $handler)
                };
            )+)+
            router
        }

        /// The same routes with their OpenAPI operations, for the document (see `crate::http::api`).
        $vis fn $doc() -> utoipa_axum::router::OpenApiRouter<crate::state::AppState> {
            utoipa_axum::router::OpenApiRouter::new()
                $( .routes(utoipa_axum::routes!($($handler),+)) )+
        }
    };
}
pub(crate) use api;

/// `handler` on `router` at the path and methods its `#[utoipa::path]` (`P`) declares.
pub(crate) fn serve_at<P: utoipa::Path, H, T>(
    router: Router<AppState>,
    handler: H,
) -> Router<AppState>
where
    H: Handler<T, AppState>,
    T: 'static,
{
    let methods = P::methods().iter().fold(MethodRouter::new(), |r, m| {
        r.on(m.to_method_filter(), handler.clone())
    });
    router.route(&P::path(), methods)
}

/// The whole HTTP surface: GP tom routes behind the fault layer, `/__admin` behind the optional admin token,
/// the 404 fallback, and the journal layer (which also writes error bodies) around everything. Every route is
/// registered from its `#[utoipa::path]` entry ([`api`]), so `/openapi.json` lists exactly what the router
/// answers.
pub fn router(state: AppState) -> journal::Served {
    let vendor = vendor_routes().layer(faults::Layer(state.clone())); // /__admin is never faulted
    let admin =
        admin::routes().route_layer(from_fn_with_state(state.clone(), admin::require_token));
    let routes = Router::new()
        .merge(vendor)
        .merge(admin)
        .merge(admin::public_routes())
        .merge(console::routes())
        .route("/openapi.json", get(openapi_json))
        .merge(SwaggerUi::new("/docs").config(Config::new(["/openapi.json"])))
        .fallback(error::not_found)
        .with_state(state.clone());
    journal::around(state, routes).with_hot_tasks()
}

/// `GET /openapi.json`: the whole document (GP tom, admin and console routes, with this mock's latency
/// profiles), built on the first read and kept.
async fn openapi_json(State(app): State<AppState>) -> impl IntoResponse {
    let json = app.openapi(|| {
        let latency = app.with_engine(|e, _| e.world().latency.keys().cloned().collect::<Vec<_>>());
        let doc = OpenApiRouter::<AppState>::with_openapi(openapi::ApiDoc::openapi())
            .merge(vendor_doc())
            .merge(admin::doc())
            .merge(admin::public_doc())
            .merge(console::doc())
            .split_for_parts()
            .1;
        serde_json::to_vec(&openapi::document(doc, latency))
            .unwrap_or_default()
            .into()
    });
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        json,
    )
}

/// The GP tom areas (Cloud API and device channels), listed once: `vendor_routes` merges their routes,
/// `vendor_doc` the same routes with their OpenAPI operations.
macro_rules! vendor {
    ($($area:ident),+) => {
        /// The GP tom routes (Cloud API and device channels).
        fn vendor_routes() -> Router<AppState> {
            Router::new()$(.merge($area::routes()))+
        }

        /// The GP tom routes with their OpenAPI operations.
        fn vendor_doc() -> OpenApiRouter<AppState> {
            OpenApiRouter::new()$(.merge($area::doc()))+
        }
    };
}
vendor!(oauth, tasks, transactions, ios, app2app);

/// The OpenAPI document of the routes the mock answers, as the router registers them (without the values only
/// a running mock knows): the proxy checks a real GP tom's answers against its schemas.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    OpenApiRouter::<AppState>::with_openapi(openapi::ApiDoc::openapi())
        .merge(vendor_doc())
        .split_for_parts()
        .1
}

#[cfg(test)]
mod tests {
    use axum::body::{Body, Bytes};

    fn frames(parts: &[&'static str]) -> Body {
        let chunks = parts
            .iter()
            .map(|p| Ok::<_, std::io::Error>(Bytes::from_static(p.as_bytes())));
        Body::from_stream(futures_util::stream::iter(chunks.collect::<Vec<_>>()))
    }

    #[tokio::test]
    async fn a_body_is_read_whole_within_its_limit() {
        let one = Bytes::from_static(b"{\"taskId\":\"a\"}");
        let read = super::whole(Body::from(one.clone()), 100).await.unwrap();
        assert_eq!(
            read.as_ptr(),
            one.as_ptr(),
            "one frame: handed over, not copied"
        );
        assert_eq!(super::whole(Body::empty(), 0).await.unwrap(), Bytes::new());
        let parts = ["", "ab", "", "cd", "e"];
        assert_eq!(super::whole(frames(&parts), 5).await.unwrap(), "abcde");
        assert_eq!(super::whole(frames(&["", "xy"]), 5).await.unwrap(), "xy");
        // past the limit, in one frame or over several: nothing
        assert_eq!(super::whole(Body::from(one), 5).await, None);
        assert_eq!(super::whole(frames(&parts), 4).await, None);
        // a read that fails: nothing
        let failing = futures_util::stream::iter(vec![
            Ok(Bytes::from_static(b"ab")),
            Err(std::io::Error::other("reset")),
        ]);
        assert_eq!(super::whole(Body::from_stream(failing), 100).await, None);
    }
}
