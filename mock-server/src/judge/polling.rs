//! Task-lifecycle checks: CLIENT-POLL-TO-FINAL, CLIENT-POLL-RATE, CLIENT-TXN-AFTER-COMPLETED,
//! CLIENT-CANCELLED-MEANS-NEW, CLIENT-TIMEOUT-RECONCILE.

use super::tasks::{Model, Task};
use super::{Entry, Finding, Outcome, plural, secs};

/// Polling a non-final task for at least this long before stopping is a warning, not a failure.
const PATIENT_MS: i64 = 5 * 60 * 1000;
/// A task whose last request is this close to the journal's end may still be being polled: not judged.
const STILL_RUNNING_MS: i64 = 10 * 1000;
/// Poll intervals below this fail.
const TOO_FAST_MS: i64 = 200;
/// Poll intervals below this warn.
const FAST_MS: i64 = 1000;
/// At most this many requests per second per TID.
const MAX_PER_SECOND: usize = 10;
/// More polls than this after the client saw CANCELLED is "polling it forever".
const POLLS_AFTER_CANCELLED: usize = 3;
/// A new SALE within this time after the client saw ERROR/TIMEOUT was not decided by a person.
const AUTOMATIC_MS: i64 = 10 * 1000;

/// CLIENT-POLL-TO-FINAL: every created task polled until a final status.
pub(crate) fn poll_to_final(entries: &[Entry], m: &Model) -> Outcome {
    let Some(end) = entries.last().map(|e| e.ms) else {
        return Outcome::NotApplicable("no entries");
    };
    let mut out = Vec::new();
    for t in &m.tasks {
        let created = &entries[t.created];
        let mut seqs = vec![created.seq];
        seqs.extend(t.polls.iter().map(|&i| entries[i].seq));
        if let Some((i, status)) = t.final_told() {
            out.push(Finding::pass(
                seqs,
                format!("task {} polled to {status} (#{})", t.id, entries[i].seq),
            ));
            continue;
        }
        let (last_i, last_status) = t
            .told
            .last()
            .map_or((t.created, "?"), |(i, s)| (*i, s.as_str()));
        let last = &entries[last_i];
        let newer_task_on_tid = m
            .tasks
            .iter()
            .any(|o| o.created > t.created && o.tid == t.tid);
        if end - last.ms < STILL_RUNNING_MS && !newer_task_on_tid {
            continue; // the journal ends while the POS may still be polling
        }
        out.push(if t.polls.is_empty() {
            Finding::fail(
                seqs,
                format!("task {} was never polled (created #{})", t.id, created.seq),
            )
        } else if last.ms - created.ms >= PATIENT_MS {
            Finding::warn(
                seqs,
                format!(
                    "task {} polled for {} and left at {last_status} (#{})",
                    t.id,
                    secs(created.ms, last.ms),
                    last.seq
                ),
            )
        } else {
            Finding::fail(
                seqs,
                format!(
                    "task {} stopped being polled at {last_status} after {} (last poll #{})",
                    t.id,
                    secs(created.ms, last.ms),
                    last.seq
                ),
            )
        });
    }
    if m.tasks.is_empty() {
        return Outcome::NotApplicable("no task was created");
    }
    Outcome::Judged(out)
}

/// CLIENT-POLL-RATE: intervals between answered GETs of one task; requests per second per TID.
pub(crate) fn poll_rate(entries: &[Entry], m: &Model) -> Outcome {
    let mut out = Vec::new();
    for t in &m.tasks {
        let answered: Vec<&Entry> = t
            .polls
            .iter()
            .map(|&i| &entries[i])
            .filter(|e| e.status != 401 && e.status != 0)
            .collect();
        if answered.len() < 2 {
            continue;
        }
        let (gap, pair) = answered
            .windows(2)
            .map(|w| (w[1].ms - w[0].ms, [w[0].seq, w[1].seq]))
            .min_by_key(|(gap, _)| *gap)
            .unwrap_or((i64::MAX, [0, 0]));
        let note = format!(
            "task {}: {}, shortest interval {} (#{} → #{})",
            t.id,
            plural(answered.len(), "poll", "polls"),
            secs(0, gap),
            pair[0],
            pair[1]
        );
        out.push(if gap < TOO_FAST_MS {
            Finding::fail(pair.to_vec(), note)
        } else if gap < FAST_MS {
            Finding::warn(pair.to_vec(), note)
        } else {
            Finding::pass(pair.to_vec(), note)
        });
    }
    // requests per second per TID (every /v1 call counts)
    let mut tids: Vec<&str> = entries
        .iter()
        .filter(|e| e.is_v1())
        .filter_map(|e| e.tid.as_deref())
        .collect();
    tids.sort_unstable();
    tids.dedup();
    for tid in tids {
        let on: Vec<&Entry> = entries
            .iter()
            .filter(|e| e.is_v1() && e.tid.as_deref() == Some(tid))
            .collect();
        let burst = (0..on.len())
            .map(|i| {
                let n = on[i..]
                    .iter()
                    .take_while(|e| e.ms - on[i].ms < 1000)
                    .count();
                (n, i)
            })
            .max_by_key(|(n, i)| (*n, std::cmp::Reverse(*i)));
        if let Some((n, i)) = burst.filter(|(n, _)| *n > MAX_PER_SECOND) {
            out.push(Finding::fail(
                on[i..i + n].iter().map(|e| e.seq).collect(),
                format!(
                    "TID {tid}: {n} requests within one second from #{} (at most {MAX_PER_SECOND})",
                    on[i].seq
                ),
            ));
        }
    }
    if out.is_empty() {
        return Outcome::NotApplicable("no task was polled twice");
    }
    Outcome::Judged(out)
}

