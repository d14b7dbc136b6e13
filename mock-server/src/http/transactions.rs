//! `GET /v1/transactions/{transactionId}`: one engine call, DTO.

use axum::Json;
use axum::extract::State;

use super::dto::TransactionDto;
use super::extract::{Bearer, Segment};
use crate::error::ApiError;
use crate::state::AppState;

super::api! {
    /// The transaction route.
    pub fn routes / doc: [read]
}

/// Transaction detail, including the receipt fields.
#[utoipa::path(get, path = "/v1/transactions/{transactionId}", tag = "Cloud API", security(("GPTomAuth" = [])),
    params(("transactionId" = String, Path, description = "The task's contextId once COMPLETED")),
    responses(
        (status = 200, description = "The transaction", body = TransactionDto),
        (status = 400, description = "Undecodable path", body = super::dto::VendorErrorBody),
        (status = 401, description = "Missing or invalid bearer token", body = super::dto::OAuthErrorBody),
        (status = 404, description = "Unknown, another terminal's, or not yet completed", body = super::dto::VendorErrorBody),
    ))]
pub async fn read(
    State(app): State<AppState>,
    Bearer(who): Bearer,
    Segment(id): Segment,
) -> Result<Json<TransactionDto>, ApiError> {
    let txn = app.with_engine(|e, now| e.transaction(&who, &id, now))?;
    Ok(Json(txn.into()))
}
