//! `POST /v1/tasks/TRANSACTION`, `POST /v1/tasks/BATCH` (any other class → 406) and `GET /v1/tasks/{taskId}`:
//! extract, one engine call, DTO.

use axum::extract::State;
use axum::http::HeaderMap;

use super::dto::TaskDto;
use super::extract::{Bearer, Body, Caller, Segment, parse_task_body, require_json};
use super::wire::{Wire, Written};
use crate::engine::Polled;
use crate::error::ApiError;
use crate::state::AppState;

super::api! {
    /// The task routes. The two documented classes have their own paths; `{taskId}` takes the task id on GET and
    /// any other class on POST.
    pub fn routes / doc: [create_transaction, read_transaction_id], [create_batch, read_batch_id], [create_other, read]
}

/// A task of `class` from a JSON `body` (also [`super::hot`]). The caller is verified first, then the content
/// type and the body, in one engine call.
pub(super) fn create(
    app: &AppState,
    who: Caller<'_>,
    class: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Wire<TaskDto>, ApiError> {
    let body = require_json(headers).and_then(|()| parse_task_body(body));
    let view = app.with_engine(|e, now| {
        let who = who.who(e, now)?;
        Ok::<_, ApiError>(e.create_task(&who, class, &body?, now)?)
    })?;
    Ok(Wire(view.into()))
}

/// Create a payment, refund or void task.
#[utoipa::path(post, path = "/v1/tasks/TRANSACTION", tag = "Cloud API", security(("GPTomAuth" = [])),
    request_body = super::dto::TransactionTaskRequest,
    responses(
        (status = 200, description = "Task registered; poll it", body = TaskDto),
        (status = 400, description = "Malformed JSON", body = super::dto::VendorErrorBody),
        (status = 401, description = "Missing or invalid bearer token", body = super::dto::OAuthErrorBody),
        (status = 403, description = "Tid or apiKey not allowed for this token", body = super::dto::VendorErrorBody),
        (status = 406, description = "A field or business rule failed", body = super::dto::VendorErrorBody),
        (status = 413, description = "Body too large", body = super::dto::VendorErrorBody),
        (status = 415, description = "Content-Type is not JSON", body = super::dto::VendorErrorBody),
        (status = 502, description = "Push notification to the terminal failed", body = super::dto::VendorErrorBody),
    ))]
pub async fn create_transaction(
    State(app): State<AppState>,
    Bearer(who): Bearer,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Wire<TaskDto>, ApiError> {
    create(&app, Caller::Known(&who), "TRANSACTION", &headers, &body)
}

/// Create a batch-close task.
#[utoipa::path(post, path = "/v1/tasks/BATCH", tag = "Cloud API", security(("GPTomAuth" = [])),
    request_body = super::dto::BatchTaskRequest,
    responses(
        (status = 200, description = "Task registered; poll it", body = TaskDto),
        (status = 400, description = "Malformed JSON", body = super::dto::VendorErrorBody),
        (status = 401, description = "Missing or invalid bearer token", body = super::dto::OAuthErrorBody),
        (status = 403, description = "Tid or apiKey not allowed for this token", body = super::dto::VendorErrorBody),
        (status = 406, description = "A field rule failed or the terminal is busy", body = super::dto::VendorErrorBody),
        (status = 413, description = "Body too large", body = super::dto::VendorErrorBody),
        (status = 415, description = "Content-Type is not JSON", body = super::dto::VendorErrorBody),
        (status = 502, description = "Push notification to the terminal failed", body = super::dto::VendorErrorBody),
    ))]
pub async fn create_batch(
    State(app): State<AppState>,
    Bearer(who): Bearer,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Wire<TaskDto>, ApiError> {
    create(&app, Caller::Known(&who), "BATCH", &headers, &body)
}

/// Any other task class: always refused (cloud-mock.md §7: `POST /v1/tasks/{other}` → 406
/// `VALIDATION_EXCEPTION` `[taskClass]:{unsupported}`). The path is shared with `GET /v1/tasks/{taskId}`, so
/// the segment keeps that name here.
#[utoipa::path(post, path = "/v1/tasks/{taskId}", tag = "Cloud API", security(("GPTomAuth" = [])),
    params(("taskId" = String, Path, description = "A task class other than TRANSACTION and BATCH, e.g. DUMMY (on GET this segment is a task id)")),
    request_body(content = Object, description = "Any JSON: the class is refused before the body is read"),
    responses(
        (status = 400, description = "Malformed JSON or undecodable path", body = super::dto::VendorErrorBody),
        (status = 401, description = "Missing or invalid bearer token", body = super::dto::OAuthErrorBody),
        (status = 406, description = "`VALIDATION_EXCEPTION` `[taskClass]:{unsupported}`: the only answer to a well-formed request", body = super::dto::VendorErrorBody),
        (status = 413, description = "Body too large", body = super::dto::VendorErrorBody),
        (status = 415, description = "Content-Type is not JSON", body = super::dto::VendorErrorBody),
    ))]
