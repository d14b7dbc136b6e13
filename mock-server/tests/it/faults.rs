//! Fault rules through HTTP: respond, delay, drop, probability, counts, per-TID isolation, bad bodies, the
//! faults file.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

async fn add(app: &TestApp, rule: Value) -> String {
    let r = app.admin(Method::POST, "/faults", rule).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn respond_forces_the_vendor_error_for_the_next_n_matching_requests() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    add(&app, json!({"match": {"method": "POST", "path": "/v1/tasks/*", "amount": 1111},
                     "action": {"respond": {"status": 502, "type": "PUSH_NOTIFICATION_FAILED"}}, "times": 1}))
    .await;
    let r = app.create(&token, &sale(2222)).await;
    assert_eq!(r.status, 200, "another amount does not match");
    let r = app.create(&token, &sale(1111)).await;
    r.assert_vendor_error(502, "PUSH_NOTIFICATION_FAILED");
    assert_eq!(
        app.create(&token, &sale(1111)).await.status,
        200,
        "the rule was used up"
    );
    let listed = app.admin(Method::GET, "/faults", json!(null)).await;
    assert_eq!(listed.json["faults"], json!([]));
}

#[tokio::test]
async fn every_documented_error_can_be_forced() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    for (status, kind) in [
        (403, "TERMINAL_ACCESS_DENIED"),
        (404, "TASK_NOT_FOUND"),
        (406, "VALIDATION_EXCEPTION"),
        (500, "INTERNAL_ERROR"),
        (502, "PUSH_NOTIFICATION_FAILED"),
    ] {
        add(&app, json!({"match": {"path": "/v1/**"}, "action": {"respond": {"status": status, "type": kind, "message": "forced"}}, "times": 1})).await;
        let r = app.task(&token, "anything").await;
        r.assert_vendor_error(status, kind);
        assert_eq!(r.json["message"], "forced");
    }
}

#[tokio::test]
async fn a_fault_on_one_terminal_never_touches_another() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let other = app.token_of(&POKLADNA).await;
    add(&app, json!({"match": {"tid": "483590"}, "action": {"respond": {"status": 406, "type": "TERMINAL_BUSY"}}})).await;
    for _ in 0..3 {
        assert_eq!(app.create(&token, &sale(1111)).await.status, 200);
    }
    let body = sale_on(&POKLADNA, 1111);
    app.create(&other, &body)
        .await
        .assert_vendor_error(406, "TERMINAL_BUSY");
    // GETs carry the TID in the token: they match too.
    app.task(&other, "x")
        .await
        .assert_vendor_error(406, "TERMINAL_BUSY");
}

#[tokio::test]
async fn drop_closes_the_connection_without_an_answer() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    add(
        &app,
        json!({"match": {"path": "/v1/tasks/TRANSACTION"}, "action": {"drop": true}, "times": 1}),
    )
    .await;
    let err = app
        .http
        .post(app.url("/v1/tasks/TRANSACTION"))
        .bearer_auth(&token)
        .json(&sale(1111))
        .send()
        .await;
    assert!(
        err.is_err(),
        "the client sees a transport error, not a response: {err:?}"
    );
    assert_eq!(
        app.create(&token, &sale(1111)).await.status,
        200,
        "the server is still up"
    );
    let journal = app
        .admin(Method::GET, "/journal?path=/v1/tasks", json!(null))
        .await
        .json;
    let entries = journal["entries"].as_array().unwrap();
    assert_eq!(
        (entries[0]["status"].as_u64(), entries[0]["fault"].as_str()),
        (Some(0), Some("f1"))
    );
}

#[tokio::test]
async fn a_delay_still_answers() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    add(
        &app,
        json!({"match": {"method": "GET"}, "action": {"delay_ms": [1, 3]}, "times": 1}),
    )
    .await;
    app.task(&token, "x")
        .await
        .assert_vendor_error(404, "TASK_NOT_FOUND");
}

#[tokio::test]
async fn probability_gives_the_same_sequence_for_the_same_seed() {
    async fn run(seed: u64) -> Vec<u16> {
        let app = TestApp::spawn_with(|b| b.seed(seed)).await;
        let token = app.token().await;
        add(&app, json!({"match": {"method": "GET"}, "action": {"respond": {"status": 502, "type": "X"}}, "probability": 0.5})).await;
        let mut out = Vec::new();
        for _ in 0..24 {
            out.push(app.task(&token, "x").await.status.as_u16());
        }
        out
    }
    let a = run(11).await;
    assert_eq!(a, run(11).await);
    assert!(a.contains(&502) && a.contains(&404), "{a:?}");
}

#[tokio::test]
async fn admin_routes_are_never_faulted_and_bad_rules_name_the_field() {
    let app = TestApp::spawn().await;
    add(
        &app,
        json!({"action": {"respond": {"status": 503, "type": "DOWN"}}}),
    )
    .await;
    assert_eq!(
        app.admin(Method::GET, "/health", json!(null)).await.status,
        200
    );
    for (rule, field) in [
        (json!({"match": {"path": "/x"}}), "action"),
        (
            json!({"action": {"respond": {"status": 200, "type": "X"}}}),
            "action.respond.status",
        ),
        (
            json!({"action": {"respond": {"status": "502", "type": "X"}}}),
            "action.respond.status",
        ),
        (
            json!({"action": {"drop": true}, "probability": 1.5}),
            "probability",
        ),
        (json!({"action": {"drop": true}, "surprise": 1}), "surprise"),
        (json!({"action": {"explode": true}}), "action"),
    ] {
        let r = app.admin(Method::POST, "/faults", rule.clone()).await;
        assert_eq!(r.status, 400, "{rule}: {}", r.text);
        assert!(
            r.json["field"].as_str().unwrap().contains(field),
            "{rule}: {}",
            r.text
        );
    }
    assert_eq!(
        app.admin(Method::DELETE, "/faults/f99", json!(null))
            .await
            .status,
        404
    );
    assert_eq!(
        app.admin(Method::DELETE, "/faults/f1", json!(null))
            .await
            .status,
        200
    );
    assert_eq!(
        app.admin(Method::DELETE, "/faults", json!(null))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn the_admin_token_guards_the_admin_api() {
    let config = mock_server::Config {
        port: 0,
        admin_token: Some("s3cret".into()),
        ..Default::default()
    };
    let app = TestApp::spawn_with(|b| b.config(config)).await;
    let r = app.admin(Method::GET, "/state", json!(null)).await;
    assert_eq!(r.status, 401);
    // the realm tells a runner that this is a gptom-mock's admin API, not a gateway refusing unknown paths
    assert_eq!(
        r.header("www-authenticate"),
        "Bearer realm=\"gptom-mock admin\""
    );
    let r = app
        .send(app.http.get(app.url("/__admin/state")).bearer_auth("wrong"))
        .await;
    assert_eq!(r.status, 401);
    let r = app
        .send(
            app.http
                .get(app.url("/__admin/state"))
                .bearer_auth("s3cret"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(app.token().await.len() > 20, "GP tom routes do not need it");
}
