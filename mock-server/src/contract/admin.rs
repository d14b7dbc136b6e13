//! The `/__admin` request bodies (cloud-mock.md §12), each defined once: the handler reads it, the OpenAPI
//! document describes it, the conformance runner sends it. Every body is a closed JSON object (the documented
//! schemas say `additionalProperties: false`, so a typo is refused naming it rather than ignored), and every
//! refusal names its field.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The header that puts a request in a sandbox (`POST /__admin/sandboxes`): its time is the sandbox's clock, a
/// clock move or fault rule sent with it concerns the sandbox only, a journal read sees only its requests.
pub const SANDBOX_HEADER: &str = "x-gptom-sandbox";

/// A refused body: the field at fault (`(body)` for the body itself) and a message that names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field, dotted for nested ones (`action.respond.status`).
    pub field: String,
    /// What is wrong and what is expected.
    pub message: String,
}

impl FieldError {
    /// A refusal of `field`.
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// An admin body read from a JSON object.
pub trait AdminBody: Sized {
    /// The fields it may hold.
    const FIELDS: &'static [&'static str];

    /// Reads the fields of an object that holds only [`Self::FIELDS`].
    fn from_fields(m: Map<String, Value>) -> Result<Self, FieldError>;

    /// Reads a body: `m` must hold no field outside [`Self::FIELDS`].
    fn from_object(m: Map<String, Value>) -> Result<Self, FieldError> {
        if let Some(unknown) = m.keys().find(|k| !Self::FIELDS.contains(&k.as_str())) {
            return Err(FieldError::new(
                unknown,
                format!(
                    "unknown field {unknown:?}; expected {}",
                    Self::FIELDS.join(", ")
                ),
            ));
        }
        Self::from_fields(m)
    }
}

/// `POST /__admin/reset` body (empty = everything).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetBody {
    /// Only this terminal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tid: Option<String>,
}

impl AdminBody for ResetBody {
    const FIELDS: &'static [&'static str] = &["tid"];

    fn from_fields(m: Map<String, Value>) -> Result<Self, FieldError> {
        Ok(Self {
            tid: opt_str(&m, "tid")?.map(str::to_owned),
        })
    }
}

/// `POST /__admin/sandboxes` body (empty: no label).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SandboxBody {
    /// What the sandbox is for (a CI job, a tester), shown in the list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

impl AdminBody for SandboxBody {
    const FIELDS: &'static [&'static str] = &["label"];

    fn from_fields(m: Map<String, Value>) -> Result<Self, FieldError> {
        Ok(Self {
            label: opt_str(&m, "label")?.map(str::to_owned),
        })
    }
}

/// `PUT /__admin/clock` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetClockBody {
    /// RFC 3339, not before the current mock time.
    #[schema(format = DateTime)]
    pub now: String,
}

impl AdminBody for SetClockBody {
    const FIELDS: &'static [&'static str] = &["now"];

    fn from_fields(m: Map<String, Value>) -> Result<Self, FieldError> {
        let now = opt_str(&m, "now")?
            .ok_or_else(|| FieldError::new("now", "now is required, e.g. 2026-01-01T00:00:00Z"))?;
        Ok(Self {
            now: now.to_owned(),
        })
    }
}

/// `POST /__admin/clock/advance` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdvanceBody {
    /// Seconds, may be fractional; at most ten years.
    #[schema(minimum = 0, maximum = 315_360_000)]
    pub seconds: f64,
}

impl AdminBody for AdvanceBody {
    const FIELDS: &'static [&'static str] = &["seconds"];

    fn from_fields(m: Map<String, Value>) -> Result<Self, FieldError> {
        let seconds = match m.get("seconds") {
            Some(Value::Number(n)) => n.as_f64().unwrap_or(-1.0),
            None => {
                return Err(FieldError::new(
                    "seconds",
                    "seconds is required (a number, may be fractional)",
                ));
            }
            Some(_) => {
                return Err(FieldError::new(
                    "seconds",
                    "seconds must be a number, e.g. 5 or 0.5",
                ));
            }
        };
        if !(0.0..=10.0 * 365.0 * 86_400.0).contains(&seconds) {
            return Err(FieldError::new(
                "seconds",
                "seconds must be between 0 and 315360000 (the clock never goes back)",
            ));
        }
        Ok(Self { seconds })
    }
}

const COUNT_RULE: &str = "count must be a whole number from 0 to 4294967295";

/// `PUT /__admin/terminals/{tid}/next-outcome` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NextOutcomeBody {
    /// approve, decline, timeout, exception, customer-cancel, init-error, cardholder-abort, dcc, dcc-no-decimals.
    #[schema(schema_with = outcome_ref)]
    pub outcome: String,
    /// How many tasks (default 1; 0 clears).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<u64>, maximum = 4_294_967_295_u64)]
    pub count: Option<u32>,
}

/// The outcome names are the `Outcome` schema of the mock's document (the engine's outcomes).
fn outcome_ref() -> utoipa::openapi::Ref {
    let mut r = utoipa::openapi::Ref::from_schema_name("Outcome");
    r.description = "approve, decline, timeout, exception, customer-cancel, init-error, cardholder-abort, dcc, \
                     dcc-no-decimals."
        .to_owned();
    r
}

impl AdminBody for NextOutcomeBody {
    const FIELDS: &'static [&'static str] = &["outcome", "count"];

    fn from_fields(m: Map<String, Value>) -> Result<Self, FieldError> {
        let outcome = opt_str(&m, "outcome")?
            .ok_or_else(|| FieldError::new("outcome", "outcome is required"))?
            .to_owned();
        let count = match m.get("count") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => Some(
                whole(n)
                    .and_then(|c| u32::try_from(c).ok())
                    .ok_or_else(|| FieldError::new("count", COUNT_RULE))?,
            ),
            Some(_) => return Err(FieldError::new("count", COUNT_RULE)),
        };
        Ok(Self { outcome, count })
    }
}

