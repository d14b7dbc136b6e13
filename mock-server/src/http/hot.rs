//! The two requests a POS sends most, answered without the router: `GET /v1/tasks/{taskId}` (polling) and
//! `POST /v1/tasks/{class}` (a payment). Only when nothing could fault them ([`faults::untouched`]) and the
//! segment needs no decoding; every other request, these included, goes through the router, which still holds
//! their routes (and the OpenAPI document lists them from there). The answers are the router's: the same
//! extractor code and handler functions, in the same order (token, content type, body, engine). What it saves:
//! the route lookup, the path parameters, the route's boxed service clones and the handler's boxed future; and
//! the token is verified in the engine call that answers (one lock and one clock read a request, not two).

use axum::http::Method;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use super::extract::{Caller, bearer_token};
use super::faults;
use super::tasks;
use crate::state::AppState;

/// Which hot request a request is.
pub enum Hot {
    /// `GET /v1/tasks/{taskId}`.
    Read,
    /// `POST /v1/tasks/{class}`.
    Create,
}

const TASKS: &str = "/v1/tasks/";

/// `Some` when `req` may skip the router (asked only on the mock's surface: `Served::with_hot_tasks`).
pub fn route(app: &AppState, req: &Parts) -> Option<Hot> {
    let hot = match req.method {
        Method::GET => Hot::Read,
        Method::POST => Hot::Create,
        _ => return None,
    };
    let segment = req.uri.path().strip_prefix(TASKS)?;
    // a segment the router would percent-decode (or not match) goes there
    let plain = !segment.is_empty() && !segment.bytes().any(|b| b == b'/' || b == b'%');
    (plain && faults::untouched(app, &req.extensions)).then_some(hot)
}

/// The answer to a hot request whose body (already read by the journal) is `body`. Synchronous: nothing in
/// it waits (the router's extractor and handlers are async only by their traits).
pub fn answer(app: &AppState, hot: Hot, req: &Parts, body: &[u8]) -> Response {
    let who = match bearer_token(&req.headers) {
        Ok(token) => Caller::Token(token),
        Err(e) => return e.into_response(),
    };
    let segment = &req.uri.path()[TASKS.len()..];
    match hot {
        Hot::Read => tasks::read_task(app, who, segment).into_response(),
        Hot::Create => tasks::create(app, who, segment, &req.headers, body).into_response(),
    }
}
