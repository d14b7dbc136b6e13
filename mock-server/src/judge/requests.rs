//! Request checks: CLIENT-NO-BLIND-RETRY, CLIENT-NO-DUPLICATE-AFTER-502, CLIENT-VOID-SAME-TID,
//! CLIENT-AMOUNT-MINOR-UNITS, CLIENT-REFERENCE-RULES, CLIENT-FIELD-NAMES.

use serde_json::Value;

use super::tasks::Model;
use super::{Entry, Finding, Outcome, plural, secs};

/// Creates of one payment intent (TID, operation, amount, title) within this window are one intent.
const INTENT_WINDOW_MS: i64 = 60 * 1000;
/// A re-create this long after the failure (or after any check) is taken as the operator's decision.
const CONFIRMED_MS: i64 = 5 * 1000;

use crate::contract::fields::{
    BATCH_TASK_REQUIRED as BATCH_REQUIRED, TRANSACTION_TASK_FIELDS as TRANSACTION_FIELDS,
    TRANSACTION_TASK_REQUIRED as TRANSACTION_REQUIRED,
};

fn keys_differing(a: &Value, b: &Value) -> Vec<String> {
    match (a.as_object(), b.as_object()) {
        (Some(a), Some(b)) => {
            let mut keys: Vec<String> = a
                .keys()
                .chain(b.keys())
                .filter(|k| a.get(*k) != b.get(*k))
                .cloned()
                .collect();
            keys.sort();
            keys.dedup();
            keys
        }
        _ => vec!["body".to_owned()],
    }
}

/// CLIENT-NO-BLIND-RETRY: after 403/404/406 the next create differs (or there is none).
pub(crate) fn no_blind_retry(entries: &[Entry]) -> Outcome {
    let mut out = Vec::new();
    let mut resent_seen: Vec<u64> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if !(e.is_v1() && matches!(e.status, 403 | 404 | 406)) || resent_seen.contains(&e.seq) {
            continue;
        }
        let kind = e.error_type().unwrap_or("?");
        let rest = &entries[i + 1..];
        let next = if e.is_create() {
            rest.iter().find(|x| x.is_create())
        } else {
            rest.iter().find(|x| x.is_v1())
        };
        out.push(match next {
            Some(n)
                if n.method == e.method && n.path == e.path && n.request_body == e.request_body =>
            {
                resent_seen.push(n.seq);
                Finding::fail(
                    vec![e.seq, n.seq],
                    format!(
                        "{} {kind}: the same request was sent again (#{})",
                        e.label(),
                        n.seq
                    ),
                )
            }
            Some(n) if e.is_create() => Finding::pass(
                vec![e.seq, n.seq],
                format!(
                    "{} {kind}: next create (#{}) changed {}",
                    e.label(),
                    n.seq,
                    keys_differing(&e.request_body, &n.request_body).join(", ")
                ),
            ),
            _ => Finding::pass(vec![e.seq], format!("{} {kind}: not repeated", e.label())),
        });
    }
    if out.is_empty() {
        return Outcome::NotApplicable("no 403, 404 or 406 answers to /v1 calls");
    }
    Outcome::Judged(out)
}

fn intent(e: &Entry) -> (Option<&str>, Option<&str>, Option<&Value>, Option<&str>) {
    (
        e.body_str("Tid").or(e.tid.as_deref()),
        e.body_str("transactionOperation"),
        e.request_body.get("amount"),
        e.body_str("title"),
    )
}

