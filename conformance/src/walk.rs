//! `certify-client` without `--judge`: the interactive walk-through. For each certification item of the chosen
//! list version it tells the operator what to do in the POS, arms the mock over its admin API (next outcome),
//! waits for the POS's requests by polling the journal (poll interval, per-item timeout, a skip line from the
//! operator), then judges the item from the journal entries since it started with [`crate::judge`].
//!
//! Never prints: progress goes to an `on_event` callback (`report/console.rs` renders it), and operator lines
//! come from a channel (a stdin thread in `main.rs`, a script in tests), so the waiting is testable against an
//! embedded mock with a manual clock without sleeping.

use std::collections::HashMap;
use std::time::Duration;

use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::certify::{SourceError, Window, fetch_journal};
use crate::judge::{self, CheckResult, CheckVerdict, Entry, Journal, Judgement};
use crate::target::{Credentials, error_chain, http_client};

/// Task statuses after which nothing changes.
const FINAL: &[&str] = &["COMPLETED", "CANCELLED", "ERROR", "INIT_ERROR"];

/// Which version of GP tom's certification list (reference.md §7).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ListVersion {
    /// Version A (8 scenarios).
    V1,
    /// Version B (12 scenarios; 9–12 are app2app).
    V2,
    /// Version C (20 scenarios; DCC items 10–11), the newest.
    #[default]
    V3,
}

impl ListVersion {
    /// `v1`, `v2`, `v3` (also `a`, `b`, `c`).
    pub fn parse(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "v1" | "a" => Ok(Self::V1),
            "v2" | "b" => Ok(Self::V2),
            "v3" | "c" => Ok(Self::V3),
            _ => Err(format!(
                "{s:?}: expected v1, v2 or v3 (versions A, B, C of the list)"
            )),
        }
    }

    /// The tag prefix of the scenarios (`cert-a`).
    pub fn tag(self) -> &'static str {
        match self {
            Self::V1 => "cert-a",
            Self::V2 => "cert-b",
            Self::V3 => "cert-c",
        }
    }

    fn index(self) -> usize {
        match self {
            Self::V1 => 0,
            Self::V2 => 1,
            Self::V3 => 2,
        }
    }
}

/// What ends the wait for an item (and is its own evidence).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Goal {
    /// A SALE created, polled to `status`; if COMPLETED, its transaction fetched.
    Sale(&'static str),
    /// A VOID with cancelMode LAST_TRANSACTION and one with OLDER_TRANSACTION, both polled to a final status.
    Voids,
    /// A BATCH task polled to a final status.
    Batch,
    /// A transaction detail fetched (200).
    Receipt,
}

/// One Cloud certification item.
#[derive(Debug)]
pub struct Item {
    /// Stable key (`--only` takes it or the item's number).
    pub key: &'static str,
    /// The item's number in list versions A, B, C (`None`: not on that list).
    pub numbers: [Option<u32>; 3],
    /// Title.
    pub title: &'static str,
    /// What the operator does in the POS.
    pub instruction: &'static str,
    /// The outcome armed with `PUT /__admin/terminals/{tid}/next-outcome`.
    pub outcome: Option<&'static str>,
    goal: Goal,
}

