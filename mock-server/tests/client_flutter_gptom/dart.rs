//! The Dart half of AppsDevTeam/flutter-gptom, commit 11c1772c9e97fc929321bb5b8cc2dc841199867b, `lib/`: the
//! request models the app hands to the method channel (`models/transaction_request.dart`,
//! `models/register_request.dart`), `GpTomResult.fromMap` (`models/gp_tom_result.dart:20-36`), `GpTomEvent`
//! (`models/gp_tom_event.dart`), the result models and `utils/json_utils.dart`, which every model uses. Input is
//! the platform-channel map as the native side sent it.
//!
//! A Dart `TypeError` (a cast that throws inside a parser) is `Err`: in a typed stream it surfaces as a stream
//! error (`gptom_manager.dart:230-234`), in a method call as `internalError` (`:213-214`).

use serde_json::{Map, Value, json};

/// A Dart runtime error inside a parser.
pub type Dart<T> = Result<T, String>;

// ---------------------------------------------------------------- utils/json_utils.dart

/// `asString` (4-8): non-Strings through `toString()`.
pub fn as_string(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) if n.is_f64() => Some(format!("{:?}", n.as_f64().unwrap_or(0.0))),
        other => Some(other.to_string()),
    }
}

/// `int.tryParse`: surrounding whitespace, an optional sign, decimal digits or `0x` hex.
fn int_try_parse(s: &str) -> Option<i64> {
    let t = s.trim();
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let v = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(h) if !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()) => {
            i64::from_str_radix(h, 16).ok()?
        }
        _ if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) => t.parse().ok()?,
        _ => return None,
    };
    Some(if neg { -v } else { v })
}

/// `asInt` (10-16): int; other nums truncated; Strings through `int.tryParse` (`"1111.0"` → null).
pub fn as_int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => int_try_parse(s),
        _ => None,
    }
}

/// `asRequiredInt` (18-20).
pub fn as_required_int(v: &Value, fallback: i64) -> i64 {
    as_int(v).unwrap_or(fallback)
}

/// `asDouble` (22-29).
pub fn as_double(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `asBool` (35-47): bool, `"true"`/`"false"` in any case, 1/0.
pub fn as_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        Value::Number(n) if n.as_f64() == Some(1.0) => Some(true),
        Value::Number(n) if n.as_f64() == Some(0.0) => Some(false),
        _ => None,
    }
}

/// A Dart `DateTime`: epoch ms and `isUtc`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateTime {
    pub epoch_ms: i64,
    pub is_utc: bool,
}

/// `asDateTime` (53-60): a String through `DateTime.tryParse` (zone → UTC, none → local), an int through
/// `DateTime.fromMillisecondsSinceEpoch` (local, `isUtc` false). [assumption] the local zone is UTC; strings are
/// approximated with the ISO 8601 reader (the plugin only ever sends epoch ms here).
pub fn as_date_time(v: &Value) -> Option<DateTime> {
    match v {
        Value::Number(n) => Some(DateTime {
            epoch_ms: n.as_i64().or_else(|| n.as_f64().map(|f| f as i64))?,
            is_utc: false,
        }),
        Value::String(s) => {
            // a zone (`Z` or `±hh:mm` after the time) makes it UTC; none means local time
            let time = s.split_once(['T', ' ']).map_or("", |(_, t)| t);
            let zoned = time.ends_with('Z') || time.contains(['+', '-']);
            let text = s.replacen(' ', "T", 1);
            let text = if zoned { text } else { format!("{text}Z") };
            crate::gson::gson_date(&text).map(|ms| DateTime {
                epoch_ms: ms,
                is_utc: zoned,
            })
        }
        _ => None,
    }
}

/// `asMap` (62-66).
pub fn as_map(v: &Value) -> Option<&Map<String, Value>> {
    v.as_object()
}