/// CLIENT-TXN-AFTER-COMPLETED: transactions fetched after COMPLETED with the task's contextId.
pub(crate) fn txn_after_completed(entries: &[Entry], m: &Model) -> Outcome {
    let mut out = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let Some(id) = e.transaction_fetch() else {
            continue;
        };
        if let Some(t) = m.by_context(id) {
            match t.first_told("COMPLETED") {
                Some(c) if c < i => out.push(Finding::pass(
                    vec![e.seq],
                    format!(
                        "{}: contextId of task {}, COMPLETED at #{}",
                        e.label(),
                        t.id,
                        entries[c].seq
                    ),
                )),
                _ => out.push(Finding::fail(
                    vec![e.seq],
                    format!("{}: before task {} was seen COMPLETED", e.label(), t.id),
                )),
            }
            continue;
        }
        if let Some(t) = m.find(id) {
            out.push(Finding::fail(
                vec![e.seq],
                format!(
                    "{}: that is task {}'s taskId, not a transaction id (use the task's contextId once COMPLETED)",
                    e.label(),
                    t.id
                ),
            ));
            continue;
        }
        if e.status == 200 {
            continue; // a transaction from before the journal's window: nothing to judge
        }
        let pending = m
            .tasks
            .iter()
            .find(|t| t.created < i && t.tid == e.tid && t.final_told().is_none_or(|(f, _)| f > i));
        let note = match pending {
            Some(t) => format!(
                "{}: an id the mock never gave as a contextId, while task {} was not final",
                e.label(),
                t.id
            ),
            None => format!("{}: an id the mock never gave as a contextId", e.label()),
        };
        out.push(Finding::fail(vec![e.seq], note));
    }
    if out.is_empty() {
        return Outcome::NotApplicable("no transaction was fetched");
    }
    Outcome::Judged(out)
}

fn cancelled(t: &Task) -> Option<usize> {
    t.first_told("CANCELLED")
}

/// CLIENT-CANCELLED-MEANS-NEW: after CANCELLED, no endless polling and no transaction fetch.
pub(crate) fn cancelled_means_new(entries: &[Entry], m: &Model) -> Outcome {
    let mut out = Vec::new();
    for t in &m.tasks {
        let Some(seen) = cancelled(t) else {
            continue;
        };
        let next_create = m
            .tasks
            .iter()
            .find(|o| o.created > seen && o.tid == t.tid)
            .map_or(entries.len(), |o| o.created);
        let polls_after: Vec<u64> = t
            .polls
            .iter()
            .filter(|&&i| i > seen)
            .map(|&i| entries[i].seq)
            .collect();
        let fetch = entries[seen + 1..next_create].iter().find(|e| {
            e.transaction_fetch().is_some_and(|id| {
                m.by_context(id)
                    .and_then(|o| o.first_told("COMPLETED"))
                    .is_none()
            })
        });
        let seen_seq = entries[seen].seq;
        out.push(if let Some(f) = fetch {
            Finding::fail(
                vec![seen_seq, f.seq],
                format!(
                    "task {} was CANCELLED (#{seen_seq}), then a transaction was fetched: {}",
                    t.id,
                    f.label()
                ),
            )
        } else if polls_after.len() > POLLS_AFTER_CANCELLED {
            let mut seqs = vec![seen_seq];
            seqs.extend(&polls_after);
            Finding::fail(
                seqs,
                format!(
                    "task {} was CANCELLED (#{seen_seq}) and polled {} more times",
                    t.id,
                    polls_after.len()
                ),
            )
        } else {
            let new = if next_create < entries.len() {
                format!(", new task #{}", entries[next_create].seq)
            } else {
                String::new()
            };
            Finding::pass(
                vec![seen_seq],
                format!("task {} CANCELLED (#{seen_seq}): left alone{new}", t.id),
            )
        });
    }
    if out.is_empty() {
        return Outcome::NotApplicable("no task was seen CANCELLED");
    }
    Outcome::Judged(out)
}

