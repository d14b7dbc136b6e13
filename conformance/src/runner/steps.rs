//! One step at a time: the HTTP calls a step makes, its checks and its captures. Mock-only steps go through
//! the admin API; nothing here reaches into the mock.

use std::time::{Duration, Instant};

use base64::Engine as _;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Map, Value, json};

use mock_server::contract::admin::{AdvanceBody, NextOutcomeBody, PatchTerminalBody, ResetBody};

use super::millis;
use super::repeat::Repeat;
use crate::admin::path;
use crate::assert;
use crate::result::{Check, Exchange, StepResult, Verdict};
use crate::scenario::vars::{Vars, as_text, substitute, substitute_value};
use crate::scenario::{Expect, Grant, PollTask, RawRequest, Step, TokenStep};
use crate::target::{Credentials, Target, error_chain};

mod device;

/// A response as the checks see it.
struct Response {
    /// 0 when no response came.
    status: u16,
    headers: HeaderMap,
    json: Option<Value>,
    elapsed_ms: u64,
    /// The whole transport error chain when no (complete) response came.
    transport_error: Option<String>,
}

/// A request body.
enum Body {
    None,
    Json(Value),
    Form(Vec<(String, String)>),
    Raw(String),
}

pub(super) struct Ctx<'a> {
    pub(super) client: &'a reqwest::Client,
    pub(super) target: &'a Target,
    pub(super) creds: &'a Credentials,
    pub(super) scenario_id: &'a str,
    pub(super) vars: Vars,
    /// How real time passes, and who is told about a wait.
    pub(super) clock: &'a super::Waits,
    /// The step running (1-based index and kind), for wait notices.
    pub(super) at: (usize, &'static str),
    /// On a remote mock: the journal's `lastSeq` when the scenario began (its `get_journal` reads only since).
    pub(super) journal_after: Option<u64>,
    /// Fault rules this scenario added (a remote mock's `remove_faults` and clean-up remove only these).
    pub(super) added_faults: Vec<String>,
    /// Whether a request on a connection found dead is sent again (not when the step expects a transport
    /// error: a fault that drops the connection must stay visible).
    pub(super) retry_stale: bool,
}

type StepOutcome = Result<(), Verdict>;

fn sub(text: &str, vars: &Vars) -> Result<String, Verdict> {
    substitute(text, vars).map_err(Verdict::Errored)
}

