//! Steps → [`StepResult`]s, scenarios → [`ScenarioResult`]s, in parallel (`--jobs`). Everything goes over HTTP,
//! to the embedded mock as to a remote gateway. Never prints, never exits; the only file I/O is the scenario's
//! `.snap` (read to compare, written in accept mode).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::result::{ScenarioResult, SnapshotStatus, StepResult, Verdict};
use crate::scenario::vars::Vars;
use crate::scenario::{Need, Scenario, SectionRange, Step};
use crate::target::{Credentials, ProbeError, Target, TargetSpec, http_client};
use crate::transcript;

mod house;
pub mod operator;
mod snapshot;
use crate::step::ctx::Ctx;
use crate::step::repeat;
use operator::{Answer, Operator};

/// How real time passes while a step waits on a target whose clock the runner does not move: `tokio`'s
/// sleep by default; tests pass one that moves their gateway's clock instead (nothing in a test sleeps).
#[derive(Clone)]
pub struct Pacer(Arc<dyn Fn(Duration) -> Passing + Send + Sync>);

/// One wait of a [`Pacer`].
type Passing = Pin<Box<dyn Future<Output = ()> + Send>>;

impl Pacer {
    /// A pacer that runs `pass` for each wait.
    pub fn new<F, Fut>(pass: F) -> Self
    where
        F: Fn(Duration) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        Self(Arc::new(move |d| Box::pin(pass(d))))
    }

    /// Really waits (the default).
    pub fn real() -> Self {
        Self::new(tokio::time::sleep)
    }

    /// Lets `d` pass.
    pub async fn pass(&self, d: Duration) {
        (self.0)(d).await;
    }
}

impl Default for Pacer {
    fn default() -> Self {
        Self::real()
    }
}

impl std::fmt::Debug for Pacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pacer")
    }
}

pub use crate::result::{Wait, WaitNotice};

/// Real time: how it passes and who hears about it.
#[derive(Clone, Default)]
pub struct Waits {
    /// How it passes.
    pub pacer: Pacer,
    /// Who is told before each wait.
    pub notice: Option<WaitNotice>,
}

impl Waits {
    pub(crate) fn notify(&self, w: &Wait<'_>) {
        if let Some(n) = &self.notice {
            n(w);
        }
    }
}

impl std::fmt::Debug for Waits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Waits")
    }
}

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
    /// Scenarios run at once (embedded only; a remote target, one set of terminals, runs one at a time).
    pub jobs: usize,
    /// Snapshot handling.
    pub snapshots: SnapshotMode,
    /// Stop after the first scenario that fails or errors: scenarios still running are cancelled, the rest
    /// are not started; both come back `Skipped` with the reason.
    pub fail_fast: bool,
    /// `--interactive`: against a target without the gptom-mock admin API, mock-only steps become prompts to this
    /// operator instead of being skipped (scenarios then run one at a time).
    pub operator: Option<Arc<Operator>>,
    /// `--admin-token`: for a remote gptom-mock started with `--admin-token`.
    pub admin_token: Option<String>,
    /// `--max-wait`: the longest a section may wait in real time (seconds); a section that could wait longer
    /// on a target whose clock the runner cannot move is skipped with the reason.
    pub max_wait: f64,
    /// How real time passes, and who hears about waits.
    pub waits: Waits,
}

/// `--max-wait` by default: enough for the 60 s device timeout and its polls, not for a token's hour.
pub const DEFAULT_MAX_WAIT: f64 = 300.0;

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            target: TargetSpec::Embedded,
            credentials: Credentials::default(),
            jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
            snapshots: SnapshotMode::Compare,
            fail_fast: false,
            operator: None,
            admin_token: None,
            max_wait: DEFAULT_MAX_WAIT,
            waits: Waits::default(),
        }
    }
}

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
}

