//! The scenario file format: typed syntax only — no HTTP, no tokio, no printing (STYLE §1, §2.8).
//!
//! A scenario is one YAML file: `id`, `title`, `tags`, the embedded mock's `profile`/`latency`, `vars` and a list of
//! `steps`. Every struct denies unknown fields; the step enum is externally tagged (`- create_task: {…}`), which
//! keeps serde-saphyr's line/column in error messages. `gptom-conformance schema` prints the JSON Schema derived
//! from these types (`scenarios/schema.json`).
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

pub mod device;
pub mod load;
pub mod vars;

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};
use serde_saphyr::Spanned;

pub use mock_server::contract::admin::TerminalMode;
pub use mock_server::contract::fault::{FaultAction, FaultMatch, FaultSpec};

pub use device::{App2App, App2AppCall, Deeplink};
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
}

impl ProfileName {
    /// The name as the mock's `--profile` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lenient => "lenient",
            Self::Strict => "strict",
            Self::TaskNotFound403 => "task-not-found-403",
            Self::TtlCancelled => "ttl-cancelled",
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

/// One step. Mock-only steps (`set_outcome`, `set_terminal`, `cancel_task`, `reset`, `add_fault`,
/// `remove_faults`, `get_journal`, `get_state`) need the admin API; a section holding one is skipped, with the
/// reason, on a target without it.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    /// Starts a section: steps that run together or not at all.
    Section(Section),
    /// OAuth token request; a 200 stores `access_token` and `refresh_token` for later steps.
    Token(TokenStep),
    /// `POST /v1/tasks/{class}` with defaults from the target's credentials; captures `taskId`.
    CreateTask(CreateTask),
    /// `GET /v1/tasks/{id}` until a final (or named) status; captures `contextId`.
    PollTask(PollTask),
    /// One `GET /v1/tasks/{id}`; captures `contextId`.
    GetTask(GetTask),
    /// `GET /v1/transactions/{id}`.
    GetTransaction(GetTransaction),
    /// Any raw HTTP call (bad-input cases).
    Request(RawRequest),
    /// iOS: open a `gptom://` deep link (`POST /ios/deeplink`), waiting out a pending answer.
    Deeplink(Deeplink),
    /// Android: one app2app call (`/app2app/*`), waiting out a pending `transaction`.
    #[serde(rename = "app2app")]
    App2App(App2App),
    /// Let time pass: on a manual clock the runner moves it, elsewhere it really waits (at most `--max-wait`).
    AdvanceClock(AdvanceClock),
    /// Mock-only: force the outcome of the next task(s) on a TID.
    SetOutcome(SetOutcome),
    /// Mock-only: change a terminal (reachable, mode, latency).
    SetTerminal(SetTerminal),
    /// Mock-only: the operator cancels a task on the device.
    CancelTask(CancelTask),
    /// Mock-only: clear tasks, transactions, batches and overrides (all or one TID).
    Reset(Reset),
    /// Mock-only: add a fault rule (`POST /__admin/faults`); the reply's `id` can be captured.
    AddFault(AddFault),
    /// Mock-only: delete every fault rule, or one by id.
    RemoveFaults(RemoveFaults),
    /// Mock-only: read what the mock recorded (`GET /__admin/journal`), filtered by TID and path.
    GetJournal(GetJournal),
    /// Mock-only: the mock's state for one terminal (`GET /__admin/state?tid=`).
    GetState(GetState),
}

