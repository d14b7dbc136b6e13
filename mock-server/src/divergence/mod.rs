//! Where a real GP tom's answers break the mock's model of it. The proxy (`gptom-mock proxy`) journals every
//! exchange with the upstream; [`check`] reads those entries and names each answer the mock would not have
//! given: a status the documentation does not list for the call, a body off its documented schema (field
//! spellings, types, value sets, no undocumented fields), an error type answered with another status than the
//! mock's, a grant or a request body the mock's rules judge otherwise, and the task lifecycle (status order
//! across polls, `contextId` only when COMPLETED, the transaction readable once COMPLETED, `timeToLive`
//! expiry). Pure: entries in, a report out; the model follows the proxy's `--profile`, like the mock would.
//!
//! This is the report a user sends so the mock can be corrected: an upstream that behaves like the mock
//! yields an empty list.

mod lifecycle;
mod schema;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::engine::Profiles;
use crate::engine::body::{Field, Json, Name, Object};
use crate::engine::terminal::Terminal;
use crate::engine::validate;
use crate::journal::Entry;

pub use schema::Schemas;

/// One answer that breaks the model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Divergence {
    /// The journal entry (`GET /__admin/journal`) of the exchange.
    pub seq: u64,
    /// Which part of the model it breaks (`status`, `schema`, `error-status`, `grant`, `validation`,
    /// `create-status`, `lifecycle`, `context-id`, `transaction`, `expiry`).
    pub rule: &'static str,
    /// `METHOD path` of the call.
    pub call: String,
    /// What the upstream answered.
    pub upstream: String,
    /// What the mock would have answered (or what its model requires).
    pub mock: String,
}

/// `GET /__admin/divergences`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    /// Every divergence, in journal order.
    pub divergences: Vec<Divergence>,
    /// How many of each rule.
    pub summary: BTreeMap<&'static str, usize>,
    /// Exchanges with the upstream that were checked (answers the proxy made itself are not).
    pub checked: usize,
}

/// The mock's model of GP tom: the documented schemas and the behaviour profiles in force.
pub struct Model {
    profiles: Profiles,
    schemas: Schemas,
}

impl Model {
    /// The model under `profiles` (the proxy's `--profile`), with the schemas of `document`: the mock's
    /// OpenAPI document as JSON (`http::api_doc()`, what `/openapi.json` serves).
    pub fn new(profiles: Profiles, document: &Value) -> Self {
        Model {
            profiles,
            schemas: Schemas::from_document(document),
        }
    }
}

/// The calls the model knows, by method and path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Call<'a> {
    /// `POST /cloud/oauth/token` (`cloud` true) or `/api/oauth/token`.
    Token { cloud: bool },
    /// `POST /v1/tasks/TRANSACTION` or `BATCH`.
    Create { batch: bool },
    /// `GET /v1/tasks/{id}`.
    Task(&'a str),
    /// `GET /v1/transactions/{id}`.
    Transaction(&'a str),
}

impl<'a> Call<'a> {
    fn of(method: &str, path: &'a str) -> Option<Self> {
        match (method, path) {
            ("POST", "/cloud/oauth/token") => Some(Call::Token { cloud: true }),
            ("POST", "/api/oauth/token") => Some(Call::Token { cloud: false }),
            ("POST", "/v1/tasks/TRANSACTION") => Some(Call::Create { batch: false }),
            ("POST", "/v1/tasks/BATCH") => Some(Call::Create { batch: true }),
            ("GET", p) => {
                if let Some(id) = p.strip_prefix("/v1/tasks/").filter(|s| !s.contains('/')) {
                    Some(Call::Task(id))
                } else {
                    p.strip_prefix("/v1/transactions/")
                        .filter(|s| !s.contains('/'))
                        .map(Call::Transaction)
                }
            }
            _ => None,
        }
    }
}

/// Every divergence among `entries` (a journal's, oldest first).
pub fn check(model: &Model, entries: &[Entry]) -> Report {
    let mut report = Report::default();
    let mut tasks = lifecycle::Tasks::default();
    for e in entries {
        // Answers the proxy made itself (an upstream failure, a body over the limit) say nothing of GP tom.
        if e.fault.is_some() || e.status == 0 || e.channel != "cloud" {
            continue;
        }
        let Some(call) = Call::of(&e.method, &e.path) else {
            continue;
        };
        report.checked += 1;
        let mut say = |rule: &'static str, upstream: String, mock: String| {
            report.divergences.push(Divergence {
                seq: e.seq,
                rule,
                call: format!("{} {}", e.method, e.path),
                upstream,
                mock,
            });
        };
        if let Err((upstream, mock)) = model.schemas.status(&e.method, &e.path, e.status) {
            say("status", upstream, mock);
        } else {
            for (upstream, mock) in
                model
                    .schemas
                    .body(&e.method, &e.path, e.status, &e.response_body)
            {
                say("schema", upstream, mock);
            }
        }
        if let Some((upstream, mock)) = error_status(call, e, model.profiles) {
            say("error-status", upstream, mock);
        }
        match call {
            Call::Token { cloud } => {
                if let Some((upstream, mock)) = grant(cloud, e, model.profiles) {
                    say("grant", upstream, mock);
                }
            }
            Call::Create { batch } => {
                if let Some((upstream, mock)) = validation(batch, e, model.profiles) {
                    say("validation", upstream, mock);
                }
            }
            Call::Task(_) | Call::Transaction(_) => {}
        }
        tasks.see(call, e, model.profiles, &mut say);
    }
    for d in &report.divergences {
        *report.summary.entry(d.rule).or_default() += 1;
    }
    report
}

