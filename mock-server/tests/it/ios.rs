//! iOS deep links through `POST /ios/deeplink`: results as the SDK parses them, one engine with the Cloud API.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

async fn open(app: &TestApp, url: &str) -> Reply {
    app.send(
        app.http
            .post(app.url("/ios/deeplink"))
            .json(&json!({"url": url})),
    )
    .await
}

/// Opens `url` and returns the `result` object of a final answer.
async fn result(app: &TestApp, url: &str) -> Value {
    let r = open(app, url).await;
    assert_eq!(r.status, 200, "{url}: {}", r.text);
    r.json["result"].clone()
}

#[tokio::test]
async fn an_approved_sale_redirects_with_status_receipt_and_code() {
    let app = TestApp::instant().await;
    let r = open(&app, "gptom://transaction/create?amount=1111&tipAmount=150&originReferenceNum=INV7&redirectUrl=myapp%3A%2F%2Fgptom%2Ftransaction%2Fcreate").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let redirect = r.json["redirect"].as_str().unwrap();
    assert!(
        redirect.starts_with(
            "myapp://gptom/transaction/create?status=COMPLETED&receipt=%7B%22batchNumber%22"
        ),
        "{redirect}"
    );
    assert!(redirect.ends_with("&code=approved"), "{redirect}");
    let receipt = &r.json["result"]["receipt"];
    assert_eq!(
        (
            receipt["amount"].as_str(),
            receipt["tipAmount"].as_str(),
            receipt["totalAmount"].as_str()
        ),
        (Some("11.11"), Some("1.5"), Some("12.61"))
    );
    assert_eq!(
        (
            receipt["result"].as_i64(),
            receipt["referenceNumber"].as_str()
        ),
        (Some(0), Some("INV7"))
    );
    assert!(
        ["MASTERCARD", "VISA", "MAESTRO"].contains(&receipt["cardType"].as_str().unwrap()),
        "never MASTER"
    );
    assert!(receipt["date"].as_str().unwrap().ends_with(".000Z"));
    insta::assert_json_snapshot!("ios_sale_result", r.json["result"]);
    // The same sale over the Cloud API, for the same TID.
    let token = app.token().await;
    let ams = receipt["amsID"].as_str().unwrap();
    let txn = app.get(&token, &format!("/v1/transactions/{ams}")).await;
    assert_eq!(
        (txn.status.as_u16(), txn.json["amount"].as_i64()),
        (200, Some(1111))
    );
}

#[tokio::test]
async fn a_deep_link_sale_is_voided_over_the_cloud_and_a_cloud_sale_over_a_deep_link() {
    let app = TestApp::instant().await;
    let token = app.token().await;
    let ios_sale = result(
        &app,
        "gptom://transaction/create?amount=2500&redirectUrl=x://transaction/create",
    )
    .await;
    let ams = ios_sale["receipt"]["amsID"].as_str().unwrap();
    let v = app.run_to_end(&token, &void_older(2500, ams)).await;
    assert_eq!(v["status"], "COMPLETED");
    let again = result(
        &app,
        &format!("gptom://transaction/cancel?amsID={ams}&redirectUrl=x://transaction/cancel"),
    )
    .await;
    assert_eq!(again, json!({"status": "ERROR", "error": "cannotBeVoided"}));
    let (_, cloud_sale) = app.sale(&token, 3000).await;
    let cancel = result(
        &app,
        &format!(
            "gptom://transaction/cancel?amsID={cloud_sale}&redirectUrl=x://transaction/cancel"
        ),
    )
    .await;
    assert_eq!(
        (cancel["status"].as_str(), cancel["code"].as_str()),
        (Some("COMPLETED"), Some("approved"))
    );
    assert_eq!(cancel["receipt"]["amount"], "30");
}