impl Step {
    /// The step's kind as written in the file (`create_task`).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Section(_) => "section",
            Self::Token(_) => "token",
            Self::CreateTask(_) => "create_task",
            Self::PollTask(_) => "poll_task",
            Self::GetTask(_) => "get_task",
            Self::GetTransaction(_) => "get_transaction",
            Self::Request(_) => "request",
            Self::Deeplink(_) => "deeplink",
            Self::App2App(_) => "app2app",
            Self::AdvanceClock(_) => "advance_clock",
            Self::SetOutcome(_) => "set_outcome",
            Self::SetTerminal(_) => "set_terminal",
            Self::CancelTask(_) => "cancel_task",
            Self::Reset(_) => "reset",
            Self::AddFault(_) => "add_fault",
            Self::RemoveFaults(_) => "remove_faults",
            Self::GetJournal(_) => "get_journal",
            Self::GetState(_) => "get_state",
        }
    }

    /// Whether the step needs the mock's admin API.
    pub fn is_mock_only(&self) -> bool {
        self.needs() == Some(Need::Admin)
    }

    /// What the step needs of the target beyond GP tom's API: the admin API (mock-only steps, a `request` to
    /// `/__admin`), or a gptom-mock (device channels; a login with one of its built-in accounts).
    pub fn needs(&self) -> Option<Need> {
        match self {
            Self::SetOutcome(_)
            | Self::SetTerminal(_)
            | Self::CancelTask(_)
            | Self::Reset(_)
            | Self::AddFault(_)
            | Self::RemoveFaults(_)
            | Self::GetJournal(_)
            | Self::GetState(_) => Some(Need::Admin),
            Self::Request(r) if r.path.starts_with(crate::admin::path::PREFIX) => Some(Need::Admin),
            Self::Deeplink(_) | Self::App2App(_) => Some(Need::Mock),
            Self::Token(t) if t.user.as_deref().is_some_and(|u| !u.contains("{{")) => {
                Some(Need::Mock)
            }
            Self::Section(_)
            | Self::Token(_)
            | Self::CreateTask(_)
            | Self::PollTask(_)
            | Self::GetTask(_)
            | Self::GetTransaction(_)
            | Self::Request(_)
            | Self::AdvanceClock(_) => None,
        }
    }

    /// The longest the step may wait for the target, in seconds (its poll bound, or the time it lets pass).
    pub fn longest_wait(&self) -> f64 {
        match self {
            Self::AdvanceClock(a) => a.seconds,
            Self::PollTask(p) => p.timeout,
            Self::Deeplink(d) if d.wait => d.timeout,
            Self::App2App(a) if a.wait && a.call.may_pend() => {
                a.timeout.max(a.poll.map_or(0.0, |p| p.within))
            }
            Self::Section(_)
            | Self::Token(_)
            | Self::CreateTask(_)
            | Self::GetTask(_)
            | Self::GetTransaction(_)
            | Self::Request(_)
            | Self::Deeplink(_)
            | Self::App2App(_)
            | Self::SetOutcome(_)
            | Self::SetTerminal(_)
            | Self::CancelTask(_)
            | Self::Reset(_)
            | Self::AddFault(_)
            | Self::RemoveFaults(_)
            | Self::GetJournal(_)
            | Self::GetState(_) => self.poll().map_or(0.0, |p| p.within),
        }
    }

    /// Terminal ids the step names as written (`{{tid}}` included): a login's or device's `tid`, a task
    /// body's `Tid`, an admin step's or a fault rule's terminal.
    pub fn tids(&self) -> Vec<&str> {
        fn one(t: &Option<String>) -> Vec<&str> {
            t.as_deref().into_iter().collect()
        }
        match self {
            Self::Token(t) => one(&t.tid),
            Self::CreateTask(c) => c
                .body
                .get("Tid")
                .and_then(Value::as_str)
                .into_iter()
                .collect(),
            Self::Deeplink(d) => one(&d.tid),
            Self::App2App(a) => one(&a.tid),
            Self::SetOutcome(o) => one(&o.tid),
            Self::SetTerminal(t) => one(&t.tid),
            Self::Reset(r) => one(&r.tid),
            Self::GetState(g) => one(&g.tid),
            Self::AddFault(f) => one(&f.matches.tid),
            Self::Section(_)
            | Self::PollTask(_)
            | Self::GetTask(_)
            | Self::GetTransaction(_)
            | Self::Request(_)
            | Self::AdvanceClock(_)
            | Self::CancelTask(_)
            | Self::RemoveFaults(_)
            | Self::GetJournal(_) => Vec::new(),
        }
    }

    /// The `poll` of a step that repeats until its expectations hold.
    pub fn poll(&self) -> Option<Poll> {
        match self {
            Self::GetTask(s) => s.poll,
            Self::GetTransaction(s) => s.poll,
            Self::Request(s) => s.poll,
            Self::App2App(s) => s.poll,
            Self::Section(_)
            | Self::Token(_)
            | Self::CreateTask(_)
            | Self::PollTask(_)
            | Self::Deeplink(_)
            | Self::AdvanceClock(_)
            | Self::SetOutcome(_)
            | Self::SetTerminal(_)
            | Self::CancelTask(_)
            | Self::Reset(_)
            | Self::AddFault(_)
            | Self::RemoveFaults(_)
            | Self::GetJournal(_)
            | Self::GetState(_) => None,
        }
    }

    /// The step's label, if it has one.
    pub fn name(&self) -> Option<&str> {
        match self {
            Self::Token(s) => s.name.as_deref(),
            Self::CreateTask(s) => s.name.as_deref(),
            Self::PollTask(s) => s.name.as_deref(),
            Self::GetTask(s) => s.name.as_deref(),
            Self::GetTransaction(s) => s.name.as_deref(),
            Self::Request(s) => s.name.as_deref(),
            Self::Deeplink(s) => s.name.as_deref(),
            Self::App2App(s) => s.name.as_deref(),
            Self::CancelTask(s) => s.name.as_deref(),
            Self::AddFault(s) => s.name.as_deref(),
            Self::GetJournal(s) => s.name.as_deref(),
            Self::GetState(s) => s.name.as_deref(),
            Self::Section(s) => Some(s.name()),
            Self::AdvanceClock(_)
            | Self::SetOutcome(_)
            | Self::SetTerminal(_)
            | Self::Reset(_)
            | Self::RemoveFaults(_) => None,
        }
    }

    /// What the step expects of its response (mock-only control steps expect a 2xx only).
    pub fn expect(&self) -> Option<&Expect> {
        match self {
            Self::Token(s) => Some(&s.expect),
            Self::CreateTask(s) => Some(&s.expect),
            Self::PollTask(s) => Some(&s.expect),
            Self::GetTask(s) => Some(&s.expect),
            Self::GetTransaction(s) => Some(&s.expect),
            Self::Request(s) => Some(&s.expect),
            Self::Deeplink(s) => Some(&s.expect),
            Self::App2App(s) => Some(&s.expect),
            Self::CancelTask(s) => Some(&s.expect),
            Self::GetJournal(s) => Some(&s.expect),
            Self::GetState(s) => Some(&s.expect),
            Self::Section(_)
            | Self::AdvanceClock(_)
            | Self::SetOutcome(_)
            | Self::SetTerminal(_)
            | Self::Reset(_)
            | Self::AddFault(_)
            | Self::RemoveFaults(_) => None,
        }
    }

    /// Explicit captures: variable name → JSON path in the response body.
    pub fn captures(&self) -> Option<&Map<String, Value>> {
        match self {
            Self::Token(s) => Some(&s.capture),
            Self::CreateTask(s) => Some(&s.capture),
            Self::PollTask(s) => Some(&s.capture),
            Self::GetTask(s) => Some(&s.capture),
            Self::GetTransaction(s) => Some(&s.capture),
            Self::Request(s) => Some(&s.capture),
            Self::Deeplink(s) => Some(&s.capture),
            Self::App2App(s) => Some(&s.capture),
            Self::CancelTask(s) => Some(&s.capture),
            Self::AddFault(s) => Some(&s.capture),
            Self::GetJournal(s) => Some(&s.capture),
            Self::GetState(s) => Some(&s.capture),
            Self::Section(_)
            | Self::AdvanceClock(_)
            | Self::SetOutcome(_)
            | Self::SetTerminal(_)
            | Self::Reset(_)
            | Self::RemoveFaults(_) => None,
        }
    }

    /// Variables a successful step defines without an explicit `capture`.
    pub fn implicit_captures(&self) -> &'static [&'static str] {
        match self {
            Self::Token(_) => &["access_token", "refresh_token"],
            Self::CreateTask(_) => &["taskId"],
            Self::PollTask(_) | Self::GetTask(_) | Self::CancelTask(_) => &["contextId"],
            Self::App2App(a) if a.call == App2AppCall::Register => &["transactionId"],
            Self::Section(_)
            | Self::GetTransaction(_)
            | Self::Request(_)
            | Self::Deeplink(_)
            | Self::App2App(_)
            | Self::AdvanceClock(_)
            | Self::SetOutcome(_)
            | Self::SetTerminal(_)
            | Self::Reset(_)
            | Self::AddFault(_)
            | Self::RemoveFaults(_)
            | Self::GetJournal(_)
            | Self::GetState(_) => &[],
        }
    }
}

