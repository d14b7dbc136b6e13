//! # gptom-conformance
//!
//! Replays named GP tom certification scenarios (`scenarios/**/<ID>.yaml`) against an embedded `gptom-mock`
//! (default: a fresh mock per scenario on 127.0.0.1:0, seed 42, manual clock, `instant` latency unless the
//! scenario says otherwise) or a remote URL (`--target`), and compares each scenario's redacted transcript with
//! the committed `<ID>.snap` beside it.
//!
//! Layers (STYLE §1): [`scenario`] is syntax only; [`runner`] sends steps over HTTP to a [`target::Target`] and
//! returns plain [`result`] data; [`certify`] judges a real POS from the mock's journal (`certify-client`) and
//! returns plain [`certify::outcome`] data; [`report`] renders either through one entry point
//! ([`report::Outcome`]) and imports nothing that sends HTTP; `main.rs` turns it into an exit code:
//! 0 all passed, 1 a scenario failed, 2 usage error / bad scenario file / nothing matched, 3 runtime error.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let scenario = conformance::scenario::load("scenarios/cloud/CLOUD-SALE-DECLINED.yaml".as_ref())?;
//! let result = conformance::runner::run_embedded(&scenario).await;
//! println!("{}", result.transcript);
//! # Ok(()) }
//! ```

pub mod account;
pub mod admin;
pub mod assert;
pub mod certify;
pub mod cli;
pub mod record;
pub mod report;
pub mod result;
pub mod runner;
pub mod sandbox;
pub mod scenario;
pub mod step;
pub mod target;
pub mod transcript;

use std::path::PathBuf;

pub use result::{ScenarioResult, Verdict, exit_code};
pub use runner::{RunOptions, SnapshotMode, run, run_embedded, run_with_progress};

use cli::Select;
use scenario::Scenario;

/// The scenarios directory used when no path is given: `./scenarios` if it exists, else the one in this
/// source tree (so `cargo run -p conformance` works from anywhere in the repository).
pub fn default_scenarios_dir() -> PathBuf {
    let here = PathBuf::from("scenarios");
    if here.is_dir() {
        return here;
    }
    let built = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios"));
    if built.is_dir() { built } else { here }
}

/// Whether a scenario is selected by `--tag`, `--id` and `--filter` (each given filter must hold).
pub fn selected(s: &Scenario, sel: &Select) -> bool {
    let tag_ok = sel.tags.is_empty()
        || sel.tags.iter().any(|want| {
            s.tags.iter().any(|t| {
                t == want
                    || t.strip_prefix(want.as_str())
                        .is_some_and(|r| r.starts_with(':'))
            })
        });
    let id_ok = sel.ids.is_empty() || sel.ids.iter().any(|id| id.eq_ignore_ascii_case(s.id()));
    let filter_ok = sel
        .filter
        .as_ref()
        .is_none_or(|f| s.id().to_lowercase().contains(&f.to_lowercase()));
    tag_ok && id_ok && filter_ok
}
