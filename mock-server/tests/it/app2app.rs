//! Android app2app bridge: the AIDL calls as JSON, on the same engine.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

async fn post(app: &TestApp, path: &str, body: Value) -> Reply {
    app.send(app.http.post(app.url(path)).json(&body)).await
}

async fn get(app: &TestApp, path: &str) -> Value {
    app.send(app.http.get(app.url(path))).await.json
}

async fn register(app: &TestApp) -> String {
    let r = post(app, "/app2app/register", json!({})).await;
    assert_eq!(r.json["resultCode"], 0, "{}", r.text);
    r.json["transactionId"].as_str().unwrap().to_owned()
}

async fn pay(app: &TestApp, body: Value) -> Value {
    let id = register(app).await;
    let mut body = body;
    body["transactionID"] = json!(id);
    let r = post(app, "/app2app/transaction", body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json
}

#[tokio::test]
async fn a_sale_goes_register_request_state_inquire() {
    let app = TestApp::instant().await;
    let id = register(&app).await;
    assert_eq!(
        get(&app, &format!("/app2app/state/{id}")).await["state"],
        1,
        "registered, not started"
    );
    let r = post(&app, "/app2app/transaction", json!({"transactionID": id, "transactionType": 1, "amount": 1111, "tipAmount": 100, "paymentMethod": "CARD"})).await;
    let res = &r.json;
    assert_eq!(
        (
            res["result"].as_i64(),
            res["currencyCode"].as_i64(),
            res["amount"].as_i64(),
            res["totalAmount"].as_i64()
        ),
        (Some(0), Some(203), Some(1111), Some(1211))
    );
    assert!(
        ["MASTER", "VISA", "Maestro"].contains(&res["cardProduct"].as_str().unwrap()),
        "Android enum names"
    );
    insta::assert_json_snapshot!("app2app_sale_result", res);
    let state = get(&app, &format!("/app2app/state/{id}")).await;
    assert_eq!(
        (
            state["resultCode"].as_i64(),
            state["state"].as_i64(),
            state["isRepeatable"].as_bool()
        ),
        (Some(0), Some(6), Some(false))
    );
    let inquire = get(&app, &format!("/app2app/inquire/{id}")).await;
    assert_eq!(
        (
            inquire["trasanctionID"].as_str(),
            inquire["transacitonType"].as_i64()
        ),
        (Some(id.as_str()), Some(1))
    );
    assert_eq!(
        (
            inquire["amount"].as_str(),
            inquire["emvAppLable"].is_string()
        ),
        (Some("1111"), true),
        "minor-unit strings, typo'd keys"
    );
    // One engine: the Cloud API sees the transaction.
    let token = app.token().await;
    let ext = res["externalTransactionID"].as_str().unwrap();
    assert_eq!(
        app.get(&token, &format!("/v1/transactions/{ext}"))
            .await
            .json["amount"],
        1111
    );
    // The id is used up.
    let again = post(
        &app,
        "/app2app/transaction",
        json!({"transactionID": id, "transactionType": 1, "amount": 1111}),
    )
    .await;
    assert_eq!(again.json["result"], -2);
}

#[tokio::test]
async fn parameters_and_rules_give_the_ecr_return_codes() {
    let app = TestApp::instant().await;
    let unregistered = post(
        &app,
        "/app2app/transaction",
        json!({"transactionID": "nope", "transactionType": 1, "amount": 100}),
    )
    .await;
    assert_eq!(unregistered.json["result"], -2);
    for body in [
        json!({"transactionType": 9, "amount": 100}),
        json!({"transactionType": 1, "amount": 0}),
        json!({"transactionType": 1, "amount": 100, "originReferenceNum": "fakt-1"}),
        json!({"transactionType": 2, "cancelMode": 3}),
        json!({"transactionType": 2, "cancelMode": 2}),
    ] {
        assert_eq!(pay(&app, body.clone()).await["result"], -6, "{body}");
    }
    let sale = pay(&app, json!({"transactionType": 1, "amount": 700})).await;
    let void = pay(&app, json!({"transactionType": 2, "cancelMode": 2, "originTransactionID": sale["transactionID"]})).await;
    assert_eq!(
        (
            void["result"].as_i64(),
            void["transactionType"].as_i64(),
            void["amount"].as_i64()
        ),
        (Some(0), Some(2), Some(700))
    );
    let twice = pay(&app, json!({"transactionType": 2, "cancelMode": 2, "originTransactionID": sale["externalTransactionID"]})).await;
    assert_eq!(twice["result"], -5);
    let declined = pay(&app, json!({"transactionType": 1, "amount": 1122})).await;
    assert_eq!(
        (
            declined["result"].as_i64(),
            declined["responseMessage"].as_str()
        ),
        (Some(-4), Some("DECLINED"))
    );
    let last = pay(&app, json!({"transactionType": 1, "amount": 300})).await;
    let void_last = pay(&app, json!({"transactionType": 2, "cancelMode": 1})).await;
    assert_eq!(
        (void_last["result"].as_i64(), void_last["amount"].as_i64()),
        (Some(0), Some(300)),
        "{last}"
    );
}

#[tokio::test]
async fn failures_report_state_error_codes_and_repeatability() {
    let app = TestApp::spawn().await; // realistic latency
    let id = register(&app).await;
    let r = post(
        &app,
        "/app2app/transaction",
        json!({"transactionID": id, "transactionType": 1, "amount": 1123}),
    )
    .await;
    assert_eq!(
        (r.status.as_u16(), r.json["pending"].as_str()),
        (202, Some(id.as_str()))
    );
    app.advance(5.0);
    assert_eq!(get(&app, &format!("/app2app/state/{id}")).await["state"], 5);
    app.advance(60.0);
    let s = get(&app, &format!("/app2app/state/{id}")).await;
    assert_eq!(
        (
            s["state"].as_i64(),
            s["error"]["code"].as_i64(),
            s["error"]["platform"].as_str()
        ),
        (Some(8), Some(65), Some("TOM_APP"))
    );
    let result = app
        .send(app.http.get(app.url(&format!("/app2app/transaction/{id}"))))
        .await;
    assert_eq!(
        (result.status.as_u16(), result.json["result"].as_i64()),
        (200, Some(-1))
    );
    // INIT_ERROR is repeatable with the same id.
    let id = register(&app).await;
    post(
        &app,
        "/app2app/transaction",
        json!({"transactionID": id, "transactionType": 1, "amount": 1126}),
    )
    .await;
    app.advance(2.0);
    let s = get(&app, &format!("/app2app/state/{id}")).await;
    assert_eq!(
        (s["state"].as_i64(), s["isRepeatable"].as_bool()),
        (Some(3), Some(true))
    );
    let retry = post(
        &app,
        "/app2app/transaction",
        json!({"transactionID": id, "transactionType": 1, "amount": 1111}),
    )
    .await;
    assert_eq!(
        retry.status, 202,
        "the same id may be sent again: {}",
        retry.text
    );
    assert_eq!(get(&app, "/app2app/state/unknown").await["resultCode"], -3);
    assert_eq!(get(&app, "/app2app/inquire/unknown").await["result"], -3);
}

#[tokio::test]
async fn close_batch_info_login_and_journal_warnings() {
    let app = TestApp::instant().await;
    pay(&app, json!({"transactionType": 1, "amount": 1000})).await;
    let batch = pay(&app, json!({"transactionType": 4})).await;
    assert_eq!(
        (
            batch["transactionType"].as_i64(),
            batch["batchSaleNum"].as_u64(),
            batch["batchSaleAmount"].as_i64()
        ),
        (Some(4), Some(1), Some(1000))
    );
    let info = get(&app, "/app2app/info").await;
    assert_eq!(
        (
            info["isLoggedIn"].as_bool(),
            info["tid"].as_str(),
            info["appVersion"].as_str()
        ),
        (Some(true), Some("999888"), Some("1.80.0"))
    );
    let other = app
        .send(
            app.http
                .get(app.url("/app2app/info"))
                .header("X-Gptom-Tid", "483590"),
        )
        .await
        .json;
    assert_eq!(other["tid"], "483590");
    assert_eq!(
        post(&app, "/app2app/logout", json!({})).await.json["status"],
        "USER_LOGGED_OUT"
    );
    let r = post(&app, "/app2app/register", json!({})).await;
    assert_eq!(
        (
            r.json["resultCode"].as_i64(),
            r.json["error"]["exception"].as_str()
        ),
        (Some(-7), Some("UserLoggedOutException"))
    );
    let bad = post(
        &app,
        "/app2app/login",
        json!({"username": USER, "password": "x", "terminalId": TID}),
    )
    .await;
    assert_eq!(bad.json["status"], "INVALID_CREDENTIALS");
    let ok = post(
        &app,
        "/app2app/login",
        json!({"username": USER, "password": PASSWORD, "terminalId": TID}),
    )
    .await;
    assert_eq!(ok.json["status"], "USER_LOGGED_IN");
    let mismatch = post(
        &app,
        "/app2app/register",
        json!({"clientID": "someone-else"}),
    )
    .await;
    assert_eq!(mismatch.json["error"]["exception"], "InvalidClientId");
    pay(&app, json!({"transactionType": 1, "amount": 100, "preferableReceiptType": "SMS", "clientId": "x"})).await;
    let j = app
        .admin(
            Method::GET,
            "/journal?path=/app2app/transaction",
            json!(null),
        )
        .await
        .json;
    let w = j["entries"].as_array().unwrap().last().unwrap()["warnings"].clone();
    assert!(
        w[0].as_str().unwrap().contains("SMS") && w[1].as_str().unwrap().contains("\"clientID\""),
        "{w}"
    );
}

#[tokio::test]
async fn change_password_confirms_with_an_auth_code() {
    let app = TestApp::instant().await;
    let step = |body: Value| {
        let app = &app;
        async move { post(app, "/app2app/change-password", body).await.json }
    };
    let wrong = step(json!({"oldPass": "nope", "newPass": "N3w"})).await;
    assert_eq!(
        wrong,
        json!({"status": "PASSWORD_CHANGE_FAILED", "message": "password change failed"})
    );
    let first = step(
        json!({"oldPass": PASSWORD, "newPass": "N3w", "authCode": null, "validationOnly": true}),
    )
    .await;
    assert_eq!(first["status"], "PASSWORD_PENDING_CONFIRMATION");
    let done = step(json!({"oldPass": PASSWORD, "newPass": "N3w", "authCode": "123456", "validationOnly": false})).await;
    assert_eq!(done["status"], "PASSWORD_CHANGED");
    let login = post(
        &app,
        "/app2app/login",
        json!({"username": USER, "password": "N3w", "terminalId": TID}),
    )
    .await;
    assert_eq!(
        login.json["status"], "USER_LOGGED_IN",
        "the new password works on every channel"
    );
}

#[tokio::test]
async fn dates_are_year_first_unless_the_ddmmyy_profile_asks_for_day_first() {
    for (profiles, date) in [("lenient", "260101"), ("a2a-date-ddmmyy", "010126")] {
        let app = TestApp::spawn_with(|b| b.latency("instant").profiles(profiles)).await;
        app.advance(5.0);
        let result = pay(&app, json!({"transactionType": 1, "amount": 1111})).await;
        assert_eq!(
            (result["date"].as_str(), result["time"].as_str()),
            (Some(date), Some("000005")),
            "{profiles}"
        );
        let id = result["transactionID"].as_str().unwrap();
        let inquire = get(&app, &format!("/app2app/inquire/{id}")).await;
        assert_eq!(inquire["date"], date, "{profiles}");
    }
}

#[tokio::test]
async fn a_failed_payment_result_carries_an_error_result_entity_and_state_updated_is_when_the_state_began()
 {
    let app = TestApp::spawn().await; // realistic latency
    let id = register(&app).await;
    let r = post(
        &app,
        "/app2app/transaction",
        json!({"transactionID": id, "transactionType": 1, "amount": 1124}),
    )
    .await;
    assert_eq!(r.status, 202, "{}", r.text);
    app.advance(2.5); // IN_PROGRESS since 2 s
    let a = get(&app, &format!("/app2app/state/{id}")).await;
    app.advance(1.0);
    let b = get(&app, &format!("/app2app/state/{id}")).await;
    assert_eq!(
        (a["state"].as_i64(), b["state"].as_i64()),
        (Some(5), Some(5))
    );
    assert_eq!(
        a["updated"], "2026-01-01T00:00:02.000Z",
        "when IN_PROGRESS began"
    );
    assert_eq!(
        a["updated"], b["updated"],
        "a state that holds does not move"
    );
    app.advance(10.0);
    let result = get(&app, &format!("/app2app/transaction/{id}")).await;
    let error = result["error"].as_object().expect("an ErrorResultEntity");
    let keys: Vec<&str> = error.keys().map(String::as_str).collect();
    assert_eq!(keys, ["errorCode", "supportID", "exception"], "{result}");
    assert_eq!(result["error"]["errorCode"], "1-104");
    assert_eq!(result["error"]["exception"], "PaymentException");
}