pub async fn create_other(
    State(app): State<AppState>,
    Bearer(who): Bearer,
    Segment(class): Segment,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Wire<TaskDto>, ApiError> {
    create(&app, Caller::Known(&who), &class, &headers, &body)
}

/// Read a task's status as of now.
#[utoipa::path(get, path = "/v1/tasks/{taskId}", tag = "Cloud API", security(("GPTomAuth" = [])),
    params(("taskId" = String, Path, description = "The id from the create response")),
    responses(
        (status = 200, description = "The task; repeat until the status is final", body = TaskDto),
        (status = 400, description = "Undecodable path", body = super::dto::VendorErrorBody),
        (status = 401, description = "Missing or invalid bearer token", body = super::dto::OAuthErrorBody),
        (status = 403, description = "Unknown task under profile task-not-found-403", body = super::dto::VendorErrorBody),
        (status = 404, description = "Unknown task or another terminal's task", body = super::dto::VendorErrorBody),
    ))]
pub async fn read(
    State(app): State<AppState>,
    Bearer(who): Bearer,
    Segment(id): Segment,
) -> Result<Written, ApiError> {
    read_task(&app, Caller::Known(&who), &id)
}

/// The task with this id (`GET /v1/tasks/{taskId}`, and `GET` on a create path: the task whose id is that word):
/// the bytes written for the same answer last time, else written now and kept ([`crate::engine::Polled`]).
pub(super) fn read_task(app: &AppState, who: Caller<'_>, id: &str) -> Result<Written, ApiError> {
    let polled = app.with_engine(|e, now| {
        let who = who.who(e, now)?;
        Ok::<_, ApiError>(e.poll(&who, id, now)?)
    })?;
    match polled {
        Polled::Kept(bytes) => Ok(Written(bytes)),
        Polled::Fresh(view, ticket) => {
            let bytes = super::wire::shared(Wire(TaskDto::from(view)).to_vec());
            app.with_engine_untimed(|e| e.keep_answer(ticket, bytes.clone()));
            Ok(Written(bytes))
        }
    }
}

/// `GET /v1/tasks/TRANSACTION`: the task with id `TRANSACTION`, which never exists (ids have 10 characters).
#[utoipa::path(get, path = "/v1/tasks/TRANSACTION", tag = "Cloud API", security(("GPTomAuth" = [])),
    responses(
        (status = 401, description = "Missing or invalid bearer token", body = super::dto::OAuthErrorBody),
        (status = 403, description = "Unknown task under profile task-not-found-403", body = super::dto::VendorErrorBody),
        (status = 404, description = "`TASK_NOT_FOUND`, as for any unknown task id (this path is `GET /v1/tasks/{taskId}` with the id `TRANSACTION`)", body = super::dto::VendorErrorBody),
    ))]
pub async fn read_transaction_id(
    State(app): State<AppState>,
    Bearer(who): Bearer,
) -> Result<Written, ApiError> {
    read_task(&app, Caller::Known(&who), "TRANSACTION")
}

/// `GET /v1/tasks/BATCH`: the task with id `BATCH`, which never exists (ids have 10 characters).
#[utoipa::path(get, path = "/v1/tasks/BATCH", tag = "Cloud API", security(("GPTomAuth" = [])),
    responses(
        (status = 401, description = "Missing or invalid bearer token", body = super::dto::OAuthErrorBody),
        (status = 403, description = "Unknown task under profile task-not-found-403", body = super::dto::VendorErrorBody),
        (status = 404, description = "`TASK_NOT_FOUND`, as for any unknown task id (this path is `GET /v1/tasks/{taskId}` with the id `BATCH`)", body = super::dto::VendorErrorBody),
    ))]
pub async fn read_batch_id(
    State(app): State<AppState>,
    Bearer(who): Bearer,
) -> Result<Written, ApiError> {
    read_task(&app, Caller::Known(&who), "BATCH")
}
