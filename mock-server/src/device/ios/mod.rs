//! iOS deep links (device-channels.md §2): `gptom://…` request URLs in, the redirect URL GP tom would open out,
//! with result parameters exactly as the official iOS SDK parses them (`status`, `receipt`, `code`, `error`,
//! `batch`, `appStatus`). Runs on the same engine as the Cloud API. No axum.

mod ops;
mod url;

use serde_json::{Map, Value, json};

use super::format::{client_id, ios_card_type, major, merchant_location};
use super::{Device, Layer};
use crate::clock::Timestamp;
use crate::engine::outcome::Outcome;
use crate::engine::task::TaskStatus;
use crate::engine::terminal::Terminal;
use crate::engine::transaction::{Transaction, TxnResult};
use crate::engine::validate::TaskRequest;
use crate::engine::{Channel, TaskView};

pub use url::{Op, redirect_with};
use url::{Params, lint, split};

/// What a deep link produced.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// Final: the redirect URL GP tom opens (None without `redirectUrl`), the result parameters, warnings.
    Done {
        /// The caller's `redirectUrl` with the result appended.
        redirect: Option<String>,
        /// Result parameters in order (`status`, `receipt`, …), JSON values already parsed.
        result: Map<String, Value>,
        /// Likely client bugs seen in the URL.
        warnings: Vec<String>,
    },
    /// Still running on the device (realistic latency): poll with this id.
    Pending(String),
}

/// A deep link waiting for its task.
#[derive(Clone, Debug)]
pub struct Pending {
    op: Op,
    tid: String,
    redirect_url: Option<String>,
    warnings: Vec<String>,
}

impl Pending {
    /// The TID it runs on.
    pub fn tid(&self) -> &str {
        &self.tid
    }
}

/// `status=ERROR&error=…`: every redirect the SDK routes needs `status` (`DeeplinkResult.parseStatus`), failed
/// logins and password changes included.
fn error(name: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("status".into(), json!("ERROR"));
    m.insert("error".into(), json!(name));
    m
}