impl Ctx<'_> {
    pub(super) async fn step(&mut self, step: &Step, r: &mut StepResult) -> StepOutcome {
        match step {
            Step::Section(_) => Ok(()),
            Step::Token(t) => self.token(t, r).await,
            Step::CreateTask(c) => {
                let bearer = self.bearer(c.token.as_deref())?;
                let class = sub(&c.class, &self.vars)?;
                let body = self.task_body(&class, c.defaults, &c.body)?;
                let path = format!("/v1/tasks/{class}");
                let headers = vec![("authorization".to_owned(), format!("Bearer {bearer}"))];
                let resp = self
                    .send(r, "POST", &path, headers, Body::Json(body))
                    .await?;
                self.finish(r, &resp, &c.expect, &c.capture, &[("taskId", "taskId")])
            }
            Step::PollTask(p) => self.poll(p, r).await,
            Step::GetTask(g) => {
                let bearer = self.bearer(g.token.as_deref())?;
                let id = sub(&g.task, &self.vars)?;
                let headers = vec![("authorization".to_owned(), format!("Bearer {bearer}"))];
                let resp = self
                    .send(r, "GET", &format!("/v1/tasks/{id}"), headers, Body::None)
                    .await?;
                self.finish(
                    r,
                    &resp,
                    &g.expect,
                    &g.capture,
                    &[("contextId", "contextId")],
                )
            }
            Step::GetTransaction(g) => {
                let bearer = self.bearer(g.token.as_deref())?;
                let id = sub(&g.id, &self.vars)?;
                let headers = vec![("authorization".to_owned(), format!("Bearer {bearer}"))];
                let resp = self
                    .send(
                        r,
                        "GET",
                        &format!("/v1/transactions/{id}"),
                        headers,
                        Body::None,
                    )
                    .await?;
                self.finish(r, &resp, &g.expect, &g.capture, &[])
            }
            Step::Request(q) => self.raw(q, r).await,
            Step::Deeplink(d) => self.deeplink(d, r).await,
            Step::App2App(a) => self.app2app(a, r).await,
            Step::AdvanceClock(a) => {
                match self.pass_time(a.seconds, a.seconds).await? {
                    Some(now) => r.notes.push(format!("clock +{}s -> {now}", a.seconds)),
                    None => r.notes.push(format!("waited {}s", a.seconds)),
                }
                Ok(())
            }
            Step::SetOutcome(o) => {
                let tid = self.tid_or_default(o.tid.as_deref())?;
                let body = NextOutcomeBody {
                    outcome: o.outcome.clone(),
                    count: o.count,
                };
                let reply = self
                    .admin_call("PUT", &path::next_outcome(&tid), to_json(&body)?)
                    .await?;
                r.notes.push(format!("next outcome on {tid}: {reply}"));
                Ok(())
            }
            Step::SetTerminal(t) => {
                let tid = self.tid_or_default(t.tid.as_deref())?;
                let body = PatchTerminalBody {
                    reachable: t.reachable,
                    mode: t.mode,
                    latency: t.latency.clone(),
                };
                let reply = self
                    .admin_call("PATCH", &path::terminal(&tid), to_json(&body)?)
                    .await?;
                r.notes.push(format!("terminal {tid}: {reply}"));
                Ok(())
            }
            Step::CancelTask(c) => {
                let id = sub(&c.task, &self.vars)?;
                let resp = self
                    .send(r, "POST", &path::cancel_task(&id), Vec::new(), Body::None)
                    .await?;
                self.finish(
                    r,
                    &resp,
                    &c.expect,
                    &c.capture,
                    &[("contextId", "contextId")],
                )
            }
            Step::Reset(x) => {
                let body = ResetBody {
                    tid: x.tid.as_ref().map(|t| sub(t, &self.vars)).transpose()?,
                };
                let reply = self
                    .admin_call("POST", path::RESET, to_json(&body)?)
                    .await?;
                r.notes.push(format!("reset: {reply}"));
                Ok(())
            }
            Step::AddFault(f) => {
                let rule =
                    serde_json::to_value(f.rule()).map_err(|e| Verdict::Errored(e.to_string()))?;
                let rule = substitute_value(&rule, &self.vars).map_err(Verdict::Errored)?;
                let reply = self.admin_call("POST", path::FAULTS, rule.clone()).await?;
                let id = reply.get("id").map(as_text).unwrap_or_default();
                r.notes.push(format!("fault rule {id}: {rule}"));
                self.added_faults.push(id);
                self.capture_from(&reply, &f.capture)
            }
            Step::RemoveFaults(x) => {
                let ids = match &x.id {
                    Some(id) => vec![sub(id, &self.vars)?],
                    // A shared mock keeps other users' rules: only this scenario's go.
                    None if !self.target.is_embedded() => self.added_faults.clone(),
                    None => {
                        let reply = self.admin_call("DELETE", path::FAULTS, Value::Null).await?;
                        let what = reply.get("deleted").map(as_text).unwrap_or_default();
                        r.notes.push(format!("fault rules deleted: {what}"));
                        return Ok(());
                    }
                };
                for id in &ids {
                    self.admin_call("DELETE", &path::fault(id), Value::Null)
                        .await?;
                }
                self.added_faults.retain(|a| !ids.contains(a));
                r.notes
                    .push(format!("fault rules deleted: {}", ids.join(", ")));
                Ok(())
            }
            Step::GetJournal(j) => {
                let mut query = Vec::new();
                for (key, value) in [("tid", &j.tid), ("path", &j.path), ("since", &j.since)] {
                    if let Some(v) = value {
                        query.push((key, sub(v, &self.vars)?));
                    }
                }
                if let Some(seq) = self.journal_after {
                    query.push(("after", seq.to_string()));
                }
                let query: Vec<(&str, &str)> =
                    query.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let resp = self
                    .send(r, "GET", &path::journal(&query), Vec::new(), Body::None)
                    .await?;
                if let (Some(x), Some(body)) = (r.exchanges.last_mut(), &resp.json) {
                    x.response_body = journal_lines(body);
                }
                self.finish(r, &resp, &j.expect, &j.capture, &[])
            }
            Step::GetState(g) => {
                let tid = self.tid_or_default(g.tid.as_deref())?;
                let resp = self
                    .send(r, "GET", &path::state(&tid), Vec::new(), Body::None)
                    .await?;
                self.finish(r, &resp, &g.expect, &g.capture, &[])
            }
        }
    }

    /// Captures from a mock-only step's admin reply.
    fn capture_from(&mut self, reply: &Value, capture: &Map<String, Value>) -> StepOutcome {
        for (name, path) in capture {
            let path = path.as_str().unwrap_or_default();
            match assert::lookup(reply, path) {
                Some(v) => {
                    self.vars.insert(name.clone(), v.clone());
                }
                None => {
                    return Err(Verdict::Failed(format!(
                        "capture {name}: {path} is not in the reply {reply}"
                    )));
                }
            }
        }
        Ok(())
    }

    fn bearer(&self, token: Option<&str>) -> Result<String, Verdict> {
        match token {
            Some(t) => sub(t, &self.vars),
            None => sub("{{access_token}}", &self.vars),
        }
    }

    fn tid_or_default(&self, tid: Option<&str>) -> Result<String, Verdict> {
        match tid {
            Some(t) => sub(t, &self.vars),
            None => Ok(self.creds.tid.clone()),
        }
    }

    fn task_body(
        &self,
        class: &str,
        defaults: bool,
        body: &Map<String, Value>,
    ) -> Result<Value, Verdict> {
        let mut out = Map::new();
        if defaults {
            out.insert("apiKey".into(), json!(self.creds.api_key));
            out.insert("Tid".into(), json!(self.creds.tid));
            out.insert("initiator".into(), json!("gptom-conformance"));
            out.insert("title".into(), json!(self.scenario_id));
            if class == "TRANSACTION" {
                out.insert("transactionOperation".into(), json!("SALE"));
                out.insert("transactionType".into(), json!("CARD"));
            }
        }
        for (k, v) in body {
            if v.is_null() && defaults {
                out.shift_remove(k);
            } else {
                let v = substitute_value(v, &self.vars).map_err(Verdict::Errored)?;
                out.insert(k.clone(), v);
            }
        }
        Ok(Value::Object(out))
    }

    async fn token(&mut self, t: &TokenStep, r: &mut StepResult) -> StepOutcome {
        let v = |o: &Option<String>, vars: &Vars| o.as_deref().map(|s| sub(s, vars)).transpose();
        let mut form: Vec<(String, String)> = Vec::new();
        let grant_type = match (&t.grant_type, t.grant) {
            (Some(g), _) => sub(g, &self.vars)?,
            (None, Grant::Password) => "password".to_owned(),
            (None, Grant::Refresh) => "refresh_token".to_owned(),
        };
        form.push(("grant_type".into(), grant_type));
        match t.grant {
            Grant::Password => {
                let user = v(&t.user, &self.vars)?;
                let tid = v(&t.tid, &self.vars)?;
                let tid = match (&user, tid) {
                    (_, Some(tid)) => Some(tid),
                    (None, None) => Some(self.creds.tid.clone()),
                    (Some(_), None) => None,
                };
                let password =
                    v(&t.password, &self.vars)?.unwrap_or_else(|| self.creds.password.clone());
                form.push((
                    "username".into(),
                    user.unwrap_or_else(|| self.creds.username.clone()),
                ));
                form.push(("password".into(), password));
                if let Some(tid) = tid {
                    form.push(("tid".into(), tid));
                }
            }
            Grant::Refresh => {
                let token = match &t.refresh_token {
                    Some(s) => sub(s, &self.vars)?,
                    None => sub("{{refresh_token}}", &self.vars)?,
                };
                form.push(("refresh_token".into(), token));
            }
        }
        let path = match (&t.path, t.grant) {
            (Some(p), _) => sub(p, &self.vars)?,
            (None, Grant::Password) => "/cloud/oauth/token".to_owned(),
            (None, Grant::Refresh) => "/api/oauth/token".to_owned(),
        };
        let client = v(&t.client, &self.vars)?.unwrap_or_else(|| self.creds.client.clone());
        let basic = base64::engine::general_purpose::STANDARD.encode(client);
        let headers = vec![("authorization".to_owned(), format!("Basic {basic}"))];
        let resp = self
            .send(r, "POST", &path, headers, Body::Form(form))
            .await?;
        let implicit: &[(&str, &str)] = if t.store {
            &[
                ("access_token", "access_token"),
                ("refresh_token", "refresh_token"),
            ]
        } else {
            &[]
        };
        self.finish(r, &resp, &t.expect, &t.capture, implicit)
    }

    async fn poll(&mut self, p: &PollTask, r: &mut StepResult) -> StepOutcome {
        let bearer = self.bearer(p.token.as_deref())?;
        let id = sub(&p.task, &self.vars)?;
        let path = format!("/v1/tasks/{id}");
        let mut repeat = Repeat::new(p.interval, p.timeout, self.target.manual_clock());
        let mut seen: Vec<String> = Vec::new();
        let resp = loop {
            let headers = vec![("authorization".to_owned(), format!("Bearer {bearer}"))];
            let mut scratch = StepResult {
                exchanges: Vec::new(),
                ..r.clone()
            };
            let resp = self
                .send(&mut scratch, "GET", &path, headers, Body::None)
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
            let done = if p.until == "final" {
                mock_server::contract::status::is_final(&status)
            } else {
                status == p.until
            };
            if done {
                break resp;
            }
            if !repeat.can_wait() {
                r.notes.push(poll_note(&repeat, &seen));
                return Err(Verdict::Failed(format!(
                    "task still {status} after {}s (until {})",
                    repeat.waited(),
                    p.until
                )));
            }
            repeat.wait(self).await?;
        };
        r.notes.push(poll_note(&repeat, &seen));
        if let Some(expected) = &p.statuses {
            // The embedded mock's clock moves exactly by the interval, so every status is seen. Elsewhere time
            // passes at its own pace and a poll may miss a short status: the ones seen must keep the order.
            let (ok, how) = if self.target.is_embedded() {
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
        self.finish(
            r,
            &resp,
            &p.expect,
            &p.capture,
            &[("contextId", "contextId")],
        )
    }

    async fn raw(&mut self, q: &RawRequest, r: &mut StepResult) -> StepOutcome {
        let path = sub(&q.path, &self.vars)?;
        let mut headers = Vec::new();
        for (k, v) in &q.headers {
            let v = substitute_value(v, &self.vars).map_err(Verdict::Errored)?;
            headers.push((k.to_ascii_lowercase(), as_text(&v)));
        }
        let body = if let Some(j) = &q.json {
            Body::Json(substitute_value(j, &self.vars).map_err(Verdict::Errored)?)
        } else if let Some(f) = &q.form {
            let mut pairs = Vec::new();
            for (k, v) in f {
                let v = substitute_value(v, &self.vars).map_err(Verdict::Errored)?;
                pairs.push((k.clone(), as_text(&v)));
            }
            Body::Form(pairs)
        } else if let Some(raw) = &q.raw {
            Body::Raw(sub(raw, &self.vars)?)
        } else if let Some(n) = q.body_size {
            let fill = n.saturating_sub(r#"{"pad":""}"#.len());
            let text = format!(r#"{{"pad":"{}"}}"#, "x".repeat(fill));
            if !headers.iter().any(|(k, _)| k == "content-type") {
                headers.push(("content-type".into(), "application/json".into()));
            }
            Body::Raw(text)
        } else {
            Body::None
        };
        let method = q.method.to_ascii_uppercase();
        let resp = self.send(r, &method, &path, headers, body).await?;
        self.finish(r, &resp, &q.expect, &q.capture, &[])
    }

    /// Lets `seconds` pass within a wait of at most `bound` seconds of which `waited` are gone: on a manual
    /// clock the runner moves it (returns the mock's new time); on a real clock it waits (never moving a clock
    /// other users share) and says so to whoever watches.
    pub(super) async fn pass_time(
        &self,
        seconds: f64,
        bound: f64,
    ) -> Result<Option<String>, Verdict> {
        self.pass_time_from(seconds, 0.0, bound).await
    }

    /// [`Ctx::pass_time`] inside a poll that has already waited `waited` seconds.
    pub(super) async fn wait(&self, seconds: f64, waited: f64, bound: f64) -> Result<(), Verdict> {
        self.pass_time_from(seconds, waited, bound)
            .await
            .map(|_| ())
    }

    async fn pass_time_from(
        &self,
        seconds: f64,
        waited: f64,
        bound: f64,
    ) -> Result<Option<String>, Verdict> {
        if self.target.manual_clock() {
            let now = self
                .admin_call(
                    "POST",
                    path::CLOCK_ADVANCE,
                    to_json(&AdvanceBody { seconds })?,
                )
                .await?;
            return Ok(Some(now.get("now").map(as_text).unwrap_or_default()));
        }
        self.clock.notify(&super::Wait {
            scenario: self.scenario_id,
            step: self.at.0,
            kind: self.at.1,
            seconds,
            waited,
            bound,
        });
        self.clock
            .pacer
            .pass(Duration::from_secs_f64(seconds))
            .await;
        Ok(None)
    }

    /// A mock-only admin call that must succeed; its reply is returned.
    pub(super) async fn admin_call(
        &self,
        method: &str,
        path: &str,
        body: Value,
    ) -> Result<Value, Verdict> {
        let body = (!body.is_null()).then_some(&body);
        let (status, reply) = self
            .target
            .admin(self.client)
            .call(method, path, body)
            .await
            .map_err(Verdict::Errored)?;
        if !(200..300).contains(&status) {
            return Err(Verdict::Failed(format!(
                "{method} {path} answered {status}: {reply}"
            )));
        }
        Ok(reply)
    }

    /// Sends one request and records the exchange.
    async fn send(
        &mut self,
        r: &mut StepResult,
        method: &str,
        path: &str,
        mut headers: Vec<(String, String)>,
        body: Body,
    ) -> Result<Response, Verdict> {
        let url = format!("{}{path}", self.target.base_url());
        let m = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| Verdict::Errored(format!("bad HTTP method {method:?}")))?;
        let has_ct = headers.iter().any(|(k, _)| k == "content-type");
        let (bytes, shown) = match body {
            Body::None => (None, None),
            Body::Json(v) => {
                if !has_ct {
                    headers.push(("content-type".into(), "application/json".into()));
                }
                let text = serde_json::to_string(&v).unwrap_or_default();
                let mut shown = v;
                mock_server::journal::hide_secrets_as(&mut shown, "REDACTED");
                let shown = serde_json::to_string_pretty(&shown).unwrap_or_default();
                (Some(text), Some(shown))
            }
            Body::Form(pairs) => {
                if !has_ct {
                    headers.push((
                        "content-type".into(),
                        "application/x-www-form-urlencoded".into(),
                    ));
                }
                let text = serde_urlencoded::to_string(&pairs).unwrap_or_default();
                let shown_pairs: Vec<(String, String)> = pairs
                    .iter()
                    .map(|(k, v)| {
                        let v = if k == "password" {
                            "REDACTED".to_owned()
                        } else {
                            v.clone()
                        };
                        (k.clone(), v)
                    })
                    .collect();
                let shown = serde_urlencoded::to_string(&shown_pairs).unwrap_or_default();
                (Some(text), Some(shown))
            }
            Body::Raw(text) => {
                let shown = if text.len() > 2048 {
                    format!("({} bytes: {}…)", text.len(), &text[..40.min(text.len())])
                } else {
                    text.clone()
                };
                (Some(text), Some(shown))
            }
        };
        let mut map = HeaderMap::new();
        for (k, v) in &headers {
            let name = HeaderName::from_bytes(k.as_bytes())
                .map_err(|_| Verdict::Errored(format!("bad header name {k:?}")))?;
            let value = HeaderValue::from_str(v)
                .map_err(|_| Verdict::Errored(format!("bad header value for {k}")))?;
            map.append(name, value);
        }
        // A protected mock's admin calls carry its token; the transcript does not show it.
        if let Some(token) = self.target.admin_token()
            && path.starts_with(crate::admin::path::PREFIX)
            && !map.contains_key(reqwest::header::AUTHORIZATION)
            && let Ok(v) = HeaderValue::from_str(&format!("Bearer {token}"))
        {
            map.insert(reqwest::header::AUTHORIZATION, v);
        }
        let mut req = self.client.request(m, &url).headers(map);
        if let Some(b) = bytes {
            req = req.body(b);
        }
        let t0 = Instant::now();
        let again = req.try_clone();
        let mut sent = req.send().await;
        // A pooled connection the server closed while it sat idle fails before any answer: an idempotent
        // request is sent once more (on another connection; the dead one has left the pool).
        if let (Err(e), Some(again)) = (&sent, again)
            && self.retry_stale
            && idempotent(method)
            && stale(e)
        {
            r.notes.push(format!(
                "{method} {path}: retried once on a fresh connection ({})",
                root_cause(e)
            ));
            sent = again.send().await;
        }
        let elapsed_ms = millis(t0.elapsed());
        let mut x = Exchange {
            method: method.to_owned(),
            path: path.to_owned(),
            request_headers: headers,
            request_body: shown,
            status: 0,
            error: None,
            response_headers: Vec::new(),
            response_body: String::new(),
            pending: None,
            elapsed_ms,
        };
        let no_response = |x: Exchange, r: &mut StepResult, e: &reqwest::Error, what: &str| {
            let resp = Response {
                status: x.status,
                headers: HeaderMap::new(),
                json: None,
                elapsed_ms,
                transport_error: Some(format!("{method} {url}: {what}{}", error_chain(e))),
            };
            r.exchanges.push(Exchange {
                error: Some(root_cause(e)),
                ..x
            });
            Ok(resp)
        };
        let resp = match sent {
            Ok(resp) => resp,
            Err(e) => return no_response(x, r, &e, ""),
        };
        let status = resp.status().as_u16();
        let resp_headers = resp.headers().clone();
        x.status = status;
        let text = match resp.text().await {
            Ok(t) => t,
            Err(e) => return no_response(x, r, &e, "reading the body: "),
        };
        let json: Option<Value> = serde_json::from_str(&text).ok();
        for name in ["content-type", "www-authenticate", "allow"] {
            if let Some(v) = resp_headers.get(name).and_then(|v| v.to_str().ok()) {
                x.response_headers.push((name.to_owned(), v.to_owned()));
            }
        }
        x.response_body = match &json {
            Some(v) => serde_json::to_string_pretty(v).unwrap_or_default(),
            None => text,
        };
        r.exchanges.push(x);
        Ok(Response {
            status,
            headers: resp_headers,
            json,
            elapsed_ms,
            transport_error: None,
        })
    }

    /// Runs the checks of `expect`, then explicit and implicit captures.
    fn finish(
        &mut self,
        r: &mut StepResult,
        resp: &Response,
        expect: &Expect,
        capture: &Map<String, Value>,
        implicit: &[(&str, &str)],
    ) -> StepOutcome {
        if expect.transport_error {
            r.checks.push(assert::transport_error(
                resp.transport_error.is_some(),
                resp.status,
            ));
            return Ok(()); // nothing to capture from a response that did not come
        }
        if let Some(why) = &resp.transport_error {
            return Err(Verdict::Errored(why.clone()));
        }
        r.checks
            .push(assert::status(expect.status.unwrap_or(200), resp.status));
        for (name, want) in &expect.headers {
            let want = substitute_value(want, &self.vars).map_err(Verdict::Errored)?;
            let got = resp
                .headers
                .get(name.as_str())
                .and_then(|v| v.to_str().ok());
            r.checks.push(assert::header(name, &want, got));
        }
        for c in &expect.json {
            r.checks
                .extend(assert::json(c, resp.json.as_ref(), &self.vars));
        }
        if let Some(max) = expect.max_ms {
            r.checks.push(assert::time(max, resp.elapsed_ms));
        }
        if r.checks.iter().any(|c| !c.ok) {
            return Ok(()); // the caller turns the first failed check into the verdict
        }
        for (name, path) in capture {
            let path = path.as_str().unwrap_or_default();
            match resp.json.as_ref().and_then(|j| assert::lookup(j, path)) {
                Some(v) => {
                    self.vars.insert(name.clone(), v.clone());
                }
                None => {
                    return Err(Verdict::Failed(format!(
                        "capture {name}: {path} is not in the response"
                    )));
                }
            }
        }
        if (200..300).contains(&resp.status) {
            for (name, path) in implicit {
                if let Some(v) = resp.json.as_ref().and_then(|j| assert::lookup(j, path)) {
                    self.vars.insert((*name).to_owned(), v.clone());
                }
            }
        }
        Ok(())
    }
}

/// Methods whose repetition changes nothing on the server.
fn idempotent(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS")
}

/// Whether the request died on a connection the server had already closed: no status came, and the cause is
/// the peer's close or reset (not a refused connection or a timeout).
fn stale(e: &reqwest::Error) -> bool {
    if e.is_connect() || e.is_timeout() || e.status().is_some() {
        return false;
    }
    let cause = root_cause(e).to_ascii_lowercase();
    [
        "connection closed",
        "connection reset",
        "broken pipe",
        "unexpected eof",
    ]
    .iter()
    .any(|c| cause.contains(c))
}

/// The innermost cause of a transport error: stable text without the URL (`connection closed before message
/// completed`, `Connection refused (os error 111)`).
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// The journal reply as one line per entry (plus one per warning), for the transcript.
fn journal_lines(body: &Value) -> String {
    let Some(entries) = body.get("entries").and_then(Value::as_array) else {
        return serde_json::to_string_pretty(body).unwrap_or_default();
    };
    let text = |e: &Value, k: &str| e.get(k).filter(|v| !v.is_null()).map(as_text);
    let mut out = format!("{} journal entries", entries.len());
    for e in entries {
        let mut line = format!(
            "\n#{} {} {} {}",
            text(e, "seq").unwrap_or_default(),
            text(e, "time").unwrap_or_default(),
            text(e, "method").unwrap_or_default(),
            text(e, "path").unwrap_or_default(),
        );
        if let Some(q) = text(e, "query") {
            line.push('?');
            line.push_str(&q);
        }
        match text(e, "status").as_deref() {
            Some("0") => line.push_str(" -> dropped"),
            Some(s) => {
                line.push_str(" -> ");
                line.push_str(s);
            }
            None => {}
        }
        for (key, label) in [
            ("taskId", "task"),
            ("taskStatus", "status"),
            ("tid", "tid"),
            ("fault", "fault"),
        ] {
            if let Some(v) = text(e, key) {
                line.push_str(&format!(" {label}={v}"));
            }
        }
        out.push_str(&line);
        for w in e
            .get("warnings")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            out.push_str(&format!("\n   warning: {}", as_text(w)));
        }
    }
    out
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

/// An admin body as the JSON the call sends.
fn to_json(body: &impl serde::Serialize) -> Result<Value, Verdict> {
    serde_json::to_value(body).map_err(|e| Verdict::Errored(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_reach_a_transcript() {
        let mut v = json!({"url": "gptom://login?username=a@b&password=p%26w&tid=1", "password": "x",
                           "nested": [{"newPass": "y", "ok": "password-less"}]});
        mock_server::journal::hide_secrets_as(&mut v, "REDACTED");
        assert_eq!(
            v,
            json!({"url": "gptom://login?username=a@b&password=REDACTED&tid=1", "password": "REDACTED",
                   "nested": [{"newPass": "REDACTED", "ok": "password-less"}]})
        );
        let mut first = json!("gptom://change-password?password=a&newPassword=b");
        mock_server::journal::hide_secrets_as(&mut first, "REDACTED");
        assert_eq!(
            first,
            json!("gptom://change-password?password=REDACTED&newPassword=REDACTED")
        );
    }

    #[test]
    fn journal_entries_become_one_line_each() {
        let body = json!({"entries": [
            {"seq": 2, "time": "T", "method": "POST", "path": "/v1/tasks/TRANSACTION", "query": null,
             "status": 0, "taskId": null, "tid": "999888", "taskStatus": null, "fault": "f1",
             "warnings": ["body has \"tid\""]},
            {"seq": 3, "time": "T", "method": "GET", "path": "/v1/tasks/abc", "query": "x=1", "status": 200,
             "taskId": "abc", "tid": "999888", "taskStatus": "COMPLETED", "fault": null, "warnings": []}
        ]});
        assert_eq!(
            journal_lines(&body),
            "2 journal entries\n\
             #2 T POST /v1/tasks/TRANSACTION -> dropped tid=999888 fault=f1\n   warning: body has \"tid\"\n\
             #3 T GET /v1/tasks/abc?x=1 -> 200 task=abc status=COMPLETED tid=999888"
        );
    }
}