/// `enumFromName` (74-82): exact name, Strings only.
fn enum_from_name(v: &Value, names: &[&'static str]) -> Option<&'static str> {
    let s = v.as_str()?;
    names.iter().copied().find(|n| *n == s)
}

/// `asMaskedCardNumber(cardNumber, emvAid)` (111-131).
pub fn as_masked_card_number(card: &Value, aid: &Value) -> Option<String> {
    let raw = as_string(card)?;
    if raw.is_empty() {
        return None;
    }
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let last4 = format!("{digits:*>4}");
    let suffix = &last4[last4.len() - 4..];
    let aid = as_string(aid).unwrap_or_default();
    Some(if aid.starts_with("A000000025") {
        format!("**** ****** *{suffix}")
    } else if aid.starts_with("A000000152") || aid.starts_with("A000000324") {
        format!("**** ****** {suffix}")
    } else {
        format!("**** **** **** {suffix}")
    })
}

/// `_numericToAlphaCurrency` (147-181), verbatim.
const NUMERIC_TO_ALPHA: &str = "008 ALL 012 DZD 032 ARS 036 AUD 044 BSD 048 BHD 050 BDT 051 AMD 052 BBD 060 BMD \
    064 BTN 068 BOB 072 BWP 084 BZD 090 SBD 096 BND 104 MMK 108 BIF 116 KHR 124 CAD 132 CVE 136 KYD 144 LKR 152 CLP \
    156 CNY 170 COP 174 KMF 188 CRC 191 HRK 192 CUP 203 CZK 208 DKK 214 DOP 222 SVC 230 ETB 232 ERN 238 FKP 242 FJD \
    262 DJF 270 GMD 292 GIP 320 GTQ 324 GNF 328 GYD 332 HTG 340 HNL 344 HKD 348 HUF 352 ISK 356 INR 360 IDR 364 IRR \
    368 IQD 376 ILS 388 JMD 392 JPY 398 KZT 400 JOD 404 KES 408 KPW 410 KRW 414 KWD 417 KGS 418 LAK 422 LBP 426 LSL \
    430 LRD 434 LYD 446 MOP 454 MWK 458 MYR 462 MVR 480 MUR 484 MXN 496 MNT 498 MDL 504 MAD 512 OMR 516 NAD 524 NPR \
    532 ANG 533 AWG 548 VUV 554 NZD 558 NIO 566 NGN 578 NOK 586 PKR 590 PAB 598 PGK 600 PYG 604 PEN 608 PHP 634 QAR \
    643 RUB 646 RWF 654 SHP 682 SAR 690 SCR 694 SLL 702 SGD 704 VND 706 SOS 710 ZAR 728 SSP 748 SZL 752 SEK 756 CHF \
    760 SYP 764 THB 776 TOP 780 TTD 784 AED 788 TND 800 UGX 807 MKD 818 EGP 826 GBP 834 TZS 840 USD 858 UYU 860 UZS \
    882 WST 886 YER 901 TWD 925 SLE 927 UYW 928 VES 929 MRU 931 CUC 932 ZWL 933 BYN 934 TMT 936 GHS 938 SDG 941 RSD \
    943 MZN 944 AZN 946 RON 947 CHE 948 CHW 949 TRY 950 XAF 951 XCD 952 XOF 953 XPF 967 ZMW 968 SRD 969 MGA 970 COU \
    971 AFN 972 TJS 973 AOA 975 BGN 976 CDF 977 BAM 978 EUR 979 MXV 980 UAH 981 GEL 984 BOV 985 PLN 986 BRL";

/// `asCurrencyCode` (135-145): 3 upper-case letters kept, a numeric code through the table, else unchanged.
pub fn as_currency_code(v: &Value) -> Option<String> {
    let s = as_string(v)?;
    if s.is_empty() {
        return None;
    }
    if s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase()) {
        return Some(s);
    }
    let words: Vec<&str> = NUMERIC_TO_ALPHA.split_whitespace().collect();
    Some(
        words
            .chunks(2)
            .find(|p| p[0] == s)
            .map_or(s.clone(), |p| p[1].to_owned()),
    )
}

// ---------------------------------------------------------------- envelope

/// `GpTomResultCode` (`enums/result_codes.dart:1-30`).
pub const RESULT_CODES: &[&str] = &[
    "ok",
    "notInitialized",
    "notInstalled",
    "unsupportedOnPlatform",
    "invalidArgument",
    "timeout",
    "serviceBindFailed",
    "internalError",
    "failed",
    "networkError",
    "invalidClientId",
    "merchantInfoMissing",
    "failedTapToPay",
    "failedToCloseBatch",
    "invalidDeeplink",
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
    "cancelled",
];

/// `GpTomEventKind` (`gp_tom_event.dart:4`): an unknown `kind` becomes `unknown`.
pub fn event_kind(event: &Value) -> &'static str {
    enum_from_name(
        &event["kind"],
        &[
            "sale",
            "refund",
            "cancel",
            "closeBatch",
            "detail",
            "state",
            "appStatus",
        ],
    )
    .unwrap_or("unknown")
}