/// CLIENT-TIMEOUT-RECONCILE: no automatic new SALE right after an ERROR/TIMEOUT.
pub(crate) fn timeout_reconcile(entries: &[Entry], m: &Model) -> Outcome {
    let mut out = Vec::new();
    for t in &m.tasks {
        let Some((seen, "ERROR")) = t.final_told() else {
            continue;
        };
        if t.error_type.as_deref() != Some("TIMEOUT") {
            continue;
        }
        let at = &entries[seen];
        let next_sale = entries[seen + 1..].iter().find(|e| {
            e.is_transaction_create()
                && e.body_str("transactionOperation") == Some("SALE")
                && (e.tid == t.tid || e.body_str("Tid") == t.tid.as_deref())
        });
        out.push(match next_sale {
            Some(s) if s.ms - at.ms < AUTOMATIC_MS => Finding::fail(
                vec![at.seq, s.seq],
                format!(
                    "task {} ended ERROR/TIMEOUT (#{}) and a new SALE followed {} later (#{}), too soon for an operator's decision",
                    t.id,
                    at.seq,
                    secs(at.ms, s.ms),
                    s.seq
                ),
            ),
            Some(s) => Finding::pass(
                vec![at.seq, s.seq],
                format!(
                    "task {} ended ERROR/TIMEOUT (#{}); next SALE {} later (#{})",
                    t.id,
                    at.seq,
                    secs(at.ms, s.ms),
                    s.seq
                ),
            ),
            None => Finding::pass(
                vec![at.seq],
                format!("task {} ended ERROR/TIMEOUT (#{}); no new SALE", t.id, at.seq),
            ),
        });
    }
    if out.is_empty() {
        return Outcome::NotApplicable("no task was seen ending ERROR/TIMEOUT");
    }
    Outcome::Judged(out)
}

#[cfg(test)]
mod tests {
    use super::super::CheckVerdict::{Fail, NotApplicable, Pass, Warn};
    use super::super::fixture::J;

    const T: &str = "T000000001";

    fn sale(j: &mut J, at: f64) {
        j.token(0.0).create(at, J::sale_body(1111), T, "CREATED");
    }

    #[test]
    fn poll_to_final_passes_completed_fails_early_stop_warns_after_five_minutes() {
        let mut good = J::new();
        sale(&mut good, 1.0);
        good.poll_to_completed(2.0, 1.0, T, "c-1");
        assert_eq!(good.verdict("CLIENT-POLL-TO-FINAL"), Pass);

        let mut early = J::new();
        sale(&mut early, 1.0);
        early.poll(2.0, T, "IN_PROGRESS", None);
        early.token(100.0); // the journal goes on without the task
        let r = early.result("CLIENT-POLL-TO-FINAL");
        assert_eq!(r.verdict, Fail, "{r:?}");
        assert!(
            r.summary.contains("stopped being polled at IN_PROGRESS"),
            "{}",
            r.summary
        );

        let mut never = J::new();
        sale(&mut never, 1.0);
        never.token(100.0);
        assert!(
            never
                .result("CLIENT-POLL-TO-FINAL")
                .summary
                .contains("never polled")
        );

        let mut patient = J::new();
        sale(&mut patient, 1.0);
        patient
            .poll(2.0, T, "IN_PROGRESS", None)
            .poll(400.0, T, "IN_PROGRESS", None);
        patient.token(500.0);
        assert_eq!(patient.verdict("CLIENT-POLL-TO-FINAL"), Warn);

        let mut running = J::new();
        sale(&mut running, 1.0);
        running.poll(2.0, T, "IN_PROGRESS", None);
        assert_eq!(running.verdict("CLIENT-POLL-TO-FINAL"), NotApplicable);
    }

