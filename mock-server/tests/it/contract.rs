//! What `/openapi.json` promises, held against the server: the answers `make schemathesis` judges (documented
//! methods, closed admin bodies, JSON Schema's `integer`, the device-channel header), pinned here so a change
//! shows up in `cargo test` and not only in the slower schema run.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

#[tokio::test]
async fn every_method_the_router_answers_on_a_task_path_is_documented() {
    let app = TestApp::spawn().await;
    let doc = app.send(app.http.get(app.url("/openapi.json"))).await.json;
    let paths = &doc["paths"];
    for (path, methods) in [
        ("/v1/tasks/TRANSACTION", ["get", "post"]),
        ("/v1/tasks/BATCH", ["get", "post"]),
        ("/v1/tasks/{taskId}", ["get", "post"]),
    ] {
        for m in methods {
            assert!(paths[path][m].is_object(), "{m} {path} is not documented");
        }
    }
    let other = &paths["/v1/tasks/{taskId}"]["post"]["responses"];
    assert!(other["406"].is_object() && other["200"].is_null());
    // The behaviour those entries describe: GET on a create path is an unknown task id; another class is 406.
    let token = app.token().await;
    app.get(&token, "/v1/tasks/TRANSACTION")
        .await
        .assert_vendor_error(404, "TASK_NOT_FOUND");
    app.get(&token, "/v1/tasks/BATCH")
        .await
        .assert_vendor_error(404, "TASK_NOT_FOUND");
    app.post_json(&token, "/v1/tasks/DUMMY", &sale(1111))
        .await
        .assert_vendor_error(406, "VALIDATION_EXCEPTION");
}

#[tokio::test]
async fn the_served_document_lists_the_loaded_latency_profiles_and_terminal_modes() {
    let app = TestApp::spawn().await;
    let doc = app.send(app.http.get(app.url("/openapi.json"))).await.json;
    let body = &doc["components"]["schemas"]["PatchTerminalBody"]["properties"];
    let latency: Vec<&Value> = body["latency"]["enum"].as_array().unwrap().iter().collect();
    assert!(latency.contains(&&json!("instant")) && latency.contains(&&json!("realistic")));
    assert!(
        latency.contains(&&Value::Null),
        "null keeps the field optional"
    );
    assert_eq!(
        doc["components"]["schemas"]["TerminalMode"]["enum"],
        json!(["automatic", "semi-integrated"])
    );
}

#[tokio::test]
async fn admin_bodies_are_closed_objects_and_name_the_stray_field() {
    let app = TestApp::spawn().await;
    for (method, path, body, field) in [
        (
            Method::POST,
            "/clock/advance",
            json!({"seconds": 0, "x": 1}),
            "x",
        ),
        (
            Method::PUT,
            "/clock",
            json!({"now": "2030-01-01T00:00:00Z", "later": true}),
            "later",
        ),
        (Method::POST, "/reset", json!({"tids": "999888"}), "tids"),
        (
            Method::PATCH,
            "/terminals/999888",
            json!({"reachable": true, "latencies": "instant"}),
            "latencies",
        ),
        (
            Method::PUT,
            "/terminals/999888/next-outcome",
            json!({"outcome": "approve", "n": 1}),
            "n",
        ),
        (
            Method::PATCH,
            "/devices/999888",
            json!({"installed": true, "logged_in": true}),
            "logged_in",
        ),
        (
            Method::POST,
            "/faults",
            json!({"action": {"drop": true}, "when": 1}),
            "when",
        ),
    ] {
        let r = app.admin(method.clone(), path, body).await;
        assert_eq!(
            (r.status.as_u16(), r.json["field"].as_str()),
            (400, Some(field)),
            "{method} {path}: {}",
            r.text
        );
    }
    assert_eq!(
        app.now().to_rfc3339(),
        "2026-01-01T00:00:00.000Z",
        "nothing moved"
    );
    // No body and a JSON `null` both mean "no fields".
    let r = app.send(app.http.post(app.url("/__admin/reset"))).await;
    assert_eq!(
        (r.status.as_u16(), r.json["reset"].as_str()),
        (200, Some("all"))
    );
    let r = app.admin(Method::POST, "/reset", Value::Null).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn whole_numbers_written_with_a_fraction_are_integers() {
    let app = TestApp::spawn().await;
    let r = app
        .admin(
            Method::PUT,
            "/terminals/999888/next-outcome",
            json!({"outcome": "decline", "count": 2.0}),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.json["count"].as_u64()),
        (200, Some(2)),
        "{}",
        r.text
    );
    for bad in [json!(2.5), json!(-1), json!(4_294_967_296_u64)] {
        let r = app
            .admin(
                Method::PUT,
                "/terminals/999888/next-outcome",
                json!({"outcome": "decline", "count": bad}),
            )
            .await;
        assert_eq!(
            (r.status.as_u16(), r.json["field"].as_str()),
            (400, Some("count")),
            "{bad}"
        );
    }
    let rule = json!({"match": {"amount": -5.0}, "action": {"respond": {"status": 503.0, "type": "X"}}, "times": 1.0});
    let r = app.admin(Method::POST, "/faults", rule).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let listed = app.admin(Method::GET, "/faults", Value::Null).await.json;
    assert_eq!(listed["faults"][0]["match"]["amount"], -5);
    assert_eq!(listed["faults"][0]["times"], 1);
}

