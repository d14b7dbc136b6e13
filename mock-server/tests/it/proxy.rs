//! `gptom-mock proxy`: a proxy (on port 0) in front of an upstream on port 0 — a second mock, started with
//! profiles that make it answer differently from the default model, or a stub for answers no mock gives —
//! sharing one manual clock. What reaches the client is the upstream's answer byte for byte; the journal has
//! every exchange with secrets hidden; `GET /__admin/divergences` names each planted difference with its rule
//! and journal `seq`, and nothing against a default upstream.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::routing::{get, post};
use mock_server::Upstream;
use reqwest::Method;
use serde_json::{Value, json};

use super::support::{API_KEY, TID, TestApp, batch, sale, with};

/// A proxy in front of `up`, on `up`'s clock.
async fn proxy_for(up: &TestApp) -> TestApp {
    proxy_to(up.mock.base_url(), up).await
}

async fn proxy_to(url: &str, up: &TestApp) -> TestApp {
    let url = url.to_owned();
    let clock = up.clock.clone();
    let mut front = TestApp::spawn_with(move |b| b.upstream(Upstream::new(url)).clock(clock)).await;
    front.clock = up.clock.clone();
    front
}

async fn divergences(front: &TestApp) -> Value {
    let r = front.admin(Method::GET, "/divergences", Value::Null).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json
}

/// `(rule, seq)` of every divergence.
fn rules(report: &Value) -> Vec<(String, u64)> {
    report["divergences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_owned(),
                d["seq"].as_u64().unwrap(),
            )
        })
        .collect()
}

async fn last_seq(front: &TestApp) -> u64 {
    let r = front
        .admin(Method::GET, "/journal?limit=0", Value::Null)
        .await;
    r.json["lastSeq"].as_u64().unwrap()
}

