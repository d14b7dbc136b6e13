//! Client certification end to end: scripted POS clients drive an embedded mock over HTTP (realistic latency,
//! the mock clock moved between their requests), then the journal is judged. The good POS passes every check;
//! each bad POS fails exactly the check for its bug. Also the reports and the CLI's exit codes.

use std::fs;

use conformance::certify::judge::{CheckVerdict, Judgement};
use conformance::report::{Outcome, html, json};
use conformance::transcript::{KnownIds, redact};
use serde_json::json;

use super::pos::{API_KEY, Pos, TID, fails_exactly, sale};
use super::support::{cli, text};

/// Everything certification asks of a POS, done right.
async fn good_pos() -> Pos {
    let mut pos = Pos::start().await;
    pos.login().await;
    // an approved sale with a reference, polled every second, then its transaction
    let mut first = sale(1111);
    first["originReferenceNum"] = json!("INV2026001");
    let first_txn = pos.good_sale(&first).await;
    // a validation error is corrected before the next attempt; the declined sale still completes
    pos.wait(3.0);
    let (status, _) = pos.create("TRANSACTION", &sale(0)).await;
    assert_eq!(status, 406);
    pos.wait(5.0);
    pos.good_sale(&sale(1122)).await;
    // the push fails; the operator confirms after a while and the sale is created once
    pos.arm_502().await;
    pos.wait(3.0);
    let (status, _) = pos.create("TRANSACTION", &sale(2500)).await;
    assert_eq!(status, 502);
    pos.wait(15.0);
    pos.good_sale(&sale(2500)).await;
    // void the last sale, then the first one by id, on the same terminal
    pos.wait(5.0);
    let mut last = sale(2500);
    last["transactionOperation"] = json!("VOID");
    last["cancelMode"] = json!("LAST_TRANSACTION");
    let task = pos.created("TRANSACTION", &last).await;
    assert_eq!(pos.poll_to_final(&task, 1.0).await["status"], "COMPLETED");
    let mut older = sale(1111);
    older["transactionOperation"] = json!("VOID");
    older["cancelMode"] = json!("OLDER_TRANSACTION");
    older["originTransactionId"] = json!(first_txn);
    let task = pos.created("TRANSACTION", &older).await;
    assert_eq!(pos.poll_to_final(&task, 1.0).await["status"], "COMPLETED");
    // the customer cancels: the POS stops and the retry is a new task
    pos.next_outcome("customer-cancel").await;
    let task = pos.created("TRANSACTION", &sale(1250)).await;
    assert_eq!(pos.poll_to_final(&task, 1.0).await["status"], "CANCELLED");
    pos.wait(10.0);
    pos.good_sale(&sale(1250)).await;
    // a device timeout: polled every 2 s until ERROR, no automatic new sale
    pos.next_outcome("timeout").await;
    let task = pos.created("TRANSACTION", &sale(1300)).await;
    assert_eq!(pos.poll_to_final(&task, 2.0).await["status"], "ERROR");
    pos.wait(60.0);
    // an hour later the token has expired: refresh, retry once; close the batch
    pos.wait(3600.0);
    let batch = json!({"apiKey": API_KEY, "Tid": TID, "initiator": "POS 1", "title": "Day close"});
    let (status, _) = pos.create("BATCH", &batch).await;
    assert_eq!(status, 401);
    pos.refresh().await;
    let task = pos.created("BATCH", &batch).await;
    assert_eq!(pos.poll_to_final(&task, 1.0).await["status"], "COMPLETED");
    // the same merchant's iPad: a deep-link sale in minor units with the operation path in redirectUrl
    pos.wait(30.0);
    let link = pos
        .deeplink("gptom://transaction/create?amount=1111&requestID=ipad-1&preferableReceiptType=QR&redirectUrl=myapp%3A%2F%2Fgptom%2Ftransaction%2Fcreate")
        .await;
    assert_eq!(link["result"]["status"], "COMPLETED", "{link}");
    // …and voids it by its receipt's amsID, after waiting for the sale's redirect
    pos.wait(20.0);
    let ams = link["result"]["receipt"]["amsID"].as_str().expect("amsID");
    let void = pos
        .deeplink(&format!("gptom://transaction/cancel?amsID={ams}&redirectUrl=myapp%3A%2F%2Fgptom%2Ftransaction%2Fcancel"))
        .await;
    assert_eq!(void["result"]["status"], "COMPLETED", "{void}");
    // and its Android terminal: register, request, stateRequest every 500 ms, inquire on 6
    pos.wait(30.0);
    assert_eq!(pos.a2a_payment(1111, 0.5).await, 6);
    pos
}

