//! `certify-client` without `--judge`: the interactive walk-through. For each certification item of the chosen
//! list version it tells the operator what to do in the POS, arms the mock over its admin API (next outcome),
//! waits for the POS's requests by polling the journal (poll interval, per-item timeout, a skip line from the
//! operator), then judges the item from the journal entries since it started with [`super::judge`].
//!
//! Never prints: progress goes to an `on_event` callback (`report/console.rs` renders it), and operator lines
//! come from a channel (a stdin thread in `main.rs`, a script in tests), so the waiting is testable against an
//! embedded mock with a manual clock without sleeping.

use std::time::Duration;

use mock_server::contract::admin::NextOutcomeBody;
use tokio::sync::mpsc;

use super::goals::{judge_item, reached};
use super::judge::{self, Journal};
use super::list::{ListVersion, select};
use super::outcome::{Event, ItemResult, ItemVerdict, Walk};
use super::source::{SourceError, Window, fetch_journal};
use crate::account::Credentials;
use crate::admin::{AdminApi, path};
use crate::target::http_client;

/// How the walk goes.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// The mock's base URL.
    pub base: String,
    /// Its admin token, if it has one.
    pub admin_token: Option<String>,
    /// `--ca`: the private CA of an `https://` mock.
    pub ca: Option<std::path::PathBuf>,
    /// The account the POS is configured with (the TID is armed).
    pub credentials: Credentials,
    /// The list version.
    pub list: ListVersion,
    /// `--only`.
    pub only: Vec<String>,
    /// How long to wait for the POS per item.
    pub timeout: Duration,
    /// How often the journal is read while waiting.
    pub poll: Duration,
}

/// Why the walk could not go on.
#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    /// Bad `--only` / `--list`.
    #[error("{0}")]
    Usage(String),
    /// The mock did not answer.
    #[error("{0}")]
    Mock(String),
}

/// Walks the items: configure, then per item arm → instruct → wait → judge.
pub async fn walk(
    opts: &WalkOptions,
    lines: &mut mpsc::UnboundedReceiver<String>,
    mut on_event: impl FnMut(Event<'_>),
) -> Result<Walk, WalkError> {
    let items = select(opts.list, &opts.only).map_err(WalkError::Usage)?;
    let client = http_client(opts.ca.as_deref()).map_err(WalkError::Mock)?;
    let base = opts.base.trim_end_matches('/').to_owned();
    let session_start = last_seq(opts).await?;
    on_event(Event::Configure {
        base: &base,
        credentials: &opts.credentials,
    });
    let mut results = Vec::new();
    for item in items {
        if let Some(why) = item.unsupported() {
            let result = ItemResult {
                key: item.key,
                label: item.label(opts.list),
                title: item.title,
                verdict: ItemVerdict::Skipped,
                summary: format!("skipped: {why}"),
                evidence: Vec::new(),
                checks: Vec::new(),
            };
            on_event(Event::Done(&result));
            results.push(result);
            continue;
        }
        while lines.try_recv().is_ok() {} // keystrokes from before the item do not count
        let start = last_seq(opts).await?;
        if let Some(outcome) = item.outcome {
            arm(&client, opts, outcome).await?;
        }
        on_event(Event::Start {
            item,
            label: item.label(opts.list),
            timeout: opts.timeout,
        });
        let deadline = tokio::time::Instant::now() + opts.timeout;
        let mut skipped = None;
        let window = loop {
            let window = since(opts, start).await?;
            if reached(item.goal, &window.entries).is_some() {
                break window;
            }
            tokio::select! {
                line = lines.recv() => {
                    // Enter or `s`: skip the item; a closed input means nobody is there to do the items
                    skipped = Some(match line {
                        Some(_) => "skipped by the operator",
                        None => "skipped: no operator (standard input is closed)",
                    });
                    break window;
                }
                () = tokio::time::sleep(opts.poll) => {}
            }
            if tokio::time::Instant::now() >= deadline {
                break since(opts, start).await?;
            }
        };
        let result = judge_item(item, opts.list, opts.timeout, &window, skipped);
        on_event(Event::Done(&result));
        results.push(result);
    }
    let all = since(opts, session_start).await?;
    Ok(Walk {
        list: opts.list,
        items: results,
        judgement: judge::judge(&all),
    })
}

async fn arm(client: &reqwest::Client, opts: &WalkOptions, outcome: &str) -> Result<(), WalkError> {
    let body = NextOutcomeBody {
        outcome: outcome.to_owned(),
        count: Some(1),
    };
    AdminApi::new(client, &opts.base, opts.admin_token.as_deref())
        .ok(
            "PUT",
            &path::next_outcome(&opts.credentials.tid),
            Some(&body),
        )
        .await
        .map(drop)
        .map_err(WalkError::Mock)
}

async fn journal(opts: &WalkOptions) -> Result<Journal, WalkError> {
    fetch_journal(
        &opts.base,
        &Window::default(),
        opts.admin_token.as_deref(),
        opts.ca.as_deref(),
    )
    .await
    .map_err(|e| match e {
        SourceError::Unreachable(m) | SourceError::BadInput(m) => WalkError::Mock(m),
    })
}

async fn last_seq(opts: &WalkOptions) -> Result<u64, WalkError> {
    Ok(journal(opts).await?.entries.last().map_or(0, |e| e.seq))
}

/// The journal after `seq` (the POS's requests since an item started).
async fn since(opts: &WalkOptions, seq: u64) -> Result<Journal, WalkError> {
    let mut j = journal(opts).await?;
    j.entries.retain(|e| e.seq > seq && e.channel != "admin");
    Ok(j)
}
