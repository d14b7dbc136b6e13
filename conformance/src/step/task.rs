//! The task steps of the Cloud API — a payment or batch close from creation to its transaction: `create_task`,
//! `poll_task`, `get_task`, `get_transaction`.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::ctx::{Body, Ctx, StepOutcome, sub};
use super::repeat::Repeat;
use super::{
    Kind, Run, Uses, answered, check_polling, default_interval, default_task, default_timeout, yes,
};
use crate::result::{Check, StepResult, Verdict};
use crate::scenario::vars::substitute_value;
use crate::scenario::{Expect, Need, Poll};
use mock_server::contract::status::{TASK_STATUSES, is_final};

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

fn default_until() -> String {
    "final".to_owned()
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

/// `Authorization: Bearer …` with the step's token, or the stored `{{access_token}}`.
fn bearer(ctx: &Ctx<'_>, token: &Option<String>) -> Result<Vec<(String, String)>, Verdict> {
    let bearer = ctx.bearer(token.as_deref())?;
    Ok(vec![(
        "authorization".to_owned(),
        format!("Bearer {bearer}"),
    )])
}

impl Kind for CreateTask {
    fn needs(&self) -> Option<Need> {
        None
    }
    fn uses<'a>(&'a self, uses: &mut Uses<'a>) {
        uses.bearer(&self.token);
        for v in self.body.values() {
            uses.value(v);
        }
    }
    answered!();
    fn implicit_captures(&self) -> &'static [&'static str] {
        &["taskId"]
    }
    fn tids(&self) -> Vec<&str> {
        self.body
            .get("Tid")
            .and_then(Value::as_str)
            .into_iter()
            .collect()
    }
}

impl Run for CreateTask {
    async fn run(&self, ctx: &mut Ctx<'_>, r: &mut StepResult) -> StepOutcome {
        let headers = bearer(ctx, &self.token)?;
        let class = sub(&self.class, &ctx.vars)?;
        let body = self.task_body(ctx, &class)?;
        let path = format!("/v1/tasks/{class}");
        let resp = ctx
            .send(r, "POST", &path, headers, Body::Json(body))
            .await?;
        ctx.finish(
            r,
            &resp,
            &self.expect,
            &self.capture,
            &[("taskId", "taskId")],
        )
    }
}

impl CreateTask {
    /// The body: the defaults from the credentials (unless `defaults: false`), then `body` over them (a `null`
    /// removes a default).
    fn task_body(&self, ctx: &Ctx<'_>, class: &str) -> Result<Value, Verdict> {
        let mut out = Map::new();
        if self.defaults {
            out.insert("apiKey".into(), json!(ctx.creds.api_key));
            out.insert("Tid".into(), json!(ctx.creds.tid));
            out.insert("initiator".into(), json!("gptom-conformance"));
            out.insert("title".into(), json!(ctx.scenario_id));
            if class == "TRANSACTION" {
                out.insert("transactionOperation".into(), json!("SALE"));
                out.insert("transactionType".into(), json!("CARD"));
            }
        }
        for (k, v) in &self.body {
            if v.is_null() && self.defaults {
                out.shift_remove(k);
            } else {
                let v = substitute_value(v, &ctx.vars).map_err(Verdict::Errored)?;
                out.insert(k.clone(), v);
            }
        }
        Ok(Value::Object(out))
    }
}

impl Kind for PollTask {
    fn needs(&self) -> Option<Need> {
        None
    }
    fn uses<'a>(&'a self, uses: &mut Uses<'a>) {
        uses.bearer(&self.token);
        uses.text(&self.task);
    }
    answered!();
    fn implicit_captures(&self) -> &'static [&'static str] {
        &["contextId"]
    }
    fn longest_wait(&self) -> f64 {
        self.timeout
    }
    fn check(&self) -> Result<(), String> {
        if self.until != "final" && !TASK_STATUSES.contains(&self.until.as_str()) {
            return Err(format!(
                "until {:?}: expected final or one of {}",
                self.until,
                TASK_STATUSES.join(", ")
            ));
        }
        for st in self.statuses.iter().flatten() {
            if !TASK_STATUSES.contains(&st.as_str()) {
                return Err(format!(
                    "statuses: unknown status {st:?}; expected one of {}",
                    TASK_STATUSES.join(", ")
                ));
            }
        }
        check_polling(self.interval, self.timeout)
    }
}

