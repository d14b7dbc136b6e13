//! The iOS SDK copy AppsDevTeam/flutter-gptom (commit 11c1772c9e97fc929321bb5b8cc2dc841199867b) bundles as
//! `ios/Classes/GPtomSDK/*.swift` (byte-identical to the official GP-tom/tom-ios-sdk commit 7f6e963):
//! `DeeplinkResult.from(url:)` and the `JSONDecoder` rules of `TransactionData`, `DCCOptionsWrapper`, `Batch`,
//! `SubBatches`, with the copy's enums (`CardType` without `GIROCARD`, `DeeplinkError` without `userNotLoggedIn`).
//!
//! `JSONDecoder` rules used: a value of the wrong JSON type throws (`decodeIfPresent(String)` on a number,
//! `decode(Decimal)` or `decode(Int)` on a string), an enum raw value that is not a case throws, unknown keys
//! are ignored, null = absent for optionals; one throw drops the whole receipt or batch (`try?`,
//! `DeeplinkResult.swift:48,90`). [assumption] `Decimal` is read from the number's text exactly (current
//! Foundation), `Int` accepts only whole numbers.

use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

type Swift<T> = Result<T, String>;

/// A `Decimal`, as (mantissa, scale).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decimal(i128, u32);

impl Decimal {
    /// `Decimal(string:)` of a plain decimal text.
    pub fn parse(s: &str) -> Option<Self> {
        let (neg, t) = match s.strip_prefix('-') {
            Some(t) => (true, t),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let (int, frac) = t.split_once('.').unwrap_or((t, ""));
        if int.is_empty() && frac.is_empty()
            || !(int.bytes().chain(frac.bytes())).all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let m: i128 = format!("{int}{frac}").parse().ok()?;
        Some(Decimal(if neg { -m } else { m }, frac.len() as u32))
    }

    /// `Amount.int64` (`Amount.swift:17`): `Int64(truncating: self * 100)`.
    pub fn int64(self) -> i64 {
        let scaled = self.0 * 100;
        (scaled / 10i128.pow(self.1)) as i64
    }
}

fn key<'a>(o: &'a Map<String, Value>, k: &str) -> Option<&'a Value> {
    o.get(k).filter(|v| !v.is_null())
}

fn string(o: &Map<String, Value>, k: &str) -> Swift<Option<String>> {
    match key(o, k) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(v) => Err(format!("typeMismatch(String) at {k}: {v}")),
    }
}

fn int(o: &Map<String, Value>, k: &str) -> Swift<Option<i64>> {
    match key(o, k) {
        None => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
            .map(Some)
            .ok_or_else(|| format!("dataCorrupted(Int) at {k}: {n}")),
        Some(v) => Err(format!("typeMismatch(Int) at {k}: {v}")),
    }
}

fn double(o: &Map<String, Value>, k: &str) -> Swift<Option<f64>> {
    match key(o, k) {
        None => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(v) => Err(format!("typeMismatch(Double) at {k}: {v}")),
    }
}

fn decimal(o: &Map<String, Value>, k: &str) -> Swift<Option<Decimal>> {
    match key(o, k) {
        None => Ok(None),
        Some(Value::Number(n)) => Decimal::parse(&n.to_string())
            .map(Some)
            .ok_or_else(|| format!("dataCorrupted(Decimal) at {k}: {n}")),
        Some(v) => Err(format!("typeMismatch(Decimal) at {k}: {v}")),
    }
}

fn boolean(o: &Map<String, Value>, k: &str) -> Swift<Option<bool>> {
    match key(o, k) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(v) => Err(format!("typeMismatch(Bool) at {k}: {v}")),
    }
}

fn enumeration(
    o: &Map<String, Value>,
    k: &str,
    cases: &[&'static str],
) -> Swift<Option<&'static str>> {
    match string(o, k)? {
        None => Ok(None),
        Some(s) => cases
            .iter()
            .copied()
            .find(|c| *c == s)
            .map(Some)
            .ok_or_else(|| format!("dataCorrupted: {k} \"{s}\" is not a case")),
    }
}

fn required<T>(v: Swift<Option<T>>, k: &str) -> Swift<T> {
    v?.ok_or_else(|| format!("keyNotFound({k})"))
}

/// `ISO.iso8601DateFormatter` (`[.withInternetDateTime, .withFractionalSeconds]`): the fraction is required; a
/// string it cannot read gives nil, not an error (`TransactionData.swift:106-108`).
pub fn iso_fractional(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let dot = s.find('.')?;
    if dot != 19 || b.get(10) != Some(&b'T') {
        return None;
    }
    let digits = b[20..].iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let zone = &s[20 + digits..];
    if zone != "Z" && !(zone.len() == 6 && zone.as_bytes()[3] == b':') {
        return None;
    }
    crate::gson::gson_date(s)
}

