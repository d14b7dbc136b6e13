//! Fault middleware on the GP tom routes: describe the request as plain facts, let the engine decide under the
//! lock, then wait / answer / drop outside it (STYLE 2.2). Also the request-body buffering both this layer
//! and the journal use.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::engine;
use crate::error::ApiError;
use crate::facts::facts_of;
use crate::http::persist::{self, Replay, Suspended};
use crate::state::AppState;

/// Response marker: the server closes the connection instead of writing this response.
#[derive(Clone, Copy, Debug)]
pub struct DropConnection;

/// Reads the whole request body (within the configured limit) and gives back a request that still has it.
pub async fn buffer(app: &AppState, req: Request) -> Result<(Request, Bytes), Response> {
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, app.config().body_limit).await {
        Ok(bytes) => Ok((Request::from_parts(parts, Body::from(bytes.clone())), bytes)),
        Err(_) => {
            let res = ApiError::vendor(
                413,
                "PAYLOAD_TOO_LARGE",
                "request body exceeds the size limit",
            )
            .into_response();
            Err(crate::error::finish(app, res, parts.uri.path()))
        }
    }
}

/// The fault layer of the GP tom routes.
pub async fn apply(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let replay = req.extensions().get::<Replay>().cloned();
    // The replay of a request's part after its delay goes on with the plan decided before it.
    let resumed = replay.as_ref().and_then(|r| r.plan.clone());
    // No rule and no network latency: nothing to decide, so the request is not even described.
    if resumed.is_none() && app.with_engine_untimed(|e| e.faults_idle()) {
        return Box::pin(next.run(req)).await;
    }
    // The journal layer (outside this one) has already buffered the body: this is a cheap clone.
    let (req, body) = match buffer(&app, req).await {
        Ok(r) => r,
        Err(res) => return res,
    };
    let (parts, inner) = req.into_parts();
    let mut scope = None;
    let plan = match resumed {
        Some(plan) => plan,
        None => {
            let facts = facts_of(&parts.method, parts.uri.path(), &parts.headers, &body);
            let plan = app.with_engine(|e, _| e.decide_fault(&facts)); // lock released here
            if plan.delay_ms > 0 {
                if replay.is_some() {
                    let mut res = Response::default();
                    res.extensions_mut().insert(Suspended);
                    return res;
                }
                match persist::wait(&app, &parts, &body, &plan).await {
                    Ok(s) => scope = s,
                    Err(res) => return res,
                }
            }
            plan
        }
    };
    let mut res = if plan.drop {
        let mut res = Response::default();
        res.extensions_mut().insert(DropConnection);
        res
    } else if let Some(r) = plan.respond {
        let message = r
            .message
            .unwrap_or_else(|| format!("injected fault: {} {}", r.status, r.kind));
        ApiError::Vendor(engine::Error::new(r.status, r.kind, message, None)).into_response()
    } else {
        let run = Box::pin(next.run(Request::from_parts(parts, inner)));
        match scope {
            Some(scope) => scope.run(run).await,
            None => run.await,
        }
    };
    if let Some(rule) = plan.rule {
        res.extensions_mut().insert(FaultApplied(rule));
    }
    res
}

/// Response marker: which fault rule shaped this response (for the journal).
#[derive(Clone, Debug)]
pub struct FaultApplied(pub String);
