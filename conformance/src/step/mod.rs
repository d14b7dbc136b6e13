//! Step kinds, each one unit: a family module holds a kind's file syntax (its struct), what it means to the
//! runner ([`Kind`]: needs, waits, variables, load-time checks, the `--interactive` prompt) and how it runs
//! (`Run`: the HTTP calls, checks and captures).
//!
//! - `task.rs` and `cloud.rs`: GP tom's Cloud API (`create_task`, `poll_task`, `get_task`, `get_transaction`;
//!   `token`, `request`);
//! - `admin.rs`: the mock's admin API (`set_outcome`, `set_terminal`, `cancel_task`, `reset`, `add_fault`,
//!   `remove_faults`, `get_journal`, `get_state`);
//! - `device.rs`: the device channels (`deeplink`, `app2app`);
//! - `flow.rs`: the scenario's own flow (`section`, `advance_clock`).
//!
//! A new kind is its struct with the two `impl`s in its family's file and one line in `steps!` below;
//! everything that dispatches on [`Step`] is generated from that list, so nothing can forget a kind.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::result::{StepResult, Verdict};
use crate::scenario::vars::{references, references_in};
use crate::scenario::{Expect, Need, Poll, Section};

pub mod admin;
pub mod cloud;
pub(crate) mod ctx;
pub mod device;
pub mod flow;
pub(crate) mod repeat;
pub mod task;

pub use admin::{
    AddFault, CancelTask, GetJournal, GetState, RemoveFaults, Reset, SetOutcome, SetTerminal,
};
pub use cloud::{Grant, RawRequest, TokenStep};
pub use device::{App2App, App2AppCall, Deeplink};
pub use flow::AdvanceClock;
pub use task::{CreateTask, GetTask, GetTransaction, PollTask};

use ctx::Ctx;

/// What a step means apart from running it. The defaults are what most kinds are: no label, no checks, no
/// captures, no waiting, nothing to check at load, nothing a person at the terminal could do instead.
pub trait Kind {
    /// What the step needs of the target beyond GP tom's API (see [`Need`]).
    fn needs(&self) -> Option<Need>;

    /// The variables the step uses, defaults included (`{{taskId}}`, `{{access_token}}` …), apart from those
    /// in its `expect` (which [`Step::used_vars`] adds).
    fn uses<'a>(&'a self, uses: &mut Uses<'a>);

    /// The step's label, if it has one.
    fn name(&self) -> Option<&str> {
        None
    }

    /// What the step expects of its response.
    fn expect(&self) -> Option<&Expect> {
        None
    }

    /// Explicit captures: variable name → JSON path in the response body.
    fn captures(&self) -> Option<&Map<String, Value>> {
        None
    }

    /// Variables a successful step defines without an explicit `capture`.
    fn implicit_captures(&self) -> &'static [&'static str] {
        &[]
    }

    /// The `poll` of a step that repeats until its expectations hold.
    fn poll(&self) -> Option<Poll> {
        None
    }

    /// Whether the step waits out a `202 pending` answer (so `expect.status: 202` cannot hold).
    fn waits_out_pending(&self) -> bool {
        false
    }

    /// The longest the step may wait for the target, in seconds (its poll bound, or the time it lets pass).
    fn longest_wait(&self) -> f64 {
        self.poll().map_or(0.0, |p| p.within)
    }

    /// Terminal ids the step names as written (`{{tid}}` included).
    fn tids(&self) -> Vec<&str> {
        Vec::new()
    }

    /// Checks serde cannot express, at load (the message without the file position and kind).
    fn check(&self) -> Result<(), String> {
        Ok(())
    }

    /// `run --interactive` against a target without the admin API: what a person at the terminal does instead
    /// of this mock-only step (`tid` is the default terminal); `None` when nobody can.
    fn prompt(&self, _tid: &str) -> Option<String> {
        None
    }
}

/// The `name`, `expect` and `capture` fields of a step that has all three, as its [`Kind`] answers them.
macro_rules! answered {
    () => {
        fn name(&self) -> Option<&str> {
            self.name.as_deref()
        }
        fn expect(&self) -> Option<&crate::scenario::Expect> {
            Some(&self.expect)
        }
        fn captures(&self) -> Option<&serde_json::Map<String, serde_json::Value>> {
            Some(&self.capture)
        }
    };
}
use answered;