/// The OAuth grant a `token` step uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Grant {
    /// `grant_type=password` with username, password and (for terminal accounts) `tid`.
    #[default]
    Password,
    /// `grant_type=refresh_token` with `refresh_token` (default `{{refresh_token}}`).
    Refresh,
}

/// `token`: `POST /cloud/oauth/token` (password) or `/api/oauth/token` (refresh), form-encoded, Basic client.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenStep {
    /// A label for reports.
    pub name: Option<String>,
    /// `password` (default) or `refresh`.
    #[serde(default)]
    pub grant: Grant,
    /// Username; default: the target's. When set, `tid` is sent only if given too.
    pub user: Option<String>,
    /// Password; default: the target's.
    pub password: Option<String>,
    /// The `tid` form field; default: the target's TID (unless `user` is set).
    pub tid: Option<String>,
    /// Refresh token for the refresh grant; default `{{refresh_token}}`.
    pub refresh_token: Option<String>,
    /// Raw `grant_type` value (overrides `grant`), e.g. to test `unsupported_grant_type`.
    pub grant_type: Option<String>,
    /// HTTP Basic client as `id:secret`; default the published `atom:ashfuf4e5fa`.
    pub client: Option<String>,
    /// Token path; default `/cloud/oauth/token` (password) or `/api/oauth/token` (refresh).
    pub path: Option<String>,
    /// Whether a 200 replaces the stored `access_token`/`refresh_token` (default true).
    #[serde(default = "yes")]
    pub store: bool,
    /// Checks on the response.
    #[serde(default)]
    pub expect: Expect,
    /// Variables to capture: name → JSON path.
    #[serde(default)]
    pub capture: Map<String, Value>,
}

