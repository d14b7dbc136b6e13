//! Fault middleware on the GP tom routes: describe the request as plain facts, let the engine decide under the
//! lock, then wait / answer / drop outside it (STYLE 2.2). Also the request-body buffering both this layer
//! and the journal use.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::engine::{self, fault::RequestFacts};
use crate::error::ApiError;
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

/// Method, path, TID, amount and task class of a request, as far as they can be read without judging it.
pub fn facts_of(method: &Method, path: &str, headers: &HeaderMap, body: &[u8]) -> RequestFacts {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let body_tid = json
        .as_ref()
        .and_then(|j| j.get("Tid").or_else(|| j.get("tid")))
        .and_then(scalar_text);
    let header_tid = || {
        headers
            .get("x-gptom-tid")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let form_tid = || {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
            .unwrap_or_default()
            .into_iter()
            .find(|(k, _)| k == "tid")
            .map(|(_, v)| v)
    };
    let tid = body_tid
        .or_else(header_tid)
        .or_else(form_tid)
        .or_else(|| bearer_claim(headers, "tid"));
    let amount = json
        .as_ref()
        .and_then(|j| j.get("amount"))
        .and_then(|a| match a {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.parse().ok(),
            _ => None,
        });
    let task_class = match (method.as_str(), path.strip_prefix("/v1/tasks/")) {
        ("POST", Some(class)) => Some(class.to_owned()),
        _ => None,
    };
    RequestFacts {
        method: method.to_string(),
        path: path.to_owned(),
        tid,
        amount,
        task_class,
    }
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// One claim of the bearer token, read without verifying it (labels only: rules, journal).
pub fn bearer_claim(headers: &HeaderMap, name: &str) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let claims: Value = jsonwebtoken::dangerous::insecure_decode_claims(token.trim()).ok()?;
    claims.get(name).and_then(scalar_text)
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
