//! The request journal: a bounded ring of every request and response (mock-clock time, method, path, headers
//! with Authorization redacted, bodies, status, the task and TID it touched, the fault that applied, and
//! warnings about likely client bugs). Read and cleared through `/__admin/journal`.

use std::collections::{BTreeMap, VecDeque};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;
use serde_json::Value;

use super::faults::{DropConnection, FaultApplied, bearer_claim, buffer, facts_of};
use crate::clock::Timestamp;
use crate::engine::validate::likely_mistakes;
use crate::state::AppState;

/// Largest body kept per entry; longer ones are cut.
const BODY_KEEP: usize = 16 * 1024;

/// One request and its answer.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// 1, 2, … in arrival order.
    pub seq: u64,
    /// Mock-clock time of arrival.
    pub time: Timestamp,
    /// HTTP method.
    pub method: String,
    /// Path.
    pub path: String,
    /// Query string, if any.
    pub query: Option<String>,
    /// Request headers (Authorization redacted).
    pub headers: BTreeMap<String, String>,
    /// Request body: JSON when it parses, else text, else null.
    pub request_body: Value,
    /// HTTP status (0 when the connection was dropped by a fault).
    pub status: u16,
    /// Response body.
    pub response_body: Value,
    /// The task the call created or read.
    pub task_id: Option<String>,
    /// The TID the call was about.
    pub tid: Option<String>,
    /// Task status the client was told, if any.
    pub task_status: Option<String>,
    /// The fault rule that shaped the answer.
    pub fault: Option<String>,
    /// Likely client bugs seen in the request.
    pub warnings: Vec<String>,
    /// `cloud`, `ios` or `app2app`.
    pub channel: &'static str,
    /// `jti` of the bearer token the call carried (which token a client reused), if any.
    pub token_jti: Option<String>,
}

/// Response marker: likely client bugs a handler noticed (device channels), for the journal.
#[derive(Clone, Debug, Default)]
pub struct Warnings(pub Vec<String>);

/// A bounded ring of entries.
#[derive(Debug)]
pub struct Journal {
    entries: VecDeque<Entry>,
    cap: usize,
    next_seq: u64,
    evicted: u64,
}

/// Filters of `GET /__admin/journal`.
#[derive(Debug, Default)]
pub struct Filter {
    /// Only this TID.
    pub tid: Option<String>,
    /// Path prefix, or a glob when it contains `*`.
    pub path: Option<String>,
    /// Entries at or after this time.
    pub since: Option<Timestamp>,
}

impl Journal {
    /// An empty journal keeping at most `cap` entries.
    pub fn new(cap: usize) -> Self {
        Journal {
            entries: VecDeque::new(),
            cap: cap.max(1),
            next_seq: 1,
            evicted: 0,
        }
    }

    fn push(&mut self, mut e: Entry) {
        e.seq = self.next_seq;
        self.next_seq += 1;
        if self.entries.len() == self.cap {
            self.entries.pop_front();
            self.evicted += 1;
        }
        self.entries.push_back(e);
    }

    /// Entries matching `f`, oldest first.
    pub fn select(&self, f: &Filter) -> Vec<Entry> {
        self.entries
            .iter()
            .filter(|e| f.tid.as_ref().is_none_or(|t| e.tid.as_ref() == Some(t)))
            .filter(|e| {
                f.path.as_ref().is_none_or(|p| {
                    if p.contains('*') {
                        crate::engine::fault::glob(p, &e.path)
                    } else {
                        e.path.starts_with(p.as_str())
                    }
                })
            })
            .filter(|e| f.since.is_none_or(|s| e.time >= s))
            .cloned()
            .collect()
    }

