//! The scenario file format: typed syntax only — no HTTP, no tokio, no printing (STYLE §1, §2.8).
//!
//! A scenario is one YAML file: `id`, `title`, `tags`, the embedded mock's `profile`/`latency`, `vars` and a list of
//! `steps`. Every struct denies unknown fields; the step enum is externally tagged (`- create_task: {…}`), which
//! keeps serde-saphyr's line/column in error messages. `gptom-conformance schema` prints the JSON Schema derived
//! from these types (`scenarios/schema.json`). Each step kind's syntax lives with its meaning and execution in
//! [`crate::step`]; this module re-exports the types.
//!
//! ```yaml
//! id: CLOUD-SALE-DECLINED
//! title: A declined sale completes with a DECLINED transaction
//! tags: [cert-a:3, cert-b:3, cert-c:4, mandatory]
//! steps:
//!   - token: {}
//!   - create_task: { body: { amount: 1122 } }
//!   - poll_task: { until: final, expect: { json: [{ path: status, equals: COMPLETED }] } }
//!   - get_transaction: { expect: { json: [{ path: result, equals: DECLINED }] } }
//! ```

pub mod load;
pub mod vars;

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};
use serde_saphyr::Spanned;

pub use mock_server::contract::admin::TerminalMode;
pub use mock_server::contract::fault::{FaultAction, FaultMatch, FaultSpec};

pub use crate::step::{
    AddFault, AdvanceClock, App2App, App2AppCall, CancelTask, CreateTask, Deeplink, GetJournal,
    GetState, GetTask, GetTransaction, Grant, PollTask, RawRequest, RemoveFaults, Reset,
    SetOutcome, SetTerminal, Step, TokenStep,
};
pub use load::{LoadError, load, load_all, load_str};

/// One certification scenario (one file).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Unique id, e.g. `CLOUD-SALE-APPROVED`; also the snapshot's file name (`<id>.snap`).
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// One line saying what the scenario proves.
    pub title: String,
    /// Certification list items (`cert-a:2`, `cert-b:2`, `cert-c:2`), `mandatory`/`optional`, `mock-only`.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Behaviour profiles of the embedded mock (cloud-mock.md §11), e.g. `[strict]`; default lenient.
    #[serde(default)]
    pub profile: Vec<ProfileName>,
    /// Latency profile the scenario runs on; default `instant`. The embedded mock starts with it; a remote
    /// gptom-mock whose admin API the runner has gets it on the terminals the scenario uses, while it runs (then
    /// restored); any other target is assumed to behave like it (a real terminal takes `realistic` time).
    #[serde(default)]
    pub latency: Latency,
    /// Variables usable as `{{name}}` in later strings.
    #[serde(default)]
    pub vars: Map<String, Value>,
    /// The steps, run in order; the first failing step ends the scenario.
    #[schemars(with = "Vec<Step>")]
    pub steps: Vec<Spanned<Step>>,
    /// The file it was loaded from (set by the loader).
    #[serde(skip)]
    #[schemars(skip)]
    pub file: PathBuf,
}

impl Scenario {
    /// The scenario id.
    pub fn id(&self) -> &str {
        &self.id.value
    }

    /// The certification items it covers (`cert-a:2` …).
    pub fn cert_items(&self) -> impl Iterator<Item = &str> {
        self.tags
            .iter()
            .map(String::as_str)
            .filter(|t| t.starts_with("cert-"))
    }

    /// Whether any step needs the mock's admin API.
    pub fn needs_admin(&self) -> bool {
        self.steps.iter().any(|s| s.value.is_mock_only())
    }

