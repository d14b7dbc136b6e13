//! Transactions (the result of a COMPLETED transaction task), generated card and DCC data, batches and their
//! totals. No axum.

use serde::{Deserialize, Serialize};

use super::Id;
use super::validate::{Operation, PayType};
use crate::clock::Timestamp;

/// How long after a sale it can still be voided (cloud-mock.md §6).
pub const VOID_WINDOW_MS: i64 = 93 * 86_400_000;

/// `ACCEPTED`, `DECLINED` or `CANCELLED`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TxnResult {
    /// Authorised.
    Accepted,
    /// Refused by the issuer.
    Declined,
    /// Aborted by the cardholder.
    Cancelled,
}

/// One card brand the mock can draw (`fixtures/cards.yaml`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CardBrand {
    /// `cardType` on the Cloud API (`MASTERCARD`, `VISA`, `MAESTRO`, …).
    pub card_type: String,
    /// `emvAppLabel`.
    pub label: String,
    /// `aid`.
    pub aid: String,
    /// `cardType` on iOS receipts when `cardType` is not a value of the iOS SDK's `CardType` (a receipt with an
    /// unknown one is dropped whole by the SDK): e.g. `MASTERCARD` for Maestro [assumption].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ios_card_type: Option<String>,
}

/// The card brands and entry modes generated card data is drawn from.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CardCatalog {
    /// Brands (at least one).
    pub brands: Vec<CardBrand>,
    /// `cardDataEntry` values (at least one).
    pub entry_modes: Vec<String>,
}

/// Card data of a CARD transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardData {
    /// Last four PAN digits.
    pub last4: Id,
    /// `CONTACTLESS` / `CHIP` / `MAGSTRIPE`.
    pub entry: Id,
    /// Brand.
    pub brand: std::sync::Arc<CardBrand>,
    /// Whether the PIN was verified.
    pub pin: bool,
}

/// DCC block of a DCC sale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DccData {
    /// Cardholder currency.
    pub currency: String,
    /// Amount in the cardholder currency, formatted as the certification item asks.
    pub amount: String,
    /// Markup in percent.
    pub markup: String,
    /// Region schema indicator.
    pub region_schema_indicator: u8,
    /// Exchange rate: units of the terminal's currency per one unit of the cardholder currency, the direction the
    /// iOS SDK shows (`1 KWD = 76.923077 CZK`, `DCCOptionsWrapper.formattedComparison`) and the vendor's example
    /// (`26.7471`) reads; a JSON number, as the SDK decodes a `Decimal`.
    pub exchange_rate: serde_json::Number,
    /// `ACCEPTED`.
    pub status: String,
}

impl DccData {
    /// DCC data for a sale of `amount` minor units [assumption: the vendor gives no concrete values]:
    /// C10 (9991) converts to KWD with 3 decimals, C11 (9992) to JPY with no decimal point.
    pub fn for_amount(amount: i64, three_decimals: bool) -> Self {
        let (currency, rate, amount_text) = if three_decimals {
            // 1 CZK = 0.013 KWD, i.e. 1 KWD = 76.923077 CZK; `amount` is in hundredths, the result in thousandths
            let fils = amount * 13 / 100;
            (
                "KWD",
                76.923077,
                format!("{}.{:03}", fils / 1000, fils % 1000),
            )
        } else {
            // 1 CZK = 6.5 JPY, i.e. 1 JPY = 0.153846 CZK; `amount` is in hundredths, JPY has no minor unit
            ("JPY", 0.153846, format!("{}", amount * 65 / 1000))
        };
        DccData {
            currency: currency.into(),
            amount: amount_text,
            markup: "3.2".into(),
            region_schema_indicator: 1,
            exchange_rate: serde_json::Number::from_f64(rate).unwrap_or_else(|| 0.into()),
            status: "ACCEPTED".into(),
        }
    }
}

/// A transaction record, as `GET /v1/transactions/{id}` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transaction {
    /// UUID v4 (= the task's `contextId`).
    pub id: super::Uuid,
    /// The task that produced it.
    pub task_id: Id,
    /// Terminal.
    pub tid: Id,
    /// SALE / VOID / REFUND.
    pub operation: Operation,
    /// CARD / CASH.
    pub pay_type: PayType,
    /// ACCEPTED / DECLINED / CANCELLED.
    pub result: TxnResult,
    /// e.g. `Approved`, `Insufficient funds`.
    pub response_message: &'static str,
    /// Currency.
    pub currency: Id,
    /// Minor units.
    pub amount: i64,
    /// Minor units.
    pub tip_amount: Option<i64>,
    /// Terminal's merchant id.
    pub merchant_id: Id,
    /// Card data (CARD only).
    pub card: Option<CardData>,
    /// From `originReferenceNum`.
    pub reference_number: Option<Id>,
    /// Authorisation time.
    pub date: Timestamp,
    /// 9-digit, increasing per TID.
    pub sequence_number: Id,
    /// The batch it belongs to.
    pub batch_number: u32,
    /// Receipt number, increasing per TID.
    pub receipt_number: Id,
    /// When ACCEPTED (card).
    pub authorization_code: Option<Id>,
    /// DCC outcomes only (boxed: rare, and inline it made every transaction 120 B larger).
    pub dcc: Option<Box<DccData>>,
    /// A VOID of this transaction was accepted.
    pub voided: bool,
    /// The VOID task currently running against it.
    pub void_pending: Option<Id>,
}

/// Count and sum of one kind of transaction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Sum {
    /// How many.
    pub count: u64,
    /// Total in minor units.
    pub amount: i64,
}

impl Sum {
    fn add(&mut self, amount: i64) {
        self.count += 1;
        self.amount += amount;
    }
}

/// Totals of the accepted transactions of one batch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchTotals {
    /// Accepted sales.
    pub sale: Sum,
    /// Accepted voids.
    pub void: Sum,
    /// Accepted refunds.
    pub refund: Sum,
    /// Tips of accepted sales and refunds.
    pub tips: Sum,
    /// All accepted card transactions.
    pub card: Sum,
    /// All accepted cash transactions.
    pub cash: Sum,
}

impl BatchTotals {
    /// Adds an accepted transaction.
    pub fn add(&mut self, t: &Transaction) {
        if t.result != TxnResult::Accepted {
            return;
        }
        match t.operation {
            Operation::Sale => self.sale.add(t.amount),
            Operation::Void => self.void.add(t.amount),
            Operation::Refund => self.refund.add(t.amount),
        }
        if let Some(tip) = t.tip_amount.filter(|tip| *tip > 0) {
            self.tips.add(tip);
        }
        match t.pay_type {
            PayType::Card => self.card.add(t.amount),
            PayType::Cash => self.cash.add(t.amount),
        }
    }
}

/// A closed batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Batch {
    /// Batch id (the BATCH task's `contextId`).
    pub id: String,
    /// 1, 2, … per TID.
    pub number: u32,
    /// When it was closed.
    pub closed: String,
    /// Frozen totals.
    pub totals: BatchTotals,
}

impl super::table::Keyed for Transaction {
    fn key(&self) -> &str {
        &self.id
    }
}
