//! JUnit XML (quick-junit): one test suite per folder of scenarios, one test case per scenario; a failed check
//! is a `<failure>`, a runtime problem an `<error>`, a skip `<skipped>`.

use std::collections::BTreeMap;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::result::{ScenarioResult, SnapshotStatus, Verdict};

/// The JUnit XML text.
pub fn render(results: &[ScenarioResult]) -> String {
    let mut report = Report::new("gptom-conformance");
    let mut suites: BTreeMap<String, TestSuite> = BTreeMap::new();
    for r in results {
        let folder = std::path::Path::new(&r.file)
            .parent()
            .and_then(|p| p.file_name())
            .map_or_else(
                || "scenarios".to_owned(),
                |n| n.to_string_lossy().into_owned(),
            );
        let status = match &r.verdict {
            Verdict::Passed => TestCaseStatus::success(),
            Verdict::Failed(why) => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(why.clone());
                if let SnapshotStatus::Differs(diff) = &r.snapshot {
                    s.set_description(diff.clone());
                }
                s
            }
            Verdict::Errored(why) => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                s.set_message(why.clone());
                s
            }
            Verdict::Skipped(why) => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(why.clone());
                s
            }
        };
        let mut case = TestCase::new(r.id.clone(), status);
        case.set_classname(folder.clone());
        case.set_time(Duration::from_millis(r.duration_ms));
        if !r.transcript.is_empty() {
            case.set_system_out(r.transcript.clone());
        }
        suites
            .entry(folder.clone())
            .or_insert_with(|| TestSuite::new(folder))
            .add_test_case(case);
    }
    report.add_test_suites(suites.into_values());
    report.to_string().unwrap_or_default()
}
