//! The mock-only steps, over the gptom-mock admin API: `set_outcome`, `set_terminal`, `cancel_task`, `reset`,
//! `add_fault`, `remove_faults`, `get_journal`, `get_state`. Against a target without that API a section
//! holding one is skipped, or (`run --interactive`) a person at the terminal does what the prompt says.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

use mock_server::contract::admin::{NextOutcomeBody, PatchTerminalBody, ResetBody};

use super::ctx::{Body, Ctx, StepOutcome, sub, to_json};
use super::{Kind, Run, Uses, answered, default_task};
use crate::admin::path;
use crate::result::{StepResult, Verdict};
use crate::runner::operator::{OUTCOME_AMOUNTS, major};
use crate::scenario::vars::{as_text, substitute_value};
use crate::scenario::{Expect, FaultAction, FaultMatch, FaultSpec, Need, TerminalMode};

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

/// The terminal a step names, or the target's (for a prompt).
fn on(tid: &Option<String>, default: &str) -> String {
    tid.clone().unwrap_or_else(|| default.to_owned())
}

impl Kind for SetOutcome {
    fn needs(&self) -> Option<Need> {
        Some(Need::Admin)
    }
    fn uses<'a>(&'a self, uses: &mut Uses<'a>) {
        uses.opt(&self.tid);
    }
    fn tids(&self) -> Vec<&str> {
        self.tid.as_deref().into_iter().collect()
    }
    fn prompt(&self, tid: &str) -> Option<String> {
        let times = match self.count {
            Some(n) if n > 1 => format!(" (the next {n} payments)"),
            _ => String::new(),
        };
        Some(
            match OUTCOME_AMOUNTS
                .iter()
                .find(|(name, _, _)| *name == self.outcome)
            {
                Some((_, amount, what)) => format!(
                    "Enter amount {} on terminal {} so that it is {what}{times}, then press Enter",
                    major(*amount),
                    on(&self.tid, tid)
                ),
                None => format!(
                    "Arrange for the next payment on terminal {} to end as {:?}{times}, then press Enter",
                    on(&self.tid, tid),
                    self.outcome
                ),
            },
        )
    }
}

impl Run for SetOutcome {
    async fn run(&self, ctx: &mut Ctx<'_>, r: &mut StepResult) -> StepOutcome {
        let tid = ctx.tid_or_default(self.tid.as_deref())?;
        let body = NextOutcomeBody {
            outcome: self.outcome.clone(),
            count: self.count,
        };
        let reply = ctx
            .admin_call("PUT", &path::next_outcome(&tid), to_json(&body)?)
            .await?;
        r.notes.push(format!("next outcome on {tid}: {reply}"));
        Ok(())
    }
}

impl Kind for SetTerminal {
    fn needs(&self) -> Option<Need> {
        Some(Need::Admin)
    }
    fn uses<'a>(&'a self, uses: &mut Uses<'a>) {
        uses.opt(&self.tid);
    }
    fn tids(&self) -> Vec<&str> {
        self.tid.as_deref().into_iter().collect()
    }
    fn prompt(&self, tid: &str) -> Option<String> {
        let mut what = Vec::new();
        match self.reachable {
            Some(false) => what.push("switch the terminal off or take it offline".to_owned()),
            Some(true) => what.push("switch the terminal on and bring it online".to_owned()),
            None => {}
        }
        if let Some(m) = &self.mode {
            what.push(format!("put it in {m} mode"));
        }
        if let Some(l) = &self.latency {
            what.push(format!("expect {l} response times"));
        }
        if what.is_empty() {
            return None;
        }
        Some(format!(
            "On terminal {}: {}, then press Enter",
            on(&self.tid, tid),
            what.join(", ")
        ))
    }
}

