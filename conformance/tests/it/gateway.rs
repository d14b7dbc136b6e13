//! The whole suite against remote targets that behave like GP tom, as a user certifying a gateway runs it:
//! - a gptom-mock started with `--admin-token` on realistic latency whose clock runs by itself (here: the runner's
//!   pacer moves it by exactly what the runner waits, so "real time" passes and nothing sleeps): every scenario
//!   passes or runs partially, and the certification items a POS can drive by itself are covered;
//! - a shared gptom-mock with its admin API (manual clock, instant latency, the fast CI set-up): the suite passes
//!   twice in a row on the same, no longer fresh, mock, and leaves other terminals, latency, clock mode and fault
//!   rules as it found them.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use conformance::result::{ScenarioResult, SnapshotStatus, Verdict, items};
use conformance::runner::{Pacer, Waits};
use conformance::scenario::{self, Scenario};
use conformance::target::TargetSpec;
use conformance::{RunOptions, SnapshotMode};
use mock_server::{Clock, Config, ManualClock, MockServer, Timestamp};
use serde_json::{Value, json};

const ADMIN_TOKEN: &str = "s3cret";

fn suite() -> Vec<Arc<Scenario>> {
    let (scenarios, errors) = scenario::load_all(&[super::support::repo().join("scenarios")]);
    assert!(errors.is_empty(), "{errors:?}");
    scenarios.into_iter().map(Arc::new).collect()
}

async fn mock(latency: &str, clock: &ManualClock) -> MockServer {
    let config = Config {
        port: 0,
        latency: latency.into(),
        admin_token: Some(ADMIN_TOKEN.into()),
        ..Config::default()
    };
    MockServer::builder()
        .config(config)
        .clock(clock.clone())
        .start()
        .await
        .expect("mock starts")
}

