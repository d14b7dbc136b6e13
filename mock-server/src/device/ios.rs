//! iOS deep links (device-channels.md §2): `gptom://…` request URLs in, the redirect URL GP tom would open out,
//! with result parameters exactly as the official iOS SDK parses them (`status`, `receipt`, `code`, `error`,
//! `batch`, `appStatus`). Runs on the same engine as the Cloud API. No axum.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use serde_json::{Map, Value, json};

use super::format::{client_id, ios_card_type, major, merchant_location};
use super::{Device, Layer, LoginRefused, PasswordChange, PasswordRefused, device_request};
use crate::clock::Timestamp;
use crate::engine::outcome::Outcome;
use crate::engine::task::TaskStatus;
use crate::engine::terminal::Terminal;
use crate::engine::transaction::{Transaction, TxnResult};
use crate::engine::validate::{
    BatchRequest, CancelMode, MAX_AMOUNT, Operation, PayType, TaskRequest,
};
use crate::engine::{Channel, TaskView};

/// RFC 3986 unreserved characters stay as they are; everything else is percent-encoded.
const VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The ten request URIs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `transaction/create`.
    Create,
    /// `transaction/refund`.
    Refund,
    /// `transaction/cancel`.
    Cancel,
    /// `transaction/detail`.
    Detail,
    /// `batch/close`.
    BatchClose,
    /// `batch/detail`.
    BatchDetail,
    /// `login`.
    Login,
    /// `logout`.
    Logout,
    /// `change-password`.
    ChangePassword,
    /// `status`.
    Status,
}

impl Op {
    fn parse(path: &str) -> Option<Self> {
        Some(match path {
            "transaction/create" => Op::Create,
            "transaction/refund" => Op::Refund,
            "transaction/cancel" => Op::Cancel,
            "transaction/detail" => Op::Detail,
            "batch/close" => Op::BatchClose,
            "batch/detail" => Op::BatchDetail,
            "login" => Op::Login,
            "logout" => Op::Logout,
            "change-password" => Op::ChangePassword,
            "status" => Op::Status,
            _ => return None,
        })
    }

    /// Parameter names the SDK knows for this URI (case-sensitive).
    fn params(self) -> &'static [&'static str] {
        const PAY: &[&str] = &[
            "amount",
            "requestID",
            "clientID",
            "originReferenceNum",
            "printByPaymentApp",
            "tipAmount",
            "redirectUrl",
            "tipCollect",
            "preferableReceiptType",
            "clientPhone",
            "clientEmail",
            "transactionType",
        ];
        match self {
            Op::Create | Op::Refund => PAY,
            Op::Cancel => &[
                "amsID",
                "requestID",
                "clientID",
                "redirectUrl",
                "printByPaymentApp",
                "preferableReceiptType",
                "clientPhone",
                "clientEmail",
            ],
            Op::Detail => &["amsID", "requestID", "redirectUrl"],
            Op::BatchClose => &[
                "clientID",
                "redirectUrl",
                "printByPaymentApp",
                "preferableReceiptType",
                "clientPhone",
                "clientEmail",
            ],
            Op::BatchDetail => &["amsID", "redirectUrl"],
            Op::Login => &["username", "password", "tid", "redirectUrl"],
            Op::Logout => &["redirectUrl"],
            Op::ChangePassword => &["username", "password", "newPassword", "code", "redirectUrl"],
            Op::Status => &["redirectUrl"],
        }
    }
}

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

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Foundation's `removingPercentEncoding`: `None` when a `%` does not start a valid escape of UTF-8.
fn removing_percent_encoding(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let valid = bytes.iter().enumerate().all(|(i, b)| {
        *b != b'%'
            || (bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    });
    if !valid {
        return None;
    }
    percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

/// Splits `gptom://path?query` into the path and the parameters as GP tom reads them (`Deeplink.from(url:)` of
/// the iOS SDK): `URLComponents.queryItems` decodes each value once (`+` stays `+`), then `removingPercentEncoding`
/// decodes it again — a value that fails the second decoding is dropped.
fn split(url: &str) -> Result<(String, Vec<(String, String)>), String> {
    let rest = url
        .strip_prefix("gptom://")
        .ok_or_else(|| format!("{url:?} is not a gptom:// URL; GP tom would not open it"))?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let params = query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            Some((decode(k), removing_percent_encoding(&decode(v))?))
        })
        .collect();
    Ok((path.trim_end_matches('/').to_owned(), params))
}