/// Builds the client and probes a remote target (`GET /__admin/health`, with `--admin-token` if given).
pub async fn connect(opts: &RunOptions) -> Result<Connected, ProbeError> {
    let client = http_client().map_err(ProbeError::Unreachable)?;
    let remote = match &opts.target {
        TargetSpec::Embedded => None,
        TargetSpec::Remote(url) => Some(Arc::new(
            Target::remote(&client, url, opts.admin_token.as_deref()).await?,
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
        Ok(c) => run_connected(&c, scenarios, opts, on_done).await,
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
    let mut steps: Vec<StepResult> = Vec::new();
    let mut verdict = Verdict::Passed;
    let mut skipped: Vec<String> = Vec::new(); // why each skipped section was skipped
    'sections: for sec in s.sections() {
        if let Some(why) = cannot_run(s, &sec, target, opts) {
            skip_rest(s, &sec, sec.steps.start, Some(&why), &mut steps);
            skipped.push(format!("{}: {why}", section_label(s, &sec)));
            continue;
        }
        for i in sec.steps.clone() {
            let step = &s.steps[i].value;
            ctx.at = (i + 1, step.kind());
            ctx.retry_stale = !step.expect().is_some_and(|e| e.transport_error);
            if !skipped.is_empty()
                && let Some(var) = step
                    .used_vars()
                    .into_iter()
                    .find(|v| !ctx.vars.contains_key(*v))
            {
                let why = format!(
                    "step {} uses {{{{{var}}}}}, which a skipped section sets",
                    i + 1
                );
                skip_rest(s, &sec, i, Some(&why), &mut steps);
                skipped.push(format!("{}: {why}", section_label(s, &sec)));
                continue 'sections;
            }
            let r = run_step(&mut ctx, s, step, i, opts).await;
            let stop = match &r.verdict {
                Verdict::Failed(why) => {
                    verdict = Verdict::Failed(format!("step {} {}: {why}", r.index, r.kind));
                    true
                }
                Verdict::Errored(why) => {
                    verdict = Verdict::Errored(format!("step {} {}: {why}", r.index, r.kind));
                    true
                }
                Verdict::Skipped(why) => {
                    let why = format!("step {} {} was skipped: {why}", r.index, r.kind);
                    steps.push(r);
                    skip_rest(s, &sec, i + 1, None, &mut steps);
                    skipped.push(format!("{}: {why}", section_label(s, &sec)));
                    continue 'sections;
                }
                Verdict::Passed | Verdict::Partial(_) => false,
            };
            steps.push(r);
            if stop {
                break 'sections;
            }
        }
    }
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

/// A section's name for reasons: its marker's name, or `steps 1–4` for the steps before the first marker.
fn section_label(s: &Scenario, sec: &SectionRange) -> String {
    match &sec.name {
        Some(n) => format!("section {n:?}"),
        None if sec.steps.len() == s.steps.len() => "the scenario".to_owned(),
        None => format!("steps {}–{}", sec.steps.start + 1, sec.steps.end),
    }
}

/// Why `sec` cannot run on `target`, if it cannot: what it needs and the target lacks (unless an operator
/// can do its admin steps by hand), or a wait longer than `--max-wait` in real time.
fn cannot_run(
    s: &Scenario,
    sec: &SectionRange,
    target: &Target,
    opts: &RunOptions,
) -> Option<String> {
    let steps: Vec<(usize, &Step)> = sec
        .steps
        .clone()
        .map(|i| (i + 1, &s.steps[i].value))
        .collect();
    let listed = |need: Need| -> String {
        let names: Vec<String> = steps
            .iter()
            .filter(|(_, st)| st.needs() == Some(need))
            .map(|(n, st)| format!("{n} {}", st.kind()))
            .collect();
        if names.is_empty() {
            String::new()
        } else {
            format!(" (step {})", names.join(", "))
        }
    };
    let what = |target: &Target| match target {
        Target::Remote {
            kind: crate::target::RemoteKind::MockWithoutAdmin,
            ..
        } => "the target's admin API needs --admin-token",
        _ => "the target is not a gptom-mock",
    };
    if sec.needs.contains(&Need::Mock) && !target.is_mock() {
        return Some(format!(
            "needs {}{}; {}",
            Need::Mock.describe(),
            listed(Need::Mock),
            what(target)
        ));
    }
    if sec.needs.contains(&Need::Admin) && !target.has_admin() {
        let declared = matches!(&s.steps[sec.steps.start].value, Step::Section(m) if m.needs().contains(&Need::Admin));
        let by_hand = opts.operator.is_some()
            && !declared
            && steps
                .iter()
                .filter(|(_, st)| st.is_mock_only())
                .all(|(_, st)| st.unit().prompt(&opts.credentials.tid).is_some());
        if !by_hand {
            return Some(format!(
                "needs {}{}; {}",
                Need::Admin.describe(),
                listed(Need::Admin),
                what(target)
            ));
        }
    }
    if !target.manual_clock()
        && let Some((n, st)) = steps
            .iter()
            .filter(|(_, st)| st.longest_wait() > opts.max_wait)
            .max_by(|a, b| a.1.longest_wait().total_cmp(&b.1.longest_wait()))
    {
        return Some(format!(
            "step {n} {} may wait {} s on the target's real clock, more than --max-wait {} s",
            st.kind(),
            st.longest_wait(),
            opts.max_wait
        ));
    }
    None
}

/// Marks the steps of `sec` from index `from` on as skipped: the first with `why` when given, the others
/// pointing at the step whose skip took them along (`with step N`, N 1-based).
fn skip_rest(
    s: &Scenario,
    sec: &SectionRange,
    from: usize,
    why: Option<&str>,
    out: &mut Vec<StepResult>,
) {
    let anchor = if why.is_some() { from + 1 } else { from };
    for i in from..sec.steps.end {
        let mut r = new_step(i, &s.steps[i].value);
        r.verdict = Verdict::Skipped(match why {
            Some(why) if i == from => why.to_owned(),
            _ => format!("with step {anchor}"),
        });
        out.push(r);
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
