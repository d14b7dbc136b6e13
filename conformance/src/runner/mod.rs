//! Steps → [`StepResult`]s, scenarios → [`ScenarioResult`]s, in parallel (`--jobs`). Everything goes over HTTP,
//! to the embedded mock as to a remote gateway. Never prints, never exits; the only file I/O is the scenario's
//! `.snap` (read to compare, written in accept mode).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::result::{ScenarioResult, SnapshotStatus, StepResult, Verdict};
use crate::scenario::Scenario;
use crate::scenario::vars::Vars;
use crate::target::{Credentials, Target, TargetSpec, error_chain, http_client};
use crate::transcript;

pub mod operator;
mod steps;
use operator::{Answer, Operator};
use steps::Ctx;

/// What to do with `<ID>.snap` files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotMode {
    /// Compare; a difference fails the scenario.
    Compare,
    /// Write the new transcript (`snapshots accept`, `run --accept`).
    Accept,
    /// Do not touch them (tests compare with insta themselves).
    Ignore,
}

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Embedded mock or a remote URL.
    pub target: TargetSpec,
    /// Default credentials for the steps.
    pub credentials: Credentials,
    /// Scenarios run at once (embedded only; a remote mock with an admin API runs one at a time).
    pub jobs: usize,
    /// Snapshot handling.
    pub snapshots: SnapshotMode,
    /// Stop after the first scenario that fails or errors: scenarios still running are cancelled, the rest
    /// are not started; both come back `Skipped` with the reason.
    pub fail_fast: bool,
    /// `--interactive`: against a target without the admin API, mock-only steps become prompts to this
    /// operator instead of being skipped (scenarios then run one at a time).
    pub operator: Option<Arc<Operator>>,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            target: TargetSpec::Embedded,
            credentials: Credentials::default(),
            jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
            snapshots: SnapshotMode::Compare,
            fail_fast: false,
            operator: None,
        }
    }
}

/// Runs `scenarios` and returns one result each, in the given order.
pub async fn run(scenarios: &[Arc<Scenario>], opts: &RunOptions) -> Vec<ScenarioResult> {
    run_with_progress(scenarios, opts, |_| {}).await
}

/// Like [`run`], calling `on_done` with each result as soon as its scenario finishes (completion order, which
/// varies with `--jobs`); the returned list is in the given order whatever the timing.
pub async fn run_with_progress(
    scenarios: &[Arc<Scenario>],
    opts: &RunOptions,
    mut on_done: impl FnMut(&ScenarioResult),
) -> Vec<ScenarioResult> {
    let all_errored = |e: &str, on_done: &mut dyn FnMut(&ScenarioResult)| {
        let results: Vec<ScenarioResult> = scenarios.iter().map(|s| errored(s, e)).collect();
        for r in &results {
            on_done(r);
        }
        results
    };
    let client = match http_client() {
        Ok(c) => c,
        Err(e) => return all_errored(&e, &mut on_done),
    };
    let mut jobs = opts.jobs.max(1);
    let mut remote = None;
    if let TargetSpec::Remote(url) = &opts.target {
        match Target::remote(&client, url).await {
            Ok(t) => {
                if t.has_admin() || opts.operator.is_some() {
                    jobs = 1; // one shared clock and state (or one operator): scenarios must not interleave
                }
                remote = Some(Arc::new(t));
            }
            Err(e) => return all_errored(&e, &mut on_done),
        }
    }
    // Scenarios start in the given order, at most `jobs` at a time; results are taken as they finish. Under
    // --fail-fast nothing new starts once a result is bad (finished results are handled before new starts).
    let permits = Arc::new(Semaphore::new(jobs));
    let mut set = JoinSet::new();
    let mut index_of = HashMap::with_capacity(scenarios.len());
    let mut slots: Vec<Option<ScenarioResult>> = vec![None; scenarios.len()];
    let mut stopped_by: Option<String> = None;
    let mut next = 0;
    loop {
        let more = next < scenarios.len() && stopped_by.is_none();
        let joined = tokio::select! {
            biased;
            Some(joined) = set.join_next_with_id(), if !set.is_empty() => joined,
            permit = Arc::clone(&permits).acquire_owned(), if more => {
                let (sc, opts, client, remote) = (Arc::clone(&scenarios[next]), opts.clone(), client.clone(), remote.clone());
                let handle = set.spawn(async move {
                    let _permit = permit;
                    run_one(&sc, &opts, &client, remote.as_deref()).await
                });
                index_of.insert(handle.id(), next);
                next += 1;
                continue;
            }
            else => break,
        };
        let (i, result) = match joined {
            Ok((id, r)) => (index_of[&id], r),
            Err(e) if e.is_cancelled() => continue, // --fail-fast cancelled it; reported below
            Err(e) => {
                let i = index_of[&e.id()];
                (
                    i,
                    errored(&scenarios[i], &format!("the scenario task panicked: {e}")),
                )
            }
        };
        on_done(&result);
        let bad = matches!(result.verdict, Verdict::Failed(_) | Verdict::Errored(_));
        if opts.fail_fast && bad && stopped_by.is_none() {
            stopped_by = Some(result.id.clone());
            set.abort_all();
        }
        slots[i] = Some(result);
    }
    slots
        .into_iter()
        .zip(scenarios)
        .map(|(slot, s)| {
            slot.unwrap_or_else(|| {
                let mut r = errored(s, "");
                r.verdict = Verdict::Skipped(format!(
                    "not run: --fail-fast stopped the run after {} failed",
                    stopped_by.as_deref().unwrap_or("a scenario")
                ));
                r
            })
        })
        .collect()
}

