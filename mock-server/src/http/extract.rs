//! Request extractors that reject in the vendor's shapes: a size-limited body (413 `PAYLOAD_TOO_LARGE`), JSON
//! that refuses duplicate keys (400 `MALFORMED_REQUEST`), a JSON content type on POSTs (415) and the bearer
//! token of `/v1/*` (401).

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, HeaderValue, header, request::Parts};
use serde_json::Value;

use crate::clock::Timestamp;
use crate::engine::token::{AuthError, Who};
use crate::engine::{Engine, body};
use crate::error::ApiError;
use crate::state::AppState;

/// The raw request body, within the configured limit.
pub struct Body(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state)
            .await
            .map(Body)
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::vendor(
                        413,
                        "PAYLOAD_TOO_LARGE",
                        "request body exceeds the size limit",
                    )
                } else {
                    ApiError::malformed(format!("could not read the request body: {rejection}"))
                }
            })
    }
}

/// One path segment (`{taskId}`, `{transactionId}`, `{tid}`); an undecodable one is a 400, not axum's text.
pub struct Segment(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Segment {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map(|p| Segment(p.0))
            .map_err(|e| ApiError::malformed(format!("bad path parameter: {e}")))
    }
}

/// The content type without parameters, lower-cased.
pub fn content_type(headers: &HeaderMap) -> Option<String> {
    let raw = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(
        raw.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase(),
    )
}

/// 415 unless the request says it carries JSON.
pub fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    // what nearly every client sends, checked without the lower-cased copy
    if headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == b"application/json")
    {
        return Ok(());
    }
    match content_type(headers) {
        Some(ct)
            if ct == "application/json"
                || (ct.starts_with("application/") && ct.ends_with("+json")) =>
        {
            Ok(())
        }
        other => Err(ApiError::vendor(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            format!(
                "Content-Type {} is not supported; send application/json",
                other.map_or_else(|| "(missing)".to_owned(), |c| format!("'{c}'"))
            ),
        )),
    }
}

/// Parses JSON, refusing duplicate object keys anywhere in the document.
pub fn parse_json(bytes: &[u8]) -> Result<Value, ApiError> {
    body::parse_value(bytes).map_err(malformed)
}

/// Parses a task body (the fields borrowed for the field rules), refusing what [`parse_json`] refuses.
pub fn parse_task_body(bytes: &[u8]) -> Result<body::Json<'_>, ApiError> {
    body::parse(bytes).map_err(malformed)
}

fn malformed(e: serde_json::Error) -> ApiError {
    ApiError::malformed(format!("the request body is not valid JSON: {e}"))
}

/// Who an `Authorization: Bearer` access token speaks for, once verified.
pub struct Bearer(pub Who);

impl FromRequestParts<AppState> for Bearer {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer_token(&parts.headers)?;
        let who = app.with_engine(|e, now| e.authenticate(token, now))?;
        Ok(Bearer(who))
    }
}

/// The token of an `Authorization: Bearer` header, as the header's bytes (`None`: no such header), not yet
/// verified; a header that cannot hold one is refused (401).
pub fn bearer_token(headers: &HeaderMap) -> Result<Option<&[u8]>, ApiError> {
    match headers
        .get(header::AUTHORIZATION)
        .map(HeaderValue::as_bytes)
    {
        None => Ok(None),
        // `HeaderValue::to_str`'s check, a word at a time: a header value never holds a control character (http
        // refuses them), so the only bytes it refuses are those above 0x7f
        Some(v) if !v.is_ascii() => {
            Err(AuthError::Invalid("Authorization header is not ASCII".into()).into())
        }
        Some(v) => {
            // `Bearer <token>`: the scheme up to the first space, in any case; the rest trimmed (ASCII whitespace
            // is all a header value can hold). Bytes: a token seen before is never read as text.
            let (scheme, rest) = v.split_at(v.iter().position(|&b| b == b' ').unwrap_or(v.len()));
            let token = rest.trim_ascii();
            if !scheme.eq_ignore_ascii_case(b"bearer") || token.is_empty() {
                return Err(AuthError::Missing.into());
            }
            Ok(Some(token))
        }
    }
}

/// Who a `/v1` call is made by, as its handler has it: already verified (by the [`Bearer`] extractor, on the
/// router), or a token to verify in the same engine call as the request itself ([`super::hot`]: one lock and one
/// clock read a request, not two).
pub enum Caller<'a> {
    /// Verified.
    Known(&'a Who),
    /// Not yet: [`bearer_token`]'s answer.
    Token(Option<&'a [u8]>),
}

impl Caller<'_> {
    /// Who it is, verifying the token now if it has not been.
    pub fn who(&self, engine: &mut Engine, now: Timestamp) -> Result<Who, ApiError> {
        match self {
            Caller::Known(who) => Ok((*who).clone()),
            Caller::Token(token) => Ok(engine.authenticate(*token, now)?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_refused_at_any_depth() {
        assert!(parse_json(br#"{"a":1,"a":2}"#).is_err());
        assert!(parse_json(br#"{"x":{"b":1,"b":1}}"#).is_err());
        assert!(parse_json(br#"[{"c":1},{"c":1}]"#).is_ok());
        assert_eq!(
            parse_json(br#" {"amount": 1111} "#).unwrap()["amount"],
            1111
        );
        assert!(parse_json(b"{} x").is_err());
        assert!(parse_json(b"").is_err());
    }

    #[test]
    fn nesting_is_bounded_not_a_stack_overflow() {
        let deep = "[".repeat(100_000);
        assert!(parse_json(deep.as_bytes()).is_err());
    }
}
