//! `run --target` against a target without the mock admin API (a gptom-mock started with `--admin-token`, so
//! `/__admin/health` is refused and it looks like a real gateway): mock-only steps are skipped, or with an
//! operator become prompts; transcripts are compared with the snapshots on their shape. The "operator" is a
//! scripted reader that does the prompted thing (through the admin API, with the token) when it is asked.

use std::collections::VecDeque;
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::{Arc, Mutex};

use conformance::result::{SnapshotStatus, Verdict};
use conformance::runner::operator::Operator;
use conformance::target::TargetSpec;
use conformance::{RunOptions, SnapshotMode, scenario};
use mock_server::{Config, ManualClock, MockServer, Timestamp};

const ADMIN_TOKEN: &str = "s3cret";

const DECLINE: &str = "id: OP-DECLINE
title: a sale the operator makes decline
steps:
  - token: {}
  - set_outcome: {outcome: decline}
  - create_task: {body: {amount: 5000}}
  - poll_task:
      expect:
        json:
          - {path: status, equals: COMPLETED}
  - get_transaction:
      expect:
        json:
          - {path: result, equals: DECLINED}
";

async fn gateway_like_mock() -> MockServer {
    let config = Config {
        port: 0,
        latency: "instant".into(),
        admin_token: Some(ADMIN_TOKEN.into()),
        ..Config::default()
    };
    MockServer::builder()
        .config(config)
        .clock(ManualClock::at(Timestamp::DEFAULT_START))
        .start()
        .await
        .expect("mock starts")
}

/// One scripted answer: what the operator does, then the line typed.
type Action = Box<dyn FnOnce() -> &'static str + Send>;

/// A reader that performs the next action each time a line is asked for.
struct Script(VecDeque<Action>, Vec<u8>);

impl Read for Script {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.1.is_empty() {
            match self.0.pop_front() {
                Some(act) => self.1 = act().as_bytes().to_vec(),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.1.len());
        buf[..n].copy_from_slice(&self.1[..n]);
        self.1.drain(..n);
        Ok(n)
    }
}

#[derive(Clone, Default)]
struct Screen(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Screen {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("screen").extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Screen {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("screen")).into_owned()
    }
}

/// Writes the scenario, runs it on the embedded mock to accept its snapshot, and loads it.
async fn scenario_with_snapshot(dir: &Path, yaml: &str) -> Arc<scenario::Scenario> {
    let file = dir.join("S.yaml");
    std::fs::write(&file, yaml).expect("write");
    let s = Arc::new(scenario::load(&file).expect("loads"));
    let accept = RunOptions {
        snapshots: SnapshotMode::Accept,
        ..RunOptions::default()
    };
    let r = conformance::run(std::slice::from_ref(&s), &accept).await;
    assert_eq!(r[0].verdict, Verdict::Passed, "{}", r[0].transcript);
    s
}

