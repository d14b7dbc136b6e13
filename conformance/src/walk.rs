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
    /// A TRANSACTION task with this `transactionOperation` (SALE, REFUND) created and polled to `status`; if
    /// COMPLETED, its transaction fetched with the task's contextId.
    Txn(&'static str, &'static str),
    /// A VOID with cancelMode LAST_TRANSACTION and one with OLDER_TRANSACTION, both polled to a final status.
    Voids,
    /// A BATCH task polled to a final status.
    Batch,
    /// The transaction detail of a COMPLETED task fetched after COMPLETED with its contextId; when the POS prints
    /// its own receipt (`printByPaymentApp: false`), the detail it read must hold the receipt fields.
    Receipt,
    /// A DCC sale completed and fetched, then a VOID of it completed and its detail (with the DCC data) fetched.
    DccVoid,
    /// Not possible over the Cloud API: skipped at once with this reason.
    Unsupported(&'static str),
}

/// Why the app2app items are skipped by the Cloud walk-through.
const APP2APP_ONLY: &str = "app2app only: the walk-through drives the Cloud API. Point the Android POS at the mock's app2app bridge (/app2app/*) and judge the session with certify-client --judge (checks A2A-*)";

/// The receipt-visual items as the Cloud transaction detail names them (reference.md §6; `tid` is `Tid`).
const RECEIPT_FIELDS: &[&str] = &[
    "batchNumber",
    "receiptNumber",
    "Tid",
    "aid",
    "cardType",
    "cardDataEntry",
    "maskedPan",
    "transactionOperation",
    "currencyCode",
    "amount",
    "pinMessage",
    "authorizationCode",
    "sequenceNumber",
];

/// One certification item.
#[derive(Debug)]
pub struct Item {
    /// Stable key (`--only` takes it or the item's number).
    pub key: &'static str,
    /// The item's number in list versions A, B, C (`None`: not on that list).
    pub numbers: [Option<u32>; 3],
    /// Title.
    pub title: &'static str,
    /// What the operator does in the POS (empty for items the Cloud API cannot do).
    pub instruction: &'static str,
    /// The outcome armed with `PUT /__admin/terminals/{tid}/next-outcome`.
    pub outcome: Option<&'static str>,
    goal: Goal,
}

