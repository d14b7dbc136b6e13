//! What a request is about, read without judging it (method, path, TID, amount, task class; one claim of its
//! bearer token): the facts fault rules match on and the journal labels entries with. Free of axum.

use http::{HeaderMap, Method, header};
use serde_json::Value;

use crate::contract::fault::RequestFacts;

/// Method, path, TID, amount and task class of a request, as far as they can be read without judging it.
pub fn facts_of(method: &Method, path: &str, headers: &HeaderMap, body: &[u8]) -> RequestFacts {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let body_tid = json
        .as_ref()
        .and_then(|j| j.get("Tid").or_else(|| j.get("tid")))
        .and_then(scalar_text);
    let header_tid = || {
        headers
            .get("x-gptom-tid")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let form_tid = || {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
            .unwrap_or_default()
            .into_iter()
            .find(|(k, _)| k == "tid")
            .map(|(_, v)| v)
    };
    let tid = body_tid
        .or_else(header_tid)
        .or_else(form_tid)
        .or_else(|| bearer_claim(headers, "tid"));
    let amount = json
        .as_ref()
        .and_then(|j| j.get("amount"))
        .and_then(|a| match a {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.parse().ok(),
            _ => None,
        });
    let task_class = match (method.as_str(), path.strip_prefix("/v1/tasks/")) {
        ("POST", Some(class)) => Some(class.to_owned()),
        _ => None,
    };
    let sandbox = headers
        .get(crate::contract::admin::SANDBOX_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    RequestFacts {
        method: method.to_string(),
        path: path.to_owned(),
        tid,
        amount,
        task_class,
        sandbox,
    }
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// One claim of the bearer token, read without verifying it (labels only: rules, journal).
pub fn bearer_claim(headers: &HeaderMap, name: &str) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let claims: Value = jsonwebtoken::dangerous::insecure_decode_claims(token.trim()).ok()?;
    claims.get(name).and_then(scalar_text)
}
