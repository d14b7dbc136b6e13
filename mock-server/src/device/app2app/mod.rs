//! Android app2app (device-channels.md §3): the AIDL calls as JSON — register, transactionRequestV2,
//! stateRequest, TransactionInquire, getGPTomInfo, login/logout/changePassword — with the entity field names
//! Gson writes (typos included: `trasanctionID`, `transacitonType`, `emvAppLable`), integer codes and the ECR
//! return codes. Runs on the same engine as the Cloud API. No axum.

use serde_json::{Map, Value, json};

mod entity;
mod request;

use super::format::{card_product, client_id, entry_type, merchant_location, numeric_currency};
use super::{Layer, LoginRefused, PasswordChange};
use crate::clock::Timestamp;
use crate::engine::task::TaskStatus;
use crate::engine::transaction::Transaction;
use crate::engine::validate::{Operation, TaskRequest};
use crate::engine::{Channel, TaskView};
use entity::{
    dcc_entity, ecr_date_time, error_code, error_entity, failure_entity, int, lint, merchant_info,
    merge, payment_result, state_code, text,
};

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
            return json!({"resultCode": ret::PARAMETER_INVALID, "error": error_entity("1-055", "InvalidParameter", &support)});
        };
        let logged_in = self
            .device(&terminal.tid)
            .map(|d| d.logged_in.is_some())
            .unwrap_or(false);
        if !logged_in {
            return json!({"resultCode": ret::UNAUTHORIZED, "transactionId": null, "clientID": null,
                          "responseMessage": "user not logged in", "error": error_entity("1-040", "UserLoggedOutException", &support)});
        }
        let cid = text(body, "clientID").map(str::to_owned);
        if cid.as_ref().is_some_and(|c| *c != client_id(&terminal)) {
            return json!({"resultCode": ret::UNAUTHORIZED, "transactionId": null, "clientID": cid,
                          "responseMessage": "ClientAPIDoesNotMatch", "error": error_entity("1-008", "InvalidClientId", &support)});
        }
        let id = self.engine.rng().uuid().to_string();
        let reg = Registration {
            tid: terminal.tid.to_string(),
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
        let request = self.task_request(body, &terminal, now)?;
        let view = match self
            .engine
            .submit(&terminal, request, Channel::App2App, now)
        {
            Ok(v) => v,
            Err(e) => return self.refused(&id, e, now),
        };
        if let Some(r) = self.devices.registrations.get_mut(&id) {
            r.task_id = Some(view.task_id.to_string());
        }
        Ok(self.a2a_result(&id, now).unwrap_or(TxnReply::Pending(id)))
    }

    /// A registration id or a transaction id → the transaction id.
    fn a2a_resolve(&mut self, id: &str, now: Timestamp) -> Option<String> {
        let task = self.devices.registrations.get(id)?.task_id.clone()?;
        self.engine.task_any(&task, now)?.context_id.map(Into::into)
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
            "result": result, "error": null, "clientID": reg.client_id.clone().or_else(|| terminal.as_deref().map(client_id)), "responseMessage": message,
            "transactionID": id, "externalTransactionID": txn.map(|t| t.id),
            "transactionType": match &*view.request { TaskRequest::Batch(_) => 4, TaskRequest::Transaction(t) => match t.operation { Operation::Sale => 1, Operation::Void => 2, Operation::Refund => 3 } },
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
                "printByPaymentApp": matches!(&*view.request, TaskRequest::Transaction(r) if r.print_by_payment_app), "cardProduct": card.map(|c| card_product(&c.brand.card_type)),
                "receiptNumber": t.receipt_number, "pinOk": card.map(|c| c.pin),
                "merchantInfo": merchant_info(),
                "cardHolderVerificationMethod": card.map(|c| if c.pin { "PIN" } else { "NONE" }),
                "dccData": t.dcc.as_deref().map(dcc_entity),
            });
            merge(&mut e, extra);
        }
        if let (TaskRequest::Batch(_), Some(batch_id)) = (&*view.request, &view.context_id)
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
                        .status_since(&v.task_id, now, |a, b| state_code(a) == state_code(b))
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
                .or_else(|| self.engine.transaction_held(&t).map(|x| x.tid.to_string()))?;
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
            "dccData": t.dcc.as_deref().map(dcc_entity),
        })
    }

    /// The inquiry of a registration that closed a batch (`transacitonType` 4): the batch's number and time.
    fn batch_inquiry(&mut self, id: &str, reg: &Registration, now: Timestamp) -> Option<Value> {
        let view = reg
            .task_id
            .as_ref()
            .and_then(|t| self.engine.task_any(t, now))?;
        let TaskRequest::Batch(_) = &*view.request else {
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
