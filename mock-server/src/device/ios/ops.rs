//! What each deep-link operation does on the device: a payment, a void, a transaction's or batch's detail, a
//! batch close, login, logout, a password change, the app's status. Each answers at once (`Ready`) or queues an
//! engine task (`Started`) whose final status makes the answer later.

use serde_json::{Map, Value, json};

use super::url::{Op, Params, amount, tip};
use super::{Step, completed, error};
use crate::clock::Timestamp;
use crate::device::format::client_id;
use crate::device::{Layer, LoginRefused, PasswordChange, PasswordRefused, device_request};
use crate::engine::Channel;
use crate::engine::terminal::Terminal;
use crate::engine::validate::{
    BatchRequest, CancelMode, Operation, PayType, TaskRequest, is_reference,
};

use Step::{Ready, Started};

/// What an operation answers: the step it took, or the `status=ERROR&error=…` result.
type Answer = Result<Step, Map<String, Value>>;

impl Layer<'_> {
    /// The operation on the device of `terminal`, once GP tom agreed to open the URL.
    pub(super) fn run(
        &mut self,
        op: Op,
        p: &Params,
        terminal: &Terminal,
        now: Timestamp,
    ) -> Answer {
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
            Op::Create => self.pay(Operation::Sale, p, terminal, now),
            Op::Refund => self.pay(Operation::Refund, p, terminal, now),
            Op::Cancel => self.void(p, terminal, now),
            Op::Detail => self.detail(p, &tid, now),
            Op::BatchClose => self.close_batch(terminal, now),
            Op::BatchDetail => self.batch_detail(p, &tid, now),
            Op::Login => self.login(p),
            Op::Logout => {
                self.log_out(&tid);
                Ok(Ready(completed()))
            }
            Op::ChangePassword => self.new_password(p),
            Op::Status => {
                let mut m = completed();
                m.insert("appStatus".into(), self.app_status(terminal, &device));
                Ok(Ready(m))
            }
        }
    }

    /// `transaction/create` and `transaction/refund`.
    fn pay(
        &mut self,
        operation: Operation,
        p: &Params,
        terminal: &Terminal,
        now: Timestamp,
    ) -> Answer {
        let amount = amount(p.get("amount")).ok_or_else(|| error("invalidAmount"))?;
        let tip = match p.get("tipAmount") {
            None => None,
            Some(t) => Some(tip(t).ok_or_else(|| error("invalidAmount"))?),
        };
        let pay_type = match p.get("transactionType").unwrap_or("CARD") {
            "CASH" => PayType::Cash,
            "CARD" | "ACCOUNT_PAYMENT" | "BLIK_PAYMENT" | "PAYMENT_GATEWAY" => PayType::Card,
            _ => return Err(error("unsupportedTransactionOperationOrType")),
        };
        let reference = p.get("originReferenceNum").filter(|r| !r.is_empty());
        if reference.is_some_and(|r| !is_reference(r)) {
            return Err(error("failed"));
        }
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

    /// `transaction/cancel`: a void of the payment `amsID` names.
    fn void(&mut self, p: &Params, terminal: &Terminal, now: Timestamp) -> Answer {
        let ams = p
            .get("amsID")
            .filter(|a| !a.is_empty())
            .ok_or_else(|| error("cannotBeVoided"))?;
        let origin = self
            .engine
            .transaction_any(&terminal.tid, ams, now)
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
            t.origin_transaction_id = Some(ams.into());
        }
        self.start(terminal, req, p, "cannotBeVoided", now)
    }

    /// `transaction/detail`: by `amsID`, or by the `requestID` the payment was started with.
    fn detail(&mut self, p: &Params, tid: &str, now: Timestamp) -> Answer {
        let txn = match (p.get("amsID"), p.get("requestID")) {
            (Some(ams), _) => self.engine.transaction_any(tid, ams, now),
            (None, Some(rid)) => {
                let task = self
                    .devices
                    .request_ids
                    .get(&(tid.to_owned(), rid.to_owned()))
                    .cloned();
                let ctx = task
                    .and_then(|t| self.engine.task_any(&t, now))
                    .and_then(|v| v.context_id);
                ctx.and_then(|c| self.engine.transaction_any(tid, &c, now))
            }
            (None, None) => None,
        };
        let txn = txn.ok_or_else(|| error("failed"))?;
        let mut m = Map::new();
        m.insert("status".into(), json!("COMPLETED"));
        m.insert("receipt".into(), self.receipt(&txn, None));
        Ok(Ready(m))
    }

    /// `batch/close`.
    fn close_batch(&mut self, terminal: &Terminal, now: Timestamp) -> Answer {
        let req = TaskRequest::Batch(BatchRequest {
            api_key: terminal.api_key.as_str().into(),
            tid: terminal.tid.as_str().into(),
            initiator: "iOS deep link".into(),
            title: "batch/close".into(),
        });
        let view = self
            .engine
            .submit(terminal, req, Channel::Ios, now)
            .map_err(|_| error("failedToCloseBatch"))?;
        Ok(Started(view.task_id.into()))
    }

    /// `batch/detail`.
    fn batch_detail(&mut self, p: &Params, tid: &str, now: Timestamp) -> Answer {
        let ams = p.get("amsID").ok_or_else(|| error("failed"))?;
        let batch = self
            .batch_json(tid, ams, now)
            .ok_or_else(|| error("failed"))?;
        let mut m = Map::new();
        m.insert("status".into(), json!("COMPLETED"));
        m.insert("batch".into(), batch);
        Ok(Ready(m))
    }

    /// `login`.
    fn login(&mut self, p: &Params) -> Answer {
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

    /// `change-password`.
    fn new_password(&mut self, p: &Params) -> Answer {
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
}