    #[test]
    fn poll_rate_passes_one_second_warns_half_fails_tenth_and_bursts() {
        let rate = |every: f64| {
            let mut j = J::new();
            sale(&mut j, 1.0);
            j.poll_to_completed(2.0, every, T, "c-1");
            j.verdict("CLIENT-POLL-RATE")
        };
        assert_eq!(rate(1.0), Pass);
        assert_eq!(rate(0.5), Warn);
        assert_eq!(rate(0.1), Fail);
        assert_eq!(J::new().verdict("CLIENT-POLL-RATE"), NotApplicable);
        // 12 different tasks read within one second on one TID
        let mut burst = J::new();
        burst.token(0.0);
        for i in 0..12 {
            burst.poll(
                10.0 + f64::from(i) * 0.05,
                &format!("T0000000{i:02}"),
                "CREATED",
                None,
            );
        }
        sale(&mut burst, 11.0);
        burst
            .poll(12.0, T, "CREATED", None)
            .poll(14.0, T, "COMPLETED", Some("c"));
        let r = burst.result("CLIENT-POLL-RATE");
        assert_eq!(r.verdict, Fail, "{r:?}");
        assert!(
            r.summary.contains("12 requests within one second"),
            "{}",
            r.summary
        );
    }

    #[test]
    fn txn_after_completed_passes_context_id_fails_task_id_and_unknown_ids() {
        let mut good = J::new();
        sale(&mut good, 1.0);
        let end = good.poll_to_completed(2.0, 1.0, T, "c-1");
        good.txn(end + 0.5, "c-1", 200);
        assert_eq!(good.verdict("CLIENT-TXN-AFTER-COMPLETED"), Pass);

        let mut task_id = J::new();
        sale(&mut task_id, 1.0);
        task_id.poll(2.0, T, "CREATED", None).txn(2.5, T, 404);
        task_id.poll_to_completed(3.0, 1.0, T, "c-1");
        let r = task_id.result("CLIENT-TXN-AFTER-COMPLETED");
        assert_eq!(r.verdict, Fail);
        assert!(r.summary.contains("taskId"), "{}", r.summary);

        let mut unknown = J::new();
        sale(&mut unknown, 1.0);
        unknown
            .poll(2.0, T, "IN_PROGRESS", None)
            .txn(2.5, "x-1", 404);
        assert!(
            unknown
                .result("CLIENT-TXN-AFTER-COMPLETED")
                .summary
                .contains("not final")
        );
        assert_eq!(
            J::new().verdict("CLIENT-TXN-AFTER-COMPLETED"),
            NotApplicable
        );
    }

    #[test]
    fn cancelled_means_new_passes_a_new_task_fails_endless_polls_and_fetches() {
        let mut good = J::new();
        sale(&mut good, 1.0);
        good.poll(2.0, T, "CANCELLED", None);
        good.create(10.0, J::sale_body(1111), "T000000002", "CREATED");
        assert_eq!(good.verdict("CLIENT-CANCELLED-MEANS-NEW"), Pass);

        let mut forever = J::new();
        sale(&mut forever, 1.0);
        for i in 0..6 {
            forever.poll(2.0 + f64::from(i), T, "CANCELLED", None);
        }
        assert_eq!(forever.verdict("CLIENT-CANCELLED-MEANS-NEW"), Fail);

        let mut fetch = J::new();
        sale(&mut fetch, 1.0);
        fetch.poll(2.0, T, "CANCELLED", None).txn(3.0, "null", 404);
        assert_eq!(fetch.verdict("CLIENT-CANCELLED-MEANS-NEW"), Fail);
        assert_eq!(
            J::new().verdict("CLIENT-CANCELLED-MEANS-NEW"),
            NotApplicable
        );
    }

    #[test]
    fn timeout_reconcile_fails_an_immediate_new_sale() {
        let mut good = J::new();
        sale(&mut good, 1.0);
        good.poll(62.0, T, "ERROR", Some("TIMEOUT"));
        good.create(120.0, J::sale_body(1111), "T000000002", "CREATED");
        assert_eq!(good.verdict("CLIENT-TIMEOUT-RECONCILE"), Pass);

        let mut bad = J::new();
        sale(&mut bad, 1.0);
        bad.poll(62.0, T, "ERROR", Some("TIMEOUT"));
        bad.create(62.5, J::sale_body(1111), "T000000002", "CREATED");
        assert_eq!(bad.verdict("CLIENT-TIMEOUT-RECONCILE"), Fail);

        let mut other_error = J::new();
        sale(&mut other_error, 1.0);
        other_error.poll(6.0, T, "ERROR", Some("PAYMENT_EXCEPTION"));
        other_error.create(6.5, J::sale_body(1111), "T000000002", "CREATED");
        assert_eq!(
            other_error.verdict("CLIENT-TIMEOUT-RECONCILE"),
            NotApplicable
        );
    }
}
