//! What a run is told: the target, credentials, parallelism, snapshot handling, the operator, the longest real
//! wait, and how real time passes (a [`Pacer`] tests replace so that nothing sleeps).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use super::operator::Operator;
use crate::result::{Wait, WaitNotice};
use crate::target::{Credentials, TargetSpec};

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
    /// `--ca`: a PEM file of CA certificates a remote `https://` target's certificate may chain to, besides the
    /// system's roots (a gptom-mock on `--tls auto`, a test gateway).
    pub ca: Option<std::path::PathBuf>,
    /// `--max-wait`: the longest a section may wait in real time (seconds); a section that could wait longer
    /// on a target whose clock the runner cannot move is skipped with the reason.
    pub max_wait: f64,
    /// How real time passes, and who hears about waits.
    pub waits: Waits,
    /// On a remote gptom-mock with its admin API: take a sandbox of its own (`false`: `--no-sandbox`, run on the
    /// mock's own fixture terminals, e.g. for a device logged into them).
    pub sandbox: bool,
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
            ca: None,
            max_wait: DEFAULT_MAX_WAIT,
            waits: Waits::default(),
            sandbox: true,
        }
    }
}
