//! The HTTP side of `--state DIR` ([`crate::store`]): which requests are logged, the order they run in, and the
//! replay at start. A logged request is appended, with the mock time it runs at, while it holds the store's lock,
//! and holds that lock until its journal entry is written — so the log's order is the order requests changed the
//! engine, and replaying it on those times gives the same state. A request a fault rule delays lets go of the
//! lock while it waits and is logged again when it goes on ([`Phase::Resumed`], with the plan decided before).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tokio::sync::OwnedMutexGuard;

use crate::clock::Timestamp;
use crate::engine::fault::Plan;
use crate::state::{AppState, Scope};
use crate::store::{Logged, Phase, Store};

/// Request marker: this request is a row of the log being replayed.
#[derive(Clone, Debug)]
pub struct Replay {
    /// Which part of the request the row is.
    pub phase: Phase,
    /// The plan decided before a delay ([`Phase::Resumed`]).
    pub plan: Option<Plan>,
    /// When the request arrived.
    pub started: Timestamp,
    /// When this part of it ran.
    pub now: Timestamp,
}

/// Response marker: a replayed request stopped where, live, it waited out a delay (its rest is a later row).
#[derive(Clone, Copy, Debug)]
pub struct Suspended;

/// Request marker: the store's lock this request holds (taken out while a fault delay runs).
#[derive(Clone)]
struct Held(Arc<Mutex<Option<OwnedMutexGuard<Store>>>>);

impl Held {
    fn take(&self) -> Option<OwnedMutexGuard<Store>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
    fn put(&self, guard: OwnedMutexGuard<Store>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(guard);
    }
}

/// Whether a request can change anything the store keeps. Reads of the journal, the clock, the fault rules and
/// the sandboxes, the CA and the docs cannot; `GET /__admin/state` can (it settles tasks). With
/// `--journal-admin` every call is journaled, so every call is logged.
pub fn logged(app: &AppState, method: &Method, path: &str) -> bool {
    if path == super::journal::STREAM {
        return false; // never ends: it cannot hold the log's order
    }
    if app.config().journal_admin {
        return true;
    }
    let read = method == Method::GET || method == Method::HEAD;
    let pure = super::journal::page(path)
        || read
            && (path.starts_with("/__admin/journal")
                || matches!(
                    path,
                    "/__admin/health"
                        | "/__admin/ca.pem"
                        | "/__admin/clock"
                        | "/__admin/faults"
                        | "/__admin/sandboxes"
                        | "/__admin/terminals"
                        | "/__admin/judgement"
                ));
    !pure
}

/// A request rebuilt with its body; `None` (over the limit when it came) becomes a body one byte over the limit,
/// so that it is refused the same way again.
fn with_body(parts: Parts, body: Option<Bytes>, limit: usize) -> Request {
    let body = body.unwrap_or_else(|| Bytes::from(vec![0; limit.saturating_add(1)]));
    Request::from_parts(parts, Body::from(body))
}

