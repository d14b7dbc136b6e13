//! The results as JSON for tools: `{"summary": {…}, "items": [ItemRow…], "scenarios": [ScenarioResult…]}`; a client judgement as
//! `{"summary": {…}, "checks": [CheckResult…], "tasks": [Timeline…]}`.

use serde_json::json;

use crate::certify::judge::{CheckVerdict, Judgement};
use crate::result::{ScenarioResult, Totals, exit_code, items};

/// The JSON report text.
fn render_scenarios(results: &[ScenarioResult]) -> String {
    let t = Totals::of(results);
    let doc = json!({
        "summary": {
            "total": results.len(),
            "passed": t.passed,
            "partial": t.partial,
            "failed": t.failed,
            "errored": t.errored,
            "skipped": t.skipped,
            "exit_code": exit_code(results),
        },
        "items": items(results),
        "scenarios": results,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// The JSON report of a client judgement.
fn render_judgement(j: &Judgement) -> String {
    let doc = json!({
        "summary": {
            "checks": j.checks.len(),
            "passed": j.count(CheckVerdict::Pass),
            "warned": j.count(CheckVerdict::Warn),
            "failed": j.count(CheckVerdict::Fail),
            "not_applicable": j.count(CheckVerdict::NotApplicable),
            "exit_code": j.exit_code(),
            "entries": j.entries,
            "from": j.from,
            "to": j.to,
            "evicted": j.evicted,
        },
        "warnings": j.warnings,
        "checks": j.checks,
        "tasks": j.tasks,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// The JSON report of a certification walk-through: `{"summary", "items", "checks", "tasks", …}`.
fn render_walk(w: &crate::certify::outcome::Walk) -> String {
    let mut doc: serde_json::Value =
        serde_json::from_str(&render_judgement(&w.judgement)).unwrap_or_default();
    doc["list"] = json!(w.list);
    doc["items"] = json!(w.items);
    doc["summary"]["exit_code"] = json!(w.exit_code());
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// The report of `outcome`.
pub fn render(outcome: super::Outcome<'_>) -> String {
    match outcome {
        super::Outcome::Scenarios(results) => render_scenarios(results),
        super::Outcome::Judgement(j) => render_judgement(j),
        super::Outcome::Walk(w) => render_walk(w),
    }
}
