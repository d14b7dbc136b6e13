//! The snapshot decision of one scenario run: on the embedded mock the transcript must equal the committed
//! `.snap` byte for byte (or is written, with `--accept`); on a remote target only the shape of the steps that
//! ran is compared; a missing snapshot says how to accept one.

use super::SnapshotMode;
use crate::result::{SnapshotStatus, StepResult, Verdict};
use crate::scenario::Scenario;
use crate::transcript;

/// The snapshot decision: exact on the embedded mock; on a remote target the shape of the steps that ran.
pub(super) fn compare(
    s: &Scenario,
    mode: SnapshotMode,
    exact: bool,
    steps: &[StepResult],
    text: &str,
    verdict: Verdict,
) -> (Verdict, SnapshotStatus) {
    let snap = transcript::snap_path(&s.file, s.id());
    let hint = accept_hint(s);
    let ran = matches!(verdict, Verdict::Passed | Verdict::Partial(_));
    match (mode, exact) {
        _ if !ran => (verdict, SnapshotStatus::NotCompared),
        (SnapshotMode::Ignore, _) | (SnapshotMode::Accept, false) => {
            (verdict, SnapshotStatus::NotCompared)
        }
        (SnapshotMode::Accept, true) => match transcript::write_snapshot(&snap, &s.file, text) {
            Ok(()) => (verdict, SnapshotStatus::Written),
            Err(e) => (
                Verdict::Errored(format!("cannot write {}: {e}", snap.display())),
                SnapshotStatus::NotCompared,
            ),
        },
        (SnapshotMode::Compare, true) => match transcript::read_snapshot(&snap) {
            Ok(Some(expected)) if transcript::same(&expected, text) => {
                (verdict, SnapshotStatus::Matched)
            }
            Ok(Some(expected)) => (
                Verdict::Failed(format!(
                    "the transcript differs from {} (accept with `{hint}`)",
                    snap.display()
                )),
                SnapshotStatus::Differs(transcript::diff(&expected, text, s.id())),
            ),
            Ok(None) => (
                Verdict::Failed(format!(
                    "no snapshot {} yet: review the transcript, then `{hint}`",
                    snap.display()
                )),
                SnapshotStatus::Missing,
            ),
            Err(e) => (
                Verdict::Errored(format!("cannot read {}: {e}", snap.display())),
                SnapshotStatus::NotCompared,
            ),
        },
        // a remote target: its values are its own, and its timing too; only the shape of what ran must match
        (SnapshotMode::Compare, false) => {
            let ran: Vec<usize> = steps
                .iter()
                .filter(|r| r.verdict == Verdict::Passed)
                .map(|r| r.index)
                .collect();
            match transcript::read_snapshot(&snap) {
                Ok(Some(expected)) => match transcript::shape_diff(&expected, text, s.id(), &ran) {
                    None => (verdict, SnapshotStatus::ShapeMatched),
                    Some(d) => (
                        Verdict::Failed(format!(
                            "the response shapes (requests, status codes, JSON keys and value types, task \
                             statuses) differ from {}",
                            snap.display()
                        )),
                        SnapshotStatus::Differs(d),
                    ),
                },
                Ok(None) => (verdict, SnapshotStatus::NotCompared), // nothing committed to compare with
                Err(e) => (
                    Verdict::Errored(format!("cannot read {}: {e}", snap.display())),
                    SnapshotStatus::NotCompared,
                ),
            }
        }
    }
}

/// The command that accepts this scenario's snapshot; it names the file when the scenario is not in the
/// default directory (where `--id` alone would not find it).
fn accept_hint(s: &Scenario) -> String {
    let default = crate::default_scenarios_dir();
    let in_default = match (s.file.canonicalize(), default.canonicalize()) {
        (Ok(f), Ok(d)) => f.starts_with(d),
        _ => false,
    };
    if in_default {
        format!("gptom-conformance snapshots accept --id {}", s.id())
    } else {
        format!(
            "gptom-conformance snapshots accept {} --id {}",
            s.file.display(),
            s.id()
        )
    }
}