/// `GpTomResult<T>`.
#[derive(Clone, Debug, PartialEq)]
pub struct GpTomResult<T> {
    pub code: &'static str,
    pub message: Option<String>,
    pub transaction_id: Option<String>,
    pub data: Option<T>,
}

impl<T> GpTomResult<T> {
    /// `GpTomResult.fromMap(map, dataParser: (d) => parser(Map.from(d as Map)))`: an unknown code →
    /// `internalError`; the parser runs only on non-null data, which must be a Map.
    pub fn from_map(map: &Value, parser: fn(&Map<String, Value>) -> Dart<T>) -> Dart<Self> {
        let data = match &map["data"] {
            Value::Null => None,
            Value::Object(m) => Some(parser(m)?),
            other => return Err(format!("TypeError: {other} is not a Map")),
        };
        Ok(GpTomResult {
            code: enum_from_name(&map["code"], RESULT_CODES).unwrap_or("internalError"),
            message: as_string(&map["message"]),
            transaction_id: as_string(&map["transactionId"]),
            data,
        })
    }
}

// ---------------------------------------------------------------- models

/// `GpTomErrorResult.fromJson` (`error_result.dart:14-20`): `errorCode` through `asRequiredInt` (so `"1-040"`
/// → 0); `supportId`/`exception` are `as String?` casts that throw on anything else.
#[derive(Clone, Debug, PartialEq)]
pub struct GpTomErrorResult {
    pub error_code: i64,
    pub support_id: String,
    pub exception: String,
}

fn cast_string(v: &Value, key: &str) -> Dart<Option<String>> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        other => Err(format!("TypeError: {key} {other} is not a String?")),
    }
}

impl GpTomErrorResult {
    pub fn from_json(j: &Map<String, Value>) -> Dart<Self> {
        let get = |k: &str| j.get(k).unwrap_or(&Value::Null);
        Ok(GpTomErrorResult {
            error_code: as_required_int(get("errorCode"), 0),
            support_id: cast_string(get("supportId"), "supportId")?.unwrap_or_default(),
            exception: cast_string(get("exception"), "exception")?.unwrap_or_default(),
        })
    }
}

/// `GpTomMerchantInfo.fromJson` (`merchant_info.dart:28-38`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GpTomMerchantInfo {
    pub company: Option<String>,
    pub city: Option<String>,
    pub street: Option<String>,
    pub house: Option<String>,
    pub location: Option<String>,
    pub country: Option<String>,
    pub zip: Option<String>,
}

impl GpTomMerchantInfo {
    pub fn from_json(j: &Map<String, Value>) -> Self {
        let s = |k: &str| as_string(j.get(k).unwrap_or(&Value::Null));
        GpTomMerchantInfo {
            company: s("company"),
            city: s("city"),
            street: s("street"),
            house: s("house"),
            location: s("location"),
            country: s("country"),
            zip: s("zip"),
        }
    }
}

