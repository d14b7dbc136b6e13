//! `/__admin/*`: the control plane that is not part of GP tom (cloud-mock.md §12) — health, reset, clock,
//! next outcome, terminal changes, operator cancel and a state dump. JSON in and out; a bad body is a 400
//! naming the field. Never faulted, never under `/v1`.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::extract::{Query, Request};
use axum::http::StatusCode;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::dto::{AdminErrorBody, TaskDto};
use super::extract::{Body, Segment, parse_json};
use super::journal::Filter;
use crate::clock::Timestamp;
use crate::engine::{self, fault::FaultSpec, outcome::Outcome, terminal::Mode};
use crate::error::ApiError;
use crate::state::AppState;

/// The admin routes (`/__admin/…`).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(reset))
        .routes(routes!(clock, set_clock))
        .routes(routes!(advance_clock))
        .routes(routes!(next_outcome))
        .routes(routes!(patch_terminal))
        .routes(routes!(cancel_task))
        .routes(routes!(state))
        .routes(routes!(add_fault, list_faults, delete_faults))
        .routes(routes!(delete_fault))
        .routes(routes!(journal, clear_journal))
        .routes(routes!(patch_device))
}

/// With `--admin-token`, every admin call needs `Authorization: Bearer <token>`.
pub async fn require_token(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let Some(expected) = app.config().admin_token.as_deref() else {
        return next.run(req).await;
    };
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if given.and_then(|v| v.strip_prefix("Bearer ")).map(str::trim) == Some(expected) {
        return next.run(req).await;
    }
    let mut refused = ApiError::Admin {
        status: StatusCode::UNAUTHORIZED,
        message:
            "this mock was started with --admin-token: send Authorization: Bearer <admin token>"
                .into(),
        field: None,
    }
    .into_response();
    // The realm tells a client (gptom-conformance) that this 401 is a gptom-mock's admin API and not a
    // gateway that refuses unknown paths.
    refused.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static(ADMIN_REALM),
    );
    refused
}

/// `WWW-Authenticate` of a refused admin call.
pub const ADMIN_REALM: &str = "Bearer realm=\"gptom-mock admin\"";

type Reply = Result<Json<Value>, ApiError>;

/// Admin calls report engine errors as `{"error","field"}`, not as vendor bodies.
fn admin<T>(r: Result<T, engine::Error>) -> Result<T, ApiError> {
    r.map_err(|e| ApiError::Admin {
        status: StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
        message: e.message,
        field: None,
    })
}

/// An admin JSON body: an object (no body or `null` = `{}`) with no field outside `fields` (the documented
/// schemas say `additionalProperties: false`, so a typo is a 400 naming it rather than silently ignored).
fn object(body: &[u8], fields: &[&str]) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    let m = match parse_json(body) {
        Ok(Value::Object(m)) => m,
        Ok(Value::Null) => Map::new(),
        Ok(_) => return Err(ApiError::admin("(body)", "the body must be a JSON object")),
        Err(e) => return Err(ApiError::admin("(body)", e.to_string())),
    };
    if let Some(unknown) = m.keys().find(|k| !fields.contains(&k.as_str())) {
        return Err(ApiError::admin(
            unknown,
            format!("unknown field {unknown:?}; expected {}", fields.join(", ")),
        ));
    }
    Ok(m)
}

/// A JSON number that is a whole number (`5` or `5.0`: JSON Schema's `integer` admits both).
fn whole(n: &serde_json::Number) -> Option<u64> {
    n.as_u64().or_else(|| {
        let f = n.as_f64()?;
        // Exact for every whole f64 in range; `as` saturates, the range check keeps it exact.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        (f.fract() == 0.0 && (0.0..=9_007_199_254_740_992.0).contains(&f)).then_some(f as u64)
    })
}