impl Run for SetTerminal {
    async fn run(&self, ctx: &mut Ctx<'_>, r: &mut StepResult) -> StepOutcome {
        let tid = ctx.tid_or_default(self.tid.as_deref())?;
        let body = PatchTerminalBody {
            reachable: self.reachable,
            mode: self.mode,
            latency: self.latency.clone(),
        };
        let reply = ctx
            .admin_call("PATCH", &path::terminal(&tid), to_json(&body)?)
            .await?;
        r.notes.push(format!("terminal {tid}: {reply}"));
        Ok(())
    }
}

impl Kind for CancelTask {
    fn needs(&self) -> Option<Need> {
        Some(Need::Admin)
    }
    fn uses<'a>(&'a self, uses: &mut Uses<'a>) {
        uses.text(&self.task);
    }
    answered!();
    fn implicit_captures(&self) -> &'static [&'static str] {
        &["contextId"]
    }
    fn prompt(&self, _tid: &str) -> Option<String> {
        Some(
            "Cancel the running payment on the terminal (red key / Cancel), then press Enter"
                .to_owned(),
        )
    }
}

impl Run for CancelTask {
    async fn run(&self, ctx: &mut Ctx<'_>, r: &mut StepResult) -> StepOutcome {
        let id = sub(&self.task, &ctx.vars)?;
        let resp = ctx
            .send(r, "POST", &path::cancel_task(&id), Vec::new(), Body::None)
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

impl Kind for Reset {
    fn needs(&self) -> Option<Need> {
        Some(Need::Admin)
    }
    fn uses<'a>(&'a self, uses: &mut Uses<'a>) {
        uses.opt(&self.tid);
    }
    fn tids(&self) -> Vec<&str> {
        self.tid.as_deref().into_iter().collect()
    }
    fn prompt(&self, tid: &str) -> Option<String> {
        Some(format!(
            "Make sure terminal {} is idle (no payment pending, nothing on screen), then press Enter",
            on(&self.tid, tid)
        ))
    }
}

impl Run for Reset {
    async fn run(&self, ctx: &mut Ctx<'_>, r: &mut StepResult) -> StepOutcome {
        let body = ResetBody {
            tid: self.tid.as_ref().map(|t| sub(t, &ctx.vars)).transpose()?,
        };
        let reply = ctx.admin_call("POST", path::RESET, to_json(&body)?).await?;
        r.notes.push(format!("reset: {reply}"));
        Ok(())
    }
}

impl Kind for AddFault {
    fn needs(&self) -> Option<Need> {
        Some(Need::Admin)
    }
    fn uses<'a>(&'a self, uses: &mut Uses<'a>) {
        let m = &self.matches;
        for s in [&m.method, &m.path, &m.tid, &m.task_class] {
            uses.opt(s);
        }
        if let FaultAction::Respond(r) = &self.action {
            uses.text(&r.kind);
            uses.opt(&r.message);
        }
    }
    fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
    fn captures(&self) -> Option<&Map<String, Value>> {
        Some(&self.capture)
    }
    fn tids(&self) -> Vec<&str> {
        self.matches.tid.as_deref().into_iter().collect()
    }
    /// What the mock would reject with a 400, caught before anything is sent (the mock's own check).
    fn check(&self) -> Result<(), String> {
        self.rule().check().map_err(|(_, why)| why)
    }
    fn prompt(&self, _tid: &str) -> Option<String> {
        let target = match (&self.matches.method, &self.matches.path) {
            (Some(m), Some(p)) => format!("{m} {p}"),
            (None, Some(p)) => p.clone(),
            (Some(m), None) => format!("{m} requests"),
            (None, None) => "requests".to_owned(),
        };
        let action = self.action.by_hand();
        Some(format!(
            "Make the gateway {action} to {target}, then press Enter"
        ))
    }
}