#[tokio::test]
async fn outcomes_map_to_status_code_and_error() {
    let app = TestApp::instant().await;
    let url = |amount: i64| {
        format!("gptom://transaction/create?amount={amount}&redirectUrl=x://transaction/create")
    };
    let declined = result(&app, &url(1122)).await;
    assert_eq!(
        (declined["status"].as_str(), declined["code"].as_str()),
        (Some("COMPLETED"), Some("insufficientFunds"))
    );
    assert_eq!(declined["receipt"]["result"], -1);
    assert!(declined["receipt"].get("authorizationCode").is_none());
    assert_eq!(
        result(&app, &url(1124)).await,
        json!({"status": "ERROR", "error": "failed"})
    );
    assert_eq!(
        result(&app, &url(1125)).await,
        json!({"status": "CANCELLED"})
    );
    let dcc = result(&app, &url(9991)).await;
    assert_eq!(dcc["receipt"]["dccData"]["regionSchemaIndicator"], 1);
    app.admin(
        Method::PUT,
        "/terminals/999888/next-outcome",
        json!({"outcome": "decline"}),
    )
    .await;
    assert_eq!(result(&app, &url(1111)).await["code"], "insufficientFunds");
}

#[tokio::test]
async fn a_timeout_is_pending_until_the_device_gives_up() {
    let app = TestApp::spawn().await; // realistic latency
    let r = open(
        &app,
        "gptom://transaction/create?amount=1123&redirectUrl=x://transaction/create",
    )
    .await;
    assert_eq!(r.status, 202, "{}", r.text);
    let id = r.json["pending"].as_str().unwrap().to_owned();
    app.advance(61.0);
    assert_eq!(
        app.send(app.http.get(app.url(&format!("/ios/deeplink/{id}"))))
            .await
            .status,
        202
    );
    app.advance(1.0);
    let done = app
        .send(app.http.get(app.url(&format!("/ios/deeplink/{id}"))))
        .await;
    assert_eq!(
        (done.status.as_u16(), done.json["redirect"].as_str()),
        (
            200,
            Some("x://transaction/create?status=ERROR&error=failed")
        )
    );
    assert_eq!(
        app.send(app.http.get(app.url("/ios/deeplink/nope")))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn bad_parameters_get_the_sdk_errors_and_warnings() {
    let app = TestApp::instant().await;
    for (url, error) in [
        (
            "gptom://transaction/create?amount=10.50&redirectUrl=x://transaction/create",
            "invalidAmount",
        ),
        (
            "gptom://transaction/create?redirectUrl=x://transaction/create",
            "invalidAmount",
        ),
        ("gptom://transaction/create?amount=0", "invalidAmount"),
        (
            "gptom://transaction/create?amount=100&tipAmount=x",
            "invalidAmount",
        ),
        (
            "gptom://transaction/create?amount=100&transactionType=GO_CRYPTO",
            "unsupportedTransactionOperationOrType",
        ),
        (
            "gptom://transaction/create?amount=100&originReferenceNum=faktura-1",
            "failed",
        ),
        (
            "gptom://transaction/create?amount=100&clientID=123",
            "invalidClientId",
        ),
        ("gptom://transaction/cancel?amsID=123", "cannotBeVoided"),
        ("gptom://transaction/cancel", "cannotBeVoided"),
        ("gptom://transaction/detail?amsID=nope", "failed"),
    ] {
        let r = result(&app, url).await;
        assert_eq!(r, json!({"status": "ERROR", "error": error}), "{url}");
    }
    let r = open(&app, "gptom://transaction/create?amount=100&requestId=r1&preferableReceiptType=qr&redirectUrl=x://done").await;
    let warnings: Vec<&str> = r.json["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    assert!(
        warnings[0].contains("\"requestID\"")
            && warnings[1].contains("QR")
            && warnings[2].contains("operation path"),
        "{warnings:?}"
    );
    let journal = app
        .admin(Method::GET, "/journal?path=/ios", json!(null))
        .await
        .json;
    let last = journal["entries"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (
            last["channel"].as_str(),
            last["warnings"].as_array().unwrap().len()
        ),
        (Some("ios"), 3)
    );
    for bad in [
        "https://example.com",
        "gptom://transaction/pay?amount=1",
        "gptom://",
    ] {
        let r = open(&app, bad).await;
        assert_eq!(
            (r.status.as_u16(), r.json["field"].as_str()),
            (400, Some("url")),
            "{bad}: {}",
            r.text
        );
    }
    let r = app
        .send(
            app.http
                .post(app.url("/ios/deeplink"))
                .json(&json!({"link": "gptom://status"})),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.json["field"].as_str()),
        (400, Some("url"))
    );
}

#[tokio::test]
async fn the_sdk_documented_example_urls_round_trip() {
    let app = TestApp::instant().await;
    let doc_create = "gptom://transaction/create?originReferenceNum=12345&amount=2&clientID=123&tipCollect=true&preferableReceiptType=QR&redirectUrl=gp://transaction/create&printByPaymentApp=true&clientPhone=+420606505404&clientEmail=info@gptom.com&tipAmount=1";
    let r = open(&app, doc_create).await;
    assert_eq!(
        r.json["redirect"], "gp://transaction/create?status=ERROR&error=invalidClientId",
        "the docs' clientID 123 is not this merchant's"
    );
    let ours = doc_create.replace("clientID=123", "clientID=CID343382001");
    let r = open(&app, &ours).await;
    let receipt = &r.json["result"]["receipt"];
    assert_eq!(
        (
            receipt["amount"].as_str(),
            receipt["tipAmount"].as_str(),
            receipt["totalAmount"].as_str()
        ),
        (Some("0.02"), Some("0.01"), Some("0.03"))
    );
    assert_eq!(r.json["warnings"], json!([]), "the documented URL is clean");
    let doc_cancel = "gptom://transaction/cancel?amsID=123&preferableReceiptType=QR&clientPhone=+420606505404&clientID=123&printByPaymentApp=true&redirectUrl=gp://transaction/cancel&clientEmail=info@gptom.com";
    assert_eq!(
        open(&app, doc_cancel).await.json["redirect"],
        "gp://transaction/cancel?status=ERROR&error=invalidClientId"
    );
}

#[tokio::test]
async fn login_logout_status_and_password_change_drive_the_device() {
    let app = TestApp::instant().await;
    let status = result(&app, "gptom://status?redirectUrl=x://appStatus").await;
    assert_eq!(status["appStatus"]["userInfo"]["tid"], "999888");
    assert_eq!(status["status"], "COMPLETED");
    assert_eq!(
        result(&app, "gptom://logout?redirectUrl=x://logout").await,
        json!({"status": "COMPLETED"})
    );
    let status = result(&app, "gptom://status?redirectUrl=x://appStatus").await;
    assert!(
        status["appStatus"].get("userInfo").is_none(),
        "logged out: no userInfo"
    );
    assert_eq!(
        result(&app, "gptom://logout?redirectUrl=x://logout").await,
        json!({"status": "COMPLETED"}),
        "logging out again is no error"
    );
    assert_eq!(
        result(&app, "gptom://transaction/create?amount=100").await,
        json!({"status": "ERROR", "error": "userNotLoggedIn"})
    );
    for (url, error) in [
        (
            "gptom://login?username=jan.novak@example.com&password=nope&tid=999888",
            "invalidCredentials",
        ),
        (
            "gptom://login?username=jan.novak@example.com&password=ABCDEFGHIJKL&tid=483590",
            "tidNotAssignedToThisUser",
        ),
        (
            "gptom://login?username=jan.novak@example.com",
            "invalidUserName",
        ),
    ] {
        // `status` on every redirect: the SDK's DeeplinkResult routes none without it
        assert_eq!(
            result(&app, url).await,
            json!({"status": "ERROR", "error": error}),
            "{url}"
        );
    }
    let ok = result(&app, "gptom://login?username=jan.novak@example.com&password=ABCDEFGHIJKL&tid=999888&redirectUrl=x://login").await;
    assert_eq!(ok, json!({"status": "COMPLETED"}));
    assert_eq!(
        result(&app, "gptom://transaction/create?amount=100").await["status"],
        "COMPLETED"
    );
    let cp = "gptom://change-password?username=jan.novak@example.com&password=ABCDEFGHIJKL&newPassword=NEWPASSWORD1";
    assert_eq!(
        result(&app, cp).await,
        json!({"status": "ERROR", "error": "passwordPendingConfirmation"})
    );
    assert_eq!(
        result(&app, &format!("{cp}&code=12")).await,
        json!({"status": "ERROR", "error": "invalidCode"})
    );
    assert_eq!(
        result(&app, &format!("{cp}&code=123456")).await,
        json!({"status": "COMPLETED"})
    );
    let form = [
        ("grant_type", "password"),
        ("username", USER),
        ("password", "NEWPASSWORD1"),
        ("tid", TID),
    ];
    assert_eq!(
        app.token_form("/cloud/oauth/token", &form).await.status,
        200,
        "one account for every channel"
    );
    app.admin(
        Method::PATCH,
        "/devices/999888",
        json!({"installed": false}),
    )
    .await;
    assert_eq!(
        open(&app, "gptom://status?redirectUrl=x://appStatus")
            .await
            .status,
        400,
        "not installed: nothing opens the URL"
    );
}

#[tokio::test]
async fn batch_close_detail_and_detail_by_request_id() {
    let app = TestApp::instant().await;
    result(&app, "gptom://transaction/create?amount=9550&requestID=order-1&redirectUrl=x://transaction/create").await;
    result(&app, "gptom://transaction/create?amount=450&transactionType=CASH&redirectUrl=x://transaction/create").await;
    let detail = result(&app, "gptom://transaction/detail?requestID=order-1").await;
    assert_eq!(detail["receipt"]["amount"], "95.5");
    let open_batch = result(&app, "gptom://batch/detail?amsID=OPEN").await;
    assert_eq!(
        (
            open_batch["batch"]["amsId"].as_str(),
            open_batch["batch"]["saleAmount"].as_f64()
        ),
        (Some("OPEN"), Some(100.0))
    );
    let closed = result(&app, "gptom://batch/close?redirectUrl=x://batch/close").await;
    let b = &closed["batch"];
    assert_eq!(
        (
            closed["status"].as_str(),
            b["batchNumber"].as_str(),
            b["saleCount"].as_u64()
        ),
        (Some("COMPLETED"), Some("1"), Some(2))
    );
    assert_eq!(
        (
            b["subBatches"]["CARD"]["saleAmount"].as_f64(),
            b["subBatches"]["CASH"]["saleAmount"].as_f64()
        ),
        (Some(95.5), Some(4.5))
    );
    let id = b["amsId"].as_str().unwrap();
    let again = result(&app, &format!("gptom://batch/detail?amsID={id}")).await;
    assert_eq!(again["batch"], *b);
}

#[tokio::test]
async fn faults_apply_to_deep_links_too() {
    let app = TestApp::instant().await;
    app.admin(Method::POST, "/faults", json!({"match": {"path": "/ios/**"}, "action": {"respond": {"status": 502, "type": "PUSH_NOTIFICATION_FAILED"}}, "times": 1})).await;
    open(&app, "gptom://status?redirectUrl=x://appStatus")
        .await
        .assert_vendor_error(502, "PUSH_NOTIFICATION_FAILED");
    assert_eq!(
        open(&app, "gptom://status?redirectUrl=x://appStatus")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn the_receiptless_success_profile_drops_the_receipt_of_approved_payments() {
    let app = TestApp::spawn_with(|b| b.latency("instant").profiles("receiptless-success")).await;
    let r = open(
        &app,
        "gptom://transaction/create?amount=1111&redirectUrl=x://transaction/create",
    )
    .await;
    assert_eq!(
        r.json["redirect"],
        "x://transaction/create?status=COMPLETED"
    );
    let declined = result(
        &app,
        "gptom://transaction/create?amount=1122&redirectUrl=x://transaction/create",
    )
    .await;
    assert_eq!(
        declined["code"], "insufficientFunds",
        "only approved payments lose their receipt"
    );
}