/// Whole-valued floats (`5.0`) become integers anywhere in `v`, so serde's integer fields accept what the
/// schema's `integer` accepts.
fn integral(v: Value) -> Value {
    match v {
        Value::Number(n) if !n.is_u64() && !n.is_i64() => match whole(&n) {
            Some(u) => Value::from(u),
            None => match n.as_f64() {
                // Negative whole numbers (a fault rule's `amount`).
                #[allow(clippy::cast_possible_truncation)]
                Some(f) if f.fract() == 0.0 && (-9_007_199_254_740_992.0..0.0).contains(&f) => {
                    Value::from(f as i64)
                }
                _ => Value::Number(n),
            },
        },
        Value::Array(a) => Value::Array(a.into_iter().map(integral).collect()),
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, v)| (k, integral(v))).collect()),
        other => other,
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

/// Liveness, version and seed.
#[utoipa::path(get, path = "/__admin/health", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), responses((status = 200, description = "`{\"status\":\"ok\",\"name\":\"gptom-mock\",\"version\",\"seed\"}`")))]
pub async fn health(State(app): State<AppState>) -> Json<Value> {
    let seed = app.config().seed;
    Json(
        json!({"status": "ok", "name": "gptom-mock", "version": env!("CARGO_PKG_VERSION"), "seed": seed}),
    )
}

/// Clear tasks, transactions, batches, journal, overrides and faults (all, or one TID).
#[utoipa::path(post, path = "/__admin/reset", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), request_body(content = Option<ResetBody>, description = "Optional: no body (or `{}`) resets everything"), responses((status = 200, description = "Done"), (status = 400, description = "Bad body; names the field", body = AdminErrorBody), (status = 404, description = "Unknown TID", body = AdminErrorBody)))]
pub async fn reset(State(app): State<AppState>, Body(body): Body) -> Reply {
    let m = object(&body, &["tid"])?;
    let tid = opt_str(&m, "tid")?.map(str::to_owned);
    admin(app.with_engine(|e, _| e.reset(tid.as_deref())))?;
    app.with_journal(|j| j.clear(tid.as_deref()));
    Ok(Json(json!({"reset": tid.as_deref().unwrap_or("all")})))
}

fn clock_json(app: &AppState) -> Json<Value> {
    let clock = app.clock();
    Json(json!({"now": clock.now().to_rfc3339(), "mode": clock.kind()}))
}

/// Read the mock clock.
#[utoipa::path(get, path = "/__admin/clock", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), responses((status = 200, description = "`{\"now\",\"mode\"}`")))]
pub async fn clock(State(app): State<AppState>) -> Json<Value> {
    clock_json(&app)
}

