//! The results as JSON for tools: `{"summary": {…}, "scenarios": [ScenarioResult…]}`.

use serde_json::json;

use crate::result::{ScenarioResult, exit_code};

/// The JSON report text.
pub fn render(results: &[ScenarioResult]) -> String {
    let count = |label: &str| {
        results
            .iter()
            .filter(|r| r.verdict.label() == label)
            .count()
    };
    let doc = json!({
        "summary": {
            "total": results.len(),
            "passed": count("passed"),
            "failed": count("failed"),
            "errored": count("errored"),
            "skipped": count("skipped"),
            "exit_code": exit_code(results),
        },
        "scenarios": results,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}
