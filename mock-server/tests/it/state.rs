//! `--state DIR`: what was acknowledged comes back after a restart (in-process and after `kill -9` of the
//! binary), a void of a sale made before it works, and a directory that cannot be used is refused untouched.

use std::process::Stdio;
use std::time::Duration;

use mock_server::{ManualClock, MockServer, Timestamp};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use crate::support::*;

const BIN: &str = env!("CARGO_BIN_EXE_gptom-mock");

async fn start(dir: &std::path::Path, seed: u64) -> Result<TestApp, mock_server::StartError> {
    let clock = ManualClock::at(Timestamp::DEFAULT_START);
    let mock = MockServer::builder()
        .seed(seed)
        .clock(clock.clone())
        .latency("instant")
        .state(dir)
        .start()
        .await?;
    let http = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    Ok(TestApp { mock, clock, http })
}

/// What a user can read of a mock: its state, journal, fault rules, sandboxes and clock.
async fn everything(app: &TestApp) -> Vec<Value> {
    let mut all = Vec::new();
    for path in ["/state", "/journal", "/faults", "/sandboxes", "/clock"] {
        let r = app.admin(Method::GET, path, json!(null)).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        all.push(r.json);
    }
    all
}

#[tokio::test]
async fn everything_acknowledged_comes_back_after_a_restart_and_a_sale_from_before_can_be_voided() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path(), 1).await.unwrap();
    assert_eq!(app.mock.replayed(), 0);
    let token = app.token().await;
    let (_, sale_id) = app.sale(&token, 1_500).await;
    let pending = app.create_ok(&token, &sale(2_500)).await;
    let r = app
        .admin(
            Method::PUT,
            "/terminals/999888/next-outcome",
            json!({"outcome": "decline", "count": 1}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .admin(
            Method::POST,
            "/faults",
            json!({"match": {"amount": 777}, "action": {"respond": {"status": 503, "type": "X"}}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .admin(Method::POST, "/sandboxes", json!({"label": "ci"}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = app
        .admin(Method::POST, "/clock/advance", json!({"seconds": 30}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let sandbox_clock = app
        .http
        .post(app.url("/__admin/clock/advance"))
        .header("x-gptom-sandbox", "sb1")
        .json(&json!({"seconds": 90}));
    let r = app.send(sandbox_clock).await;
    assert_eq!(r.json["sandboxOffsetMs"], 90_000, "{}", r.text);
    let bad = app.create(&token, &json!({"amount": "ten"})).await; // an error draws an exception id
    assert_eq!(bad.status, 406, "{}", bad.text);
    let before = everything(&app).await;
    app.mock.shutdown().await;

    let app = start(dir.path(), 1).await.unwrap();
    assert!(app.mock.replayed() >= 10, "{}", app.mock.replayed());
    assert_eq!(
        everything(&app).await,
        before,
        "the same state, journal, rules, sandboxes and clock"
    );
    // the token from before still works, the unfinished task goes on, the override and the rule still apply
    let t = app.task(&token, &pending).await;
    assert_eq!(t.status, 200, "{}", t.text);
    let declined = app.run_to_end(&token, &sale(1_200)).await;
    assert_eq!(
        result(&app, &token, &declined).await,
        "DECLINED",
        "{declined}"
    );
    app.create(&token, &sale(777))
        .await
        .assert_vendor_error(503, "X");
    let void = app.run_to_end(&token, &void_older(1_500, &sale_id)).await;
    assert_eq!(result(&app, &token, &void).await, "ACCEPTED", "{void}");
}

/// The `result` of a final task's transaction.
async fn result(app: &TestApp, token: &str, task: &Value) -> Value {
    let id = task["contextId"]
        .as_str()
        .unwrap_or_else(|| panic!("no transaction: {task}"));
    app.get(token, &format!("/v1/transactions/{id}")).await.json["result"].clone()
}

#[tokio::test]
async fn a_request_a_fault_delays_is_replayed_in_the_order_it_changed_the_mock() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path(), 4).await.unwrap();
    let token = app.token().await;
    let r = app
        .admin(
            Method::POST,
            "/faults",
            json!({"match": {"method": "POST", "path": "/v1/tasks/*"}, "action": {"delay_ms": 20}, "times": 1}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // the delayed creation lets go of the log while it waits: the other two run in between
    let (first, second, empty) = (sale(1_000), sale(2_000), json!({}));
    let (a, b, c) = tokio::join!(
        app.create(&token, &first),
        async {
            tokio::task::yield_now().await;
            app.create(&token, &second).await
        },
        app.create(&token, &empty),
    );
    assert_eq!(
        (a.status.as_u16(), b.status.as_u16(), c.status.as_u16()),
        (200, 200, 406)
    );
    let before = everything(&app).await;
    app.mock.shutdown().await;
    let app = start(dir.path(), 4).await.unwrap();
    assert_eq!(everything(&app).await, before);
}

#[tokio::test]
async fn a_directory_in_use_or_made_otherwise_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path(), 1).await.unwrap();
    let _ = app.token().await;
    let busy = start(dir.path(), 1).await.err().expect("refused");
    assert!(
        busy.to_string().contains("in use by another gptom-mock"),
        "{busy}"
    );
    app.mock.shutdown().await;

    let file = dir.path().join(mock_server::store::FILE);
    let bytes = std::fs::read(&file).unwrap();
    let other = start(dir.path(), 2).await.err().expect("refused");
    let other = other.to_string();
    assert!(
        other.contains("made with seed = 1; this start has seed = 2"),
        "{other}"
    );
    assert_eq!(
        std::fs::read(&file).unwrap(),
        bytes,
        "the refused start touched nothing"
    );

    let blocked = dir.path().join("a-file");
    std::fs::write(&blocked, "x").unwrap();
    let e = start(&blocked.join("state"), 1)
        .await
        .err()
        .expect("refused");
    assert!(e.to_string().contains("cannot create the directory"), "{e}");
}

/// The binary, as a shared instance runs: `--state DIR`, killed with SIGKILL mid-life, started again.
async fn spawn(dir: &std::path::Path) -> (tokio::process::Child, String) {
    let mut child = Command::new(BIN)
        .args([
            "--port",
            "0",
            "--seed",
            "3",
            "--clock",
            "manual",
            "--latency",
            "instant",
            "--state",
        ])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let url = line.split_whitespace().nth(3).unwrap().to_owned();
    (child, url)
}

async fn call(http: &reqwest::Client, req: reqwest::RequestBuilder) -> (u16, Value) {
    let _ = http;
    let r = req.send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn run_to_end(http: &reqwest::Client, url: &str, token: &str, body: &Value) -> Value {
    let (status, created) = call(
        http,
        http.post(format!("{url}/v1/tasks/TRANSACTION"))
            .bearer_auth(token)
            .json(body),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let advance = http
        .post(format!("{url}/__admin/clock/advance"))
        .json(&json!({"seconds": 120}));
    assert_eq!(call(http, advance).await.0, 200);
    let id = created["taskId"].as_str().unwrap();
    let (status, task) = call(
        http,
        http.get(format!("{url}/v1/tasks/{id}")).bearer_auth(token),
    )
    .await;
    assert_eq!(status, 200, "{task}");
    task
}

#[tokio::test]
async fn an_acknowledged_sale_survives_kill_9_and_is_voided_after_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let (mut child, url) = spawn(dir.path()).await;
    let form = [
        ("grant_type", "password"),
        ("username", USER),
        ("password", PASSWORD),
        ("tid", TID),
    ];
    let login = http
        .post(format!("{url}/cloud/oauth/token"))
        .basic_auth(CLIENT.0, Some(CLIENT.1))
        .form(&form);
    let (status, login) = call(&http, login).await;
    assert_eq!(status, 200, "{login}");
    let token = login["access_token"].as_str().unwrap().to_owned();
    let sold = run_to_end(&http, &url, &token, &sale(4_200)).await;
    assert_eq!(sold["status"], "COMPLETED", "{sold}");
    let txn = sold["contextId"].as_str().unwrap().to_owned();
    child.kill().await.unwrap(); // SIGKILL: nothing is flushed on the way out
    let _ = child.wait().await;

    let (_child, url) = spawn(dir.path()).await;
    let (status, kept) = call(
        &http,
        http.get(format!("{url}/v1/transactions/{txn}"))
            .bearer_auth(&token),
    )
    .await;
    assert_eq!(status, 200, "the sale is still there: {kept}");
    assert_eq!(kept["result"], "ACCEPTED", "{kept}");
    let voided = run_to_end(&http, &url, &token, &void_older(4_200, &txn)).await;
    let id = voided["contextId"].as_str().unwrap();
    let (_, void) = call(
        &http,
        http.get(format!("{url}/v1/transactions/{id}"))
            .bearer_auth(&token),
    )
    .await;
    assert_eq!(
        (
            void["transactionOperation"].as_str(),
            void["result"].as_str()
        ),
        (Some("VOID"), Some("ACCEPTED")),
        "{void}"
    );
}
