//! `POST /ios/deeplink` and `GET /ios/deeplink/{id}`: a `gptom://` URL in, the redirect GP tom would open out.
//! One device-layer call each; the deep-link rules live in `device::ios`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::extract::{Body, Segment, parse_json};
use super::journal::Warnings;
use crate::device::ios::Reply;
use crate::error::ApiError;
use crate::state::AppState;

super::api! {
    /// The iOS routes.
    pub fn routes / doc: [open], [poll]
}

fn reply(r: Reply) -> Response {
    match r {
        Reply::Done {
            redirect,
            result,
            warnings,
        } => {
            let body = Json(json!({"redirect": redirect, "result": result, "warnings": warnings}));
            (StatusCode::OK, axum::Extension(Warnings(warnings)), body).into_response()
        }
        Reply::Pending(id) => (StatusCode::ACCEPTED, Json(json!({"pending": id}))).into_response(),
    }
}

/// Open a deep link on the TID's simulated device.
#[utoipa::path(post, path = "/ios/deeplink", tag = "iOS deep links",
    request_body = super::dto::DeeplinkBody,
    responses(
        (status = 200, description = "`{redirect, result, warnings}`: the redirect URL GP tom opens and its parsed parameters"),
        (status = 202, description = "`{pending}`: still running on the device; poll GET /ios/deeplink/{id}"),
        (status = 400, description = "Not a URL GP tom would open (not gptom://, unknown host/path), or GP tom is not installed on that device", body = super::dto::AdminErrorBody),
        (status = 404, description = "Unknown `tid`", body = super::dto::AdminErrorBody),
    ))]
pub async fn open(State(app): State<AppState>, Body(body): Body) -> Result<Response, ApiError> {
    let body = match parse_json(&body) {
        Ok(Value::Object(m)) => m,
        _ => {
            return Err(ApiError::admin(
                "(body)",
                "the body must be a JSON object {\"url\": \"gptom://…\", \"tid\"?: \"…\"}",
            ));
        }
    };
    let url = body
        .get("url")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::admin("url", "url is required: a gptom:// deep link"))?;
    let tid = match body.get("tid") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) => Some(t.clone()),
        Some(_) => return Err(ApiError::admin("tid", "tid must be a string")),
    };
    let r = app.with_devices(|e, now| {
        if let Some(t) = tid.as_deref() {
            // An unknown terminal is a missing resource, not a URL GP tom would refuse.
            e.engine
                .terminal_or_first(Some(t))
                .map_err(|err| ApiError::Admin {
                    status: StatusCode::NOT_FOUND,
                    message: err.message,
                    field: Some("tid".into()),
                })?;
        }
        e.deeplink(url, tid.as_deref(), now)
            .map_err(|why| ApiError::admin("url", why))
    })?;
    Ok(reply(r))
}

/// The result of a pending deep link.
#[utoipa::path(get, path = "/ios/deeplink/{id}", tag = "iOS deep links", params(("id" = String, Path)),
    responses((status = 200, description = "Final"), (status = 202, description = "Still running"), (status = 404, description = "Unknown id", body = super::dto::AdminErrorBody)))]
pub async fn poll(State(app): State<AppState>, Segment(id): Segment) -> Result<Response, ApiError> {
    let r = app.with_devices(|e, now| e.deeplink_poll(&id, now));
    r.map(reply).ok_or(ApiError::Admin {
        status: StatusCode::NOT_FOUND,
        message: format!("no pending deep link {id}"),
        field: None,
    })
}
