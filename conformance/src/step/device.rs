//! Steps for the device channels the mock simulates: iOS deep links (`deeplink`) and the Android app2app bridge
//! (`app2app`). Both answer `202 {"pending": id}` while the device is still busy; the step then polls the
//! channel's result route the way `poll_task` polls a task, and the checks apply to the final answer.
//!
//! ```yaml
//! - deeplink: {url: "gptom://transaction/create?amount=1123&redirectUrl=myapp://gptom/transaction/create",
//!              interval: 30, expect: {json: [{path: result.error, equals: failed}]}}
//! - app2app: {call: register, capture: {sale: transactionId}}
//! - app2app: {call: transaction, id: "{{sale}}", body: {transactionType: 1, amount: 1111}}
//! - app2app: {call: state, id: "{{sale}}", expect: {json: [{path: state, equals: 6}]}}
//! ```

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::ctx::{Body, Ctx, Response, StepOutcome, sub};
use super::repeat::Repeat;
use super::{Kind, Run, Uses, answered, check_polling, default_interval, default_timeout, yes};
use crate::result::{Exchange, StepResult, Verdict};
use crate::scenario::vars::substitute_value;
use crate::scenario::{Expect, Need, Poll};

/// `deeplink`: `POST /ios/deeplink {"url", "tid"}`; while the answer is `202 {pending}`, `GET
/// /ios/deeplink/{pending}` every `interval` (moving the mock clock on targets with the admin API, waiting
/// otherwise) until it is final or `timeout` passes. The transcript shows the `POST` and the last poll.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Deeplink {
    /// A label for reports.
    pub name: Option<String>,
    /// The `gptom://…` URL the app opens.
    pub url: String,
    /// The TID whose simulated device opens it; default the target's.
    pub tid: Option<String>,
    /// `false`: take a `202 {pending}` answer as it is (to check or capture `pending`); default `true`.
    #[serde(default = "yes")]
    pub wait: bool,
    /// Seconds between polls while pending (default 1).
    #[serde(default = "default_interval")]
    pub interval: f64,
    /// Give up after this many seconds pending (default 120).
    #[serde(default = "default_timeout")]
    pub timeout: f64,
    /// Checks on the final response: `{redirect, result, warnings}` (default: status 200).
    #[serde(default)]
    pub expect: Expect,
    /// Variables to capture from the final response, e.g. `{ams: result.receipt.amsID}`.
    #[serde(default)]
    pub capture: Map<String, Value>,
}

/// The AIDL call an `app2app` step makes, and its route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum App2AppCall {
    /// `POST /app2app/register` (body default `{}`); a 2xx stores `transactionId`.
    Register,
    /// `POST /app2app/transaction` (transactionRequestV2); polls `GET /app2app/transaction/{pending}` while 202.
    Transaction,
    /// `GET /app2app/state/{id}` (stateRequest).
    State,
    /// `GET /app2app/inquire/{id}` (TransactionInquire).
    Inquire,
    /// `GET /app2app/transaction/{id}`: the result of a request, polled while 202 like `transaction`.
    Result,
    /// `GET /app2app/info` (getGPTomInfo).
    Info,
    /// `POST /app2app/login` `{username, password, terminalId}`.
    Login,
    /// `POST /app2app/logout` (body default `{}`).
    Logout,
    /// `POST /app2app/change-password` `{oldPass, newPass, authCode, validationOnly}`.
    ChangePassword,
}

impl App2AppCall {
    /// The call as written in a scenario (`change-password`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::Transaction => "transaction",
            Self::State => "state",
            Self::Inquire => "inquire",
            Self::Result => "result",
            Self::Info => "info",
            Self::Login => "login",
            Self::Logout => "logout",
            Self::ChangePassword => "change-password",
        }
    }

    /// Whether the call sends a JSON body (a `POST`).
    pub fn has_body(self) -> bool {
        matches!(
            self,
            Self::Register | Self::Transaction | Self::Login | Self::Logout | Self::ChangePassword
        )
    }

    /// Whether the call may answer `202 {pending}` and the step then polls `GET /app2app/transaction/{id}`.
    pub fn may_pend(self) -> bool {
        matches!(self, Self::Transaction | Self::Result)
    }

    /// Whether the call is about one transaction id (`id` applies).
    pub fn takes_id(self) -> bool {
        matches!(
            self,
            Self::Transaction | Self::State | Self::Inquire | Self::Result
        )
    }
}