/// The items, in walk order (numbers as in reference.md §7). Items the Cloud API cannot do are skipped with
/// the reason.
pub const ITEMS: &[Item] = &[
    Item {
        key: "presence",
        numbers: [Some(1), Some(1), Some(1)],
        title: "Presence check of GP tom (optional)",
        instruction: "",
        outcome: None,
        goal: Goal::Unsupported(
            "the Cloud API cannot see whether GP tom is installed: this is a device-channel item (iOS `gptom://status`, Android getGPTomInfo or a package query)",
        ),
    },
    Item {
        key: "sale",
        numbers: [Some(2), Some(2), Some(2)],
        title: "Successful sale",
        instruction: "Make a card sale of 11.11 CZK — the mock will approve it. Let the POS finish it (poll to COMPLETED, fetch the transaction).",
        outcome: Some("approve"),
        goal: Goal::Txn("SALE", "COMPLETED"),
    },
    Item {
        key: "refund",
        numbers: [None, None, Some(3)],
        title: "Successful refund (optional)",
        instruction: "Make a card refund (transactionOperation REFUND) of 11.11 CZK — the mock will approve it. Let the POS finish it (poll to COMPLETED, fetch the transaction).",
        outcome: Some("approve"),
        goal: Goal::Txn("REFUND", "COMPLETED"),
    },
    Item {
        key: "declined",
        numbers: [Some(3), Some(3), Some(4)],
        title: "Declined sale",
        instruction: "Make a card sale of 11.22 CZK — the mock will decline it. The POS should show the rejection.",
        outcome: Some("decline"),
        goal: Goal::Txn("SALE", "COMPLETED"),
    },
    Item {
        key: "timeout",
        numbers: [Some(4), Some(4), Some(5)],
        title: "Timeout sale",
        instruction: "Make a card sale of 11.23 CZK — the device will not answer; the task ends ERROR TIMEOUT after the device timeout (about 60 s). The POS should inform the user and not retry on its own.",
        outcome: Some("timeout"),
        goal: Goal::Txn("SALE", "ERROR"),
    },
    Item {
        key: "exception",
        numbers: [Some(5), Some(5), Some(6)],
        title: "Exception during card payment",
        instruction: "Make a card sale of 11.24 CZK — the mock will end it with an exception (ERROR). The POS should report it.",
        outcome: Some("exception"),
        goal: Goal::Txn("SALE", "ERROR"),
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
        instruction: "Make a card sale of 11.11 CZK and print (or show) its receipt: after COMPLETED the POS must read the transaction detail (GET /v1/transactions/{contextId}); if it prints its own receipt (printByPaymentApp: false), the receipt fields come from that detail.",
        outcome: Some("approve"),
        goal: Goal::Receipt,
    },
    Item {
        key: "a2a-register",
        numbers: [None, Some(9), Some(17)],
        title: "Transaction registration (app2app)",
        instruction: "",
        outcome: None,
        goal: Goal::Unsupported(APP2APP_ONLY),
    },
    Item {
        key: "a2a-request",
        numbers: [None, Some(10), Some(18)],
        title: "Request for payment (app2app)",
        instruction: "",
        outcome: None,
        goal: Goal::Unsupported(APP2APP_ONLY),
    },
    Item {
        key: "a2a-state",
        numbers: [None, Some(11), Some(19)],
        title: "Getting the transaction status (app2app)",
        instruction: "",
        outcome: None,
        goal: Goal::Unsupported(APP2APP_ONLY),
    },
    Item {
        key: "a2a-detail",
        numbers: [None, Some(12), Some(20)],
        title: "Getting details about the transaction (app2app)",
        instruction: "",
        outcome: None,
        goal: Goal::Unsupported(APP2APP_ONLY),
    },
    Item {
        key: "dcc-3-decimals",
        numbers: [None, None, Some(10)],
        title: "DCC data – sale (transactionAmount with 3 decimals)",
        instruction: "Make a card sale of 99.91 CZK — the mock answers with DCC data (3 decimal digits). Print the receipt with the DCC data.",
        outcome: Some("dcc-3-decimals"),
        goal: Goal::Txn("SALE", "COMPLETED"),
    },
    Item {
        key: "dcc-no-decimals",
        numbers: [None, None, Some(11)],
        title: "DCC data – sale (transactionAmount without a decimal point)",
        instruction: "Make a card sale of 99.92 CZK — the mock answers with DCC data (no decimal point). Print the receipt with the DCC data.",
        outcome: Some("dcc-no-decimals"),
        goal: Goal::Txn("SALE", "COMPLETED"),
    },
    Item {
        key: "dcc-void-3-decimals",
        numbers: [None, None, Some(15)],
        title: "DCC data – cancellation (DCC sale with 3 decimals)",
        instruction: "Make a card sale of 99.91 CZK — the mock answers with DCC data (3 decimal digits) — then void it (LAST_TRANSACTION) and print the void's receipt with the DCC data from its transaction detail.",
        outcome: Some("dcc-3-decimals"),
        goal: Goal::DccVoid,
    },
    Item {
        key: "dcc-void-no-decimals",
        numbers: [None, None, Some(16)],
        title: "DCC data – cancellation (DCC sale without a decimal point)",
        instruction: "Make a card sale of 99.92 CZK — the mock answers with DCC data (no decimal point) — then void it (LAST_TRANSACTION) and print the void's receipt with the DCC data from its transaction detail.",
        outcome: Some("dcc-no-decimals"),
        goal: Goal::DccVoid,
    },
];