/// The answer when the log cannot be written: the request is not run (it would be lost at the next start).
fn unwritable(why: &str) -> Response {
    tracing::error!(%why, "--state: request refused");
    let body = json!({"status": 503, "error": "Service Unavailable", "message": why});
    (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response()
}

/// A live request under `--state`: body read, appended to the log under the store's lock, run on the time it
/// was logged with, the clock saved if it moved; the lock is let go when the journal entry is written.
pub async fn sequence(
    app: AppState,
    req: Request,
    next: super::journal::Routes,
    sandbox: Option<Arc<str>>,
) -> Response {
    use super::journal::exchange;
    let Some(store) = app.store().cloned() else {
        return exchange(app, req, next).await;
    };
    let limit = app.config().body_limit;
    let (parts, body) = req.into_parts();
    let body = super::whole(body, limit).await;
    // an admin call the token refuses changes nothing: it is answered, not logged
    if parts.uri.path().starts_with("/__admin") && !super::admin::authorized(&app, &parts.headers) {
        return exchange(app, with_body(parts, body, limit), next).await;
    }
    let mut guard = store.lock_owned().await;
    let now = app.clock().now();
    let row = row(&parts, body.as_deref(), Phase::Start, (now, now), None);
    if let Err(e) = guard.append(&row) {
        return unwritable(&e);
    }
    let held = Held(Arc::new(Mutex::new(Some(guard))));
    let mut req = with_body(parts, body, limit);
    req.extensions_mut().insert(held.clone());
    let scope = Scope {
        now: Some(now),
        started: Some(now),
        sandbox,
        replay: false,
    };
    let res = scope.run(exchange(app.clone(), req, next)).await;
    if let Some(mut guard) = held.take()
        && let Err(e) = guard.save_clock(app.clock().saved())
    {
        tracing::error!(error = %e, "--state: the clock could not be saved");
    }
    res
}

/// The log row of a request: its head and body as they came, the part of it, `(started, now)`, a resumed part's
/// plan.
fn row(
    parts: &Parts,
    body: Option<&[u8]>,
    phase: Phase,
    (started, now): (Timestamp, Timestamp),
    plan: Option<Plan>,
) -> Logged {
    Logged {
        phase,
        started,
        now,
        method: parts.method.to_string(),
        target: parts
            .uri
            .path_and_query()
            .map_or(parts.uri.path(), |pq| pq.as_str())
            .to_owned(),
        head: crate::journal::own_head(&parts.headers),
        body: body.map(<[u8]>::to_vec),
        plan,
    }
}

/// Waits out a fault plan's delay. A logged request lets go of the store's lock meanwhile and, to go on, takes
/// it again and is logged as [`Phase::Resumed`]: the scope it goes on under is returned (its new time).
pub async fn wait(
    app: &AppState,
    parts: &Parts,
    body: &Bytes,
    plan: &Plan,
) -> Result<Option<Scope>, Response> {
    let delay = Duration::from_millis(plan.delay_ms);
    let (Some(held), Some(store)) = (parts.extensions.get::<Held>(), app.store()) else {
        tokio::time::sleep(delay).await;
        return Ok(None);
    };
    drop(held.take());
    tokio::time::sleep(delay).await;
    let mut guard = store.clone().lock_owned().await;
    let scope = Scope::current();
    let now = app.clock().now();
    let started = scope.started.unwrap_or(now);
    let row = row(
        parts,
        Some(body),
        Phase::Resumed,
        (started, now),
        Some(plan.clone()),
    );
    guard.append(&row).map_err(|e| unwritable(&e))?;
    held.put(guard);
    Ok(Some(Scope {
        now: Some(now),
        ..scope
    }))
}

/// Replays the log through the router at start, before the first connection; then puts the clock back as it
/// was saved (or saves it, on a new log). How many rows it replayed.
pub async fn replay(app: &AppState, router: &super::journal::Served) -> Result<u64, String> {
    let Some(store) = app.store() else {
        return Ok(0);
    };
    let limit = app.config().body_limit;
    let path = store.lock().await.path().display().to_string();
    let (mut after, mut count) = (0, 0);
    loop {
        let rows = store.lock().await.rows(after, 512)?;
        if rows.is_empty() {
            break;
        }
        for (seq, row) in rows {
            after = seq;
            let req =
                request_of(&row, limit).map_err(|e| format!("--state: {path}: row {seq}: {e}"))?;
            // in a task of its own, as when it ran: a request that panicked then (its connection's task ended,
            // the mock went on) panics again here, and the replay goes on the same way
            let run = router.answer(req);
            let ran = tokio::spawn(async move {
                let res = run.await;
                let _ = super::whole(res.into_body(), usize::MAX).await;
            })
            .await;
            if let Err(e) = ran {
                tracing::error!(row = seq, error = %e, "--state: a logged request failed again when replayed");
            }
            count += 1;
        }
    }
    let mut store = store.lock().await;
    match store.clock() {
        Some(saved) => app.clock().restore(saved),
        None => store.save_clock(app.clock().saved())?,
    }
    Ok(count)
}

/// A log row as the request it was, marked [`Replay`] with its times.
fn request_of(row: &Logged, limit: usize) -> Result<Request, String> {
    let mut req = Request::builder()
        .method(row.method.as_str())
        .uri(row.target.as_str())
        .body(())
        .map_err(|e| format!("not a request: {e}"))?;
    for line in row.head.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let at = line
            .windows(2)
            .position(|w| w == b": ")
            .ok_or("a header line without ': '")?;
        let name = HeaderName::from_bytes(&line[..at]).map_err(|e| e.to_string())?;
        let value = HeaderValue::from_bytes(&line[at + 2..]).map_err(|e| e.to_string())?;
        req.headers_mut().append(name, value);
    }
    let (mut parts, ()) = req.into_parts();
    parts.extensions.insert(Replay {
        phase: row.phase,
        plan: row.plan.clone(),
        started: row.started,
        now: row.now,
    });
    Ok(with_body(parts, row.body.clone().map(Bytes::from), limit))
}
