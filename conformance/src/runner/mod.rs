//! Steps → [`StepResult`]s, scenarios → [`ScenarioResult`]s, in parallel (`--jobs`). Everything goes over HTTP,
//! to the embedded mock as to a remote gateway. Never prints, never exits; the only file I/O is the scenario's
//! `.snap` (read to compare, written in accept mode).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::task::JoinSet;

use crate::result::{ScenarioResult, SnapshotStatus, StepResult, Verdict};
use crate::scenario::vars::Vars;
use crate::scenario::{Need, Scenario, Step};
use crate::target::{Credentials, ProbeError, Target, TargetSpec, http_client};
use crate::transcript;

mod house;
pub mod operator;
mod options;
mod sections;
mod snapshot;
pub use crate::result::{Wait, WaitNotice};
use crate::step::ctx::Ctx;
use crate::step::repeat;
use operator::{Answer, Operator};
pub use options::{DEFAULT_MAX_WAIT, Pacer, RunOptions, SnapshotMode, Waits};

/// Where a run goes: the HTTP client, and the remote target once probed (`None`: an embedded mock per
/// scenario).
pub struct Connected {
    client: reqwest::Client,
    remote: Option<Arc<Target>>,
}

impl Connected {
    /// What the target is and what the run will do to it.
    pub fn describe(&self) -> Option<String> {
        self.remote.as_ref().map(|t| t.describe())
    }

    /// The id of the sandbox the run took on a shared mock, if any.
    pub fn sandbox_id(&self) -> Option<&str> {
        self.remote
            .as_ref()
            .and_then(|t| t.sandbox())
            .map(|s| s.id.as_str())
    }

    /// Ends the run on the target: gives back its sandbox, if it took one.
    pub async fn release(&self) -> Result<(), String> {
        match &self.remote {
            Some(t) => t.release(&self.client).await,
            None => Ok(()),
        }
    }
}

/// Builds the client and probes a remote target (`GET /__admin/health`, with `--admin-token` if given).
pub async fn connect(opts: &RunOptions) -> Result<Connected, ProbeError> {
    let client = http_client(opts.ca.as_deref()).map_err(ProbeError::Unreachable)?;
    let remote = match &opts.target {
        TargetSpec::Embedded => None,
        TargetSpec::Remote(url) => Some(Arc::new(
            Target::remote(&client, url, opts.admin_token.as_deref(), opts.sandbox).await?,
        )),
    };
    Ok(Connected { client, remote })
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
    match connect(opts).await {
        Ok(c) => {
            let results = run_connected(&c, scenarios, opts, &mut on_done).await;
            // a sandbox that cannot be given back is clutter on the mock, not a result (the CLI says so)
            let _ = c.release().await;
            results
        }
        Err(e) => {
            let e = e.to_string();
            let results: Vec<ScenarioResult> = scenarios.iter().map(|s| errored(s, &e)).collect();
            for r in &results {
                on_done(r);
            }
            results
        }
    }
}