impl Run for AddFault {
    async fn run(&self, ctx: &mut Ctx<'_>, r: &mut StepResult) -> StepOutcome {
        let rule = to_json(&self.rule())?;
        let rule = substitute_value(&rule, &ctx.vars).map_err(Verdict::Errored)?;
        let reply = ctx.admin_call("POST", path::FAULTS, rule.clone()).await?;
        let id = reply.get("id").map(as_text).unwrap_or_default();
        r.notes.push(format!("fault rule {id}: {rule}"));
        ctx.added_faults.push(id);
        ctx.capture_from(&reply, &self.capture)
    }
}

impl Kind for RemoveFaults {
    fn needs(&self) -> Option<Need> {
        Some(Need::Admin)
    }
    fn uses<'a>(&'a self, uses: &mut Uses<'a>) {
        uses.opt(&self.id);
    }
    fn prompt(&self, _tid: &str) -> Option<String> {
        Some(
            "Undo the failure you arranged (network back, gateway normal), then press Enter"
                .to_owned(),
        )
    }
}

impl Run for RemoveFaults {
    async fn run(&self, ctx: &mut Ctx<'_>, r: &mut StepResult) -> StepOutcome {
        let ids = match &self.id {
            Some(id) => vec![sub(id, &ctx.vars)?],
            // A shared mock keeps other users' rules: only this scenario's go.
            None if !ctx.target.is_embedded() => ctx.added_faults.clone(),
            None => {
                let reply = ctx.admin_call("DELETE", path::FAULTS, Value::Null).await?;
                let what = reply.get("deleted").map(as_text).unwrap_or_default();
                r.notes.push(format!("fault rules deleted: {what}"));
                return Ok(());
            }
        };
        for id in &ids {
            ctx.admin_call("DELETE", &path::fault(id), Value::Null)
                .await?;
        }
        ctx.added_faults.retain(|a| !ids.contains(a));
        r.notes
            .push(format!("fault rules deleted: {}", ids.join(", ")));
        Ok(())
    }
}

/// Reading the mock's journal is nothing a person at a terminal can do: no prompt.
impl Kind for GetJournal {
    fn needs(&self) -> Option<Need> {
        Some(Need::Admin)
    }
    fn uses<'a>(&'a self, uses: &mut Uses<'a>) {
        for s in [&self.tid, &self.path, &self.since] {
            uses.opt(s);
        }
    }
    answered!();
}

impl Run for GetJournal {
    async fn run(&self, ctx: &mut Ctx<'_>, r: &mut StepResult) -> StepOutcome {
        let mut query = Vec::new();
        for (key, value) in [
            ("tid", &self.tid),
            ("path", &self.path),
            ("since", &self.since),
        ] {
            if let Some(v) = value {
                query.push((key, sub(v, &ctx.vars)?));
            }
        }
        if let Some(seq) = ctx.journal_after {
            query.push(("after", seq.to_string()));
        }
        let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let resp = ctx
            .send(r, "GET", &path::journal(&query), Vec::new(), Body::None)
            .await?;
        if let (Some(x), Some(body)) = (r.exchanges.last_mut(), &resp.json) {
            x.response_body = journal_lines(body);
        }
        ctx.finish(r, &resp, &self.expect, &self.capture, &[])
    }
}

/// Reading the mock's state is nothing a person at a terminal can do: no prompt.
impl Kind for GetState {
    fn needs(&self) -> Option<Need> {
        Some(Need::Admin)
    }
    fn uses<'a>(&'a self, uses: &mut Uses<'a>) {
        uses.opt(&self.tid);
    }
    answered!();
    fn tids(&self) -> Vec<&str> {
        self.tid.as_deref().into_iter().collect()
    }
}

impl Run for GetState {
    async fn run(&self, ctx: &mut Ctx<'_>, r: &mut StepResult) -> StepOutcome {
        let tid = ctx.tid_or_default(self.tid.as_deref())?;
        let resp = ctx
            .send(r, "GET", &path::state(&tid), Vec::new(), Body::None)
            .await?;
        ctx.finish(r, &resp, &self.expect, &self.capture, &[])
    }
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

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
