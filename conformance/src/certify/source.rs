//! `certify-client`: where the journal comes from. Fetches `GET /__admin/journal` from a running gptom-mock
//! (over HTTP, like everything else the runner does) or reads a saved one; [`crate::certify::judge`] judges it. Never
//! prints, never exits.

use std::path::Path;

use crate::admin::{AdminApi, path};
use crate::certify::judge::{Journal, JournalError, parse_time};
use crate::target::{error_chain, http_client};

/// Why no journal could be had.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The mock did not answer (exit 3).
    #[error("{0}")]
    Unreachable(String),
    /// The file cannot be read or is not a journal (exit 2).
    #[error("{0}")]
    BadInput(String),
}

impl SourceError {
    /// The exit code it ends a command with: 3 unreachable, 2 bad input.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Unreachable(_) => crate::result::RUNTIME,
            Self::BadInput(_) => crate::result::USAGE,
        }
    }
}

/// Which part of the journal to judge.
#[derive(Debug, Clone, Default)]
pub struct Window {
    /// Only entries at or after this RFC 3339 time (mock clock).
    pub since: Option<String>,
    /// Only entries about this TID.
    pub tid: Option<String>,
}

impl Window {
    fn since_ms(&self) -> Result<Option<i64>, SourceError> {
        self.since
            .as_deref()
            .map(|s| {
                parse_time(s).ok_or_else(|| {
                    SourceError::BadInput(format!(
                        "--since {s:?}: not an RFC 3339 time, e.g. 2026-01-01T00:00:00Z"
                    ))
                })
            })
            .transpose()
    }
}

/// Fetches the journal of the gptom-mock at `base` (`--admin-token` if it needs one, `--ca` for a private CA).
pub async fn fetch_journal(
    base: &str,
    window: &Window,
    admin_token: Option<&str>,
    ca: Option<&Path>,
) -> Result<Journal, SourceError> {
    let since = window.since_ms()?;
    let client = http_client(ca).map_err(SourceError::Unreachable)?;
    let base = base.trim_end_matches('/');
    let mut query: Vec<(&str, &str)> = Vec::new();
    if let Some(s) = &window.since {
        query.push(("since", s));
    }
    if let Some(t) = &window.tid {
        query.push(("tid", t));
    }
    let req = AdminApi::new(&client, base, admin_token)
        .request(reqwest::Method::GET, &path::journal(&query));
    let res = req.send().await.map_err(|e| {
        SourceError::Unreachable(format!("mock {base} is unreachable: {}", error_chain(&e)))
    })?;
    let status = res.status();
    let text = res.text().await.map_err(|e| {
        SourceError::Unreachable(format!(
            "mock {base}: reading the journal failed: {}",
            error_chain(&e)
        ))
    })?;
    if !status.is_success() {
        let hint = if status.as_u16() == 401 {
            " (the mock was started with --admin-token: pass the same --admin-token)"
        } else {
            " (is this a gptom-mock? GET /__admin/journal should answer 200)"
        };
        return Err(SourceError::Unreachable(format!(
            "mock {base}: GET /__admin/journal answered {status}{hint}"
        )));
    }
    let journal = Journal::parse(&text)
        .map_err(|e: JournalError| SourceError::Unreachable(format!("mock {base}: {e}")))?;
    Ok(journal.filtered(since, window.tid.as_deref()))
}

/// Reads a journal saved from `GET /__admin/journal`.
pub fn read_journal(path: &Path, window: &Window) -> Result<Journal, SourceError> {
    let since = window.since_ms()?;
    let text = std::fs::read_to_string(path)
        .map_err(|e| SourceError::BadInput(format!("{}: {e}", path.display())))?;
    let journal = Journal::parse(&text)
        .map_err(|e| SourceError::BadInput(format!("{}: {e}", path.display())))?;
    Ok(journal.filtered(since, window.tid.as_deref()))
}