/// How a step runs: its calls go into `r` (exchanges, checks, notes); captures go into the context.
pub(crate) trait Run {
    async fn run(&self, ctx: &mut Ctx<'_>, r: &mut StepResult) -> Result<(), Verdict>;
}

/// The variables a step uses: the fixed defaults it falls back on, then those written in its strings.
#[derive(Debug, Default)]
pub struct Uses<'a> {
    fixed: Vec<&'static str>,
    written: Vec<&'a str>,
}

impl<'a> Uses<'a> {
    /// A variable the step uses when nothing else is given (`access_token` for a missing `token`).
    pub fn fallback(&mut self, var: &'static str) {
        self.fixed.push(var);
    }

    /// The `{{var}}`s in a string.
    pub fn text(&mut self, text: &'a str) {
        self.written.extend(references(text));
    }

    /// The `{{var}}`s in an optional string.
    pub fn opt(&mut self, text: &'a Option<String>) {
        if let Some(t) = text {
            self.text(t);
        }
    }

    /// The `{{var}}`s in every string of a JSON value.
    pub fn value(&mut self, value: &'a Value) {
        self.written.extend(references_in(value));
    }

    /// A bearer token: the one written, or `{{access_token}}`.
    pub fn bearer(&mut self, token: &'a Option<String>) {
        match token {
            Some(t) => self.text(t),
            None => self.fallback("access_token"),
        }
    }

    fn into_list(self) -> Vec<&'a str> {
        let mut out: Vec<&'a str> = self.fixed;
        out.extend(self.written);
        out
    }
}

/// `interval`/`timeout` (or `every`/`within`) of a wait: a positive interval that fits in the bound.
pub(crate) fn check_polling(interval: f64, timeout: f64) -> Result<(), String> {
    if interval > 0.0 && interval.is_finite() && timeout >= interval {
        Ok(())
    } else {
        Err("interval must be > 0 and timeout ≥ interval (seconds)".to_owned())
    }
}