/// `app2app`: one AIDL call over the mock's JSON bridge, with the `X-Gptom-Tid` header. A `transaction` or
/// `result` answered `202 {pending}` is polled at `GET /app2app/transaction/{pending}` like a `deeplink`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct App2App {
    /// A label for reports.
    pub name: Option<String>,
    /// register, transaction, state, inquire, result, info, login, logout, change-password.
    pub call: App2AppCall,
    /// The transaction id: the path of `state`, `inquire`, `result`, and `transactionID` in a `transaction`
    /// body that has none. Default `{{transactionId}}` (the last `register`).
    pub id: Option<String>,
    /// The entity, as Gson writes it (`POST` calls only); strings may use `{{var}}`.
    pub body: Option<Map<String, Value>>,
    /// The `X-Gptom-Tid` header; default the target's TID.
    pub tid: Option<String>,
    /// `transaction`, `result`: `false` takes a `202 {pending}` answer as it is (e.g. to watch `state` move);
    /// default `true`.
    #[serde(default = "yes")]
    pub wait: bool,
    /// `transaction`, `result`: seconds between polls while pending (default 1).
    #[serde(default = "default_interval")]
    pub interval: f64,
    /// `transaction`, `result`: give up after this many seconds pending (default 120).
    #[serde(default = "default_timeout")]
    pub timeout: f64,
    /// Repeat the call until the expectations hold, e.g. `state` until `6`: `{every: 0.5, within: 30}`.
    pub poll: Option<Poll>,
    /// Checks on the final response (default: status 200).
    #[serde(default)]
    pub expect: Expect,
    /// Variables to capture from the final response.
    #[serde(default)]
    pub capture: Map<String, Value>,
}

impl App2App {
    /// The transaction id as written (before `{{var}}` substitution), for calls that take one: `id`, else a
    /// `transaction` body's own `transactionID`, else `{{transactionId}}`. `None` when the body names it.
    pub fn id_template(&self) -> Option<&str> {
        if !self.call.takes_id() {
            return None;
        }
        let in_body = self.call == App2AppCall::Transaction
            && self
                .body
                .as_ref()
                .is_some_and(|b| b.contains_key("transactionID"));
        match (&self.id, in_body) {
            (Some(id), _) => Some(id),
            (None, true) => None,
            (None, false) => Some("{{transactionId}}"),
        }
    }
}

impl Kind for Deeplink {
    fn needs(&self) -> Option<Need> {
        Some(Need::Mock)
    }
    fn uses<'a>(&'a self, uses: &mut Uses<'a>) {
        uses.text(&self.url);
        uses.opt(&self.tid);
    }
    answered!();
    fn waits_out_pending(&self) -> bool {
        self.wait
    }
    fn longest_wait(&self) -> f64 {
        if self.wait { self.timeout } else { 0.0 }
    }
    fn tids(&self) -> Vec<&str> {
        self.tid.as_deref().into_iter().collect()
    }
    fn check(&self) -> Result<(), String> {
        check_polling(self.interval, self.timeout)
    }
}

impl Run for Deeplink {
    async fn run(&self, ctx: &mut Ctx<'_>, r: &mut StepResult) -> StepOutcome {
        let url = sub(&self.url, &ctx.vars)?;
        let tid = ctx.tid_or_default(self.tid.as_deref())?;
        let body = Body::Json(json!({"url": url, "tid": tid}));
        let resp = ctx
            .send(r, "POST", "/ios/deeplink", Vec::new(), body)
            .await?;
        let resp = if self.wait {
            let pending = Pending {
                route: "/ios/deeplink",
                headers: Vec::new(),
                interval: self.interval,
                timeout: self.timeout,
            };
            pending.wait_out(ctx, r, resp).await?
        } else {
            resp
        };
        ctx.finish(r, &resp, &self.expect, &self.capture, &[])
    }
}

impl Kind for App2App {
    fn needs(&self) -> Option<Need> {
        Some(Need::Mock)
    }
    fn uses<'a>(&'a self, uses: &mut Uses<'a>) {
        if let Some(id) = self.id_template() {
            uses.text(id);
        }
        for v in self.body.iter().flat_map(Map::values) {
            uses.value(v);
        }
        uses.opt(&self.tid);
    }
    answered!();
    fn implicit_captures(&self) -> &'static [&'static str] {
        if self.call == App2AppCall::Register {
            &["transactionId"]
        } else {
            &[]
        }
    }
    fn poll(&self) -> Option<Poll> {
        self.poll
    }
    fn waits_out_pending(&self) -> bool {
        self.wait && self.call.may_pend()
    }
    fn longest_wait(&self) -> f64 {
        let poll = self.poll.map_or(0.0, |p| p.within);
        if self.waits_out_pending() {
            self.timeout.max(poll)
        } else {
            poll
        }
    }
    fn tids(&self) -> Vec<&str> {
        self.tid.as_deref().into_iter().collect()
    }
    /// `id` and `body` only where the call has them; one place for a transaction's id.
    fn check(&self) -> Result<(), String> {
        let call = self.call.as_str();
        if self.id.is_some() && !self.call.takes_id() {
            return Err(format!(
                "call {call} takes no id (only transaction, state, inquire and result do)"
            ));
        }
        if self.body.is_some() && !self.call.has_body() {
            return Err(format!(
                "call {call} is a GET: drop body (only register, transaction, login, logout and change-password send one)"
            ));
        }
        let body_id = self
            .body
            .as_ref()
            .is_some_and(|b| b.contains_key("transactionID"));
        if self.call == App2AppCall::Transaction && self.id.is_some() && body_id {
            return Err("give the transaction id once: `id` or body.transactionID".to_owned());
        }
        check_polling(self.interval, self.timeout)
    }
}