    /// The scenario's sections, in order: the steps before the first `section` marker, then one per marker
    /// (the marker is the section's first step). A scenario without markers is one section.
    pub fn sections(&self) -> Vec<SectionRange> {
        let mut out: Vec<SectionRange> = Vec::new();
        for (i, spanned) in self.steps.iter().enumerate() {
            let marker = match &spanned.value {
                Step::Section(m) => Some(m),
                _ => None,
            };
            match (marker, out.last_mut()) {
                (None, Some(last)) => last.steps.end = i + 1,
                (marker, _) => out.push(SectionRange {
                    name: marker.map(|m| m.name().to_owned()),
                    steps: i..i + 1,
                    needs: marker.map(|m| m.needs().to_vec()).unwrap_or_default(),
                }),
            }
        }
        for sec in &mut out {
            for step in &self.steps[sec.steps.clone()] {
                if let Some(n) = step.value.needs() {
                    sec.needs.push(n);
                }
            }
            sec.needs.sort_unstable();
            sec.needs.dedup();
        }
        out
    }
}

/// A run of steps that run together or not at all (see [`Step::Section`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionRange {
    /// The marker's name (`None` for the steps before the first marker).
    pub name: Option<String>,
    /// Indexes into [`Scenario::steps`].
    pub steps: std::ops::Range<usize>,
    /// What the target must offer: declared on the marker, plus what its steps need.
    pub needs: Vec<Need>,
}

/// What a step or a section needs of the target beyond GP tom's own API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Need {
    /// A gptom-mock: its device channels (`deeplink`, `app2app`) and its built-in accounts and terminals
    /// (a `token` step with a literal `user`). A gateway has neither.
    Mock,
    /// The gptom-mock's admin API (`/__admin`): next outcomes, faults, the operator cancel, the journal, the
    /// state, terminal changes. A mock started with `--admin-token` needs the runner's `--admin-token`.
    Admin,
}

impl Need {
    /// What is missing, for a skip reason.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Mock => "a gptom-mock (device channels, built-in accounts)",
            Self::Admin => "the gptom-mock admin API",
        }
    }
}

/// `section`: starts a group of steps that run together or not at all. Before a section runs, the runner
/// checks what it needs (the `needs` given here, plus what its steps need: the admin API for mock-only steps, a
/// gptom-mock for device steps and built-in accounts) and how long it may wait; a target that cannot do it
/// skips the whole section with the reason, and the scenario is reported as partially run. Steps before the
/// first marker form a section too.
///
/// ```yaml
/// - section: operator cancel             # or {name: operator cancel, needs: [admin]}
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Section {
    /// Just a name; the needs are inferred from the steps.
    Named(String),
    /// A name and declared needs.
    Declared(DeclaredSection),
}

/// `section: {name, needs}`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclaredSection {
    /// What the section does.
    pub name: String,
    /// What the target must offer even where no step shows it (e.g. `[admin]` when the checks rely on a
    /// latency the runner can only set through the admin API).
    #[serde(default)]
    pub needs: Vec<Need>,
}

impl Section {
    /// The section's name.
    pub fn name(&self) -> &str {
        match self {
            Self::Named(n) => n,
            Self::Declared(d) => &d.name,
        }
    }

    /// Declared needs.
    pub fn needs(&self) -> &[Need] {
        match self {
            Self::Named(_) => &[],
            Self::Declared(d) => &d.needs,
        }
    }
}

/// `poll`: repeat a request every `every` seconds until all its expectations hold, for at most `within`
/// seconds (the documented bound: 60 s device timeout, token lifetime, …). Time passes as a wait does: on a
/// manual clock the runner moves it, elsewhere it really waits. The transcript shows the last exchange.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Poll {
    /// Seconds between tries.
    pub every: f64,
    /// Give up (the step fails on its last answer) after this many seconds.
    pub within: f64,
}