#[tokio::test]
async fn fault_rule_parts_must_be_objects() {
    let app = TestApp::spawn().await;
    for (rule, field) in [
        (
            json!({"match": [null, null], "action": {"drop": true}}),
            "match",
        ),
        (json!({"action": [true]}), "action"),
        (json!({"action": {"respond": [503, "X"]}}), "action.respond"),
    ] {
        let r = app.admin(Method::POST, "/faults", rule.clone()).await;
        assert_eq!(
            (r.status.as_u16(), r.json["field"].as_str()),
            (400, Some(field)),
            "{rule}"
        );
    }
    let listed = app.admin(Method::GET, "/faults", Value::Null).await.json;
    assert_eq!(listed["faults"], json!([]));
}

#[tokio::test]
async fn an_empty_since_is_not_a_time_but_empty_tid_and_path_filter_nothing() {
    let app = TestApp::spawn().await;
    let r = app.admin(Method::GET, "/journal?since=", Value::Null).await;
    assert_eq!(
        (r.status.as_u16(), r.json["field"].as_str()),
        (400, Some("since"))
    );
    let r = app
        .admin(Method::GET, "/journal?tid=&path=", Value::Null)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn a_deep_link_for_an_unknown_terminal_is_404() {
    let app = TestApp::spawn().await;
    let body = json!({"url": "gptom://status", "tid": "000000"});
    let r = app
        .send(app.http.post(app.url("/ios/deeplink")).json(&body))
        .await;
    assert_eq!(
        (r.status.as_u16(), r.json["field"].as_str()),
        (404, Some("tid")),
        "{}",
        r.text
    );
    let body = json!({"url": "gptom://nowhere", "tid": "999888"});
    let r = app
        .send(app.http.post(app.url("/ios/deeplink")).json(&body))
        .await;
    assert_eq!(
        (r.status.as_u16(), r.json["field"].as_str()),
        (400, Some("url"))
    );
}

#[tokio::test]
async fn an_empty_x_gptom_tid_is_refused_on_every_app2app_call() {
    let app = TestApp::spawn().await;
    for (method, path) in [
        (Method::POST, "/app2app/register"),
        (Method::POST, "/app2app/transaction"),
        (Method::GET, "/app2app/transaction/x"),
        (Method::GET, "/app2app/state/x"),
        (Method::GET, "/app2app/inquire/x"),
        (Method::GET, "/app2app/info"),
        (Method::POST, "/app2app/login"),
    ] {
        let req = app
            .http
            .request(method.clone(), app.url(path))
            .header("X-Gptom-Tid", "");
        let r = app.send(req).await;
        assert_eq!(
            (r.status.as_u16(), r.json["field"].as_str()),
            (400, Some("X-Gptom-Tid")),
            "{method} {path}: {}",
            r.text
        );
    }
    // Gson writes a null entity as `null`: the same as no body.
    let r = app
        .send(
            app.http
                .post(app.url("/app2app/register"))
                .json(&Value::Null),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.json["resultCode"].as_i64()),
        (200, Some(0)),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn every_documented_operation_reaches_a_handler() {
    // The router registers each handler with its `#[utoipa::path]` entry; this holds the other direction too:
    // nothing in the document falls through to the 404 fallback or a 405.
    let app = TestApp::spawn().await;
    let doc = app.send(app.http.get(app.url("/openapi.json"))).await.json;
    let mut seen = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path.replace("{tid}", "1850001").replace(['{', '}'], "");
        for method in item.as_object().unwrap().keys() {
            let Ok(m) = Method::from_bytes(method.to_uppercase().as_bytes()) else {
                continue; // `parameters` and the like
            };
            if path == "/__admin/journal/stream" {
                // an event stream never ends: its answer's head is what shows a handler took it
                let r = app.http.get(app.url(path)).send().await.unwrap();
                assert_eq!(r.headers()["content-type"], "text/event-stream");
                seen += 1;
                continue;
            }
            let r = app
                .send(app.http.request(m, app.url(&concrete)).json(&json!({})))
                .await;
            assert_ne!(r.status, 405, "{method} {path}: {}", r.text);
            assert!(
                r.json.get("error") != Some(&json!("Not Found")),
                "{method} {path} reaches no handler: {}",
                r.text
            );
            seen += 1;
        }
    }
    assert!(seen >= 36, "only {seen} operations documented");
}