impl Layer<'_> {
    /// Runs one deep link for `tid` (default: the first terminal). `Err` = GP tom would not open the URL (400).
    pub fn deeplink(
        &mut self,
        url: &str,
        tid: Option<&str>,
        now: Timestamp,
    ) -> Result<Reply, String> {
        let (path, list) = split(url)?;
        let op = Op::parse(&path).ok_or_else(|| {
            format!("gptom://{path} is not a GP tom deep link; expected transaction/create|refund|cancel|detail, batch/close|detail, login, logout, change-password or status")
        })?;
        let terminal = self.engine.terminal_or_first(tid).map_err(|e| e.message)?;
        if !self
            .device(&terminal.tid)
            .map(|d| d.installed)
            .unwrap_or(false)
        {
            return Err(format!(
                "GP tom is not installed on the device of TID {}: the gptom:// URL cannot be opened",
                terminal.tid
            ));
        }
        let params = Params { list };
        let warnings = lint(op, &params);
        let redirect_url = params
            .get("redirectUrl")
            .filter(|r| !r.is_empty())
            .map(str::to_owned);
        let pending = Pending {
            op,
            tid: terminal.tid.to_string(),
            redirect_url,
            warnings,
        };
        let result = match self.run(op, &params, &terminal, now) {
            Ok(Started(task_id)) => {
                self.devices.deeplinks.insert(task_id.clone(), pending);
                return Ok(self
                    .deeplink_poll(&task_id, now)
                    .unwrap_or(Reply::Pending(task_id)));
            }
            Ok(Ready(m)) => m,
            Err(m) => m,
        };
        Ok(finish(pending, result))
    }

    /// `gptom-mock deeplink`: one deep link in a one-shot run, where nothing waits — a task still running (a
    /// timeout outcome) is read a day later.
    pub fn deeplink_once(
        &mut self,
        url: &str,
        tid: Option<&str>,
        now: Timestamp,
    ) -> Result<Reply, String> {
        self.deeplink(url, tid, now).map(|r| match r {
            Reply::Pending(ref id) => self.deeplink_poll(id, now.plus_ms(86_400_000)).unwrap_or(r),
            done => done,
        })
    }

    /// The reply of a deep link that was pending: `Reply::Pending` until its task is final; None if unknown.
    pub fn deeplink_poll(&mut self, id: &str, now: Timestamp) -> Option<Reply> {
        let pending = self.devices.deeplinks.get(id)?.clone();
        let view = self.engine.task_any(id, now)?;
        if !view.status.is_final() {
            return Some(Reply::Pending(id.to_owned()));
        }
        let result = self.final_result(&pending, &view, now);
        Some(finish(pending, result))
    }

    /// Queues a deep-link payment and remembers its `requestID`; `failure` is the `error=` name if refused.
    fn start(
        &mut self,
        terminal: &Terminal,
        req: TaskRequest,
        p: &Params,
        failure: &str,
        now: Timestamp,
    ) -> Result<Step, Map<String, Value>> {
        let view = self
            .engine
            .submit(terminal, req, Channel::Ios, now)
            .map_err(|_| error(failure))?;
        if let Some(rid) = p.get("requestID") {
            self.devices.request_ids.insert(
                (terminal.tid.to_string(), rid.to_owned()),
                view.task_id.to_string(),
            );
        }
        Ok(Started(view.task_id.into()))
    }

    fn final_result(&mut self, p: &Pending, view: &TaskView, now: Timestamp) -> Map<String, Value> {
        let mut m = Map::new();
        let status = match view.status {
            TaskStatus::Completed => "COMPLETED",
            TaskStatus::Cancelled => "CANCELLED",
            _ => "ERROR",
        };
        if p.op == Op::BatchClose {
            m.insert("status".into(), json!(status));
            if status == "ERROR" {
                m.insert("error".into(), json!("failedToCloseBatch"));
            }
            if let Some(b) = view
                .context_id
                .as_ref()
                .and_then(|id| self.batch_json(&p.tid, id, now))
            {
                m.insert("batch".into(), b);
            }
            return m;
        }
        let txn = view
            .context_id
            .as_ref()
            .and_then(|id| self.engine.transaction_any(&p.tid, id, now));
        let outcome = self.engine.task_outcome(&view.task_id);
        match txn {
            Some(t) if t.result == TxnResult::Cancelled => {
                m.insert("status".into(), json!("CANCELLED"));
                m.insert("receipt".into(), self.receipt(&t, Some(&view.task_id)));
            }
            Some(t)
                if t.result == TxnResult::Accepted
                    && self.engine.profiles().receiptless_success =>
            {
                m.insert("status".into(), json!("COMPLETED"));
            }
            Some(t) => {
                m.insert("status".into(), json!("COMPLETED"));
                let code = match (t.result, outcome) {
                    (TxnResult::Accepted, _) => "approved",
                    (_, Some(Outcome::Decline)) => "insufficientFunds",
                    _ => "declined",
                };
                m.insert("receipt".into(), self.receipt(&t, Some(&view.task_id)));
                m.insert("code".into(), json!(code));
            }
            None if status == "CANCELLED" => {
                m.insert("status".into(), json!("CANCELLED"));
            }
            None => {
                m.insert("status".into(), json!("ERROR"));
                m.insert("error".into(), json!("failed"));
            }
        }
        m
    }

    /// `TransactionData` as the iOS SDK decodes it: amounts as decimal major-unit strings.
    pub fn receipt(&self, t: &Transaction, task_id: Option<&str>) -> Value {
        let mut r = Map::new();
        let mut put = |k: &str, v: Value| {
            if !v.is_null() {
                r.insert(k.into(), v);
            }
        };
        let card = t.card.as_ref();
        let tip = t.tip_amount.unwrap_or(0);
        put("batchNumber", json!(t.batch_number.to_string()));
        put("receiptNumber", json!(t.receipt_number));
        put("terminalID", json!(t.tid));
        put("emvAid", json!(card.map(|c| c.brand.aid.clone())));
        put("emvAppLabel", json!(card.map(|c| c.brand.label.clone())));
        put("cardNumber", json!(card.map(|c| c.last4.clone())));
        put("transactionType", json!(t.pay_type));
        put("currencyCode", json!(t.currency));
        put("amount", json!(major(t.amount)));
        put("tipAmount", json!(major(tip)));
        put("totalAmount", json!(major(t.amount + tip)));
        put("pinOk", json!(card.map(|c| c.pin)));
        put("authorizationCode", json!(t.authorization_code));
        put("sequenceNumber", json!(t.sequence_number));
        put("date", json!(t.date.to_rfc3339()));
        put("cardType", json!(card.map(|c| ios_card_type(&c.brand))));
        put("referenceNumber", json!(t.reference_number));
        put("transactionID", json!(task_id.unwrap_or(&t.task_id)));
        put(
            "result",
            json!(if t.result == TxnResult::Accepted {
                0
            } else {
                -1
            }),
        );
        put("cardEntryMode", json!(card.map(|c| c.entry.clone())));
        put(
            "merchantID",
            json!(card.map(|_| { self.engine.terminal(&t.tid).map(|x| x.merchant_id.clone()) })),
        );
        put("amsID", json!(t.id));
        if let Some(d) = &t.dcc {
            put(
                "dccData",
                json!({"currency": d.currency, "amount": d.amount, "markup": d.markup,
                                   "regionSchemaIndicator": d.region_schema_indicator,
                                   "exchangeRate": d.exchange_rate, "status": d.status}),
            );
        }
        Value::Object(r)
    }

    fn app_status(&self, terminal: &Terminal, device: &Device) -> Value {
        let mut s = json!({"appVersion": device.app_version});
        if let Some(user) = &device.logged_in {
            s["userInfo"] = json!({
                "clientId": client_id(terminal), "email": user, "businessId": "220564768", "vatId": "CZ220564768",
                "tid": terminal.tid, "mid": terminal.merchant_id, "tipEnabled": device.tip_enabled,
                "printerAvailable": device.printer_available,
                "manualTransactionRestricted": device.manual_transaction_restricted,
                "merchantLocation": merchant_location(),
            });
        }
        s
    }
}

use Step::{Ready, Started};

/// An operation either answered at once or queued a task.
enum Step {
    Ready(Map<String, Value>),
    Started(String),
}

fn completed() -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("status".into(), json!("COMPLETED"));
    m
}

fn finish(p: Pending, result: Map<String, Value>) -> Reply {
    Reply::Done {
        redirect: p.redirect_url.as_deref().map(|r| redirect_with(r, &result)),
        result,
        warnings: p.warnings,
    }
}
