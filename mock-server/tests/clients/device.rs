//! What the client-derived tests share: a mock on port 0 with a manual clock, and the two device channels as a
//! real client meets them — the redirect URL GP tom opens for a deep link, the JSON string an AIDL callback
//! receives — with the bridge's `202 {"pending"}` waited out (the real app simply answers later), moving the
//! clock instead of sleeping.
#![allow(dead_code)]

use std::time::Duration;

use mock_server::{Clock, ManualClock, MockServer, Timestamp};
use serde_json::{Value, json};

/// The default terminal and its login (fixtures/accounts.yaml).
pub const TID: &str = "999888";
/// Its user.
pub const USER: &str = "jan.novak@example.com";
/// Every fixture account's password.
pub const PASSWORD: &str = "ABCDEFGHIJKL";

/// A mock and a client for its device channels.
pub struct Device {
    /// The running mock.
    pub mock: MockServer,
    /// Its clock (only the tests move it).
    pub clock: ManualClock,
    http: reqwest::Client,
    /// The TID whose device is driven.
    pub tid: String,
}

impl Device {
    /// A mock on `latency` (`instant` or `realistic`), seed 1, manual clock.
    pub async fn start(latency: &str) -> Self {
        let clock = ManualClock::at(Timestamp::DEFAULT_START);
        let mock = MockServer::builder()
            .seed(1)
            .clock(clock.clone())
            .latency(latency)
            .start()
            .await
            .expect("mock starts");
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("client");
        Device {
            mock,
            clock,
            http,
            tid: TID.to_owned(),
        }
    }

    /// Moves the mock clock.
    pub fn advance(&self, seconds: f64) {
        self.clock.advance(Duration::from_secs_f64(seconds));
    }

    /// Opens `url` (a `gptom://…` link exactly as the client built it) on the device and returns the redirect
    /// URL GP tom opens afterwards (None when the link has no `redirectUrl`), after the payment is final.
    /// Panics if GP tom would not open the link at all (400).
    pub async fn open(&self, url: &str) -> Option<String> {
        self.open_full(url).await["redirect"]
            .as_str()
            .map(str::to_owned)
    }

    /// Like [`Device::open`], the whole final answer (`{redirect, result, warnings}`).
    pub async fn open_full(&self, url: &str) -> Value {
        let (status, mut v) = self
            .post("/ios/deeplink", None, &json!({"url": url, "tid": self.tid}))
            .await;
        assert!(status == 200 || status == 202, "{url}: {status} {v}");
        for _ in 0..200 {
            let Some(id) = v.get("pending").and_then(Value::as_str).map(str::to_owned) else {
                return v;
            };
            self.advance(1.0);
            let (_, next) = self.get(&format!("/ios/deeplink/{id}"), None).await;
            v = next;
        }
        panic!("{url}: still pending after 200 s");
    }

    /// One AIDL call as JSON: `POST /app2app/{call}` (register, transaction, login, logout, change-password) with
    /// the entity the client's Gson would write; a pending `transaction` is waited out like the real callback.
    /// Returns the JSON string the listener receives.
    pub async fn aidl_post(&self, call: &str, entity: &Value) -> String {
        let (status, mut v) = self
            .post(&format!("/app2app/{call}"), Some(&self.tid), entity)
            .await;
        assert!(status == 200 || status == 202, "{call}: {status} {v}");
        for _ in 0..200 {
            let Some(id) = (status == 202 || v.get("pending").is_some())
                .then(|| v.get("pending").and_then(Value::as_str).map(str::to_owned))
                .flatten()
            else {
                return v.to_string();
            };
            self.advance(1.0);
            let (s, next) = self
                .get(&format!("/app2app/transaction/{id}"), Some(&self.tid))
                .await;
            if s != 202 {
                return next.to_string();
            }
            v = next;
        }
        panic!("{call}: still pending after 200 s");
    }

    /// `transactionRequestV2` without waiting: the status (200 final, 202 still running) and the body.
    pub async fn aidl_request_nowait(&self, entity: &Value) -> (u16, Value) {
        self.post("/app2app/transaction", Some(&self.tid), entity)
            .await
    }

    /// `stateRequest(id)`, `TransactionInquire(id)` or `getGPTomInfo()`: `GET /app2app/{path}`; the JSON string.
    pub async fn aidl_get(&self, path: &str) -> String {
        let (status, v) = self.get(&format!("/app2app/{path}"), Some(&self.tid)).await;
        assert_eq!(status, 200, "{path}: {v}");
        v.to_string()
    }

    async fn post(&self, path: &str, tid: Option<&str>, body: &Value) -> (u16, Value) {
        let mut req = self
            .http
            .post(format!("{}{path}", self.mock.base_url()))
            .json(body);
        if let Some(t) = tid {
            req = req.header("x-gptom-tid", t);
        }
        let res = req.send().await.expect("sent");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str, tid: Option<&str>) -> (u16, Value) {
        let mut req = self.http.get(format!("{}{path}", self.mock.base_url()));
        if let Some(t) = tid {
            req = req.header("x-gptom-tid", t);
        }
        let res = req.send().await.expect("sent");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// The mock clock as RFC 3339.
    pub fn now(&self) -> String {
        self.clock.now().to_rfc3339()
    }
}
