//! Android app2app (device-channels.md §3): the AIDL calls as JSON — register, transactionRequestV2,
//! stateRequest, TransactionInquire, getGPTomInfo, login/logout/changePassword — with the entity field names
//! Gson writes (typos included: `trasanctionID`, `transacitonType`, `emvAppLable`), integer codes and the ECR
//! return codes. Runs on the same engine as the Cloud API. No axum.

use serde_json::{Map, Value, json};

use super::format::{card_product, client_id, entry_type, merchant_location, numeric_currency};
use super::{Layer, LoginRefused, PasswordChange, device_request};
use crate::clock::Timestamp;
use crate::engine::task::{Failure, TaskStatus};
use crate::engine::transaction::{Transaction, TxnResult};
use crate::engine::validate::{
    BatchRequest, CancelMode, MAX_AMOUNT, Operation, PayType, TaskRequest,
};
use crate::engine::{Channel, TaskView};

/// ECR return codes (`ECRTransactionRetCode`).
pub mod ret {
    /// Success.
    pub const SUCCESS: i64 = 0;
    /// The transaction failed.
    pub const FAILED: i64 = -1;
    /// Transaction id missing, unknown or already used.
    pub const TRANSACTIONID_INVALID: i64 = -2;
    /// Not found.
    pub const TRANSACTION_NOT_FOUND: i64 = -3;
    /// Declined.
    pub const TRANSACTION_DECLINE: i64 = -4;
    /// Already voided.
    pub const TRANSACTION_ALREADY_VOIDED: i64 = -5;
    /// Parameters missing or malformed.
    pub const PARAMETER_INVALID: i64 = -6;
    /// User not logged in.
    pub const UNAUTHORIZED: i64 = -7;
}

/// A registered app2app transaction id.
#[derive(Clone, Debug)]
pub struct Registration {
    /// Terminal.
    pub tid: String,
    /// `clientID` given at registration.
    pub client_id: Option<String>,
    /// The task started with it.
    pub task_id: Option<String>,
    /// Registration time.
    pub created: Timestamp,
    /// A failure before any task (e.g. cancellation expired): (state, error code).
    pub failed: Option<(i64, i64, Timestamp)>,
}

/// The answer to `transactionRequestV2`.
#[derive(Clone, Debug, PartialEq)]
pub enum TxnReply {
    /// `TransactionResultV2Entity`.
    Done(Value),
    /// Still running: poll `GET /app2app/transaction/{id}` or `stateRequest`.
    Pending(String),
}

fn error_entity(code: &str, exception: &str, support: String) -> Value {
    json!({"errorCode": code, "supportID": support, "exception": exception})
}

/// The ECR result and message of a final payment (the transaction result and the inquiry agree).
fn payment_result(status: TaskStatus, txn: Option<TxnResult>) -> (i64, &'static str) {
    match (status, txn) {
        (TaskStatus::Completed, Some(TxnResult::Accepted) | None) => (ret::SUCCESS, "APPROVED"),
        (TaskStatus::Completed, Some(TxnResult::Declined)) => {
            (ret::TRANSACTION_DECLINE, "DECLINED")
        }
        (TaskStatus::Completed, Some(TxnResult::Cancelled)) | (TaskStatus::Cancelled, _) => {
            (ret::FAILED, "CANCELLED")
        }
        _ => (ret::FAILED, "FAILED"),
    }
}

/// The `ErrorResultEntity` of a failed payment (`TransactionResultV2Entity.error`): `errorCode` as GP tom
/// writes it (`"1-065"`), the task's support id, an exception name [assumption: the vendor documents only
/// register's exceptions].
fn failure_entity(support: &str, f: Failure) -> Value {
    let exception = match f {
        Failure::Timeout | Failure::TaskExpired => "TimeoutException",
        Failure::PaymentException => "PaymentException",
        Failure::InitFailed => "InitializationException",
    };
    error_entity(
        &format!("1-{:03}", error_code(f)),
        exception,
        support.to_owned(),
    )
}

/// `MerchantInfoEntity` of the mock's merchants.
fn merchant_info() -> Value {
    json!({"company": "GP tom mock merchant", "city": "Prague", "street": "Prazska", "house": "10", "location": "", "country": "CZ", "zip": "10100"})
}

