//! Reports read plain result data (never the runner): the console (the only printer), JUnit XML, JSON and a
//! self-contained HTML page — for scenario results (`run`) and for a client judgement (`certify-client`).

pub mod console;
pub mod html;
pub mod json;
pub mod junit;

use std::path::PathBuf;

use crate::certify::judge::Judgement;
use crate::certify::outcome::Walk;
use crate::result::ScenarioResult;

/// A report file requested with `--report KIND=FILE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportFile {
    /// JUnit XML for CI systems.
    Junit(PathBuf),
    /// The results as JSON.
    Json(PathBuf),
    /// One self-contained HTML page (inline CSS and SVG, no scripts, no network).
    Html(PathBuf),
}

impl ReportFile {
    /// Parses `junit=FILE`, `json=FILE` or `html=FILE`.
    pub fn parse(s: &str) -> Result<Self, String> {
        match s.split_once('=') {
            Some(("junit", f)) if !f.is_empty() => Ok(Self::Junit(f.into())),
            Some(("json", f)) if !f.is_empty() => Ok(Self::Json(f.into())),
            Some(("html", f)) if !f.is_empty() => Ok(Self::Html(f.into())),
            _ => Err(format!(
                "{s:?}: expected junit=FILE, json=FILE or html=FILE, e.g. --report junit=target/conformance.xml"
            )),
        }
    }

    /// Writes the report of `outcome` in this format.
    pub fn write(&self, outcome: Outcome<'_>) -> std::io::Result<()> {
        match self {
            Self::Junit(p) => write_file(p, &junit::render(outcome)),
            Self::Json(p) => write_file(p, &json::render(outcome)),
            Self::Html(p) => write_file(p, &html::render(outcome)),
        }
    }
}

/// What a report is about: the plain result data of one of the three jobs. Every format renders each.
#[derive(Debug, Clone, Copy)]
pub enum Outcome<'a> {
    /// `run`: the scenario results.
    Scenarios(&'a [ScenarioResult]),
    /// `certify-client --judge`: the client checks over a journal.
    Judgement(&'a Judgement),
    /// `certify-client`: the walk-through, item by item, then the checks over the session.
    Walk(&'a Walk),
}

impl Outcome<'_> {
    /// The process exit code this outcome stands for (0 pass, 1 failed, 2 nothing to judge).
    pub fn exit_code(self) -> u8 {
        match self {
            Self::Scenarios(results) => crate::result::exit_code(results),
            Self::Judgement(j) => j.exit_code(),
            Self::Walk(w) => w.exit_code(),
        }
    }
}

/// Most request numbers one evidence line shows (the JSON report keeps them all).
pub const SHOWN_SEQS: usize = 12;

/// `#3 #4 #9`, at most [`SHOWN_SEQS`] of them, then `… (+1344 more)`: a POS that logs in for every call must
/// not bury the report under its request numbers.
pub fn seq_list(seqs: &[u64]) -> String {
    let mut out: Vec<String> = seqs
        .iter()
        .take(SHOWN_SEQS)
        .map(|s| format!("#{s}"))
        .collect();
    if seqs.len() > SHOWN_SEQS {
        out.push(format!("… (+{} more)", seqs.len() - SHOWN_SEQS));
    }
    out.join(" ")
}

fn write_file(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::seq_list;

    #[test]
    fn long_request_lists_are_cut_after_twelve() {
        assert_eq!(seq_list(&[3, 4]), "#3 #4");
        let all: Vec<u64> = (1..=1356).collect();
        let text = seq_list(&all);
        assert!(text.starts_with("#1 #2 "), "{text}");
        assert!(text.ends_with("#12 … (+1344 more)"), "{text}");
    }
}