impl Item {
    /// Why the Cloud walk-through cannot do this item (it is skipped with this reason), if so.
    pub fn unsupported(&self) -> Option<&'static str> {
        match self.goal {
            Goal::Unsupported(why) => Some(why),
            _ => None,
        }
    }

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
    let mut on_list: Vec<&Item> = ITEMS.iter().filter(|i| i.number(list).is_some()).collect();
    on_list.sort_by_key(|i| i.number(list));
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
                "--only {want:?}: not an item of list {}; expected one of: {}",
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

/// An item's goal, reached: its evidence, and what is still wrong with how it was done.
#[derive(Debug, Default)]
struct Reached {
    /// Journal seqs of the requests that did the item.
    evidence: Vec<u64>,
    /// Problems that fail the item although its requests arrived (e.g. a receipt without its fields).
    problems: Vec<String>,
    /// What the evidence shows, when more than the goal's text.
    note: Option<String>,
}

fn operation(body: &Value) -> Option<&str> {
    body.get("transactionOperation").and_then(Value::as_str)
}

/// The first transaction fetch after `poll` with the task's contextId (any status).
fn fetch_after<'a>(entries: &'a [Entry], poll: u64, ctx: Option<&str>) -> Option<&'a Entry> {
    entries
        .iter()
        .find(|e| e.seq > poll && ctx.is_some() && e.transaction_fetch() == ctx)
}

/// A task of `op` polled to `want`: (create seq, final poll seq, the fetch once COMPLETED), first match.
fn txn_done<'a>(
    entries: &'a [Entry],
    op: &str,
    want: &str,
    after: u64,
) -> Option<(u64, u64, Option<&'a Entry>, &'a Value)> {
    let finals = finals(entries);
    creates(entries, "TRANSACTION")
        .into_iter()
        .filter(|(seq, _, body)| *seq > after && operation(body) == Some(op))
        .find_map(|(seq, task, body)| {
            let &(status, poll, ctx) = finals.get(task)?;
            if status != want {
                return None;
            }
            if status == "COMPLETED" {
                let fetch = fetch_after(entries, poll, ctx).filter(|f| f.status == 200)?;
                return Some((seq, poll, Some(fetch), body));
            }
            Some((seq, poll, None, body))
        })
}

/// The evidence once the item's goal is reached.
fn reached(goal: Goal, entries: &[Entry]) -> Option<Reached> {
    let finals = finals(entries);
    let evidence = |ev: Vec<u64>| Reached {
        evidence: ev,
        ..Reached::default()
    };
    match goal {
        Goal::Txn(op, want) => txn_done(entries, op, want, 0).map(|(seq, poll, fetch, _)| {
            let mut ev = vec![seq, poll];
            ev.extend(fetch.map(|f| f.seq));
            evidence(ev)
        }),
        Goal::Voids => {
            let voided = |mode: &str| {
                creates(entries, "TRANSACTION")
                    .into_iter()
                    .filter(|(_, _, b)| {
                        operation(b) == Some("VOID")
                            && b.get("cancelMode").and_then(Value::as_str) == Some(mode)
                    })
                    .find_map(|(seq, task, _)| finals.get(task).map(|f| vec![seq, f.1]))
            };
            let mut ev = voided("LAST_TRANSACTION")?;
            ev.extend(voided("OLDER_TRANSACTION")?);
            Some(evidence(ev))
        }
        Goal::Batch => creates(entries, "BATCH")
            .into_iter()
            .find_map(|(seq, task, _)| finals.get(task).map(|f| evidence(vec![seq, f.1]))),
        Goal::Receipt => receipt(entries),
        Goal::DccVoid => dcc_void(entries),
        Goal::Unsupported(_) => None,
    }
}

