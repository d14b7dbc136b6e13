//! `GET /v1/transactions/{transactionId}`: one engine call, DTO.

use axum::Json;
use axum::extract::{Path, State};
use axum::routing::get;

use super::dto::TransactionDto;
use super::extract::Bearer;
use crate::error::ApiError;
use crate::state::AppState;

/// The transaction route.
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/v1/transactions/{id}", get(read))
}

async fn read(
    State(app): State<AppState>,
    Bearer(who): Bearer,
    Path(id): Path<String>,
) -> Result<Json<TransactionDto>, ApiError> {
    let txn = app.with_engine(|e, now| e.transaction(&who, &id, now))?;
    Ok(Json(txn.into()))
}
