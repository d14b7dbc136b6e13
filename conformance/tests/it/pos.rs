//! A scripted POS for the client-certification tests: a plain reqwest client talking to an embedded mock
//! (realistic latency, manual clock). "Waiting" moves the mock clock, so the journal's times are the POS's
//! pacing and nothing sleeps.

use std::time::Duration;

use conformance::certify::judge::{self, CheckVerdict, Judgement};
use conformance::certify::{self, Window};
use mock_server::{Clock as _, ManualClock, MockServer, Timestamp};
use serde_json::{Value, json};

/// The default terminal's `apiKey`.
pub const API_KEY: &str = "333W212J3";
/// The default terminal.
pub const TID: &str = "999888";

/// A POS pointed at its own mock.
pub struct Pos {
    /// The mock (dropping it stops it).
    pub mock: MockServer,
    /// A `gptom-mock proxy` in front of the mock, when the POS talks through one: its GP tom calls go there
    /// (and its journal is the one judged); admin calls still reach the mock behind it.
    pub proxy: Option<MockServer>,
    clock: ManualClock,
    http: reqwest::Client,
    access: String,
    refresh: String,
}

/// A SALE body for the default terminal.
pub fn sale(amount: i64) -> Value {
    json!({"apiKey": API_KEY, "Tid": TID, "initiator": "POS 1", "title": format!("Order {amount}"),
           "transactionOperation": "SALE", "transactionType": "CARD", "amount": amount})
}

impl Pos {
    /// A fresh mock with realistic latency and a manual clock at 2026-01-01T00:00:00Z.
    pub async fn start() -> Self {
        let clock = ManualClock::at(Timestamp::DEFAULT_START);
        let mock = MockServer::builder()
            .seed(42)
            .clock(clock.clone())
            .latency("realistic")
            .start()
            .await
            .expect("mock starts");
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client");
        Self {
            mock,
            proxy: None,
            clock,
            http,
            access: String::new(),
            refresh: String::new(),
        }
    }

    /// The same, through a `gptom-mock proxy` (on the same clock) whose upstream is that mock: the way a POS
    /// is judged against GP tom's dev environment.
    pub async fn behind_proxy() -> Self {
        let mut pos = Self::start().await;
        let proxy = MockServer::builder()
            .clock(pos.clock.clone())
            .upstream(mock_server::Upstream::new(pos.mock.base_url()))
            .start()
            .await
            .expect("proxy starts");
        pos.proxy = Some(proxy);
        pos
    }

    /// Where the POS sends its calls (the proxy if there is one), or the admin calls (always the mock).
    pub fn base(&self) -> &str {
        match &self.proxy {
            Some(p) => p.base_url(),
            None => self.mock.base_url(),
        }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("/__admin") {
            return format!("{}{path}", self.mock.base_url());
        }
        format!("{}{path}", self.base())
    }

    /// The POS waits (the mock clock moves).
    pub fn wait(&self, secs: f64) {
        self.clock.advance(Duration::from_secs_f64(secs));
    }

    async fn token(&mut self, form: &[(&str, &str)]) -> u16 {
        let res = self
            .http
            .post(self.url("/cloud/oauth/token"))
            .basic_auth("atom", Some("ashfuf4e5fa"))
            .form(form)
            .send()
            .await
            .expect("token request");
        let status = res.status().as_u16();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        if status == 200 {
            self.access = body["access_token"].as_str().unwrap_or_default().to_owned();
            self.refresh = body["refresh_token"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
        }
        status
    }

    /// Password grant for the default terminal.
    pub async fn login(&mut self) {
        let status = self
            .token(&[
                ("grant_type", "password"),
                ("username", "jan.novak@example.com"),
                ("password", "ABCDEFGHIJKL"),
                ("tid", TID),
            ])
            .await;
        assert_eq!(status, 200);
    }

    /// Refresh grant.
    pub async fn refresh(&mut self) {
        let refresh = self.refresh.clone();
        let status = self
            .token(&[("grant_type", "refresh_token"), ("refresh_token", &refresh)])
            .await;
        assert_eq!(status, 200);
    }

    /// `POST /v1/tasks/{class}` → (status, body).
    pub async fn create(&self, class: &str, body: &Value) -> (u16, Value) {
        let res = self
            .http
            .post(self.url(&format!("/v1/tasks/{class}")))
            .bearer_auth(&self.access)
            .json(body)
            .send()
            .await
            .expect("create");
        (
            res.status().as_u16(),
            res.json().await.unwrap_or(Value::Null),
        )
    }

    /// A create that must succeed; the task id.
    pub async fn created(&self, class: &str, body: &Value) -> String {
        let (status, task) = self.create(class, body).await;
        assert_eq!(status, 200, "{task}");
        task["taskId"].as_str().expect("taskId").to_owned()
    }

    /// `GET path` → (status, body).
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let res = self
            .http
            .get(self.url(path))
            .bearer_auth(&self.access)
            .send()
            .await
            .expect("get");
        (
            res.status().as_u16(),
            res.json().await.unwrap_or(Value::Null),
        )
    }

    /// `POST` to a device-bridge path (`/ios/deeplink`, `/app2app/…`) → (status, body). No bearer token.
    pub async fn device_post(&self, path: &str, body: &Value) -> (u16, Value) {
        let res = self
            .http
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("device post");
        (
            res.status().as_u16(),
            res.json().await.unwrap_or(Value::Null),
        )
    }

