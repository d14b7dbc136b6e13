//! GET /v1/transactions/{id}: every documented field, receipt fields, DCC, 404s.

use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn a_card_sale_has_every_documented_and_receipt_field() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let body = with(
        with(sale(40000), "tipAmount", json!(3000)),
        "originReferenceNum",
        json!("FD123456"),
    );
    let t = app.run_to_end(&token, &body).await;
    let txn = app
        .get(
            &token,
            &format!("/v1/transactions/{}", t["contextId"].as_str().unwrap()),
        )
        .await;
    assert_eq!(txn.status, 200, "{}", txn.text);
    assert_eq!(txn.json["transanctionId"], t["contextId"]);
    let keys: Vec<&str> = txn
        .json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "result",
            "responseMessage",
            "transanctionId",
            "transactionOperation",
            "transactionType",
            "merchantID",
            "Tid",
            "currencyCode",
            "amount",
            "tipAmount",
            "cardNumber",
            "cardDataEntry",
            "referenceNumber",
            "invoiceNumber",
            "date",
            "emvAppLabel",
            "sequenceNumber",
            "batchNumber",
            "receiptNumber",
            "aid",
            "cardType",
            "maskedPan",
            "pinMessage",
            "authorizationCode"
        ]
    );
    for f in mock_server::contract::fields::RECEIPT_FIELDS {
        assert!(!txn.json[f].is_null(), "receipt field {f} missing or null");
    }
    insta::assert_json_snapshot!("card_sale_transaction", txn.json);
}

#[tokio::test]
async fn a_cash_sale_has_no_card_data() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let t = app
        .run_to_end(&token, &with(sale(5000), "transactionType", json!("CASH")))
        .await;
    let txn = app
        .get(
            &token,
            &format!("/v1/transactions/{}", t["contextId"].as_str().unwrap()),
        )
        .await
        .json;
    for field in [
        "merchantID",
        "cardNumber",
        "cardDataEntry",
        "emvAppLabel",
        "aid",
        "cardType",
        "maskedPan",
        "pinMessage",
        "authorizationCode",
    ] {
        assert!(txn[field].is_null(), "{field}: {txn}");
    }
    assert_eq!(
        (txn["result"].as_str(), txn["responseMessage"].as_str()),
        (Some("ACCEPTED"), Some("Approved"))
    );
}

#[tokio::test]
async fn declined_sales_have_no_authorization_code_and_dcc_sales_have_dcc_data() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let get = |t: serde_json::Value| {
        let app = &app;
        let token = token.clone();
        async move {
            app.get(
                &token,
                &format!("/v1/transactions/{}", t["contextId"].as_str().unwrap()),
            )
            .await
            .json
        }
    };
    let declined = get(app.run_to_end(&token, &sale(1122)).await).await;
    assert_eq!(
        (
            declined["result"].as_str(),
            declined["responseMessage"].as_str()
        ),
        (Some("DECLINED"), Some("Insufficient funds"))
    );
    assert!(declined["authorizationCode"].is_null());
    let three = get(app.run_to_end(&token, &sale(9991)).await).await;
    assert_eq!(three["dccData"]["regionSchemaIndicator"], 1);
    let amount = three["dccData"]["amount"].as_str().unwrap();
    assert_eq!(
        amount.split('.').nth(1).map(str::len),
        Some(3),
        "C10: three decimals: {amount}"
    );
    let none = get(app.run_to_end(&token, &sale(9992)).await).await;
    let amount = none["dccData"]["amount"].as_str().unwrap();
    assert!(
        !amount.contains('.') && amount.parse::<u64>().is_ok(),
        "C11: no decimal point: {amount}"
    );
    insta::assert_json_snapshot!("dcc_data", [&three["dccData"], &none["dccData"]]);
    // A VOID of a DCC sale carries its DCC data.
    let v = get(app.run_to_end(&token, &void_last(9992)).await).await;
    assert_eq!(v["dccData"], none["dccData"]);
}

#[tokio::test]
async fn unknown_foreign_and_unfinished_transactions_are_404() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let r = app
        .get(
            &token,
            "/v1/transactions/4414c640-2db7-11ec-910a-91880dadec20",
        )
        .await;
    r.assert_vendor_error(404, "TRANSACTION_NOT_FOUND");
    assert_eq!(
        r.json["message"],
        "transaction could not be found for the current TID"
    );
    // Another terminal's transaction.
    let other = app.token_of(&POKLADNA).await;
    let body = sale_on(&POKLADNA, 1000);
    let t = app.run_to_end(&other, &body).await;
    let id = t["contextId"].as_str().unwrap();
    app.get(&token, &format!("/v1/transactions/{id}"))
        .await
        .assert_vendor_error(404, "TRANSACTION_NOT_FOUND");
    assert_eq!(
        app.get(&other, &format!("/v1/transactions/{id}"))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn sequence_numbers_increase_per_terminal() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let mut seqs = Vec::new();
    for _ in 0..3 {
        let (_, id) = app.sale(&token, 1111).await;
        let txn = app
            .get(&token, &format!("/v1/transactions/{id}"))
            .await
            .json;
        seqs.push(txn["sequenceNumber"].as_str().unwrap().to_owned());
    }
    assert!(
        seqs.iter()
            .all(|s| s.len() == 9 && s.chars().all(|c| c.is_ascii_digit())),
        "{seqs:?}"
    );
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
}