/// Move the mock clock forward.
#[utoipa::path(post, path = "/__admin/clock/advance", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), request_body = AdvanceBody, responses((status = 200, description = "`{\"now\",\"mode\"}`"), (status = 400, description = "Bad body; names the field", body = AdminErrorBody)))]
pub async fn advance_clock(State(app): State<AppState>, Body(body): Body) -> Reply {
    let m = object(&body, &["seconds"])?;
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

/// Set the mock clock (never backwards).
#[utoipa::path(put, path = "/__admin/clock", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), request_body = SetClockBody, responses((status = 200, description = "`{\"now\",\"mode\"}`"), (status = 400, description = "Bad body (names the field), or `now` before the current mock time: the clock never goes backwards (cloud-mock.md §12)", body = AdminErrorBody)))]
pub async fn set_clock(State(app): State<AppState>, Body(body): Body) -> Reply {
    let m = object(&body, &["now"])?;
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

const COUNT_RULE: &str = "count must be a whole number from 0 to 4294967295";

/// Outcome of the next N tasks created on a TID.
#[utoipa::path(put, path = "/__admin/terminals/{tid}/next-outcome", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), request_body = NextOutcomeBody, params(("tid" = String, Path)), responses((status = 200, description = "Done"), (status = 400, description = "Bad body; names the field", body = AdminErrorBody), (status = 404, description = "Unknown TID", body = AdminErrorBody)))]
pub async fn next_outcome(
    State(app): State<AppState>,
    Segment(tid): Segment,
    Body(body): Body,
) -> Reply {
    let m = object(&body, &["outcome", "count"])?;
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
        Some(Value::Number(n)) => whole(n)
            .and_then(|c| u32::try_from(c).ok())
            .ok_or_else(|| ApiError::admin("count", COUNT_RULE))?,
        Some(_) => return Err(ApiError::admin("count", COUNT_RULE)),
    };
    admin(app.with_engine(|e, _| e.set_next_outcome(&tid, outcome, count)))?;
    Ok(Json(
        json!({"tid": tid, "outcome": outcome, "count": count}),
    ))
}

/// Change reachability, mode or latency of a terminal.
#[utoipa::path(patch, path = "/__admin/terminals/{tid}", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), request_body = PatchTerminalBody, params(("tid" = String, Path)), responses((status = 200, description = "Done"), (status = 400, description = "Bad body; names the field", body = AdminErrorBody), (status = 404, description = "Unknown TID", body = AdminErrorBody)))]
pub async fn patch_terminal(
    State(app): State<AppState>,
    Segment(tid): Segment,
    Body(body): Body,
) -> Reply {
    let m = object(&body, &["reachable", "mode", "latency"])?;
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

/// The operator cancels an unfinished task on the device.
#[utoipa::path(post, path = "/__admin/tasks/{task_id}/cancel", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), params(("task_id" = String, Path)), responses((status = 200, description = "The task, now CANCELLED", body = TaskDto), (status = 404, description = "Unknown task", body = AdminErrorBody), (status = 409, description = "Already final", body = AdminErrorBody)))]
pub async fn cancel_task(
    State(app): State<AppState>,
    Segment(task_id): Segment,
) -> Result<Json<TaskDto>, ApiError> {
    let view = admin(app.with_engine(|e, now| e.cancel_task(&task_id, now)))?;
    Ok(Json(view.into()))
}

/// Terminals, batches with totals, tasks (computed status), transactions.
#[utoipa::path(get, path = "/__admin/state", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), params(("tid" = Option<String>, Query, description = "Only this terminal")), responses((status = 200, description = "State dump"), (status = 400, description = "Unknown filter", body = AdminErrorBody)))]
pub async fn state(State(app): State<AppState>, Query(q): Query<Vec<(String, String)>>) -> Reply {
    let mut tid = None;
    for (k, v) in q {
        match k.as_str() {
            "tid" => tid = Some(v),
            other => {
                return Err(ApiError::admin(
                    other,
                    format!("unknown filter {other:?}; use tid"),
                ));
            }
        }
    }
    Ok(Json(app.with_engine(|e, now| e.state(now, tid.as_deref()))))
}

/// Add a fault rule.
#[utoipa::path(post, path = "/__admin/faults", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), request_body = crate::contract::fault::FaultSpec, responses((status = 200, description = "`{\"id\"}`"), (status = 400, description = "Bad rule; names the field. Also a `delay_ms` range whose min exceeds its max, which the schema cannot say", body = AdminErrorBody)))]
pub async fn add_fault(State(app): State<AppState>, Body(body): Body) -> Reply {
    let m = object(&body, &["match", "action", "probability", "times"])?;
    // serde would also read a struct from an array (`"match": [null, null]`); the schema says object.
    let nested = [
        ("match", m.get("match")),
        ("action", m.get("action")),
        (
            "action.respond",
            m.get("action").and_then(|a| a.get("respond")),
        ),
    ];
    if let Some((field, _)) = nested
        .iter()
        .find(|(_, v)| v.is_some_and(|v| !v.is_object()))
    {
        return Err(ApiError::admin(
            field,
            format!("{field} must be a JSON object"),
        ));
    }
    let spec: FaultSpec =
        serde_path_to_error::deserialize(integral(Value::Object(m))).map_err(|e| {
            let why = e.inner().to_string();
            // serde names a missing or unknown field in its message, not in the path: add it to the path.
            let named = why
                .split('`')
                .nth(1)
                .filter(|_| why.starts_with("missing field") || why.starts_with("unknown field"));
            let field = match (e.path().to_string().as_str(), named) {
                (".", Some(n)) => n.to_owned(),
                (p, Some(n)) => format!("{p}.{n}"),
                (p, None) => p.to_owned(),
            };
            ApiError::admin(&field, format!("{field}: {why}"))
        })?;
    let id = app
        .with_engine(|e, _| e.add_fault(spec))
        .map_err(|(field, why)| ApiError::admin(field, why))?;
    Ok(Json(json!({"id": id})))
}

/// List fault rules.
#[utoipa::path(get, path = "/__admin/faults", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), responses((status = 200, description = "`{\"faults\": [...]}`")))]
pub async fn list_faults(State(app): State<AppState>) -> Json<Value> {
    Json(json!({"faults": app.with_engine(|e, _| e.faults().to_vec())}))
}

/// Delete every fault rule.
#[utoipa::path(delete, path = "/__admin/faults", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), responses((status = 200, description = "Deleted")))]
pub async fn delete_faults(State(app): State<AppState>) -> Json<Value> {
    app.with_engine(|e, _| e.remove_faults(None));
    Json(json!({"deleted": "all"}))
}

/// Delete one fault rule.
#[utoipa::path(delete, path = "/__admin/faults/{id}", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), params(("id" = String, Path)), responses((status = 200, description = "Deleted"), (status = 404, description = "Unknown rule", body = AdminErrorBody)))]
pub async fn delete_fault(State(app): State<AppState>, Segment(id): Segment) -> Reply {
    if app.with_engine(|e, _| e.remove_faults(Some(&id))) {
        Ok(Json(json!({"deleted": id})))
    } else {
        Err(ApiError::Admin {
            status: StatusCode::NOT_FOUND,
            message: format!("no fault rule {id}"),
            field: None,
        })
    }
}

/// Journaled requests and responses.
#[utoipa::path(get, path = "/__admin/journal", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), params(("tid" = Option<String>, Query, description = "Only this TID"), ("path" = Option<String>, Query, description = "Path prefix, or glob with *"), ("since" = Option<String>, Query, format = DateTime, description = "RFC 3339: only entries at or after this mock time"), ("after" = Option<u64>, Query, description = "Only entries recorded after this sequence number (`lastSeq` of an earlier read)"), ("limit" = Option<u64>, Query, description = "At most this many entries, the newest; `0` reads only `lastSeq`")), responses((status = 200, description = "`{\"entries\": [...], \"evicted\", \"lastSeq\"}`"), (status = 400, description = "Bad filter", body = AdminErrorBody)))]
pub async fn journal(State(app): State<AppState>, Query(q): Query<Vec<(String, String)>>) -> Reply {
    let mut filter = Filter::default();
    for (k, v) in q {
        match k.as_str() {
            // An empty `tid` or `path` filters nothing; an empty `since` is not a time.
            "tid" | "path" if v.is_empty() => {}
            "tid" => filter.tid = Some(v),
            "path" => filter.path = Some(v),
            "since" => {
                filter.since = Some(Timestamp::parse(&v).map_err(|e| ApiError::admin("since", e))?)
            }
            "after" => filter.after = Some(count("after", &v)?),
            "limit" => filter.limit = Some(count("limit", &v)?.try_into().unwrap_or(usize::MAX)),
            other => {
                return Err(ApiError::admin(
                    other,
                    format!("unknown filter {other:?}; use tid, path, since, after or limit"),
                ));
            }
        }
    }
    let (entries, evicted, last) =
        app.with_journal(|j| (j.select(&filter), j.evicted(), j.last_seq()));
    Ok(Json(
        json!({"entries": entries, "evicted": evicted, "lastSeq": last}),
    ))
}

/// A query parameter that must be a whole number ≥ 0.
fn count(field: &str, v: &str) -> Result<u64, ApiError> {
    v.parse().map_err(|_| {
        ApiError::admin(
            field,
            format!("{field} must be a whole number ≥ 0, got {v:?}"),
        )
    })
}

/// Forget the journal.
#[utoipa::path(delete, path = "/__admin/journal", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), responses((status = 200, description = "Deleted")))]
pub async fn clear_journal(State(app): State<AppState>) -> Json<Value> {
    app.with_journal(|j| j.clear(None));
    Json(json!({"deleted": "all"}))
}

/// `POST /__admin/reset` body (empty = everything).
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetBody {
    /// Only this terminal.
    tid: Option<String>,
}

/// `PUT /__admin/clock` body.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetClockBody {
    /// RFC 3339, not before the current mock time.
    #[schema(format = DateTime)]
    now: String,
}

/// `POST /__admin/clock/advance` body.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdvanceBody {
    /// Seconds, may be fractional; at most ten years.
    #[schema(minimum = 0, maximum = 315_360_000)]
    seconds: f64,
}

