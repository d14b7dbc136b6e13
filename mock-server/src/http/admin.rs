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

use super::dto::{AdminErrorBody, TaskDto};
use super::extract::{Body, Segment, parse_json};
use crate::clock::Timestamp;
use crate::contract::admin::{
    AdminBody, AdvanceBody, NextOutcomeBody, PatchDeviceBody, PatchTerminalBody, ResetBody,
    SandboxBody, SetClockBody, TaskOutcomeBody, TerminalMode,
};
use crate::engine::{self, fault::FaultSpec, outcome::Outcome, terminal::Mode};
use crate::error::ApiError;
use crate::journal::Filter;
use crate::state::{AppState, Scope};

super::api! {
    /// The admin routes (`/__admin/…`).
    pub fn routes / doc: [health], [reset], [clock, set_clock], [advance_clock], [next_outcome], [patch_terminal], [board], [cancel_task], [decide_task], [state], [add_fault, list_faults, delete_faults], [delete_fault], [journal, clear_journal], [journal_stream], [judgement], [patch_device], [create_sandbox, list_sandboxes], [delete_sandbox]
}

super::api! {
    /// The admin routes anyone may read, token or not: the CA a device must trust (`--tls auto`).
    pub fn public_routes / public_doc: [ca_pem]
}

/// With `--admin-token`, every admin call needs `Authorization: Bearer <token>`.
pub async fn require_token(State(app): State<AppState>, req: Request, next: Next) -> Response {
    // a replayed call was let in when it was logged (the token may have changed since)
    if Scope::replaying() || authorized(&app, req.headers()) {
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

/// Whether an admin call may pass: no `--admin-token`, or `Authorization: Bearer` with it.
pub fn authorized(app: &AppState, headers: &header::HeaderMap) -> bool {
    let Some(expected) = app.config().admin_token.as_deref() else {
        return true;
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    given.and_then(|v| v.strip_prefix("Bearer ")).map(str::trim) == Some(expected)
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

/// An admin JSON body (no body or `null` = `{}`), read as its contract type; a refusal names the field.
fn read<T: AdminBody>(body: &[u8]) -> Result<T, ApiError> {
    let m = if body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        match parse_json(body) {
            Ok(Value::Object(m)) => m,
            Ok(Value::Null) => Map::new(),
            Ok(_) => return Err(ApiError::admin("(body)", "the body must be a JSON object")),
            Err(e) => return Err(ApiError::admin("(body)", e.to_string())),
        }
    };
    T::from_object(m).map_err(|e| ApiError::admin(&e.field, e.message))
}

/// Liveness, version and seed.
#[utoipa::path(get, path = "/__admin/health", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), responses((status = 200, description = "`{\"status\":\"ok\",\"name\":\"gptom-mock\",\"version\",\"seed\"}`")))]
pub async fn health(State(app): State<AppState>) -> Json<Value> {
    let seed = app.config().seed;
    Json(
        json!({"status": "ok", "name": "gptom-mock", "version": env!("CARGO_PKG_VERSION"), "seed": seed}),
    )
}

/// The local CA of `--tls auto`, PEM: install it on the phone, tablet or desktop that runs the POS. Public (a CA
/// certificate is no secret), so a device's browser can fetch it without the admin token.
#[utoipa::path(get, path = "/__admin/ca.pem", tag = "Admin (not GP tom)", responses((status = 200, description = "The CA certificate", content_type = "application/x-pem-file"), (status = 404, description = "Not started with --tls auto", body = AdminErrorBody)))]
pub async fn ca_pem(State(app): State<AppState>) -> Result<Response, ApiError> {
    match app.ca_pem() {
        Some(pem) => Ok((
            [(header::CONTENT_TYPE, "application/x-pem-file")],
            pem.to_owned(),
        )
            .into_response()),
        None => Err(ApiError::Admin {
            status: StatusCode::NOT_FOUND,
            message: "no CA: the mock serves its own certificate only with --tls auto".into(),
            field: None,
        }),
    }
}

/// A sandbox: a copy of every fixture terminal and login with new TIDs, apiKeys and usernames, for one user or CI
/// run on a shared mock.
#[utoipa::path(post, path = "/__admin/sandboxes", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), request_body(content = Option<SandboxBody>, description = "Optional: `{\"label\": \"ci-1234\"}`"), responses((status = 201, description = "`{id, label, client, terminals: [{tid, apiKey, merchantId, currency, mode, copyOf}], accounts: [{username, password, kind, tids, copyOf}]}`"), (status = 400, description = "Bad body; names the field", body = AdminErrorBody)))]
pub async fn create_sandbox(
    State(app): State<AppState>,
    Body(body): Body,
) -> Result<Response, ApiError> {
    let SandboxBody { label } = read(&body)?;
    let made = app.with_engine(|e, _| {
        let client = e.world().directory.client.clone();
        e.create_sandbox(label).json(&client)
    });
    Ok((StatusCode::CREATED, Json(made)).into_response())
}

/// The sandboxes, oldest first.
#[utoipa::path(get, path = "/__admin/sandboxes", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), responses((status = 200, description = "`{\"sandboxes\": [...]}` as created")))]
pub async fn list_sandboxes(State(app): State<AppState>) -> Json<Value> {
    Json(app.with_engine(|e, _| {
        let client = &e.world().directory.client;
        let all: Vec<Value> = e.sandboxes().iter().map(|s| s.json(client)).collect();
        json!({"sandboxes": all})
    }))
}

/// Deletes a sandbox: its logins (their tokens stop working), terminals, devices, and everything that happened
/// on them, journal entries included.
#[utoipa::path(delete, path = "/__admin/sandboxes/{id}", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), params(("id" = String, Path, description = "`sb1`, …")), responses((status = 200, description = "`{\"deleted\": id, \"tids\": [...]}`"), (status = 404, description = "No such sandbox", body = AdminErrorBody)))]
pub async fn delete_sandbox(State(app): State<AppState>, Segment(id): Segment) -> Reply {
    let tids = admin(app.with_devices(|l, _| l.delete_sandbox(&id)))?;
    app.with_journal(|j| {
        for tid in &tids {
            j.clear(Some(tid));
        }
        j.clear_sandbox(&id);
    });
    app.publish("cleared", || "{}".into());
    Ok(Json(json!({"deleted": id, "tids": tids})))
}

/// Clear tasks, transactions, batches, journal, overrides and faults (all, or one TID).
#[utoipa::path(post, path = "/__admin/reset", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), request_body(content = Option<ResetBody>, description = "Optional: no body (or `{}`) resets everything"), responses((status = 200, description = "Done"), (status = 400, description = "Bad body; names the field", body = AdminErrorBody), (status = 404, description = "Unknown TID", body = AdminErrorBody)))]
pub async fn reset(State(app): State<AppState>, Body(body): Body) -> Reply {
    let ResetBody { tid } = read(&body)?;
    admin(app.with_devices(|e, _| e.reset(tid.as_deref())))?;
    app.with_journal(|j| j.clear(tid.as_deref()));
    app.publish("cleared", || "{}".into());
    Ok(Json(json!({"reset": tid.as_deref().unwrap_or("all")})))
}

/// The clock as a caller sees it: the mock's, or its sandbox's (`X-Gptom-Sandbox`).
fn clock_json(app: &AppState) -> Json<Value> {
    let clock = app.clock();
    let offset = Scope::current()
        .sandbox
        .map_or(0, |s| app.with_engine_untimed(|e| e.sandbox_offset(&s)));
    let mut reply = json!({"now": clock.now().plus_ms(offset).to_rfc3339(), "mode": clock.kind()});
    if offset != 0 {
        reply["sandboxOffsetMs"] = json!(offset);
    }
    Json(reply)
}

/// The sandbox a call was sent for (`X-Gptom-Sandbox`), which must exist.
fn sandbox(app: &AppState) -> Result<Option<String>, ApiError> {
    let Some(id) = Scope::current().sandbox else {
        return Ok(None);
    };
    if !app.with_engine_untimed(|e| e.has_sandbox(&id)) {
        return Err(ApiError::Admin {
            status: StatusCode::NOT_FOUND,
            message: format!(
                "no sandbox {id:?} (X-Gptom-Sandbox): it was deleted, or never made here"
            ),
            field: None,
        });
    }
    Ok(Some(id.to_string()))
}

/// Moves the clock of the call's sandbox forward by `ms`, or the mock's clock when the call names none.
fn move_clock(app: &AppState, ms: i64) -> Result<(), ApiError> {
    match sandbox(app)? {
        Some(id) => admin(app.with_engine_untimed(|e| e.advance_sandbox(&id, ms))).map(|_| ()),
        None => {
            app.clock()
                .advance(Duration::from_millis(u64::try_from(ms).unwrap_or(0)));
            Ok(())
        }
    }
}

/// Read the mock clock.
#[utoipa::path(get, path = "/__admin/clock", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), responses((status = 200, description = "`{\"now\",\"mode\"}`")))]
pub async fn clock(State(app): State<AppState>) -> Json<Value> {
    clock_json(&app)
}

/// Move the mock clock forward.
#[utoipa::path(post, path = "/__admin/clock/advance", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), request_body = AdvanceBody, responses((status = 200, description = "`{\"now\",\"mode\"}`"), (status = 400, description = "Bad body; names the field", body = AdminErrorBody)))]
pub async fn advance_clock(State(app): State<AppState>, Body(body): Body) -> Reply {
    let AdvanceBody { seconds } = read(&body)?;
    let ms = i64::try_from(Duration::from_secs_f64(seconds).as_millis()).unwrap_or(i64::MAX);
    move_clock(&app, ms)?;
    Ok(clock_json(&app))
}

/// Set the mock clock (never backwards).
#[utoipa::path(put, path = "/__admin/clock", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), request_body = SetClockBody, responses((status = 200, description = "`{\"now\",\"mode\"}`"), (status = 400, description = "Bad body (names the field), or `now` before the current mock time: the clock never goes backwards (cloud-mock.md §12)", body = AdminErrorBody)))]
pub async fn set_clock(State(app): State<AppState>, Body(body): Body) -> Reply {
    let SetClockBody { now } = read(&body)?;
    let to = Timestamp::parse(&now).map_err(|e| ApiError::admin("now", e))?;
    let backwards = |cur: Timestamp| {
        ApiError::admin(
            "now",
            format!("the clock never goes backwards: it is already {cur}"),
        )
    };
    match sandbox(&app)? {
        Some(id) => {
            let cur = app
                .clock()
                .now()
                .plus_ms(app.with_engine_untimed(|e| e.sandbox_offset(&id)));
            if to < cur {
                return Err(backwards(cur));
            }
            move_clock(&app, to.0 - cur.0)?;
        }
        None => app.clock().set(to).map_err(backwards)?,
    }
    Ok(clock_json(&app))
}

/// Outcome of the next N tasks created on a TID.
#[utoipa::path(put, path = "/__admin/terminals/{tid}/next-outcome", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), request_body = NextOutcomeBody, params(("tid" = String, Path)), responses((status = 200, description = "Done"), (status = 400, description = "Bad body; names the field", body = AdminErrorBody), (status = 404, description = "Unknown TID", body = AdminErrorBody)))]
pub async fn next_outcome(
    State(app): State<AppState>,
    Segment(tid): Segment,
    Body(body): Body,
) -> Reply {
    let NextOutcomeBody {
        outcome: name,
        count,
    } = read(&body)?;
    let outcome = Outcome::parse(&name).ok_or_else(|| {
        ApiError::admin(
            "outcome",
            format!(
                "unknown outcome {name:?}; expected one of {}",
                Outcome::NAMES
            ),
        )
    })?;
    let count = count.unwrap_or(1);
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
    let PatchTerminalBody {
        reachable,
        mode,
        latency,
    } = read(&body)?;
    let mode = mode.map(|m| match m {
        TerminalMode::Automatic => Mode::Automatic,
        TerminalMode::SemiIntegrated => Mode::SemiIntegrated,
    });
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

/// Every terminal as the console shows it: settings, the payment it is working on (status as of now), the
/// queue, its last tasks, who is logged in. A pure read: nothing is settled.
#[utoipa::path(get, path = "/__admin/terminals", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), responses((status = 200, description = "`{\"now\", \"mode\", \"terminals\": [...]}`")))]
pub async fn board(State(app): State<AppState>) -> Json<Value> {
    let clock = app.clock().kind();
    Json(app.with_devices(
        |l, now| json!({"now": now.to_rfc3339(), "mode": clock, "terminals": l.board(now)}),
    ))
}

/// The person at the terminal decides a payment waiting under the `operator` latency profile.
#[utoipa::path(post, path = "/__admin/tasks/{task_id}/outcome", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), params(("task_id" = String, Path)), request_body = TaskOutcomeBody, responses((status = 200, description = "The task as of now (final if it was IN_PROGRESS)", body = TaskDto), (status = 400, description = "Bad body or outcome; names the field", body = AdminErrorBody), (status = 404, description = "Unknown task", body = AdminErrorBody), (status = 409, description = "Already final, already decided, or not waiting for a decision (its terminal is not on the operator latency profile)", body = AdminErrorBody)))]
pub async fn decide_task(
    State(app): State<AppState>,
    Segment(task_id): Segment,
    Body(body): Body,
) -> Result<Json<TaskDto>, ApiError> {
    let TaskOutcomeBody { outcome: name } = read(&body)?;
    let outcome = Outcome::parse(&name)
        .filter(|o| *o != Outcome::InitError)
        .ok_or_else(|| {
            ApiError::admin(
                "outcome",
                format!(
                    "{name:?} is not something a person at the terminal can do; expected one of approve, decline, \
                     timeout, exception, customer-cancel, cardholder-abort, dcc, dcc-no-decimals (init-error \
                     happens before a payment starts: arm it with next-outcome)"
                ),
            )
        })?;
    let view = admin(app.with_engine(|e, now| e.decide_task(&task_id, outcome, now)))?;
    Ok(Json(view.into()))
}

/// Terminals, batches with totals, tasks (computed status), transactions.
#[utoipa::path(get, path = "/__admin/state", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), params(("tid" = Option<String>, Query, description = "Only this terminal")), responses((status = 200, description = "State dump"), (status = 400, description = "Unknown filter", body = AdminErrorBody), (status = 404, description = "`tid` names no terminal (in a sandbox: none of the sandbox's)", body = AdminErrorBody)))]
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
    let sandbox = sandbox(&app)?;
    let dump = app.with_engine(|e, now| e.state(now, tid.as_deref(), sandbox.as_deref()));
    Ok(Json(admin(dump)?))
}

/// Add a fault rule.
#[utoipa::path(post, path = "/__admin/faults", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), request_body = crate::contract::fault::FaultSpec, responses((status = 200, description = "`{\"id\"}`"), (status = 400, description = "Bad rule; names the field. Also a `delay_ms` range whose min exceeds its max, which the schema cannot say", body = AdminErrorBody)))]
pub async fn add_fault(State(app): State<AppState>, Body(body): Body) -> Reply {
    let mut spec: FaultSpec = read(&body)?;
    if let Some(sandbox) = sandbox(&app)? {
        spec.matches.sandbox.get_or_insert(sandbox);
    }
    let id = app
        .with_engine(|e, _| e.add_fault(spec))
        .map_err(|(field, why)| ApiError::admin(field, why))?;
    Ok(Json(json!({"id": id})))
}

/// List fault rules.
#[utoipa::path(get, path = "/__admin/faults", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), responses((status = 200, description = "`{\"faults\": [...]}`")))]
pub async fn list_faults(State(app): State<AppState>) -> Json<Value> {
    let sandbox = Scope::current().sandbox;
    let mine = |r: &engine::fault::FaultRule| {
        sandbox
            .as_deref()
            .is_none_or(|s| r.spec.matches.sandbox.as_deref() == Some(s))
    };
    // a run in a sandbox sees its own rules only
    Json(
        json!({"faults": app.with_engine(|e, _| e.faults().iter().filter(|r| mine(r)).cloned().collect::<Vec<_>>())}),
    )
}

/// Delete every fault rule.
#[utoipa::path(delete, path = "/__admin/faults", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), responses((status = 200, description = "Deleted")))]
pub async fn delete_faults(State(app): State<AppState>) -> Json<Value> {
    let Some(sandbox) = Scope::current().sandbox else {
        app.with_engine(|e, _| e.remove_faults(None));
        return Json(json!({"deleted": "all"}));
    };
    // a run in a sandbox removes its own rules only
    app.with_engine(|e, _| {
        let ids: Vec<String> = e
            .faults()
            .iter()
            .filter(|r| r.spec.matches.sandbox.as_deref() == Some(&*sandbox))
            .map(|r| r.id.clone())
            .collect();
        for id in &ids {
            e.remove_faults(Some(id));
        }
    });
    Json(json!({"deleted": "all", "sandbox": &*sandbox}))
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
    let filter = journal_filter(q, &["tid", "path", "since", "after", "limit"])?;
    let (entries, evicted, last) =
        app.with_journal(|j| (j.select(&filter), j.evicted(), j.last_seq()));
    Ok(Json(
        json!({"entries": entries, "evicted": evicted, "lastSeq": last}),
    ))
}

/// A journal filter from a query, of the keys `allowed`; a run in a sandbox reads its own requests only.
fn journal_filter(q: Vec<(String, String)>, allowed: &[&str]) -> Result<Filter, ApiError> {
    let mut filter = Filter {
        sandbox: Scope::current().sandbox.map(|s| s.to_string()),
        ..Filter::default()
    };
    for (k, v) in q {
        match k.as_str() {
            k if !allowed.contains(&k) => {
                let (last, rest) = allowed.split_last().unwrap_or((&"", &[]));
                return Err(ApiError::admin(
                    k,
                    format!("unknown filter {k:?}; use {} or {last}", rest.join(", ")),
                ));
            }
            // An empty `tid` or `path` filters nothing; an empty `since` is not a time.
            "tid" | "path" if v.is_empty() => {}
            "tid" => filter.tid = Some(v),
            "path" => filter.path = Some(v),
            "since" => {
                filter.since = Some(Timestamp::parse(&v).map_err(|e| ApiError::admin("since", e))?)
            }
            "after" => filter.after = Some(count("after", &v)?),
            "limit" => filter.limit = Some(count("limit", &v)?.try_into().unwrap_or(usize::MAX)),
            _ => {}
        }
    }
    Ok(filter)
}

/// The client checks of `gptom-conformance certify-client --judge` over the journal as it is now (the console
/// asks again as traffic arrives): each check pass / warn / fail / n/a with its evidence (journal `seq`s), and a
/// status timeline per task. `tid` and `since` narrow it to one POS or one session.
#[utoipa::path(get, path = "/__admin/judgement", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), params(("tid" = Option<String>, Query, description = "Only this TID"), ("since" = Option<String>, Query, format = DateTime, description = "RFC 3339: only entries at or after this mock time")), responses((status = 200, description = "The judgement, as certify-client's JSON report holds it"), (status = 400, description = "Bad filter", body = AdminErrorBody)))]
pub async fn judgement(
    State(app): State<AppState>,
    Query(q): Query<Vec<(String, String)>>,
) -> Reply {
    let filter = journal_filter(q, &["tid", "since"])?;
    let (entries, evicted) = app.with_journal(|j| (j.select(&filter), j.evicted()));
    let entries = serde_json::to_value(entries).unwrap_or_default();
    let journal =
        crate::judge::Journal::from_value(json!({"entries": entries, "evicted": evicted}))
            .map_err(|e| ApiError::admin("(journal)", e.to_string()))?;
    Ok(Json(json!(crate::judge::judge(&journal))))
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
    app.publish("cleared", || "{}".into());
    Json(json!({"deleted": "all"}))
}

/// The journal as it is written: each new entry as a server-sent event `entry` (the entry's JSON, as
/// `GET /__admin/journal` shows it); `cleared` when entries were removed (a reset, a sandbox deleted: read the
/// journal again); `dropped` with `{"count"}` when this reader was too slow and lost that many (the mock never
/// waits for a reader). Ends when the mock stops.
#[utoipa::path(get, path = "/__admin/journal/stream", tag = "Admin (not GP tom)", security((), ("adminToken" = [])), responses((status = 200, description = "`text/event-stream`: events `entry`, `cleared`, `dropped`")))]
pub async fn journal_stream(State(app): State<AppState>) -> impl IntoResponse {
    use axum::response::sse::{Event, KeepAlive, Sse};
    use futures_util::StreamExt as _;
    let stream = events(&app).map(|(kind, data)| {
        Ok::<_, std::convert::Infallible>(Event::default().event(kind).data(&*data))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// What a console hears, as `(kind, JSON)`: the events published, `dropped` when it fell behind; it ends when
/// the mock stops.
pub fn events(
    app: &AppState,
) -> impl futures_util::Stream<Item = (&'static str, std::sync::Arc<str>)> + Send + use<> {
    use tokio::sync::broadcast::error::RecvError;
    let (events, stopping) = app.listen();
    futures_util::stream::unfold(
        (events, stopping),
        |(mut events, mut stopping)| async move {
            let event = tokio::select! {
                e = events.recv() => e,
                _ = stopping.wait_for(|stop| *stop) => return None,
            };
            let event = match event {
                Ok(e) => (e.kind, e.data.json()),
                Err(RecvError::Lagged(n)) => ("dropped", json!({"count": n}).to_string().into()),
                Err(RecvError::Closed) => return None,
            };
            Some((event, (events, stopping)))
        },
    )
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
    let PatchDeviceBody {
        installed,
        logged_in,
        app_version: version,
        printer_available: printer,
        tip_enabled: tip,
    } = read(&body)?;
    let device =
        app.with_devices(|e, _| e.patch_device(&tid, installed, logged_in, version, printer, tip));
    Ok(Json(json!(admin(device)?)))
}