fn yes() -> bool {
    true
}

fn default_class() -> String {
    "TRANSACTION".to_owned()
}

/// `create_task`: `POST /v1/tasks/{class}`. The body is merged over defaults from the target's credentials
/// (`apiKey`, `Tid`, `initiator`, `title`, and for TRANSACTION `transactionOperation: SALE`,
/// `transactionType: CARD`), so `body: {amount: 1122}` is a whole sale. A `null` in `body` removes a default.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTask {
    /// A label for reports.
    pub name: Option<String>,
    /// Task class in the path: `TRANSACTION` (default), `BATCH`, or anything for negative cases.
    #[serde(default = "default_class")]
    pub class: String,
    /// Body fields, merged over the defaults.
    #[serde(default)]
    pub body: Map<String, Value>,
    /// Whether to fill defaults from the credentials (default true).
    #[serde(default = "yes")]
    pub defaults: bool,
    /// Bearer token; default `{{access_token}}`.
    pub token: Option<String>,
    /// Checks on the response (default: status 200).
    #[serde(default)]
    pub expect: Expect,
    /// Variables to capture: name → JSON path.
    #[serde(default)]
    pub capture: Map<String, Value>,
}

fn default_task() -> String {
    "{{taskId}}".to_owned()
}

fn default_until() -> String {
    "final".to_owned()
}

fn default_interval() -> f64 {
    1.0
}

fn default_timeout() -> f64 {
    120.0
}

