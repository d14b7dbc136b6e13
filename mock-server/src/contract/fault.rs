//! Fault rules (cloud-mock.md §12) as they travel: the admin API's body, a faults file's entry and a scenario
//! step's `add_fault` are this one type. A rule matches a request by method, path glob, TID, amount and task
//! class, then responds with an error, adds latency, or drops the connection — with a seeded probability and a
//! remaining count (the stateful side is `engine::fault`).

use serde::{Deserialize, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, KnownFormat, ObjectBuilder, OneOfBuilder, Schema,
    SchemaFormat, SchemaType, Type,
};

/// What a request looks like to the rules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestFacts {
    /// `GET`, `POST`, …
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// TID from the body (`Tid`), the form (`tid`) or the bearer token.
    pub tid: Option<String>,
    /// `amount` of a task body.
    pub amount: Option<i64>,
    /// `TRANSACTION` / `BATCH` for task creation.
    pub task_class: Option<String>,
    /// The sandbox the request said it belongs to (`X-Gptom-Sandbox`).
    pub sandbox: Option<String>,
}

/// Which requests a rule applies to; absent fields match anything.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultMatch {
    /// HTTP method (case-insensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Path glob: `*` within one segment, `**` across segments (`/v1/tasks/*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Terminal id, from the body's `Tid`, the token form's `tid` or the bearer token's `tid` claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tid: Option<String>,
    /// The task body's `amount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<i64>,
    /// `TRANSACTION` or `BATCH` (task creation only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_class: Option<String>,
    /// Only requests sent with `X-Gptom-Sandbox: <this>`. A rule added with that header gets it by itself, so
    /// that a run in a sandbox never faults another's requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<String>,
}

/// The error a `respond` rule answers with (the mock's one error envelope adds `exceptionId` and `context`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Respond {
    /// HTTP status, 400–599.
    pub status: u16,
    /// Vendor `type`, e.g. `PUSH_NOTIFICATION_FAILED`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `message` (a default per status when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Added latency: fixed milliseconds or a `[min, max]` range drawn by the seeded RNG.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum Delay {
    /// Always this long.
    Fixed(u64),
    /// Uniform in `[min, max]`.
    Range([u64; 2]),
}

/// What a rule does: exactly one of `respond`, `delay_ms`, `drop`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultAction {
    /// Answer with this error instead of the real response.
    Respond(Respond),
    /// Wait this many milliseconds (or a seeded draw from `[min, max]`), then answer normally. It is wall
    /// time: keep it to a few ms in scenarios (transcripts never show durations).
    DelayMs(Delay),
    /// `true`: close the connection without answering (a scenario step sees a transport error; expect it
    /// with `expect: {transport_error: true}`).
    Drop(bool),
}

impl FaultAction {
    /// What a person makes a real gateway do to behave like this (`run --interactive` prompts), e.g. `drop the
    /// connection (e.g. unplug the network)`.
    pub fn by_hand(&self) -> String {
        match self {
            FaultAction::Respond(r) => format!("answer {} {}", r.status, r.kind),
            FaultAction::DelayMs(_) => "answer slowly".to_owned(),
            FaultAction::Drop(_) => "drop the connection (e.g. unplug the network)".to_owned(),
        }
    }
}

/// A fault rule as given by the admin API or a faults file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// Which requests.
    #[serde(default, rename = "match")]
    pub matches: FaultMatch,
    /// What happens.
    pub action: FaultAction,
    /// Chance per matching request, 0–1 (default 1), drawn from the seeded RNG.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// How many more times it may apply (default: unlimited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
}