/// `Date.ISO8601Format()`: `yyyy-MM-ddTHH:mm:ssZ` in UTC, no fraction.
pub fn iso8601_format(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000) / 1000;
    let (y, m, d) = civil(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

fn civil(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `CardType` of the copy (`CardType.swift:11-21`; no `GIROCARD`, which HEAD added).
pub const CARD_TYPE: &[&str] = &[
    "DISCOVER",
    "JCBANDVISA",
    "MASTERCARD",
    "VISA",
    "AMEX",
    "JCB",
    "TROY",
    "UNIONPAY",
    "RUPAY",
    "PURE",
    "UNKNOWN",
];
/// `TransactionType` (`TransactionType.swift`).
pub const TRANSACTION_TYPE: &[&str] = &[
    "CASH",
    "CARD",
    "GO_CRYPTO",
    "ACCOUNT_PAYMENT",
    "BLIK_PAYMENT",
    "PAYMENT_GATEWAY",
];
/// `DeeplinkError` of the copy (`DeeplinkError.swift`; no `userNotLoggedIn`, which HEAD added).
pub const DEEPLINK_ERROR: &[&str] = &[
    "failed",
    "networkError",
    "invalidClientId",
    "merchantInfoMissing",
    "failedTapToPay",
    "failedToCloseBatch",
    "unsupportedTransactionOperationOrType",
    "invalidAmount",
    "cannotBeVoided",
    "invalidCredentials",
    "tidNotAssignedToThisUser",
    "tidAlreadyOccupied",
    "anotherTidUsedOnThisDevice",
    "passwordChangeRequired",
    "passwordPendingConfirmation",
    "invalidCode",
    "invalidUserName",
    "terminalSetupFailed",
];

/// `DCCOptionsWrapper.init(from:)` (`DCCOptions.swift:151-165`): everything required but `status`; `amount` and
/// `exchangeRate` are `Decimal` (numbers only), `markup` an `Int` (basis points).
#[derive(Clone, Debug, PartialEq)]
pub struct DccOptionsWrapper {
    pub currency: String,
    pub amount: Decimal,
    pub markup: i64,
    pub region_schema_indicator: i64,
    pub exchange_rate: Decimal,
    pub status: Option<&'static str>,
}

impl DccOptionsWrapper {
    pub fn decode(o: &Map<String, Value>) -> Swift<Self> {
        let currency = required(string(o, "currency"), "currency")?;
        Ok(DccOptionsWrapper {
            // Currency.from(code:) ?? .EUR
            currency: if crate::gson::iso_4217_known(&currency) {
                currency
            } else {
                "EUR".into()
            },
            amount: required(decimal(o, "amount"), "amount")?,
            markup: required(int(o, "markup"), "markup")?,
            region_schema_indicator: required(
                int(o, "regionSchemaIndicator"),
                "regionSchemaIndicator",
            )?,
            exchange_rate: required(decimal(o, "exchangeRate"), "exchangeRate")?,
            status: enumeration(o, "status", &["ACCEPTED", "NOT_ACCEPTED", "NOT_PROCESSED"])?,
        })
    }
}

/// `TransactionData.init(from:)` (`TransactionData.swift:90-121`).
#[derive(Clone, Debug, PartialEq)]
pub struct TransactionData {
    pub batch_number: Option<String>,
    pub receipt_number: Option<String>,
    pub terminal_id: Option<String>,
    pub emv_aid: Option<String>,
    pub emv_app_label: Option<String>,
    pub card_number: Option<String>,
    pub transaction_type: Option<&'static str>,
    pub currency_code: Option<String>,
    pub amount: Option<String>,
    pub total_amount: Option<String>,
    pub pin_ok: Option<bool>,
    pub authorization_code: Option<String>,
    pub sequence_number: Option<String>,
    pub date: Option<i64>,
    pub card_type: Option<&'static str>,
    pub reference_number: Option<String>,
    pub transaction_id: Option<String>,
    pub tip_amount: Option<String>,
    pub result: Option<i64>,
    pub card_entry_mode: Option<String>,
    pub merchant_id: Option<String>,
    pub ams_id: Option<String>,
    pub blik_code: Option<String>,
    pub blik_transaction_ref: Option<String>,
    pub dcc_data: Option<DccOptionsWrapper>,
}

impl TransactionData {
    pub fn decode(text: &str) -> Swift<Self> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("dataCorrupted: {e}"))?;
        let o = v.as_object().ok_or("typeMismatch(keyed container)")?;
        Ok(TransactionData {
            batch_number: string(o, "batchNumber")?,
            receipt_number: string(o, "receiptNumber")?,
            terminal_id: string(o, "terminalID")?,
            emv_aid: string(o, "emvAid")?,
            emv_app_label: string(o, "emvAppLabel")?,
            card_number: string(o, "cardNumber")?,
            transaction_type: enumeration(o, "transactionType", TRANSACTION_TYPE)?,
            currency_code: string(o, "currencyCode")?,
            amount: string(o, "amount")?,
            total_amount: string(o, "totalAmount")?,
            pin_ok: boolean(o, "pinOk")?,
            authorization_code: string(o, "authorizationCode")?,
            sequence_number: string(o, "sequenceNumber")?,
            date: string(o, "date")?.and_then(|d| iso_fractional(&d)),
            card_type: enumeration(o, "cardType", CARD_TYPE)?,
            reference_number: string(o, "referenceNumber")?,
            transaction_id: string(o, "transactionID")?,
            tip_amount: string(o, "tipAmount")?,
            result: int(o, "result")?,
            card_entry_mode: string(o, "cardEntryMode")?,
            merchant_id: string(o, "merchantID")?,
            ams_id: string(o, "amsID")?,
            blik_code: string(o, "blikCode")?,
            blik_transaction_ref: string(o, "blikTransactionRef")?,
            dcc_data: match key(o, "dccData") {
                None => None,
                Some(Value::Object(d)) => Some(DccOptionsWrapper::decode(d)?),
                Some(v) => return Err(format!("typeMismatch(DCCOptionsWrapper): {v}")),
            },
        })
    }
}