/// A behaviour profile of the mock (cloud-mock.md §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ProfileName {
    /// The default base: coercions, both grants on both token paths.
    Lenient,
    /// No coercion, grants only on their documented paths, unknown fields → 406.
    Strict,
    /// Unknown/other-TID task → 403 instead of 404.
    #[serde(rename = "task-not-found-403")]
    TaskNotFound403,
    /// Expired tasks end CANCELLED.
    TtlCancelled,
    /// Approved iOS deep links redirect `status=COMPLETED` without `receipt` or `code`.
    ReceiptlessSuccess,
    /// app2app `date` fields as `ddMMyy`.
    #[serde(rename = "a2a-date-ddmmyy")]
    A2aDateDdmmyy,
}

impl ProfileName {
    /// The name as the mock's `--profile` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lenient => "lenient",
            Self::Strict => "strict",
            Self::TaskNotFound403 => "task-not-found-403",
            Self::TtlCancelled => "ttl-cancelled",
            Self::ReceiptlessSuccess => "receiptless-success",
            Self::A2aDateDdmmyy => "a2a-date-ddmmyy",
        }
    }
}

/// Latency profile of the embedded mock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Latency {
    /// Tasks are final as soon as they begin.
    #[default]
    Instant,
    /// CREATED 1 s → STARTED 0.5 s → INIT_OK 0.5 s → IN_PROGRESS 3 s (card) → final.
    Realistic,
}

impl Latency {
    /// The profile name as the mock spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Instant => "instant",
            Self::Realistic => "realistic",
        }
    }
}

/// What a response must look like. Without `status`, HTTP steps expect 200.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// `true`: no HTTP response may come back — the connection is closed, reset or refused (e.g. by an
    /// `add_fault` with `action: {drop: true}`). The transcript shows `-> no response: <cause>`. Cannot be combined
    /// with `status`, `headers`, `json` or `max_ms`. Default `false`: a transport error ends the run as an error.
    #[serde(default)]
    pub transport_error: bool,
    /// The HTTP status code.
    pub status: Option<u16>,
    /// Response headers (names case-insensitive): a string must equal the value, `true` means present, `false`
    /// absent.
    #[serde(default)]
    pub headers: Map<String, Value>,
    /// JSON-path checks on the response body, in order.
    #[serde(default)]
    pub json: Vec<JsonCheck>,
    /// Upper bound on the response time in milliseconds.
    pub max_ms: Option<u64>,
}

/// One check on a JSON path (`$.a.b[0]` or `a.b.0`; `$` is the whole body). Give at least one predicate; all given
/// must hold.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonCheck {
    /// The path.
    pub path: String,
    /// Equal to this JSON value (strings may use `{{var}}`); `equals: null` checks for JSON null.
    #[serde(default, deserialize_with = "present")]
    pub equals: Option<Value>,
    /// Not equal to this JSON value.
    #[serde(default, deserialize_with = "present")]
    pub not_equals: Option<Value>,
    /// A string matching this regular expression (whole value: anchor it yourself with `^…$`).
    pub matches: Option<String>,
    /// Present (`true`) or missing (`false`); `null` counts as present.
    pub exists: Option<bool>,
    /// Missing (`absent: true`).
    pub absent: Option<bool>,
    /// Equal to one of these values.
    pub one_of: Option<Vec<Value>>,
    /// JSON type: string, number, integer, boolean, null, object, array.
    #[serde(rename = "type")]
    pub kind: Option<JsonType>,
    /// An object with exactly these keys, in this order.
    pub keys: Option<Vec<String>>,
    /// The value is a JWT whose header contains these fields, e.g. `{alg: HS256}`.
    pub jwt_header: Option<Map<String, Value>>,
}

/// A field that is present is `Some`, even when its value is `null`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// A JSON type name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum JsonType {
    /// A string.
    String,
    /// Any number.
    Number,
    /// A number without a fraction.
    Integer,
    /// `true` or `false`.
    Boolean,
    /// `null`.
    Null,
    /// An object.
    Object,
    /// An array.
    Array,
}

/// The JSON Schema of the scenario format, pretty-printed with a final newline (`scenarios/schema.json`).
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(Scenario);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
