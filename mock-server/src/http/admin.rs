//! `/__admin/*`: the control plane that is not part of GP tom (cloud-mock.md §12) — health, reset, clock,
//! next outcome, terminal changes, operator cancel and a state dump. JSON in and out; a bad body is a 400
//! naming the field. Never faulted, never under `/v1`.

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post, put};
use serde_json::{Map, Value, json};

use super::dto::TaskDto;
use super::extract::{Body, parse_json};
use crate::clock::Timestamp;
use crate::engine::{self, outcome::Outcome, terminal::Mode};
use crate::error::ApiError;
use crate::state::AppState;

/// The admin routes (nested under `/__admin`).
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/health", get(health))
        .route("/reset", post(reset))
        .route("/clock", get(clock).put(set_clock))
        .route("/clock/advance", post(advance_clock))
        .route("/terminals/{tid}/next-outcome", put(next_outcome))
        .route("/terminals/{tid}", patch(patch_terminal))
        .route("/tasks/{task_id}/cancel", post(cancel_task))
        .route("/state", get(state))
}

type Reply = Result<Json<Value>, ApiError>;

/// Admin calls report engine errors as `{"error","field"}`, not as vendor bodies.
fn admin<T>(r: Result<T, engine::Error>) -> Result<T, ApiError> {
    r.map_err(|e| ApiError::Admin {
        status: StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
        message: e.message,
        field: None,
    })
}

/// An admin JSON body: an object (empty body = `{}`).
fn object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match parse_json(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::admin("(body)", "the body must be a JSON object")),
        Err(e) => Err(ApiError::admin("(body)", e.to_string())),
    }
}

fn opt_str<'a>(m: &'a Map<String, Value>, field: &str) -> Result<Option<&'a str>, ApiError> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::admin(field, format!("{field} must be a string"))),
    }
}

fn opt_bool(m: &Map<String, Value>, field: &str) -> Result<Option<bool>, ApiError> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(ApiError::admin(
            field,
            format!("{field} must be true or false"),
        )),
    }
}

async fn health(State(app): State<AppState>) -> Json<Value> {
    let seed = app.config().seed;
    Json(
        json!({"status": "ok", "name": "gptom-mock", "version": env!("CARGO_PKG_VERSION"), "seed": seed}),
    )
}

async fn reset(State(app): State<AppState>, Body(body): Body) -> Reply {
    let m = object(&body)?;
    let tid = opt_str(&m, "tid")?.map(str::to_owned);
    admin(app.with_engine(|e, _| e.reset(tid.as_deref())))?;
    Ok(Json(json!({"reset": tid.as_deref().unwrap_or("all")})))
}

fn clock_json(app: &AppState) -> Json<Value> {
    let clock = app.clock();
    Json(json!({"now": clock.now().to_rfc3339(), "mode": clock.kind()}))
}

async fn clock(State(app): State<AppState>) -> Json<Value> {
    clock_json(&app)
}

async fn advance_clock(State(app): State<AppState>, Body(body): Body) -> Reply {
    let m = object(&body)?;
    let seconds = match m.get("seconds") {
        Some(Value::Number(n)) => n.as_f64().unwrap_or(-1.0),
        None => {
            return Err(ApiError::admin(
                "seconds",
                "seconds is required (a number, may be fractional)",
            ));
        }
        Some(_) => {
            return Err(ApiError::admin(
                "seconds",
                "seconds must be a number, e.g. 5 or 0.5",
            ));
        }
    };
    if !(0.0..=10.0 * 365.0 * 86_400.0).contains(&seconds) {
        return Err(ApiError::admin(
            "seconds",
            "seconds must be between 0 and 315360000 (the clock never goes back)",
        ));
    }
    app.clock().advance(Duration::from_secs_f64(seconds));
    Ok(clock_json(&app))
}

async fn set_clock(State(app): State<AppState>, Body(body): Body) -> Reply {
    let m = object(&body)?;
    let text = opt_str(&m, "now")?
        .ok_or_else(|| ApiError::admin("now", "now is required, e.g. 2026-01-01T00:00:00Z"))?;
    let to = Timestamp::parse(text).map_err(|e| ApiError::admin("now", e))?;
    app.clock().set(to).map_err(|cur| {
        ApiError::admin(
            "now",
            format!("the clock never goes backwards: it is already {cur}"),
        )
    })?;
    Ok(clock_json(&app))
}

async fn next_outcome(
    State(app): State<AppState>,
    Path(tid): Path<String>,
    Body(body): Body,
) -> Reply {
    let m = object(&body)?;
    let name =
        opt_str(&m, "outcome")?.ok_or_else(|| ApiError::admin("outcome", "outcome is required"))?;
    let outcome = Outcome::parse(name).ok_or_else(|| {
        ApiError::admin(
            "outcome",
            format!(
                "unknown outcome {name:?}; expected one of {}",
                Outcome::NAMES
            ),
        )
    })?;
    let count = match m.get("count") {
        None | Some(Value::Null) => 1,
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|c| u32::try_from(c).ok())
            .ok_or_else(|| ApiError::admin("count", "count must be a whole number ≥ 0"))?,
        Some(_) => return Err(ApiError::admin("count", "count must be a whole number ≥ 0")),
    };
    admin(app.with_engine(|e, _| e.set_next_outcome(&tid, outcome, count)))?;
    Ok(Json(
        json!({"tid": tid, "outcome": outcome, "count": count}),
    ))
}

async fn patch_terminal(
    State(app): State<AppState>,
    Path(tid): Path<String>,
    Body(body): Body,
) -> Reply {
    let m = object(&body)?;
    let reachable = opt_bool(&m, "reachable")?;
    let mode = match opt_str(&m, "mode")? {
        None => None,
        Some("automatic") => Some(Mode::Automatic),
        Some("semi-integrated") => Some(Mode::SemiIntegrated),
        Some(other) => {
            return Err(ApiError::admin(
                "mode",
                format!("mode {other:?}: expected automatic or semi-integrated"),
            ));
        }
    };
    let latency = opt_str(&m, "latency")?.map(str::to_owned);
    let t = app.with_engine(|e, _| e.patch_terminal(&tid, reachable, mode, latency).cloned());
    let t = admin(t)?;
    Ok(Json(
        json!({"tid": t.tid, "reachable": t.reachable, "mode": t.mode, "latency": t.latency}),
    ))
}

async fn cancel_task(
    State(app): State<AppState>,
    Path(task_id): Path<String>,
) -> Result<Json<TaskDto>, ApiError> {
    let view = admin(app.with_engine(|e, now| e.cancel_task(&task_id, now)))?;
    Ok(Json(view.into()))
}

async fn state(State(app): State<AppState>) -> Json<Value> {
    Json(app.with_engine(|e, now| e.state(now)))
}