/// The step list: `"name in the file" => Variant(Type)`, with the doc the JSON Schema shows. It generates
/// [`Step`] and every dispatch on it.
macro_rules! steps {
    ($( $(#[$doc:meta])* $name:literal => $variant:ident($ty:ty), )*) => {
        /// One step. Mock-only steps (`set_outcome`, `set_terminal`, `cancel_task`, `reset`, `add_fault`,
        /// `remove_faults`, `get_journal`, `get_state`) need the admin API; a section holding one is skipped, with the
        /// reason, on a target without it.
        #[derive(Debug, Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub enum Step {
            $( $(#[$doc])* #[serde(rename = $name)] $variant($ty), )*
        }

        impl Step {
            /// The step's kind as written in the file (`create_task`).
            pub fn kind(&self) -> &'static str {
                match self {
                    $( Self::$variant(_) => $name, )*
                }
            }

            /// The kind's meaning ([`Kind`]).
            pub fn unit(&self) -> &dyn Kind {
                match self {
                    $( Self::$variant(s) => s, )*
                }
            }

            /// Runs the step (its family's [`Run`]).
            pub(crate) async fn run(&self, ctx: &mut Ctx<'_>, r: &mut StepResult) -> Result<(), Verdict> {
                match self {
                    $( Self::$variant(s) => s.run(ctx, r).await, )*
                }
            }
        }
    };
}

steps! {
    /// Starts a section: steps that run together or not at all.
    "section" => Section(Section),
    /// OAuth token request; a 200 stores `access_token` and `refresh_token` for later steps.
    "token" => Token(TokenStep),
    /// `POST /v1/tasks/{class}` with defaults from the target's credentials; captures `taskId`.
    "create_task" => CreateTask(CreateTask),
    /// `GET /v1/tasks/{id}` until a final (or named) status; captures `contextId`.
    "poll_task" => PollTask(PollTask),
    /// One `GET /v1/tasks/{id}`; captures `contextId`.
    "get_task" => GetTask(GetTask),
    /// `GET /v1/transactions/{id}`.
    "get_transaction" => GetTransaction(GetTransaction),
    /// Any raw HTTP call (bad-input cases).
    "request" => Request(RawRequest),
    /// iOS: open a `gptom://` deep link (`POST /ios/deeplink`), waiting out a pending answer.
    "deeplink" => Deeplink(Deeplink),
    /// Android: one app2app call (`/app2app/*`), waiting out a pending `transaction`.
    "app2app" => App2App(App2App),
    /// Let time pass: on a manual clock the runner moves it, elsewhere it really waits (at most `--max-wait`).
    "advance_clock" => AdvanceClock(AdvanceClock),
    /// Mock-only: force the outcome of the next task(s) on a TID.
    "set_outcome" => SetOutcome(SetOutcome),
    /// Mock-only: change a terminal (reachable, mode, latency).
    "set_terminal" => SetTerminal(SetTerminal),
    /// Mock-only: the operator cancels a task on the device.
    "cancel_task" => CancelTask(CancelTask),
    /// Mock-only: clear tasks, transactions, batches and overrides (all or one TID).
    "reset" => Reset(Reset),
    /// Mock-only: add a fault rule (`POST /__admin/faults`); the reply's `id` can be captured.
    "add_fault" => AddFault(AddFault),
    /// Mock-only: delete every fault rule, or one by id.
    "remove_faults" => RemoveFaults(RemoveFaults),
    /// Mock-only: read what the mock recorded (`GET /__admin/journal`), filtered by TID and path.
    "get_journal" => GetJournal(GetJournal),
    /// Mock-only: the mock's state for one terminal (`GET /__admin/state?tid=`).
    "get_state" => GetState(GetState),
}

impl Step {
    /// Whether the step needs the mock's admin API.
    pub fn is_mock_only(&self) -> bool {
        self.needs() == Some(Need::Admin)
    }

    /// What the step needs of the target beyond GP tom's API: the admin API (mock-only steps, a `request` to
    /// `/__admin`), or a gptom-mock (device channels; a login with one of its built-in accounts).
    pub fn needs(&self) -> Option<Need> {
        self.unit().needs()
    }

    /// The longest the step may wait for the target, in seconds (its poll bound, or the time it lets pass).
    pub fn longest_wait(&self) -> f64 {
        self.unit().longest_wait()
    }

    /// Terminal ids the step names as written (`{{tid}}` included): a login's or device's `tid`, a task
    /// body's `Tid`, an admin step's or a fault rule's terminal.
    pub fn tids(&self) -> Vec<&str> {
        self.unit().tids()
    }

    /// The `poll` of a step that repeats until its expectations hold.
    pub fn poll(&self) -> Option<Poll> {
        self.unit().poll()
    }

    /// The step's label, if it has one.
    pub fn name(&self) -> Option<&str> {
        self.unit().name()
    }

    /// What the step expects of its response (mock-only control steps expect a 2xx only).
    pub fn expect(&self) -> Option<&Expect> {
        self.unit().expect()
    }

    /// Explicit captures: variable name → JSON path in the response body.
    pub fn captures(&self) -> Option<&Map<String, Value>> {
        self.unit().captures()
    }

    /// Variables a successful step defines without an explicit `capture`.
    pub fn implicit_captures(&self) -> &'static [&'static str] {
        self.unit().implicit_captures()
    }

    /// Every variable the step uses: its defaults first, then those written in it and in its `expect`.
    pub fn used_vars(&self) -> Vec<&str> {
        let mut uses = Uses::default();
        self.unit().uses(&mut uses);
        if let Some(expect) = self.expect() {
            for c in &expect.json {
                for v in [&c.equals, &c.not_equals].into_iter().flatten() {
                    uses.value(v);
                }
                for v in c.one_of.iter().flatten() {
                    uses.value(v);
                }
            }
            for v in expect.headers.values() {
                uses.value(v);
            }
        }
        uses.into_list()
    }
}

/// Serde default: `true`.
pub(crate) fn yes() -> bool {
    true
}

/// Serde default of a task id: the last created task.
pub(crate) fn default_task() -> String {
    "{{taskId}}".to_owned()
}

/// Serde default: seconds between polls.
pub(crate) fn default_interval() -> f64 {
    1.0
}

/// Serde default: seconds a wait may last.
pub(crate) fn default_timeout() -> f64 {
    120.0
}