/// A COMPLETED payment whose detail the POS read after COMPLETED, with the receipt fields if it prints itself.
fn receipt(entries: &[Entry]) -> Option<Reached> {
    let finals = finals(entries);
    creates(entries, "TRANSACTION")
        .into_iter()
        .find_map(|(seq, task, body)| {
            let &(status, poll, ctx) = finals.get(task)?;
            if status != "COMPLETED" {
                return None;
            }
            let fetch = fetch_after(entries, poll, ctx).filter(|f| f.status == 200)?;
            let own = body.get("printByPaymentApp").and_then(Value::as_bool) == Some(false);
            let mut done = Reached {
                evidence: vec![seq, poll, fetch.seq],
                ..Reached::default()
            };
            if !own {
                done.note = Some(format!(
                    "transaction detail read at #{} (GP tom prints the receipt: printByPaymentApp is not false)",
                    fetch.seq
                ));
                return Some(done);
            }
            let card = body.get("transactionType").and_then(Value::as_str) != Some("CASH");
            let missing: Vec<&str> = RECEIPT_FIELDS
                .iter()
                .copied()
                .filter(|f| card && fetch.response_body.get(*f).is_none_or(Value::is_null))
                .collect();
            if missing.is_empty() {
                done.note = Some(format!(
                    "the POS prints its own receipt (printByPaymentApp: false) and read the receipt fields at #{}",
                    fetch.seq
                ));
            } else {
                done.problems.push(format!(
                    "the POS prints its own receipt (printByPaymentApp: false) but the detail it read at #{} lacks {}",
                    fetch.seq,
                    missing.join(", ")
                ));
            }
            Some(done)
        })
}

/// A DCC sale completed and fetched, then a VOID after it completed and its detail fetched.
fn dcc_void(entries: &[Entry]) -> Option<Reached> {
    let dcc = |f: &Entry| f.response_body.get("dccData").is_some_and(|d| !d.is_null());
    let (sale, sale_poll, sale_fetch, _) = txn_done(entries, "SALE", "COMPLETED", 0)?;
    let sale_fetch = sale_fetch?;
    let (void, void_poll, void_fetch, _) = txn_done(entries, "VOID", "COMPLETED", sale)?;
    let void_fetch = void_fetch?;
    let mut done = Reached {
        evidence: vec![
            sale,
            sale_poll,
            sale_fetch.seq,
            void,
            void_poll,
            void_fetch.seq,
        ],
        ..Reached::default()
    };
    if !dcc(sale_fetch) {
        done.problems.push(format!(
            "the sale's detail (#{}) has no dccData: make the sale with the amount the item names",
            sale_fetch.seq
        ));
    } else if !dcc(void_fetch) {
        done.problems.push(format!(
            "the void's detail (#{}) has no dccData: void the DCC sale, not another payment",
            void_fetch.seq
        ));
    } else {
        done.note = Some(format!(
            "DCC sale and its void completed; both details with dccData read (#{}, #{})",
            sale_fetch.seq, void_fetch.seq
        ));
    }
    Some(done)
}

fn goal_text(goal: Goal) -> String {
    match goal {
        Goal::Txn(op, "COMPLETED") => {
            format!("a {op} polled to COMPLETED and its transaction fetched with the contextId")
        }
        Goal::Txn(op, s) => format!("a {op} polled until it ended {s}"),
        Goal::Voids => {
            "a VOID LAST_TRANSACTION and a VOID OLDER_TRANSACTION polled to a final status"
                .to_owned()
        }
        Goal::Batch => "a BATCH task polled to a final status".to_owned(),
        Goal::Receipt => {
            "the transaction detail of a COMPLETED task fetched after COMPLETED with its contextId"
                .to_owned()
        }
        Goal::DccVoid => {
            "a DCC sale and then its VOID completed, both transaction details fetched".to_owned()
        }
        Goal::Unsupported(why) => why.to_owned(),
    }
}

