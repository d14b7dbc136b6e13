//! The admin API of a gptom-mock (`/__admin/*`, not part of GP tom): every path the tools use is built here,
//! and [`AdminApi`] sends the calls with the admin token. Bodies are the mock's own contract types
//! (`mock_server::contract::admin`), so the runner cannot drift from what the mock reads.

use serde::Serialize;
use serde_json::Value;

use crate::sandbox::{Sandbox, Way};
use crate::target::error_chain;

/// The admin paths.
pub mod path {
    /// What every admin path starts with.
    pub const PREFIX: &str = "/__admin";
    /// `POST`: a new sandbox; `DELETE {SANDBOXES}/{id}`: removes it.
    pub const SANDBOXES: &str = "/__admin/sandboxes";
    /// `GET`: liveness, name, version, seed.
    pub const HEALTH: &str = "/__admin/health";
    /// `GET`: the mock clock and its mode.
    pub const CLOCK: &str = "/__admin/clock";
    /// `POST`: move the mock clock forward.
    pub const CLOCK_ADVANCE: &str = "/__admin/clock/advance";
    /// `POST`: clear state (all, or one TID).
    pub const RESET: &str = "/__admin/reset";
    /// `POST` a rule, `GET` them, `DELETE` them all.
    pub const FAULTS: &str = "/__admin/faults";

    /// `DELETE`: one fault rule.
    pub fn fault(id: &str) -> String {
        format!("{FAULTS}/{id}")
    }

    /// `PUT`: the outcome of a TID's next tasks.
    pub fn next_outcome(tid: &str) -> String {
        format!("{}/next-outcome", terminal(tid))
    }

    /// `PATCH`: a terminal's reachability, mode, latency.
    pub fn terminal(tid: &str) -> String {
        format!("/__admin/terminals/{tid}")
    }

    /// `POST`: the operator cancels a task on the device.
    pub fn cancel_task(id: &str) -> String {
        format!("/__admin/tasks/{id}/cancel")
    }

    /// `GET`: the state of one terminal.
    pub fn state(tid: &str) -> String {
        with_query("/__admin/state", &[("tid", tid)])
    }

    /// `GET` (`DELETE` without a query): the journal, filtered by `query` (`tid`, `path`, `since`, `after`,
    /// `limit`).
    pub fn journal(query: &[(&str, &str)]) -> String {
        with_query("/__admin/journal", query)
    }

    fn with_query(path: &str, query: &[(&str, &str)]) -> String {
        if query.is_empty() {
            return path.to_owned();
        }
        format!(
            "{path}?{}",
            serde_urlencoded::to_string(query).unwrap_or_default()
        )
    }
}

/// A gptom-mock's admin API at a base URL.
#[derive(Debug, Clone, Copy)]
pub struct AdminApi<'a> {
    client: &'a reqwest::Client,
    base: &'a str,
    token: Option<&'a str>,
    sandbox: Option<&'a Sandbox>,
}

impl<'a> AdminApi<'a> {
    /// The admin API of the mock at `base` (`token`: its `--admin-token`, if it has one).
    pub fn new(client: &'a reqwest::Client, base: &'a str, token: Option<&'a str>) -> Self {
        Self {
            client,
            base: base.trim_end_matches('/'),
            token,
            sandbox: None,
        }
    }

    /// The same API, for a run in `sandbox`: its calls carry the sandbox's header and values.
    pub fn in_sandbox(self, sandbox: Option<&'a Sandbox>) -> Self {
        Self { sandbox, ..self }
    }

    /// A request to `path`, with the token.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let path = self
            .sandbox
            .map_or_else(|| path.to_owned(), |s| s.path(path));
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = self.token {
            req = req.bearer_auth(t);
        }
        if let Some(s) = self.sandbox {
            req = req.header(crate::sandbox::HEADER, &s.id);
        }
        req
    }

    /// One call: its status and JSON reply (`null` when the reply is not JSON). An error only when the mock
    /// did not answer.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> Result<(u16, Value), String> {
        let m = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
        let mut req = self.request(m, path);
        if let Some(body) = body {
            let mut value = serde_json::to_value(body).map_err(|e| e.to_string())?;
            if let Some(s) = self.sandbox {
                s.json(&mut value, Way::Out);
            }
            req = req
                .header("content-type", "application/json")
                .body(value.to_string());
        }
        let resp = req
            .send()
            .await
            .map_err(|e| format!("{method} {}{path}: {}", self.base, error_chain(&e)))?;
        let status = resp.status().as_u16();
        let mut reply = resp.json().await.unwrap_or(Value::Null);
        if let Some(s) = self.sandbox {
            s.json(&mut reply, Way::Back);
        }
        Ok((status, reply))
    }

    /// A call that must succeed: its JSON reply, or what went wrong (`PUT /__admin/… answered 400: {…}`).
    pub async fn ok(
        &self,
        method: &str,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> Result<Value, String> {
        match self.call(method, path, body).await? {
            (200..=299, reply) => Ok(reply),
            (status, reply) => Err(refused(method, path, status, &reply)),
        }
    }

    /// A call about something that may not be there: its JSON reply, `None` on 404, or what went wrong.
    pub async fn found(
        &self,
        method: &str,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> Result<Option<Value>, String> {
        match self.call(method, path, body).await? {
            (200..=299, reply) => Ok(Some(reply)),
            (404, _) => Ok(None),
            (status, reply) => Err(refused(method, path, status, &reply)),
        }
    }
}

/// What a refused admin call says: `PUT /__admin/… answered 400: {…}`.
fn refused(method: &str, path: &str, status: u16, reply: &Value) -> String {
    format!("{method} {path} answered {status}: {reply}")
}

/// No body.
pub const NO_BODY: Option<&()> = None;