/// `GpTomCardProduct.fromJson(String?)` (`card_product.dart:22-30`): trimmed, lower-cased, `_` removed, unknown
/// → `unknow`; the parameter is a `String?`, so a non-String throws.
pub fn card_product(v: &Value) -> Dart<Option<&'static str>> {
    const NAMES: &[&str] = &[
        "unknow",
        "visa",
        "master",
        "mastercard",
        "cup",
        "jcb",
        "amex",
        "discovery",
        "discover",
        "maestro",
        "none",
        "jcbandvisa",
        "troy",
        "unionpay",
        "rupay",
        "pure",
        "girocard",
    ];
    Ok(cast_string(v, "cardProduct")?.map(|s| {
        let n = s.trim().to_lowercase().replace('_', "");
        NAMES.iter().copied().find(|x| *x == n).unwrap_or("unknow")
    }))
}

/// `GpTomCardHolderVerificationMethod.fromJson(String?)` (`card_holder_verification_method.dart:9-17`).
pub fn cvm(v: &Value) -> Dart<Option<&'static str>> {
    Ok(
        cast_string(v, "cardHolderVerificationMethod")?.and_then(|s| {
            let n = s.trim().to_lowercase().replace('_', "");
            ["pin", "passcode", "signature", "none"]
                .into_iter()
                .find(|x| *x == n)
        }),
    )
}

/// `GpTomTransactionResult.fromJson` (`transaction_result.dart:99-139`).
#[derive(Clone, Debug, PartialEq)]
pub struct GpTomTransactionResult {
    pub result: i64,
    pub error: Option<GpTomErrorResult>,
    pub client_id: Option<String>,
    pub response_message: Option<String>,
    pub transaction_id: Option<String>,
    pub asm_id: Option<String>,
    pub external_transaction_id: Option<String>,
    pub transaction_type: Option<i64>,
    pub payment_method: Option<String>,
    pub merchant_id: Option<String>,
    pub terminal_id: Option<String>,
    pub currency_code: Option<String>,
    pub amount: Option<i64>,
    pub tip_amount: Option<i64>,
    pub cashback_amount: Option<i64>,
    pub card_number: Option<String>,
    pub card_issuer: Option<String>,
    pub card_data_entry: Option<String>,
    pub approved_code: Option<String>,
    pub reference_number: Option<String>,
    pub invoice_number: Option<String>,
    pub date: Option<String>,
    pub emv_aid: Option<String>,
    pub emv_app_label: Option<String>,
    pub sequence_number: Option<String>,
    pub batch_number: Option<String>,
    pub card_product: Option<&'static str>,
    pub receipt_number: Option<String>,
    pub pin_ok: Option<bool>,
    pub merchant_info: Option<GpTomMerchantInfo>,
    pub card_holder_verification_method: Option<&'static str>,
    pub blik_code: Option<String>,
}

/// `GpTomEcrResultCode.fromCode` (`ecr_result_code.dart:52-66`).
pub fn ecr_result_code(code: i64) -> Option<&'static str> {
    Some(match code {
        0 => "ecrSuccess",
        -1 => "ecrFailed",
        -2 => "ecrTransactionIdInvalid",
        -3 => "ecrTransactionNotFound",
        -4 => "ecrTransactionDecline",
        -5 => "ecrTransactionAlreadyVoided",
        -6 => "ecrParameterInvalid",
        -7 => "ecrUnauthorized",
        -8 => "ecrNotAllowed",
        -9 => "ecrWrongStatus",
        _ => return None,
    })
}

