//! `POST /v1/tasks/{taskClass}` and `GET /v1/tasks/{taskId}`: extract, one engine call, DTO.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::post;

use super::dto::TaskDto;
use super::extract::{Bearer, Body, parse_json, require_json};
use crate::error::ApiError;
use crate::state::AppState;

/// The task routes (one path: POST creates a task of a class, GET reads a task by id).
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/v1/tasks/{key}", post(create).get(read))
}

async fn create(
    State(app): State<AppState>,
    Bearer(who): Bearer,
    Path(class): Path<String>,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Json<TaskDto>, ApiError> {
    require_json(&headers)?;
    let body = parse_json(&body)?;
    let view = app.with_engine(|e, now| e.create_task(&who, &class, &body, now))?;
    Ok(Json(view.into()))
}

async fn read(
    State(app): State<AppState>,
    Bearer(who): Bearer,
    Path(id): Path<String>,
) -> Result<Json<TaskDto>, ApiError> {
    let view = app.with_engine(|e, now| e.task(&who, &id, now))?;
    Ok(Json(view.into()))
}