fn redacted_json(j: &Judgement) -> String {
    let ids =
        json!({"tasks": j.tasks.iter().map(|t| json!({"taskId": t.task_id})).collect::<Vec<_>>()});
    redact(
        &json::render(Outcome::Judgement(j)),
        &KnownIds::from_json(&ids),
    )
}

#[tokio::test]
async fn the_good_pos_passes_every_check() {
    let pos = good_pos().await;
    let j = pos.judgement().await;
    for c in &j.checks {
        assert_eq!(c.verdict, CheckVerdict::Pass, "{}: {}", c.id, c.summary);
    }
    assert_eq!(j.exit_code(), 0);
    insta::assert_snapshot!("good_pos_report", redacted_json(&j));

    let page = html::render(Outcome::Judgement(&j));
    assert!(page.contains("<title>GP tom client certification report</title>"));
    assert_eq!(page.matches("<tr class=\"check\"").count(), j.checks.len());
    assert_eq!(page.matches("<svg").count(), j.tasks.len());
    assert!(j.tasks.len() >= 8, "{}", j.tasks.len());
    assert!(!page.contains("<script"), "no scripts");
    assert!(
        !page.contains("http://") || !page.contains("src=\"http"),
        "nothing fetched"
    );
}

/// A Cloud POS judged through `gptom-mock proxy` (the mock behind it standing in for GP tom's dev
/// environment): a good one passes `certify-client --judge --mock PROXY`, a bad one fails the check for its
/// bug, and the proxy found no divergence in the mock's answers.
#[test]
fn a_pos_behind_the_proxy_is_judged_from_the_proxy_journal() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let pos = rt.block_on(async {
        let mut pos = Pos::behind_proxy().await;
        pos.login().await;
        pos.good_sale(&sale(1111)).await;
        pos.wait(5.0);
        pos.good_sale(&sale(1122)).await;
        pos.wait(5.0);
        let batch =
            json!({"apiKey": API_KEY, "Tid": TID, "initiator": "POS 1", "title": "Day close"});
        let task = pos.created("BATCH", &batch).await;
        assert_eq!(pos.poll_to_final(&task, 1.0).await["status"], "COMPLETED");
        pos
    });
    let proxy = pos.base().to_owned();
    assert_ne!(proxy, pos.mock.base_url());
    let dir = tempfile::tempdir().expect("tempdir");
    let html_file = dir.path().join("pos.html");
    let out = cli(&[
        "certify-client",
        "--judge",
        "--mock",
        &proxy,
        "--report",
        &format!("html={}", html_file.display()),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains(" 0 failed"), "{}", text(&out));
    let page = fs::read_to_string(&html_file).expect("html written");
    assert!(
        page.contains("/v1/tasks/TRANSACTION"),
        "the timelines are the proxy's exchanges"
    );
    let divergences: serde_json::Value = rt.block_on(async {
        reqwest::get(format!("{proxy}/__admin/divergences"))
            .await
            .expect("divergences")
            .json()
            .await
            .expect("json")
    });
    assert_eq!(divergences["divergences"], json!([]), "{divergences:#}");

    // a POS that polls ten times a second fails the poll rate, judged through the proxy all the same
    let bad = rt.block_on(async {
        let mut pos = Pos::behind_proxy().await;
        pos.login().await;
        let task = pos.created("TRANSACTION", &sale(1111)).await;
        let done = pos.poll_to_final(&task, 0.1).await;
        let id = done["contextId"].as_str().expect("contextId").to_owned();
        pos.get(&format!("/v1/transactions/{id}")).await;
        fails_exactly(&pos.judgement().await, "CLIENT-POLL-RATE");
        pos
    });
    let out = cli(&["certify-client", "--judge", "--mock", bad.base()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("CLIENT-POLL-RATE"), "{}", text(&out));
}

#[tokio::test]
async fn polling_too_fast_fails_poll_rate() {
    let mut pos = Pos::start().await;
    pos.login().await;
    let task = pos.created("TRANSACTION", &sale(1111)).await;
    let done = pos.poll_to_final(&task, 0.1).await;
    let id = done["contextId"].as_str().expect("contextId");
    pos.get(&format!("/v1/transactions/{id}")).await;
    fails_exactly(&pos.judgement().await, "CLIENT-POLL-RATE");
}

#[tokio::test]
async fn fetching_the_transaction_before_completed_fails_txn_after_completed() {
    let mut pos = Pos::start().await;
    pos.login().await;
    let task = pos.created("TRANSACTION", &sale(1111)).await;
    pos.wait(1.0);
    let (status, _) = pos.get(&format!("/v1/tasks/{task}")).await;
    assert_eq!(status, 200);
    let (status, _) = pos.get(&format!("/v1/transactions/{task}")).await;
    assert_eq!(status, 404);
    let done = pos.poll_to_final(&task, 1.0).await;
    let id = done["contextId"].as_str().expect("contextId");
    pos.get(&format!("/v1/transactions/{id}")).await;
    fails_exactly(&pos.judgement().await, "CLIENT-TXN-AFTER-COMPLETED");
}

#[tokio::test]
async fn resending_after_403_fails_no_blind_retry() {
    let mut pos = Pos::start().await;
    pos.login().await;
    let mut wrong = sale(1111);
    wrong["apiKey"] = json!("WRONGKEY1");
    for _ in 0..2 {
        let (status, _) = pos.create("TRANSACTION", &wrong).await;
        assert_eq!(status, 403);
        pos.wait(2.0);
    }
    pos.good_sale(&sale(1111)).await;
    fails_exactly(&pos.judgement().await, "CLIENT-NO-BLIND-RETRY");
}

#[tokio::test]
async fn two_tasks_after_a_502_fail_no_duplicate() {
    let mut pos = Pos::start().await;
    pos.login().await;
    pos.arm_502().await;
    let (status, _) = pos.create("TRANSACTION", &sale(1111)).await;
    assert_eq!(status, 502);
    let a = pos.created("TRANSACTION", &sale(1111)).await;
    let b = pos.created("TRANSACTION", &sale(1111)).await;
    for task in [a, b] {
        let done = pos.poll_to_final(&task, 1.0).await;
        let id = done["contextId"].as_str().expect("contextId");
        pos.get(&format!("/v1/transactions/{id}")).await;
    }
    fails_exactly(&pos.judgement().await, "CLIENT-NO-DUPLICATE-AFTER-502");
}

#[tokio::test]
async fn retrying_a_401_with_the_same_token_fails_refresh_on_401() {
    let mut pos = Pos::start().await;
    pos.login().await;
    pos.good_sale(&sale(1111)).await;
    pos.wait(3600.0);
    for _ in 0..2 {
        let (status, _) = pos.create("TRANSACTION", &sale(1111)).await;
        assert_eq!(status, 401);
        pos.wait(1.0);
    }
    fails_exactly(&pos.judgement().await, "CLIENT-REFRESH-ON-401");
}

#[test]
fn certify_client_judges_a_mock_or_a_saved_journal_with_exit_codes_and_reports() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let pos = rt.block_on(good_pos());
    let base = pos.mock.base_url().to_owned();
    let dir = tempfile::tempdir().expect("tempdir");
    let (html_file, json_file, junit_file) = (
        dir.path().join("pos.html"),
        dir.path().join("pos.json"),
        dir.path().join("pos.xml"),
    );
    let out = cli(&[
        "certify-client",
        "--judge",
        "--mock",
        &base,
        "--report",
        &format!("html={}", html_file.display()),
        "--report",
        &format!("json={}", json_file.display()),
        "--report",
        &format!("junit={}", junit_file.display()),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("24 passed, 0 warned, 0 failed"),
        "{}",
        text(&out)
    );
    let page = fs::read_to_string(&html_file).expect("html written");
    assert_eq!(page.matches("<tr class=\"check\"").count(), 24);
    let xml = fs::read_to_string(&junit_file).expect("junit written");
    assert!(xml.contains("CLIENT-POLL-RATE"), "{xml}");

    // the same journal saved to a file, then made worse by a POS that ignores the expired token
    let journal = rt
        .block_on(pos.get_admin_journal())
        .expect("journal fetched");
    let saved = dir.path().join("journal.json");
    fs::write(&saved, &journal).expect("write");
    let out = cli(&[
        "certify-client",
        "--judge",
        "--journal",
        saved.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // --since after everything: nothing to judge is a usage error
    let out = cli(&[
        "certify-client",
        "--judge",
        "--journal",
        saved.to_str().expect("utf-8"),
        "--since",
        "2030-01-01T00:00:00Z",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));

    rt.block_on(async {
        pos.wait(3600.0);
        let (status, _) = pos.create("TRANSACTION", &sale(1111)).await;
        assert_eq!(status, 401);
    });
    let out = cli(&["certify-client", "--judge", "--mock", &base, "--tid", TID]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("✗ CLIENT-REFRESH-ON-401"),
        "{}",
        text(&out)
    );
    assert!(text(&out).contains("fix: On a 401"), "{}", text(&out));

    // usage and reachability
    let out = cli(&[
        "certify-client",
        "--journal",
        saved.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out)); // a saved journal needs --judge
    let out = cli(&[
        "certify-client",
        "--mock",
        &base,
        "--list",
        "v1",
        "--only",
        "refund",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("not an item of list cert-a"),
        "{}",
        text(&out)
    );
    // the walk-through against a mock that is not there
    let out = cli(&["certify-client", "--mock", "http://127.0.0.1:9"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert_eq!(cli(&["certify-client", "--judge"]).status.code(), Some(2));
    let missing = dir.path().join("missing.json");
    let out = cli(&[
        "certify-client",
        "--judge",
        "--journal",
        missing.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = cli(&["certify-client", "--judge", "--mock", "http://127.0.0.1:9"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("unreachable"), "{}", text(&out));
    drop(pos);
}

#[test]
fn run_writes_an_html_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("run.html");
    let out = cli(&[
        "run",
        "--tag",
        "cert-a:2",
        "--report",
        &format!("html={}", file.display()),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let page = fs::read_to_string(&file).expect("html written");
    assert!(page.contains("<title>GP tom conformance report</title>"));
    assert!(page.contains("CLOUD-SALE-APPROVED"), "{page}");
    assert!(page.matches("<tr class=\"scenario\"").count() >= 1);
}

/// The report shown in the README: the good POS, then a sale polled every half second (warn) and an expired
/// token retried unchanged (fail). Written to `$CARGO_TARGET_TMPDIR/certify-client-report.html` for
/// `scripts/html-report-screenshot.sh`.
#[tokio::test]
async fn demo_report_with_a_warning_and_a_failure() {
    let pos = good_pos().await;
    let task = pos.created("TRANSACTION", &sale(4200)).await;
    let done = pos.poll_to_final(&task, 0.5).await;
    let id = done["contextId"].as_str().expect("contextId");
    pos.get(&format!("/v1/transactions/{id}")).await;
    pos.wait(3600.0);
    for _ in 0..2 {
        let (status, _) = pos.create("TRANSACTION", &sale(1111)).await;
        assert_eq!(status, 401);
        pos.wait(1.0);
    }
    let j = pos.judgement().await;
    assert_eq!(j.count(CheckVerdict::Warn), 1, "{:?}", j.checks);
    assert_eq!(j.count(CheckVerdict::Fail), 1, "{:?}", j.checks);
    let page = html::render(Outcome::Judgement(&j));
    let file = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("certify-client-report.html");
    fs::write(&file, &page).expect("write the demo report");
}

/// A journal ring that dropped entries: the judgement says evidence may be missing, in every report.
#[tokio::test]
async fn an_evicting_journal_warns_that_evidence_may_be_missing() {
    let config = mock_server::Config {
        port: 0,
        journal_cap: 3,
        ..mock_server::Config::default()
    };
    let mock = mock_server::MockServer::builder()
        .config(config)
        .clock(mock_server::ManualClock::at(
            mock_server::Timestamp::DEFAULT_START,
        ))
        .start()
        .await
        .expect("mock starts");
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    for _ in 0..5 {
        http.post(format!("{}/cloud/oauth/token", mock.base_url()))
            .basic_auth("atom", Some("ashfuf4e5fa"))
            .form(&[
                ("grant_type", "password"),
                ("username", "jan.novak@example.com"),
                ("password", "ABCDEFGHIJKL"),
                ("tid", TID),
            ])
            .send()
            .await
            .expect("token");
    }
    let journal = conformance::certify::fetch_journal(
        mock.base_url(),
        &conformance::certify::Window::default(),
        None,
        None,
    )
    .await
    .expect("journal");
    assert_eq!((journal.entries.len(), journal.evicted), (3, 2));
    let j = conformance::certify::judge::judge(&journal);
    assert!(
        j.warnings[0].contains("dropped 2 older entries"),
        "{:?}",
        j.warnings
    );
    assert!(json::render(Outcome::Judgement(&j)).contains("\"evicted\": 2"));
    assert!(html::render(Outcome::Judgement(&j)).contains("class=\"notice\""));
}

/// register → transactionRequestV2 of `amount` → stateRequest every 0.5 s until 3, 6, 7 or 8; then `extra` more
/// stateRequests. The id and the state polling ended on.
async fn a2a_sale_then_extra_state_polls(pos: &Pos, amount: i64, extra: usize) -> (String, i64) {
    let (_, reg) = pos.device_post("/app2app/register", &json!({})).await;
    let id = reg["transactionId"]
        .as_str()
        .expect("registered")
        .to_owned();
    pos.device_post(
        "/app2app/transaction",
        &json!({"transactionID": id, "transactionType": 1, "amount": amount}),
    )
    .await;
    let mut last = 0;
    for _ in 0..200 {
        pos.wait(0.5);
        let (_, state) = pos.device_get(&format!("/app2app/state/{id}")).await;
        last = state["state"].as_i64().expect("state");
        if [3, 6, 7, 8].contains(&last) {
            break;
        }
    }
    for _ in 0..extra {
        pos.wait(0.5);
        pos.device_get(&format!("/app2app/state/{id}")).await;
    }
    (id, last)
}

#[tokio::test]
async fn an_android_pos_that_keeps_asking_for_the_state_fails_state_after_final() {
    // flutter-gptom treats state 3 as "not yet" and polls it for five minutes (its GpTomPlugin.kt:329-333)
    let pos = Pos::start().await;
    let (_, state) = a2a_sale_then_extra_state_polls(&pos, 1126, 4).await;
    assert_eq!(state, 3, "1126 ends INIT_ERROR");
    let j = pos.judgement().await;
    fails_exactly(&j, "A2A-STATE-AFTER-FINAL");
    let check = j
        .checks
        .iter()
        .find(|c| c.id == "A2A-STATE-AFTER-FINAL")
        .expect("check");
    assert!(
        check.summary.contains("4 more stateRequests after"),
        "{}",
        check.summary
    );
    assert!(check.summary.contains("INIT_ERROR"), "{}", check.summary);

    // after a final state: one more read is a warning, more is a failure
    let pos = Pos::start().await;
    let (id, state) = a2a_sale_then_extra_state_polls(&pos, 1111, 1).await;
    assert_eq!(state, 6);
    pos.device_get(&format!("/app2app/inquire/{id}")).await;
    let j = pos.judgement().await;
    let check = j
        .checks
        .iter()
        .find(|c| c.id == "A2A-STATE-AFTER-FINAL")
        .expect("check");
    assert_eq!(check.verdict, CheckVerdict::Warn, "{}", check.summary);

    // the good one stops at 6
    let pos = Pos::start().await;
    let (id, _) = a2a_sale_then_extra_state_polls(&pos, 1111, 0).await;
    pos.device_get(&format!("/app2app/inquire/{id}")).await;
    let j = pos.judgement().await;
    for c in &j.checks {
        assert!(c.verdict <= CheckVerdict::Pass, "{}: {}", c.id, c.summary);
    }
}

#[tokio::test]
async fn lower_case_receipt_types_on_android_fail_a2a_field_names() {
    // gptom_aidl_plugin's iOS side writes "email"; the same mistake in an app2app entity is dropped by Gson
    let pos = Pos::start().await;
    let (_, reg) = pos.device_post("/app2app/register", &json!({})).await;
    let id = reg["transactionId"]
        .as_str()
        .expect("registered")
        .to_owned();
    pos.device_post(
        "/app2app/transaction",
        &json!({"transactionID": id, "transactionType": 1, "amount": 1111, "preferableReceiptType": "email"}),
    )
    .await;
    for _ in 0..20 {
        pos.wait(0.5);
        let (_, state) = pos.device_get(&format!("/app2app/state/{id}")).await;
        if state["state"] == 6 {
            break;
        }
    }
    pos.device_get(&format!("/app2app/inquire/{id}")).await;
    let j = pos.judgement().await;
    fails_exactly(&j, "A2A-FIELD-NAMES");
    let check = j
        .checks
        .iter()
        .find(|c| c.id == "A2A-FIELD-NAMES")
        .expect("check");
    assert!(check.summary.contains("\"email\""), "{}", check.summary);
}

#[tokio::test]
async fn an_ios_void_without_amsid_fails_void_amsid() {
    // flutter-gptom's iOS storno with cancel mode 1 sends no amsID (its GpTomPlugin.swift:209-234)
    let pos = Pos::start().await;
    let sale = pos
        .deeplink("gptom://transaction/create?amount=1111&redirectUrl=myapp%3A%2F%2Fgptom%2Ftransaction%2Fcreate")
        .await;
    assert_eq!(sale["result"]["status"], "COMPLETED");
    pos.wait(10.0);
    let void = pos
        .deeplink(
            "gptom://transaction/cancel?redirectUrl=myapp%3A%2F%2Fgptom%2Ftransaction%2Fcancel",
        )
        .await;
    assert_eq!(void["result"]["error"], "cannotBeVoided");
    fails_exactly(&pos.judgement().await, "IOS-VOID-AMSID");
}

#[tokio::test]
async fn an_ios_pos_that_stops_waiting_for_the_redirect_fails_redirect_wait() {
    // gptom_aidl_plugin waits 60 s for a payment's redirect and 15 s for a batch close's
    // (lib/gptom_aidl_plugin_ios.dart:46-47): a payment the device times out after 60 s outlives it
    let pos = Pos::start().await;
    let (status, first) = pos
        .device_post(
            "/ios/deeplink",
            &json!({"url": "gptom://transaction/create?amount=1123&redirectUrl=myapp%3A%2F%2Fgptom%2Ftransaction%2Fcreate"}),
        )
        .await;
    assert_eq!(status, 202, "{first}");
    pos.wait(15.0); // gives up on the redirect and tries again
    let second = pos
        .deeplink("gptom://transaction/create?amount=1111&redirectUrl=myapp%3A%2F%2Fgptom%2Ftransaction%2Fcreate")
        .await;
    assert_eq!(second["result"]["status"], "COMPLETED");
    let j = pos.judgement().await;
    fails_exactly(&j, "IOS-REDIRECT-WAIT");
    let check = j
        .checks
        .iter()
        .find(|c| c.id == "IOS-REDIRECT-WAIT")
        .expect("check");
    assert!(
        check.summary.contains("opened 15 s after #1"),
        "{}",
        check.summary
    );
}

#[tokio::test]
async fn a_pos_that_logs_in_for_every_call_gets_a_readable_report() {
    let mut pos = Pos::start().await;
    pos.login().await;
    let task = pos.created("TRANSACTION", &sale(1111)).await;
    for _ in 0..40 {
        pos.wait(2.0);
        pos.login().await;
        pos.get(&format!("/v1/tasks/{task}")).await;
    }
    let j = pos.judgement().await;
    let check = j
        .checks
        .iter()
        .find(|c| c.id == "CLIENT-TOKEN-REUSE")
        .expect("check");
    assert_eq!(check.verdict, CheckVerdict::Fail, "{}", check.summary);
    let longest = check
        .evidence
        .iter()
        .map(|e| e.seqs.len())
        .max()
        .unwrap_or(0);
    assert!(longest > 12, "the JSON keeps every request: {longest}");
    let page = html::render(Outcome::Judgement(&j));
    let line = page
        .lines()
        .flat_map(|l| l.split("<li>"))
        .find(|l| l.contains("more)") && l.contains("requests"))
        .expect("a cut evidence line");
    assert!(line.matches('#').count() <= 12, "{line}");
    assert!(
        line.contains(&format!("(+{} more)", longest - 12)),
        "{line}"
    );
}