/// `SubBatch` (synthesized `Codable`).
#[derive(Clone, Debug, PartialEq)]
pub struct SubBatch {
    pub close_batch_number: Option<String>,
    pub sale_amount: Option<Decimal>,
    pub total_count: Option<f64>,
}

impl SubBatch {
    fn decode(o: &Map<String, Value>) -> Swift<Self> {
        for k in ["saleCount", "voidCount"] {
            double(o, k)?;
        }
        for k in ["totalAmount", "voidAmount"] {
            decimal(o, k)?;
        }
        Ok(SubBatch {
            close_batch_number: string(o, "closeBatchNumber")?,
            sale_amount: decimal(o, "saleAmount")?,
            total_count: double(o, "totalCount")?,
        })
    }
}

/// `Batch.init(from:)` (`Batch.swift:116-147`): `amsId` required; amounts `Decimal` numbers, counts `Double`.
#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    pub ams_id: String,
    pub batch_number: Option<String>,
    pub communication_id: Option<String>,
    pub currency: Option<String>,
    pub date: Option<i64>,
    pub first_transaction_date: Option<i64>,
    pub previous_batch_date: Option<i64>,
    pub invalid_count: Option<f64>,
    pub sale_amount: Option<Decimal>,
    pub sale_count: Option<f64>,
    pub sub_batches: Vec<(&'static str, SubBatch)>,
    pub total_amount: Option<Decimal>,
    pub total_count: Option<f64>,
    pub void_amount: Option<Decimal>,
    pub void_count: Option<f64>,
    pub tip_amount: Decimal,
    pub tip_count: i64,
    pub tip_average: Decimal,
    pub tip_average_percentage: f64,
}

impl Batch {
    pub fn decode(text: &str) -> Swift<Self> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("dataCorrupted: {e}"))?;
        let o = v.as_object().ok_or("typeMismatch(keyed container)")?;
        let date = |k: &str| Ok::<_, String>(string(o, k)?.and_then(|d| iso_fractional(&d)));
        let mut sub_batches = Vec::new();
        match key(o, "subBatches") {
            None => {}
            Some(Value::Object(s)) => {
                for k in [
                    "CARD",
                    "GO_CRYPTO",
                    "CASH",
                    "ACCOUNT_PAYMENT",
                    "BLIK_PAYMENT",
                    "PAYMENT_GATEWAY",
                ] {
                    match key(s, k) {
                        None => {}
                        Some(Value::Object(b)) => sub_batches.push((k, SubBatch::decode(b)?)),
                        Some(v) => return Err(format!("typeMismatch(SubBatch) at {k}: {v}")),
                    }
                }
            }
            Some(v) => return Err(format!("typeMismatch(SubBatches): {v}")),
        }
        Ok(Batch {
            ams_id: required(string(o, "amsId"), "amsId")?,
            batch_number: string(o, "batchNumber")?,
            communication_id: string(o, "communicationId")?,
            currency: string(o, "currency")?,
            date: date("date")?,
            first_transaction_date: date("firstTransactionDate")?,
            previous_batch_date: date("previousBatchDate")?,
            invalid_count: double(o, "invalidCount")?,
            sale_amount: decimal(o, "saleAmount")?,
            sale_count: double(o, "saleCount")?,
            sub_batches,
            total_amount: decimal(o, "totalAmount")?,
            total_count: double(o, "totalCount")?,
            void_amount: decimal(o, "voidAmount")?,
            void_count: double(o, "voidCount")?,
            tip_amount: decimal(o, "tipAmount")?.unwrap_or(Decimal(0, 0)),
            tip_count: int(o, "tipCount")?.unwrap_or(0),
            tip_average: decimal(o, "tipAverage")?.unwrap_or(Decimal(0, 0)),
            tip_average_percentage: double(o, "tipAveragePercentage")?.unwrap_or(0.0),
        })
    }
}

