//! `/app2app/*`: the AIDL calls of GP tom's Android service as JSON over HTTP (the entity JSON Gson writes).
//! The TID is chosen by the `X-Gptom-Tid` header (default: the first terminal). One engine call each; the
//! rules live in `device::app2app`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::extract::{Body, Segment, parse_json};
use super::journal::Warnings;
use crate::device::app2app::TxnReply;
use crate::error::ApiError;
use crate::state::AppState;

super::api! {
    /// The app2app routes.
    pub fn routes / doc: [register], [transaction], [result], [state], [inquire], [info], [login], [logout], [change_password]
}

/// The `X-Gptom-Tid` header: absent = the first terminal; present but empty = 400 (it names nothing).
pub fn tid(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    match headers
        .get("x-gptom-tid")
        .map(|v| v.to_str().map(str::trim))
    {
        None => Ok(None),
        Some(Ok("")) => Err(ApiError::admin(
            "X-Gptom-Tid",
            "X-Gptom-Tid is empty: name a terminal, or leave the header out for the first one",
        )),
        Some(Ok(t)) => Ok(Some(t.to_owned())),
        Some(Err(_)) => Err(ApiError::admin(
            "X-Gptom-Tid",
            "X-Gptom-Tid must be visible ASCII",
        )),
    }
}

/// The entity: a JSON object; no body or `null` (Gson's null entity) = `{}`.
fn entity(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match parse_json(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(Value::Null) => Ok(Map::new()),
        _ => Err(ApiError::admin(
            "(body)",
            "the body must be the entity as a JSON object",
        )),
    }
}

fn txn_reply(r: TxnReply, warnings: Vec<String>) -> Response {
    match r {
        TxnReply::Done(v) => {
            (StatusCode::OK, axum::Extension(Warnings(warnings)), Json(v)).into_response()
        }
        TxnReply::Pending(id) => (
            StatusCode::ACCEPTED,
            axum::Extension(Warnings(warnings)),
            Json(json!({"pending": id})),
        )
            .into_response(),
    }
}