/// `POST /__admin/tasks/{taskId}/outcome` body: what the person at the terminal does with a payment waiting
/// under the `operator` latency profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskOutcomeBody {
    /// approve, decline, timeout (card removed / nobody acts), exception, customer-cancel, cardholder-abort, dcc,
    /// dcc-no-decimals (init-error happens before a payment starts: arm it with next-outcome).
    #[schema(schema_with = outcome_ref)]
    pub outcome: String,
}

impl AdminBody for TaskOutcomeBody {
    const FIELDS: &'static [&'static str] = &["outcome"];

    fn from_fields(m: Map<String, Value>) -> Result<Self, FieldError> {
        let outcome = opt_str(&m, "outcome")?
            .ok_or_else(|| FieldError::new("outcome", "outcome is required"))?
            .to_owned();
        Ok(Self { outcome })
    }
}

/// `PATCH /__admin/terminals/{tid}` body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchTerminalBody {
    /// false: every task push fails with 502.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reachable: Option<bool>,
    /// How the terminal takes Cloud tasks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<TerminalMode>,
    /// A latency profile name (the document served by a running mock lists the loaded ones as an enum).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency: Option<String>,
}

impl AdminBody for PatchTerminalBody {
    const FIELDS: &'static [&'static str] = &["reachable", "mode", "latency"];

    fn from_fields(m: Map<String, Value>) -> Result<Self, FieldError> {
        let reachable = opt_bool(&m, "reachable")?;
        let mode = opt_str(&m, "mode")?.map(TerminalMode::parse).transpose()?;
        let latency = opt_str(&m, "latency")?.map(str::to_owned);
        Ok(Self {
            reachable,
            mode,
            latency,
        })
    }
}

/// `PATCH /__admin/terminals/{tid}` `mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum TerminalMode {
    /// Tasks queue FIFO and run one at a time.
    Automatic,
    /// A new task is refused (406 `TERMINAL_BUSY`) while one is unfinished.
    SemiIntegrated,
}

impl std::fmt::Display for TerminalMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Automatic => "automatic",
            Self::SemiIntegrated => "semi-integrated",
        })
    }
}

impl TerminalMode {
    /// `automatic` or `semi-integrated`.
    pub fn parse(name: &str) -> Result<Self, FieldError> {
        match name {
            "automatic" => Ok(Self::Automatic),
            "semi-integrated" => Ok(Self::SemiIntegrated),
            other => Err(FieldError::new(
                "mode",
                format!("mode {other:?}: expected automatic or semi-integrated"),
            )),
        }
    }
}

/// `PATCH /__admin/devices/{tid}` body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PatchDeviceBody {
    /// GP tom installed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub installed: Option<bool>,
    /// true: log the terminal's account in; false: log out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logged_in: Option<bool>,
    /// Reported app version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_version: Option<String>,
    /// Printer connected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub printer_available: Option<bool>,
    /// Tipping enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tip_enabled: Option<bool>,
}

impl AdminBody for PatchDeviceBody {
    const FIELDS: &'static [&'static str] = &[
        "installed",
        "loggedIn",
        "appVersion",
        "printerAvailable",
        "tipEnabled",
    ];

    fn from_fields(m: Map<String, Value>) -> Result<Self, FieldError> {
        // checked in this order (the first bad field is the one named)
        let installed = opt_bool(&m, "installed")?;
        let logged_in = opt_bool(&m, "loggedIn")?;
        let printer_available = opt_bool(&m, "printerAvailable")?;
        let tip_enabled = opt_bool(&m, "tipEnabled")?;
        let app_version = opt_str(&m, "appVersion")?.map(str::to_owned);
        Ok(Self {
            installed,
            logged_in,
            app_version,
            printer_available,
            tip_enabled,
        })
    }
}

fn opt_str<'a>(m: &'a Map<String, Value>, field: &str) -> Result<Option<&'a str>, FieldError> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(FieldError::new(field, format!("{field} must be a string"))),
    }
}

fn opt_bool(m: &Map<String, Value>, field: &str) -> Result<Option<bool>, FieldError> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(FieldError::new(
            field,
            format!("{field} must be true or false"),
        )),
    }
}

/// A JSON number that is a whole number (`5` or `5.0`: JSON Schema's `integer` admits both).
fn whole(n: &serde_json::Number) -> Option<u64> {
    n.as_u64().or_else(|| {
        let f = n.as_f64()?;
        // Exact for every whole f64 in range; `as` saturates, the range check keeps it exact.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        (f.fract() == 0.0 && (0.0..=9_007_199_254_740_992.0).contains(&f)).then_some(f as u64)
    })
}

/// Whole-valued floats (`5.0`) become integers anywhere in `v`, so serde's integer fields accept what the
/// schema's `integer` accepts.
pub(crate) fn integral(v: Value) -> Value {
    match v {
        Value::Number(n) if !n.is_u64() && !n.is_i64() => match whole(&n) {
            Some(u) => Value::from(u),
            None => match n.as_f64() {
                // Negative whole numbers (a fault rule's `amount`).
                #[allow(clippy::cast_possible_truncation)]
                Some(f) if f.fract() == 0.0 && (-9_007_199_254_740_992.0..0.0).contains(&f) => {
                    Value::from(f as i64)
                }
                _ => Value::Number(n),
            },
        },
        Value::Array(a) => Value::Array(a.into_iter().map(integral).collect()),
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, v)| (k, integral(v))).collect()),
        other => other,
    }
}
