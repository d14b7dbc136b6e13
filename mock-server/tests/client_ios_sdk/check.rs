//! What every flow test does with an answer of the mock's iOS channel, for the official iOS SDK
//! (github.com/GP-tom/tom-ios-sdk @ 08f1318): open the link over HTTP, hand the redirect to the transliterated
//! `DeeplinkResult.from(url:)`, and prove that nothing the mock sent was lost on the way — every `result`
//! parameter survives the SDK's two percent-decodings, and a `receipt`/`batch`/`appStatus` the mock sent is
//! decoded (not dropped by `try?`) with every field equal to what the mock meant.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::device::Device;
use crate::sdk::{
    AppStatus, Batch, DccOptionsWrapper, DeeplinkError, DeeplinkResult, RefusalCode, SubBatch,
    TaskStatus, TransactionData, result_params,
};
use crate::swift::{Decimal, Decodable, Url, decode_from_string, iso8601_fractional};

/// The mock's final answer to one deep link.
#[derive(Debug)]
pub struct Answer {
    /// The link that was opened.
    pub link: String,
    /// The URL GP tom opens afterwards (None without `redirectUrl`).
    pub redirect: Option<String>,
    /// The result parameters, JSON values parsed.
    pub result: Map<String, Value>,
    /// Likely client bugs the mock saw in the link.
    pub warnings: Vec<String>,
}

