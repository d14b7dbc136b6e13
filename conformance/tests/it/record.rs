//! `gptom-conformance record`: a POS session journalled by a `gptom-mock proxy` becomes a scenario that replays
//! against the server it was recorded from, and against the embedded mock where that server behaved like it.

use std::fs;

use mock_server::{ManualClock, MockServer, Timestamp};
use serde_json::{Value, json};

use super::pos::{API_KEY, Pos, TID, sale};
use super::support::{cli, text};

#[test]
fn a_session_through_the_proxy_replays_on_its_upstream_and_on_the_embedded_mock() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let pos = rt.block_on(async {
        let mut pos = Pos::behind_proxy().await;
        pos.login().await;
        let sale_id = pos.good_sale(&sale(1111)).await;
        pos.wait(5.0);
        // an older-transaction VOID names the sale: the recording must name it by its captured id
        let mut void = sale(1111);
        void["transactionOperation"] = json!("VOID");
        void["cancelMode"] = json!("OLDER_TRANSACTION");
        void["originTransactionId"] = json!(sale_id);
        let task = pos.created("TRANSACTION", &void).await;
        assert_eq!(pos.poll_to_final(&task, 1.0).await["status"], "COMPLETED");
        pos
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("REC-SALE-VOID.yaml");
    let out = cli(&[
        "record",
        "--journal",
        pos.base(),
        "--id",
        "REC-SALE-VOID",
        "--out",
        file.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("snapshot"), "{}", text(&out));
    let yaml = fs::read_to_string(&file).expect("scenario written");
    assert!(
        dir.path().join("REC-SALE-VOID.snap").is_file(),
        "snapshot beside it"
    );
    // token, sale, its polls as one step, its transaction, the void and its polls
    let kinds: Vec<&str> = yaml
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("- "))
        .filter_map(|l| l.split(':').next())
        .collect();
    assert_eq!(
        kinds,
        [
            "token",
            "create_task",
            "poll_task",
            "get_transaction",
            "create_task",
            "poll_task"
        ],
        "{yaml}"
    );
    assert!(
        yaml.contains(r#""originTransactionId":"{{transaction1}}""#),
        "the void names the captured sale: {yaml}"
    );
    assert!(
        !yaml.contains(API_KEY),
        "the target's apiKey, not the recorded one: {yaml}"
    );
    assert!(yaml.contains("latency: realistic"), "{yaml}");

    let path = file.to_str().expect("utf-8");
    let embedded = cli(&["run", path]);
    assert_eq!(embedded.status.code(), Some(0), "{}", text(&embedded));
    // the mock behind the proxy is the server it was recorded from (its clock is moved, nothing waits)
    let upstream = cli(&["run", "--target", pos.mock.base_url(), path]);
    assert_eq!(upstream.status.code(), Some(0), "{}", text(&upstream));
    assert!(text(&upstream).contains("1 passed"), "{}", text(&upstream));

    // an existing file is kept unless --force
    let again = cli(&[
        "record",
        "--journal",
        pos.base(),
        "--id",
        "REC-SALE-VOID",
        "--out",
        path,
    ]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));
    assert!(text(&again).contains("--force"), "{}", text(&again));
}

#[test]
fn an_upstream_unlike_the_mock_is_recorded_without_a_snapshot_and_replays_on_itself() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let clock = ManualClock::at(Timestamp::DEFAULT_START);
    let (upstream, proxy) = rt.block_on(async {
        let upstream = MockServer::builder()
            .clock(clock.clone())
            .profiles("task-not-found-403")
            .start()
            .await
            .expect("upstream");
        let proxy = MockServer::builder()
            .clock(clock.clone())
            .upstream(mock_server::Upstream::new(upstream.base_url()))
            .start()
            .await
            .expect("proxy");
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client");
        let token: Value = http
            .post(format!("{}/cloud/oauth/token", proxy.base_url()))
            .basic_auth("atom", Some("ashfuf4e5fa"))
            .form(&[
                ("grant_type", "password"),
                ("username", "jan.novak@example.com"),
                ("password", "ABCDEFGHIJKL"),
                ("tid", TID),
            ])
            .send()
            .await
            .expect("token")
            .json()
            .await
            .expect("json");
        let bearer = token["access_token"].as_str().expect("token").to_owned();
        let res = http
            .get(format!("{}/v1/tasks/no-such-task", proxy.base_url()))
            .bearer_auth(bearer)
            .send()
            .await
            .expect("read");
        assert_eq!(res.status().as_u16(), 403);
        (upstream, proxy)
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("REC-403.yaml");
    let path = file.to_str().expect("utf-8");
    let out = cli(&[
        "record",
        "--journal",
        proxy.base_url(),
        "--id",
        "REC-403",
        "--out",
        path,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let said = text(&out);
    assert!(said.contains("no snapshot"), "{said}");
    assert!(
        said.contains("step 2 get_task"),
        "the step that differs: {said}"
    );
    assert!(!dir.path().join("REC-403.snap").exists());
    let yaml = fs::read_to_string(&file).expect("scenario written");
    assert!(yaml.contains(r#""status":403"#), "{yaml}");
    // through the proxy, the recorded server answers as recorded
    let replay = cli(&["run", "--target", proxy.base_url(), path]);
    assert_eq!(replay.status.code(), Some(0), "{}", text(&replay));
    drop(upstream);
}

#[test]
fn bad_requests_to_record_say_what_is_wrong() {
    let dir = tempfile::tempdir().expect("tempdir");
    let journal = dir.path().join("journal.json");
    let out_file = dir.path().join("X.yaml");
    let out = out_file.to_str().expect("utf-8");
    fs::write(&journal, r#"{"entries": []}"#).expect("write");
    let j = journal.to_str().expect("utf-8");
    let empty = cli(&["record", "--journal", j, "--id", "X", "--out", out]);
    assert_eq!(empty.status.code(), Some(2), "{}", text(&empty));
    assert!(
        text(&empty).contains("no GP tom Cloud API call"),
        "{}",
        text(&empty)
    );
    let bad_id = cli(&["record", "--journal", j, "--id", "a b", "--out", out]);
    assert_eq!(bad_id.status.code(), Some(2), "{}", text(&bad_id));
    assert!(text(&bad_id).contains("--id \"a b\""), "{}", text(&bad_id));
    let missing = cli(&[
        "record",
        "--journal",
        "no-such.json",
        "--id",
        "X",
        "--out",
        out,
    ]);
    assert_eq!(missing.status.code(), Some(2), "{}", text(&missing));
    let down = cli(&[
        "record",
        "--journal",
        "http://127.0.0.1:9",
        "--id",
        "X",
        "--out",
        out,
    ]);
    assert_eq!(down.status.code(), Some(3), "{}", text(&down));
    assert!(!out_file.exists(), "nothing written on a refusal");
}