/// `poll_task`: `GET /v1/tasks/{id}` until the status is final (or equals `until`). Against a target with the
/// admin API each unfinished poll advances the mock clock by `interval`; against a plain gateway it waits.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PollTask {
    /// A label for reports.
    pub name: Option<String>,
    /// Task id; default `{{taskId}}` (the last created task).
    #[serde(default = "default_task")]
    pub task: String,
    /// `final` (default) or a status: CREATED, STARTED, INIT_OK, IN_PROGRESS, COMPLETED, CANCELLED, ERROR,
    /// INIT_ERROR.
    #[serde(default = "default_until")]
    pub until: String,
    /// Seconds between polls (default 1).
    #[serde(default = "default_interval")]
    pub interval: f64,
    /// Give up after this many seconds (default 120).
    #[serde(default = "default_timeout")]
    pub timeout: f64,
    /// The distinct statuses the polls must see, in order (e.g. CREATED … COMPLETED).
    pub statuses: Option<Vec<String>>,
    /// Bearer token; default `{{access_token}}`.
    pub token: Option<String>,
    /// Checks on the last response.
    #[serde(default)]
    pub expect: Expect,
    /// Variables to capture from the last response.
    #[serde(default)]
    pub capture: Map<String, Value>,
}

/// `get_task`: one `GET /v1/tasks/{id}`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetTask {
    /// A label for reports.
    pub name: Option<String>,
    /// Task id; default `{{taskId}}`.
    #[serde(default = "default_task")]
    pub task: String,
    /// Bearer token; default `{{access_token}}`.
    pub token: Option<String>,
    /// Repeat until the expectations hold (e.g. `{every: 60, within: 3700}` for a token to expire).
    pub poll: Option<Poll>,
    /// Checks on the response.
    #[serde(default)]
    pub expect: Expect,
    /// Variables to capture.
    #[serde(default)]
    pub capture: Map<String, Value>,
}

fn default_transaction() -> String {
    "{{contextId}}".to_owned()
}

/// `get_transaction`: `GET /v1/transactions/{id}`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetTransaction {
    /// A label for reports.
    pub name: Option<String>,
    /// Transaction id; default `{{contextId}}`.
    #[serde(default = "default_transaction")]
    pub id: String,
    /// Bearer token; default `{{access_token}}`.
    pub token: Option<String>,
    /// Repeat until the expectations hold (e.g. `{every: 60, within: 3700}` for a token to expire).
    pub poll: Option<Poll>,
    /// Checks on the response.
    #[serde(default)]
    pub expect: Expect,
    /// Variables to capture.
    #[serde(default)]
    pub capture: Map<String, Value>,
}

/// `request`: any HTTP call. Exactly one body form at most: `json`, `form`, `raw` or `body_size`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRequest {
    /// A label for reports.
    pub name: Option<String>,
    /// HTTP method, e.g. `POST`.
    pub method: String,
    /// Path (and query) on the target, e.g. `/v1/tasks/TRANSACTION`.
    pub path: String,
    /// Request headers, sent as given.
    #[serde(default)]
    pub headers: Map<String, Value>,
    /// A JSON body (sets `Content-Type: application/json` unless `headers` has one).
    pub json: Option<Value>,
    /// A form body (sets `Content-Type: application/x-www-form-urlencoded` unless `headers` has one).
    pub form: Option<Map<String, Value>>,
    /// A raw text body, sent byte for byte.
    pub raw: Option<String>,
    /// A JSON object padded to exactly this many bytes (body-limit cases).
    pub body_size: Option<usize>,
    /// Repeat until the expectations hold (e.g. `{every: 60, within: 3700}` for a token to expire).
    pub poll: Option<Poll>,
    /// Checks on the response.
    #[serde(default)]
    pub expect: Expect,
    /// Variables to capture.
    #[serde(default)]
    pub capture: Map<String, Value>,
}

/// `advance_clock`: `POST /__admin/clock/advance`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdvanceClock {
    /// Seconds, may be fractional.
    pub seconds: f64,
}

/// `set_outcome`: `PUT /__admin/terminals/{tid}/next-outcome`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetOutcome {
    /// TID; default the target's.
    pub tid: Option<String>,
    /// approve, decline, timeout, exception, customer-cancel, init-error, cardholder-abort, dcc,
    /// dcc-no-decimals.
    pub outcome: String,
    /// How many of the next tasks (default 1).
    pub count: Option<u32>,
}

