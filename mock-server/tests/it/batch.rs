//! BATCH: closing a terminal's batch, totals, numbering.

use reqwest::Method;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn closing_a_batch_freezes_totals_and_opens_the_next() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let (_, s1) = app.sale(&token, 1000).await;
    app.run_to_end(&token, &with(sale(2000), "tipAmount", json!(300)))
        .await;
    app.run_to_end(&token, &with(sale(500), "transactionType", json!("CASH")))
        .await;
    app.run_to_end(&token, &sale(1122)).await; // declined: not in the totals
    app.run_to_end(&token, &void_older(1000, &s1)).await;
    app.run_to_end(
        &token,
        &with(sale(400), "transactionOperation", json!("REFUND")),
    )
    .await;
    let b = app.close_batch(&token).await;
    assert_eq!(
        (b["status"].as_str(), b["taskClass"].as_str()),
        (Some("COMPLETED"), Some("BATCH"))
    );
    assert_eq!(
        b["payload"],
        batch(),
        "BATCH keeps only apiKey, Tid, initiator, title"
    );
    let batch_id = b["contextId"].as_str().unwrap();
    let state = app.admin(Method::GET, "/state", json!(null)).await.json;
    let terminal = state["terminals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tid"] == TID)
        .unwrap()
        .clone();
    let closed = &terminal["batches"][0];
    assert_eq!(closed["id"], batch_id);
    assert_eq!(closed["number"], 1);
    assert_eq!(
        closed["totals"],
        json!({"sale": {"count": 3, "amount": 3500}, "void": {"count": 1, "amount": 1000},
               "refund": {"count": 1, "amount": 400}, "tips": {"count": 1, "amount": 300},
               "card": {"count": 4, "amount": 4400}, "cash": {"count": 1, "amount": 500}})
    );
    assert_eq!(terminal["openBatch"]["number"], 2);
    let (_, next) = app.sale(&token, 1111).await;
    let txn = app
        .get(&token, &format!("/v1/transactions/{next}"))
        .await
        .json;
    assert_eq!(
        (txn["batchNumber"].as_str(), txn["receiptNumber"].as_str()),
        (Some("2"), Some("1"))
    );
}

#[tokio::test]
async fn an_empty_batch_closes_and_batch_fields_are_validated() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let b = app.close_batch(&token).await;
    assert_eq!(b["status"], "COMPLETED");
    let r = app
        .post_json(
            &token,
            "/v1/tasks/BATCH",
            &with(batch(), "title", json!(null)),
        )
        .await;
    r.assert_vendor_error(406, "VALIDATION_EXCEPTION");
    assert_eq!(r.json["context"], "[title]:{is required}");
    let r = app
        .post_json(
            &token,
            "/v1/tasks/BATCH",
            &with(batch(), "apiKey", json!("WRONGKEY1")),
        )
        .await;
    r.assert_vendor_error(403, "TERMINAL_ACCESS_DENIED");
}