impl FaultSpec {
    /// Checks values serde cannot: status range, probability range, delay range. Returns the field and a
    /// message that names it (the admin API's 400 and the scenario loader both say it as it is).
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        let bad = |field: &'static str, why: String| Err((field, why));
        match &self.action {
            FaultAction::Respond(r) if !(400..=599).contains(&r.status) => {
                return bad(
                    "action.respond.status",
                    format!("action.respond.status {}: must be 400–599", r.status),
                );
            }
            FaultAction::Respond(r) if r.kind.is_empty() => {
                return bad(
                    "action.respond.type",
                    "action.respond.type must not be empty".into(),
                );
            }
            FaultAction::DelayMs(Delay::Range([a, b])) if a > b => {
                return bad(
                    "action.delay_ms",
                    format!("action.delay_ms [{a}, {b}]: min must not exceed max"),
                );
            }
            FaultAction::DelayMs(Delay::Fixed(ms) | Delay::Range([_, ms])) if *ms > 600_000 => {
                return bad(
                    "action.delay_ms",
                    format!("action.delay_ms {ms}: must be at most 600000 ms"),
                );
            }
            FaultAction::Drop(false) => {
                return bad(
                    "action.drop",
                    "action.drop must be true (omit the rule to keep the connection)".into(),
                );
            }
            _ => {}
        }
        if let Some(p) = self.probability
            && !(0.0..=1.0).contains(&p)
        {
            return bad(
                "probability",
                format!("probability {p}: must be between 0 and 1"),
            );
        }
        if self.times == Some(0) {
            return bad(
                "times",
                "times must be at least 1 (omit it for a rule that stays until removed)".into(),
            );
        }
        Ok(())
    }
}

/// Path glob: `*` = one segment or part of it, `**` = any number of segments.
pub fn glob(pattern: &str, path: &str) -> bool {
    fn segs(p: &[&str], s: &[&str]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some(&"**"), _) => segs(&p[1..], s) || (!s.is_empty() && segs(p, &s[1..])),
            (Some(pp), Some(ss)) => part(pp.as_bytes(), ss.as_bytes()) && segs(&p[1..], &s[1..]),
            _ => false,
        }
    }
    fn part(p: &[u8], s: &[u8]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some(b'*'), _) => part(&p[1..], s) || (!s.is_empty() && part(p, &s[1..])),
            (Some(a), Some(b)) => a == b && part(&p[1..], &s[1..]),
            _ => false,
        }
    }
    let p: Vec<&str> = pattern.split('/').collect();
    let s: Vec<&str> = path.split('/').collect();
    segs(&p, &s)
}

impl super::admin::AdminBody for FaultSpec {
    const FIELDS: &'static [&'static str] = &["match", "action", "probability", "times"];

    fn from_fields(
        m: serde_json::Map<String, serde_json::Value>,
    ) -> Result<Self, super::admin::FieldError> {
        use super::admin::FieldError;
        // serde would also read a struct from an array (`"match": [null, null]`); the schema says object.
        let nested = [
            ("match", m.get("match")),
            ("action", m.get("action")),
            (
                "action.respond",
                m.get("action").and_then(|a| a.get("respond")),
            ),
        ];
        if let Some((field, _)) = nested
            .iter()
            .find(|(_, v)| v.is_some_and(|v| !v.is_object()))
        {
            return Err(FieldError::new(
                field,
                format!("{field} must be a JSON object"),
            ));
        }
        let value = super::admin::integral(serde_json::Value::Object(m));
        serde_path_to_error::deserialize(value).map_err(|e| {
            let why = e.inner().to_string();
            // serde names a missing or unknown field in its message, not in the path: add it to the path.
            let named = why
                .split('`')
                .nth(1)
                .filter(|_| why.starts_with("missing field") || why.starts_with("unknown field"));
            let field = match (e.path().to_string().as_str(), named) {
                (".", Some(n)) => n.to_owned(),
                (p, Some(n)) => format!("{p}.{n}"),
                (p, None) => p.to_owned(),
            };
            FieldError::new(&field, format!("{field}: {why}"))
        })
    }
}

impl FaultMatch {
    /// Whether a request with these facts is one the rule applies to.
    pub fn matches(&self, f: &RequestFacts) -> bool {
        self.method
            .as_ref()
            .is_none_or(|m| m.eq_ignore_ascii_case(&f.method))
            && self.path.as_ref().is_none_or(|p| glob(p, &f.path))
            && self.tid.as_ref().is_none_or(|t| f.tid.as_ref() == Some(t))
            && self.amount.is_none_or(|a| f.amount == Some(a))
            && self
                .sandbox
                .as_ref()
                .is_none_or(|s| f.sandbox.as_ref() == Some(s))
            && self.task_class.as_ref().is_none_or(|c| {
                f.task_class
                    .as_deref()
                    .is_some_and(|x| x.eq_ignore_ascii_case(c))
            })
    }
}

