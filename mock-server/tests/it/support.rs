//! TestApp: a mock on port 0 with a ManualClock handle, a reqwest client and typed calls.

use std::time::Duration;

use mock_server::{Clock, ManualClock, MockServer, MockServerBuilder, Timestamp};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub const CLIENT: (&str, &str) = ("atom", "ashfuf4e5fa");
pub const USER: &str = "jan.novak@example.com";
pub const PASSWORD: &str = "ABCDEFGHIJKL";
pub const TID: &str = "999888";
pub const API_KEY: &str = "333W212J3";
pub const MASTER: &str = "example-cloud-admin@example.com";

pub struct TestApp {
    pub mock: MockServer,
    pub clock: ManualClock,
    pub http: reqwest::Client,
}

/// A response: status, headers and the body parsed as JSON (Null when empty or not JSON).
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }
    /// Asserts a vendor error body: exactly the four fields, with this status and type.
    pub fn assert_vendor_error(&self, status: u16, kind: &str) {
        assert_eq!(self.status.as_u16(), status, "{}", self.text);
        let obj = self
            .json
            .as_object()
            .unwrap_or_else(|| panic!("not a JSON object: {}", self.text));
        let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            ["exceptionId", "type", "message", "context"],
            "{}",
            self.text
        );
        assert_eq!(self.json["type"], kind, "{}", self.text);
        let id = self.json["exceptionId"].as_str().unwrap();
        assert!(
            id.len() == 6 && id.chars().all(|c| c.is_ascii_alphanumeric()),
            "{id}"
        );
        assert_eq!(self.header("content-type"), "application/json");
    }
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|b| b).await
    }

    pub async fn spawn_with(f: impl FnOnce(MockServerBuilder) -> MockServerBuilder) -> Self {
        let clock = ManualClock::at(Timestamp::DEFAULT_START);
        let builder = MockServer::builder().seed(1).clock(clock.clone());
        let mock = f(builder).start().await.expect("mock starts");
        let http = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        TestApp { mock, clock, http }
    }

    pub async fn instant() -> Self {
        Self::spawn_with(|b| b.latency("instant")).await
    }

    pub async fn with_profiles(list: &str) -> Self {
        Self::spawn_with(|b| b.profiles(list)).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.mock.base_url())
    }

    pub fn advance(&self, seconds: f64) {
        self.clock.advance(Duration::from_secs_f64(seconds));
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Reply {
        let res = req.send().await.expect("request sent");
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            text,
            json,
        }
    }

    /// `POST /cloud/oauth/token` with the published client and this form.
    pub async fn token_form(&self, path: &str, form: &[(&str, &str)]) -> Reply {
        self.send(
            self.http
                .post(self.url(path))
                .basic_auth(CLIENT.0, Some(CLIENT.1))
                .form(form),
        )
        .await
    }

    /// Password grant; returns the whole token response.
    pub async fn login_as(&self, user: &str, tid: Option<&str>) -> Value {
        let mut form = vec![
            ("grant_type", "password"),
            ("username", user),
            ("password", PASSWORD),
        ];
        if let Some(t) = tid {
            form.push(("tid", t));
        }
        let r = self.token_form("/cloud/oauth/token", &form).await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.json
    }

    /// Access token of the default terminal account.
    pub async fn token(&self) -> String {
        self.login_as(USER, Some(TID)).await["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn get(&self, token: &str, path: &str) -> Reply {
        self.send(self.http.get(self.url(path)).bearer_auth(token))
            .await
    }

    pub async fn post_json(&self, token: &str, path: &str, body: &Value) -> Reply {
        self.send(self.http.post(self.url(path)).bearer_auth(token).json(body))
            .await
    }

    pub async fn create(&self, token: &str, body: &Value) -> Reply {
        self.post_json(token, "/v1/tasks/TRANSACTION", body).await
    }

    pub async fn task(&self, token: &str, id: &str) -> Reply {
        self.get(token, &format!("/v1/tasks/{id}")).await
    }

    pub async fn status(&self, token: &str, id: &str) -> String {
        let r = self.task(token, id).await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.json["status"].as_str().unwrap().to_owned()
    }

    /// Creates a task of `class` that must be accepted; returns its id.
    pub async fn create_class_ok(&self, class: &str, token: &str, body: &Value) -> String {
        let r = self
            .post_json(token, &format!("/v1/tasks/{class}"), body)
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.json["taskId"].as_str().unwrap().to_owned()
    }

    /// Creates a TRANSACTION task that must be accepted; returns its id.
    pub async fn create_ok(&self, token: &str, body: &Value) -> String {
        self.create_class_ok("TRANSACTION", token, body).await
    }

    /// Creates a TRANSACTION task, lets the clock run until it is final, returns the final task JSON.
    pub async fn run_to_end(&self, token: &str, body: &Value) -> Value {
        self.run_class_to_end("TRANSACTION", token, body).await
    }

    /// Closes the default terminal's batch; returns the final BATCH task JSON.
    pub async fn close_batch(&self, token: &str) -> Value {
        self.run_class_to_end("BATCH", token, &batch()).await
    }

    async fn run_class_to_end(&self, class: &str, token: &str, body: &Value) -> Value {
        let id = self.create_class_ok(class, token, body).await;
        self.advance(120.0);
        let r = self.task(token, &id).await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.json
    }

    /// A completed card sale of `amount`: (taskId, transactionId).
    pub async fn sale(&self, token: &str, amount: i64) -> (String, String) {
        let t = self.run_to_end(token, &sale(amount)).await;
        assert_eq!(t["status"], "COMPLETED", "{t}");
        (
            t["taskId"].as_str().unwrap().into(),
            t["contextId"].as_str().unwrap().into(),
        )
    }

    pub async fn admin(&self, method: reqwest::Method, path: &str, body: Value) -> Reply {
        self.send(
            self.http
                .request(method, self.url(&format!("/__admin{path}")))
                .json(&body),
        )
        .await
    }
}