impl GpTomTransactionResult {
    pub fn from_json(j: &Map<String, Value>) -> Dart<Self> {
        let g = |k: &str| j.get(k).unwrap_or(&Value::Null);
        let s = |k: &str| as_string(g(k));
        Ok(GpTomTransactionResult {
            result: as_required_int(g("result"), -1),
            error: as_map(g("error"))
                .map(GpTomErrorResult::from_json)
                .transpose()?,
            client_id: s("clientId"),
            response_message: s("responseMessage"),
            transaction_id: s("transactionId"),
            asm_id: s("amsId"),
            external_transaction_id: s("externalTransactionId"),
            transaction_type: as_int(g("transactionType")),
            payment_method: s("paymentMethod"),
            merchant_id: s("merchantId"),
            terminal_id: s("terminalId"),
            currency_code: as_currency_code(g("currencyCode")),
            amount: as_int(g("amount")),
            tip_amount: as_int(g("tipAmount")),
            cashback_amount: as_int(g("cashbackAmount")),
            card_number: as_masked_card_number(g("cardNumber"), g("emvAid")),
            card_issuer: s("cardIssuer"),
            card_data_entry: s("cardDataEntry"),
            approved_code: s("approvedCode"),
            reference_number: s("referenceNumber"),
            invoice_number: s("invoiceNumber"),
            date: s("date"),
            emv_aid: s("emvAid"),
            emv_app_label: s("emvAppLabel"),
            sequence_number: s("sequenceNumber"),
            batch_number: s("batchNumber"),
            card_product: card_product(g("cardProduct"))?,
            receipt_number: s("receiptNumber"),
            pin_ok: as_bool(g("pinOk")),
            merchant_info: as_map(g("merchantInfo")).map(GpTomMerchantInfo::from_json),
            card_holder_verification_method: cvm(g("cardHolderVerificationMethod"))?,
            blik_code: s("blikCode"),
        })
    }

    /// The `ecrResultCode` getter (`transaction_result.dart:94`).
    pub fn ecr_result_code(&self) -> Option<&'static str> {
        ecr_result_code(self.result)
    }
}

/// `GpTomInquireResult.fromJson` (`inquire_result.dart:83-119`): like the transaction model, but reads
/// `traceNumber` and `emvAppLable` (line 108) and keeps amounts as Strings.
#[derive(Clone, Debug, PartialEq)]
pub struct GpTomInquireResult {
    pub result: i64,
    pub response_message: Option<String>,
    pub trasanction_id: Option<String>,
    pub external_transaction_id: Option<String>,
    pub transaciton_type: Option<i64>,
    pub merchant_id: Option<String>,
    pub terminal_id: Option<String>,
    pub currency_code: Option<String>,
    pub amount: Option<String>,
    pub tip_amount: Option<String>,
    pub cashback_amount: Option<String>,
    pub card_product: Option<&'static str>,
    pub card_number: Option<String>,
    pub trace_number: Option<String>,
    pub date: Option<String>,
    pub emv_aid: Option<String>,
    pub emv_app_lable: Option<String>,
    pub batch_number: Option<String>,
    pub receipt_number: Option<String>,
    pub pin_ok: Option<bool>,
    pub merchant_info: Option<GpTomMerchantInfo>,
    pub card_holder_verification_method: Option<&'static str>,
}

impl GpTomInquireResult {
    pub fn from_json(j: &Map<String, Value>) -> Dart<Self> {
        let g = |k: &str| j.get(k).unwrap_or(&Value::Null);
        let s = |k: &str| as_string(g(k));
        Ok(GpTomInquireResult {
            result: as_required_int(g("result"), -1),
            response_message: s("responseMessage"),
            trasanction_id: s("transactionId"),
            external_transaction_id: s("externalTransactionId"),
            transaciton_type: as_int(g("transactionType")),
            merchant_id: s("merchantId"),
            terminal_id: s("terminalId"),
            currency_code: as_currency_code(g("currencyCode")),
            amount: s("amount"),
            tip_amount: s("tipAmount"),
            cashback_amount: s("cashbackAmount"),
            card_product: card_product(g("cardProduct"))?,
            card_number: as_masked_card_number(g("cardNumber"), g("emvAid")),
            trace_number: s("traceNumber"),
            date: s("date"),
            emv_aid: s("emvAid"),
            emv_app_lable: s("emvAppLable"),
            batch_number: s("batchNumber"),
            receipt_number: s("receiptNumber"),
            pin_ok: as_bool(g("pinOk")),
            merchant_info: as_map(g("merchantInfo")).map(GpTomMerchantInfo::from_json),
            card_holder_verification_method: cvm(g("cardHolderVerificationMethod"))?,
        })
    }
}

