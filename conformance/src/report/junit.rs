//! JUnit XML (quick-junit): one test suite per folder of scenarios, one test case per scenario; a failed check
//! is a `<failure>`, a runtime problem an `<error>`, a skip `<skipped>`, a partial run a success whose
//! `system-err` names the skipped sections. A client judgement is one suite
//! `client-checks`: fail → `<failure>`, warn → passed with the warning in `system-out`, n/a → `<skipped>`.

use std::collections::BTreeMap;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::certify::judge::{CheckVerdict, Judgement};
use crate::result::{ScenarioResult, SnapshotStatus, Verdict};

/// The JUnit XML text.
fn render_scenarios(results: &[ScenarioResult]) -> String {
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
            // what ran passed; the skipped sections are said in system-err (JUnit has no "partly")
            Verdict::Partial(_) => TestCaseStatus::success(),
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
        if let Verdict::Partial(why) = &r.verdict {
            case.set_system_err(format!("partially run: {why}"));
        }
        suites
            .entry(folder.clone())
            .or_insert_with(|| TestSuite::new(folder))
            .add_test_case(case);
    }
    report.add_test_suites(suites.into_values());
    report.to_string().unwrap_or_default()
}

/// The JUnit XML of a client judgement.
fn render_judgement(j: &Judgement) -> String {
    let mut report = Report::new("gptom-conformance certify-client");
    report.add_test_suite(checks_suite(j));
    report.to_string().unwrap_or_default()
}

fn checks_suite(j: &Judgement) -> TestSuite {
    let mut suite = TestSuite::new("client-checks");
    if !j.warnings.is_empty() {
        suite.set_system_err(
            j.warnings
                .iter()
                .map(|w| format!("warning: {w}"))
                .collect::<Vec<_>>()
                .join("\n"),
        );
    }
    for c in &j.checks {
        let details = c
            .evidence
            .iter()
            .map(|e| e.note.clone())
            .chain(c.fix.map(|f| format!("fix: {f}")))
            .collect::<Vec<_>>()
            .join("\n");
        let status = match c.verdict {
            CheckVerdict::Fail => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(c.summary.clone());
                s.set_description(details.clone());
                s
            }
            CheckVerdict::NotApplicable => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(c.summary.clone());
                s
            }
            CheckVerdict::Pass | CheckVerdict::Warn => TestCaseStatus::success(),
        };
        let mut case = TestCase::new(c.id, status);
        case.set_classname("client-checks");
        if c.verdict == CheckVerdict::Warn {
            case.set_system_out(format!("warning: {}\n{details}", c.summary));
        }
        suite.add_test_case(case);
    }
    suite
}

/// The JUnit XML of a certification walk-through: one test case per item (suite `certification-items`), then
/// the checks over the whole session.
fn render_walk(w: &crate::certify::outcome::Walk) -> String {
    use crate::certify::outcome::ItemVerdict;
    let mut report = Report::new("gptom-conformance certify-client");
    let mut suite = TestSuite::new("certification-items");
    for i in &w.items {
        let status = match i.verdict {
            ItemVerdict::Fail => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(i.summary.clone());
                s
            }
            ItemVerdict::Skipped => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(i.summary.clone());
                s
            }
            ItemVerdict::Pass | ItemVerdict::Warn => TestCaseStatus::success(),
        };
        let mut case = TestCase::new(format!("{} {}", i.label, i.title), status);
        case.set_classname("certification-items");
        suite.add_test_case(case);
    }
    report.add_test_suite(suite);
    report.add_test_suite(checks_suite(&w.judgement));
    report.to_string().unwrap_or_default()
}

/// The report of `outcome`.
pub fn render(outcome: super::Outcome<'_>) -> String {
    match outcome {
        super::Outcome::Scenarios(results) => render_scenarios(results),
        super::Outcome::Judgement(j) => render_judgement(j),
        super::Outcome::Walk(w) => render_walk(w),
    }
}
