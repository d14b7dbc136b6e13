//! Results are plain serde data (STYLE §2.10): the runner fills them, reports and the exit code read them.

use serde::Serialize;

/// Exit code: every scenario passed (or was skipped).
pub const PASSED: u8 = mock_server::judge::PASSED;
/// Exit code: at least one scenario failed.
pub const FAILED: u8 = mock_server::judge::FAILED;
/// Exit code: usage error, bad scenario file, or nothing matched.
pub const USAGE: u8 = mock_server::judge::USAGE;
/// Exit code: target unreachable or another runtime error.
pub const RUNTIME: u8 = 3;
/// Exit code: stopped by Ctrl-C (SIGINT), as shells report it (128 + 2).
pub const INTERRUPTED: u8 = 130;
/// Exit code: stopped by SIGTERM (a CI job cancelled, `docker stop`), as shells report it (128 + 15).
pub const TERMINATED: u8 = 143;

/// How a scenario or step ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", content = "reason", rename_all = "snake_case")]
pub enum Verdict {
    /// Every check held.
    Passed,
    /// A check did not hold (or the transcript differs from its snapshot).
    Failed(String),
    /// The run could not proceed (target unreachable, mock did not boot, …).
    Errored(String),
    /// Not run, with the reason (e.g. a mock-only step against a real gateway).
    Skipped(String),
    /// Scenarios only: every step that ran passed, but sections that the target cannot do (they need the
    /// mock's admin API, say) were skipped; the reason names them. Counts as a pass for the exit code.
    Partial(String),
}

impl Verdict {
    /// `passed`, `failed`, `errored` or `skipped`.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Passed => "passed",
            Self::Failed(_) => "failed",
            Self::Errored(_) => "errored",
            Self::Skipped(_) => "skipped",
            Self::Partial(_) => "partial",
        }
    }

    /// Whether nothing that ran failed or errored (passed, partially run or skipped).
    pub fn is_ok(&self) -> bool {
        !matches!(self, Self::Failed(_) | Self::Errored(_))
    }

    /// The reason, if any.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::Passed => None,
            Self::Failed(r) | Self::Errored(r) | Self::Skipped(r) | Self::Partial(r) => Some(r),
        }
    }
}

/// One assertion: what was expected, what came, whether it held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// What was checked, e.g. `status` or `$.result equals`.
    pub what: String,
    /// The expectation as text.
    pub expected: String,
    /// What the response had, as text.
    pub actual: String,
    /// Whether it held.
    pub ok: bool,
}

/// One HTTP request and its response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exchange {
    /// HTTP method.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Request headers worth showing (name, value), in order.
    pub request_headers: Vec<(String, String)>,
    /// Request body as text (bodies over 2 KiB are summarised).
    pub request_body: Option<String>,
    /// Response status code (0 when no response came).
    pub status: u16,
    /// Why no (complete) response came: the innermost transport error, e.g. `connection closed before message
    /// completed` (stable text, no URL or port).
    pub error: Option<String>,
    /// Response headers worth showing (content-type, www-authenticate, allow).
    pub response_headers: Vec<(String, String)>,
    /// Response body as text (JSON pretty-printed).
    pub response_body: String,
    /// When the first answer was `202 {"pending"}`: how the final answer above was fetched (`202 pending
    /// [id]; GET /ios/deeplink/[id] polled 2 times, clock advanced 60s`). The request and its final answer are
    /// one logical exchange, whatever the target's timing.
    pub pending: Option<String>,
    /// Round-trip time in milliseconds (not part of the transcript).
    pub elapsed_ms: u64,
}

impl Exchange {
    /// This exchange's answer to `request`'s request: method, path, request headers and body from `request`.
    pub fn with_request_of(self, request: &Exchange) -> Self {
        Self {
            method: request.method.clone(),
            path: request.path.clone(),
            request_headers: request.request_headers.clone(),
            request_body: request.request_body.clone(),
            ..self
        }
    }
}

/// One step's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepResult {
    /// 1-based index in the scenario.
    pub index: usize,
    /// Step kind (`create_task`).
    pub kind: String,
    /// The step's `name`, if given.
    pub name: Option<String>,
    /// How it ended.
    #[serde(flatten)]
    pub verdict: Verdict,
    /// Lines describing what the step did beyond HTTP (polled statuses, clock moves).
    pub notes: Vec<String>,
    /// The HTTP calls shown in the transcript (a poll shows its last one).
    pub exchanges: Vec<Exchange>,
    /// The checks made.
    pub checks: Vec<Check>,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
}

/// Where the scenario's transcript stands against its committed snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotStatus {
    /// Same text.
    Matched,
    /// Differs; the unified diff (expected → actual).
    Differs(String),
    /// No `.snap` file yet.
    Missing,
    /// Written (accept mode).
    Written,
    /// Remote target: same requests, status codes, JSON keys and value types as the snapshot (values differ
    /// on a real gateway, so they are not compared).
    ShapeMatched,
    /// Not compared (remote target, or the scenario did not run).
    NotCompared,
}

