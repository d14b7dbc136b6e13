//! `transactionRequestV2`: the entity as Gson writes it → the engine task it asks for, and what a refused one
//! answers.

use serde_json::{Map, Value, json};

use super::{TxnReply, error_entity, int, ret, text};
use crate::clock::Timestamp;
use crate::device::{Layer, device_request};
use crate::engine::Error;
use crate::engine::terminal::Terminal;
use crate::engine::validate::{
    BatchRequest, CancelMode, MAX_AMOUNT, Operation, PayType, TaskRequest, is_reference,
};

/// An ECR return code and its message.
type Refusal = (i64, String);

impl Layer<'_> {
    /// The engine task the entity asks for on `terminal`: a sale, void, refund or batch close.
    pub(super) fn task_request(
        &mut self,
        body: &Map<String, Value>,
        terminal: &Terminal,
        now: Timestamp,
    ) -> Result<TaskRequest, Refusal> {
        let invalid = |m: &str| (ret::PARAMETER_INVALID, m.to_owned());
        let kind = int(body, "transactionType").ok_or_else(|| {
            invalid("transactionType missing (1 SALE, 2 VOID, 3 REFUND, 4 CLOSE_BATCH)")
        })?;
        Ok(if kind == 4 {
            TaskRequest::Batch(BatchRequest {
                api_key: terminal.api_key.as_str().into(),
                tid: terminal.tid.as_str().into(),
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
            if reference.is_some_and(|r| !is_reference(r)) {
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
                    terminal,
                    operation,
                    pay_type,
                    amount,
                    None,
                    reference,
                    print,
                    Some(mode),
                );
                if let TaskRequest::Transaction(t) = &mut req {
                    t.origin_transaction_id = origin.map(Into::into);
                }
                req
            } else {
                let amount = amount
                    .filter(|a| (1..=MAX_AMOUNT).contains(a))
                    .ok_or_else(|| {
                        invalid("amount must be a Long between 1 and 99999999 (minor units)")
                    })?;
                device_request(
                    terminal, operation, pay_type, amount, tip, reference, print, None,
                )
            }
        })
    }

    /// The engine refused the task: an ECR code, or (an expired cancellation) a failed payment's result.
    pub(super) fn refused(
        &mut self,
        id: &str,
        e: Error,
        now: Timestamp,
    ) -> Result<TxnReply, Refusal> {
        match e.kind.as_ref() {
            "TRANSACTION_ALREADY_VOIDED" => Err((ret::TRANSACTION_ALREADY_VOIDED, e.message)),
            "TRANSACTION_NOT_FOUND" => Err((ret::TRANSACTION_NOT_FOUND, e.message)),
            // the payment app took the request and failed it: a state-8 result with its
            // ErrorResultEntity, as every other failed payment
            "CANCELLATION_EXPIRED" => {
                if let Some(r) = self.devices.registrations.get_mut(id) {
                    r.failed = Some((8, 45, now));
                }
                let support = self.engine.rng().exception_id();
                Ok(TxnReply::Done(json!({
                            "result": ret::FAILED, "responseMessage": e.message, "transactionID": id,
                            "error": error_entity("1-045", "CancellationExpiredException", &support)})))
            }
            _ => Err((ret::PARAMETER_INVALID, e.message)),
        }
    }
}
