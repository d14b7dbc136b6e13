//! What the console (`/__console`) stands on: the `operator` latency profile and a person's decision
//! (`POST /__admin/tasks/{id}/outcome`), the board (`GET /__admin/terminals`), the live journal stream
//! (`GET /__admin/journal/stream`) and the page itself.

use futures_util::StreamExt as _;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

async fn operator_app() -> TestApp {
    let app = TestApp::spawn().await;
    let r = app
        .admin(
            Method::PATCH,
            "/terminals/999888",
            json!({"latency": "operator"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    app
}

async fn decide(app: &TestApp, task: &str, outcome: &str) -> Reply {
    app.admin(
        Method::POST,
        &format!("/tasks/{task}/outcome"),
        json!({"outcome": outcome}),
    )
    .await
}

async fn board(app: &TestApp) -> Value {
    let r = app.admin(Method::GET, "/terminals", json!(null)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json["terminals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tid"] == TID)
        .cloned()
        .unwrap()
}

#[tokio::test]
async fn under_the_operator_profile_a_payment_waits_in_progress_until_a_person_declines_it() {
    let app = operator_app().await;
    let token = app.token().await;
    let id = app.create_ok(&token, &sale(1111)).await;
    app.advance(2.0);
    assert_eq!(app.status(&token, &id).await, "IN_PROGRESS");
    app.advance(45.0);
    assert_eq!(
        app.status(&token, &id).await,
        "IN_PROGRESS",
        "nobody decided: it waits"
    );
    let shown = board(&app).await;
    assert_eq!(shown["operator"], true);
    assert_eq!(shown["working"]["taskId"], id.as_str());
    assert_eq!(shown["working"]["waitingForDecision"], true, "{shown}");

    let decided = decide(&app, &id, "decline").await;
    assert_eq!(decided.status, 200, "{}", decided.text);
    assert_eq!(decided.json["status"], "COMPLETED", "{}", decided.text);
    let task = app.task(&token, &id).await.json;
    let txn = app
        .get(
            &token,
            &format!("/v1/transactions/{}", task["contextId"].as_str().unwrap()),
        )
        .await;
    assert_eq!(txn.json["result"], "DECLINED", "{}", txn.text);
    assert!(board(&app).await["working"].is_null());

    // a final task, an unknown one, a task that is not waiting: each refused with the reason
    let again = decide(&app, &id, "approve").await;
    assert_eq!(again.status, 409, "{}", again.text);
    assert!(
        again.json["error"]
            .as_str()
            .unwrap()
            .contains("already COMPLETED"),
        "{}",
        again.text
    );
    let unknown = decide(&app, "nOsUcHtAsK", "approve").await;
    assert_eq!(unknown.status, 404, "{}", unknown.text);
    let bad = decide(&app, &id, "init-error").await;
    assert_eq!(
        (bad.status.as_u16(), bad.json["field"].as_str()),
        (400, Some("outcome")),
        "{}",
        bad.text
    );
}

#[tokio::test]
async fn nobody_deciding_ends_as_a_timeout_and_an_armed_outcome_decides_at_once() {
    let app = operator_app().await;
    let token = app.token().await;
    let id = app.create_ok(&token, &sale(1111)).await;
    app.advance(2.0 + 60.0);
    let t = app.task(&token, &id).await.json;
    assert_eq!(t["status"], "ERROR", "{t}");

    // next-outcome armed in advance is the decision, taken once the payment is under way
    let r = app
        .admin(
            Method::PUT,
            "/terminals/999888/next-outcome",
            json!({"outcome": "customer-cancel"}),
        )
        .await;
    assert_eq!(r.status, 200);
    let armed = app.create_ok(&token, &sale(1111)).await;
    app.advance(2.0);
    assert_eq!(app.status(&token, &armed).await, "CANCELLED");

    // a task on a terminal that is not on the operator profile is not waiting for anyone
    let plain = TestApp::spawn().await;
    let token = plain.token().await;
    let id = plain.create_ok(&token, &sale(1111)).await;
    let r = decide(&plain, &id, "approve").await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(
        r.json["error"].as_str().unwrap().contains("operator"),
        "{}",
        r.text
    );
}

/// Reads the event stream until an event of `kind` whose data contains `needle`.
async fn next_event(
    body: &mut reqwest::Response,
    seen: &mut String,
    kind: &str,
    needle: &str,
) -> String {
    loop {
        if let Some(at) = seen.find("\n\n") {
            let event: String = seen.drain(..at + 2).collect();
            if event.contains(&format!("event: {kind}\n")) && event.contains(needle) {
                return event;
            }
            continue;
        }
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), body.chunk())
            .await
            .expect("an event within 10 s")
            .unwrap()
            .expect("the stream is open");
        seen.push_str(std::str::from_utf8(&chunk).unwrap());
    }
}

#[tokio::test]
async fn the_journal_stream_tells_each_entry_and_each_clear_as_it_happens_and_ends_with_the_mock() {
    let app = TestApp::spawn().await;
    let res = app
        .http
        .get(app.url("/__admin/journal/stream"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    let mut body = res;
    let mut seen = String::new();
    let token = app.token().await;
    let id = app.create_ok(&token, &sale(1111)).await;
    let event = next_event(&mut body, &mut seen, "entry", &id).await;
    let data: Value =
        serde_json::from_str(event.trim_end().split("data: ").nth(1).unwrap()).unwrap();
    assert_eq!(data["path"], "/v1/tasks/TRANSACTION", "{event}");
    assert_eq!(data["taskId"], id.as_str());
    let r = app.admin(Method::DELETE, "/journal", json!(null)).await;
    assert_eq!(r.status, 200);
    next_event(&mut body, &mut seen, "cleared", "{}").await;
    // the stream is never journaled itself
    let journal = app.admin(Method::GET, "/journal", json!(null)).await;
    assert_eq!(journal.json["entries"], json!([]), "{}", journal.text);
    app.mock.shutdown().await;
    let rest = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while let Ok(Some(_)) = body.chunk().await {}
    })
    .await;
    assert!(rest.is_ok(), "the stream ends when the mock stops");
}

#[tokio::test]
async fn a_reader_that_falls_behind_is_told_how_many_events_it_lost() {
    let app = TestApp::spawn().await;
    let state = app.mock.state();
    let mut events = Box::pin(mock_server::http::admin::events(state));
    for n in 0..mock_server::state::EVENT_BUFFER + 7 {
        state.publish("entry", || format!("{{\"n\":{n}}}"));
    }
    let (kind, data) = events.next().await.unwrap();
    assert_eq!((kind, &*data), ("dropped", "{\"count\":7}"));
    let (kind, data) = events.next().await.unwrap();
    assert_eq!(
        (kind, &*data),
        ("entry", "{\"n\":7}"),
        "then the oldest kept"
    );
}

#[tokio::test]
async fn the_console_page_is_one_self_contained_file() {
    let app = TestApp::spawn().await;
    let r = app.send(app.http.get(app.url("/__console"))).await;
    assert_eq!(r.status, 200);
    assert!(
        r.header("content-type").starts_with("text/html"),
        "{}",
        r.header("content-type")
    );
    for external in [
        "http://",
        "https://",
        "//cdn",
        "@import",
        "<link rel=\"stylesheet",
        "src=",
    ] {
        assert!(
            !r.text.contains(external),
            "the page loads nothing from elsewhere ({external})"
        );
    }
    for part in [
        "/__admin/terminals",
        "/__admin/journal/stream",
        "/__admin/judgement",
        "/outcome",
    ] {
        assert!(r.text.contains(part), "{part}");
    }
}
