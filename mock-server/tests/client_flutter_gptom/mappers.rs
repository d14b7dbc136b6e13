//! The Kotlin decoding logic of AppsDevTeam/flutter-gptom, commit 11c1772c9e97fc929321bb5b8cc2dc841199867b,
//! `android/src/main/kotlin/cz/appsdevteam/gptom/`: `support/DateUtils.kt`, `mappers/ErrorCodeMapper.kt`, the
//! entity → platform-channel mappers (`mappers/*.kt`), `models/PluginResponse.kt` and the event map of
//! `GpTomPlugin.sendEvent`. Every platform-channel value is a `serde_json::Value` (Kotlin `Int`/`Long` → number,
//! `null` → null, maps in `mapOf` order).

use serde_json::{Map, Value, json};

use crate::entities::{
    ErrorResultEntity, ErrorResultV2Entity, InquireResultEntity, MerchantInfoEntity,
    RegisterResultV2Entity, StateResultEntity, TransactionResultV2Entity,
};
use crate::gson::month_length;

/// `ResultCodes.kt:4-31` (identical to the Dart enum `GpTomResultCode`).
pub mod codes {
    pub const OK: &str = "ok";
    pub const INVALID_ARGUMENT: &str = "invalidArgument";
    pub const TIMEOUT: &str = "timeout";
    pub const INTERNAL_ERROR: &str = "internalError";
    pub const FAILED: &str = "failed";
    pub const NETWORK_ERROR: &str = "networkError";
    pub const INVALID_CLIENT_ID: &str = "invalidClientId";
    pub const MERCHANT_INFO_MISSING: &str = "merchantInfoMissing";
    pub const FAILED_TAP_TO_PAY: &str = "failedTapToPay";
    pub const FAILED_TO_CLOSE_BATCH: &str = "failedToCloseBatch";
    pub const UNSUPPORTED_TRANSACTION_OPERATION_OR_TYPE: &str =
        "unsupportedTransactionOperationOrType";
    pub const CANNOT_BE_VOIDED: &str = "cannotBeVoided";
    pub const INVALID_CREDENTIALS: &str = "invalidCredentials";
    pub const TID_NOT_ASSIGNED_TO_THIS_USER: &str = "tidNotAssignedToThisUser";
    pub const TID_ALREADY_OCCUPIED: &str = "tidAlreadyOccupied";
    pub const PASSWORD_CHANGE_REQUIRED: &str = "passwordChangeRequired";
    pub const INVALID_CODE: &str = "invalidCode";
    pub const NOT_INSTALLED: &str = "notInstalled";
    pub const CANCELLED: &str = "cancelled";
}

// ---------------------------------------------------------------- support/DateUtils.kt:9-20