    /// `GET` of a device-bridge path → (status, body).
    pub async fn device_get(&self, path: &str) -> (u16, Value) {
        let res = self
            .http
            .get(self.url(path))
            .send()
            .await
            .expect("device get");
        (
            res.status().as_u16(),
            res.json().await.unwrap_or(Value::Null),
        )
    }

    /// Opens a deep link; while it answers `202 {"pending"}`, waits a second and asks again. The final body.
    pub async fn deeplink(&self, url: &str) -> Value {
        let (mut status, mut body) = self
            .device_post("/ios/deeplink", &json!({"url": url}))
            .await;
        for _ in 0..600 {
            if status != 202 {
                break;
            }
            self.wait(1.0);
            let id = body["pending"].as_str().expect("pending id").to_owned();
            (status, body) = self.device_get(&format!("/ios/deeplink/{id}")).await;
        }
        assert_eq!(status, 200, "{body}");
        body
    }

    /// The app2app flow done right: register, transactionRequestV2, stateRequest every `every` seconds until
    /// a final state, TransactionInquire on 6. The final state.
    pub async fn a2a_payment(&self, amount: i64, every: f64) -> i64 {
        let (_, reg) = self.device_post("/app2app/register", &json!({})).await;
        let id = reg["transactionId"]
            .as_str()
            .expect("registered")
            .to_owned();
        let request = json!({"transactionID": id, "transactionType": 1, "amount": amount, "paymentMethod": "CARD"});
        self.device_post("/app2app/transaction", &request).await;
        for _ in 0..2000 {
            self.wait(every);
            let (_, state) = self.device_get(&format!("/app2app/state/{id}")).await;
            let s = state["state"].as_i64().expect("state");
            if [6, 7, 8].contains(&s) {
                if s == 6 {
                    self.device_get(&format!("/app2app/inquire/{id}")).await;
                }
                return s;
            }
        }
        panic!("app2app transaction {id} never ended");
    }

    /// Polls every `every` seconds until a final status; the last task body.
    pub async fn poll_to_final(&self, task: &str, every: f64) -> Value {
        for _ in 0..2000 {
            self.wait(every);
            let (status, body) = self.get(&format!("/v1/tasks/{task}")).await;
            assert_eq!(status, 200, "{body}");
            if matches!(
                body["status"].as_str(),
                Some("COMPLETED" | "CANCELLED" | "ERROR" | "INIT_ERROR")
            ) {
                return body;
            }
        }
        panic!("task {task} never became final");
    }

    /// A sale from create to its transaction, the way certification expects; the transaction id.
    pub async fn good_sale(&self, body: &Value) -> String {
        let task = self.created("TRANSACTION", body).await;
        let done = self.poll_to_final(&task, 1.0).await;
        assert_eq!(done["status"], "COMPLETED", "{done}");
        let id = done["contextId"].as_str().expect("contextId").to_owned();
        let (status, _) = self.get(&format!("/v1/transactions/{id}")).await;
        assert_eq!(status, 200);
        id
    }

    /// An admin call (not journaled).
    pub async fn admin(&self, method: reqwest::Method, path: &str, body: Value) {
        let res = self
            .http
            .request(method, self.url(&format!("/__admin{path}")))
            .json(&body)
            .send()
            .await
            .expect("admin call");
        assert!(res.status().is_success(), "{path}: {}", res.status());
    }

    /// The next task create answers 502 once.
    pub async fn arm_502(&self) {
        self.admin(
            reqwest::Method::POST,
            "/faults",
            json!({"match": {"method": "POST", "path": "/v1/tasks/TRANSACTION"},
                   "action": {"respond": {"status": 502, "type": "PUSH_NOTIFICATION_FAILED"}}, "times": 1}),
        )
        .await;
    }

    /// The next task on the terminal ends with `outcome`.
    pub async fn next_outcome(&self, outcome: &str) {
        self.admin(
            reqwest::Method::PUT,
            &format!("/terminals/{TID}/next-outcome"),
            json!({"outcome": outcome, "count": 1}),
        )
        .await;
    }

    /// The raw `GET /__admin/journal` text.
    pub async fn get_admin_journal(&self) -> Result<String, reqwest::Error> {
        self.http
            .get(self.url("/__admin/journal"))
            .send()
            .await?
            .text()
            .await
    }

    /// Judges the mock's journal, fetched over HTTP as the CLI does.
    pub async fn judgement(&self) -> Judgement {
        let journal = certify::fetch_journal(self.base(), &Window::default(), None, None)
            .await
            .expect("journal");
        judge::judge(&journal)
    }
}

/// `id` fails; every other check passes or does not apply.
pub fn fails_exactly(j: &Judgement, id: &str) {
    let table: Vec<String> = j
        .checks
        .iter()
        .map(|c| format!("{} {} {}", c.id, c.verdict.label(), c.summary))
        .collect();
    for c in &j.checks {
        let expected_ok = if c.id == id {
            c.verdict == CheckVerdict::Fail
        } else {
            c.verdict <= CheckVerdict::Pass
        };
        assert!(expected_ok, "{id} should fail alone:\n{}", table.join("\n"));
    }
}