/// `GpTomStateResult.fromJson` (`state_result.dart:42-54`): reads the key `cause`, as a V1 error.
#[derive(Clone, Debug, PartialEq)]
pub struct GpTomStateResult {
    pub result_code: i64,
    pub transaction_id: Option<String>,
    /// `GpTomTransactionState` name (`transaction_state.dart:28-35`).
    pub state: &'static str,
    pub is_repeatable: Option<bool>,
    pub created: Option<DateTime>,
    pub updated: Option<DateTime>,
    pub cause: Option<GpTomErrorResult>,
}

impl GpTomStateResult {
    pub fn from_json(j: &Map<String, Value>) -> Dart<Self> {
        let g = |k: &str| j.get(k).unwrap_or(&Value::Null);
        let state = match as_int(g("state")) {
            Some(1) => "created",
            Some(2) => "started",
            Some(3) => "initError",
            Some(5) => "inProgress",
            Some(6) => "completed",
            Some(7) => "cancelled",
            Some(8) => "error",
            _ => "unknown",
        };
        Ok(GpTomStateResult {
            result_code: as_required_int(g("resultCode"), -1),
            transaction_id: as_string(g("transactionId")),
            state,
            is_repeatable: as_bool(g("isRepeatable")),
            created: as_date_time(g("created")),
            updated: as_date_time(g("updated")),
            cause: as_map(g("cause"))
                .map(GpTomErrorResult::from_json)
                .transpose()?,
        })
    }
}

/// `GpTomRegisterResult.fromJson` (`register_result.dart:27-38`).
#[derive(Clone, Debug, PartialEq)]
pub struct GpTomRegisterResult {
    pub result_code: i64,
    pub transaction_id: Option<String>,
    pub client_id: Option<String>,
    pub response_message: Option<String>,
    pub error: Option<GpTomErrorResult>,
    pub origin_reference_num: Option<String>,
}

impl GpTomRegisterResult {
    pub fn from_json(j: &Map<String, Value>) -> Dart<Self> {
        let g = |k: &str| j.get(k).unwrap_or(&Value::Null);
        Ok(GpTomRegisterResult {
            result_code: as_required_int(g("resultCode"), -1),
            transaction_id: as_string(g("transactionId")),
            client_id: as_string(g("clientId")),
            response_message: as_string(g("responseMessage")),
            error: as_map(g("error"))
                .map(GpTomErrorResult::from_json)
                .transpose()?,
            origin_reference_num: as_string(g("originReferenceNum")),
        })
    }
}

/// `GpTomBatchResult.fromJson` (`batch_result.dart:63-86`): counts through `asDouble`, amounts through `asInt`.
#[derive(Clone, Debug, PartialEq)]
pub struct GpTomBatchResult {
    pub transaction_id: Option<String>,
    pub asm_id: Option<String>,
    pub terminal_id: Option<String>,
    pub batch_number: Option<String>,
    pub currency: Option<String>,
    pub date: Option<String>,
    pub total_count: Option<f64>,
    pub total_amount: Option<i64>,
    pub sale_count: Option<f64>,
    pub sale_amount: Option<i64>,
    pub void_count: Option<f64>,
    pub void_amount: Option<i64>,
    pub tip_amount: Option<i64>,
    pub tip_count: Option<i64>,
}