/// `DccDataEntity` (AIDL 1.29): BigDecimal values are JSON numbers.
fn dcc_entity(d: &crate::engine::transaction::DccData) -> Value {
    json!({"exchangeRate": d.exchange_rate, "markup": decimal(&d.markup),
           "regionSchemaIndicator": d.region_schema_indicator, "amount": decimal(&d.amount),
           "currencyCode": d.currency, "status": d.status})
}

/// A decimal text as the JSON number Gson writes for a `BigDecimal`: `649` stays an integer, `3.2` a fraction.
fn decimal(text: &str) -> Option<Value> {
    match text.parse::<i64>() {
        Ok(i) => Some(i.into()),
        Err(_) => text
            .parse::<f64>()
            .ok()
            .and_then(|f| serde_json::Number::from_f64(f).map(Value::Number)),
    }
}

/// An ECR entity's `date` and `time` (`260101`, `000005`): `yyMMdd` by default, `ddMMyy` under the
/// `a2a-date-ddmmyy` profile.
fn ecr_date_time(at: Timestamp, ddmmyy: bool) -> (String, String) {
    let text = at.to_rfc3339(); // 2026-01-01T00:00:05.000Z
    let (y, m, d) = (&text[2..4], &text[5..7], &text[8..10]);
    let date = if ddmmyy {
        format!("{d}{m}{y}")
    } else {
        format!("{y}{m}{d}")
    };
    (date, text[11..19].replace(':', ""))
}

fn state_code(status: TaskStatus) -> i64 {
    match status {
        TaskStatus::Created => 1,
        TaskStatus::Started | TaskStatus::InitOk => 2,
        TaskStatus::InitError => 3,
        TaskStatus::InProgress => 5,
        TaskStatus::Completed => 6,
        TaskStatus::Cancelled => 7,
        TaskStatus::Error => 8,
    }
}

fn int(body: &Map<String, Value>, k: &str) -> Option<i64> {
    body.get(k).and_then(Value::as_i64)
}

fn text<'a>(body: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    body.get(k)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// Gson-dropped values and likely mistakes in a request entity.
fn lint(body: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(t) = body.get("preferableReceiptType").and_then(Value::as_str)
        && !["EMAIL", "PHONE", "QR", "PRINT"].contains(&t)
    {
        out.push(format!("preferableReceiptType \"{t}\" is dropped silently by Gson: the enum is EMAIL, PHONE, QR, PRINT"));
    }
    if let Some(Value::Object(c)) = body.get("clientInfo")
        && !c.contains_key("contact")
    {
        out.push("clientInfo without \"contact\" is ignored: GP tom reads clientInfo.contact.email/phone".into());
    }
    for (wrong, right) in [
        ("transactionId", "transactionID"),
        ("originTransactionId", "originTransactionID"),
        ("clientId", "clientID"),
    ] {
        if body.contains_key(wrong) && !body.contains_key(right) {
            out.push(format!(
                "\"{wrong}\" is ignored: the entity field is \"{right}\" (case-sensitive)"
            ));
        }
    }
    out
}