/// One scenario's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioResult {
    /// Scenario id.
    pub id: String,
    /// Scenario title.
    pub title: String,
    /// Its file.
    pub file: String,
    /// Its tags.
    pub tags: Vec<String>,
    /// How it ended.
    #[serde(flatten)]
    pub verdict: Verdict,
    /// The steps run (a failing step ends the scenario).
    pub steps: Vec<StepResult>,
    /// Snapshot comparison.
    pub snapshot: SnapshotStatus,
    /// The redacted transcript.
    pub transcript: String,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
}

impl ScenarioResult {
    /// Certification items covered (`cert-a:2` …).
    pub fn cert_items(&self) -> impl Iterator<Item = &str> {
        self.tags
            .iter()
            .map(String::as_str)
            .filter(|t| t.starts_with("cert-"))
    }
}

/// How many scenarios ended each way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Every step ran and passed.
    pub passed: usize,
    /// What ran passed; some sections were skipped.
    pub partial: usize,
    /// A check or the snapshot failed.
    pub failed: usize,
    /// The run could not proceed.
    pub errored: usize,
    /// Nothing ran.
    pub skipped: usize,
}

impl Totals {
    /// Counts `results`.
    pub fn of(results: &[ScenarioResult]) -> Self {
        let mut t = Self::default();
        for r in results {
            match r.verdict {
                Verdict::Passed => t.passed += 1,
                Verdict::Partial(_) => t.partial += 1,
                Verdict::Failed(_) => t.failed += 1,
                Verdict::Errored(_) => t.errored += 1,
                Verdict::Skipped(_) => t.skipped += 1,
            }
        }
        t
    }
}

/// One certification item (`cert-a:2`) over the scenarios that cover it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemRow {
    /// `cert-a:2`.
    pub item: String,
    /// Scenarios covering it that passed or ran partially.
    pub ran: usize,
    /// … that failed or errored.
    pub failed: usize,
    /// … that were skipped.
    pub skipped: usize,
    /// The scenario ids.
    pub scenarios: Vec<String>,
}

impl ItemRow {
    /// `pass` (something ran, nothing failed), `fail`, or `not run`.
    pub fn label(&self) -> &'static str {
        match (self.failed, self.ran) {
            (0, 0) => "not run",
            (0, _) => "pass",
            _ => "fail",
        }
    }
}

/// The certification items the results cover, in list order (`cert-a:1` … `cert-a:8`, `cert-b:1` …).
pub fn items(results: &[ScenarioResult]) -> Vec<ItemRow> {
    let mut rows: Vec<ItemRow> = Vec::new();
    for r in results {
        for item in r.cert_items() {
            let i = match rows.iter().position(|x| x.item == item) {
                Some(i) => i,
                None => {
                    rows.push(ItemRow {
                        item: item.to_owned(),
                        ran: 0,
                        failed: 0,
                        skipped: 0,
                        scenarios: Vec::new(),
                    });
                    rows.len() - 1
                }
            };
            let row = &mut rows[i];
            row.scenarios.push(r.id.clone());
            match r.verdict {
                Verdict::Passed | Verdict::Partial(_) => row.ran += 1,
                Verdict::Skipped(_) => row.skipped += 1,
                Verdict::Failed(_) | Verdict::Errored(_) => row.failed += 1,
            }
        }
    }
    rows.sort_by_key(|r| {
        let (list, n) = r.item.split_once(':').unwrap_or((&r.item, ""));
        (
            list.to_owned(),
            n.parse::<u32>().unwrap_or(u32::MAX),
            n.to_owned(),
        )
    });
    rows
}

/// The process exit code for a run (STYLE §2.10): nothing run is a usage error, never a pass.
pub fn exit_code(results: &[ScenarioResult]) -> u8 {
    if results.is_empty() {
        return USAGE;
    }
    if results
        .iter()
        .any(|r| matches!(r.verdict, Verdict::Errored(_)))
    {
        return RUNTIME;
    }
    if results
        .iter()
        .any(|r| matches!(r.verdict, Verdict::Failed(_)))
    {
        return FAILED;
    }
    PASSED
}

/// A wait in real time that is about to happen (for the console: "waiting 10 s …").
#[derive(Debug, Clone, PartialEq)]
pub struct Wait<'a> {
    /// Scenario id.
    pub scenario: &'a str,
    /// 1-based step index.
    pub step: usize,
    /// Step kind.
    pub kind: &'a str,
    /// How long this wait is, in seconds.
    pub seconds: f64,
    /// How long the step has waited already.
    pub waited: f64,
    /// The most the step will wait.
    pub bound: f64,
}

/// Called before every real-time wait.
pub type WaitNotice = std::sync::Arc<dyn Fn(&Wait<'_>) + Send + Sync>;