impl GpTomBatchResult {
    pub fn from_json(j: &Map<String, Value>) -> Dart<Self> {
        let g = |k: &str| j.get(k).unwrap_or(&Value::Null);
        Ok(GpTomBatchResult {
            transaction_id: as_string(g("transactionId")),
            asm_id: as_string(g("amsId")),
            terminal_id: as_string(g("terminalId")),
            batch_number: as_string(g("batchNumber")),
            currency: as_currency_code(g("currencyCode")),
            date: as_string(g("date")),
            total_count: as_double(g("totalCount")),
            total_amount: as_int(g("totalAmount")),
            sale_count: as_double(g("saleCount")),
            sale_amount: as_int(g("saleAmount")),
            void_count: as_double(g("voidCount")),
            void_amount: as_int(g("voidAmount")),
            tip_amount: as_int(g("tipAmount")),
            tip_count: as_int(g("tipCount")),
        })
    }
}

// ---------------------------------------------------------------- requests

/// `GpTomRegisterRequest(...).toJson()` (`register_request.dart:10-14`).
pub fn register_request(origin_ref: Option<&str>, client_id: Option<&str>, persist: bool) -> Value {
    json!({"originReferenceNum": origin_ref, "clientId": client_id, "persistPending": persist})
}

/// `GpTomTransactionRequest(...).toJson()` (`transaction_request.dart:146-159`) with the constructor defaults:
/// `printByPaymentApp` false (line 82, although its doc says "Default true"), `tipCollect` false (line 77).
#[derive(Clone, Debug, Default)]
pub struct TransactionRequest {
    pub transaction_id: String,
    pub transaction_type: i64,
    pub amount: Option<i64>,
    pub origin_transaction_id: Option<String>,
    pub origin_reference_num: Option<String>,
    pub client_id: Option<String>,
    pub print_by_payment_app: Option<bool>,
    pub tip_collect: Option<bool>,
    pub tip_amount: Option<i64>,
    pub currency_code: Option<String>,
    pub payment_method: Option<&'static str>,
    pub cancel_mode: Option<i64>,
}

impl TransactionRequest {
    /// `GpTomTransactionRequest.sale(transactionId, amount)` (85-108).
    pub fn sale(id: &str, amount: i64) -> Self {
        TransactionRequest {
            transaction_id: id.into(),
            transaction_type: 1,
            amount: Some(amount),
            tip_collect: Some(false),
            ..Default::default()
        }
    }

    /// `GpTomTransactionRequest.storno(transactionId, cancelMode, originTransactionId)` (111-126).
    pub fn storno(id: &str, cancel_mode: i64, origin: &str) -> Self {
        TransactionRequest {
            transaction_id: id.into(),
            transaction_type: 2,
            origin_transaction_id: Some(origin.into()),
            cancel_mode: Some(cancel_mode),
            tip_collect: Some(false),
            ..Default::default()
        }
    }

    /// `GpTomTransactionRequest.refund(transactionId, amount)` (129-144).
    pub fn refund(id: &str, amount: i64) -> Self {
        TransactionRequest {
            transaction_type: 3,
            ..Self::sale(id, amount)
        }
    }

    /// `GpTomTransactionRequest(transactionId, transactionType: closeBatch)` (`gptom_manager.dart:125-127`).
    pub fn close_batch(id: &str) -> Self {
        TransactionRequest {
            transaction_id: id.into(),
            transaction_type: 4,
            tip_collect: Some(false),
            ..Default::default()
        }
    }

    pub fn to_json(&self) -> Value {
        json!({
            "paymentMethod": self.payment_method,
            "printByPaymentApp": self.print_by_payment_app.unwrap_or(false),
            "amount": self.amount,
            "tipAmount": self.tip_amount,
            "clientId": self.client_id,
            "transactionId": self.transaction_id,
            "transactionType": self.transaction_type,
            "originTransactionId": self.origin_transaction_id,
            "originReferenceNum": self.origin_reference_num,
            "cancelMode": self.cancel_mode,
            "currencyCode": self.currency_code,
            "tipCollect": self.tip_collect,
        })
    }
}