/// CLIENT-NO-DUPLICATE-AFTER-502: after a 502 or a dropped create, at most one task per payment intent.
pub(crate) fn no_duplicate_after_502(entries: &[Entry]) -> Outcome {
    let mut out = Vec::new();
    let mut in_chain: Vec<u64> = Vec::new();
    for (i, f) in entries.iter().enumerate() {
        if !(f.is_transaction_create() && matches!(f.status, 0 | 502)) || in_chain.contains(&f.seq)
        {
            continue;
        }
        let what = if f.status == 0 {
            "connection dropped"
        } else {
            "502"
        };
        let again: Vec<&Entry> = entries[i + 1..]
            .iter()
            .filter(|x| {
                x.is_transaction_create()
                    && x.ms - f.ms <= INTENT_WINDOW_MS
                    && intent(x) == intent(f)
            })
            .collect();
        in_chain.extend(again.iter().map(|x| x.seq));
        let created: Vec<&&Entry> = again.iter().filter(|x| x.status == 200).collect();
        let mut seqs = vec![f.seq];
        seqs.extend(again.iter().map(|x| x.seq));
        let Some(first) = again.first() else {
            out.push(Finding::pass(
                seqs,
                format!("#{} {what}: not re-created automatically", f.seq),
            ));
            continue;
        };
        if created.len() > 1 {
            out.push(Finding::fail(
                seqs,
                format!(
                    "#{} {what}: {} created for one payment intent within {} ({})",
                    f.seq,
                    plural(created.len(), "task", "tasks"),
                    secs(0, INTENT_WINDOW_MS),
                    created
                        .iter()
                        .map(|x| format!("#{}", x.seq))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
            continue;
        }
        let checked = entries
            .iter()
            .any(|x| x.seq > f.seq && x.seq < first.seq && x.is_v1() && x.method == "GET");
        let waited = first.ms - f.ms >= CONFIRMED_MS;
        out.push(if checked || waited {
            Finding::pass(
                seqs,
                format!(
                    "#{} {what}: re-created once (#{}) after {}",
                    f.seq,
                    first.seq,
                    if checked {
                        "checking".to_owned()
                    } else {
                        secs(f.ms, first.ms)
                    }
                ),
            )
        } else {
            Finding::warn(
                seqs,
                format!(
                    "#{} {what}: re-created {} later (#{}) without checking or asking",
                    f.seq,
                    secs(f.ms, first.ms),
                    first.seq
                ),
            )
        });
    }
    if out.is_empty() {
        return Outcome::NotApplicable("no task create ended in a 502 or a dropped connection");
    }
    Outcome::Judged(out)
}

/// CLIENT-VOID-SAME-TID: VOIDs on the origin's TID with a valid cancelMode and the origin id for OLDER.
pub(crate) fn void_same_tid(entries: &[Entry], m: &Model) -> Outcome {
    let mut out = Vec::new();
    for e in entries
        .iter()
        .filter(|e| e.is_transaction_create() && e.body_str("transactionOperation") == Some("VOID"))
    {
        let tid = e.body_str("Tid");
        let mode = e.body_str("cancelMode");
        let origin = e.body_str("originTransactionId").filter(|s| !s.is_empty());
        let label = e.label();
        out.push(match (mode, origin) {
            (None, _) => Finding::fail(vec![e.seq], format!("{label}: VOID without `cancelMode`")),
            (Some(m), _) if m != "LAST_TRANSACTION" && m != "OLDER_TRANSACTION" => Finding::fail(
                vec![e.seq],
                format!("{label}: `cancelMode` {m:?} is not LAST_TRANSACTION or OLDER_TRANSACTION"),
            ),
            (Some("OLDER_TRANSACTION"), None) => Finding::fail(
                vec![e.seq],
                format!("{label}: OLDER_TRANSACTION without `originTransactionId`"),
            ),
            _ if e.error_type() == Some("TERMINAL_MISMATCH") => Finding::fail(
                vec![e.seq],
                format!("{label}: the origin was made on another TID (TERMINAL_MISMATCH)"),
            ),
            (Some("OLDER_TRANSACTION"), Some(id)) => match m.by_context(id) {
                Some(t) if t.tid.as_deref() != tid => {
                    let seq = entries[t.created].seq;
                    Finding::fail(
                        vec![e.seq, seq],
                        format!(
                            "{label}: VOID on TID {} of a sale made on TID {} (#{seq})",
                            tid.unwrap_or("?"),
                            t.tid.as_deref().unwrap_or("?")
                        ),
                    )
                }
                Some(t) => Finding::pass(
                    vec![e.seq, entries[t.created].seq],
                    format!(
                        "{label}: OLDER_TRANSACTION of task {} on the same TID",
                        t.id
                    ),
                ),
                None if e.error_type() == Some("TRANSACTION_NOT_FOUND") => Finding::fail(
                    vec![e.seq],
                    format!("{label}: `originTransactionId` {id} names no transaction"),
                ),
                None => Finding::pass(
                    vec![e.seq],
                    format!("{label}: OLDER_TRANSACTION of a transaction outside the journal"),
                ),
            },
            _ => Finding::pass(
                vec![e.seq],
                format!("{label}: LAST_TRANSACTION on TID {}", tid.unwrap_or("?")),
            ),
        });
    }
    if out.is_empty() {
        return Outcome::NotApplicable("no VOID was sent");
    }
    Outcome::Judged(out)
}

/// CLIENT-AMOUNT-MINOR-UNITS: `amount`/`tipAmount` as JSON integers; suspiciously small values warn.
pub(crate) fn amount_minor_units(entries: &[Entry]) -> Outcome {
    let mut out = Vec::new();
    let mut ints: Vec<(u64, i64)> = Vec::new();
    for e in entries.iter().filter(|e| e.is_transaction_create()) {
        for field in ["amount", "tipAmount"] {
            let Some(v) = e.request_body.get(field) else {
                continue;
            };
            let label = format!("#{} {field} {v}", e.seq);
            match v {
                Value::Number(n) if n.is_i64() || n.is_u64() => {
                    if field == "amount" {
                        ints.push((e.seq, n.as_i64().unwrap_or(i64::MAX)));
                    }
                    out.push(Finding::pass(vec![e.seq], label));
                }
                Value::Number(_) => out.push(Finding::fail(
                    vec![e.seq],
                    format!("{label}: a decimal number; amounts are integers in minor units"),
                )),
                Value::String(s) if s.parse::<i64>().is_ok() => out.push(Finding::warn(
                    vec![e.seq],
                    format!("{label}: a numeric string (accepted only by the lenient mock); send a JSON integer"),
                )),
                Value::Null => {}
                _ => out.push(Finding::fail(
                    vec![e.seq],
                    format!("{label}: not an integer in minor units"),
                )),
            }
        }
    }
    let round = ints
        .iter()
        .filter(|(_, a)| *a >= 100 && a % 100 == 0)
        .count();
    if round >= 2 {
        for (seq, a) in ints.iter().filter(|(_, a)| *a > 0 && *a < 100) {
            out.push(Finding::warn(
                vec![*seq],
                format!(
                    "#{seq} amount {a}: looks like major units ({a}.00 would be {}), other amounts end in 00",
                    a * 100
                ),
            ));
        }
    }
    if out.is_empty() {
        return Outcome::NotApplicable("no amounts were sent");
    }
    Outcome::Judged(out)
}

/// CLIENT-REFERENCE-RULES: `originReferenceNum` ≤ 20 ASCII letters and digits.
pub(crate) fn reference_rules(entries: &[Entry]) -> Outcome {
    let mut out = Vec::new();
    for e in entries.iter().filter(|e| e.is_transaction_create()) {
        let Some(v) = e.request_body.get("originReferenceNum") else {
            continue;
        };
        let label = format!("#{} originReferenceNum {v}", e.seq);
        out.push(match v {
            Value::String(s) if s.chars().count() > 20 => Finding::fail(
                vec![e.seq],
                format!("{label}: {} characters (at most 20)", s.chars().count()),
            ),
            Value::String(s) if !s.bytes().all(|b| b.is_ascii_alphanumeric()) => {
                let bad: String = s.chars().filter(|c| !c.is_ascii_alphanumeric()).collect();
                Finding::fail(
                    vec![e.seq],
                    format!("{label}: {bad:?} are not ASCII letters or digits"),
                )
            }
            Value::String(_) | Value::Null => Finding::pass(vec![e.seq], label),
            _ => Finding::fail(vec![e.seq], format!("{label}: not a string")),
        });
    }
    if out.is_empty() {
        return Outcome::NotApplicable("no originReferenceNum was sent");
    }
    Outcome::Judged(out)
}

/// CLIENT-FIELD-NAMES: documented, case-sensitive names; every required field present.
pub(crate) fn field_names(entries: &[Entry]) -> Outcome {
    let mut out = Vec::new();
    for e in entries.iter().filter(|e| e.is_create()) {
        let Some(body) = e.request_body.as_object() else {
            continue;
        };
        let required = if e.path == "/v1/tasks/BATCH" {
            BATCH_REQUIRED
        } else {
            TRANSACTION_REQUIRED
        };
        let mut fails = Vec::new();
        let mut warns = Vec::new();
        for k in body.keys() {
            if TRANSACTION_FIELDS.contains(&k.as_str()) {
                continue;
            }
            match TRANSACTION_FIELDS
                .iter()
                .find(|d| d.eq_ignore_ascii_case(k))
            {
                Some(d) => fails.push(format!("`{k}` instead of `{d}`")),
                None => warns.push(format!("unknown field `{k}`")),
            }
        }
        for r in required {
            let misspelt = body.keys().any(|k| k != r && k.eq_ignore_ascii_case(r));
            if !body.contains_key(*r) && !misspelt {
                fails.push(format!("missing `{r}`"));
            }
        }
        let label = e.label();
        out.push(if !fails.is_empty() {
            fails.extend(warns);
            Finding::fail(vec![e.seq], format!("{label}: {}", fails.join(", ")))
        } else if !warns.is_empty() {
            Finding::warn(vec![e.seq], format!("{label}: {}", warns.join(", ")))
        } else {
            Finding::pass(vec![e.seq], label)
        });
    }
    if out.is_empty() {
        return Outcome::NotApplicable("no task bodies were sent");
    }
    Outcome::Judged(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::CheckVerdict::{Fail, NotApplicable, Pass, Warn};
    use super::super::fixture::J;

    #[test]
    fn no_blind_retry_passes_a_fixed_body_and_fails_the_same_body() {
        let wrong = {
            let mut b = J::sale_body(1111);
            b["apiKey"] = json!("WRONG");
            b
        };
        let mut good = J::new();
        good.token(0.0)
            .create_err(1.0, wrong.clone(), 403, "TERMINAL_ACCESS_DENIED");
        good.create(5.0, J::sale_body(1111), "T000000001", "CREATED");
        let r = good.result("CLIENT-NO-BLIND-RETRY");
        assert_eq!(r.verdict, Pass);
        assert!(
            r.evidence.is_empty() || r.evidence[0].note.contains("changed apiKey"),
            "{r:?}"
        );

        let mut bad = J::new();
        bad.token(0.0)
            .create_err(1.0, wrong.clone(), 403, "TERMINAL_ACCESS_DENIED");
        bad.create_err(1.5, wrong.clone(), 403, "TERMINAL_ACCESS_DENIED");
        bad.create_err(2.0, wrong, 403, "TERMINAL_ACCESS_DENIED");
        let r = bad.result("CLIENT-NO-BLIND-RETRY");
        assert_eq!(r.verdict, Fail);
        assert_eq!(r.evidence.len(), 1, "a chain is one finding: {r:?}");

        let mut get = J::new();
        get.token(0.0).txn(1.0, "x", 404).txn(2.0, "x", 404);
        assert_eq!(get.verdict("CLIENT-NO-BLIND-RETRY"), Fail);
        assert_eq!(J::new().verdict("CLIENT-NO-BLIND-RETRY"), NotApplicable);
    }

    #[test]
    fn no_duplicate_after_502_passes_a_confirmed_recreate_warns_immediate_fails_two_tasks() {
        let body = J::sale_body(1111);
        let mut good = J::new();
        good.token(0.0)
            .create_err(1.0, body.clone(), 502, "PUSH_NOTIFICATION_FAILED");
        good.create(20.0, body.clone(), "T000000001", "CREATED");
        assert_eq!(good.verdict("CLIENT-NO-DUPLICATE-AFTER-502"), Pass);

        let mut quick = J::new();
        quick
            .token(0.0)
            .create_err(1.0, body.clone(), 502, "PUSH_NOTIFICATION_FAILED");
        quick.create(1.2, body.clone(), "T000000001", "CREATED");
        assert_eq!(quick.verdict("CLIENT-NO-DUPLICATE-AFTER-502"), Warn);

        let mut dup = J::new();
        dup.token(0.0)
            .create_err(1.0, body.clone(), 502, "PUSH_NOTIFICATION_FAILED");
        dup.create(1.2, body.clone(), "T000000001", "CREATED");
        dup.create(1.4, body.clone(), "T000000002", "CREATED");
        let r = dup.result("CLIENT-NO-DUPLICATE-AFTER-502");
        assert_eq!(r.verdict, Fail);
        assert!(r.summary.contains("2 tasks created"), "{}", r.summary);

        let mut dropped = J::new();
        dropped.token(0.0).create_err(1.0, body.clone(), 0, "");
        assert_eq!(dropped.verdict("CLIENT-NO-DUPLICATE-AFTER-502"), Pass);
        assert_eq!(
            J::new().verdict("CLIENT-NO-DUPLICATE-AFTER-502"),
            NotApplicable
        );
    }

    fn void(mode: Option<&str>, origin: Option<&str>, tid: &str) -> serde_json::Value {
        let mut b = J::sale_body(1111);
        b["transactionOperation"] = json!("VOID");
        b["Tid"] = json!(tid);
        if let Some(m) = mode {
            b["cancelMode"] = json!(m);
        }
        if let Some(o) = origin {
            b["originTransactionId"] = json!(o);
        }
        b
    }

    #[test]
    fn void_same_tid_passes_last_and_older_fails_other_tid_and_missing_id() {
        let mut good = J::new();
        good.token(0.0)
            .create(1.0, J::sale_body(1111), "T000000001", "CREATED");
        let end = good.poll_to_completed(2.0, 1.0, "T000000001", "c-1");
        good.create(
            end + 1.0,
            void(Some("LAST_TRANSACTION"), None, "999888"),
            "T000000002",
            "CREATED",
        );
        good.create(
            end + 2.0,
            void(Some("OLDER_TRANSACTION"), Some("c-1"), "999888"),
            "T000000003",
            "CREATED",
        );
        assert_eq!(good.verdict("CLIENT-VOID-SAME-TID"), Pass);

        let mut other = J::new();
        other
            .token(0.0)
            .create(1.0, J::sale_body(1111), "T000000001", "CREATED");
        let end = other.poll_to_completed(2.0, 1.0, "T000000001", "c-1");
        other.create(
            end + 1.0,
            void(Some("OLDER_TRANSACTION"), Some("c-1"), "483590"),
            "T000000002",
            "CREATED",
        );
        let r = other.result("CLIENT-VOID-SAME-TID");
        assert_eq!(r.verdict, Fail);
        assert!(
            r.summary.contains("of a sale made on TID 999888"),
            "{}",
            r.summary
        );
        other = J::new();
        other.token(0.0);
        other.create_err(
            1.0,
            void(Some("OLDER_TRANSACTION"), None, "999888"),
            406,
            "VALIDATION_EXCEPTION",
        );
        assert!(
            other
                .result("CLIENT-VOID-SAME-TID")
                .summary
                .contains("without `originTransactionId`")
        );
        let mut none = J::new();
        none.token(0.0)
            .create_err(1.0, void(None, None, "999888"), 406, "VALIDATION_EXCEPTION");
        assert_eq!(none.verdict("CLIENT-VOID-SAME-TID"), Fail);
        assert_eq!(J::new().verdict("CLIENT-VOID-SAME-TID"), NotApplicable);
    }

    #[test]
    fn amounts_pass_integers_fail_fractions_warn_major_units() {
        let with = |amounts: &[serde_json::Value]| {
            let mut j = J::new();
            j.token(0.0);
            for (i, a) in amounts.iter().enumerate() {
                let mut b = J::sale_body(0);
                b["amount"] = a.clone();
                j.create(1.0 + i as f64, b, &format!("T00000000{i}"), "COMPLETED");
            }
            j.verdict("CLIENT-AMOUNT-MINOR-UNITS")
        };
        assert_eq!(with(&[json!(1111), json!(2500)]), Pass);
        assert_eq!(with(&[json!(11.5)]), Fail);
        assert_eq!(with(&[json!(11.0)]), Fail);
        assert_eq!(with(&[json!("11,50")]), Fail);
        assert_eq!(with(&[json!("1111")]), Warn);
        assert_eq!(with(&[json!(1100), json!(2500), json!(11)]), Warn);
        assert_eq!(J::new().verdict("CLIENT-AMOUNT-MINOR-UNITS"), NotApplicable);
    }

    #[test]
    fn references_pass_short_ascii_fail_long_or_diacritics() {
        let with = |r: serde_json::Value| {
            let mut j = J::new();
            let mut b = J::sale_body(1111);
            b["originReferenceNum"] = r;
            j.token(0.0).create(1.0, b, "T000000001", "COMPLETED");
            j.verdict("CLIENT-REFERENCE-RULES")
        };
        assert_eq!(with(json!("INV2026001")), Pass);
        assert_eq!(with(json!("")), Pass);
        assert_eq!(with(json!("A".repeat(21))), Fail);
        assert_eq!(with(json!("Účtenka1")), Fail);
        assert_eq!(with(json!("INV-1")), Fail);
        assert_eq!(with(json!(12345)), Fail);
        assert_eq!(J::new().verdict("CLIENT-REFERENCE-RULES"), NotApplicable);
    }

    #[test]
    fn field_names_pass_documented_fail_wrong_case_or_missing_warn_unknown() {
        let with = |edit: &dyn Fn(&mut serde_json::Value)| {
            let mut b = J::sale_body(1111);
            edit(&mut b);
            let mut j = J::new();
            j.token(0.0).create_err(1.0, b, 406, "VALIDATION_EXCEPTION");
            j.result("CLIENT-FIELD-NAMES")
        };
        assert_eq!(with(&|_| {}).verdict, Pass);
        let r = with(&|b| {
            let tid = b["Tid"].take();
            b.as_object_mut().expect("object").remove("Tid");
            b["tid"] = tid;
        });
        assert_eq!(r.verdict, Fail);
        assert!(
            r.summary.contains("`tid` instead of `Tid`"),
            "{}",
            r.summary
        );
        assert!(!r.summary.contains("missing `Tid`"), "{}", r.summary);
        let r = with(&|b| {
            b.as_object_mut().expect("object").remove("title");
        });
        assert!(r.summary.contains("missing `title`"), "{}", r.summary);
        assert_eq!(with(&|b| b["note"] = json!("x")).verdict, Warn);
        assert_eq!(J::new().verdict("CLIENT-FIELD-NAMES"), NotApplicable);
    }
}
