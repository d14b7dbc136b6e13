//! `POST /cloud/oauth/token` and `POST /api/oauth/token`: HTTP Basic client check, form body, one engine call.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use base64::Engine as _;

use super::extract::{Body, content_type};
use crate::engine::token::{OAuthError, TokenGrant, TokenPath};
use crate::error::ApiError;
use crate::state::AppState;

super::api! {
    /// The token routes.
    pub fn routes / doc: [cloud_token], [api_token]
}

/// Password grant (documented here) or refresh grant (lenient profile).
#[utoipa::path(post, path = "/cloud/oauth/token", tag = "OAuth", security(("clientBasic" = [])),
    request_body(content = super::dto::TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Tokens", body = TokenGrant),
        (status = 400, description = "invalid_request, invalid_grant or unsupported_grant_type", body = super::dto::OAuthErrorBody),
        (status = 401, description = "invalid_client: wrong HTTP Basic client", body = super::dto::OAuthErrorBody),
    ))]
pub async fn cloud_token(
    state: State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<TokenGrant>, ApiError> {
    token(state, headers, body, TokenPath::Cloud).await
}

/// Refresh grant (documented here) or password grant (lenient profile).
#[utoipa::path(post, path = "/api/oauth/token", tag = "OAuth", security(("clientBasic" = [])),
    request_body(content = super::dto::TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Tokens (the refresh token is returned unchanged)", body = TokenGrant),
        (status = 400, description = "invalid_request, invalid_grant or unsupported_grant_type", body = super::dto::OAuthErrorBody),
        (status = 401, description = "invalid_client: wrong HTTP Basic client", body = super::dto::OAuthErrorBody),
    ))]
pub async fn api_token(
    state: State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<TokenGrant>, ApiError> {
    token(state, headers, body, TokenPath::Api).await
}

fn basic_client(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

async fn token(
    State(app): State<AppState>,
    headers: HeaderMap,
    Body(body): Body,
    path: TokenPath,
) -> Result<Json<TokenGrant>, ApiError> {
    let client = basic_client(&headers);
    let known = client
        .as_ref()
        .is_some_and(|(id, secret)| app.with_engine(|e, _| e.is_client(id, secret)));
    if !known {
        return Err(OAuthError::invalid_client().into());
    }
    if content_type(&headers).as_deref() != Some("application/x-www-form-urlencoded") {
        return Err(OAuthError::invalid_request(
            "the body must be application/x-www-form-urlencoded",
        )
        .into());
    }
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|e| OAuthError::invalid_request(format!("the body is not form-encoded: {e}")))?;
    let grant = app.with_engine(|e, now| e.token(&form, path, now))?;
    Ok(Json(grant))
}
