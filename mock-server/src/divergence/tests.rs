//! The rules one by one, on journal entries written by hand (the proxy tests in `tests/it/proxy.rs` plant the
//! same differences through real upstreams).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Model, Report, check};
use crate::clock::Timestamp;
use crate::engine::Profiles;
use crate::journal::Entry;

fn entry(seq: u64, seconds: i64, call: &str, status: u16, body: Value) -> Entry {
    let (method, path) = call.split_once(' ').unwrap();
    Entry {
        seq,
        time: Timestamp::DEFAULT_START.plus_ms(seconds * 1000),
        method: method.into(),
        path: path.into(),
        query: None,
        headers: BTreeMap::from([("content-type".into(), "application/json".into())]),
        // a create's body is what its answer echoes as `payload`
        request_body: body.get("payload").cloned().unwrap_or(Value::Null),
        status,
        response_body: body,
        task_id: None,
        tid: None,
        task_status: None,
        fault: None,
        warnings: Vec::new(),
        channel: "cloud",
        token_jti: None,
    }
}

fn task(status: &str, context: Value, ttl: Option<i64>) -> Value {
    let mut payload = json!({"apiKey": "K", "Tid": "1", "initiator": "P", "title": "t",
        "transactionOperation": "SALE", "transactionType": "CARD", "amount": 1111, "currencyCode": "CZK",
        "printByPaymentApp": true});
    if let Some(t) = ttl {
        payload["timeToLive"] = json!(t);
    }
    json!({"title": "t", "taskId": "T", "created": "2026-01-01T00:00:00.000Z", "taskClass": "TRANSACTION",
           "status": status, "initiator": "P", "contextId": context, "payload": payload})
}

/// Entry `seq` at `seconds`: the create (seq 1) or a poll of a task with `timeToLive` 5 in `status`.
fn ttl(seq: u64, seconds: i64, status: &str) -> Entry {
    let call = if seq == 1 {
        "POST /v1/tasks/TRANSACTION"
    } else {
        "GET /v1/tasks/T"
    };
    entry(seq, seconds, call, 200, task(status, Value::Null, Some(5)))
}

fn rules(r: &Report) -> Vec<(&'static str, u64)> {
    r.divergences.iter().map(|d| (d.rule, d.seq)).collect()
}

fn document() -> Value {
    serde_json::to_value(crate::http::api_doc()).unwrap()
}

fn model() -> Model {
    Model::new(Profiles::default(), &document())
}

#[test]
fn a_task_that_behaves_diverges_nowhere() {
    let entries = [
        entry(
            1,
            0,
            "POST /v1/tasks/TRANSACTION",
            200,
            task("CREATED", Value::Null, None),
        ),
        entry(
            2,
            1,
            "GET /v1/tasks/T",
            200,
            task("STARTED", Value::Null, None),
        ),
        entry(
            3,
            2,
            "GET /v1/tasks/T",
            200,
            task("COMPLETED", json!("X"), None),
        ),
        entry(
            4,
            3,
            "GET /v1/tasks/T",
            200,
            task("COMPLETED", json!("X"), None),
        ),
    ];
    let r = check(&model(), &entries);
    assert_eq!(rules(&r), [], "{:?}", r.divergences);
    assert_eq!(r.checked, 4);
}

#[test]
fn a_final_status_that_changes_and_a_context_id_out_of_place_diverge() {
    let entries = [
        entry(
            1,
            0,
            "POST /v1/tasks/TRANSACTION",
            200,
            task("CREATED", json!("X"), None),
        ),
        entry(
            2,
            1,
            "GET /v1/tasks/T",
            200,
            task("ERROR", Value::Null, None),
        ),
        entry(
            3,
            2,
            "GET /v1/tasks/T",
            200,
            task("COMPLETED", Value::Null, None),
        ),
    ];
    let r = check(&model(), &entries);
    assert_eq!(
        rules(&r),
        [("context-id", 1), ("context-id", 3), ("lifecycle", 3)]
    );
    assert_eq!(r.divergences[2].upstream, "COMPLETED after ERROR (#2)");
}

#[test]
fn a_task_still_created_after_its_time_to_live_diverges_once() {
    let entries = [
        ttl(1, 0, "CREATED"),
        ttl(2, 4, "CREATED"),
        ttl(3, 8, "CREATED"),
        ttl(4, 9, "CREATED"),
    ];
    assert_eq!(rules(&check(&model(), &entries)), [("expiry", 3)]);
}

#[test]
fn an_expired_task_ends_as_the_profile_says() {
    let entries = [ttl(1, 0, "CREATED"), ttl(2, 6, "CANCELLED")];
    assert_eq!(rules(&check(&model(), &entries)), [("expiry", 2)]);
    let ttl_cancelled = Model::new(Profiles::parse("ttl-cancelled").unwrap(), &document());
    assert_eq!(rules(&check(&ttl_cancelled, &entries)), []);
}

#[test]
fn a_transaction_of_another_amount_and_an_undocumented_status_diverge() {
    let mut txn = json!({"result": "ACCEPTED", "responseMessage": "Approved", "transanctionId": "X",
        "transactionOperation": "SALE", "transactionType": "CARD", "Tid": "1", "currencyCode": "CZK",
        "amount": 999, "date": "2026-01-01T00:00:03.000Z", "sequenceNumber": "000000001", "batchNumber": "1",
        "receiptNumber": "1"});
    let entries = [
        entry(
            1,
            2,
            "GET /v1/tasks/T",
            200,
            task("COMPLETED", json!("X"), None),
        ),
        entry(2, 3, "GET /v1/transactions/X", 200, txn.clone()),
        entry(3, 4, "GET /v1/transactions/X", 418, json!({})),
    ];
    let r = check(&model(), &entries);
    assert_eq!(
        rules(&r),
        [("transaction", 2), ("status", 3), ("transaction", 3)]
    );
    assert_eq!(r.divergences[0].upstream, "amount 999");
    txn["amount"] = json!(1111);
    assert_eq!(
        rules(&check(
            &model(),
            &[
                entries[0].clone(),
                entry(2, 3, "GET /v1/transactions/X", 200, txn)
            ]
        )),
        []
    );
}

#[test]
fn answers_the_proxy_made_itself_are_not_checked() {
    let mut e = entry(
        1,
        0,
        "POST /v1/tasks/TRANSACTION",
        502,
        json!({"type": "UPSTREAM_FAILED"}),
    );
    e.fault = Some("proxy: upstream failed".into());
    let r = check(&model(), &[e]);
    assert_eq!((r.checked, rules(&r)), (0, vec![]));
}
