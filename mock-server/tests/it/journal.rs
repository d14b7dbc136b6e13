//! The request journal after a full sale, its filters and its redaction.

use reqwest::Method;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn a_full_sale_is_journaled_with_task_tid_and_warnings() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let mut body = sale(1111);
    body["tid"] = json!("999888"); // a likely client bug
    let id = app.create_ok(&token, &body).await;
    app.advance(5.0);
    let t = app.task(&token, &id).await.json;
    app.get(
        &token,
        &format!("/v1/transactions/{}", t["contextId"].as_str().unwrap()),
    )
    .await;
    let j = app.admin(Method::GET, "/journal", json!(null)).await.json;
    let e = j["entries"].as_array().unwrap();
    let paths: Vec<&str> = e.iter().map(|x| x["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths[..3],
        [
            "/cloud/oauth/token",
            "/v1/tasks/TRANSACTION",
            &*format!("/v1/tasks/{id}")
        ]
    );
    assert_eq!(e.len(), 4, "admin calls are not journaled by default");
    assert_eq!(e[0]["headers"]["authorization"], "Basic [redacted]");
    assert_eq!(e[1]["headers"]["authorization"], "Bearer [redacted]");
    assert_eq!(
        (e[1]["taskId"].as_str(), e[1]["tid"].as_str()),
        (Some(id.as_str()), Some(TID))
    );
    assert_eq!(
        (e[1]["status"].as_u64(), e[1]["taskStatus"].as_str()),
        (Some(200), Some("CREATED"))
    );
    assert_eq!(e[1]["requestBody"]["amount"], 1111);
    assert!(
        e[0]["tokenJti"].is_null() && e[1]["tokenJti"].is_string(),
        "which token a call used"
    );
    assert_eq!(e[1]["tokenJti"], e[2]["tokenJti"]);
    assert_eq!(j["evicted"], 0);
    assert!(
        e[1]["warnings"][0].as_str().unwrap().contains("\"Tid\""),
        "{}",
        e[1]
    );
    assert_eq!(
        (e[2]["time"].as_str(), e[2]["taskStatus"].as_str()),
        (Some("2026-01-01T00:00:05.000Z"), Some("COMPLETED"))
    );
    assert_eq!(e[3]["responseBody"]["result"], "ACCEPTED");
    let seqs: Vec<u64> = e.iter().map(|x| x["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, [1, 2, 3, 4]);
}

#[tokio::test]
async fn filters_and_clearing() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    app.task(&token, "a").await;
    app.advance(10.0);
    app.task(&token, "b").await;
    let count = |q: &'static str| {
        let app = &app;
        async move {
            app.admin(Method::GET, &format!("/journal{q}"), json!(null))
                .await
                .json["entries"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    assert_eq!(count("?path=/v1/tasks").await, 2);
    assert_eq!(count("?path=/*/oauth/token").await, 1);
    assert_eq!(count("?tid=999888").await, 3);
    assert_eq!(count("?tid=483590").await, 0);
    assert_eq!(count("?since=2026-01-01T00:00:05Z").await, 1);
    // `after` reads what came since an earlier `lastSeq`; `limit` keeps the newest; `limit=0` only `lastSeq`
    let last = app
        .admin(Method::GET, "/journal?limit=0", json!(null))
        .await
        .json;
    assert_eq!(
        (last["entries"].clone(), last["lastSeq"].as_u64()),
        (json!([]), Some(3))
    );
    assert_eq!(count("?after=1").await, 2);
    assert_eq!(count("?after=3").await, 0);
    let newest = app
        .admin(Method::GET, "/journal?limit=1", json!(null))
        .await
        .json;
    assert_eq!(newest["entries"][0]["path"], "/v1/tasks/b");
    let bad = app
        .admin(Method::GET, "/journal?after=-1", json!(null))
        .await;
    assert_eq!(
        (bad.status.as_u16(), bad.json["field"].as_str()),
        (400, Some("after"))
    );
    let bad = app
        .admin(Method::GET, "/journal?since=later", json!(null))
        .await;
    assert_eq!(
        (bad.status.as_u16(), bad.json["field"].as_str()),
        (400, Some("since"))
    );
    assert_eq!(
        app.admin(Method::DELETE, "/journal", json!(null))
            .await
            .status,
        200
    );
    assert_eq!(count("").await, 0);
    let after_clear = app
        .admin(Method::GET, "/journal?limit=0", json!(null))
        .await;
    assert_eq!(
        after_clear.json["lastSeq"], 3,
        "sequence numbers survive a clear"
    );
}

#[tokio::test]
async fn admin_calls_are_journaled_on_request() {
    let config = mock_server::Config {
        port: 0,
        journal_admin: true,
        ..Default::default()
    };
    let app = TestApp::spawn_with(|b| b.config(config)).await;
    app.admin(Method::GET, "/health", json!(null)).await;
    let j = app.admin(Method::GET, "/journal", json!(null)).await.json;
    assert_eq!(j["entries"][0]["path"], "/__admin/health");
}

#[tokio::test]
async fn the_oldest_final_tasks_are_evicted_beyond_the_cap() {
    let config = mock_server::Config {
        port: 0,
        max_tasks: 3,
        max_transactions: 2,
        ..Default::default()
    };
    let app = TestApp::spawn_with(|b| b.config(config)).await;
    let token = app.token().await;
    let running = app.create_ok(&token, &sale(1123)).await; // IN_PROGRESS for 62 s: never evicted meanwhile
    let mut done = Vec::new();
    for _ in 0..4 {
        done.push(
            app.create_ok(&token, &with(sale(1111), "transactionType", json!("CASH")))
                .await,
        );
    }
    app.advance(200.0);
    let last = app.create_ok(&token, &sale(1111)).await;
    let state = app.admin(Method::GET, "/state", json!(null)).await.json;
    let kept: Vec<&str> = state["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["taskId"].as_str().unwrap())
        .collect();
    assert_eq!(kept.len(), 3, "{kept:?}");
    assert!(kept.contains(&last.as_str()));
    app.task(&token, &done[0])
        .await
        .assert_vendor_error(404, "TASK_NOT_FOUND");
    assert_eq!(state["transactions"].as_array().unwrap().len(), 2);
    let _ = running;
}

#[tokio::test]
async fn a_full_journal_drops_the_oldest_and_says_how_many() {
    let config = mock_server::Config {
        port: 0,
        journal_cap: 2,
        ..Default::default()
    };
    let app = TestApp::spawn_with(|b| b.config(config)).await;
    let token = app.token().await;
    app.task(&token, "a").await;
    app.task(&token, "b").await;
    let j = app.admin(Method::GET, "/journal", json!(null)).await.json;
    let paths: Vec<&str> = j["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        (paths, j["evicted"].as_u64()),
        (vec!["/v1/tasks/a", "/v1/tasks/b"], Some(1))
    );
}