/// The OpenAPI schema of a rule (`POST /__admin/faults`, component `FaultRuleBody`). Written out by hand
/// because a derive cannot say what [`FaultSpec::check`] and the closed serde types enforce: closed objects, exactly one action, `drop` only `true`, the status, delay, probability and
/// `times` ranges. What no schema can say (a `delay_ms` range with min > max) is a documented 400.
impl utoipa::PartialSchema for FaultSpec {
    fn schema() -> RefOr<Schema> {
        let delay = OneOfBuilder::new()
            .item(whole(0, 600_000).description(Some("Always this long")))
            .item(
                ArrayBuilder::new()
                    .items(whole(0, 600_000))
                    .min_items(Some(2))
                    .max_items(Some(2))
                    .description(Some(
                        "`[min, max]`, min ≤ max: uniform, drawn by the seeded RNG",
                    )),
            )
            .description(Some("Milliseconds of added latency, at most 600000"));
        let respond = closed()
            .property("status", whole(400, 599).description(Some("HTTP status")))
            .required("status")
            .property(
                "type",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .description(Some("Vendor `type`, e.g. `PUSH_NOTIFICATION_FAILED`")),
            )
            .required("type")
            .property(
                "message",
                nullable(Type::String)
                    .description(Some("`message` (a default per status when absent)")),
            );
        let action = OneOfBuilder::new()
            .item(closed().property("respond", respond).required("respond"))
            .item(closed().property("delay_ms", delay).required("delay_ms"))
            .item(
                closed()
                    .property(
                        "drop",
                        ObjectBuilder::new()
                            .schema_type(Type::Boolean)
                            .enum_values(Some([true])),
                    )
                    .required("drop"),
            )
            .description(Some(
                "Exactly one of: answer with an error, wait then answer normally, close the connection",
            ));
        let matches = closed()
            .property(
                "method",
                nullable(Type::String).description(Some("HTTP method (case-insensitive)")),
            )
            .property(
                "path",
                nullable(Type::String).description(Some(
                    "Path glob: `*` within a segment, `**` across segments",
                )),
            )
            .property(
                "tid",
                nullable(Type::String).description(Some("Terminal id")),
            )
            .property(
                "amount",
                nullable(Type::Integer)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                    .description(Some("Task amount")),
            )
            .property(
                "taskClass",
                nullable(Type::String).description(Some("`TRANSACTION` or `BATCH`")),
            )
            .description(Some("Which requests; absent fields match anything"));
        closed()
            .property("match", matches)
            .property("action", action)
            .required("action")
            .property(
                "probability",
                nullable(Type::Number)
                    .minimum(Some(0))
                    .maximum(Some(1))
                    .description(Some(
                        "Chance per matching request (default 1), drawn from the seeded RNG",
                    )),
            )
            .property(
                "times",
                nullable(Type::Integer)
                    .minimum(Some(1))
                    .maximum(Some(u32::MAX))
                    .description(Some(
                        "How many more times it may apply (default: unlimited)",
                    )),
            )
            .description(Some(
                "A fault rule: rules are checked in creation order, the first match applies",
            ))
            .into()
    }
}

impl utoipa::ToSchema for FaultSpec {
    fn name() -> std::borrow::Cow<'static, str> {
        "FaultRuleBody".into()
    }
}

/// An object schema that admits no other property.
fn closed() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(AdditionalProperties::<Schema>::FreeForm(false)))
}

/// `type: [t, "null"]`.
fn nullable(t: Type) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::from_iter([t, Type::Null]))
}

/// A whole number in `min..=max`.
fn whole(min: u32, max: u32) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(min))
        .maximum(Some(max))
}
