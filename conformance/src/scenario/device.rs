//! Steps for the device channels the mock simulates: iOS deep links (`deeplink`) and the Android app2app bridge
//! (`app2app`). Both answer `202 {"pending": id}` while the device is still busy; the step then polls the
//! channel's result route the way `poll_task` polls a task, and the checks apply to the final answer.
//!
//! ```yaml
//! - deeplink: {url: "gptom://transaction/create?amount=1123&redirectUrl=myapp://gptom/transaction/create",
//!              interval: 30, expect: {json: [{path: result.error, equals: failed}]}}
//! - app2app: {call: register, capture: {sale: transactionId}}
//! - app2app: {call: transaction, id: "{{sale}}", body: {transactionType: 1, amount: 1111}}
//! - app2app: {call: state, id: "{{sale}}", expect: {json: [{path: state, equals: 6}]}}
//! ```

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{Expect, Poll, default_interval, default_timeout, yes};

/// `deeplink`: `POST /ios/deeplink {"url", "tid"}`; while the answer is `202 {pending}`, `GET
/// /ios/deeplink/{pending}` every `interval` (moving the mock clock on targets with the admin API, waiting
/// otherwise) until it is final or `timeout` passes. The transcript shows the `POST` and the last poll.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Deeplink {
    /// A label for reports.
    pub name: Option<String>,
    /// The `gptom://…` URL the app opens.
    pub url: String,
    /// The TID whose simulated device opens it; default the target's.
    pub tid: Option<String>,
    /// `false`: take a `202 {pending}` answer as it is (to check or capture `pending`); default `true`.
    #[serde(default = "yes")]
    pub wait: bool,
    /// Seconds between polls while pending (default 1).
    #[serde(default = "default_interval")]
    pub interval: f64,
    /// Give up after this many seconds pending (default 120).
    #[serde(default = "default_timeout")]
    pub timeout: f64,
    /// Checks on the final response: `{redirect, result, warnings}` (default: status 200).
    #[serde(default)]
    pub expect: Expect,
    /// Variables to capture from the final response, e.g. `{ams: result.receipt.amsID}`.
    #[serde(default)]
    pub capture: Map<String, Value>,
}

/// The AIDL call an `app2app` step makes, and its route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum App2AppCall {
    /// `POST /app2app/register` (body default `{}`); a 2xx stores `transactionId`.
    Register,
    /// `POST /app2app/transaction` (transactionRequestV2); polls `GET /app2app/transaction/{pending}` while 202.
    Transaction,
    /// `GET /app2app/state/{id}` (stateRequest).
    State,
    /// `GET /app2app/inquire/{id}` (TransactionInquire).
    Inquire,
    /// `GET /app2app/transaction/{id}`: the result of a request, polled while 202 like `transaction`.
    Result,
    /// `GET /app2app/info` (getGPTomInfo).
    Info,
    /// `POST /app2app/login` `{username, password, terminalId}`.
    Login,
    /// `POST /app2app/logout` (body default `{}`).
    Logout,
    /// `POST /app2app/change-password` `{oldPass, newPass, authCode, validationOnly}`.
    ChangePassword,
}

impl App2AppCall {
    /// The call as written in a scenario (`change-password`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::Transaction => "transaction",
            Self::State => "state",
            Self::Inquire => "inquire",
            Self::Result => "result",
            Self::Info => "info",
            Self::Login => "login",
            Self::Logout => "logout",
            Self::ChangePassword => "change-password",
        }
    }

    /// Whether the call sends a JSON body (a `POST`).
    pub fn has_body(self) -> bool {
        matches!(
            self,
            Self::Register | Self::Transaction | Self::Login | Self::Logout | Self::ChangePassword
        )
    }

    /// Whether the call may answer `202 {pending}` and the step then polls `GET /app2app/transaction/{id}`.
    pub fn may_pend(self) -> bool {
        matches!(self, Self::Transaction | Self::Result)
    }

    /// Whether the call is about one transaction id (`id` applies).
    pub fn takes_id(self) -> bool {
        matches!(
            self,
            Self::Transaction | Self::State | Self::Inquire | Self::Result
        )
    }
}

/// `app2app`: one AIDL call over the mock's JSON bridge, with the `X-Gptom-Tid` header. A `transaction` or
/// `result` answered `202 {pending}` is polled at `GET /app2app/transaction/{pending}` like a `deeplink`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct App2App {
    /// A label for reports.
    pub name: Option<String>,
    /// register, transaction, state, inquire, result, info, login, logout, change-password.
    pub call: App2AppCall,
    /// The transaction id: the path of `state`, `inquire`, `result`, and `transactionID` in a `transaction`
    /// body that has none. Default `{{transactionId}}` (the last `register`).
    pub id: Option<String>,
    /// The entity, as Gson writes it (`POST` calls only); strings may use `{{var}}`.
    pub body: Option<Map<String, Value>>,
    /// The `X-Gptom-Tid` header; default the target's TID.
    pub tid: Option<String>,
    /// `transaction`, `result`: `false` takes a `202 {pending}` answer as it is (e.g. to watch `state` move);
    /// default `true`.
    #[serde(default = "yes")]
    pub wait: bool,
    /// `transaction`, `result`: seconds between polls while pending (default 1).
    #[serde(default = "default_interval")]
    pub interval: f64,
    /// `transaction`, `result`: give up after this many seconds pending (default 120).
    #[serde(default = "default_timeout")]
    pub timeout: f64,
    /// Repeat the call until the expectations hold, e.g. `state` until `6`: `{every: 0.5, within: 30}`.
    pub poll: Option<Poll>,
    /// Checks on the final response (default: status 200).
    #[serde(default)]
    pub expect: Expect,
    /// Variables to capture from the final response.
    #[serde(default)]
    pub capture: Map<String, Value>,
}

impl App2App {
    /// The transaction id as written (before `{{var}}` substitution), for calls that take one: `id`, else a
    /// `transaction` body's own `transactionID`, else `{{transactionId}}`. `None` when the body names it.
    pub fn id_template(&self) -> Option<&str> {
        if !self.call.takes_id() {
            return None;
        }
        let in_body = self.call == App2AppCall::Transaction
            && self
                .body
                .as_ref()
                .is_some_and(|b| b.contains_key("transactionID"));
        match (&self.id, in_body) {
            (Some(id), _) => Some(id),
            (None, true) => None,
            (None, false) => Some("{{transactionId}}"),
        }
    }
}