impl Layer<'_> {
    /// `transactionRegisterV2`: a fresh transaction id for the TID's device.
    pub fn a2a_register(
        &mut self,
        tid: Option<&str>,
        body: &Map<String, Value>,
        now: Timestamp,
    ) -> Value {
        let support = self.engine.rng().exception_id();
        let Ok(terminal) = self.engine.terminal_or_first(tid) else {
            return json!({"resultCode": ret::PARAMETER_INVALID, "error": error_entity("1-055", "InvalidParameter", support)});
        };
        let logged_in = self
            .device(&terminal.tid)
            .map(|d| d.logged_in.is_some())
            .unwrap_or(false);
        if !logged_in {
            return json!({"resultCode": ret::UNAUTHORIZED, "transactionId": null, "clientID": null,
                          "responseMessage": "user not logged in", "error": error_entity("1-040", "UserLoggedOutException", support)});
        }
        let cid = text(body, "clientID").map(str::to_owned);
        if cid.as_ref().is_some_and(|c| *c != client_id(&terminal)) {
            return json!({"resultCode": ret::UNAUTHORIZED, "transactionId": null, "clientID": cid,
                          "responseMessage": "ClientAPIDoesNotMatch", "error": error_entity("1-008", "InvalidClientId", support)});
        }
        let id = self.engine.rng().uuid();
        let reg = Registration {
            tid: terminal.tid.clone(),
            client_id: cid.clone(),
            task_id: None,
            created: now,
            failed: None,
        };
        self.devices.registrations.insert(id.clone(), reg);
        json!({"resultCode": ret::SUCCESS, "transactionId": id, "clientID": cid.unwrap_or_else(|| client_id(&terminal)),
               "responseMessage": "OK", "error": null})
    }

    /// `transactionRequestV2`. Warnings go to the journal via the HTTP layer.
    pub fn a2a_transaction(
        &mut self,
        body: &Map<String, Value>,
        now: Timestamp,
    ) -> (TxnReply, Vec<String>) {
        let warnings = lint(body);
        let reply = self.a2a_transaction_inner(body, now).unwrap_or_else(|(code, message)| {
            let id = text(body, "transactionID").map(str::to_owned);
            TxnReply::Done(json!({"result": code, "responseMessage": message, "transactionID": id, "error": null}))
        });
        (reply, warnings)
    }

    fn a2a_transaction_inner(
        &mut self,
        body: &Map<String, Value>,
        now: Timestamp,
    ) -> Result<TxnReply, (i64, String)> {
        let invalid = |m: &str| (ret::PARAMETER_INVALID, m.to_owned());
        let id = text(body, "transactionID")
            .ok_or((ret::TRANSACTIONID_INVALID, "transactionID missing".into()))?
            .to_owned();
        let reg = self.devices.registrations.get(&id).cloned().ok_or((
            ret::TRANSACTIONID_INVALID,
            "transactionID not registered".into(),
        ))?;
        if let Some(task) = &reg.task_id {
            let repeatable = self
                .engine
                .task_any(task, now)
                .is_some_and(|v| v.status == TaskStatus::InitError);
            if !repeatable {
                return Err((
                    ret::TRANSACTIONID_INVALID,
                    "transactionID already used; register a new one".into(),
                ));
            }
        }
        let terminal = self
            .engine
            .terminal_or_first(Some(&reg.tid))
            .map_err(|e| invalid(&e.message))?;
        if self
            .device(&terminal.tid)
            .map(|d| d.logged_in.is_none())
            .unwrap_or(true)
        {
            return Err((ret::UNAUTHORIZED, "user not logged in".into()));
        }
        let kind = int(body, "transactionType").ok_or_else(|| {
            invalid("transactionType missing (1 SALE, 2 VOID, 3 REFUND, 4 CLOSE_BATCH)")
        })?;
        let request = if kind == 4 {
            TaskRequest::Batch(BatchRequest {
                api_key: terminal.api_key.clone(),
                tid: terminal.tid.clone(),
                initiator: "app2app".into(),
                title: "CLOSE_BATCH".into(),
            })
        } else {
            let operation = match kind {
                1 => Operation::Sale,
                2 => Operation::Void,
                3 => Operation::Refund,
                _ => return Err(invalid("transactionType must be 1, 2, 3 or 4")),
            };
            let pay_type = match text(body, "paymentMethod") {
                Some("CASH") => PayType::Cash,
                _ => PayType::Card,
            };
            let reference = text(body, "originReferenceNum");
            if reference
                .is_some_and(|r| r.len() > 20 || !r.chars().all(|c| c.is_ascii_alphanumeric()))
            {
                return Err(invalid(
                    "originReferenceNum: at most 20 ASCII letters and digits",
                ));
            }
            let tip = match body.get("tipAmount") {
                None | Some(Value::Null) => None,
                Some(v) => Some(
                    v.as_i64()
                        .filter(|t| *t >= 0)
                        .ok_or_else(|| invalid("tipAmount must be a Long ≥ 0"))?,
                ),
            };
            let amount = int(body, "amount");
            let print = body.get("printByPaymentApp").and_then(Value::as_bool);
            if operation == Operation::Void {
                let mode = match int(body, "cancelMode") {
                    Some(1) => CancelMode::LastTransaction,
                    Some(2) => CancelMode::OlderTransaction,
                    _ => return Err(invalid("cancelMode must be 1 (last) or 2 (older)")),
                };
                let origin = match mode {
                    CancelMode::OlderTransaction => {
                        let o = text(body, "originTransactionID").ok_or_else(|| {
                            invalid("originTransactionID is required for cancelMode 2")
                        })?;
                        Some(self.a2a_resolve(o, now).unwrap_or_else(|| o.to_owned()))
                    }
                    CancelMode::LastTransaction => None,
                };
                let origin_amount = match &origin {
                    Some(o) => self.engine.transaction_held(o).map(|t| t.amount),
                    None => self.engine.last_amount(&terminal.tid, now),
                };
                let amount = amount.or(origin_amount).unwrap_or(0);
                let mut req = device_request(
                    &terminal,
                    operation,
                    pay_type,
                    amount,
                    None,
                    reference,
                    print,
                    Some(mode),
                );
                if let TaskRequest::Transaction(t) = &mut req {
                    t.origin_transaction_id = origin;
                }
                req
            } else {
                let amount = amount
                    .filter(|a| (1..=MAX_AMOUNT).contains(a))
                    .ok_or_else(|| {
                        invalid("amount must be a Long between 1 and 99999999 (minor units)")
                    })?;
                device_request(
                    &terminal, operation, pay_type, amount, tip, reference, print, None,
                )
            }
        };
        let view = match self
            .engine
            .submit(&terminal, request, Channel::App2App, now)
        {
            Ok(v) => v,
            Err(e) => {
                return match e.kind.as_ref() {
                    "TRANSACTION_ALREADY_VOIDED" => {
                        Err((ret::TRANSACTION_ALREADY_VOIDED, e.message))
                    }
                    "TRANSACTION_NOT_FOUND" => Err((ret::TRANSACTION_NOT_FOUND, e.message)),
                    // the payment app took the request and failed it: a state-8 result with its
                    // ErrorResultEntity, as every other failed payment
                    "CANCELLATION_EXPIRED" => {
                        if let Some(r) = self.devices.registrations.get_mut(&id) {
                            r.failed = Some((8, 45, now));
                        }
                        let support = self.engine.rng().exception_id();
                        Ok(TxnReply::Done(json!({
                            "result": ret::FAILED, "responseMessage": e.message, "transactionID": id,
                            "error": error_entity("1-045", "CancellationExpiredException", support)})))
                    }
                    _ => Err((ret::PARAMETER_INVALID, e.message)),
                };
            }
        };
        if let Some(r) = self.devices.registrations.get_mut(&id) {
            r.task_id = Some(view.task_id.clone());
        }
        Ok(self.a2a_result(&id, now).unwrap_or(TxnReply::Pending(id)))
    }

    /// A registration id or a transaction id → the transaction id.
    fn a2a_resolve(&mut self, id: &str, now: Timestamp) -> Option<String> {
        let task = self.devices.registrations.get(id)?.task_id.clone()?;
        self.engine.task_any(&task, now)?.context_id
    }

    /// The `TransactionResultV2Entity` of a registered id once its task is final.
    pub fn a2a_result(&mut self, id: &str, now: Timestamp) -> Option<TxnReply> {
        let reg = self.devices.registrations.get(id)?.clone();
        let task_id = reg.task_id.clone()?;
        let view = self.engine.task_any(&task_id, now)?;
        if !view.status.is_final() {
            return Some(TxnReply::Pending(id.to_owned()));
        }
        let txn = view
            .context_id
            .as_ref()
            .and_then(|c| self.engine.transaction_held(c))
            .cloned();
        Some(TxnReply::Done(self.result_entity(
            id,
            &reg,
            &view,
            txn.as_ref(),
            now,
        )))
    }

    fn result_entity(
        &mut self,
        id: &str,
        reg: &Registration,
        view: &TaskView,
        txn: Option<&Transaction>,
        now: Timestamp,
    ) -> Value {
        let terminal = self.engine.terminal_or_first(Some(&reg.tid)).ok();
        let currency = terminal
            .as_ref()
            .map(|t| t.currency.clone())
            .unwrap_or_default();
        let (result, message) = payment_result(view.status, txn.map(|t| t.result));
        let mut e = json!({
            "result": result, "error": null, "clientID": reg.client_id.clone().or_else(|| terminal.as_ref().map(client_id)), "responseMessage": message,
            "transactionID": id, "externalTransactionID": txn.map(|t| t.id.clone()),
            "transactionType": match &view.request { TaskRequest::Batch(_) => 4, TaskRequest::Transaction(t) => match t.operation { Operation::Sale => 1, Operation::Void => 2, Operation::Refund => 3 } },
            "merchantID": terminal.as_ref().map(|t| t.merchant_id.clone()), "terminalID": reg.tid,
            "currencyCode": numeric_currency(&currency),
        });
        if let Some((support, f)) = &view.failure {
            e["error"] = failure_entity(support, *f);
        }
        if let Some(t) = txn {
            let card = t.card.as_ref();
            let tip = t.tip_amount.unwrap_or(0);
            let (date, time) = ecr_date_time(t.date, self.engine.profiles().a2a_date_ddmmyy);
            let extra = json!({
                "amount": t.amount, "tipAmount": tip, "totalAmount": t.amount + tip, "cashbackAmount": 0,
                "cardNumber": card.map(|c| format!("************{}", c.last4)), "cardIssuer": card.map(|c| c.brand.label.clone()),
                "cardDataEntry": card.map(|c| entry_type(&c.entry)), "approvedCode": t.authorization_code,
                "referenceNumber": t.reference_number, "invoiceNumber": null,
                "date": date, "time": time,
                "emvAid": card.map(|c| c.brand.aid.clone()), "emvAppLabel": card.map(|c| c.brand.label.clone()),
                "sequenceNumber": t.sequence_number, "batchNumber": t.batch_number.to_string(),
                "printByPaymentApp": matches!(&view.request, TaskRequest::Transaction(r) if r.print_by_payment_app), "cardProduct": card.map(|c| card_product(&c.brand.card_type)),
                "receiptNumber": t.receipt_number, "pinOk": card.map(|c| c.pin),
                "merchantInfo": merchant_info(),
                "cardHolderVerificationMethod": card.map(|c| if c.pin { "PIN" } else { "NONE" }),
                "dccData": t.dcc.as_ref().map(dcc_entity),
            });
            merge(&mut e, extra);
        }
        if let (TaskRequest::Batch(_), Some(batch_id)) = (&view.request, &view.context_id)
            && let Some(b) = self.engine.closed_batch(&reg.tid, batch_id)
        {
            let t = b.totals;
            merge(
                &mut e,
                json!({
                    "batchNumber": b.number.to_string(),
                    "batchTotalNum": t.sale.count + t.void.count + t.refund.count,
                    "batchTotalAmount": t.sale.amount - t.void.amount - t.refund.amount,
                    "batchSaleNum": t.sale.count, "batchSaleAmount": t.sale.amount,
                    "batchVoidNum": t.void.count, "batchVoidAmount": t.void.amount,
                }),
            );
        }
        let _ = now;
        e
    }

    /// `stateRequest`.
    pub fn a2a_state(&mut self, id: &str, now: Timestamp) -> Value {
        let Some(reg) = self.devices.registrations.get(id).cloned() else {
            return json!({"resultCode": ret::TRANSACTION_NOT_FOUND, "transactionId": id, "state": null, "isRepeatable": false,
                          "created": null, "updated": null, "error": null});
        };
        let view = reg
            .task_id
            .as_ref()
            .and_then(|t| self.engine.task_any(t, now));
        let (state, error, updated) = match (&view, reg.failed) {
            (_, Some((state, code, at))) => (state, Some(code), at),
            (None, None) => (1, None, reg.created),
            (Some(v), None) => {
                let code = v
                    .failure
                    .as_ref()
                    .map(|f| error_code(f.1))
                    .or((v.status == TaskStatus::Cancelled).then_some(43));
                (
                    state_code(v.status),
                    code,
                    // when the state began, not when it was asked for
                    self.engine
                        .status_since_by(&v.task_id, now, |a, b| state_code(a) == state_code(b))
                        .unwrap_or(reg.created),
                )
            }
        };
        json!({
            "resultCode": ret::SUCCESS, "transactionId": id, "state": state, "isRepeatable": state == 3,
            "created": reg.created.to_rfc3339(), "updated": updated.to_rfc3339(),
            "error": error.map(|c| json!({"platform": "TOM_APP", "code": c, "internalErrorCode": 0, "internalErrorSubCode": 0})),
        })
    }

    /// `TransactionInquire`: Gson field names with their typos; amounts as minor-unit strings.
    pub fn a2a_inquire(&mut self, id: &str, now: Timestamp) -> Value {
        let reg = self.devices.registrations.get(id).cloned();
        let txn_id = match &reg {
            Some(_) => self.a2a_resolve(id, now),
            None => Some(id.to_owned()),
        };
        let tid = reg.as_ref().map(|r| r.tid.clone());
        let txn = txn_id.and_then(|t| {
            let tid = tid
                .clone()
                .or_else(|| self.engine.transaction_held(&t).map(|x| x.tid.clone()))?;
            self.engine.transaction_any(&tid, &t, now)
        });
        let Some(t) = txn else {
            return reg
                .and_then(|r| self.batch_inquiry(id, &r, now))
                .unwrap_or_else(|| json!({"result": ret::TRANSACTION_NOT_FOUND, "responseMessage": "transaction not found",
                                          "trasanctionID": id, "transacitonType": 0}));
        };
        let card = t.card.as_ref();
        let tip = t.tip_amount.unwrap_or(0);
        let (date, time) = ecr_date_time(t.date, self.engine.profiles().a2a_date_ddmmyy);
        json!({
            "result": payment_result(TaskStatus::Completed, Some(t.result)).0,
            "responseMessage": t.response_message, "trasanctionID": id, "externalTransactionID": t.id,
            "transacitonType": match t.operation { Operation::Sale => 1, Operation::Void => 2, Operation::Refund => 3 },
            "merchantID": t.merchant_id, "terminalID": t.tid, "currencyCode": numeric_currency(&t.currency).to_string(),
            "amount": t.amount.to_string(), "tipAmount": tip.to_string(), "cashbackAmount": "0",
            "cardProduct": card.map(|c| card_product(&c.brand.card_type)), "cardNumber": card.map(|c| format!("************{}", c.last4)),
            "cardIssuer": card.map(|c| c.brand.label.clone()), "cardDataEntry": card.map(|c| entry_type(&c.entry)),
            "approvedCode": t.authorization_code, "referenceNumber": t.reference_number, "traceNumber": t.sequence_number,
            "invoiceNumber": null, "date": date, "time": time,
            "emvAid": card.map(|c| c.brand.aid.clone()), "emvAppLable": card.map(|c| c.brand.label.clone()),
            "sequenceNumber": t.sequence_number, "batchNumber": t.batch_number.to_string(), "receiptNumber": t.receipt_number,
            "pinOk": card.map(|c| c.pin), "merchantInfo": merchant_info(),
            "cardHolderVerificationMethod": card.map(|c| if c.pin { "PIN" } else { "NONE" }),
            "totalAmount": (t.amount + tip).to_string(),
            "dccData": t.dcc.as_ref().map(dcc_entity),
        })
    }

    /// The inquiry of a registration that closed a batch (`transacitonType` 4): the batch's number and time.
    fn batch_inquiry(&mut self, id: &str, reg: &Registration, now: Timestamp) -> Option<Value> {
        let view = reg
            .task_id
            .as_ref()
            .and_then(|t| self.engine.task_any(t, now))?;
        let TaskRequest::Batch(_) = &view.request else {
            return None;
        };
        let batch_id = view.context_id.as_ref()?;
        let batch = self.engine.closed_batch(&reg.tid, batch_id)?;
        let terminal = self.engine.terminal_or_first(Some(&reg.tid)).ok()?;
        let (date, time) = ecr_date_time(
            Timestamp::parse(&batch.closed).unwrap_or(now),
            self.engine.profiles().a2a_date_ddmmyy,
        );
        Some(json!({
            "result": ret::SUCCESS, "responseMessage": "APPROVED", "trasanctionID": id, "externalTransactionID": batch.id,
            "transacitonType": 4, "merchantID": terminal.merchant_id, "terminalID": reg.tid,
            "currencyCode": numeric_currency(&terminal.currency).to_string(),
            "date": date, "time": time,
            "batchNumber": batch.number.to_string(), "merchantInfo": merchant_info(),
        }))
    }

    /// `getGPTomInfo` (App2AppInfoResponse).
    pub fn a2a_info(&mut self, tid: Option<&str>) -> Value {
        let Ok(terminal) = self.engine.terminal_or_first(tid) else {
            return json!({"isLoggedIn": false});
        };
        let Ok(device) = self.device(&terminal.tid).cloned() else {
            return json!({"isLoggedIn": false});
        };
        // Android's `UserAddress` says `country` where the iOS SDK's `Address` says `county`
        let mut loc = merchant_location();
        if let Some(m) = loc.as_object_mut() {
            m.remove("county");
            m.insert("country".into(), merchant_info()["country"].clone());
        }
        json!({
            "appVersion": device.app_version, "isLoggedIn": device.logged_in.is_some(),
            "logInStatus": if device.logged_in.is_some() { "LOGGED_IN" } else { "LOGGED_OUT" },
            "tid": terminal.tid, "mid": terminal.merchant_id, "clientId": client_id(&terminal), "businessId": "220564768",
            "email": device.logged_in, "vat": "CZ220564768", "tipEnabled": device.tip_enabled,
            "printerAvailable": device.printer_available, "manualTransactionRestricted": device.manual_transaction_restricted,
            "merchantLocation": format!("city={} street={} house={} zip={}", loc["city"].as_str().unwrap_or(""), loc["street"].as_str().unwrap_or(""), loc["house"].as_str().unwrap_or(""), loc["zip"].as_str().unwrap_or("")),
            "merchantLocationEntity": loc,
        })
    }

    /// `IGPTomLoginService.login` / `logout` / `changePassword`: the `GPTomLoginStatus` and a message.
    pub fn a2a_login(&mut self, tid: Option<&str>, call: &str, body: &Map<String, Value>) -> Value {
        let status = match call {
            "logout" => match tid.map_or(Ok(()), |t| self.device(t).map(|_| ())) {
                Ok(()) => {
                    let tid = tid
                        .map(str::to_owned)
                        .unwrap_or_else(|| self.engine.first_tid().to_owned());
                    self.log_out(&tid);
                    "USER_LOGGED_OUT"
                }
                Err(_) => "LOGOUT_FAILED",
            },
            "login" => match (
                text(body, "username"),
                text(body, "password"),
                text(body, "terminalId"),
            ) {
                (Some(u), Some(p), Some(t)) => match self.log_in(u, p, t) {
                    Ok(()) => "USER_LOGGED_IN",
                    Err(LoginRefused::InvalidCredentials) => "INVALID_CREDENTIALS",
                    Err(LoginRefused::TidNotAssigned) => "TID_NOT_ASSIGNED_TO_THIS_USER",
                    Err(LoginRefused::TidNotFound) => "TID_NOT_FOUND",
                },
                _ => "INVALID_ARGUMENT",
            },
            _ => {
                let user = tid
                    .map(str::to_owned)
                    .or_else(|| Some(self.engine.first_tid().to_owned()))
                    .and_then(|t| self.device(&t).ok().and_then(|d| d.logged_in.clone()));
                // nobody logged in, a missing field or a wrong password: the plugin knows one failure
                let validation_only = body
                    .get("validationOnly")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                let code = text(body, "authCode").filter(|_| !validation_only);
                match (user, text(body, "oldPass"), text(body, "newPass")) {
                    (Some(u), Some(old), Some(new)) => {
                        match self.change_password(&u, old, new, code, |_| true) {
                            Ok(PasswordChange::Changed) => "PASSWORD_CHANGED",
                            Ok(PasswordChange::Pending) => "PASSWORD_PENDING_CONFIRMATION",
                            Err(_) => "PASSWORD_CHANGE_FAILED",
                        }
                    }
                    _ => "PASSWORD_CHANGE_FAILED",
                }
            }
        };
        json!({"status": status, "message": status.to_lowercase().replace('_', " ")})
    }
}

/// app2app error `code` of a failed task (`reference.md` §4.8).
fn error_code(f: Failure) -> i64 {
    match f {
        Failure::Timeout => 65,
        Failure::PaymentException => 104,
        Failure::TaskExpired => 65,
        Failure::InitFailed => 97,
    }
}

fn merge(into: &mut Value, extra: Value) {
    if let (Value::Object(a), Value::Object(b)) = (into, extra) {
        a.extend(b);
    }
}