/// [`run_with_progress`] on a target already probed by [`connect`].
pub async fn run_connected(
    connected: &Connected,
    scenarios: &[Arc<Scenario>],
    opts: &RunOptions,
    mut on_done: impl FnMut(&ScenarioResult),
) -> Vec<ScenarioResult> {
    let client = connected.client.clone();
    let remote = connected.remote.clone();
    // A remote target is one set of terminals (and perhaps one operator): its scenarios must not interleave.
    let jobs = if remote.is_some() {
        1
    } else {
        opts.jobs.max(1)
    };
    // Scenarios start in the given order, at most `jobs` at a time; results are taken as they finish. Under
    // --fail-fast nothing new starts once a result is bad: results already in are handled before a start, and
    // a slot is free only once its result is handled (a permit dropped at the end of the task would free it
    // a moment before its result can be joined, and let the next scenario start after a failure).
    let mut set = JoinSet::new();
    let mut index_of = HashMap::with_capacity(scenarios.len());
    let mut slots: Vec<Option<ScenarioResult>> = vec![None; scenarios.len()];
    let mut stopped_by: Option<String> = None;
    let mut next = 0;
    loop {
        let joined = match set.try_join_next_with_id() {
            Some(joined) => joined,
            None if next < scenarios.len() && stopped_by.is_none() && set.len() < jobs => {
                let (sc, opts, client, remote) = (
                    Arc::clone(&scenarios[next]),
                    opts.clone(),
                    client.clone(),
                    remote.clone(),
                );
                let handle =
                    set.spawn(async move { run_one(&sc, &opts, &client, remote.as_deref()).await });
                index_of.insert(handle.id(), next);
                next += 1;
                continue;
            }
            None => match set.join_next_with_id().await {
                Some(joined) => joined,
                None => break,
            },
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
        let bad = !result.verdict.is_ok();
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
    match http_client(None) {
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
                    s.profile.iter().map(|p| p.as_str()).collect::<Vec<_>>()
                ));
                return r;
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
    let vars = initial_vars(s, &opts.credentials);
    // A remote mock with its admin API is shared: note what the scenario's terminals are like, and the
    // journal's end, so that both can be put back and read from there.
    let house = if remote.is_some() && target.has_admin() {
        match house::House::open(client, target, s, &vars).await {
            Ok(h) => Some(h),
            Err(e) => return errored(s, &e),
        }
    } else {
        None
    };
    let mut ctx = Ctx {
        client,
        target,
        creds: &opts.credentials,
        scenario_id: s.id(),
        vars,
        clock: &opts.waits,
        at: (0, ""),
        journal_after: house.as_ref().map(|h| h.journal_seq),
        added_faults: Vec::new(),
        retry_stale: true,
    };
    let (steps, mut verdict, skipped) = sections::run(&mut ctx, s, opts).await;
    if let Some(h) = house
        && let Err(e) = h.close(client, target, &ctx.added_faults).await
        && verdict.is_ok()
    {
        verdict = Verdict::Errored(format!("putting the target back as it was: {e}"));
    }
    if verdict == Verdict::Passed && !skipped.is_empty() {
        let ran = steps
            .iter()
            .any(|r| r.verdict == Verdict::Passed && r.kind != "section");
        let why = skipped.join("; ");
        verdict = if ran {
            Verdict::Partial(why)
        } else {
            Verdict::Skipped(why)
        };
    }
    let text = transcript::transcript(s.id(), &s.title, &steps);
    let (verdict, snapshot) = snapshot::compare(
        s,
        opts.snapshots,
        target.is_embedded(),
        &steps,
        &text,
        verdict,
    );
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

fn new_step(i: usize, step: &Step) -> StepResult {
    StepResult {
        index: i + 1,
        kind: step.kind().to_owned(),
        name: step.name().map(str::to_owned),
        verdict: Verdict::Passed,
        notes: Vec::new(),
        exchanges: Vec::new(),
        checks: Vec::new(),
        duration_ms: 0,
    }
}

/// One step: a prompt to the operator for an admin step the target cannot do, a poll until its
/// expectations hold, or a single run.
async fn run_step(
    ctx: &mut Ctx<'_>,
    s: &Scenario,
    step: &Step,
    i: usize,
    opts: &RunOptions,
) -> StepResult {
    let t0 = Instant::now();
    let mut r = new_step(i, step);
    if step.is_mock_only() && !ctx.target.has_admin() {
        // `cannot_run` let the section through because an operator can do this by hand
        r.verdict = match (&opts.operator, step.unit().prompt(&opts.credentials.tid)) {
            (Some(op), Some(prompt)) => ask(op, s.id(), prompt, &mut r).await,
            _ => Verdict::Skipped(format!("needs {}", Need::Admin.describe())),
        };
    } else if let Some(p) = step.poll() {
        r = poll_step(ctx, step, r, p).await;
    } else {
        run_checked(ctx, step, &mut r).await;
    }
    r.duration_ms = millis(t0.elapsed());
    r
}

/// Runs the step and turns the first failed check into its verdict.
async fn run_checked(ctx: &mut Ctx<'_>, step: &Step, r: &mut StepResult) {
    if let Err(e) = step.run(ctx, r).await {
        r.verdict = e;
    } else if let Some(c) = r.checks.iter().find(|c| !c.ok) {
        r.verdict = Verdict::Failed(format!(
            "{}: expected {}, got {}",
            c.what, c.expected, c.actual
        ));
    }
}

/// `poll`: the step again every `every` seconds until its checks hold or `within` has passed; the result is
/// the last try's.
async fn poll_step(
    ctx: &mut Ctx<'_>,
    step: &Step,
    fresh: StepResult,
    p: crate::scenario::Poll,
) -> StepResult {
    let mut repeat = repeat::Repeat::new(p.every, p.within, ctx.target.manual_clock());
    loop {
        let mut r = fresh.clone();
        run_checked(ctx, step, &mut r).await;
        repeat.tried();
        if !(matches!(r.verdict, Verdict::Failed(_)) && repeat.can_wait()) {
            r.notes
                .push(format!("until the checks held: {}", repeat.describe()));
            return r;
        }
        if let Err(e) = repeat.wait(ctx).await {
            r.verdict = e;
            return r;
        }
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

pub(crate) fn millis(d: Duration) -> u64 {
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
