//! Every error body the mock writes, and nowhere else: the vendor's four-field body on `/v1/*`
//! (`exceptionId`, `type`, `message`, `context`), Spring-OAuth bodies on the token paths and for 401s,
//! Spring's `{"status","error","path"}` for unknown routes and wrong methods, and `{"error","field"}` on
//! `/__admin`. The vendor body needs the seeded RNG for `exceptionId`, so handlers return the error as a
//! response extension and [`finish`] (called by the outermost layer) writes the body.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::json;

use crate::engine::{self, token::AuthError, token::OAuthError};
use crate::state::AppState;

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A vendor business error (400/403/404/406/413/415/502) — written by [`finish`].
    #[error(transparent)]
    Vendor(#[from] engine::Error),
    /// Token endpoint errors.
    #[error(transparent)]
    OAuth(#[from] OAuthError),
    /// Bearer token missing or refused (401).
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// A bad admin call.
    #[error("{message}")]
    Admin {
        /// HTTP status.
        status: StatusCode,
        /// What is wrong.
        message: String,
        /// The body field at fault.
        field: Option<String>,
    },
}

impl ApiError {
    /// 400 `MALFORMED_REQUEST`.
    pub fn malformed(message: impl Into<String>) -> Self {
        ApiError::Vendor(engine::Error::malformed(message))
    }

    /// A vendor error with a status and type of the HTTP layer (413, 415).
    pub fn vendor(status: u16, kind: &'static str, message: impl Into<String>) -> Self {
        ApiError::Vendor(engine::Error::new(status, kind, message, None))
    }

    /// 400 on an admin call, naming the field.
    pub fn admin(field: &str, message: impl Into<String>) -> Self {
        ApiError::Admin {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
            field: Some(field.into()),
        }
    }
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Vendor(e) => (status(e.status), Extension(e)).into_response(),
            ApiError::OAuth(e) => {
                let body = Json(json!({"error": e.error, "error_description": e.description}));
                let mut res = (status(e.status), body).into_response();
                if e.status == 401 {
                    res.headers_mut().insert(
                        header::WWW_AUTHENTICATE,
                        HeaderValue::from_static("Basic realm=\"oauth2/client\""),
                    );
                }
                res
            }
            ApiError::Auth(AuthError::Missing) => {
                let description = AuthError::Missing.to_string();
                let body = Json(json!({"error": "unauthorized", "error_description": description}));
                let mut res = (StatusCode::UNAUTHORIZED, body).into_response();
                res.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"oauth2-resource\""),
                );
                res
            }
            ApiError::Auth(AuthError::Invalid(description)) => {
                let challenge = format!(
                    "Bearer error=\"invalid_token\", error_description=\"{}\"",
                    description.replace(['"', '\\'], "'")
                );
                let body =
                    Json(json!({"error": "invalid_token", "error_description": description}));
                let mut res = (StatusCode::UNAUTHORIZED, body).into_response();
                if let Ok(v) = HeaderValue::from_str(&challenge) {
                    res.headers_mut().insert(header::WWW_AUTHENTICATE, v);
                }
                res
            }
            ApiError::Admin {
                status,
                message,
                field,
            } => (status, Json(json!({"error": message, "field": field}))).into_response(),
        }
    }
}

/// Spring's body for an unknown route.
pub async fn not_found(req: Request) -> Response {
    let path = req.uri().path().to_owned();
    (
        StatusCode::NOT_FOUND,
        Json(json!({"status": 404, "error": "Not Found", "path": path})),
    )
        .into_response()
}

/// Marks an answer written elsewhere — the upstream's, in proxy mode: [`finish`] passes it through untouched.
#[derive(Clone, Copy, Debug)]
pub struct Passthrough;

/// Writes the body of a response that carries a vendor error (or is axum's bare 405); others pass unchanged.
/// The journal layer calls it on every response; layers that answer by themselves call it too.
pub fn finish(app: &AppState, mut res: Response, path: &str) -> Response {
    if res.extensions().get::<Passthrough>().is_some() {
        return res; // an upstream's answer goes back byte for byte
    }
    if let Some(e) = res.extensions_mut().remove::<engine::Error>() {
        let exception_id = app.with_engine_untimed(|engine| engine.exception_id());
        let body = json!({"exceptionId": exception_id, "type": e.kind, "message": e.message, "context": e.context});
        let (mut parts, _) = res.into_parts();
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        return Response::from_parts(parts, axum::body::Body::from(body.to_string()));
    }
    // A bare 404 from a nested router (e.g. an unknown file under /docs) gets Spring's body like any unknown route.
    if res.status() == StatusCode::NOT_FOUND && !res.headers().contains_key(header::CONTENT_TYPE) {
        let body = Json(json!({"status": 404, "error": "Not Found", "path": path}));
        return (StatusCode::NOT_FOUND, body).into_response();
    }
    if res.status() == StatusCode::METHOD_NOT_ALLOWED {
        let allow = res.headers().get(header::ALLOW).cloned();
        let body = Json(json!({"status": 405, "error": "Method Not Allowed", "path": path}));
        let mut out = (StatusCode::METHOD_NOT_ALLOWED, body).into_response();
        if let Some(a) = allow {
            out.headers_mut().insert(header::ALLOW, a);
        }
        return out;
    }
    res
}

/// An error with its causes, `outer: inner: root` (each cause once): what a transport error says in full
/// ("error sending request: client error (Connect): tcp connect error: Connection refused").
pub fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}
