//! The built binary end to end: exit codes 0/1/2/3, loader errors with file:line:column, `--help`, and a run
//! with `--target` against a separately started mock.

use std::fs;

use super::support::{cli, text};

#[test]
fn no_arguments_runs_the_suite_against_the_embedded_mock() {
    let out = cli(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains(" 0 failed"), "{}", text(&out));
}

#[test]
fn a_failing_assertion_exits_1_and_shows_expected_and_actual() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(
        dir.path().join("FAILS.yaml"),
        "id: FAILS\ntitle: expects the wrong status\nsteps:\n  - token:\n      expect: {status: 201}\n",
    )
    .expect("write");
    let out = cli(&["run", dir.path().to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("status: expected 201, got 200"),
        "{}",
        text(&out)
    );
}

#[test]
fn fail_fast_stops_after_the_first_failure() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(
        dir.path().join("A.yaml"),
        "id: A-FAILS\ntitle: expects a transport error that does not happen\nsteps:\n  - token:\n      expect: {transport_error: true}\n",
    )
    .expect("write");
    fs::write(
        dir.path().join("B.yaml"),
        "id: B-NOT-RUN\ntitle: never starts\nsteps:\n  - token: {}\n",
    )
    .expect("write");
    let path = dir.path().to_str().expect("utf-8");
    let out = cli(&["run", path, "--fail-fast", "--jobs", "1"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let all = text(&out);
    assert!(
        all.contains("transport_error: expected true, got HTTP 200"),
        "{all}"
    );
    assert!(
        all.contains("0 passed, 1 failed, 0 errored, 1 skipped"),
        "{all}"
    );
    assert!(!all.contains("B-NOT-RUN"), "{all}");
    // without --fail-fast both run (B then fails for want of a snapshot)
    let out = cli(&["run", path, "--jobs", "1"]);
    assert!(text(&out).contains("0 passed, 2 failed"), "{}", text(&out));
}

#[test]
fn a_missing_snapshot_fails_and_accept_writes_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let yaml = dir.path().join("NEW.yaml");
    fs::write(
        &yaml,
        "id: NEW\ntitle: a new scenario\nsteps:\n  - token: {}\n",
    )
    .expect("write");
    let path = dir.path().to_str().expect("utf-8");
    let out = cli(&["run", path]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("no snapshot"), "{}", text(&out));
    // outside ./scenarios, `--id` alone would not find it: the hint names the file
    assert!(
        text(&out).contains(&format!(
            "`gptom-conformance snapshots accept {} --id NEW`",
            yaml.display()
        )),
        "{}",
        text(&out)
    );
    let out = cli(&["snapshots", "accept", path]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let snap = fs::read_to_string(dir.path().join("NEW.snap")).expect("written");
    assert!(snap.starts_with("---\n"), "{snap}");
    assert!(snap.contains("\"access_token\": \"[jwt-1]\""), "{snap}");
    let out = cli(&["run", path]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // a changed behaviour shows as a unified diff
    fs::write(
        dir.path().join("NEW.snap"),
        snap.replace("\"expires_in\": 3600", "\"expires_in\": 7200"),
    )
    .expect("write");
    let out = cli(&["run", path]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("-  \"expires_in\": 7200,\n+  \"expires_in\": 3600,"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_filter_that_matches_nothing_exits_2() {
    let out = cli(&["run", "--tag", "no-such-tag"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("no scenario matched"), "{}", text(&out));
}

#[test]
fn an_unknown_id_is_named_with_the_nearest_one() {
    let out = cli(&[
        "run",
        "--id",
        "CLOUD-SALE-DECLIND",
        "--id",
        "NOTHING-LIKE-IT",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains(
            "no scenario has the id \"CLOUD-SALE-DECLIND\" (did you mean CLOUD-SALE-DECLINED?), \"NOTHING-LIKE-IT\""
        ),
        "{}",
        text(&out)
    );
}

#[test]
fn a_gptom_mock_that_refuses_the_admin_token_is_a_usage_error() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let config = mock_server::Config {
        port: 0,
        admin_token: Some("right".into()),
        ..mock_server::Config::default()
    };
    let mock = rt
        .block_on(mock_server::MockServer::builder().config(config).start())
        .expect("mock starts");
    let base = mock.base_url().to_owned();
    let run = |token: &str| {
        cli(&[
            "run",
            "--id",
            "CLOUD-TOKEN-PASSWORD",
            "--target",
            &base,
            "--admin-token",
            token,
        ])
    };
    let out = run("wrong");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("refused the admin token"),
        "{}",
        text(&out)
    );
    let out = run("right");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("is a gptom-mock with its admin API"),
        "{}",
        text(&out)
    );
    drop(mock);
}

#[test]
fn a_bad_scenario_file_exits_2_with_its_position() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(
        dir.path().join("bad.yaml"),
        "id: BAD\ntitle: t\nsteps:\n  - token: {}\n  - create_task:\n      ammount: 1\n",
    )
    .expect("write");
    fs::write(
        dir.path().join("var.yaml"),
        "id: VAR\ntitle: t\nsteps:\n  - token: {}\n  - get_transaction: {id: \"{{txn}}\"}\n",
    )
    .expect("write");
    let out = cli(&["run", dir.path().to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let all = text(&out);
    assert!(
        all.contains("bad.yaml:6:7: unknown field `ammount`"),
        "{all}"
    );
    assert!(
        all.contains("var.yaml:5:5: get_transaction: unknown variable {{txn}}"),
        "{all}"
    );
}

#[test]
fn an_unreachable_target_exits_3() {
    let out = cli(&[
        "run",
        "--id",
        "CLOUD-TOKEN-PASSWORD",
        "--target",
        "http://127.0.0.1:9",
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("unreachable"), "{}", text(&out));
}

#[test]
fn the_suite_runs_against_a_separately_started_mock() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let clock = mock_server::ManualClock::at(mock_server::Timestamp::DEFAULT_START);
    let mock = rt
        .block_on(
            mock_server::MockServer::builder()
                .seed(7)
                .clock(clock)
                .latency("instant")
                .start(),
        )
        .expect("mock starts");
    let out = cli(&["run", "--target", mock.base_url(), "--jobs", "4"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    drop(mock);
}

#[test]
fn an_https_mock_behind_its_own_ca_is_a_target_with_ca() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = mock_server::ManualClock::at(mock_server::Timestamp::DEFAULT_START);
    let mock = rt
        .block_on(
            mock_server::MockServer::builder()
                .clock(clock)
                .latency("instant")
                .tls(mock_server::Tls::Auto {
                    dir: Some(dir.path().to_owned()),
                    sans: Vec::new(),
                })
                .start(),
        )
        .expect("mock starts");
    let ca = mock
        .ca_file()
        .expect("a CA")
        .to_str()
        .expect("utf-8")
        .to_owned();
    let url = format!("https://localhost:{}", mock.addr().port());
    let ids = [
        "--id",
        "CLOUD-SALE-APPROVED",
        "--id",
        "CLOUD-TOKEN-PASSWORD",
    ];
    let out = cli(&[&["run", "--target", &url, "--ca", &ca][..], &ids].concat());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("2 passed"), "{}", text(&out));
    // without the CA the target cannot be reached, and the reason says so
    let refused = cli(&[&["run", "--target", &url][..], &ids].concat());
    assert_eq!(refused.status.code(), Some(3), "{}", text(&refused));
    assert!(
        text(&refused).to_ascii_lowercase().contains("certificate"),
        "{}",
        text(&refused)
    );
    drop(mock);
}

#[test]
fn completions_and_the_man_page_are_printed() {
    let bash = cli(&["completions", "bash"]);
    assert_eq!(bash.status.code(), Some(0), "{}", text(&bash));
    let script = String::from_utf8_lossy(&bash.stdout);
    assert!(
        script.contains("gptom-conformance") && script.contains("record"),
        "{script}"
    );
    let man = cli(&["man"]);
    assert_eq!(man.status.code(), Some(0), "{}", text(&man));
    assert!(String::from_utf8_lossy(&man.stdout).contains(".TH gptom-conformance 1"));
}

#[test]
fn reports_are_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let junit = dir.path().join("r.xml");
    let json = dir.path().join("r.json");
    let out = cli(&[
        "run",
        "--id",
        "CLOUD-SALE-DECLINED",
        "--report",
        &format!("junit={}", junit.display()),
        "--report",
        &format!("json={}", json.display()),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let xml = fs::read_to_string(&junit).expect("junit written");
    assert!(
        xml.contains("<testcase name=\"CLOUD-SALE-DECLINED\""),
        "{xml}"
    );
    let doc: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&json).expect("json written")).expect("json");
    assert_eq!(doc["summary"]["passed"], 1);
    assert_eq!(doc["scenarios"][0]["verdict"], "passed");
}

#[test]
fn list_and_schema() {
    let out = cli(&["list", "--tag", "cert-a:2"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("CLOUD-SALE-APPROVED"), "{}", text(&out));
    let out = cli(&["schema"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        conformance::scenario::schema_json()
    );
}

#[test]
fn help_has_examples_and_exit_codes() {
    let out = cli(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("help", String::from_utf8_lossy(&out.stdout));
    let out = cli(&["run", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("run_help", String::from_utf8_lossy(&out.stdout));
}