/// The status the mock answers a vendor error `type` with on this call, under `profiles` (cloud-mock.md §5).
fn status_of(call: Call<'_>, kind: &str, profiles: Profiles) -> Option<u16> {
    Some(match (call, kind) {
        (Call::Token { .. }, _) => return None,
        (_, "MALFORMED_REQUEST") => 400,
        (Call::Create { .. }, "PAYLOAD_TOO_LARGE") => 413,
        (Call::Create { .. }, "UNSUPPORTED_MEDIA_TYPE") => 415,
        (Call::Create { .. }, "TERMINAL_ACCESS_DENIED") => 403,
        (
            Call::Create { .. },
            "VALIDATION_EXCEPTION"
            | "TERMINAL_BUSY"
            | "TRANSACTION_NOT_FOUND"
            | "TERMINAL_MISMATCH"
            | "TRANSACTION_NOT_VOIDABLE"
            | "TRANSACTION_ALREADY_VOIDED"
            | "CANCELLATION_EXPIRED"
            | "AMOUNT_MISMATCH",
        ) => 406,
        (Call::Create { .. }, "PUSH_NOTIFICATION_FAILED") => 502,
        (Call::Task(_), "TASK_NOT_FOUND") if profiles.task_not_found_403 => 403,
        (Call::Task(_), "TASK_NOT_FOUND") => 404,
        (Call::Transaction(_), "TRANSACTION_NOT_FOUND") => 404,
        _ => return None,
    })
}

/// `error-status`: a vendor error body whose `type` the mock answers with another status, or never on this call.
fn error_status(call: Call<'_>, e: &Entry, profiles: Profiles) -> Option<(String, String)> {
    if e.status < 400 || e.status == 401 || matches!(call, Call::Token { .. }) {
        return None;
    }
    let kind = e.response_body.get("type")?.as_str()?;
    match status_of(call, kind, profiles) {
        Some(s) if s == e.status => None,
        Some(s) => Some((
            format!("{} {kind}", e.status),
            format!("{s} {kind}{}", profile_note(kind)),
        )),
        None => Some((
            format!("{} {kind}", e.status),
            "no error of this type on this call".to_owned(),
        )),
    }
}

fn profile_note(kind: &str) -> &'static str {
    match kind {
        "TASK_NOT_FOUND" => " (403 under --profile task-not-found-403)",
        _ => "",
    }
}

