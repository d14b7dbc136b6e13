//! /__admin: health, clock, next outcome, terminals, operator cancel, reset, bad bodies.

use reqwest::Method;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn health_reports_the_seed() {
    let app = TestApp::spawn().await;
    let r = app.admin(Method::GET, "/health", json!(null)).await;
    assert_eq!(
        (
            r.json["status"].as_str(),
            r.json["name"].as_str(),
            r.json["seed"].as_u64()
        ),
        (Some("ok"), Some("gptom-mock"), Some(1))
    );
}

#[tokio::test]
async fn the_clock_moves_forward_only() {
    let app = TestApp::spawn().await;
    let r = app
        .admin(Method::POST, "/clock/advance", json!({"seconds": 0.5}))
        .await;
    assert_eq!(r.json["now"], "2026-01-01T00:00:00.500Z");
    let r = app
        .admin(
            Method::PUT,
            "/clock",
            json!({"now": "2026-02-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.json["now"].as_str()),
        (200, Some("2026-02-01T00:00:00.000Z"))
    );
    for (method, path, body, field) in [
        (
            Method::PUT,
            "/clock",
            json!({"now": "2026-01-01T00:00:00Z"}),
            "now",
        ),
        (Method::PUT, "/clock", json!({"now": "tomorrow"}), "now"),
        (
            Method::POST,
            "/clock/advance",
            json!({"seconds": -1}),
            "seconds",
        ),
        (
            Method::POST,
            "/clock/advance",
            json!({"seconds": "5"}),
            "seconds",
        ),
        (Method::POST, "/clock/advance", json!({}), "seconds"),
    ] {
        let r = app.admin(method, path, body.clone()).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        assert_eq!(r.json["field"], field, "{body}");
        assert!(r.json["error"].as_str().unwrap().len() > 5);
    }
    assert_eq!(
        app.now().to_rfc3339(),
        "2026-02-01T00:00:00.000Z",
        "bad calls changed nothing"
    );
}

#[tokio::test]
async fn next_outcome_overrides_the_amount_for_n_tasks() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let r = app
        .admin(
            Method::PUT,
            "/terminals/999888/next-outcome",
            json!({"outcome": "exception", "count": 2}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    for _ in 0..2 {
        let t = app.run_to_end(&token, &sale(1111)).await;
        assert_eq!(t["type"], "PAYMENT_EXCEPTION");
    }
    assert_eq!(
        app.run_to_end(&token, &sale(1111)).await["status"],
        "COMPLETED"
    );
    let bad = app
        .admin(
            Method::PUT,
            "/terminals/999888/next-outcome",
            json!({"outcome": "explode"}),
        )
        .await;
    assert_eq!(
        (bad.status.as_u16(), bad.json["field"].as_str()),
        (400, Some("outcome"))
    );
    let unknown = app
        .admin(
            Method::PUT,
            "/terminals/000000/next-outcome",
            json!({"outcome": "decline"}),
        )
        .await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn terminals_can_be_made_unreachable_and_semi_integrated() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let r = app
        .admin(
            Method::PATCH,
            "/terminals/999888",
            json!({"reachable": false}),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.json["reachable"].as_bool()),
        (200, Some(false))
    );
    app.create(&token, &sale(1111))
        .await
        .assert_vendor_error(502, "PUSH_NOTIFICATION_FAILED");
    app.admin(
        Method::PATCH,
        "/terminals/999888",
        json!({"reachable": true, "mode": "semi-integrated", "latency": "realistic"}),
    )
    .await;
    app.create_ok(&token, &sale(1111)).await;
    app.create(&token, &sale(1111))
        .await
        .assert_vendor_error(406, "TERMINAL_BUSY");
    let bad = app
        .admin(
            Method::PATCH,
            "/terminals/999888",
            json!({"mode": "assisted"}),
        )
        .await;
    assert_eq!(
        (bad.status.as_u16(), bad.json["field"].as_str()),
        (400, Some("mode"))
    );
    let bad = app
        .admin(
            Method::PATCH,
            "/terminals/999888",
            json!({"latency": "warp"}),
        )
        .await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn the_operator_cancels_a_running_task_on_the_device() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let running = app.create_ok(&token, &sale(1111)).await;
    let queued = app.create_ok(&token, &sale(1111)).await;
    app.advance(2.0);
    let r = app
        .admin(
            Method::POST,
            &format!("/tasks/{running}/cancel"),
            json!(null),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.json["status"].as_str()),
        (200, Some("CANCELLED"))
    );
    // The queued task starts as soon as the cancelled one freed the terminal (t = 2 s).
    app.advance(5.0);
    assert_eq!(app.status(&token, &queued).await, "COMPLETED");
    let again = app
        .admin(
            Method::POST,
            &format!("/tasks/{running}/cancel"),
            json!(null),
        )
        .await;
    assert_eq!(again.status, 409);
    let missing = app
        .admin(Method::POST, "/tasks/nothing/cancel", json!(null))
        .await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn reset_clears_state_and_keeps_tokens_valid() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let id = app.create_ok(&token, &sale(1111)).await;
    app.admin(
        Method::PATCH,
        "/terminals/999888",
        json!({"reachable": false}),
    )
    .await;
    let r = app
        .admin(Method::POST, "/reset", json!({"tid": "999888"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    app.task(&token, &id)
        .await
        .assert_vendor_error(404, "TASK_NOT_FOUND");
    app.create_ok(&token, &sale(1111)).await; // reachable again, token still valid
    let r = app.send(app.http.post(app.url("/__admin/reset"))).await;
    assert_eq!(r.status, 200);
    let state = app.admin(Method::GET, "/state", json!(null)).await.json;
    assert_eq!(state["tasks"], json!([]));
    let one = app
        .admin(Method::GET, "/state?tid=483590", json!(null))
        .await
        .json;
    assert_eq!(
        (
            one["terminals"].as_array().unwrap().len(),
            one["terminals"][0]["tid"].as_str()
        ),
        (1, Some("483590"))
    );
    // a TID no terminal has is an error, not an empty dump that reads like an idle terminal
    let unknown = app
        .admin(Method::GET, "/state?tid=123456789", json!(null))
        .await;
    assert_eq!(unknown.status, 404, "{}", unknown.text);
    assert!(
        unknown.text.contains("no terminal with TID 123456789"),
        "{}",
        unknown.text
    );
    let bad_filter = app
        .admin(Method::GET, "/state?terminal=1", json!(null))
        .await;
    assert_eq!(
        (
            bad_filter.status.as_u16(),
            bad_filter.json["field"].as_str()
        ),
        (400, Some("terminal"))
    );
    let bad = app.admin(Method::POST, "/reset", json!({"tid": 5})).await;
    assert_eq!(
        (bad.status.as_u16(), bad.json["field"].as_str()),
        (400, Some("tid"))
    );
    let bad = app
        .send(app.http.post(app.url("/__admin/reset")).body("{oops"))
        .await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn openapi_document_and_docs_ui_are_served() {
    let app = TestApp::spawn().await;
    let doc = app.send(app.http.get(app.url("/openapi.json"))).await;
    assert_eq!(doc.status, 200);
    assert!(doc.json["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc.json["paths"].as_object().unwrap();
    for p in [
        "/cloud/oauth/token",
        "/api/oauth/token",
        "/v1/tasks/TRANSACTION",
        "/v1/tasks/BATCH",
        "/v1/tasks/{taskId}",
        "/v1/transactions/{transactionId}",
        "/__admin/faults",
        "/__admin/journal",
        "/__admin/clock/advance",
    ] {
        assert!(paths.contains_key(p), "{p} missing from /openapi.json");
    }
    let codes: Vec<&String> = doc.json["paths"]["/v1/tasks/TRANSACTION"]["post"]["responses"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(
        codes,
        ["200", "400", "401", "403", "406", "413", "415", "502"]
    );
    let schemas = doc.json["components"]["schemas"].as_object().unwrap();
    let dto = &schemas["TransactionDto"]["properties"];
    assert!(
        dto.get("transanctionId").is_some() && dto.get("merchantID").is_some(),
        "vendor spellings"
    );
    let ui = app.send(app.http.get(app.url("/docs/"))).await;
    assert_eq!(ui.status, 200);
    assert!(
        ui.text.contains("swagger-ui"),
        "the UI page is served from the binary"
    );
    let init = app
        .send(app.http.get(app.url("/docs/swagger-initializer.js")))
        .await;
    assert!(init.text.contains("/openapi.json"), "{}", init.text);
}