/// Runs one scenario against a fresh embedded mock, without touching snapshots (what the tests call).
pub async fn run_embedded(scenario: &Scenario) -> ScenarioResult {
    let opts = RunOptions {
        snapshots: SnapshotMode::Ignore,
        ..RunOptions::default()
    };
    match http_client() {
        Ok(client) => run_one(scenario, &opts, &client, None).await,
        Err(e) => errored(scenario, &e),
    }
}

fn errored(s: &Scenario, reason: &str) -> ScenarioResult {
    ScenarioResult {
        id: s.id().to_owned(),
        title: s.title.clone(),
        file: s.file.display().to_string(),
        tags: s.tags.clone(),
        verdict: Verdict::Errored(reason.to_owned()),
        steps: Vec::new(),
        snapshot: SnapshotStatus::NotCompared,
        transcript: String::new(),
        duration_ms: 0,
    }
}

async fn run_one(
    s: &Scenario,
    opts: &RunOptions,
    client: &reqwest::Client,
    remote: Option<&Target>,
) -> ScenarioResult {
    let started = Instant::now();
    let embedded;
    let target = match remote {
        Some(t) => {
            if !s.profile.is_empty() {
                let mut r = errored(s, "");
                r.verdict = Verdict::Skipped(format!(
                    "needs mock profile {:?}, which a remote target's admin API cannot switch",
                    s.profile
                ));
                return r;
            }
            if t.has_admin()
                && let Err(e) = prepare_remote_mock(client, t, s.latency.as_str()).await
            {
                return errored(s, &e);
            }
            t
        }
        None => {
            let profiles: Vec<&str> = s.profile.iter().map(|p| p.as_str()).collect();
            match Target::embedded(s.latency.as_str(), &profiles.join(",")).await {
                Ok(t) => {
                    embedded = t;
                    &embedded
                }
                Err(e) => return errored(s, &e),
            }
        }
    };
    let mut ctx = Ctx {
        client,
        target,
        creds: &opts.credentials,
        scenario_id: s.id(),
        vars: initial_vars(s, &opts.credentials),
    };
    let mut steps = Vec::new();
    let mut verdict = Verdict::Passed;
    for (i, spanned) in s.steps.iter().enumerate() {
        let step = &spanned.value;
        let t0 = Instant::now();
        let mut r = StepResult {
            index: i + 1,
            kind: step.kind().to_owned(),
            name: step.name().map(str::to_owned),
            verdict: Verdict::Passed,
            notes: Vec::new(),
            exchanges: Vec::new(),
            checks: Vec::new(),
            duration_ms: 0,
        };
        if step.is_mock_only() && !target.has_admin() {
            r.verdict = match (
                &opts.operator,
                operator::prompt_for(step, &opts.credentials.tid),
            ) {
                (Some(op), Some(prompt)) => ask(op, s.id(), prompt, &mut r).await,
                _ => Verdict::Skipped(
                    "mock-only step: the target has no gptom-mock admin API (/__admin/health)"
                        .to_owned(),
                ),
            };
        } else if let Err(e) = ctx.step(step, &mut r).await {
            r.verdict = e;
        } else if let Some(c) = r.checks.iter().find(|c| !c.ok) {
            r.verdict = Verdict::Failed(format!(
                "{}: expected {}, got {}",
                c.what, c.expected, c.actual
            ));
        }
        r.duration_ms = millis(t0.elapsed());
        let stop = match &r.verdict {
            Verdict::Failed(why) => {
                verdict = Verdict::Failed(format!("step {} {}: {why}", r.index, r.kind));
                true
            }
            Verdict::Errored(why) => {
                verdict = Verdict::Errored(format!("step {} {}: {why}", r.index, r.kind));
                true
            }
            _ => false,
        };
        steps.push(r);
        if stop {
            break;
        }
    }
    let text = transcript::transcript(s.id(), &s.title, &steps);
    let compare = matches!(target, Target::Embedded(_));
    let snap = transcript::snap_path(&s.file, s.id());
    let snapshot = match (opts.snapshots, compare, &verdict) {
        (SnapshotMode::Ignore, ..) | (SnapshotMode::Accept, false, _) => {
            SnapshotStatus::NotCompared
        }
        (SnapshotMode::Accept, true, Verdict::Passed) => {
            match transcript::write_snapshot(&snap, &s.file, &text) {
                Ok(()) => SnapshotStatus::Written,
                Err(e) => {
                    verdict = Verdict::Errored(format!("cannot write {}: {e}", snap.display()));
                    SnapshotStatus::NotCompared
                }
            }
        }
        (SnapshotMode::Compare, true, Verdict::Passed) => match transcript::read_snapshot(&snap) {
            Ok(Some(expected)) if transcript::same(&expected, &text) => SnapshotStatus::Matched,
            Ok(Some(expected)) => {
                let d = transcript::diff(&expected, &text, s.id());
                verdict = Verdict::Failed(format!(
                    "the transcript differs from {} (accept with `gptom-conformance snapshots accept --id {}`)",
                    snap.display(),
                    s.id()
                ));
                SnapshotStatus::Differs(d)
            }
            Ok(None) => {
                verdict = Verdict::Failed(format!(
                    "no snapshot {} yet: review the transcript, then `gptom-conformance snapshots accept --id {}`",
                    snap.display(),
                    s.id()
                ));
                SnapshotStatus::Missing
            }
            Err(e) => {
                verdict = Verdict::Errored(format!("cannot read {}: {e}", snap.display()));
                SnapshotStatus::NotCompared
            }
        },
        // a remote target: its values are its own, so only the shape must match the snapshot
        (SnapshotMode::Compare, false, Verdict::Passed) => match transcript::read_snapshot(&snap) {
            Ok(Some(expected)) => match transcript::shape_diff(&expected, &text, s.id()) {
                None => SnapshotStatus::ShapeMatched,
                Some(d) => {
                    verdict = Verdict::Failed(format!(
                        "the response shapes (requests, status codes, JSON keys and value types) differ from {}",
                        snap.display()
                    ));
                    SnapshotStatus::Differs(d)
                }
            },
            Ok(None) => SnapshotStatus::NotCompared, // nothing committed to compare with
            Err(e) => {
                verdict = Verdict::Errored(format!("cannot read {}: {e}", snap.display()));
                SnapshotStatus::NotCompared
            }
        },
        _ => SnapshotStatus::NotCompared,
    };
    ScenarioResult {
        id: s.id().to_owned(),
        title: s.title.clone(),
        file: s.file.display().to_string(),
        tags: s.tags.clone(),
        verdict,
        steps,
        snapshot,
        transcript: text,
        duration_ms: millis(started.elapsed()),
    }
}

