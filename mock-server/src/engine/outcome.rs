//! What a task will end as: the amount → outcome table (`fixtures/outcomes.yaml`) and the per-TID
//! "next outcome" overrides. The outcome is fixed when a task is created, so reading never changes it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The simulated result of a payment on the device (cloud-mock.md §9).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Outcome {
    /// COMPLETED, transaction ACCEPTED.
    #[serde(rename = "approve")]
    Approve,
    /// COMPLETED, transaction DECLINED ("Insufficient funds").
    #[serde(rename = "decline")]
    Decline,
    /// IN_PROGRESS for the device timeout, then ERROR `TIMEOUT`; no transaction.
    #[serde(rename = "timeout")]
    Timeout,
    /// ERROR `PAYMENT_EXCEPTION`; no transaction.
    #[serde(rename = "exception")]
    Exception,
    /// The customer cancels on the device: CANCELLED; no transaction.
    #[serde(rename = "customer-cancel")]
    CustomerCancel,
    /// INIT_ERROR right after STARTED (`INIT_FAILED`).
    #[serde(rename = "init-error")]
    InitError,
    /// The cardholder aborts at the reader: COMPLETED, transaction CANCELLED.
    #[serde(rename = "cardholder-abort")]
    CardholderAbort,
    /// Approved with DCC, DCC amount with 3 decimals (certification C10, amount 9991).
    #[serde(rename = "dcc-3-decimals", alias = "dcc")]
    Dcc3Decimals,
    /// Approved with DCC, DCC amount without a decimal point (certification C11, amount 9992).
    #[serde(rename = "dcc-no-decimals")]
    DccNoDecimals,
}

impl Outcome {
    /// Every outcome name accepted in fixtures and by the admin API.
    pub const NAMES: &'static str = "approve, decline, timeout, exception, customer-cancel, init-error, \
                                     cardholder-abort, dcc (= dcc-3-decimals), dcc-no-decimals";

    /// Parses a name as written in `outcomes.yaml` or the admin API.
    pub fn parse(name: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(name.to_owned())).ok()
    }

    /// Whether the payment ends with a transaction record.
    pub fn makes_transaction(self) -> bool {
        matches!(
            self,
            Outcome::Approve
                | Outcome::Decline
                | Outcome::CardholderAbort
                | Outcome::Dcc3Decimals
                | Outcome::DccNoDecimals
        )
    }

    /// Whether this outcome carries DCC data.
    pub fn is_dcc(self) -> bool {
        matches!(self, Outcome::Dcc3Decimals | Outcome::DccNoDecimals)
    }
}

/// Amount (minor units) → outcome for CARD SALE/REFUND; any other amount approves.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutcomeTable {
    /// The table.
    pub by_amount: BTreeMap<i64, Outcome>,
}

impl OutcomeTable {
    /// The outcome for a CARD payment of `amount`.
    pub fn for_amount(&self, amount: i64) -> Outcome {
        self.by_amount
            .get(&amount)
            .copied()
            .unwrap_or(Outcome::Approve)
    }
}

/// A pending "next outcome" override of one TID.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Override {
    /// What the next tasks end as.
    pub outcome: Outcome,
    /// How many more tasks it applies to.
    pub remaining: u32,
}