/// `PUT /__admin/terminals/{tid}/next-outcome` body.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NextOutcomeBody {
    /// approve, decline, timeout, exception, customer-cancel, init-error, cardholder-abort, dcc, dcc-no-decimals.
    #[schema(value_type = Outcome)]
    outcome: String,
    /// How many tasks (default 1; 0 clears).
    #[schema(value_type = Option<u64>, maximum = 4_294_967_295_u64)]
    count: Option<u32>,
}

/// `PATCH /__admin/terminals/{tid}` body.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchTerminalBody {
    /// false: every task push fails with 502.
    reachable: Option<bool>,
    /// How the terminal takes Cloud tasks.
    #[schema(value_type = Option<TerminalMode>)]
    mode: Option<String>,
    /// A latency profile name (the document served by a running mock lists the loaded ones as an enum).
    latency: Option<String>,
}

/// `PATCH /__admin/terminals/{tid}` `mode`.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "kebab-case")]
pub enum TerminalMode {
    /// Tasks queue FIFO and run one at a time.
    Automatic,
    /// A new task is refused (406 `TERMINAL_BUSY`) while one is unfinished.
    SemiIntegrated,
}

/// Change the simulated device of a TID (device channels).
#[utoipa::path(patch, path = "/__admin/devices/{tid}", tag = "Admin (not GP tom)", security((), ("adminToken" = [])),
    params(("tid" = String, Path)), request_body = PatchDeviceBody,
    responses((status = 200, description = "The device"), (status = 400, description = "Bad body", body = AdminErrorBody), (status = 404, description = "Unknown TID", body = AdminErrorBody)))]
pub async fn patch_device(
    State(app): State<AppState>,
    Segment(tid): Segment,
    Body(body): Body,
) -> Reply {
    let m = object(
        &body,
        &[
            "installed",
            "loggedIn",
            "appVersion",
            "printerAvailable",
            "tipEnabled",
        ],
    )?;
    let installed = opt_bool(&m, "installed")?;
    let logged_in = opt_bool(&m, "loggedIn")?;
    let printer = opt_bool(&m, "printerAvailable")?;
    let tip = opt_bool(&m, "tipEnabled")?;
    let version = opt_str(&m, "appVersion")?.map(str::to_owned);
    let device =
        app.with_engine(|e, _| e.patch_device(&tid, installed, logged_in, version, printer, tip));
    Ok(Json(json!(admin(device)?)))
}

/// `PATCH /__admin/devices/{tid}` body.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PatchDeviceBody {
    /// GP tom installed.
    installed: Option<bool>,
    /// true: log the terminal's account in; false: log out.
    logged_in: Option<bool>,
    /// Reported app version.
    app_version: Option<String>,
    /// Printer connected.
    printer_available: Option<bool>,
    /// Tipping enabled.
    tip_enabled: Option<bool>,
}