/// transactionRegisterV2: a fresh transactionId.
#[utoipa::path(post, path = "/app2app/register", tag = "Android app2app", request_body(content = Option<Object>, description = "RegisterEntity `{clientID?, paymentMethod?}`; no body = `{}`"), params(("X-Gptom-Tid" = Option<String>, Header, min_length = 1, description = "Terminal (default: the first of the fixtures); empty → 400")), responses((status = 200, description = "The result entity"), (status = 400, description = "Not a JSON object, or an empty X-Gptom-Tid", body = super::dto::AdminErrorBody)))]
pub async fn register(
    State(app): State<AppState>,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Json<Value>, ApiError> {
    let tid = tid(&headers)?;
    let body = entity(&body)?;
    Ok(Json(app.with_devices(|e, now| {
        e.a2a_register(tid.as_deref(), &body, now)
    })))
}

/// transactionRequestV2: pay, void, refund or close the batch.
#[utoipa::path(post, path = "/app2app/transaction", tag = "Android app2app", request_body(content = Option<Object>, description = "TransactionRequestV2Entity; no body = `{}` (answered in-band: transactionID missing)"), params(("X-Gptom-Tid" = Option<String>, Header, min_length = 1, description = "Terminal (default: the first of the fixtures); empty → 400")), responses((status = 200, description = "TransactionResultV2Entity"), (status = 202, description = "`{pending}`: poll GET /app2app/transaction/{id}"), (status = 400, description = "Not a JSON object, or an empty X-Gptom-Tid", body = super::dto::AdminErrorBody)))]
pub async fn transaction(
    State(app): State<AppState>,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Response, ApiError> {
    tid(&headers)?; // the registration chose the terminal; the header is still checked as documented
    let body = entity(&body)?;
    let (r, warnings) = app.with_devices(|e, now| e.a2a_transaction(&body, now));
    Ok(txn_reply(r, warnings))
}

/// The TransactionResultV2Entity once final.
#[utoipa::path(get, path = "/app2app/transaction/{id}", tag = "Android app2app", params(("id" = String, Path), ("X-Gptom-Tid" = Option<String>, Header, min_length = 1, description = "Terminal (default: the first of the fixtures); empty → 400")), responses((status = 200, description = "TransactionResultV2Entity"), (status = 202, description = "Still running"), (status = 400, description = "Empty X-Gptom-Tid", body = super::dto::AdminErrorBody), (status = 404, description = "No request with that id", body = super::dto::AdminErrorBody)))]
pub async fn result(
    State(app): State<AppState>,
    headers: HeaderMap,
    Segment(id): Segment,
) -> Result<Response, ApiError> {
    tid(&headers)?;
    let r = app.with_devices(|e, now| e.a2a_result(&id, now));
    r.map(|r| txn_reply(r, Vec::new())).ok_or(ApiError::Admin {
        status: StatusCode::NOT_FOUND,
        message: format!("no transactionRequestV2 with transactionID {id}"),
        field: None,
    })
}

/// stateRequest.
#[utoipa::path(get, path = "/app2app/state/{id}", tag = "Android app2app", params(("id" = String, Path), ("X-Gptom-Tid" = Option<String>, Header, min_length = 1, description = "Terminal (default: the first of the fixtures); empty → 400")), responses((status = 200, description = "StateResultEntity"), (status = 400, description = "Empty X-Gptom-Tid", body = super::dto::AdminErrorBody)))]
pub async fn state(
    State(app): State<AppState>,
    headers: HeaderMap,
    Segment(id): Segment,
) -> Result<Json<Value>, ApiError> {
    tid(&headers)?;
    Ok(Json(app.with_devices(|e, now| e.a2a_state(&id, now))))
}

/// TransactionInquire.
#[utoipa::path(get, path = "/app2app/inquire/{id}", tag = "Android app2app", params(("id" = String, Path), ("X-Gptom-Tid" = Option<String>, Header, min_length = 1, description = "Terminal (default: the first of the fixtures); empty → 400")), responses((status = 200, description = "InquireResultEntity"), (status = 400, description = "Empty X-Gptom-Tid", body = super::dto::AdminErrorBody)))]
pub async fn inquire(
    State(app): State<AppState>,
    headers: HeaderMap,
    Segment(id): Segment,
) -> Result<Json<Value>, ApiError> {
    tid(&headers)?;
    Ok(Json(app.with_devices(|e, now| e.a2a_inquire(&id, now))))
}

/// getGPTomInfo.
#[utoipa::path(get, path = "/app2app/info", tag = "Android app2app", params(("X-Gptom-Tid" = Option<String>, Header, min_length = 1, description = "Terminal (default: the first of the fixtures); empty → 400")), responses((status = 200, description = "App2AppInfoResponse"), (status = 400, description = "Empty X-Gptom-Tid", body = super::dto::AdminErrorBody)))]
pub async fn info(
    State(app): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let tid = tid(&headers)?;
    Ok(Json(app.with_devices(|e, _| e.a2a_info(tid.as_deref()))))
}

const TID_HEADER_DOC: &str = "Terminal (default: the first of the fixtures); empty → 400";

/// loginUser: `{username, password, terminalId}`; the outcome is answered in-band (`status`).
#[utoipa::path(post, path = "/app2app/login", tag = "Android app2app", request_body(content = Option<Object>, description = "`{username, password, terminalId}`"), params(("X-Gptom-Tid" = Option<String>, Header, min_length = 1, description = TID_HEADER_DOC)), responses((status = 200, description = "The result entity"), (status = 400, description = "Not a JSON object, or an empty X-Gptom-Tid", body = super::dto::AdminErrorBody)))]
pub async fn login(
    app: State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    account(app, headers, body, "login").await
}

/// logoutUser.
#[utoipa::path(post, path = "/app2app/logout", tag = "Android app2app", request_body(content = Option<Object>, description = "no body, or `{}`"), params(("X-Gptom-Tid" = Option<String>, Header, min_length = 1, description = TID_HEADER_DOC)), responses((status = 200, description = "The result entity"), (status = 400, description = "Not a JSON object, or an empty X-Gptom-Tid", body = super::dto::AdminErrorBody)))]
pub async fn logout(
    app: State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    account(app, headers, body, "logout").await
}

/// changePassword.
#[utoipa::path(post, path = "/app2app/change-password", tag = "Android app2app", request_body(content = Option<Object>, description = "`{oldPass, newPass}` (the logged-in user)"), params(("X-Gptom-Tid" = Option<String>, Header, min_length = 1, description = TID_HEADER_DOC)), responses((status = 200, description = "The result entity"), (status = 400, description = "Not a JSON object, or an empty X-Gptom-Tid", body = super::dto::AdminErrorBody)))]
pub async fn change_password(
    app: State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    account(app, headers, body, "change-password").await
}

async fn account(
    State(app): State<AppState>,
    headers: HeaderMap,
    Body(body): Body,
    call: &'static str,
) -> Result<Json<Value>, ApiError> {
    let tid = tid(&headers)?;
    let body = entity(&body)?;
    Ok(Json(app.with_devices(|e, _| {
        e.a2a_login(tid.as_deref(), call, &body)
    })))
}