/// Asks the operator to do a mock-only step by hand (on a blocking thread: the answer is a line of input).
async fn ask(op: &Arc<Operator>, scenario: &str, prompt: String, r: &mut StepResult) -> Verdict {
    let op = Arc::clone(op);
    let text = format!("{scenario}, step {} {}: {prompt}", r.index, r.kind);
    let answer = tokio::task::spawn_blocking(move || op.ask(&text))
        .await
        .unwrap_or(Answer::NoInput);
    match answer {
        Answer::Done => {
            r.notes.push(format!("operator: {prompt} (done)"));
            Verdict::Passed
        }
        Answer::Skip => Verdict::Skipped(format!("skipped by the operator: {prompt}")),
        Answer::NoInput => Verdict::Skipped(format!("no operator input (end of input): {prompt}")),
    }
}

pub(super) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn initial_vars(s: &Scenario, c: &Credentials) -> Vars {
    let mut vars = Vars::new();
    vars.insert("username".into(), json!(c.username));
    vars.insert("password".into(), json!(c.password));
    vars.insert("tid".into(), json!(c.tid));
    vars.insert("api_key".into(), json!(c.api_key));
    for (k, v) in &s.vars {
        vars.insert(k.clone(), v.clone());
    }
    vars
}

/// A remote gptom-mock before a scenario: reset, and every terminal on the scenario's latency profile.
async fn prepare_remote_mock(
    client: &reqwest::Client,
    target: &Target,
    latency: &str,
) -> Result<(), String> {
    admin(client, target, "POST", "/__admin/reset", json!({})).await?;
    let (_, state) = admin(client, target, "GET", "/__admin/state", Value::Null).await?;
    let tids = state
        .get("terminals")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| t.get("tid").and_then(Value::as_str));
    for tid in tids {
        let path = format!("/__admin/terminals/{tid}");
        let (status, reply) =
            admin(client, target, "PATCH", &path, json!({"latency": latency})).await?;
        if !(200..300).contains(&status) {
            return Err(format!("PATCH {path} answered {status}: {reply}"));
        }
    }
    Ok(())
}

/// One admin call; returns the status and the JSON reply (or `null`).
pub(super) async fn admin(
    client: &reqwest::Client,
    target: &Target,
    method: &str,
    path: &str,
    body: Value,
) -> Result<(u16, Value), String> {
    let url = format!("{}{path}", target.base_url());
    let m = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
    let mut req = client.request(m, &url);
    if !body.is_null() {
        req = req
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let resp = req
        .send()
        .await
        .map_err(|e| format!("{method} {url}: {}", error_chain(&e)))?;
    let status = resp.status().as_u16();
    let reply = resp.json().await.unwrap_or(Value::Null);
    Ok((status, reply))
}