    /// How many entries the cap has pushed out since the last clear (evidence a judge no longer sees).
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Forgets everything (or one TID's entries).
    pub fn clear(&mut self, tid: Option<&str>) {
        match tid {
            None => {
                self.entries.clear();
                self.evicted = 0;
            }
            Some(t) => self.entries.retain(|e| e.tid.as_deref() != Some(t)),
        }
    }
}

/// Names whose values never reach the journal (passwords in token forms, app2app and iOS login URLs).
const SECRETS: &[&str] = &["password", "newPassword", "oldPass", "newPass"];

fn body_value(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    if let Ok(mut v) = serde_json::from_slice::<Value>(bytes) {
        hide_secrets(&mut v);
        return v;
    }
    let cut = &bytes[..bytes.len().min(BODY_KEEP)];
    Value::String(hide_in_query(&String::from_utf8_lossy(cut)))
}

/// Replaces secret fields of a JSON body, and secret parameters inside string values (deep-link URLs).
fn hide_secrets(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if SECRETS.contains(&k.as_str()) {
                    *x = Value::String("[redacted]".into());
                } else {
                    hide_secrets(x);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(hide_secrets),
        Value::String(s) if s.contains('=') => *s = hide_in_query(s),
        _ => {}
    }
}

/// `a=1&password=x&b=2` → `a=1&password=[redacted]&b=2` (form bodies and URL queries).
fn hide_in_query(text: &str) -> String {
    let (head, query) = match text.split_once('?') {
        Some((h, q)) => (format!("{h}?"), q),
        None => (String::new(), text),
    };
    let parts: Vec<String> = query
        .split('&')
        .map(|p| match p.split_once('=') {
            Some((k, _)) if SECRETS.contains(&k) => format!("{k}=[redacted]"),
            _ => p.to_owned(),
        })
        .collect();
    format!("{head}{}", parts.join("&"))
}

fn redact(name: &str, value: &str) -> String {
    if name == "authorization" {
        let scheme = value.split_whitespace().next().unwrap_or("");
        return format!("{scheme} [redacted]");
    }
    value.to_owned()
}

/// The journal layer: records every request (admin calls only with `--journal-admin`).
pub async fn record(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let own = path.starts_with("/__admin") || path.starts_with("/docs") || path == "/openapi.json";
    if own && !(app.config().journal_admin && path.starts_with("/__admin")) {
        return next.run(req).await;
    }
    let time = app.clock().now();
    let (req, body) = match buffer(&app, req).await {
        Ok(r) => r,
        Err(res) => return res,
    };
    let (mut parts, inner) = req.into_parts();
    let facts = facts_of(&parts, &body);
    parts.extensions.insert(facts.clone()); // the fault layer reuses it instead of reading the body again
    let token_jti = bearer_claim(&parts, "jti");
    let headers = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                redact(k.as_str(), &String::from_utf8_lossy(v.as_bytes())),
            )
        })
        .collect();
    let request_body = body_value(&body);
    let mut warnings = match (&request_body, facts.task_class.is_some()) {
        (Value::Object(m), true) => likely_mistakes(m),
        _ => Vec::new(),
    };
    if parts.uri.path().starts_with("/v1/") && !parts.headers.contains_key(header::AUTHORIZATION) {
        warnings.push(
            "no Authorization header: every /v1 call needs `Authorization: Bearer <access_token>`"
                .into(),
        );
    }
    let (method, path, query) = (
        parts.method.to_string(),
        parts.uri.path().to_owned(),
        parts.uri.query().map(str::to_owned),
    );
    let res = next.run(Request::from_parts(parts, inner)).await;
    let dropped = res.extensions().get::<DropConnection>().is_some();
    let fault = res.extensions().get::<FaultApplied>().map(|f| f.0.clone());
    if let Some(w) = res.extensions().get::<Warnings>() {
        warnings.extend(w.0.iter().cloned());
    }
    let channel = match path.split('/').nth(1) {
        Some("ios") => "ios",
        Some("app2app") => "app2app",
        Some("__admin") => "admin",
        _ => "cloud",
    };
    let (res_parts, res_body) = res.into_parts();
    let bytes = axum::body::to_bytes(res_body, usize::MAX)
        .await
        .unwrap_or_default();
    let response_body = body_value(&bytes);
    let task_id = response_body
        .get("taskId")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| {
            path.strip_prefix("/v1/tasks/")
                .filter(|_| method == "GET")
                .map(str::to_owned)
        });
    let tid = facts.tid.or_else(|| {
        response_body
            .pointer("/payload/Tid")
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    let task_status = response_body
        .get("taskId")
        .and(response_body.get("status"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let entry = Entry {
        seq: 0,
        time,
        method,
        path,
        query,
        headers,
        request_body,
        status: if dropped {
            0
        } else {
            res_parts.status.as_u16()
        },
        response_body,
        task_id,
        tid,
        task_status,
        fault,
        warnings,
        channel,
        token_jti,
    };
    app.with_journal(|j| j.push(entry));
    Response::from_parts(res_parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_the_journal() {
        let form = body_value(b"grant_type=password&username=u&password=ABCDEFGHIJKL&tid=1");
        assert_eq!(
            form,
            Value::String("grant_type=password&username=u&password=[redacted]&tid=1".into())
        );
        let json = body_value(br#"{"username":"u","password":"p","nested":{"newPass":"n"}}"#);
        assert_eq!(
            json,
            serde_json::json!({"username":"u","password":"[redacted]","nested":{"newPass":"[redacted]"}})
        );
        let url = body_value(br#"{"url":"gptom://login?username=u&password=secret&tid=1"}"#);
        assert_eq!(
            url["url"],
            "gptom://login?username=u&password=[redacted]&tid=1"
        );
    }
}
