//! The journal's HTTP side: the outermost layer that records every exchange into [`crate::journal`] (the ring,
//! its entries and their redaction live there), and the response marker handlers attach warnings with.

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{Method, Uri};
use axum::response::Response;

use super::faults::{DropConnection, FaultApplied, read};
use super::persist::{self, Replay, Suspended};
use crate::contract::admin::SANDBOX_HEADER;
use crate::error;
use crate::journal::Record;
use crate::state::AppState;
use crate::state::Scope;

/// The journal's live stream (never journaled itself).
pub const STREAM: &str = "/__admin/journal/stream";

/// Response marker: likely client bugs a handler noticed (device channels), for the journal.
#[derive(Clone, Debug, Default)]
pub struct Warnings(pub Vec<String>);

/// `routes` inside the journal ([`record`]) and the body limit: the whole surface, wrapped once. Added with
/// `Router::layer` they would wrap every route apart, and each request would pay for another boxed copy of its
/// route's service stack; held in an outer `Router` they would cost another route lookup and boxed call.
pub fn around(app: AppState, router: Router) -> Served {
    let limit = DefaultBodyLimit::max(app.config().body_limit);
    let routes = Routes {
        router,
        hot: false,
        limit,
    };
    Served { app, routes }
}

/// The mock's (or the proxy's) whole HTTP surface: what the server hands each request to.
#[derive(Clone)]
pub struct Served {
    app: AppState,
    routes: Routes,
}

impl Served {
    /// Polls and task creations may skip the router ([`super::hot`]): the mock's surface does, the proxy's
    /// (which forwards them) does not.
    pub fn with_hot_tasks(mut self) -> Self {
        self.routes.hot = true;
        self
    }

    /// Answers one request (journaled; see [`record`]).
    pub fn answer(&self, req: Request) -> impl Future<Output = Response> + Send + 'static {
        record(self.app.clone(), req, self.routes.clone())
    }
}

/// The routes inside the journal, whether [`super::hot`] may answer before them, and the body limit their
/// extractors apply.
#[derive(Clone)]
pub struct Routes {
    router: Router,
    hot: bool,
    limit: DefaultBodyLimit,
}

/// The request through the routes inside the journal (the body limit goes with it here, not on every request:
/// it is a request extension, and the first one allocates their map, for nothing on the hot path).
async fn run(routes: Routes, mut req: Request) -> Response {
    routes.limit.apply(&mut req);
    let mut router = routes.router;
    match tower::Service::call(&mut router, req).await {
        Ok(res) => res,
        Err(never) => match never {},
    }
}

/// The outermost layer of every request: records it in the journal (admin calls only with
/// `--journal-admin`), writes vendor error bodies ([`error::finish`]) and logs one line
/// (`RUST_LOG=mock_server=debug`).
pub async fn record(app: AppState, req: Request, next: Routes) -> Response {
    let sandbox: Option<Arc<str>> = req
        .headers()
        .get(SANDBOX_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(Arc::from);
    if let Some(r) = req.extensions().get::<Replay>() {
        let scope = Scope {
            now: Some(r.now),
            started: Some(r.started),
            sandbox,
            replay: true,
        };
        return Box::pin(scope.run(exchange(app, req, next))).await;
    }
    // The rarer paths are boxed: inline, each would make this future (which every request allocates) as
    // large as the largest of them, and `--state`'s is more than twice the plain exchange.
    if app.store().is_some() && persist::logged(&app, req.method(), req.uri().path()) {
        return Box::pin(persist::sequence(app, req, next, sandbox)).await;
    }
    match sandbox {
        None => exchange(app, req, next).await,
        sandbox => {
            let scope = Scope {
                sandbox,
                ..Scope::default()
            };
            Box::pin(scope.run(exchange(app, req, next))).await
        }
    }
}

/// One exchange: run, finish the body, journal it (under the request's [`Scope`]).
pub async fn exchange(app: AppState, req: Request, next: Routes) -> Response {
    let path = req.uri().path();
    let own = path.starts_with("/__admin") || page(path);
    let (method, uri) = (req.method().clone(), req.uri().clone());
    // the live stream is never journaled: it does not end, and it would journal itself
    if own && (path == STREAM || !(app.config().journal_admin && path.starts_with("/__admin"))) {
        let res = error::finish(&app, Box::pin(run(next, req)).await, uri.path());
        log(&method, &uri, &res);
        return res;
    }
    let time = app.now();
    let (parts, request) = match read(&app, req).await {
        Ok(r) => r,
        Err(res) => {
            log(&method, &uri, &res);
            return res;
        }
    };
    let target = uri.path_and_query().map_or(uri.path(), |pq| pq.as_str());
    let (target, head, kept) =
        app.with_journal(|j| j.copy_request(target, &parts.headers, &request));
    // Boxed, here and in the fault layer: holding the inner future inline makes every enclosing future larger,
    // and futures are copied whole when they are boxed further out (≈ 6 % of a GET's cost before this).
    let hot = next.hot.then(|| super::hot::route(&app, &parts)).flatten();
    let res = match hot {
        Some(hot) => super::hot::answer(&app, hot, &parts, &request),
        None => {
            let req = Request::from_parts(parts, Body::from(request.clone()));
            Box::pin(run(next, req)).await
        }
    };
    if res.extensions().get::<Suspended>().is_some() {
        return res; // replayed up to its delay: the rest, and the journal entry, come with a later row
    }
    let res = error::finish(&app, res, uri.path());
    log(&method, &uri, &res);
    let status = match res.extensions().get::<DropConnection>() {
        Some(_) => 0,
        None => res.status().as_u16(),
    };
    let fault = res.extensions().get::<FaultApplied>().map(|f| f.0.clone());
    let noticed = res
        .extensions()
        .get::<Warnings>()
        .map(|w| w.0.clone())
        .unwrap_or_default();
    let (parts, body) = res.into_parts();
    let response = super::whole(body, usize::MAX).await.unwrap_or_default();
    let held = !response.is_unique(); // a poll's answer the engine kept: shared already
    let entry = Record {
        seq: 0,
        time,
        method,
        target,
        head,
        request: kept,
        status,
        response: response.clone(),
        fault,
        noticed,
    };
    let shown = app.with_journal(|j| {
        j.push(entry, held);
        app.listened().then(|| j.newest()).flatten()
    });
    if let Some(live) = shown {
        app.publish_entry(live);
    }
    Response::from_parts(parts, Body::from(response))
}

/// The mock's own pages (Swagger UI, the OpenAPI document, the console): not GP tom's, and they change nothing.
pub fn page(path: &str) -> bool {
    path.starts_with("/docs") || path == "/openapi.json" || path == "/__console"
}

fn log(method: &Method, uri: &Uri, res: &Response) {
    tracing::debug!(%method, path = uri.path(), status = res.status().as_u16(), "request");
}