/// Judges one item from the journal entries since it started.
fn judge_item(
    item: &Item,
    opts: &WalkOptions,
    window: &Journal,
    skipped: Option<&str>,
) -> ItemResult {
    let judgement = judge::judge(window);
    let checks: Vec<CheckResult> = judgement
        .checks
        .into_iter()
        .filter(|c| c.verdict != CheckVerdict::NotApplicable)
        .collect();
    let worst = checks.iter().map(|c| c.verdict).max();
    let done = reached(item.goal, &window.entries);
    let (verdict, summary) = match (&done, skipped) {
        (None, Some(why)) => (ItemVerdict::Skipped, why.to_owned()),
        (None, None) => (
            ItemVerdict::Fail,
            format!(
                "not seen within {} s: expected {} ({} requests arrived)",
                opts.timeout.as_secs(),
                goal_text(item.goal),
                window.entries.len()
            ),
        ),
        (Some(r), _) if !r.problems.is_empty() => (
            ItemVerdict::Fail,
            format!("done, but {}", r.problems.join("; ")),
        ),
        (Some(r), _) => match worst {
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
            _ => (
                ItemVerdict::Pass,
                format!(
                    "done: {}",
                    r.note.clone().unwrap_or_else(|| goal_text(item.goal))
                ),
            ),
        },
    };
    ItemResult {
        key: item.key,
        label: item.label(opts.list),
        title: item.title,
        verdict,
        summary,
        evidence: done.map(|r| r.evidence).unwrap_or_default(),
        checks,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::judge::fixture::J;

    #[test]
    fn lists_and_only_select_items_by_key_or_number() {
        assert_eq!(select(ListVersion::V1, &[]).expect("all").len(), 8);
        assert_eq!(select(ListVersion::V2, &[]).expect("all").len(), 12);
        let v3 = select(ListVersion::V3, &[]).expect("all");
        let numbers: Vec<u32> = v3
            .iter()
            .filter_map(|i| i.number(ListVersion::V3))
            .collect();
        assert_eq!(
            numbers,
            [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 15, 16, 17, 18, 19, 20],
            "walked in list order; 12–14 are cut off in the published list"
        );
        let picked = select(ListVersion::V3, &["4".into(), "batch".into()]).expect("known");
        let keys: Vec<&str> = picked.iter().map(|i| i.key).collect();
        assert_eq!(keys, ["declined", "batch"]);
        assert_eq!(v3[3].label(ListVersion::V3), "cert-c:4");
        let err = select(ListVersion::V1, &["dcc-3-decimals".into()]).unwrap_err();
        assert!(err.contains("not an item of list cert-a"), "{err}");
        assert!(ListVersion::parse("v4").is_err());
        assert!(v3[0].unsupported().is_some() && v3[16].unsupported().is_some());
        assert!(
            v3.iter()
                .filter(|i| i.unsupported().is_none())
                .all(|i| !i.instruction.is_empty())
        );
    }

    /// The Cloud transaction detail of a card sale, with or without the receipt fields.
    fn detail(receipt: bool, dcc: bool) -> serde_json::Value {
        let mut d = json!({"result": "ACCEPTED", "transactionOperation": "SALE", "Tid": "999888",
                           "currencyCode": "CZK", "amount": 1111, "cardDataEntry": "CHIP", "sequenceNumber": "1"});
        if receipt {
            for (k, v) in [
                ("batchNumber", json!("1")),
                ("receiptNumber", json!("1")),
                ("aid", json!("A0000000041010")),
                ("cardType", json!("MASTERCARD")),
                ("maskedPan", json!("************2820")),
                ("pinMessage", json!(true)),
                ("authorizationCode", json!("742048")),
            ] {
                d[k] = v;
            }
        }
        if dcc {
            d["dccData"] = json!({"amount": "4.123", "currency": "EUR"});
        }
        d
    }

    /// A payment created, polled to COMPLETED and its detail fetched; returns the time after it.
    fn paid(
        j: &mut J,
        at: f64,
        body: serde_json::Value,
        task: &str,
        ctx: &str,
        answer: serde_json::Value,
    ) -> f64 {
        j.create(at, body, task, "CREATED");
        let end = j.poll_to_completed(at + 1.0, 1.0, task, ctx);
        j.push(
            end + 1.0,
            "GET",
            &format!("/v1/transactions/{ctx}"),
            serde_json::Value::Null,
            200,
            answer,
        );
        end + 2.0
    }

    #[test]
    fn the_receipt_item_needs_the_detail_and_its_fields_when_the_pos_prints() {
        let goal = Goal::Receipt;
        // GP tom prints: reading the detail after COMPLETED is enough
        let mut j = J::new();
        paid(
            &mut j,
            0.0,
            J::sale_body(1111),
            "T1",
            "c-1",
            detail(false, false),
        );
        let r = reached(goal, &j.journal().entries).expect("reached");
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(r.evidence.len(), 3);
        // the POS prints its own receipt: the detail it read must carry the receipt fields
        let mut own = J::sale_body(1111);
        own["printByPaymentApp"] = json!(false);
        let mut j = J::new();
        paid(&mut j, 0.0, own.clone(), "T1", "c-1", detail(false, false));
        let r = reached(goal, &j.journal().entries).expect("reached");
        assert!(
            r.problems[0].contains("lacks batchNumber, receiptNumber, aid, cardType"),
            "{:?}",
            r.problems
        );
        let mut j = J::new();
        paid(&mut j, 0.0, own, "T1", "c-1", detail(true, false));
        let r = reached(goal, &j.journal().entries).expect("reached");
        assert!(
            r.problems.is_empty()
                && r.note
                    .is_some_and(|n| n.contains("read the receipt fields"))
        );
        // a detail fetched before COMPLETED does not count
        let mut j = J::new();
        j.create(0.0, J::sale_body(1111), "T1", "CREATED")
            .txn(1.0, "c-1", 404);
        assert!(reached(goal, &j.journal().entries).is_none());
    }

    #[test]
    fn refund_and_dcc_void_items_are_reached_by_their_own_operations() {
        let mut refund = J::sale_body(1111);
        refund["transactionOperation"] = json!("REFUND");
        let mut j = J::new();
        paid(
            &mut j,
            0.0,
            J::sale_body(1111),
            "T1",
            "c-1",
            detail(true, false),
        );
        assert!(reached(Goal::Txn("REFUND", "COMPLETED"), &j.journal().entries).is_none());
        paid(&mut j, 20.0, refund, "T2", "c-2", detail(true, false));
        assert!(reached(Goal::Txn("REFUND", "COMPLETED"), &j.journal().entries).is_some());

        let mut void = J::sale_body(9991);
        void["transactionOperation"] = json!("VOID");
        void["cancelMode"] = json!("LAST_TRANSACTION");
        let mut j = J::new();
        let t = paid(
            &mut j,
            0.0,
            J::sale_body(9991),
            "T1",
            "c-1",
            detail(true, true),
        );
        assert!(
            reached(Goal::DccVoid, &j.journal().entries).is_none(),
            "no void yet"
        );
        paid(&mut j, t, void.clone(), "T2", "c-2", detail(true, true));
        let r = reached(Goal::DccVoid, &j.journal().entries).expect("reached");
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(r.evidence.len(), 6);
        // a void of a payment without DCC data is the wrong payment
        let mut j = J::new();
        let t = paid(
            &mut j,
            0.0,
            J::sale_body(9991),
            "T1",
            "c-1",
            detail(true, true),
        );
        paid(&mut j, t, void, "T2", "c-2", detail(true, false));
        let r = reached(Goal::DccVoid, &j.journal().entries).expect("reached");
        assert!(
            r.problems[0].contains("the void's detail"),
            "{:?}",
            r.problems
        );
    }
}
