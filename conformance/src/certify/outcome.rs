//! What a walk-through produced, as plain data: per item a verdict with its evidence and checks, the session's
//! judgement, and the events the console shows while it runs. Reports read only this (and the judgement).

use std::time::Duration;

use serde::Serialize;

use super::judge::{CheckResult, CheckVerdict, Judgement};
use super::list::{Item, ListVersion};
use crate::account::Credentials;

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