/// The Cloud items, in walk order (numbers as in reference.md §7).
pub const ITEMS: &[Item] = &[
    Item {
        key: "sale",
        numbers: [Some(2), Some(2), Some(2)],
        title: "Successful sale",
        instruction: "Make a card sale of 11.11 CZK — the mock will approve it. Let the POS finish it (poll to COMPLETED, fetch the transaction).",
        outcome: Some("approve"),
        goal: Goal::Sale("COMPLETED"),
    },
    Item {
        key: "declined",
        numbers: [Some(3), Some(3), Some(4)],
        title: "Declined sale",
        instruction: "Make a card sale of 11.22 CZK — the mock will decline it. The POS should show the rejection.",
        outcome: Some("decline"),
        goal: Goal::Sale("COMPLETED"),
    },
    Item {
        key: "timeout",
        numbers: [Some(4), Some(4), Some(5)],
        title: "Timeout sale",
        instruction: "Make a card sale of 11.23 CZK — the device will not answer; the task ends ERROR TIMEOUT after the device timeout (about 60 s). The POS should inform the user and not retry on its own.",
        outcome: Some("timeout"),
        goal: Goal::Sale("ERROR"),
    },
    Item {
        key: "exception",
        numbers: [Some(5), Some(5), Some(6)],
        title: "Exception during card payment",
        instruction: "Make a card sale of 11.24 CZK — the mock will end it with an exception (ERROR). The POS should report it.",
        outcome: Some("exception"),
        goal: Goal::Sale("ERROR"),
    },
    Item {
        key: "void",
        numbers: [Some(6), Some(6), Some(7)],
        title: "Void of the last and of an older payment",
        instruction: "Void the last payment (cancelMode LAST_TRANSACTION), then void an older approved payment by its transaction id (OLDER_TRANSACTION).",
        outcome: None,
        goal: Goal::Voids,
    },
    Item {
        key: "batch",
        numbers: [Some(7), Some(7), Some(8)],
        title: "Close batch",
        instruction: "Close the batch (day close) from the POS.",
        outcome: None,
        goal: Goal::Batch,
    },
    Item {
        key: "receipt",
        numbers: [Some(8), Some(8), Some(9)],
        title: "Receipt data",
        instruction: "Print (or show) the receipt of a payment: the POS must read the transaction detail (GET /v1/transactions/{id}).",
        outcome: None,
        goal: Goal::Receipt,
    },
    Item {
        key: "dcc-3-decimals",
        numbers: [None, None, Some(10)],
        title: "DCC data – sale (transactionAmount with 3 decimals)",
        instruction: "Make a card sale of 99.91 CZK — the mock answers with DCC data (3 decimal digits). Print the receipt with the DCC data.",
        outcome: Some("dcc-3-decimals"),
        goal: Goal::Sale("COMPLETED"),
    },
    Item {
        key: "dcc-no-decimals",
        numbers: [None, None, Some(11)],
        title: "DCC data – sale (transactionAmount without a decimal point)",
        instruction: "Make a card sale of 99.92 CZK — the mock answers with DCC data (no decimal point). Print the receipt with the DCC data.",
        outcome: Some("dcc-no-decimals"),
        goal: Goal::Sale("COMPLETED"),
    },
];

impl Item {
    /// The item's number on `list`.
    pub fn number(&self, list: ListVersion) -> Option<u32> {
        self.numbers[list.index()]
    }

    /// `cert-c:4`.
    pub fn label(&self, list: ListVersion) -> String {
        match self.number(list) {
            Some(n) => format!("{}:{n}", list.tag()),
            None => list.tag().to_owned(),
        }
    }
}

/// The items of `list`, narrowed by `--only` (keys or numbers; empty = all). Unknown names are an error.
pub fn select(list: ListVersion, only: &[String]) -> Result<Vec<&'static Item>, String> {
    let on_list: Vec<&Item> = ITEMS.iter().filter(|i| i.number(list).is_some()).collect();
    if only.is_empty() {
        return Ok(on_list);
    }
    for want in only {
        let known = on_list.iter().any(|i| {
            i.key.eq_ignore_ascii_case(want)
                || i.number(list).is_some_and(|n| n.to_string() == *want)
        });
        if !known {
            let names: Vec<String> = on_list
                .iter()
                .map(|i| format!("{} ({})", i.key, i.number(list).unwrap_or(0)))
                .collect();
            return Err(format!(
                "--only {want:?}: not a Cloud item of list {}; expected one of: {}",
                list.tag(),
                names.join(", ")
            ));
        }
    }
    Ok(on_list
        .into_iter()
        .filter(|i| {
            only.iter().any(|w| {
                i.key.eq_ignore_ascii_case(w) || i.number(list).is_some_and(|n| n.to_string() == *w)
            })
        })
        .collect())
}

/// How the walk goes.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// The mock's base URL.
    pub base: String,
    /// Its admin token, if it has one.
    pub admin_token: Option<String>,
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

/// An item's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemVerdict {
    /// Done, and every applicable check passed.
    Pass,
    /// Done, with warnings.
    Warn,
    /// Skipped by the operator.
    Skipped,
    /// Not done in time, or a check failed.
    Fail,
}

impl ItemVerdict {
    /// `pass`, `warn`, `skipped`, `fail`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Warn => "warn",
            Self::Skipped => "skipped",
            Self::Fail => "fail",
        }
    }
}

/// One item's outcome, with its evidence.
#[derive(Debug, Clone, Serialize)]
pub struct ItemResult {
    /// The item's key.
    pub key: &'static str,
    /// `cert-c:4`.
    pub label: String,
    /// Title.
    pub title: &'static str,
    /// Verdict.
    pub verdict: ItemVerdict,
    /// One line: why.
    pub summary: String,
    /// Journal `seq`s of the requests that did the item.
    pub evidence: Vec<u64>,
    /// The checks that applied to the item's requests (n/a left out).
    pub checks: Vec<CheckResult>,
}