#[tokio::test]
async fn a_default_upstream_answers_through_the_proxy_unchanged_and_diverges_nowhere() {
    let up = TestApp::instant().await;
    let front = proxy_for(&up).await;
    let token = front.token().await;
    // a sale polled to its end and its transaction, a decline, a timeout, a batch, and the documented errors
    let (_, txn) = front.sale(&token, 1111).await;
    let r = front.get(&token, &format!("/v1/transactions/{txn}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    front.run_to_end(&token, &sale(1122)).await;
    front.close_batch(&token).await;
    front
        .create(&token, &with(sale(1111), "amount", json!(11.5)))
        .await
        .assert_vendor_error(406, "VALIDATION_EXCEPTION");
    front
        .create(&token, &json!([1]))
        .await
        .assert_vendor_error(400, "MALFORMED_REQUEST");
    front
        .task(&token, "nope")
        .await
        .assert_vendor_error(404, "TASK_NOT_FOUND");
    front
        .get(&token, "/v1/transactions/nope")
        .await
        .assert_vendor_error(404, "TRANSACTION_NOT_FOUND");
    assert_eq!(front.get("not-a-token", "/v1/tasks/x").await.status, 401);
    // a timeToLive task that expires behind a long one: ERROR, as the default model says
    let long = front.create_ok(&token, &sale(1123)).await;
    let short = front
        .create_ok(&token, &with(sale(1111), "timeToLive", json!(5)))
        .await;
    assert_eq!(front.status(&token, &short).await, "CREATED");
    up.advance(6.0);
    assert_eq!(front.status(&token, &short).await, "ERROR");
    up.advance(120.0);
    assert_eq!(front.status(&token, &long).await, "ERROR");

    // byte for byte: every answer the client got is what the upstream journalled
    let theirs = up.admin(Method::GET, "/journal", Value::Null).await.json;
    let ours = front.admin(Method::GET, "/journal", Value::Null).await.json;
    let (theirs, ours) = (
        theirs["entries"].as_array().unwrap(),
        ours["entries"].as_array().unwrap(),
    );
    assert_eq!(theirs.len(), ours.len());
    for (t, o) in theirs.iter().zip(ours) {
        assert_eq!(
            (&t["method"], &t["path"], &t["status"]),
            (&o["method"], &o["path"], &o["status"])
        );
        if t["path"].as_str().unwrap().ends_with("/oauth/token") {
            continue; // the proxy journals tokens without their signature (below)
        }
        assert_eq!(t["responseBody"], o["responseBody"], "{}", o["path"]);
        assert_eq!(t["requestBody"], o["requestBody"]);
    }
    // secrets: the password and the Authorization header hidden, tokens unsigned but their claims readable
    let grant = &ours[0];
    assert!(
        grant["requestBody"]
            .as_str()
            .unwrap()
            .contains("password=[redacted]"),
        "{grant}"
    );
    let access = grant["responseBody"]["access_token"].as_str().unwrap();
    assert!(
        access.ends_with(".[redacted]") && access.matches('.').count() == 2,
        "{access}"
    );
    assert_eq!(ours[1]["headers"]["authorization"], "Bearer [redacted]");
    assert!(
        ours[1]["tokenJti"].is_string(),
        "the judge links calls to grants by jti"
    );

    let report = divergences(&front).await;
    assert_eq!(report["divergences"], json!([]), "{report:#}");
    assert!(report["checked"].as_u64().unwrap() >= 15, "{report}");
}

#[tokio::test]
async fn an_upstream_on_other_profiles_diverges_where_the_profiles_differ() {
    let up =
        TestApp::spawn_with(|b| b.latency("instant").profiles("strict,task-not-found-403")).await;
    let front = proxy_for(&up).await;
    let token = front.token().await;
    // strict: a password grant on /api/oauth/token is refused
    let r = front
        .token_form(
            "/api/oauth/token",
            &[
                ("grant_type", "password"),
                ("username", super::support::USER),
                ("password", super::support::PASSWORD),
                ("tid", TID),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    let grant = last_seq(&front).await;
    // task-not-found-403
    assert_eq!(front.task(&token, "nope").await.status, 403);
    let not_found = last_seq(&front).await;
    // strict: a numeric string amount is refused, and an unknown field
    assert_eq!(
        front
            .create(&token, &with(sale(1111), "amount", json!("1111")))
            .await
            .status,
        406
    );
    let string_amount = last_seq(&front).await;
    assert_eq!(
        front
            .create(&token, &with(sale(1111), "note", json!("x")))
            .await
            .status,
        406
    );
    let unknown = last_seq(&front).await;
    // what both models agree on is not reported
    front.sale(&token, 1111).await;
    front
        .create(&token, &with(sale(1111), "amount", json!(0)))
        .await
        .assert_vendor_error(406, "VALIDATION_EXCEPTION");

    let report = divergences(&front).await;
    assert_eq!(
        rules(&report),
        [
            ("grant".to_owned(), grant),
            ("error-status".to_owned(), not_found),
            ("validation".to_owned(), string_amount),
            ("validation".to_owned(), unknown),
        ],
        "{report:#}"
    );
    assert_eq!(
        report["summary"],
        json!({"error-status": 1, "grant": 1, "validation": 2})
    );
    let d = &report["divergences"][1];
    assert_eq!(d["call"], "GET /v1/tasks/nope");
    assert_eq!(d["upstream"], "403 TASK_NOT_FOUND");
    assert!(
        d["mock"]
            .as_str()
            .unwrap()
            .starts_with("404 TASK_NOT_FOUND"),
        "{d}"
    );

    // the same traffic is no divergence for a proxy that models those profiles
    let clock = up.clock.clone();
    let url = up.mock.base_url().to_owned();
    let mut aware = TestApp::spawn_with(move |b| {
        b.upstream(Upstream::new(url))
            .clock(clock)
            .profiles("strict,task-not-found-403")
    })
    .await;
    aware.clock = up.clock.clone();
    let token = aware.token().await;
    assert_eq!(aware.task(&token, "nope").await.status, 403);
    assert_eq!(
        aware
            .create(&token, &with(sale(1111), "amount", json!("1111")))
            .await
            .status,
        406
    );
    assert_eq!(divergences(&aware).await["divergences"], json!([]));
}

#[tokio::test]
async fn an_upstream_that_cancels_expired_tasks_diverges_on_expiry() {
    let up = TestApp::spawn_with(|b| b.latency("instant").profiles("ttl-cancelled")).await;
    let front = proxy_for(&up).await;
    let token = front.token().await;
    front.create_ok(&token, &sale(1123)).await; // holds the terminal for the device timeout
    let short = front
        .create_ok(&token, &with(sale(1111), "timeToLive", json!(5)))
        .await;
    assert_eq!(front.status(&token, &short).await, "CREATED");
    up.advance(6.0);
    assert_eq!(front.status(&token, &short).await, "CANCELLED");
    let seq = last_seq(&front).await;
    let report = divergences(&front).await;
    assert_eq!(rules(&report), [("expiry".to_owned(), seq)], "{report:#}");
    assert!(
        report["divergences"][0]["mock"]
            .as_str()
            .unwrap()
            .starts_with("ERROR"),
        "{report}"
    );
}

/// A GP tom that gets things wrong in ways no mock can be told to: a create already STARTED, a misspelt
/// `contextID`, a COMPLETED task that goes back to IN_PROGRESS, and a transaction that answers a 500 in text.
async fn stub() -> String {
    let polls = Arc::new(AtomicUsize::new(0));
    let task = |status: &str, context: Value| {
        json!({"title": "t", "taskId": "T1", "created": "2026-01-01T00:00:00.000Z", "taskClass": "TRANSACTION",
               "status": status, "initiator": "POS", "contextId": context,
               "payload": {"apiKey": API_KEY, "Tid": TID, "initiator": "POS", "title": "t", "transactionOperation": "SALE",
                           "transactionType": "CARD", "amount": 1111, "currencyCode": "CZK", "printByPaymentApp": true}})
    };
    let created = task("STARTED", Value::Null);
    let mut misspelt = task("IN_PROGRESS", Value::Null);
    misspelt["contextID"] = json!(null);
    let done = task("COMPLETED", json!("X1"));
    let back = task("IN_PROGRESS", Value::Null);
    let app = Router::new()
        .route(
            "/cloud/oauth/token",
            post(|| async {
                axum::Json(json!({"access_token": "a.b.c", "token_type": "bearer", "refresh_token": "d.e.f",
                                  "expires_in": 3599, "scope": "read write", "jti": "j", "tid": TID}))
            }),
        )
        .route("/v1/tasks/TRANSACTION", post(move || async move { axum::Json(created) }))
        .route(
            "/v1/tasks/{id}",
            get(move || {
                let n = polls.fetch_add(1, Ordering::SeqCst);
                let answer = [misspelt.clone(), done.clone(), back.clone()][n.min(2)].clone();
                async move { axum::Json(answer) }
            }),
        )
        .route(
            "/v1/transactions/{id}",
            get(|| async { (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "boom") }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test]
async fn a_stub_upstream_diverges_on_order_spelling_and_status() {
    let url = stub().await;
    let up = TestApp::instant().await; // only its clock is used
    let front = proxy_to(&url, &up).await;
    let token = front.token().await;
    let created = front.create(&token, &sale(1111)).await;
    assert_eq!(
        created.json["status"], "STARTED",
        "the stub's answer, unchanged"
    );
    for _ in 0..3 {
        front.task(&token, "T1").await;
    }
    let r = front.get(&token, "/v1/transactions/X1").await;
    assert_eq!(
        (r.status.as_u16(), r.text.as_str()),
        (500, "boom"),
        "byte for byte, even a 500"
    );
    let report = divergences(&front).await;
    let found = rules(&report);
    // token 1, create 2, polls 3–5, transaction 6
    for expected in [
        ("create-status", 2),
        ("schema", 3),
        ("lifecycle", 5),
        ("status", 6),
        ("transaction", 6),
    ] {
        assert!(
            found.contains(&(expected.0.to_owned(), expected.1)),
            "{expected:?} missing from {report:#}"
        );
    }
    let schema = report["divergences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "schema")
        .unwrap();
    assert!(
        schema["upstream"].as_str().unwrap().contains("contextID"),
        "{schema}"
    );
}

#[tokio::test]
async fn upstream_failures_are_a_502_that_says_so_and_no_divergence() {
    let up = TestApp::instant().await;
    // a port nobody listens on
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let front = proxy_to(&closed, &up).await;
    let r = front.create("any", &sale(1111)).await;
    r.assert_vendor_error(502, "UPSTREAM_FAILED");
    assert!(
        r.json["message"].as_str().unwrap().contains(&closed),
        "{}",
        r.text
    );
    let journal = front.admin(Method::GET, "/journal", Value::Null).await.json;
    let fault = journal["entries"][0]["fault"].as_str().unwrap();
    assert!(fault.starts_with("proxy: upstream"), "{fault}");
    let report = divergences(&front).await;
    assert_eq!(
        (report["checked"].as_u64(), &report["divergences"]),
        (Some(0), &json!([]))
    );
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_without_reaching_the_upstream() {
    let up = TestApp::instant().await;
    let url = up.mock.base_url().to_owned();
    let clock = up.clock.clone();
    let front = TestApp::spawn_with(move |b| {
        let config = mock_server::Config {
            port: 0,
            body_limit: 64,
            ..mock_server::Config::default()
        };
        b.config(config).upstream(Upstream::new(url)).clock(clock)
    })
    .await;
    let r = front.create("any", &batch()).await;
    r.assert_vendor_error(413, "PAYLOAD_TOO_LARGE");
    let theirs = up.admin(Method::GET, "/journal", Value::Null).await.json;
    assert_eq!(theirs["entries"], json!([]), "nothing was forwarded");
    // an answer over the limit (the upstream's 401 body is longer than 64 bytes) is not passed on either
    let r = front.task("any", "x").await;
    r.assert_vendor_error(502, "UPSTREAM_FAILED");
    assert!(
        r.json["message"]
            .as_str()
            .unwrap()
            .contains("more than --body-limit (64 bytes)"),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn the_proxy_admin_api_takes_the_admin_token_and_answers_only_its_own_calls() {
    let up = TestApp::instant().await;
    let url = up.mock.base_url().to_owned();
    let front = TestApp::spawn_with(move |b| {
        let config = mock_server::Config {
            port: 0,
            admin_token: Some("s3cret".into()),
            ..mock_server::Config::default()
        };
        b.config(config).upstream(Upstream::new(url))
    })
    .await;
    let r = front
        .send(front.http.get(front.url("/__admin/divergences")))
        .await;
    assert_eq!(r.status, 401);
    let r = front
        .send(
            front
                .http
                .get(front.url("/__admin/health"))
                .bearer_auth("s3cret"),
        )
        .await;
    assert_eq!(r.json["name"], "gptom-mock proxy", "{}", r.text);
    assert_eq!(r.json["upstream"], up.mock.base_url());
    // the mock's own control calls are not the proxy's: nothing to reset, no clock to move
    let r = front
        .send(
            front
                .http
                .post(front.url("/__admin/reset"))
                .bearer_auth("s3cret"),
        )
        .await;
    assert_eq!(r.status, 404);
    // device channels have no upstream
    let r = front
        .send(front.http.get(front.url("/ios/deeplink/x")))
        .await;
    assert_eq!(r.status, 404);
    let _ = API_KEY;
}

#[tokio::test]
async fn an_https_upstream_is_trusted_through_upstream_ca_and_refused_without_it() {
    // the upstream is a mock on HTTPS with its own local CA (--tls auto)
    let dir = tempfile::tempdir().unwrap();
    let tls = mock_server::Tls::Auto {
        dir: Some(dir.path().to_owned()),
        sans: Vec::new(),
    };
    let up = TestApp::spawn_with(move |b| b.latency("instant").tls(tls)).await;
    let url = up.mock.base_url().to_owned();
    assert!(url.starts_with("https://"), "{url}");
    let ca_file = up.mock.ca_file().unwrap().to_owned();

    let clock = up.clock.clone();
    let (u, ca) = (url.clone(), ca_file.clone());
    let mut front = TestApp::spawn_with(move |b| {
        let mut upstream = Upstream::new(u);
        upstream.ca = Some(ca);
        b.upstream(upstream).clock(clock)
    })
    .await;
    front.clock = up.clock.clone();
    // a sale through the TLS upstream, from token to transaction
    let token = front.token().await;
    let (_, txn) = front.sale(&token, 1111).await;
    let r = front.get(&token, &format!("/v1/transactions/{txn}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let report = divergences(&front).await;
    assert_eq!(report["divergences"], json!([]), "{report:#}");

    // the private CA is not among the system's roots: without --upstream-ca the proxy says why it failed
    let (u, clock) = (url.clone(), up.clock.clone());
    let untrusting = TestApp::spawn_with(move |b| b.upstream(Upstream::new(u)).clock(clock)).await;
    let r = untrusting.create("any", &sale(1111)).await;
    r.assert_vendor_error(502, "UPSTREAM_FAILED");
    let message = r.json["message"].as_str().unwrap().to_ascii_lowercase();
    assert!(message.contains("certificate"), "{message}");
}
