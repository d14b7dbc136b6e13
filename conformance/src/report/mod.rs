//! Reports read plain result data (never the runner): the console (the only printer), JUnit XML and JSON.

pub mod console;
pub mod json;
pub mod junit;

use std::path::PathBuf;

use crate::result::ScenarioResult;

/// A report file requested with `--report KIND=FILE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportFile {
    /// JUnit XML for CI systems.
    Junit(PathBuf),
    /// The results as JSON.
    Json(PathBuf),
}

impl ReportFile {
    /// Parses `junit=FILE` or `json=FILE`.
    pub fn parse(s: &str) -> Result<Self, String> {
        match s.split_once('=') {
            Some(("junit", f)) if !f.is_empty() => Ok(Self::Junit(f.into())),
            Some(("json", f)) if !f.is_empty() => Ok(Self::Json(f.into())),
            _ => Err(format!(
                "{s:?}: expected junit=FILE or json=FILE, e.g. --report junit=target/conformance.xml"
            )),
        }
    }

    /// Writes the report.
    pub fn write(&self, results: &[ScenarioResult]) -> std::io::Result<()> {
        let (path, text) = match self {
            Self::Junit(p) => (p, junit::render(results)),
            Self::Json(p) => (p, json::render(results)),
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, text)
    }
}