impl Run for PollTask {
    async fn run(&self, ctx: &mut Ctx<'_>, r: &mut StepResult) -> StepOutcome {
        let headers = bearer(ctx, &self.token)?;
        let id = sub(&self.task, &ctx.vars)?;
        let path = format!("/v1/tasks/{id}");
        let mut repeat = Repeat::new(self.interval, self.timeout, ctx.target.manual_clock());
        let mut seen: Vec<String> = Vec::new();
        let resp = loop {
            let mut scratch = StepResult {
                exchanges: Vec::new(),
                ..r.clone()
            };
            let resp = ctx
                .send(&mut scratch, "GET", &path, headers.clone(), Body::None)
                .await?;
            repeat.tried();
            r.exchanges = scratch.exchanges; // the transcript shows the last poll only
            if resp.status != 200 {
                seen.push(match resp.status {
                    0 => "no response".to_owned(),
                    s => format!("HTTP {s}"),
                });
                break resp;
            }
            let status = resp
                .json
                .as_ref()
                .and_then(|j| j.get("status"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            if seen.last() != Some(&status) {
                seen.push(status.clone());
            }
            let done = if self.until == "final" {
                is_final(&status)
            } else {
                status == self.until
            };
            if done {
                break resp;
            }
            if !repeat.can_wait() {
                r.notes.push(poll_note(&repeat, &seen));
                return Err(Verdict::Failed(format!(
                    "task still {status} after {}s (until {})",
                    repeat.waited(),
                    self.until
                )));
            }
            repeat.wait(ctx).await?;
        };
        r.notes.push(poll_note(&repeat, &seen));
        if let Some(expected) = &self.statuses {
            // The embedded mock's clock moves exactly by the interval, so every status is seen. Elsewhere time
            // passes at its own pace and a poll may miss a short status: the ones seen must keep the order.
            let (ok, how) = if ctx.target.is_embedded() {
                (*expected == seen, "")
            } else {
                (
                    in_order(expected, &seen),
                    " (in this order; intermediate ones may be missed)",
                )
            };
            r.checks.push(Check {
                what: "statuses".to_owned(),
                expected: format!("{}{how}", expected.join(" -> ")),
                actual: seen.join(" -> "),
                ok,
            });
        }
        ctx.finish(
            r,
            &resp,
            &self.expect,
            &self.capture,
            &[("contextId", "contextId")],
        )
    }
}

/// `statuses: CREATED -> … -> COMPLETED (polled 11 times, clock advanced 5s)`: the distinct statuses seen
/// describe the behaviour; the part in brackets is timing (see `transcript::shape`).
fn poll_note(repeat: &Repeat, seen: &[String]) -> String {
    format!("statuses: {} ({})", seen.join(" -> "), repeat.describe())
}

/// Whether `seen` keeps the order of `expected` and ends where it ends (statuses in between may be missed).
fn in_order(expected: &[String], seen: &[String]) -> bool {
    let mut rest = expected.iter();
    seen.iter().all(|s| rest.any(|e| e == s)) && seen.last() == expected.last()
}

impl Kind for GetTask {
    fn needs(&self) -> Option<Need> {
        None
    }
    fn uses<'a>(&'a self, uses: &mut Uses<'a>) {
        uses.bearer(&self.token);
        uses.text(&self.task);
    }
    answered!();
    fn implicit_captures(&self) -> &'static [&'static str] {
        &["contextId"]
    }
    fn poll(&self) -> Option<Poll> {
        self.poll
    }
}

impl Run for GetTask {
    async fn run(&self, ctx: &mut Ctx<'_>, r: &mut StepResult) -> StepOutcome {
        let headers = bearer(ctx, &self.token)?;
        let id = sub(&self.task, &ctx.vars)?;
        let resp = ctx
            .send(r, "GET", &format!("/v1/tasks/{id}"), headers, Body::None)
            .await?;
        ctx.finish(
            r,
            &resp,
            &self.expect,
            &self.capture,
            &[("contextId", "contextId")],
        )
    }
}

impl Kind for GetTransaction {
    fn needs(&self) -> Option<Need> {
        None
    }
    fn uses<'a>(&'a self, uses: &mut Uses<'a>) {
        uses.bearer(&self.token);
        uses.text(&self.id);
    }
    answered!();
    fn poll(&self) -> Option<Poll> {
        self.poll
    }
}

impl Run for GetTransaction {
    async fn run(&self, ctx: &mut Ctx<'_>, r: &mut StepResult) -> StepOutcome {
        let headers = bearer(ctx, &self.token)?;
        let id = sub(&self.id, &ctx.vars)?;
        let path = format!("/v1/transactions/{id}");
        let resp = ctx.send(r, "GET", &path, headers, Body::None).await?;
        ctx.finish(r, &resp, &self.expect, &self.capture, &[])
    }
}
