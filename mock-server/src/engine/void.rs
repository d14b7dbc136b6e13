//! The VOID rules of cloud-mock.md §6 (LAST_TRANSACTION / OLDER_TRANSACTION, same TID, already voided,
//! 93 days, amount), shared by every channel. No axum.

use super::task::TaskStatus;
use super::transaction::{Transaction, TxnResult, VOID_WINDOW_MS};
use super::validate::{CancelMode, Operation, TransactionRequest};
use super::{Engine, Error, wire};
use crate::clock::Timestamp;

impl Engine {
    /// The VOID rules of cloud-mock.md §6; returns the origin transaction id.
    pub(super) fn void_origin(
        &self,
        req: &TransactionRequest,
        now: Timestamp,
    ) -> Result<super::Uuid, Error> {
        let origin = match req.cancel_mode {
            Some(CancelMode::OlderTransaction) => {
                let id = req.origin_transaction_id.as_deref().unwrap_or_default();
                let t = self.transactions.get(id).ok_or_else(|| {
                    Error::rule(
                        "TRANSACTION_NOT_FOUND",
                        format!("origin transaction {id} does not exist"),
                    )
                })?;
                if t.tid != req.tid {
                    let msg = format!(
                        "origin transaction {id} was made on another terminal; void it on that TID"
                    );
                    return Err(Error::rule("TERMINAL_MISMATCH", msg));
                }
                t
            }
            _ => self.last_transaction(&req.tid, now)?,
        };
        if origin.operation != Operation::Sale || origin.result != TxnResult::Accepted {
            let msg = format!(
                "transaction {} ({} {}) is not voidable: only an accepted CARD or CASH SALE can be voided",
                origin.id,
                wire(&origin.result),
                wire(&origin.operation)
            );
            return Err(Error::rule("TRANSACTION_NOT_VOIDABLE", msg));
        }
        if origin.voided || origin.void_pending.is_some() {
            return Err(Error::rule(
                "TRANSACTION_ALREADY_VOIDED",
                format!("transaction {} is already voided", origin.id),
            ));
        }
        if now.0 - origin.date.0 > VOID_WINDOW_MS {
            let msg = format!(
                "transaction {} is older than 93 days and can no longer be voided",
                origin.id
            );
            return Err(Error::rule("CANCELLATION_EXPIRED", msg));
        }
        if req.amount != origin.amount {
            let msg = format!(
                "amount {} differs from the origin amount {}",
                req.amount, origin.amount
            );
            return Err(Error::rule("AMOUNT_MISMATCH", msg));
        }
        Ok(origin.id)
    }

    pub(super) fn last_transaction(
        &self,
        tid: &str,
        now: Timestamp,
    ) -> Result<&Transaction, Error> {
        let not_voidable = |why: String| Error::rule("TRANSACTION_NOT_VOIDABLE", why);
        let last = self
            .tids
            .get(tid)
            .and_then(|s| s.last_txn_task.as_ref())
            .and_then(|id| self.tasks.get(id));
        let Some(task) = last else {
            return Err(not_voidable(format!(
                "TID {tid} has no last transaction to void"
            )));
        };
        match &task.settled {
            Some(s) if s.final_status() == TaskStatus::Completed => self
                .transactions
                .get(&task.drawn.context_id)
                .ok_or_else(|| {
                    not_voidable(format!(
                        "the last transaction of TID {tid} is no longer stored"
                    ))
                }),
            _ => {
                let status = self.view(&task.id, now).status;
                let msg = format!(
                    "the last transaction task {} of TID {tid} is {}, not COMPLETED",
                    task.id,
                    wire(&status)
                );
                Err(not_voidable(msg))
            }
        }
    }
}