/// The whole walk: per item, and the judgement of everything the POS sent during it.
#[derive(Debug, Clone, Serialize)]
pub struct Walk {
    /// The list version.
    pub list: ListVersion,
    /// One result per walked item.
    pub items: Vec<ItemResult>,
    /// All checks over the session's journal.
    pub judgement: Judgement,
}

impl Walk {
    /// 0 when no item failed (warnings and skips allowed), 1 otherwise; 2 when nothing was walked.
    pub fn exit_code(&self) -> u8 {
        if self.items.is_empty() {
            crate::result::USAGE
        } else if self.items.iter().any(|i| i.verdict == ItemVerdict::Fail)
            || self.judgement.count(CheckVerdict::Fail) > 0
        {
            crate::result::FAILED
        } else {
            crate::result::PASSED
        }
    }
}

/// What the walk tells the console.
#[derive(Debug)]
pub enum Event<'a> {
    /// Before the first item: what to configure in the POS.
    Configure {
        /// Base URL.
        base: &'a str,
        /// The account.
        credentials: &'a Credentials,
    },
    /// An item starts: what to do.
    Start {
        /// The item.
        item: &'a Item,
        /// `cert-c:4`.
        label: String,
        /// How long the walk waits.
        timeout: Duration,
    },
    /// An item ended.
    Done(&'a ItemResult),
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
    let client = http_client().map_err(WalkError::Mock)?;
    let base = opts.base.trim_end_matches('/').to_owned();
    let session_start = last_seq(opts).await?;
    on_event(Event::Configure {
        base: &base,
        credentials: &opts.credentials,
    });
    let mut results = Vec::new();
    for item in items {
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
        let mut skipped = false;
        let window = loop {
            let window = since(opts, start).await?;
            if reached(item.goal, &window.entries).is_some() {
                break window;
            }
            tokio::select! {
                line = lines.recv() => {
                    // Enter or `s`: skip the item (a closed input just keeps waiting until the timeout)
                    if line.is_some() {
                        skipped = true;
                        break window;
                    }
                    tokio::time::sleep_until(deadline.min(tokio::time::Instant::now() + opts.poll)).await;
                }
                () = tokio::time::sleep(opts.poll) => {}
            }
            if tokio::time::Instant::now() >= deadline {
                break since(opts, start).await?;
            }
        };
        let result = judge_item(item, opts, &window, skipped);
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
    let base = opts.base.trim_end_matches('/');
    let url = format!(
        "{base}/__admin/terminals/{}/next-outcome",
        opts.credentials.tid
    );
    let mut req = client
        .put(&url)
        .json(&json!({"outcome": outcome, "count": 1}));
    if let Some(t) = &opts.admin_token {
        req = req.bearer_auth(t);
    }
    let res = req
        .send()
        .await
        .map_err(|e| WalkError::Mock(format!("PUT {url}: {}", error_chain(&e))))?;
    if !res.status().is_success() {
        let status = res.status();
        let body = res.text().await.unwrap_or_default();
        return Err(WalkError::Mock(format!(
            "PUT {url} answered {status}: {body}"
        )));
    }
    Ok(())
}

async fn journal(opts: &WalkOptions) -> Result<Journal, WalkError> {
    fetch_journal(&opts.base, &Window::default(), opts.admin_token.as_deref())
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

/// The final status the POS was told per task, with the poll's seq and the task's contextId.
fn finals(entries: &[Entry]) -> HashMap<&str, (&str, u64, Option<&str>)> {
    let mut out = HashMap::new();
    for e in entries.iter().filter(|e| e.is_poll() && e.status == 200) {
        if let (Some(id), Some(status)) = (e.task_id.as_deref(), e.task_status.as_deref())
            && FINAL.contains(&status)
        {
            let ctx = e.response_body.get("contextId").and_then(Value::as_str);
            out.entry(id).or_insert((status, e.seq, ctx));
        }
    }
    out
}

/// Creates answered 200, with their task id: (seq, taskId, request body).
fn creates<'a>(entries: &'a [Entry], class: &str) -> Vec<(u64, &'a str, &'a Value)> {
    entries
        .iter()
        .filter(|e| e.is_create() && e.status == 200 && e.path == format!("/v1/tasks/{class}"))
        .filter_map(|e| e.task_id.as_deref().map(|t| (e.seq, t, &e.request_body)))
        .collect()
}

/// The evidence seqs once the item's goal is reached.
fn reached(goal: Goal, entries: &[Entry]) -> Option<Vec<u64>> {
    let finals = finals(entries);
    match goal {
        Goal::Sale(want) => creates(entries, "TRANSACTION")
            .into_iter()
            .filter(|(_, _, body)| {
                body.get("transactionOperation").and_then(Value::as_str) != Some("VOID")
            })
            .find_map(|(seq, task, _)| {
                let &(status, poll, ctx) = finals.get(task)?;
                if status != want {
                    return None;
                }
                let mut ev = vec![seq, poll];
                if status == "COMPLETED" {
                    let fetch = entries
                        .iter()
                        .find(|e| e.seq > poll && ctx.is_some() && e.transaction_fetch() == ctx)?;
                    ev.push(fetch.seq);
                }
                Some(ev)
            }),
        Goal::Voids => {
            let voided = |mode: &str| {
                creates(entries, "TRANSACTION")
                    .into_iter()
                    .filter(|(_, _, b)| {
                        b.get("transactionOperation").and_then(Value::as_str) == Some("VOID")
                            && b.get("cancelMode").and_then(Value::as_str) == Some(mode)
                    })
                    .find_map(|(seq, task, _)| finals.get(task).map(|f| vec![seq, f.1]))
            };
            let mut ev = voided("LAST_TRANSACTION")?;
            ev.extend(voided("OLDER_TRANSACTION")?);
            Some(ev)
        }
        Goal::Batch => creates(entries, "BATCH")
            .into_iter()
            .find_map(|(seq, task, _)| finals.get(task).map(|f| vec![seq, f.1])),
        Goal::Receipt => entries
            .iter()
            .find(|e| e.transaction_fetch().is_some() && e.status == 200)
            .map(|e| vec![e.seq]),
    }
}

fn goal_text(goal: Goal) -> String {
    match goal {
        Goal::Sale("COMPLETED") => {
            "a sale polled to COMPLETED and its transaction fetched with the contextId".to_owned()
        }
        Goal::Sale(s) => format!("a sale polled until it ended {s}"),
        Goal::Voids => {
            "a VOID LAST_TRANSACTION and a VOID OLDER_TRANSACTION polled to a final status"
                .to_owned()
        }
        Goal::Batch => "a BATCH task polled to a final status".to_owned(),
        Goal::Receipt => "a transaction detail fetched (200)".to_owned(),
    }
}

/// Judges one item from the journal entries since it started.
fn judge_item(item: &Item, opts: &WalkOptions, window: &Journal, skipped: bool) -> ItemResult {
    let judgement = judge::judge(window);
    let checks: Vec<CheckResult> = judgement
        .checks
        .into_iter()
        .filter(|c| c.verdict != CheckVerdict::NotApplicable)
        .collect();
    let worst = checks.iter().map(|c| c.verdict).max();
    let done = reached(item.goal, &window.entries);
    let (verdict, summary) = match (&done, skipped) {
        (None, true) => (ItemVerdict::Skipped, "skipped by the operator".to_owned()),
        (None, false) => (
            ItemVerdict::Fail,
            format!(
                "not seen within {} s: expected {} ({} requests arrived)",
                opts.timeout.as_secs(),
                goal_text(item.goal),
                window.entries.len()
            ),
        ),
        (Some(_), _) => match worst {
            Some(CheckVerdict::Fail) => {
                let failed: Vec<&str> = checks
                    .iter()
                    .filter(|c| c.verdict == CheckVerdict::Fail)
                    .map(|c| c.id)
                    .collect();
                (
                    ItemVerdict::Fail,
                    format!("done, but failed {}", failed.join(", ")),
                )
            }
            Some(CheckVerdict::Warn) => (ItemVerdict::Warn, "done, with warnings".to_owned()),
            _ => (ItemVerdict::Pass, format!("done: {}", goal_text(item.goal))),
        },
    };
    ItemResult {
        key: item.key,
        label: item.label(opts.list),
        title: item.title,
        verdict,
        summary,
        evidence: done.unwrap_or_default(),
        checks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_only_select_items_by_key_or_number() {
        assert_eq!(select(ListVersion::V1, &[]).expect("all").len(), 7);
        assert_eq!(select(ListVersion::V3, &[]).expect("all").len(), 9);
        let picked = select(ListVersion::V3, &["4".into(), "batch".into()]).expect("known");
        let keys: Vec<&str> = picked.iter().map(|i| i.key).collect();
        assert_eq!(keys, ["declined", "batch"]);
        assert_eq!(ITEMS[1].label(ListVersion::V3), "cert-c:4");
        let err = select(ListVersion::V1, &["dcc-3-decimals".into()]).unwrap_err();
        assert!(err.contains("not a Cloud item of list cert-a"), "{err}");
        assert!(ListVersion::parse("v4").is_err());
    }
}
