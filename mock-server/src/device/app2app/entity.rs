//! The entities of the app2app dialect as Gson writes them (field names with their typos, integer codes, ECR
//! dates), and reading the request entity's fields. Pure.

use serde_json::{Map, Value, json};

use super::ret;
use crate::clock::Timestamp;
use crate::engine::task::{Failure, TaskStatus};
use crate::engine::transaction::TxnResult;

pub(super) fn error_entity(code: &str, exception: &str, support: &str) -> Value {
    json!({"errorCode": code, "supportID": support, "exception": exception})
}

/// The ECR result and message of a final payment (the transaction result and the inquiry agree).
pub(super) fn payment_result(status: TaskStatus, txn: Option<TxnResult>) -> (i64, &'static str) {
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
pub(super) fn failure_entity(support: &str, f: Failure) -> Value {
    let exception = match f {
        Failure::Timeout | Failure::TaskExpired => "TimeoutException",
        Failure::PaymentException => "PaymentException",
        Failure::InitFailed => "InitializationException",
    };
    error_entity(&format!("1-{:03}", error_code(f)), exception, support)
}

/// `MerchantInfoEntity` of the mock's merchants.
pub(super) fn merchant_info() -> Value {
    json!({"company": "GP tom mock merchant", "city": "Prague", "street": "Prazska", "house": "10", "location": "", "country": "CZ", "zip": "10100"})
}

/// `DccDataEntity` (AIDL 1.29): BigDecimal values are JSON numbers.
pub(super) fn dcc_entity(d: &crate::engine::transaction::DccData) -> Value {
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
pub(super) fn ecr_date_time(at: Timestamp, ddmmyy: bool) -> (String, String) {
    let text = at.to_rfc3339(); // 2026-01-01T00:00:05.000Z
    let (y, m, d) = (&text[2..4], &text[5..7], &text[8..10]);
    let date = if ddmmyy {
        format!("{d}{m}{y}")
    } else {
        format!("{y}{m}{d}")
    };
    (date, text[11..19].replace(':', ""))
}

pub(super) fn state_code(status: TaskStatus) -> i64 {
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

pub(super) fn int(body: &Map<String, Value>, k: &str) -> Option<i64> {
    body.get(k).and_then(Value::as_i64)
}

pub(super) fn text<'a>(body: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    body.get(k)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// Gson-dropped values and likely mistakes in a request entity.
pub(super) fn lint(body: &Map<String, Value>) -> Vec<String> {
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

/// app2app error `code` of a failed task (`reference.md` §4.8).
pub(super) fn error_code(f: Failure) -> i64 {
    match f {
        Failure::Timeout => 65,
        Failure::PaymentException => 104,
        Failure::TaskExpired => 65,
        Failure::InitFailed => 97,
    }
}

pub(super) fn merge(into: &mut Value, extra: Value) {
    if let (Value::Object(a), Value::Object(b)) = (into, extra) {
        a.extend(b);
    }
}
