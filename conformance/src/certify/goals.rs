//! "Is the item done?": pure functions of the journal entries since an item started — whether its goal is
//! reached, with the evidence (journal seqs) and what is still wrong — and the item's verdict from that and
//! the client checks. No I/O.

use std::collections::HashMap;
use std::time::Duration;

use mock_server::contract::fields::RECEIPT_FIELDS;
use mock_server::contract::status::is_final;
use serde_json::Value;

use super::judge::{self, CheckResult, CheckVerdict, Entry, Journal};
use super::list::{Goal, Item, ListVersion};
use super::outcome::{ItemResult, ItemVerdict};

/// The final status the POS was told per task, with the poll's seq and the task's contextId.
fn finals(entries: &[Entry]) -> HashMap<&str, (&str, u64, Option<&str>)> {
    let mut out = HashMap::new();
    for e in entries.iter().filter(|e| e.is_poll() && e.status == 200) {
        if let (Some(id), Some(status)) = (e.task_id.as_deref(), e.task_status.as_deref())
            && is_final(status)
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
pub(super) struct Reached {
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
pub(super) fn reached(goal: Goal, entries: &[Entry]) -> Option<Reached> {
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

/// Judges one item from the journal entries since it started (`timeout`: how long the walk waited).
pub(super) fn judge_item(
    item: &Item,
    list: ListVersion,
    timeout: Duration,
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
                timeout.as_secs(),
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
        label: item.label(list),
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
    use crate::certify::judge::fixture::J;

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