/// What `DeeplinkResult.from(url:)` returned (the transaction and batch cases the plugin's links can produce).
#[derive(Clone, Debug, PartialEq)]
pub enum DeeplinkResult {
    /// create / refund / cancel: which, the receipt (None also when it failed to decode), the `code`, the
    /// `status`, the `error`; plus why the receipt was dropped.
    Transaction {
        path: &'static str,
        receipt: Option<Box<TransactionData>>,
        refusal: Option<String>,
        status: String,
        error: Option<&'static str>,
        dropped: Option<String>,
    },
    /// batch/close.
    CloseBatch {
        batch: Option<Box<Batch>>,
        status: String,
        error: Option<&'static str>,
        dropped: Option<String>,
    },
    /// login / logout / change-password / appStatus (no plugin method opens these links).
    Other,
}

/// `convertQueryToDictionary(URLComponents.queryItems)`: the items as decoded by `URLComponents`, then
/// `removingPercentEncoding` a second time (`DeeplinkResult.swift:97-105`), nil on a bad sequence.
fn query(url: &str) -> Vec<(String, String)> {
    let q = url.split_once('?').map_or("", |(_, q)| q);
    let q = q.split_once('#').map_or(q, |(q, _)| q);
    let mut out: Vec<(String, String)> = Vec::new();
    for item in q.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = item.split_once('=').unwrap_or((item, ""));
        let once = |s: &str| {
            percent_decode_str(s)
                .decode_utf8()
                .ok()
                .map(|c| c.into_owned())
        };
        let (Some(name), Some(first)) = (once(k), once(v)) else {
            continue;
        };
        let bad = first.match_indices('%').any(|(i, _)| {
            !first
                .get(i + 1..i + 3)
                .is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
        });
        out.retain(|(n, _)| *n != name);
        if let (false, Some(second)) = (bad, once(&first)) {
            out.push((name, second));
        }
    }
    out
}

impl DeeplinkResult {
    /// `DeeplinkResult.from(url:)` (`DeeplinkResult.swift:13-63`): routes by substring, needs `status`.
    pub fn from(url: &str) -> Option<Self> {
        let params = query(url);
        let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let status =
            get("status").filter(|s| ["COMPLETED", "ERROR", "CANCELLED"].contains(&s.as_str()));
        let error = get("error").and_then(|e| DEEPLINK_ERROR.iter().copied().find(|c| *c == e));
        for path in [
            "transaction/create",
            "transaction/cancel",
            "transaction/refund",
        ] {
            if url.contains(path) {
                let status = status?;
                let (receipt, dropped) = match get("receipt").map(|r| TransactionData::decode(&r)) {
                    None => (None, None),
                    Some(Ok(r)) => (Some(Box::new(r)), None),
                    Some(Err(e)) => (None, Some(e)),
                };
                const REFUSAL: &str = "unknown approved approvedRequiredIdentification declined expiredCard \
                    pinTriesExceeded callService technicalIssue invalidRequest captureCard declinedProblemWithCard \
                    invalidData insufficientFunds usageLimitReached duplicateTransaction amountLimitExceeded \
                    transactionIsNotSupported callForAuthorization declinedLowAmount pinRequired cardNotSupported \
                    invalidPin technicalIssueOfTerminal declinedPurchasePossible invalidFormat delivered stored \
                    noMoreData moreDataExists invalidSupervisorCard";
                let refusal = get("code").filter(|c| REFUSAL.split_whitespace().any(|r| r == c));
                return Some(DeeplinkResult::Transaction {
                    path,
                    receipt,
                    refusal,
                    status,
                    error,
                    dropped,
                });
            }
        }
        if ["change-password", "login", "logout"]
            .iter()
            .any(|p| url.contains(p))
        {
            return status.map(|_| DeeplinkResult::Other);
        }
        if url.contains("batch/close") {
            let status = status?;
            let (batch, dropped) = match get("batch").map(|b| Batch::decode(&b)) {
                None => (None, None),
                Some(Ok(b)) => (Some(Box::new(b)), None),
                Some(Err(e)) => (None, Some(e)),
            };
            return Some(DeeplinkResult::CloseBatch {
                batch,
                status,
                error,
                dropped,
            });
        }
        if url.contains("appStatus") {
            return status.map(|_| DeeplinkResult::Other);
        }
        None
    }
}
