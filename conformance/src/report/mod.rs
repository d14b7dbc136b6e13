//! Reports read plain result data (never the runner): the console (the only printer), JUnit XML, JSON and a
//! self-contained HTML page — for scenario results (`run`) and for a client judgement (`certify-client`).

pub mod console;
pub mod html;
pub mod json;
pub mod junit;

use std::path::PathBuf;

use crate::judge::Judgement;
use crate::result::ScenarioResult;
use crate::walk::Walk;

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

    /// Writes the report of a scenario run.
    pub fn write(&self, results: &[ScenarioResult]) -> std::io::Result<()> {
        match self {
            Self::Junit(p) => write_file(p, &junit::render(results)),
            Self::Json(p) => write_file(p, &json::render(results)),
            Self::Html(p) => write_file(p, &html::render(results)),
        }
    }

    /// Writes the report of a client judgement.
    pub fn write_judgement(&self, j: &Judgement) -> std::io::Result<()> {
        match self {
            Self::Junit(p) => write_file(p, &junit::render_judgement(j)),
            Self::Json(p) => write_file(p, &json::render_judgement(j)),
            Self::Html(p) => write_file(p, &html::render_judgement(j)),
        }
    }
}

impl ReportFile {
    /// Writes the report of a certification walk-through (items, then the checks over the whole session).
    pub fn write_walk(&self, w: &Walk) -> std::io::Result<()> {
        match self {
            Self::Junit(p) => write_file(p, &junit::render_walk(w)),
            Self::Json(p) => write_file(p, &json::render_walk(w)),
            Self::Html(p) => write_file(p, &html::render_walk(w)),
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
