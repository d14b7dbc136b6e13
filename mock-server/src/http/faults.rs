//! Fault middleware on the GP tom routes: describe the request as plain facts, let the engine decide under the
//! lock, then wait / answer / drop outside it (STYLE 2.2). Also the request-body buffering both this layer
//! and the journal use.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::engine;
use crate::error::ApiError;
use crate::facts::facts_of;
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
    // No rule and no network latency: nothing to decide, so the request is not even described.
    if app.with_engine_untimed(|e| e.faults_idle()) {
        return Box::pin(next.run(req)).await;
    }
    // The journal layer (outside this one) has already buffered the body: this is a cheap clone.
    let (req, body) = match buffer(&app, req).await {
        Ok(r) => r,
        Err(res) => return res,
    };
    let facts = facts_of(req.method(), req.uri().path(), req.headers(), &body);
    let (parts, inner) = req.into_parts();
    let plan = app.with_engine(|e, _| e.decide_fault(&facts)); // lock released here
    if plan.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(plan.delay_ms)).await;
    }
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
        Box::pin(next.run(Request::from_parts(parts, inner))).await
    };
    if let Some(rule) = plan.rule {
        res.extensions_mut().insert(FaultApplied(rule));
    }
    res
}

/// Response marker: which fault rule shaped this response (for the journal).
#[derive(Clone, Debug)]
pub struct FaultApplied(pub String);
