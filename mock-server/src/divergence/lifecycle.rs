//! The task lifecycle across calls (cloud-mock.md §7, §8, §10): what each task answer may say given the
//! answers before it. A create answers `CREATED` with no `contextId`; statuses only move forward and a final
//! one never changes; `contextId` is set exactly when COMPLETED; a COMPLETED transaction's detail is readable
//! and is that task's; a task still `CREATED` at `created + timeToLive` expires.

use std::collections::HashMap;

use serde_json::Value;

use super::Call;
use crate::clock::Timestamp;
use crate::contract::status::{FINAL_TASK_STATUSES, TASK_STATUSES, is_final};
use crate::engine::Profiles;
use crate::journal::Entry;

/// Seconds of clock difference between the proxy and the upstream tolerated before a task still `CREATED`
/// after its `timeToLive` counts as not expired.
const SKEW_MS: i64 = 2_000;

/// What the answers so far said of one task.
struct Seen {
    status: String,
    seq: u64,
    /// `created` as the upstream wrote it, with the task's `timeToLive` (seconds): its expiry instant.
    deadline: Option<Timestamp>,
    /// Journal time of the last answer that said `CREATED`, while no answer has said more.
    created_until: Option<Timestamp>,
    expiry_said: bool,
}

/// The tasks and COMPLETED transactions seen so far.
#[derive(Default)]
pub(super) struct Tasks {
    tasks: HashMap<String, Seen>,
    /// `contextId` of a COMPLETED TRANSACTION task → (task id, amount, Tid) from its payload.
    transactions: HashMap<String, (String, Option<i64>, Option<String>)>,
}

/// Position of a status in the documented order; every final status shares the last place.
fn rank(status: &str) -> usize {
    if is_final(status) {
        return TASK_STATUSES.len();
    }
    TASK_STATUSES
        .iter()
        .position(|s| *s == status)
        .unwrap_or(usize::MAX)
}