/// Opens `link` on the device (pending answers waited out by moving the mock clock).
pub async fn open(device: &Device, link: &str) -> Answer {
    let v = device.open_full(link).await;
    Answer {
        link: link.to_owned(),
        redirect: v["redirect"].as_str().map(str::to_owned),
        result: v["result"].as_object().cloned().unwrap_or_default(),
        warnings: v["warnings"]
            .as_array()
            .map(|w| {
                w.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
    }
}

impl Answer {
    /// The redirect as a `Foundation.URL` (it must be one: GP tom could not open it otherwise).
    pub fn url(&self) -> Url {
        let r = self
            .redirect
            .as_deref()
            .unwrap_or_else(|| panic!("{}: no redirect; answer {:?}", self.link, self.result));
        Url::parse(r).unwrap_or_else(|| panic!("{}: redirect is not a valid URL: {r}", self.link))
    }

    /// The parameters the SDK reads from the redirect (decoded twice), checked against `result`: every result
    /// parameter arrives with the value the mock meant.
    pub fn params(&self) -> HashMap<String, String> {
        let params = result_params(&self.url());
        for (k, v) in &self.result {
            let got = params.get(k).unwrap_or_else(|| {
                panic!(
                    "{}: `{k}` did not survive the SDK's query parsing: {:?}",
                    self.link, self.redirect
                )
            });
            match v {
                Value::String(s) => assert_eq!(got, s, "{}: parameter {k}", self.link),
                other => assert_eq!(
                    &serde_json::from_str::<Value>(got).unwrap_or(Value::Null),
                    other,
                    "{}: parameter {k}",
                    self.link
                ),
            }
        }
        params
    }

    /// `DeeplinkResult.from(url:)` of the redirect; panics if the SDK would not route it.
    pub fn sdk(&self) -> DeeplinkResult {
        let _ = self.params();
        DeeplinkResult::from(&self.url()).unwrap_or_else(|| {
            panic!(
                "{}: DeeplinkResult.from(url:) is nil for {:?}",
                self.link, self.redirect
            )
        })
    }

    /// The `receipt` the mock sent, if any.
    pub fn mock_receipt(&self) -> Option<&Value> {
        self.result.get("receipt")
    }

    /// Whether the mock warned about something containing `text`.
    pub fn warned(&self, text: &str) -> bool {
        self.warnings.iter().any(|w| w.contains(text))
    }
}

/// Which transaction case a redirect must route to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Txn {
    /// `.createTransaction`.
    Create,
    /// `.refundTransaction`.
    Refund,
    /// `.cancelTransaction`.
    Cancel,
}

/// A transaction result as the SDK hands it to the app.
#[derive(Clone, Debug)]
pub struct TxnResult {
    pub receipt: Option<TransactionData>,
    pub code: Option<RefusalCode>,
    pub status: TaskStatus,
    pub error: Option<DeeplinkError>,
}

/// The SDK's result of a transaction redirect: routed to `case`, with the receipt the mock sent decoded and
/// equal to it (`try?` dropped nothing), and no receipt when the mock sent none.
pub fn transaction(answer: &Answer, case: Txn) -> TxnResult {
    let (receipt, code, status, error) = match (case, answer.sdk()) {
        (Txn::Create, DeeplinkResult::CreateTransaction(r, c, s, e))
        | (Txn::Refund, DeeplinkResult::RefundTransaction(r, c, s, e))
        | (Txn::Cancel, DeeplinkResult::CancelTransaction(r, c, s, e)) => (r, c, s, e),
        (_, other) => panic!("{}: routed to {other:?}, expected {case:?}", answer.link),
    };
    match answer.mock_receipt() {
        Some(m) => {
            let r = receipt.as_ref().unwrap_or_else(|| {
                let raw = answer.params().get("receipt").cloned().unwrap_or_default();
                panic!(
                    "{}: the SDK drops the receipt the mock sent ({}): {raw}",
                    answer.link,
                    decode_from_string::<TransactionData>(&raw)
                        .err()
                        .map(|e| e.to_string())
                        .unwrap_or_default()
                )
            });
            assert_receipt_matches(r, m, &answer.link);
        }
        None => assert!(receipt.is_none(), "{}: receipt out of nowhere", answer.link),
    }
    // the code/error the mock sent must be one the SDK knows (else it silently becomes nil)
    if let Some(c) = answer.result.get("code") {
        assert_eq!(
            code.map(RefusalCode::raw),
            c.as_str(),
            "{}: code",
            answer.link
        );
    }
    if let Some(e) = answer.result.get("error") {
        assert_eq!(
            error.map(DeeplinkError::raw),
            e.as_str(),
            "{}: error",
            answer.link
        );
    }
    TxnResult {
        receipt,
        code,
        status,
        error,
    }
}

fn decimal_of(v: &Value) -> Decimal {
    Decimal::decode(v, "").unwrap_or_else(|e| panic!("{v} is not a Decimal: {e}"))
}

/// Every field the mock put in a receipt arrives in the SDK's `TransactionData` with the same value; a field the
/// SDK has no property for would be lost, so it fails too.
pub fn assert_receipt_matches(r: &TransactionData, m: &Value, ctx: &str) {
    let obj = m.as_object().expect("receipt is an object");
    for (k, v) in obj {
        let s = v.as_str();
        let same = match k.as_str() {
            "batchNumber" => r.batch_number.as_deref() == s,
            "receiptNumber" => r.receipt_number.as_deref() == s,
            "terminalID" => r.terminal_id.as_deref() == s,
            "emvAid" => r.emv_aid.as_deref() == s,
            "emvAppLabel" => r.emv_app_label.as_deref() == s,
            "cardNumber" => r.card_number.as_deref() == s,
            "transactionType" => r.transaction_type.map(|t| t.raw()) == s,
            "currencyCode" => r.currency_code.as_deref() == s,
            "amount" => r.amount.as_deref() == s,
            "totalAmount" => r.total_amount.as_deref() == s,
            "pinOk" => r.pin_ok == v.as_bool(),
            "authorizationCode" => r.authorization_code.as_deref() == s,
            "sequenceNumber" => r.sequence_number.as_deref() == s,
            // a date the formatter cannot read is silently nil: that is a lost value too
            "date" => r.date.is_some() && r.date == s.and_then(iso8601_fractional),
            "cardType" => r.card_type.map(|t| t.raw()) == s,
            "referenceNumber" => r.reference_number.as_deref() == s,
            "transactionID" => r.transaction_id.as_deref() == s,
            "tipAmount" => r.tip_amount.as_deref() == s,
            "result" => r.result == v.as_i64(),
            "cardEntryMode" => r.card_entry_mode.as_deref() == s,
            "merchantID" => r.merchant_id.as_deref() == s,
            "amsID" => r.ams_id.as_deref() == s,
            "blikCode" => r.blik_code.as_deref() == s,
            "blikTransactionRef" => r.blik_transaction_ref.as_deref() == s,
            "dccData" => r.dcc_data.as_ref().is_some_and(|d| dcc_matches(d, v, ctx)),
            other => {
                panic!("{ctx}: the receipt has `{other}`, which TransactionData does not read")
            }
        };
        assert!(same, "{ctx}: receipt.{k} = {v} arrives as {r:?}");
    }
}

fn dcc_matches(d: &DccOptionsWrapper, m: &Value, ctx: &str) -> bool {
    let obj = m.as_object().expect("dccData is an object");
    obj.iter().all(|(k, v)| match k.as_str() {
        "currency" => Some(d.currency) == v.as_str(),
        "amount" => {
            Some(d.amount)
                == v.as_str()
                    .and_then(Decimal::scan)
                    .or_else(|| v.is_number().then(|| decimal_of(v)))
        }
        "markup" => {
            Some(d.markup.as_str()) == v.as_str()
                || (v.is_number() && d.markup == decimal_of(v).to_string())
        }
        "regionSchemaIndicator" => Some(d.region_schema_indicator) == v.as_i64(),
        "exchangeRate" => d.exchange_rate == decimal_of(v),
        "status" => d.status.map(|s| s.raw()) == v.as_str(),
        other => panic!("{ctx}: dccData has `{other}`, which DCCOptionsWrapper does not read"),
    })
}

fn sub_batch_matches(s: &SubBatch, m: &Value) -> bool {
    let obj = m.as_object().expect("sub-batch is an object");
    obj.iter().all(|(k, v)| match k.as_str() {
        "closeBatchNumber" => s.close_batch_number.as_deref() == v.as_str(),
        "saleAmount" => s.sale_amount == Some(decimal_of(v)),
        "saleCount" => s.sale_count == v.as_f64(),
        "totalAmount" => s.total_amount == Some(decimal_of(v)),
        "totalCount" => s.total_count == v.as_f64(),
        "voidAmount" => s.void_amount == Some(decimal_of(v)),
        "voidCount" => s.void_count == v.as_f64(),
        other => panic!("sub-batch has `{other}`, which SubBatch does not read"),
    })
}

/// Every field the mock put in a batch arrives in the SDK's `Batch`.
pub fn assert_batch_matches(b: &Batch, m: &Value, ctx: &str) {
    let obj = m.as_object().expect("batch is an object");
    let date = |got: Option<i64>, v: &Value| match v {
        Value::Null => got.is_none(),
        Value::String(s) => got.is_some() && got == iso8601_fractional(s),
        _ => false,
    };
    for (k, v) in obj {
        let same = match k.as_str() {
            "amsId" => Some(b.ams_id.as_str()) == v.as_str(),
            "batchNumber" => b.batch_number.as_deref() == v.as_str(),
            "communicationId" => b.communication_id.as_deref() == v.as_str(),
            "currency" => b.currency.as_deref() == v.as_str(),
            "date" => date(b.date, v),
            "firstTransactionDate" => date(b.first_transaction_date, v),
            "previousBatchDate" => date(b.previous_batch_date, v),
            "invalidCount" => b.invalid_count == v.as_f64(),
            "saleAmount" => b.sale_amount == Some(decimal_of(v)),
            "saleCount" => b.sale_count == v.as_f64(),
            "totalAmount" => b.total_amount == Some(decimal_of(v)),
            "totalCount" => b.total_count == v.as_f64(),
            "voidAmount" => b.void_amount == Some(decimal_of(v)),
            "voidCount" => b.void_count == v.as_f64(),
            "tipAmount" => b.tip_amount == decimal_of(v),
            "tipCount" => Some(b.tip_count) == v.as_i64(),
            "tipAverage" => b.tip_average == decimal_of(v),
            "tipAveragePercentage" => Some(b.tip_average_percentage) == v.as_f64(),
            "subBatches" => {
                let sb = b.sub_batches.as_ref().expect("subBatches decoded");
                v.as_object()
                    .expect("subBatches object")
                    .iter()
                    .all(|(t, s)| {
                        let got = match t.as_str() {
                            "CARD" => sb.card.as_ref(),
                            "CASH" => sb.cash.as_ref(),
                            "ACCOUNT_PAYMENT" => sb.qr.as_ref(),
                            "BLIK_PAYMENT" => sb.blik.as_ref(),
                            "PAYMENT_GATEWAY" => sb.gateway.as_ref(),
                            other => panic!("{ctx}: sub-batch `{other}` is not a SubBatches key"),
                        };
                        got.is_some_and(|g| sub_batch_matches(g, s))
                    })
            }
            other => panic!("{ctx}: the batch has `{other}`, which Batch does not read"),
        };
        assert!(same, "{ctx}: batch.{k} = {v} arrives as {b:?}");
    }
}

/// Every field the mock put in `appStatus` arrives in the SDK's `AppStatus`.
pub fn assert_app_status_matches(a: &AppStatus, m: &Value, ctx: &str) {
    assert_eq!(
        Some(a.app_version.as_str()),
        m["appVersion"].as_str(),
        "{ctx}"
    );
    let Some(u) = m.get("userInfo").filter(|u| !u.is_null()) else {
        assert!(a.user_info.is_none(), "{ctx}");
        return;
    };
    let got = a.user_info.as_ref().expect("userInfo decoded");
    for (k, v) in u.as_object().expect("userInfo object") {
        let same = match k.as_str() {
            "clientId" => Some(got.client_id.as_str()) == v.as_str(),
            "email" => Some(got.email.as_str()) == v.as_str(),
            "businessId" => got.business_id.as_deref() == v.as_str(),
            "vatId" => got.vat_id.as_deref() == v.as_str(),
            "tid" => Some(got.tid.as_str()) == v.as_str(),
            "mid" => Some(got.mid.as_str()) == v.as_str(),
            "tipEnabled" => Some(got.tip_enabled) == v.as_bool(),
            "printerAvailable" => Some(got.printer_available) == v.as_bool(),
            "manualTransactionRestricted" => Some(got.manual_transaction_restricted) == v.as_bool(),
            "merchantLocation" => {
                let l = &got.merchant_location;
                v.as_object().expect("address object").iter().all(|(f, x)| {
                    let field = match f.as_str() {
                        "city" => &l.city,
                        "county" => &l.county,
                        "house" => &l.house,
                        "location" => &l.location,
                        "street" => &l.street,
                        "zip" => &l.zip,
                        other => {
                            panic!("{ctx}: merchantLocation has `{other}`, not an Address field")
                        }
                    };
                    field.as_deref() == x.as_str()
                })
            }
            other => panic!("{ctx}: userInfo has `{other}`, which UserInfo does not read"),
        };
        assert!(same, "{ctx}: userInfo.{k} = {v} arrives as {got:?}");
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::sdk::decode_receipt;

    #[test]
    #[should_panic(expected = "which TransactionData does not read")]
    fn a_receipt_field_the_sdk_does_not_read_is_a_loss() {
        let m = json!({"amsID": "A", "merchantName": "Shop"});
        let r = decode_receipt(&m.to_string()).expect("decodes: unknown keys are ignored");
        assert_receipt_matches(&r, &m, "literal");
    }

    #[test]
    #[should_panic(expected = "receipt.date")]
    fn a_date_the_sdk_reads_as_nil_is_a_loss() {
        let m = json!({"date": "2026-01-01T00:00:00Z"});
        let r = decode_receipt(&m.to_string()).expect("decodes: the date is just nil");
        assert_receipt_matches(&r, &m, "literal");
    }

    #[test]
    #[should_panic(expected = "batch.saleAmount")]
    fn a_batch_value_that_arrives_different_is_caught() {
        let sent = json!({"amsId": "B", "saleAmount": 11.11});
        let b: Batch = decode_from_string(&json!({"amsId": "B", "saleAmount": 11.1}).to_string())
            .expect("decodes");
        assert_batch_matches(&b, &sent, "literal");
    }

    #[test]
    fn a_receipt_that_arrives_whole_passes() {
        let m = json!({"amsID": "A", "amount": "11.11", "pinOk": true, "result": 0, "cardType": "VISA",
                       "date": "2026-01-01T00:00:00.000Z"});
        let r = decode_receipt(&m.to_string()).expect("decodes");
        assert_receipt_matches(&r, &m, "literal");
    }
}