/// `DateUtils.toISO8601(date, time)`: `LocalDateTime.parse(date + time, ofPattern("ddMMyyHHmmss"))` (resolver
/// SMART: day 29-31 clamped to the month, `24:00:00` = next midnight; `yy` = 2000-2099), formatted
/// `ISO_DATE_TIME` (no zone, no fraction); null or blank input, or any exception → null.
pub fn to_iso8601(date: Option<&str>, time: Option<&str>) -> Option<String> {
    let (date, time) = (date?, time?);
    if date.trim().is_empty() || time.trim().is_empty() {
        return None;
    }
    let s = format!("{date}{time}");
    if s.len() != 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let f = |i: usize| s[i..i + 2].parse::<i64>().unwrap_or(-1);
    let (dd, mm, yy, hh, mi, ss) = (f(0), f(2), f(4), f(6), f(8), f(10));
    let year = 2000 + yy;
    if !(1..=12).contains(&mm) || !(1..=31).contains(&dd) || mi > 59 || ss > 59 {
        return None;
    }
    let (mut y, mut m, mut d) = (year, mm, dd.min(month_length(year, mm)));
    let hour = match hh {
        0..=23 => hh,
        24 if mi == 0 && ss == 0 => {
            d += 1;
            if d > month_length(y, m) {
                d = 1;
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
            0
        }
        _ => return None,
    };
    Some(format!("{y:04}-{m:02}-{d:02}T{hour:02}:{mi:02}:{ss:02}"))
}

// ---------------------------------------------------------------- mappers/ErrorCodeMapper.kt

/// `ErrorCodeMapper.classify(error, resultCode)` (`ErrorCodeMapper.kt:19-47`): substrings of
/// `error.exception` first, then the ECR `resultCode`.
pub fn classify(error: Option<&ErrorResultEntity>, result_code: Option<i32>) -> &'static str {
    let exception = error.and_then(|e| e.exception.as_deref()).unwrap_or("");
    let has = |s: &str| exception.contains(s);
    if has("UserLoggedOutException")
        || has("AuthenticationException")
        || has("InvalidCredentialsException")
    {
        return codes::INVALID_CREDENTIALS;
    }
    if has("MerchantInfoMissing") {
        return codes::MERCHANT_INFO_MISSING;
    }
    if has("InvalidClientId") {
        return codes::INVALID_CLIENT_ID;
    }
    if has("NetworkException")
        || has("SocketTimeout")
        || has("UnknownHost")
        || has("ConnectException")
    {
        return codes::NETWORK_ERROR;
    }
    if has("TimeoutException") {
        return codes::TIMEOUT;
    }
    if has("InvalidParameter") || has("IllegalArgument") {
        return codes::INVALID_ARGUMENT;
    }
    match result_code {
        Some(0) => codes::OK,
        Some(-2 | -6) => codes::INVALID_ARGUMENT,
        Some(-4) => codes::FAILED,
        Some(-5) => codes::CANNOT_BE_VOIDED,
        Some(-7) => codes::INVALID_CREDENTIALS,
        Some(-8) => codes::UNSUPPORTED_TRANSACTION_OPERATION_OR_TYPE,
        _ => codes::FAILED,
    }
}

/// The V2 `error.code` values `classifyV2` names explicitly (`ErrorCodeMapper.kt:53-93`); anything else falls to
/// the `else -> FAILED` branch.
pub const CLASSIFY_V2_KNOWN: &[i32] = &[
    4, 40, 54, 49, 56, 57, 31, 58, 60, 8, 50, 51, 52, 53, 61, 42, 43, 87, 96, 44, 45, 38, 47, 88,
    48, 62, 63, 64, 65, 66, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86,
    89, 55, 91, 97, 98,
];

/// `ErrorCodeMapper.classifyV2(error)` (`ErrorCodeMapper.kt:52-96`).
pub fn classify_v2(error: Option<&ErrorResultV2Entity>) -> &'static str {
    match error.and_then(|e| e.code) {
        None => codes::FAILED,
        Some(4 | 40 | 54 | 49 | 56 | 57) => codes::INVALID_CREDENTIALS,
        Some(31) => codes::PASSWORD_CHANGE_REQUIRED,
        Some(58 | 60) => codes::INVALID_CODE,
        Some(8) => codes::INVALID_CLIENT_ID,
        Some(50..=52) => codes::TID_NOT_ASSIGNED_TO_THIS_USER,
        Some(53 | 61) => codes::TID_ALREADY_OCCUPIED,
        Some(42) => codes::FAILED,
        Some(43 | 87 | 96) => codes::CANCELLED,
        Some(44 | 38) => codes::CANNOT_BE_VOIDED,
        Some(45) => codes::FAILED,
        Some(47 | 88) => codes::UNSUPPORTED_TRANSACTION_OPERATION_OR_TYPE,
        Some(48) => codes::FAILED_TO_CLOSE_BATCH,
        Some(62..=64) => codes::NETWORK_ERROR,
        Some(65) => codes::TIMEOUT,
        Some(66 | 69..=86) => codes::FAILED_TAP_TO_PAY,
        Some(89) => codes::NOT_INSTALLED,
        Some(55 | 91 | 97 | 98) => codes::INVALID_ARGUMENT,
        Some(_) => codes::FAILED,
    }
}