/// `set_terminal`: `PATCH /__admin/terminals/{tid}`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetTerminal {
    /// TID; default the target's.
    pub tid: Option<String>,
    /// Whether push notifications reach the terminal.
    pub reachable: Option<bool>,
    /// `automatic` or `semi-integrated`.
    pub mode: Option<TerminalMode>,
    /// Latency profile name for this TID.
    pub latency: Option<String>,
}

/// `cancel_task`: `POST /__admin/tasks/{id}/cancel` (the operator cancels on the device).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelTask {
    /// A label for reports.
    pub name: Option<String>,
    /// Task id; default `{{taskId}}`.
    #[serde(default = "default_task")]
    pub task: String,
    /// Checks on the response (default: status 200).
    #[serde(default)]
    pub expect: Expect,
    /// Variables to capture.
    #[serde(default)]
    pub capture: Map<String, Value>,
}

/// `reset`: `POST /__admin/reset`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reset {
    /// Only this TID; default all.
    pub tid: Option<String>,
}

/// `add_fault`: `POST /__admin/faults` with the rule as the mock's admin API takes it (cloud-mock.md §12), e.g.
/// `{match: {method: POST, path: /v1/tasks/*, tid: "{{tid}}"}, action: {respond: {status: 502, type:
/// PUSH_NOTIFICATION_FAILED}}, times: 1}`. Strings may use `{{var}}`. The mock answers `{"id": "f1"}`:
/// `capture: {rule: id}` keeps it for a later `remove_faults`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddFault {
    /// A label for reports (not sent).
    pub name: Option<String>,
    /// Which requests; absent fields match anything (an empty match matches every GP tom call).
    #[serde(default, rename = "match")]
    pub matches: FaultMatch,
    /// What happens to a matching request.
    pub action: FaultAction,
    /// Chance per matching request, 0–1 (default 1), drawn from the mock's seeded RNG.
    pub probability: Option<f64>,
    /// How many times the rule may apply, ≥ 1 (default: until removed).
    pub times: Option<u32>,
    /// Variables to capture from the mock's reply, e.g. `{rule: id}`.
    #[serde(default)]
    pub capture: Map<String, Value>,
}

impl AddFault {
    /// The rule as the admin API takes it (before `{{var}}` substitution).
    pub fn rule(&self) -> FaultSpec {
        FaultSpec {
            matches: self.matches.clone(),
            action: self.action.clone(),
            probability: self.probability,
            times: self.times,
        }
    }
}

/// `remove_faults`: `DELETE /__admin/faults` (all) or `DELETE /__admin/faults/{id}`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoveFaults {
    /// Only this rule, e.g. `"{{rule}}"` captured by `add_fault`; default every rule.
    pub id: Option<String>,
}

/// `get_journal`: `GET /__admin/journal?tid=&path=&since=`. The transcript shows one line per entry (sequence,
/// mock time, method, path, status, task, TID, fault, then its warnings); `expect.json` checks the full reply,
/// `{"entries": [{seq, time, method, path, query, headers, requestBody, status, responseBody, taskId, tid,
/// taskStatus, fault, warnings}]}`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetJournal {
    /// A label for reports.
    pub name: Option<String>,
    /// Only entries about this TID.
    pub tid: Option<String>,
    /// Only paths starting with this (or matching it, when it has a `*`), e.g. `/v1/tasks`.
    pub path: Option<String>,
    /// Only entries at or after this mock time (RFC 3339).
    pub since: Option<String>,
    /// Checks on the reply.
    #[serde(default)]
    pub expect: Expect,
    /// Variables to capture.
    #[serde(default)]
    pub capture: Map<String, Value>,
}

/// `get_state`: `GET /__admin/state?tid=…`, the mock's view of one terminal: `{now, terminals: [one terminal with
/// openBatch and batches], tasks, transactions}` — so paths read `terminals.0.batches.0.totals.sale`, whatever
/// the fixtures hold.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetState {
    /// A label for reports.
    pub name: Option<String>,
    /// TID; default the target's.
    pub tid: Option<String>,
    /// Checks on the reply.
    #[serde(default)]
    pub expect: Expect,
    /// Variables to capture.
    #[serde(default)]
    pub capture: Map<String, Value>,
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