fn remote(mock: &MockServer) -> RunOptions {
    RunOptions {
        target: TargetSpec::Remote(mock.base_url().to_owned()),
        ..RunOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_does_the_mock_only_step_and_the_shape_matches() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = scenario_with_snapshot(dir.path(), DECLINE).await;
    let mock = gateway_like_mock().await;

    // without an operator the section that needs the admin API is skipped as a whole, with the reason: the
    // sale is never made, so nothing can fail because the outcome was not arranged
    let plain = conformance::run(std::slice::from_ref(&s), &remote(&mock)).await;
    assert!(
        matches!(&plain[0].verdict, Verdict::Skipped(r) if r.contains("the gptom-mock admin API (step 2 set_outcome)") && r.contains("--admin-token")),
        "{:?}",
        plain[0].verdict
    );
    assert!(
        plain[0]
            .steps
            .iter()
            .all(|st| matches!(st.verdict, Verdict::Skipped(_))),
        "{:?}",
        plain[0].steps
    );
    assert!(
        plain[0].transcript.contains("skipped: with step 1"),
        "{}",
        plain[0].transcript
    );

    // the operator is asked, "enters 11.22" (arms the outcome the gateway-like mock has) and presses Enter
    let base = mock.base_url().to_owned();
    let handle = tokio::runtime::Handle::current();
    let arm: Action = Box::new(move || {
        handle.block_on(async {
            let res = reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("client")
                .put(format!("{base}/__admin/terminals/999888/next-outcome"))
                .bearer_auth(ADMIN_TOKEN)
                .json(&serde_json::json!({"outcome": "decline"}))
                .send()
                .await
                .expect("admin call");
            assert!(res.status().is_success(), "{}", res.status());
        });
        "\n"
    });
    let screen = Screen::default();
    let op = Operator::new(
        BufReader::new(Script(VecDeque::from([arm]), Vec::new())),
        screen.clone(),
    );
    let opts = RunOptions {
        operator: Some(Arc::new(op)),
        ..remote(&mock)
    };
    let r = conformance::run(std::slice::from_ref(&s), &opts).await;
    assert_eq!(r[0].verdict, Verdict::Passed, "{}", r[0].transcript);
    assert_eq!(r[0].snapshot, SnapshotStatus::ShapeMatched);
    assert!(
        screen.text().contains(
            "OP-DECLINE, step 2 set_outcome: Enter amount 11.22 on terminal 999888 so that it is declined, then press Enter"
        ),
        "{}",
        screen.text()
    );

    // `s` + Enter skips the step, and with it the rest of its section: the scenario ran partly, nothing failed
    let skip: Action = Box::new(|| "s\n");
    let op = Operator::new(
        BufReader::new(Script(VecDeque::from([skip]), Vec::new())),
        Screen::default(),
    );
    let opts = RunOptions {
        operator: Some(Arc::new(op)),
        ..remote(&mock)
    };
    let r = conformance::run(std::slice::from_ref(&s), &opts).await;
    assert!(
        matches!(&r[0].steps[1].verdict, Verdict::Skipped(why) if why.starts_with("skipped by the operator")),
        "{:?}",
        r[0].steps[1].verdict
    );
    assert!(
        matches!(&r[0].verdict, Verdict::Partial(why) if why.contains("step 2 set_outcome was skipped")),
        "{:?}",
        r[0].verdict
    );
    assert_eq!(
        r[0].steps[2].verdict,
        Verdict::Skipped("with step 2".into())
    );
    assert_eq!(
        r[0].snapshot,
        SnapshotStatus::ShapeMatched,
        "the token step's shape"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shape_mismatch_fails_with_a_readable_diff() {
    let dir = tempfile::tempdir().expect("tempdir");
    let yaml = "id: SHAPE\ntitle: a token\nsteps:\n  - token: {}\n";
    let s = scenario_with_snapshot(dir.path(), yaml).await;
    let mock = gateway_like_mock().await;
    let r = conformance::run(std::slice::from_ref(&s), &remote(&mock)).await;
    assert_eq!(r[0].verdict, Verdict::Passed, "{}", r[0].transcript);
    assert_eq!(r[0].snapshot, SnapshotStatus::ShapeMatched);

    // the committed snapshot says expires_in is a string: values may differ, types may not
    let snap = dir.path().join("SHAPE.snap");
    let text = std::fs::read_to_string(&snap).expect("snap");
    let changed = text.replace("\"expires_in\": 3600", "\"expires_in\": \"3600\"");
    assert_ne!(text, changed, "{text}");
    std::fs::write(&snap, changed).expect("write");
    let r = conformance::run(std::slice::from_ref(&s), &remote(&mock)).await;
    assert!(
        matches!(&r[0].verdict, Verdict::Failed(why) if why.contains("response shapes")),
        "{:?}",
        r[0].verdict
    );
    let SnapshotStatus::Differs(diff) = &r[0].snapshot else {
        panic!("{:?}", r[0].snapshot)
    };
    assert!(
        diff.contains("-$.expires_in: string\n+$.expires_in: number"),
        "{diff}"
    );
}

/// A server that answers the first request of each connection and closes the connection on the second one
/// without answering: what a client sees when a pooled connection was closed by the server as it reused it.
async fn closes_on_reuse() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                for n in 0.. {
                    // one whole request: headers, then the body its Content-Length announces
                    let mut got = Vec::new();
                    loop {
                        let Ok(k) = s.read(&mut buf).await else {
                            return;
                        };
                        if k == 0 {
                            return;
                        }
                        got.extend_from_slice(&buf[..k]);
                        let text = String::from_utf8_lossy(&got).to_ascii_lowercase();
                        if let Some(end) = text.find("\r\n\r\n") {
                            let len = text
                                .lines()
                                .find_map(|l| l.strip_prefix("content-length:"))
                                .and_then(|v| v.trim().parse::<usize>().ok())
                                .unwrap_or(0);
                            if got.len() >= end + 4 + len {
                                break;
                            }
                        }
                    }
                    if n > 0 {
                        return; // closed under the reused connection's request
                    }
                    let _ = s
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}")
                        .await;
                }
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_pooled_connection_is_retried_once_for_idempotent_requests_only() {
    let base = closes_on_reuse().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("R.yaml");
    std::fs::write(
        &file,
        "id: R\ntitle: reuse\nsteps:\n  - request: {method: GET, path: /a}\n  - request: {method: GET, path: /b}\n  \
         - request: {method: POST, path: /c, json: {}, expect: {transport_error: true}}\n",
    )
    .expect("write");
    let s = Arc::new(scenario::load(&file).expect("loads"));
    let opts = RunOptions {
        target: TargetSpec::Remote(base),
        ..RunOptions::default()
    };
    let r = conformance::run(std::slice::from_ref(&s), &opts).await;
    assert_eq!(r[0].verdict, Verdict::Passed, "{}", r[0].transcript);
    // every request reuses the connection of the one before (the probe of /__admin/health opened the first)
    let notes = |i: usize| r[0].steps[i].notes.join("\n");
    for (i, path) in [(0, "/a"), (1, "/b")] {
        assert!(
            notes(i).contains(&format!(
                "GET {path}: retried once on a fresh connection (connection closed before message completed)"
            )),
            "{}",
            r[0].transcript
        );
    }
    assert!(
        notes(2).is_empty(),
        "a POST is never sent twice: {}",
        r[0].transcript
    );
}
