//! Shared helpers: an engine over the built-in fixtures, master claims, request bodies, a mock on port 0,
//! proptest configs with a fixed seed, and RSS readings from /proc.

use std::time::Duration;

use mock_server::engine::Engine;
use mock_server::engine::token::Who;
use mock_server::{Config, ManualClock, MockServer, Timestamp};
use proptest::test_runner::{Config as PropConfig, RngSeed};
use serde_json::{Value, json};

pub const CLIENT: (&str, &str) = ("atom", "ashfuf4e5fa");
pub const USER: &str = "jan.novak@example.com";
pub const PASSWORD: &str = "ABCDEFGHIJKL";
pub const TID: &str = "999888";
pub const API_KEY: &str = "333W212J3";
pub const MASTER: &str = "example-cloud-admin@example.com";
pub const SECRET: &str = "reliability-test-secret";

/// A proptest config: `cases` unless `PROPTEST_CASES` says otherwise, a fixed seed unless `PROPTEST_RNG_SEED`
/// says otherwise (so a run can be replayed), failures persisted beside the test as usual.
pub fn prop_config(cases: u32) -> PropConfig {
    let mut c = PropConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = cases;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        c.rng_seed = RngSeed::Fixed(0x0067_7074_6f6d);
    }
    c
}

/// An engine over the built-in fixtures with `latency`.
pub fn engine(latency: &str, max_tasks: usize, max_transactions: usize) -> Engine {
    let config = Config {
        latency: latency.into(),
        seed: 7,
        jwt_secret: Some(SECRET.into()),
        max_tasks,
        max_transactions,
        ..Config::default()
    };
    mock_server::server::engine_for(&config).expect("built-in fixtures load")
}

/// Who the master login's token (company-wide, `tid: null`) speaks for, as `authenticate` would return it.
pub fn master() -> Who {
    Who::Master(MASTER.into())
}

/// A CARD or CASH SALE body.
pub fn sale_body(tid: &str, key: &str, amount: i64, cash: bool) -> Value {
    json!({"apiKey": key, "Tid": tid, "initiator": "Reliability", "title": "Invoice",
           "transactionOperation": "SALE", "transactionType": if cash { "CASH" } else { "CARD" },
           "amount": amount})
}

/// A batch-close body.
pub fn batch_body(tid: &str, key: &str) -> Value {
    json!({"apiKey": key, "Tid": tid, "initiator": "Reliability", "title": "Close"})
}

/// A mock on 127.0.0.1:0 with a manual clock, instant latency, seed 1 and `config` tweaks.
pub async fn spawn(f: impl FnOnce(&mut Config)) -> (MockServer, ManualClock) {
    let clock = ManualClock::at(Timestamp::DEFAULT_START);
    let mut config = Config {
        port: 0,
        latency: "instant".into(),
        jwt_secret: Some(SECRET.into()),
        ..Config::default()
    };
    f(&mut config);
    let mock = MockServer::builder()
        .config(config)
        .seed(1)
        .clock(clock.clone())
        .latency("instant")
        .start()
        .await
        .expect("mock starts");
    (mock, clock)
}

/// A reqwest client for loopback: no proxy, no redirects, a timeout so a hang fails the test.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client builds")
}

/// A password-grant token response for `user` (terminal `tid` or master when `None`).
pub async fn login(http: &reqwest::Client, base: &str, user: &str, tid: Option<&str>) -> Value {
    let mut form = vec![
        ("grant_type", "password"),
        ("username", user),
        ("password", PASSWORD),
    ];
    if let Some(t) = tid {
        form.push(("tid", t));
    }
    let res = http
        .post(format!("{base}/cloud/oauth/token"))
        .basic_auth(CLIENT.0, Some(CLIENT.1))
        .form(&form)
        .send()
        .await
        .expect("token request");
    assert_eq!(res.status(), 200);
    res.json().await.expect("token JSON")
}

/// The access token of the default terminal login.
pub async fn token(http: &reqwest::Client, base: &str) -> String {
    login(http, base, USER, Some(TID)).await["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

/// Resident set size of this process in KiB (`VmRSS` of /proc/self/status), if readable.
pub fn rss_kib() -> Option<u64> {
    rss_of("self")
}

/// Resident set size of `/proc/{pid}` in KiB.
pub fn rss_of(pid: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Asserts the vendor's four-field error body.
pub fn assert_vendor_body(status: u16, body: &Value, context: &str) {
    let obj = body
        .as_object()
        .unwrap_or_else(|| panic!("{context}: {status} body is not a JSON object: {body}"));
    let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["exceptionId", "type", "message", "context"],
        "{context}: {status} {body}"
    );
    let id = body["exceptionId"].as_str().unwrap_or_default();
    assert!(
        id.len() == 6 && id.chars().all(|c| c.is_ascii_alphanumeric()),
        "{context}: exceptionId {id:?}"
    );
    assert!(body["type"].is_string(), "{context}: {body}");
    assert!(body["message"].is_string(), "{context}: {body}");
    assert!(
        body["context"].is_string() || body["context"].is_null(),
        "{context}: {body}"
    );
}
