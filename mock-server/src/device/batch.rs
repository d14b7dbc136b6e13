//! iOS `Batch` JSON (decimal major-unit numbers) of a terminal's batches, for `batch/close` and `batch/detail`.

use serde_json::{Value, json};

use super::Layer;
use super::format::major_number;
use crate::clock::Timestamp;
use crate::engine::transaction::{Batch, Transaction, TxnResult};
use crate::engine::validate::{Operation, PayType};

impl Layer<'_> {
    /// A closed batch of `tid` by id, or the open one as a pseudo-batch for `OPEN`.
    pub fn batch_json(&mut self, tid: &str, id: &str, now: Timestamp) -> Option<Value> {
        let book = self.engine.batch_book(tid, now);
        let (open_batch, open_totals, batches) = (book.open_number, book.open_totals, book.closed);
        let currency = self
            .engine
            .terminal(tid)
            .map(|t| t.currency.clone())
            .unwrap_or_default();
        if id == "OPEN" {
            let open = Batch {
                id: "OPEN".into(),
                number: open_batch,
                closed: now.to_rfc3339(),
                totals: open_totals,
            };
            return Some(self.batch_summary(tid, &open, &currency, batches.last()));
        }
        let i = batches.iter().position(|b| b.id == id)?;
        let previous = i.checked_sub(1).and_then(|p| batches.get(p));
        Some(self.batch_summary(tid, &batches[i], &currency, previous))
    }

    /// The iOS `Batch` JSON of a batch (decimal major-unit numbers), totals recomputed per payment type from the
    /// batch's transactions.
    pub fn batch_summary(
        &self,
        tid: &str,
        batch: &Batch,
        currency: &str,
        previous: Option<&Batch>,
    ) -> Value {
        let txns: Vec<&Transaction> = self
            .engine
            .transactions_in_batch(tid, batch.number)
            .into_iter()
            .filter(|t| t.result == TxnResult::Accepted)
            .collect();
        let first = txns.iter().map(|t| t.date).min();
        let sub = |pay: PayType| {
            let of = |op: Operation| {
                txns.iter()
                    .filter(move |t| t.pay_type == pay && t.operation == op)
                    .map(|t| t.amount)
            };
            let (sale, void, refund): (Vec<i64>, Vec<i64>, Vec<i64>) = (
                of(Operation::Sale).collect(),
                of(Operation::Void).collect(),
                of(Operation::Refund).collect(),
            );
            // totals as the batch counts them (refunds included), so the sub-batches add up to the batch
            let total =
                sale.iter().sum::<i64>() - void.iter().sum::<i64>() - refund.iter().sum::<i64>();
            json!({"closeBatchNumber": batch.number.to_string(), "saleAmount": major_number(sale.iter().sum()),
                   "saleCount": sale.len(), "totalAmount": major_number(total),
                   "totalCount": sale.len() + void.len() + refund.len(), "voidAmount": major_number(void.iter().sum()),
                   "voidCount": void.len()})
        };
        let t = &batch.totals;
        let tip_average = if t.tips.count == 0 {
            0
        } else {
            t.tips.amount / t.tips.count as i64
        };
        let tip_pct = if t.sale.amount == 0 {
            0.0
        } else {
            (t.tips.amount as f64 * 10_000.0 / t.sale.amount as f64).round() / 100.0
        };
        json!({
            "amsId": batch.id, "batchNumber": batch.number.to_string(), "communicationId": batch.number.to_string(),
            "currency": currency, "date": batch.closed,
            "firstTransactionDate": first.map(Timestamp::to_rfc3339),
            "previousBatchDate": previous.map(|p| p.closed.clone()),
            "invalidCount": 0,
            "saleAmount": major_number(t.sale.amount), "saleCount": t.sale.count,
            "totalAmount": major_number(t.sale.amount - t.void.amount - t.refund.amount),
            "totalCount": t.sale.count + t.void.count + t.refund.count,
            "voidAmount": major_number(t.void.amount), "voidCount": t.void.count,
            "tipAmount": major_number(t.tips.amount), "tipCount": t.tips.count,
            "tipAverage": major_number(tip_average), "tipAveragePercentage": tip_pct,
            "subBatches": {"CARD": sub(PayType::Card), "CASH": sub(PayType::Cash)},
        })
    }
}