/// `grant`: a grant type the mock accepts on this path refused as unsupported, or the other way round
/// (lenient: both grants on both paths; strict: password only on /cloud, refresh only on /api).
fn grant(cloud: bool, e: &Entry, profiles: Profiles) -> Option<(String, String)> {
    let form = form_fields(&e.request_body);
    let grant = form.get("grant_type").map(String::as_str)?;
    let known = matches!(grant, "password" | "refresh_token");
    let accepted = known
        && (!profiles.strict
            || (cloud && grant == "password")
            || (!cloud && grant == "refresh_token"));
    let path = if cloud {
        "/cloud/oauth/token"
    } else {
        "/api/oauth/token"
    };
    let error = e.response_body.get("error").and_then(Value::as_str);
    let unsupported = e.status == 400 && error == Some("unsupported_grant_type");
    if accepted && unsupported {
        return Some((
            format!("400 unsupported_grant_type for grant_type={grant}"),
            format!(
                "grant_type={grant} is accepted on {path} (refused only under --profile strict)"
            ),
        ));
    }
    if !accepted && e.status == 200 {
        return Some((
            format!("200: a token for grant_type={grant}"),
            format!("400 unsupported_grant_type: grant_type={grant} is not taken on {path}"),
        ));
    }
    None
}

/// The fields of a form body as the journal holds it (text, secrets already hidden), or of a JSON object.
fn form_fields(body: &Value) -> BTreeMap<String, String> {
    match body {
        Value::String(s) => serde_urlencoded::from_str::<Vec<(String, String)>>(s)
            .unwrap_or_default()
            .into_iter()
            .collect(),
        Value::Object(m) => m
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
            .collect(),
        _ => BTreeMap::new(),
    }
}

/// `validation`: the mock's field rules (cloud-mock.md §6) judge the request body otherwise than the upstream
/// did. Only what needs no state is compared: the JSON shape (400) and the field rules (406
/// `VALIDATION_EXCEPTION`, by field); access, VOID and busy rules depend on the upstream's accounts.
fn validation(batch: bool, e: &Entry, profiles: Profiles) -> Option<(String, String)> {
    let json = e
        .headers
        .get("content-type")
        .is_some_and(|c| c.to_ascii_lowercase().contains("json"));
    if !json {
        return None; // 415 on the mock; whether GP tom checks it is open
    }
    let body = Json::from_value(&e.request_body);
    let model = match validate::object(&body) {
        Err(err) => Err(err),
        Ok(body) => rules(batch, body, profiles.strict),
    };
    let kind = e.response_body.get("type").and_then(Value::as_str);
    let context = e.response_body.get("context").and_then(Value::as_str);
    let upstream_field = context.and_then(field_of);
    match (&model, e.status) {
        (Ok(()), 406) if kind == Some("VALIDATION_EXCEPTION") => Some((
            format!("406 VALIDATION_EXCEPTION {}", context.unwrap_or("")),
            "the field rules accept this body".to_owned(),
        )),
        (Ok(()), 400) => Some((
            format!("400 {}", kind.unwrap_or("")),
            "a JSON object: no 400".to_owned(),
        )),
        (Err(err), 200..=299) => Some((format!("{} (accepted)", e.status), describe(err))),
        (Err(err), 406)
            if err.kind == "VALIDATION_EXCEPTION"
                && kind == Some("VALIDATION_EXCEPTION")
                && upstream_field.is_some()
                && upstream_field != err.context.as_deref().and_then(field_of) =>
        {
            Some((
                format!("406 VALIDATION_EXCEPTION {}", context.unwrap_or("")),
                describe(err),
            ))
        }
        _ => None,
    }
}

fn describe(err: &crate::engine::Error) -> String {
    match &err.context {
        Some(c) => format!("{} {} {c}", err.status, err.kind),
        None => format!("{} {} ({})", err.status, err.kind, err.message),
    }
}

/// `[amount]:{…}` → `amount`.
fn field_of(context: &str) -> Option<&str> {
    context.strip_prefix('[')?.split(']').next()
}

/// The field rules alone, with a terminal that takes the body's currency (the upstream's terminals are not
/// known here: a currency mismatch is state, not a field rule).
fn rules(batch: bool, body: &Object<'_>, strict: bool) -> Result<(), crate::engine::Error> {
    if batch {
        return validate::batch(body, strict).map(|_| ());
    }
    let currency = match body.field(Name::CurrencyCode) {
        Some(Field::Str(c)) if c.len() == 3 => c,
        _ => "CZK",
    };
    let terminal = Terminal::stand_in(currency);
    validate::transaction(body, Some(&terminal), strict).map(|_| ())
}

#[cfg(test)]
mod tests;