// ---------------------------------------------------------------- mappers/*.kt

fn map(pairs: Vec<(&str, Value)>) -> Value {
    Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

/// `ErrorMapper.toMap(ErrorResultEntity)` (`ErrorMapper.kt:10-14`).
pub fn error_map(e: &ErrorResultEntity) -> Value {
    map(vec![
        ("errorCode", json!(e.error_code)),
        ("supportId", json!(e.support_id)),
        ("exception", json!(e.exception)),
    ])
}

/// `ErrorMapper.toMap(ErrorResultV2Entity)` (`ErrorMapper.kt:16-29`).
pub fn error_v2_map(e: &ErrorResultV2Entity) -> Value {
    let platform = match e.platform {
        Some("TOM_APP") => json!("tomApp"),
        Some("AMS") => json!("ams"),
        Some("EXTERNAL") => json!("external"),
        _ => Value::Null,
    };
    map(vec![
        ("platform", platform),
        ("code", json!(e.code)),
        ("internalErrorCode", json!(e.internal_error_code)),
        ("internalErrorSubCode", json!(e.internal_error_sub_code)),
        (
            "cause",
            e.cause.as_deref().map_or(Value::Null, error_v2_map),
        ),
    ])
}

/// `RegisterResultMapper.toMap(e, originRef)` (`RegisterMapper.kt:8-15`).
pub fn register_map(e: &RegisterResultV2Entity, origin_ref: Option<&str>) -> Value {
    map(vec![
        ("resultCode", json!(e.result_code)),
        ("transactionId", json!(e.transaction_id)),
        ("clientId", json!(e.client_id)),
        ("responseMessage", json!(e.response_message)),
        ("error", e.error.as_ref().map_or(Value::Null, error_map)),
        ("originReferenceNum", json!(origin_ref)),
    ])
}

/// `StateResultMapper.toMap(e)` (`StateMapper.kt:9-17`): dates as `Date.time` (epoch ms).
pub fn state_map(e: &StateResultEntity) -> Value {
    map(vec![
        ("resultCode", json!(e.result_code)),
        ("transactionId", json!(e.transaction_id)),
        ("state", json!(e.state)),
        ("isRepeatable", json!(e.is_repeatable)),
        ("created", json!(e.created)),
        ("updated", json!(e.updated)),
        ("error", e.error.as_ref().map_or(Value::Null, error_v2_map)),
    ])
}

/// `MerchantInfoMapper.toMap(e)` (`MerchantInfoMapper.kt:8-16`).
pub fn merchant_info_map(e: &MerchantInfoEntity) -> Value {
    map(vec![
        ("company", json!(e.company)),
        ("city", json!(e.city)),
        ("street", json!(e.street)),
        ("house", json!(e.house)),
        ("location", json!(e.location)),
        ("country", json!(e.country)),
        ("zip", json!(e.zip)),
    ])
}

/// `InquireResultMapper.toMap(e)` (`InquireMapper.kt:11-51`): renames `trasanctionID` → `transactionId`,
/// `transacitonType` → `transactionType`, `emvAppLable` → `emvAppLabel`; `date` through DateUtils; `totalAmount`,
/// `dccData`, `elvData` and `blikTransactionRef` are not mapped.
pub fn inquire_map(e: &InquireResultEntity) -> Value {
    map(vec![
        ("result", json!(e.result)),
        ("responseMessage", json!(e.response_message)),
        ("transactionId", json!(e.trasanction_id)),
        ("externalTransactionId", json!(e.external_transaction_id)),
        ("transactionType", json!(e.transaciton_type)),
        ("merchantId", json!(e.merchant_id)),
        ("terminalId", json!(e.terminal_id)),
        ("currencyCode", json!(e.currency_code)),
        ("amount", json!(e.amount)),
        ("tipAmount", json!(e.tip_amount)),
        ("cashbackAmount", json!(e.cashback_amount)),
        ("cardProduct", json!(e.card_product)),
        ("cardNumber", json!(e.card_number)),
        ("cardIssuer", json!(e.card_issuer)),
        ("cardDataEntry", json!(e.card_data_entry)),
        ("approvedCode", json!(e.approved_code)),
        ("referenceNumber", json!(e.reference_number)),
        ("traceNumber", json!(e.trace_number)),
        ("invoiceNumber", json!(e.invoice_number)),
        (
            "date",
            json!(to_iso8601(e.date.as_deref(), e.time.as_deref())),
        ),
        ("emvAid", json!(e.emv_aid)),
        ("emvAppLabel", json!(e.emv_app_lable)),
        ("sequenceNumber", json!(e.sequence_number)),
        ("batchNumber", json!(e.batch_number)),
        ("receiptNumber", json!(e.receipt_number)),
        ("pinOk", json!(e.pin_ok)),
        (
            "merchantInfo",
            e.merchant_info
                .as_ref()
                .map_or(Value::Null, merchant_info_map),
        ),
        (
            "cardHolderVerificationMethod",
            json!(e.card_holder_verification_method),
        ),
        ("blikCode", json!(e.blik_code)),
    ])
}

/// `BatchMapper.toMap(e)` (`BatchMapper.kt:9-26`): `result`, `error` and `responseMessage` are not mapped.
pub fn batch_map(e: &TransactionResultV2Entity) -> Value {
    map(vec![
        ("transactionId", json!(e.transaction_id)),
        ("terminalId", json!(e.terminal_id)),
        ("batchNumber", json!(e.batch_number)),
        (
            "currencyCode",
            json!(e.currency_code.map(|c| c.to_string())),
        ),
        (
            "date",
            json!(to_iso8601(e.date.as_deref(), e.time.as_deref())),
        ),
        ("totalCount", json!(e.batch_total_num)),
        ("totalAmount", json!(e.batch_total_amount)),
        ("saleCount", json!(e.batch_sale_num)),
        ("saleAmount", json!(e.batch_sale_amount)),
        ("voidCount", json!(e.batch_void_num)),
        ("voidAmount", json!(e.batch_void_amount)),
        ("tipAmount", json!(e.tip_amount)),
    ])
}

// ---------------------------------------------------------------- models/PluginResponse.kt, sendEvent

/// `PluginResponse` (`PluginResponse.kt:6-21`).
#[derive(Clone, Debug, PartialEq)]
pub enum PluginResponse {
    Success(Value),
    Error {
        code: &'static str,
        message: String,
        data: Value,
    },
}

impl PluginResponse {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        PluginResponse::Error {
            code,
            message: message.into(),
            data: Value::Null,
        }
    }

    /// `toMap()`: `{code:"ok", data}` or `{code, message, data}`.
    pub fn to_map(&self) -> Value {
        match self {
            PluginResponse::Success(d) => json!({"code": codes::OK, "data": d}),
            PluginResponse::Error {
                code,
                message,
                data,
            } => json!({"code": code, "message": message, "data": data}),
        }
    }
}

/// `sendEvent(kind, transactionId, response)` (`GpTomPlugin.kt:528-540`): the map on `adt_gptom/events`.
pub fn event(kind: &str, transaction_id: Option<&str>, response: &PluginResponse) -> Value {
    let mut m = Map::new();
    m.insert("kind".into(), json!(kind));
    if let Some(t) = transaction_id {
        m.insert("transactionId".into(), json!(t));
    }
    if let Value::Object(r) = response.to_map() {
        m.extend(r);
    }
    Value::Object(m)
}
