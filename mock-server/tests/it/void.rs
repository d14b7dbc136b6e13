//! VOID: last and older transaction, and every business rule with its 406 type.

use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn void_of_the_last_sale_marks_it_voided() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let (_, sale_id) = app.sale(&token, 2500).await;
    let v = app.run_to_end(&token, &void_last(2500)).await;
    assert_eq!(v["status"], "COMPLETED", "{v}");
    assert_eq!(v["payload"]["cancelMode"], "LAST_TRANSACTION");
    assert!(v["payload"].get("tipAmount").is_none());
    let txn = app
        .get(
            &token,
            &format!("/v1/transactions/{}", v["contextId"].as_str().unwrap()),
        )
        .await
        .json;
    let origin = app
        .get(&token, &format!("/v1/transactions/{sale_id}"))
        .await
        .json;
    assert_eq!(
        (txn["transactionOperation"].as_str(), txn["result"].as_str()),
        (Some("VOID"), Some("ACCEPTED"))
    );
    assert_eq!(
        txn["maskedPan"], origin["maskedPan"],
        "a void repeats the origin's card data"
    );
    assert_eq!(txn["amount"], 2500);
    // Voiding it again is refused: by id it is already voided; as LAST_TRANSACTION the newest transaction is
    // now the VOID itself, which is not a sale (cloud-mock.md §6 read literally).
    app.create(&token, &void_last(2500))
        .await
        .assert_vendor_error(406, "TRANSACTION_NOT_VOIDABLE");
    app.create(&token, &void_older(2500, &sale_id))
        .await
        .assert_vendor_error(406, "TRANSACTION_ALREADY_VOIDED");
}

#[tokio::test]
async fn void_of_an_older_sale_by_id() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let (_, first) = app.sale(&token, 1000).await;
    app.sale(&token, 2000).await;
    let v = app.run_to_end(&token, &void_older(1000, &first)).await;
    assert_eq!(v["status"], "COMPLETED", "{v}");
    assert_eq!(v["payload"]["originTransactionId"], first.as_str());
    let state = app
        .admin(reqwest::Method::GET, "/state", json!(null))
        .await
        .json;
    let voided: Vec<bool> = state["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["voided"].as_bool().unwrap())
        .collect();
    assert_eq!(voided, [true, false, false]);
}

#[tokio::test]
async fn a_void_in_progress_blocks_a_second_void() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let (_, sale_id) = app.sale(&token, 1000).await;
    app.create_ok(&token, &void_older(1000, &sale_id)).await;
    app.create(&token, &void_older(1000, &sale_id))
        .await
        .assert_vendor_error(406, "TRANSACTION_ALREADY_VOIDED");
    app.create(&token, &void_last(1000))
        .await
        .assert_vendor_error(406, "TRANSACTION_NOT_VOIDABLE");
}

#[tokio::test]
async fn a_declined_void_leaves_the_sale_voidable() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let (_, sale_id) = app.sale(&token, 1000).await;
    let r = app
        .admin(
            reqwest::Method::PUT,
            "/terminals/999888/next-outcome",
            json!({"outcome": "decline"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = app.run_to_end(&token, &void_older(1000, &sale_id)).await;
    let txn = app
        .get(
            &token,
            &format!("/v1/transactions/{}", v["contextId"].as_str().unwrap()),
        )
        .await
        .json;
    assert_eq!(txn["result"], "DECLINED");
    let again = app.run_to_end(&token, &void_older(1000, &sale_id)).await;
    assert_eq!(again["status"], "COMPLETED");
}

#[tokio::test]
async fn every_void_rule_has_its_error_type() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    // No transaction at all yet.
    app.create(&token, &void_last(1000))
        .await
        .assert_vendor_error(406, "TRANSACTION_NOT_VOIDABLE");
    let (_, sale_id) = app.sale(&token, 1000).await;
    // OLDER without an id is a field rule.
    let r = app
        .create(
            &token,
            &with(void_last(1000), "cancelMode", json!("OLDER_TRANSACTION")),
        )
        .await;
    r.assert_vendor_error(406, "VALIDATION_EXCEPTION");
    assert_eq!(
        r.json["context"],
        "[originTransactionId]:{is required when cancelMode is OLDER_TRANSACTION}"
    );
    // Unknown origin.
    let r = app
        .create(
            &token,
            &void_older(1000, "4414c640-2db7-11ec-910a-91880dadec20"),
        )
        .await;
    r.assert_vendor_error(406, "TRANSACTION_NOT_FOUND");
    // Amount must equal the origin's.
    app.create(&token, &void_older(999, &sale_id))
        .await
        .assert_vendor_error(406, "AMOUNT_MISMATCH");
    app.create(&token, &void_last(999))
        .await
        .assert_vendor_error(406, "AMOUNT_MISMATCH");
    // A transaction made on another TID.
    let other = app.token_of(&POKLADNA).await;
    let body = sale_on(&POKLADNA, 1000);
    let t = app.run_to_end(&other, &body).await;
    let foreign = t["contextId"].as_str().unwrap();
    app.create(&token, &void_older(1000, foreign))
        .await
        .assert_vendor_error(406, "TERMINAL_MISMATCH");
    // LAST after another transaction task: the last one is a declined sale, not voidable.
    let declined = app.run_to_end(&token, &sale(1122)).await;
    app.create(&token, &void_last(1122))
        .await
        .assert_vendor_error(406, "TRANSACTION_NOT_VOIDABLE");
    let declined_id = declined["contextId"].as_str().unwrap();
    app.create(&token, &void_older(1122, declined_id))
        .await
        .assert_vendor_error(406, "TRANSACTION_NOT_VOIDABLE");
    // LAST while the last sale is still running.
    app.create_ok(&token, &sale(3000)).await;
    app.create(&token, &void_last(3000))
        .await
        .assert_vendor_error(406, "TRANSACTION_NOT_VOIDABLE");
    // A REFUND is not voidable.
    app.advance(10.0);
    let refund = app
        .run_to_end(
            &token,
            &with(sale(700), "transactionOperation", json!("REFUND")),
        )
        .await;
    let refund_id = refund["contextId"].as_str().unwrap();
    app.create(&token, &void_older(700, refund_id))
        .await
        .assert_vendor_error(406, "TRANSACTION_NOT_VOIDABLE");
}

#[tokio::test]
async fn a_sale_older_than_93_days_cannot_be_voided() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let (_, sale_id) = app.sale(&token, 1000).await; // completed at t = 5 s
    app.advance(93.0 * 86_400.0 - 120.0 + 5.0); // exactly 93 days after completion
    let token = app.token().await; // the old token expired meanwhile
    let ok = app.create(&token, &void_older(1000, &sale_id)).await;
    assert_eq!(
        ok.status, 200,
        "93 days is still inside the window: {}",
        ok.text
    );

    let app = TestApp::spawn().await;
    let token = app.token().await;
    let (_, sale_id) = app.sale(&token, 1000).await;
    app.advance(94.0 * 86_400.0);
    let token = app.token().await;
    app.create(&token, &void_older(1000, &sale_id))
        .await
        .assert_vendor_error(406, "CANCELLATION_EXPIRED");
    app.create(&token, &void_last(1000))
        .await
        .assert_vendor_error(406, "CANCELLATION_EXPIRED");
}