/// The caller's `redirectUrl` with `params` added to its query (before a `#fragment`, where URL parsers look for
/// a query), values percent-encoded.
pub fn redirect_with(base: &str, params: &Map<String, Value>) -> String {
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| {
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            format!("{k}={}", utf8_percent_encode(&text, VALUE))
        })
        .collect();
    let (base, fragment) = match base.split_once('#') {
        Some((b, f)) => (b, format!("#{f}")),
        None => (base, String::new()),
    };
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}{}{fragment}", query.join("&"))
}

struct Params {
    list: Vec<(String, String)>,
}

impl Params {
    /// A parameter's value; an empty one (`clientID=`, as the vendor's example app sends on every form) counts
    /// as absent.
    fn get(&self, name: &str) -> Option<&str> {
        self.list
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
    fn flag(&self, name: &str) -> Option<bool> {
        self.get(name).map(|v| v == "true")
    }
}

/// Wrong-case or unknown parameter names and value-set slips, as warnings naming the likely intent.
fn lint(op: Op, params: &Params) -> Vec<String> {
    let known = op.params();
    let mut out = Vec::new();
    for (k, _) in &params.list {
        if known.contains(&k.as_str()) {
            continue;
        }
        match known.iter().find(|n| n.eq_ignore_ascii_case(k)) {
            Some(n) => out.push(format!(
                "parameter \"{k}\" is ignored by GP tom: the SDK reads \"{n}\" (case-sensitive)"
            )),
            None => out.push(format!("unknown parameter \"{k}\" is ignored by GP tom")),
        }
    }
    if let Some(t) = params.get("preferableReceiptType")
        && !["SMS", "EMAIL", "QR", "PRINT"].contains(&t)
    {
        let hint = if t == "PHONE" {
            "SMS".to_owned()
        } else {
            t.to_uppercase()
        };
        out.push(format!("preferableReceiptType \"{t}\" is ignored: the SDK knows SMS, EMAIL, QR, PRINT (did you mean {hint}?)"));
    }
    if let Some(r) = params.get("redirectUrl")
        && !r.contains(match op {
            Op::Create => "transaction/create",
            Op::Refund => "transaction/refund",
            Op::Cancel => "transaction/cancel",
            Op::BatchClose => "batch/close",
            Op::Login => "login",
            Op::Logout => "logout",
            Op::ChangePassword => "change-password",
            // the answer carries `appStatus=`, which is what the SDK routes on: any redirect works
            Op::Status | Op::Detail | Op::BatchDetail => "",
        })
    {
        out.push(format!("redirectUrl \"{r}\" does not contain the operation path: the iOS SDK cannot tell which result it is"));
    }
    out
}

/// `status=ERROR&error=…`: every redirect the SDK routes needs `status` (`DeeplinkResult.parseStatus`), failed
/// logins and password changes included.
fn error(name: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("status".into(), json!("ERROR"));
    m.insert("error".into(), json!(name));
    m
}

/// A tip: digits only, 0..=99999999.
fn tip(v: &str) -> Option<i64> {
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse().ok().filter(|a| (0..=MAX_AMOUNT).contains(a))
}

/// A minor-units integer parameter: digits only, 1..=99999999.
fn amount(v: Option<&str>) -> Option<i64> {
    let v = v?;
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse().ok().filter(|a| (1..=MAX_AMOUNT).contains(a))
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
        let tid = terminal.tid.clone();
        let pending = Pending {
            op,
            tid: tid.clone(),
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

    fn run(
        &mut self,
        op: Op,
        p: &Params,
        terminal: &Terminal,
        now: Timestamp,
    ) -> Result<Step, Map<String, Value>> {
        let tid = terminal.tid.clone();
        let device = self.device(&tid).map_err(|_| error("failed"))?.clone();
        // logging out is answered COMPLETED whoever is logged in [assumption: the SDK's logout result has no error]
        let needs_login = !matches!(op, Op::Login | Op::Logout | Op::Status | Op::ChangePassword);
        if needs_login && device.logged_in.is_none() {
            return Err(error("userNotLoggedIn"));
        }
        // only the URIs whose parameters the SDK reads it for (CreateTransactionParams, CancelTransactionParams,
        // CloseBatchParams): elsewhere it is ignored, with a warning
        if op.params().contains(&"clientID")
            && let Some(cid) = p.get("clientID")
            && cid != client_id(terminal)
        {
            return Err(error("invalidClientId"));
        }
        match op {
            Op::Create | Op::Refund => {
                let amount = amount(p.get("amount")).ok_or_else(|| error("invalidAmount"))?;
                let tip = match p.get("tipAmount") {
                    None => None,
                    Some(t) => Some(tip(t).ok_or_else(|| error("invalidAmount"))?),
                };
                let pay_type = match p.get("transactionType").unwrap_or("CARD") {
                    "CASH" => PayType::Cash,
                    "CARD" | "ACCOUNT_PAYMENT" | "BLIK_PAYMENT" | "PAYMENT_GATEWAY" => {
                        PayType::Card
                    }
                    _ => return Err(error("unsupportedTransactionOperationOrType")),
                };
                let reference = p.get("originReferenceNum").filter(|r| !r.is_empty());
                if reference
                    .is_some_and(|r| r.len() > 20 || !r.chars().all(|c| c.is_ascii_alphanumeric()))
                {
                    return Err(error("failed"));
                }
                let operation = if op == Op::Create {
                    Operation::Sale
                } else {
                    Operation::Refund
                };
                let req = device_request(
                    terminal,
                    operation,
                    pay_type,
                    amount,
                    tip,
                    reference,
                    p.flag("printByPaymentApp"),
                    None,
                );
                self.start(terminal, req, p, "failed", now)
            }
            Op::Cancel => {
                let ams = p
                    .get("amsID")
                    .filter(|a| !a.is_empty())
                    .ok_or_else(|| error("cannotBeVoided"))?;
                let origin = self
                    .engine
                    .transaction_any(&tid, ams, now)
                    .ok_or_else(|| error("cannotBeVoided"))?;
                let mut req = device_request(
                    terminal,
                    Operation::Void,
                    origin.pay_type,
                    origin.amount,
                    None,
                    None,
                    p.flag("printByPaymentApp"),
                    None,
                );
                if let TaskRequest::Transaction(t) = &mut req {
                    t.cancel_mode = Some(CancelMode::OlderTransaction);
                    t.origin_transaction_id = Some(ams.to_owned());
                }
                self.start(terminal, req, p, "cannotBeVoided", now)
            }
            Op::Detail => {
                let txn = match (p.get("amsID"), p.get("requestID")) {
                    (Some(ams), _) => self.engine.transaction_any(&tid, ams, now),
                    (None, Some(rid)) => {
                        let task = self
                            .devices
                            .request_ids
                            .get(&(tid.clone(), rid.to_owned()))
                            .cloned();
                        let ctx = task
                            .and_then(|t| self.engine.task_any(&t, now))
                            .and_then(|v| v.context_id);
                        ctx.and_then(|c| self.engine.transaction_any(&tid, &c, now))
                    }
                    (None, None) => None,
                };
                let txn = txn.ok_or_else(|| error("failed"))?;
                let mut m = Map::new();
                m.insert("status".into(), json!("COMPLETED"));
                m.insert("receipt".into(), self.receipt(&txn, None));
                Ok(Ready(m))
            }
            Op::BatchClose => {
                let req = TaskRequest::Batch(BatchRequest {
                    api_key: terminal.api_key.clone(),
                    tid: tid.clone(),
                    initiator: "iOS deep link".into(),
                    title: "batch/close".into(),
                });
                let view = self
                    .engine
                    .submit(terminal, req, Channel::Ios, now)
                    .map_err(|_| error("failedToCloseBatch"))?;
                Ok(Started(view.task_id))
            }
            Op::BatchDetail => {
                let ams = p.get("amsID").ok_or_else(|| error("failed"))?;
                let batch = self
                    .batch_json(&tid, ams, now)
                    .ok_or_else(|| error("failed"))?;
                let mut m = Map::new();
                m.insert("status".into(), json!("COMPLETED"));
                m.insert("batch".into(), batch);
                Ok(Ready(m))
            }
            Op::Login => {
                let (Some(user), Some(password), Some(login_tid)) =
                    (p.get("username"), p.get("password"), p.get("tid"))
                else {
                    return Err(error("invalidUserName"));
                };
                // a TID without a device cannot be logged into either: the SDK knows no other name for it
                self.log_in(user, password, login_tid)
                    .map_err(|refused| match refused {
                        LoginRefused::InvalidCredentials => error("invalidCredentials"),
                        LoginRefused::TidNotAssigned | LoginRefused::TidNotFound => {
                            error("tidNotAssignedToThisUser")
                        }
                    })?;
                Ok(Ready(completed()))
            }
            Op::Logout => {
                self.log_out(&tid);
                Ok(Ready(completed()))
            }
            Op::ChangePassword => {
                let (Some(user), Some(password), Some(new)) =
                    (p.get("username"), p.get("password"), p.get("newPassword"))
                else {
                    return Err(error("invalidUserName"));
                };
                // the code GP tom sends by e-mail: six digits
                let six_digits = |c: &str| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit());
                match self.change_password(user, password, new, p.get("code"), six_digits) {
                    Ok(PasswordChange::Changed) => Ok(Ready(completed())),
                    Ok(PasswordChange::Pending) => Err(error("passwordPendingConfirmation")),
                    Err(PasswordRefused::WrongPassword) => Err(error("invalidCredentials")),
                    Err(PasswordRefused::BadCode) => Err(error("invalidCode")),
                }
            }
            Op::Status => {
                let mut m = completed();
                m.insert("appStatus".into(), self.app_status(terminal, &device));
                Ok(Ready(m))
            }
        }
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
            self.devices
                .request_ids
                .insert((terminal.tid.clone(), rid.to_owned()), view.task_id.clone());
        }
        Ok(Started(view.task_id))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_and_decode_like_the_sdk_keeping_plus() {
        let (path, params) = split("gptom://transaction/create?amount=1111&clientPhone=+420606505404&redirectUrl=gp%3A%2F%2Ftransaction%2Fcreate").unwrap();
        assert_eq!(path, "transaction/create");
        assert_eq!(params[1], ("clientPhone".into(), "+420606505404".into()));
        assert_eq!(params[2].1, "gp://transaction/create");
        assert!(split("https://example.com").is_err());
        // decoded twice, as Deeplink.from(url:) does: an app that pre-encodes gets its value back
        let (_, params) =
            split("gptom://transaction/create?redirectUrl=gp://x%2523done&ref=50%25").unwrap();
        assert_eq!(
            params,
            [("redirectUrl".into(), "gp://x#done".into())],
            "50% fails the second decoding"
        );
    }

    #[test]
    fn redirects_percent_encode_values() {
        let mut m = Map::new();
        m.insert("status".into(), json!("COMPLETED"));
        m.insert("receipt".into(), json!({"amount": "11.11"}));
        assert_eq!(
            redirect_with("gp://transaction/create", &m),
            "gp://transaction/create?status=COMPLETED&receipt=%7B%22amount%22%3A%2211.11%22%7D"
        );
        assert_eq!(
            redirect_with("fb://success?x=1", &completed()),
            "fb://success?x=1&status=COMPLETED"
        );
        assert_eq!(
            redirect_with("gp://transaction/create#done", &completed()),
            "gp://transaction/create?status=COMPLETED#done"
        );
    }

    #[test]
    fn amounts_are_whole_minor_units() {
        assert_eq!(amount(Some("1111")), Some(1111));
        for bad in ["10.50", "", "-5", "0", "1e3", "abc", "100000000"] {
            assert_eq!(amount(Some(bad)), None, "{bad}");
        }
    }
}