fn not_ok(results: &[ScenarioResult]) -> Vec<String> {
    results
        .iter()
        .filter(|r| !r.verdict.is_ok())
        .map(|r| match &r.snapshot {
            SnapshotStatus::Differs(d) => format!("{}: {:?}\n{d}", r.id, r.verdict),
            _ => format!("{}: {:?}\n{}", r.id, r.verdict, r.transcript),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_like_mock_passes_every_scenario_or_runs_it_partly() {
    let clock = ManualClock::at(Timestamp::DEFAULT_START);
    let mock = mock("realistic", &clock).await;
    let waited = Arc::new(std::sync::Mutex::new(Duration::ZERO));
    let (c, w) = (clock.clone(), Arc::clone(&waited));
    let opts = RunOptions {
        target: TargetSpec::Remote(mock.base_url().to_owned()),
        waits: Waits {
            pacer: Pacer::new(move |d| {
                c.advance(d);
                *w.lock().expect("lock") += d;
                std::future::ready(())
            }),
            notice: None,
        },
        ..RunOptions::default()
    };
    let results = conformance::run(&suite(), &opts).await;
    assert!(
        not_ok(&results).is_empty(),
        "{}",
        not_ok(&results).join("\n\n")
    );

    // what a gateway cannot do is skipped with the reason, never failed
    let verdict = |id: &str| {
        results
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.verdict.clone())
            .unwrap_or_else(|| panic!("{id} ran"))
    };
    assert!(
        matches!(verdict("CLOUD-FAULTS-403"), Verdict::Skipped(why) if why.contains("admin API") && why.contains("--admin-token")),
        "{:?}",
        verdict("CLOUD-FAULTS-403")
    );
    assert!(
        matches!(verdict("CLOUD-TOKEN-REFRESH"), Verdict::Partial(why) if why.contains("after the token's hour") && why.contains("--max-wait 300")),
        "{:?}",
        verdict("CLOUD-TOKEN-REFRESH")
    );
    assert!(
        matches!(verdict("CLOUD-SALE-CUSTOMER-CANCEL"), Verdict::Partial(why) if why.contains("cancel_task")),
        "{:?}",
        verdict("CLOUD-SALE-CUSTOMER-CANCEL")
    );
    assert!(matches!(
        verdict("CLOUD-TASK-404-AS-403"),
        Verdict::Skipped(_)
    ));
    // the protocol scenarios ran whole, in the target's own time, and kept the snapshot's shape
    for id in [
        "CLOUD-SALE-APPROVED",
        "CLOUD-SALE-TIMEOUT",
        "CLOUD-VOID-LAST",
        "IOS-SALE-TIMEOUT",
        "A2A-STATE",
        "A2A-OUTCOMES",
    ] {
        let r = results.iter().find(|r| r.id == id).expect("ran");
        assert_eq!(r.verdict, Verdict::Passed, "{id}");
        assert_eq!(r.snapshot, SnapshotStatus::ShapeMatched, "{id}");
    }
    let timeout = results
        .iter()
        .find(|r| r.id == "IOS-SALE-TIMEOUT")
        .expect("ran");
    assert!(
        timeout.transcript.contains("(202 pending"),
        "a realistic target makes the caller wait:\n{}",
        timeout.transcript
    );
    assert!(
        *waited.lock().expect("lock") >= Duration::from_secs(5 * 60),
        "five device timeouts took their real minute each: {:?}",
        waited.lock().expect("lock")
    );

    // the reports say what ran partly and why
    let page = conformance::report::html::render(conformance::report::Outcome::Scenarios(&results));
    assert!(page.contains("<h2>Certification items</h2>"), "items table");
    assert!(page.contains("<span class=\"v partial\">partial</span>"));
    assert!(
        page.contains("<tr class=\"detail\"><td colspan=\"4\"><div class=\"sum\">section &quot;the operator cancels on the device&quot;"),
        "the reason has the row's full width"
    );
    let xml = conformance::report::junit::render(conformance::report::Outcome::Scenarios(&results));
    assert!(xml.contains("partially run: section"), "{xml}");
    let doc: Value = serde_json::from_str(&conformance::report::json::render(
        conformance::report::Outcome::Scenarios(&results),
    ))
    .expect("json");
    assert!(
        doc["summary"]["partial"].as_u64().is_some_and(|n| n > 0),
        "{}",
        doc["summary"]
    );
    assert_eq!(doc["summary"]["failed"], 0);

    // every certification item a POS drives by itself is covered by steps that ran
    let rows = items(&results);
    let not_run: Vec<&str> = rows
        .iter()
        .filter(|r| r.label() != "pass")
        .map(|r| r.item.as_str())
        .collect();
    assert!(not_run.is_empty(), "items not covered: {not_run:?}");
    let covered: BTreeSet<&str> = rows.iter().map(|r| r.item.as_str()).collect();
    for n in 1..=20 {
        let item = format!("cert-c:{n}");
        assert!(covered.contains(item.as_str()), "{item} has a scenario");
    }
}

/// Every scenario passed or was skipped for a profile, none ran only partly: with the admin API everything runs.
fn all_ran(results: &[ScenarioResult], run: &str) {
    assert!(
        not_ok(results).is_empty(),
        "{run}: {}",
        not_ok(results).join("\n\n")
    );
    let partial: Vec<&str> = results
        .iter()
        .filter(|r| matches!(r.verdict, Verdict::Partial(_)))
        .map(|r| r.id.as_str())
        .collect();
    assert!(
        partial.is_empty(),
        "{run}: with the admin API everything runs: {partial:?}"
    );
}

async fn admin(base: &str, method: reqwest::Method, path: &str, body: Value) -> Value {
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let mut req = client
        .request(method, format!("{base}/__admin{path}"))
        .bearer_auth(ADMIN_TOKEN);
    if !body.is_null() {
        req = req.json(&body);
    }
    req.send().await.expect("admin").json().await.expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_mock_with_its_admin_api_passes_twice_and_is_left_as_found() {
    let clock = ManualClock::at(Timestamp::DEFAULT_START);
    let mock = mock("instant", &clock).await;
    let base = mock.base_url().to_owned();
    // another user's terminal, and a fault rule of theirs
    admin(
        &base,
        reqwest::Method::PATCH,
        "/terminals/700100",
        json!({"latency": "realistic"}),
    )
    .await;
    let theirs = admin(
        &base,
        reqwest::Method::POST,
        "/faults",
        json!({"match": {"tid": "700100"}, "action": {"delay_ms": 1}}),
    )
    .await;
    let before = admin(
        &base,
        reqwest::Method::GET,
        "/state?tid=700100",
        Value::Null,
    )
    .await;
    let opts = RunOptions {
        target: TargetSpec::Remote(base.clone()),
        admin_token: Some(ADMIN_TOKEN.into()),
        snapshots: SnapshotMode::Compare,
        ..RunOptions::default()
    };
    let scenarios = suite();
    for round in 1..=2 {
        // the first run takes a sandbox; the second, --no-sandbox, runs on the mock's own terminals
        let opts = RunOptions {
            sandbox: round == 1,
            ..opts.clone()
        };
        let results = conformance::run(&scenarios, &opts).await;
        all_ran(&results, &format!("round {round}"));
    }
    let after = admin(
        &base,
        reqwest::Method::GET,
        "/state?tid=700100",
        Value::Null,
    )
    .await;
    assert_eq!(
        after["terminals"], before["terminals"],
        "another terminal is untouched"
    );
    let own = admin(
        &base,
        reqwest::Method::GET,
        "/state?tid=999888",
        Value::Null,
    )
    .await;
    assert_eq!(
        own["terminals"][0]["latency"], "instant",
        "latency put back"
    );
    assert_eq!(own["terminals"][0]["reachable"], true);
    let faults = admin(&base, reqwest::Method::GET, "/faults", Value::Null).await;
    let ids: Vec<&Value> = faults["faults"]
        .as_array()
        .expect("faults")
        .iter()
        .map(|f| &f["id"])
        .collect();
    assert_eq!(ids, [&theirs["id"]], "only the other user's rule is left");
    let mode = admin(&base, reqwest::Method::GET, "/clock", Value::Null).await;
    assert_eq!(mode["mode"], "manual");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_runs_at_once_on_one_mock_both_pass_in_their_own_sandboxes_and_leave_it_as_found() {
    let clock = ManualClock::at(Timestamp::DEFAULT_START);
    let mock = mock("instant", &clock).await;
    let base = mock.base_url().to_owned();
    let look = || async {
        let mut all = Vec::new();
        for path in ["/state", "/journal", "/faults", "/sandboxes", "/clock"] {
            let mut seen = admin(&base, reqwest::Method::GET, path, Value::Null).await;
            if let Some(m) = seen.as_object_mut() {
                m.remove("lastSeq"); // the journal's counter keeps counting; its entries must be as they were
            }
            all.push((path, seen));
        }
        all
    };
    let before = look().await;
    let opts = RunOptions {
        target: TargetSpec::Remote(base.clone()),
        admin_token: Some(ADMIN_TOKEN.into()),
        ..RunOptions::default()
    };
    let scenarios = suite();
    let (a, b) = tokio::join!(
        conformance::run(&scenarios, &opts),
        conformance::run(&scenarios, &opts)
    );
    all_ran(&a, "first run");
    all_ran(&b, "second run");
    // each moved its own sandbox's clock, added and removed its own rules, and gave its sandbox back: the
    // mock's terminals, journal, rules, sandboxes and clock are as they were
    for ((path, after), (_, before)) in look().await.iter().zip(&before) {
        assert_eq!(after, before, "{path}:\n{after:#}\n{before:#}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_stopped_with_ctrl_c_or_sigterm_gives_its_sandbox_back_and_says_so() {
    use std::io::BufRead;
    let clock = ManualClock::at(Timestamp::DEFAULT_START);
    let mock = mock("instant", &clock).await;
    let base = mock.base_url().to_owned();
    // every task creation hangs (10 minutes, real time): the run is still going when the signal comes
    let rule = json!({"match": {"method": "POST", "path": "/v1/tasks/*"}, "action": {"delay_ms": 600_000}});
    admin(&base, reqwest::Method::POST, "/faults", rule).await;
    for (signal, code, named) in [("INT", 130, "Ctrl-C"), ("TERM", 143, "SIGTERM")] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gptom-conformance"))
            .args(["run", "--target", &base, "--admin-token", ADMIN_TOKEN])
            .args(["--id", "CLOUD-SALE-APPROVED"])
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("runner starts");
        // the runner says what it runs against once it holds its sandbox (and listens for signals before it
        // takes one)
        let stdout = child.stdout.take().expect("stdout");
        let target = tokio::task::spawn_blocking(move || {
            std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .find(|l| l.starts_with("target"))
        })
        .await
        .expect("reader")
        .expect("the runner names its target");
        assert!(target.contains("sandbox"), "{target}");
        let taken = admin(&base, reqwest::Method::GET, "/sandboxes", Value::Null).await;
        assert_eq!(
            taken["sandboxes"].as_array().map(Vec::len),
            Some(1),
            "{taken:#}"
        );

        let sent = std::process::Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success());
        let out = tokio::task::spawn_blocking(move || child.wait_with_output())
            .await
            .expect("waiter")
            .expect("runner ends");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{signal}: {stderr}");
        assert!(
            stderr.contains(&format!("interrupted ({named})")),
            "{stderr}"
        );
        assert!(stderr.contains("was given back"), "{stderr}");
        let left = admin(&base, reqwest::Method::GET, "/sandboxes", Value::Null).await;
        assert_eq!(left["sandboxes"], json!([]), "{signal}: {left:#}");
    }
}