impl Run for App2App {
    async fn run(&self, ctx: &mut Ctx<'_>, r: &mut StepResult) -> StepOutcome {
        let tid = ctx.tid_or_default(self.tid.as_deref())?;
        let headers = vec![("x-gptom-tid".to_owned(), tid)];
        let id = self
            .id_template()
            .map(|t| sub(t, &ctx.vars))
            .transpose()?
            .unwrap_or_default();
        let path = match self.call {
            App2AppCall::State => format!("/app2app/state/{id}"),
            App2AppCall::Inquire => format!("/app2app/inquire/{id}"),
            App2AppCall::Result => format!("/app2app/transaction/{id}"),
            call => format!("/app2app/{}", call.as_str()),
        };
        let (method, body) = if self.call.has_body() {
            let mut entity = Map::new();
            if self.call == App2AppCall::Transaction && self.id_template().is_some() {
                entity.insert("transactionID".into(), json!(id));
            }
            for (k, v) in self.body.iter().flatten() {
                entity.insert(k.clone(), v.clone());
            }
            let entity =
                substitute_value(&Value::Object(entity), &ctx.vars).map_err(Verdict::Errored)?;
            ("POST", Body::Json(entity))
        } else {
            ("GET", Body::None)
        };
        let resp = ctx.send(r, method, &path, headers.clone(), body).await?;
        let resp = if self.waits_out_pending() {
            let pending = Pending {
                route: "/app2app/transaction",
                headers,
                interval: self.interval,
                timeout: self.timeout,
            };
            pending.wait_out(ctx, r, resp).await?
        } else {
            resp
        };
        ctx.finish(r, &resp, &self.expect, &self.capture, self.implicit())
    }
}

impl App2App {
    /// `register` stores the new `transactionId`.
    fn implicit(&self) -> &'static [(&'static str, &'static str)] {
        if self.call == App2AppCall::Register {
            &[("transactionId", "transactionId")]
        } else {
            &[]
        }
    }
}

/// Where and how often to ask again while an answer is pending.
struct Pending<'a> {
    /// The result route; the pending id is appended (`/ios/deeplink` → `/ios/deeplink/{id}`).
    route: &'a str,
    headers: Vec<(String, String)>,
    interval: f64,
    timeout: f64,
}

impl Pending<'_> {
    /// While `first` is `202 {"pending": id}`: let `interval` pass (moving a manual clock, waiting otherwise),
    /// then `GET {route}/{id}`, until another status or `timeout`. The request and its final answer are one
    /// logical exchange in the transcript (the pending answer and the polls become its `pending` line), so a
    /// target that answers at once and one that makes the caller wait read the same.
    async fn wait_out(
        &self,
        ctx: &mut Ctx<'_>,
        r: &mut StepResult,
        first: Response,
    ) -> Result<Response, Verdict> {
        let Some(id) = pending_id(&first) else {
            return Ok(first);
        };
        let path = format!("{}/{id}", self.route);
        let mut repeat = Repeat::new(self.interval, self.timeout, ctx.target.manual_clock());
        let keep = r.exchanges.len();
        loop {
            if !repeat.can_wait() {
                r.notes
                    .push(format!("still pending {id}: {}", repeat.describe()));
                return Err(Verdict::Failed(format!(
                    "still pending after {}s (timeout {}s)",
                    repeat.waited(),
                    self.timeout
                )));
            }
            repeat.wait(ctx).await?;
            r.exchanges.truncate(keep); // the transcript shows the last poll only
            let resp = ctx
                .send(r, "GET", &path, self.headers.clone(), Body::None)
                .await?;
            repeat.tried();
            if resp.status != 202 {
                if let Some(last) = r.exchanges.pop()
                    && let Some(request) = r.exchanges.last_mut()
                {
                    *request = Exchange {
                        pending: Some(format!(
                            "202 pending {id}; GET {path} {}",
                            repeat.describe()
                        )),
                        elapsed_ms: request.elapsed_ms + last.elapsed_ms,
                        ..last
                    }
                    .with_request_of(request);
                }
                return Ok(resp);
            }
        }
    }
}

/// The id of a `202 {"pending": id}` answer.
fn pending_id(resp: &Response) -> Option<String> {
    if resp.status != 202 {
        return None;
    }
    let id = resp.json.as_ref()?.get("pending")?.as_str()?;
    Some(id.to_owned())
}