/// A CARD SALE body for the default terminal.
pub fn sale(amount: i64) -> Value {
    json!({"apiKey": API_KEY, "Tid": TID, "initiator": "Cash desk 1", "title": "Invoice 1",
           "transactionOperation": "SALE", "transactionType": "CARD", "amount": amount})
}

/// The same body with `key` set.
pub fn with(mut body: Value, key: &str, value: Value) -> Value {
    body[key] = value;
    body
}

/// A VOID of the last transaction.
pub fn void_last(amount: i64) -> Value {
    let b = with(sale(amount), "transactionOperation", json!("VOID"));
    with(b, "cancelMode", json!("LAST_TRANSACTION"))
}

/// A VOID of an older transaction.
pub fn void_older(amount: i64, origin: &str) -> Value {
    let b = with(void_last(amount), "cancelMode", json!("OLDER_TRANSACTION"));
    with(b, "originTransactionId", json!(origin))
}

/// A batch-close body.
pub fn batch() -> Value {
    json!({"apiKey": API_KEY, "Tid": TID, "initiator": "Cash desk 1", "title": "Close"})
}

/// A terminal login of the built-in fixtures.
pub struct Login {
    pub user: &'static str,
    pub tid: &'static str,
    pub api_key: &'static str,
}

pub const POKLADNA: Login = Login {
    user: "pokladna@example.com",
    tid: "483590",
    api_key: "K7Q2M9X4A",
};
pub const SEMI: Login = Login {
    user: "semi@example.com",
    tid: "483591",
    api_key: "S3M1INT3G",
};
pub const OFFLINE: Login = Login {
    user: "offline@example.com",
    tid: "483592",
    api_key: "0FFL1N3X9",
};

impl TestApp {
    /// Access token of another terminal login.
    pub async fn token_of(&self, login: &Login) -> String {
        self.login_as(login.user, Some(login.tid)).await["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

/// A CARD SALE body for another terminal.
pub fn sale_on(login: &Login, amount: i64) -> Value {
    with(
        with(sale(amount), "Tid", json!(login.tid)),
        "apiKey",
        json!(login.api_key),
    )
}