impl Tasks {
    /// Takes in one checked exchange; `say(rule, upstream, mock)` reports a divergence.
    pub(super) fn see(
        &mut self,
        call: Call<'_>,
        e: &Entry,
        profiles: Profiles,
        say: &mut impl FnMut(&'static str, String, String),
    ) {
        match call {
            Call::Create { .. } if e.status == 200 => {
                let status = text(&e.response_body, "status");
                if status.as_deref() != Some("CREATED") {
                    say(
                        "create-status",
                        format!(
                            "created in status {}",
                            status.as_deref().unwrap_or("(none)")
                        ),
                        "CREATED: no terminal has run a payment when its task is created".into(),
                    );
                }
                self.task(e, profiles, say);
            }
            Call::Task(_) if e.status == 200 => self.task(e, profiles, say),
            Call::Transaction(id) => self.transaction(id, e, say),
            _ => {}
        }
    }

    fn task(
        &mut self,
        e: &Entry,
        profiles: Profiles,
        say: &mut impl FnMut(&'static str, String, String),
    ) {
        let body = &e.response_body;
        let (Some(id), Some(status)) = (text(body, "taskId"), text(body, "status")) else {
            return; // the schema check has said what is missing
        };
        let context = body.get("contextId").filter(|c| !c.is_null());
        match (status.as_str(), context) {
            ("COMPLETED", None) => say(
                "context-id",
                "COMPLETED with contextId null".into(),
                "a COMPLETED task names its transaction or batch in contextId".into(),
            ),
            (s, Some(c)) if s != "COMPLETED" => say(
                "context-id",
                format!("{s} with contextId {c}"),
                "contextId null until the task is COMPLETED".into(),
            ),
            _ => {}
        }
        if status == "COMPLETED"
            && let Some(c) = context.and_then(Value::as_str)
            && body.get("taskClass").and_then(Value::as_str) == Some("TRANSACTION")
        {
            let amount = body.pointer("/payload/amount").and_then(Value::as_i64);
            let tid = body
                .pointer("/payload/Tid")
                .and_then(Value::as_str)
                .map(str::to_owned);
            self.transactions
                .insert(c.to_owned(), (id.clone(), amount, tid));
        }
        let deadline = text(body, "created")
            .and_then(|c| Timestamp::parse(&c).ok())
            .zip(body.pointer("/payload/timeToLive").and_then(Value::as_i64))
            .map(|(created, ttl)| created.plus_ms(ttl.saturating_mul(1000)));
        let seen = self.tasks.entry(id.clone()).or_insert_with(|| Seen {
            status: status.clone(),
            seq: e.seq,
            deadline,
            created_until: None,
            expiry_said: false,
        });
        if seen.status != status {
            if is_final(&seen.status) {
                say(
                    "lifecycle",
                    format!("{status} after {} (#{})", seen.status, seen.seq),
                    format!("{}: a final status never changes", seen.status),
                );
            } else if rank(&status) < rank(&seen.status) {
                say(
                    "lifecycle",
                    format!("{status} after {} (#{})", seen.status, seen.seq),
                    format!(
                        "statuses only move forward: {} → one of {}",
                        TASK_STATUSES[..TASK_STATUSES.len() - FINAL_TASK_STATUSES.len()]
                            .join(" → "),
                        FINAL_TASK_STATUSES.join(", ")
                    ),
                );
            }
        }
        expiry(seen, &status, e, profiles, say);
        seen.status = status;
        seen.seq = e.seq;
    }

    fn transaction(&self, id: &str, e: &Entry, say: &mut impl FnMut(&'static str, String, String)) {
        let Some((task, amount, tid)) = self.transactions.get(id) else {
            return;
        };
        if e.status != 200 {
            say(
                "transaction",
                format!("HTTP {}", e.status),
                format!("200: the transaction of task {task}, readable once the task is COMPLETED"),
            );
            return;
        }
        let body = &e.response_body;
        let mut differ = Vec::new();
        if body.get("transanctionId").and_then(Value::as_str) != Some(id) {
            differ.push(format!(
                "transanctionId {}",
                body.get("transanctionId").unwrap_or(&Value::Null)
            ));
        }
        if amount.is_some() && body.get("amount").and_then(Value::as_i64) != *amount {
            differ.push(format!(
                "amount {}",
                body.get("amount").unwrap_or(&Value::Null)
            ));
        }
        if tid.is_some() && text(body, "Tid") != *tid {
            differ.push(format!("Tid {}", body.get("Tid").unwrap_or(&Value::Null)));
        }
        if !differ.is_empty() {
            say(
                "transaction",
                differ.join(", "),
                format!("the id, amount and Tid of task {task}"),
            );
        }
    }
}

/// `timeToLive`: a task not STARTED by its deadline ends ERROR (`TASK_EXPIRED`) then [assumption; CANCELLED
/// under `--profile ttl-cancelled`]. Judged only where the answers leave no doubt: `CREATED` seen after the
/// deadline, or `CREATED` seen before it and a final status other than the expiry one right after it.
fn expiry(
    seen: &mut Seen,
    status: &str,
    e: &Entry,
    profiles: Profiles,
    say: &mut impl FnMut(&'static str, String, String),
) {
    let Some(deadline) = seen.deadline.filter(|_| !seen.expiry_said) else {
        return;
    };
    let expired = if profiles.ttl_cancelled {
        "CANCELLED"
    } else {
        "ERROR"
    };
    let mock = || {
        format!(
            "{expired} at created + timeToLive ({}) [assumption; ERROR by default, CANCELLED under --profile ttl-cancelled]",
            deadline.to_rfc3339()
        )
    };
    if status == "CREATED" {
        if e.time >= deadline.plus_ms(SKEW_MS) {
            seen.expiry_said = true;
            say(
                "expiry",
                format!("still CREATED at {}", e.time.to_rfc3339()),
                mock(),
            );
        } else {
            seen.created_until = Some(e.time);
        }
        return;
    }
    if let Some(before) = seen.created_until.take()
        && seen.status == "CREATED"
        && is_final(status)
        && before < deadline
        && e.time >= deadline
        && status != expired
    {
        seen.expiry_said = true;
        say(
            "expiry",
            format!(
                "{status} at {}, CREATED at {} before its deadline",
                e.time.to_rfc3339(),
                before.to_rfc3339()
            ),
            mock(),
        );
    }
}

fn text(body: &Value, key: &str) -> Option<String> {
    body.get(key).and_then(Value::as_str).map(str::to_owned)
}
