//! The Dart models of mhmmdlkts/gptom_aidl_plugin (https://github.com/mhmmdlkts/gptom_aidl_plugin), commit
//! a6c8d6f5faf7f3256744e88828fa4dc416f8e66e, `lib/models/*.dart` and `lib/enums/*.dart`, transliterated line by
//! line on top of [`crate::dart`]: every `as String?`/`as int?`/`as bool?` throws on another JSON type, and the
//! `fromJson` factories of RegisterResult/RequestResult/StateResult/InquireResult catch *everything*
//! (`catch (_)`, TypeError included) and return their fallback object (-1001), while `GpTomInfo.fromJson` and
//! `Batch.fromQuery` let the exception through.

use crate::dart::{
    DMap, Dart, DateTime, Dv, Num, Thrown, as_bool, as_int, as_map, as_num, as_string,
    double_try_parse, int_try_parse, json_decode, to_string,
};

// ------------------------------------------------------------------------------------------------ enums

/// `TransactionType` (`lib/enums/transaction_type.dart:1-18`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransactionType {
    /// `sell(1, 'Sell')`.
    Sell,
    /// `voidSell(2, 'Void')`.
    VoidSell,
    /// `refund(3, 'Refund')`.
    Refund,
    /// `closeBatch(4, 'Close Batch')`.
    CloseBatch,
}

impl TransactionType {
    /// `.id`.
    pub fn id(self) -> i64 {
        match self {
            TransactionType::Sell => 1,
            TransactionType::VoidSell => 2,
            TransactionType::Refund => 3,
            TransactionType::CloseBatch => 4,
        }
    }

    /// `fromId(Object? id)` (`:13-17`): only a `num`, `toInt()`, unknown → null; never throws.
    pub fn from_id(id: &Dv) -> Option<TransactionType> {
        let n = match id {
            Dv::Int(i) => *i,
            Dv::Double(d) if d.is_finite() => d.trunc() as i64,
            _ => return None,
        };
        [
            TransactionType::Sell,
            TransactionType::VoidSell,
            TransactionType::Refund,
            TransactionType::CloseBatch,
        ]
        .into_iter()
        .find(|t| t.id() == n)
    }
}

/// `CancelMode` (`lib/enums/cancel_mode.dart:1-8`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CancelMode {
    /// `last(1)`.
    Last,
    /// `older(2)`.
    Older,
}

impl CancelMode {
    /// `.id`.
    pub fn id(self) -> i64 {
        match self {
            CancelMode::Last => 1,
            CancelMode::Older => 2,
        }
    }
}

/// `PreferableReceiptType` (`lib/enums/preferable_receipt_type.dart:12-16`): `(aidlKey, iosKey)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PreferableReceiptType {
    /// `telephone('PHONE', 'sms')`.
    Telephone,
    /// `email('EMAIL', 'email')`.
    Email,
    /// `qr('QR', 'qr')`.
    Qr,
    /// `print('PRINT', 'print')`.
    Print,
}

impl PreferableReceiptType {
    /// `.aidlKey` (Android).
    pub fn aidl_key(self) -> &'static str {
        match self {
            PreferableReceiptType::Telephone => "PHONE",
            PreferableReceiptType::Email => "EMAIL",
            PreferableReceiptType::Qr => "QR",
            PreferableReceiptType::Print => "PRINT",
        }
    }

    /// `.iosKey` (iOS URL scheme).
    pub fn ios_key(self) -> &'static str {
        match self {
            PreferableReceiptType::Telephone => "sms",
            PreferableReceiptType::Email => "email",
            PreferableReceiptType::Qr => "qr",
            PreferableReceiptType::Print => "print",
        }
    }
}

/// `TransactionMethode` (`lib/enums/transaction_methode.dart:1-7`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransactionMethode {
    /// `card('CARD')`.
    Card,
    /// `cash('CASH')`.
    Cash,
}

impl TransactionMethode {
    /// `.text`.
    pub fn text(self) -> &'static str {
        match self {
            TransactionMethode::Card => "CARD",
            TransactionMethode::Cash => "CASH",
        }
    }
}

// ------------------------------------------------------------------------------------------------ ErrorInfo

/// `ErrorInfo` (`lib/models/request_result.dart:215-263`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ErrorInfo {
    /// `errorCode`.
    pub error_code: Option<String>,
    /// `exception`.
    pub exception: Option<String>,
    /// `supportID`.
    pub support_id: Option<String>,
    /// `result` (the top-level result code, not read from the error object).
    pub result: Option<i64>,
}

impl ErrorInfo {
    /// `ErrorInfo.fromMap(map, {int? result})` (`:223-230`).
    pub fn from_map(map: &DMap, result: Option<i64>) -> Dart<ErrorInfo> {
        Ok(ErrorInfo {
            error_code: as_string(map.get("errorCode"))?,
            exception: as_string(map.get("exception"))?,
            support_id: as_string(map.get("supportID"))?,
            result,
        })
    }

    /// `errorMessage` (`:237-262`), keyed on the top-level result.
    pub fn error_message(&self) -> &'static str {
        match self.result {
            Some(0) => "Die Zahlung war erfolgreich.",
            Some(-1) => "Die Transaktion ist fehlgeschlagen.",
            Some(-2) => {
                "Ungültige Transaktions-ID – entweder nicht gesendet oder fehlerhafter Wert."
            }
            Some(-3) => {
                "Transaktion nicht gefunden. Dieser Code wird meist bei einer Abfrage (Inquiry) gesendet und bedeutet, dass die Transaktion erneut gestartet werden kann."
            }
            Some(-4) => "Die Transaktion wurde abgelehnt.",
            Some(-5) => "Die Transaktion wurde bereits storniert.",
            Some(-6) => {
                "Ungültige Parameter. Bitte prüfen Sie, ob alle Werte vorhanden sind und das richtige Format haben."
            }
            Some(-7) => "Fehler, der Benutzer ist nicht autorisiert.",
            Some(-8) => "Fehler, diese Operation ist nicht erlaubt.",
            Some(-9) => "Eine Eingabe durch den Benutzer in GP tom ist erforderlich.",
            _ => "Unbekannter Fehler.",
        }
    }
}

/// `MerchantInfo` (`request_result.dart:183-212`) = `InquireMerchantInfo` (`inquire_result.dart:230-259`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MerchantInfo {
    /// `city`.
    pub city: Option<String>,
    /// `company`.
    pub company: Option<String>,
    /// `house`.
    pub house: Option<String>,
    /// `street`.
    pub street: Option<String>,
    /// `zip`.
    pub zip: Option<String>,
}

impl MerchantInfo {
    /// `MerchantInfo.fromMap` (`request_result.dart:198-206`, `inquire_result.dart:245-253`).
    pub fn from_map(map: &DMap) -> Dart<MerchantInfo> {
        Ok(MerchantInfo {
            city: as_string(map.get("city"))?,
            company: as_string(map.get("company"))?,
            house: as_string(map.get("house"))?,
            street: as_string(map.get("street"))?,
            zip: as_string(map.get("zip"))?,
        })
    }
}

/// `map[k] != null ? X.fromMap(Map<String, dynamic>.from(map[k])) : null`.
fn nested<T>(v: &Dv, f: impl FnOnce(&DMap) -> Dart<T>) -> Dart<Option<T>> {
    if v.is_null() {
        return Ok(None);
    }
    f(&as_map(v)?).map(Some)
}

/// `jsonDecode(s)` then `if (decoded is Map<String, dynamic>) fromMap(decoded)`; a non-object is `Ok(None)`.
fn decode_object<T>(json: &str, from_map: impl FnOnce(&DMap) -> Dart<T>) -> Dart<Option<T>> {
    match json_decode(json)? {
        Dv::Map(m) => from_map(&m).map(Some),
        _ => Ok(None),
    }
}

// ------------------------------------------------------------------------------------------------ RegisterResult

/// `RegisterResult` (`lib/models/register_result.dart`).
#[derive(Clone, Debug, PartialEq)]
pub struct RegisterResult {
    /// `resultCode`.
    pub result_code: i64,
    /// `transactionId`.
    pub transaction_id: Option<String>,
    /// `clientID`.
    pub client_id: Option<String>,
    /// `responseMessage`.
    pub response_message: Option<String>,
    /// `error`.
    pub error: Option<ErrorInfo>,
}

impl RegisterResult {
    /// `RegisterResult.formatException()` (`:40-42`).
    pub fn format_exception() -> RegisterResult {
        RegisterResult {
            result_code: -1001,
            transaction_id: None,
            client_id: None,
            response_message: None,
            error: None,
        }
    }

    /// `RegisterResult.fromMap` (`:25-38`).
    pub fn from_map(map: &DMap) -> Dart<RegisterResult> {
        let raw = map.get("resultCode");
        let result_code = match raw {
            Dv::Int(i) => *i,
            Dv::Double(d) => Num::Double(*d).to_int()?,
            other => int_try_parse(&to_string(other)).unwrap_or(-1001),
        };
        Ok(RegisterResult {
            result_code,
            transaction_id: as_string(map.get("transactionId"))?,
            client_id: as_string(map.get("clientID"))?,
            response_message: as_string(map.get("responseMessage"))?,
            error: match map.get("error") {
                Dv::Map(m) => Some(ErrorInfo::from_map(m, None)?),
                _ => None,
            },
        })
    }

    /// The inside of `RegisterResult.fromJson`: `jsonDecode` + `fromMap` without the `catch (_)` (so a test sees what
    /// was thrown); `Ok(None)` = not a JSON object.
    pub fn parse(json: &str) -> Dart<Option<RegisterResult>> {
        decode_object(json, RegisterResult::from_map)
    }

    /// `RegisterResult.fromJson` (`:47-57`).
    pub fn from_json(json: &str) -> RegisterResult {
        RegisterResult::parse(json)
            .ok()
            .flatten()
            .unwrap_or_else(RegisterResult::format_exception)
    }

    /// `isSuccess` (`:15`).
    pub fn is_success(&self) -> bool {
        self.result_code == 0 && self.transaction_id.is_some()
    }
}

// ------------------------------------------------------------------------------------------------ RequestResult

/// `RequestResult` (`lib/models/request_result.dart:10-180`); also what the iOS side builds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RequestResult {
    /// `result`.
    pub result: Option<i64>,
    /// `amsID`.
    pub ams_id: Option<String>,
    /// `transactionId` (key `transactionID`).
    pub transaction_id: Option<String>,
    /// `amountCents`.
    pub amount_cents: Option<i64>,
    /// `tipAmountCents`.
    pub tip_amount_cents: Option<i64>,
    /// `totalAmountCents`.
    pub total_amount_cents: Option<i64>,
    /// `approvedCode`.
    pub approved_code: Option<String>,
    /// `batchNumber`.
    pub batch_number: Option<String>,
    /// `cardNumber`.
    pub card_number: Option<String>,
    /// `cardDataEntry`.
    pub card_data_entry: Option<String>,
    /// `cardProduct`.
    pub card_product: Option<String>,
    /// `currencyCode`.
    pub currency_code: Option<String>,
    /// `date`.
    pub date: Option<String>,
    /// `time`.
    pub time: Option<String>,
    /// `emvAid`.
    pub emv_aid: Option<String>,
    /// `emvAppLable`.
    pub emv_app_lable: Option<String>,
    /// `externalTransactionID`.
    pub external_transaction_id: Option<String>,
    /// `merchantID`.
    pub merchant_id: Option<String>,
    /// `merchantInfo`.
    pub merchant_info: Option<MerchantInfo>,
    /// `pinOk`.
    pub pin_ok: Option<bool>,
    /// `printByPaymentApp`.
    pub print_by_payment_app: Option<bool>,
    /// `responseMessage`.
    pub response_message: Option<String>,
    /// `transactionType`.
    pub transaction_type: Option<TransactionType>,
    /// `sequenceNumber`.
    pub sequence_number: Option<String>,
    /// `terminalID`.
    pub terminal_id: Option<String>,
    /// `error`.
    pub error: Option<ErrorInfo>,
}

/// `((map[k] as num?) ?? 0).round()` (`request_result.dart:83-85`).
fn cents_or_zero(v: &Dv) -> Dart<Option<i64>> {
    as_num(v)?.unwrap_or(Num::Int(0)).round().map(Some)
}

impl RequestResult {
    /// `RequestResult.exception()` (`:118-120`).
    pub fn exception() -> RequestResult {
        RequestResult {
            result: Some(-1001),
            ..RequestResult::default()
        }
    }

    /// `RequestResult.fromMap` (`:77-116`).
    pub fn from_map(map: &DMap) -> Dart<RequestResult> {
        let result = as_int(map.get("result"))?;
        let emv_label = match map.get("emvAppLabel") {
            Dv::Null => map.get("emvAppLable"),
            v => v,
        };
        Ok(RequestResult {
            result,
            ams_id: as_string(map.get("amsID"))?,
            transaction_id: as_string(map.get("transactionID"))?,
            amount_cents: cents_or_zero(map.get("amount"))?,
            tip_amount_cents: cents_or_zero(map.get("tipAmount"))?,
            total_amount_cents: cents_or_zero(map.get("totalAmount"))?,
            approved_code: as_string(map.get("approvedCode"))?,
            batch_number: as_string(map.get("batchNumber"))?,
            card_number: as_string(map.get("cardNumber"))?,
            card_data_entry: as_string(map.get("cardDataEntry"))?,
            card_product: as_string(map.get("cardProduct"))?,
            // `map['currencyCode']?.toString()` (:91): never throws
            currency_code: match map.get("currencyCode") {
                Dv::Null => None,
                v => Some(to_string(v)),
            },
            date: as_string(map.get("date"))?,
            time: as_string(map.get("time"))?,
            emv_aid: as_string(map.get("emvAid"))?,
            emv_app_lable: as_string(emv_label)?,
            external_transaction_id: as_string(map.get("externalTransactionID"))?,
            merchant_id: as_string(map.get("merchantID"))?,
            merchant_info: nested(map.get("merchantInfo"), MerchantInfo::from_map)?,
            pin_ok: as_bool(map.get("pinOk"))?,
            print_by_payment_app: as_bool(map.get("printByPaymentApp"))?,
            response_message: as_string(map.get("responseMessage"))?,
            transaction_type: TransactionType::from_id(map.get("transactionType")),
            sequence_number: as_string(map.get("sequenceNumber"))?,
            terminal_id: as_string(map.get("terminalID"))?,
            // `result: map['result']` is an implicit dynamic → int? downcast (:113)
            error: nested(map.get("error"), |m| {
                ErrorInfo::from_map(m, as_int(map.get("result"))?)
            })?,
        })
    }

    /// The inside of `RequestResult.fromJson`: `jsonDecode` + `fromMap` without the `catch (_)` (so a test sees what
    /// was thrown); `Ok(None)` = not a JSON object.
    pub fn parse(json: &str) -> Dart<Option<RequestResult>> {
        decode_object(json, RequestResult::from_map)
    }

    /// `RequestResult.fromJson` (`:125-135`).
    pub fn from_json(json: &str) -> RequestResult {
        RequestResult::parse(json)
            .ok()
            .flatten()
            .unwrap_or_else(RequestResult::exception)
    }
}

// ------------------------------------------------------------------------------------------------ StateResult

/// `StateStatus` (`lib/models/state_result.dart:3-18`): `(value, isRepeatable, finishedTrx, finished)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateStatus {
    /// `created(1, true, false, false)`.
    Created,
    /// `started(2, true, false, false)`.
    Started,
    /// `initError(3, true, false, false)`.
    InitError,
    /// `inProgress(5, false, false, false)`.
    InProgress,
    /// `completed(6, false, true, true)`.
    Completed,
    /// `cancelled(7, false, true, true)`.
    Cancelled,
    /// `error(8, false, true, true)`.
    Error,
    /// `unknown(-1, true, false, false)`.
    Unknown,
}

const STATE_STATUSES: [StateStatus; 8] = [
    StateStatus::Created,
    StateStatus::Started,
    StateStatus::InitError,
    StateStatus::InProgress,
    StateStatus::Completed,
    StateStatus::Cancelled,
    StateStatus::Error,
    StateStatus::Unknown,
];

impl StateStatus {
    /// `.value`.
    pub fn value(self) -> i64 {
        match self {
            StateStatus::Created => 1,
            StateStatus::Started => 2,
            StateStatus::InitError => 3,
            StateStatus::InProgress => 5,
            StateStatus::Completed => 6,
            StateStatus::Cancelled => 7,
            StateStatus::Error => 8,
            StateStatus::Unknown => -1,
        }
    }

    /// `.isRepeatable` — hard-coded in the enum, not the JSON field.
    pub fn is_repeatable(self) -> bool {
        matches!(
            self,
            StateStatus::Created
                | StateStatus::Started
                | StateStatus::InitError
                | StateStatus::Unknown
        )
    }

    /// `.finished`.
    pub fn finished(self) -> bool {
        matches!(
            self,
            StateStatus::Completed | StateStatus::Cancelled | StateStatus::Error
        )
    }
}

/// `StateErrorResult` (`state_result.dart:123-167`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StateErrorResult {
    /// `code`.
    pub code: Option<i64>,
    /// `internalErrorCode`.
    pub internal_error_code: Option<i64>,
    /// `internalErrorSubCode`.
    pub internal_error_sub_code: Option<i64>,
    /// `platform`.
    pub platform: Option<String>,
}

impl StateErrorResult {
    /// `StateErrorResult.fromMap` (`:137-144`).
    pub fn from_map(map: &DMap) -> Dart<StateErrorResult> {
        Ok(StateErrorResult {
            code: as_int(map.get("code"))?,
            internal_error_code: as_int(map.get("internalErrorCode"))?,
            internal_error_sub_code: as_int(map.get("internalErrorSubCode"))?,
            platform: as_string(map.get("platform"))?,
        })
    }

    /// `errorMessage` (`:151-162`).
    pub fn error_message(&self) -> Option<&'static str> {
        match self.code {
            Some(0) => Some("Unbekannter Fehler."),
            Some(65) => Some("Transaktion abgelaufen."),
            Some(104) => Some("Technischer Fehler."),
            _ => None,
        }
    }

    /// `isRetryable` (`:164-166`).
    pub fn is_retryable(&self) -> bool {
        matches!(self.code, Some(65 | 104))
    }
}

/// `StateResult` (`state_result.dart:20-120`).
#[derive(Clone, Debug, PartialEq)]
pub struct StateResult {
    /// `resultCode`.
    pub result_code: i64,
    /// `transactionId`.
    pub transaction_id: Option<String>,
    /// `state`.
    pub state: StateStatus,
    /// `isRepeatable` (the JSON field).
    pub is_repeatable: Option<bool>,
    /// `created`.
    pub created: Option<DateTime>,
    /// `updated`.
    pub updated: Option<DateTime>,
    /// `error`.
    pub error: Option<StateErrorResult>,
}

impl StateResult {
    /// `StateResult.exception()` (`:97-107`).
    pub fn exception() -> StateResult {
        StateResult {
            result_code: -1001,
            transaction_id: None,
            state: StateStatus::Unknown,
            is_repeatable: None,
            created: None,
            updated: None,
            error: Some(StateErrorResult {
                code: Some(-1001),
                internal_error_code: Some(-1001),
                internal_error_sub_code: Some(-1001),
                platform: Some("unknown".into()),
            }),
        }
    }

    /// `StateResult.fromMap` (`:50-80`).
    pub fn from_map(map: &DMap) -> Dart<StateResult> {
        let result_code = match map.get("resultCode") {
            Dv::Int(i) => *i,
            Dv::Null => int_try_parse("-1001").unwrap_or(-1001),
            other => int_try_parse(&to_string(other)).unwrap_or(-1001),
        };
        // `map['state'] is int ? … : 0`, then the first enum value with that value, else unknown (:58-60)
        let raw_state = match map.get("state") {
            Dv::Int(i) => *i,
            _ => 0,
        };
        let state = STATE_STATUSES
            .into_iter()
            .find(|s| s.value() == raw_state)
            .unwrap_or(StateStatus::Unknown);
        let created = as_string(map.get("created"))?;
        let updated = as_string(map.get("updated"))?;
        Ok(StateResult {
            result_code,
            transaction_id: as_string(map.get("transactionId"))?,
            state,
            is_repeatable: as_bool(map.get("isRepeatable"))?,
            created: created.as_deref().and_then(DateTime::try_parse),
            updated: updated.as_deref().and_then(DateTime::try_parse),
            error: nested(map.get("error"), StateErrorResult::from_map)?,
        })
    }

    /// The inside of `StateResult.fromJson`: `jsonDecode` + `fromMap` without the `catch (_)` (so a test sees what
    /// was thrown); `Ok(None)` = not a JSON object.
    pub fn parse(json: &str) -> Dart<Option<StateResult>> {
        decode_object(json, StateResult::from_map)
    }

    /// `StateResult.fromJson` (`:85-95`).
    pub fn from_json(json: &str) -> StateResult {
        StateResult::parse(json)
            .ok()
            .flatten()
            .unwrap_or_else(StateResult::exception)
    }
}

// ------------------------------------------------------------------------------------------------ InquireResult

/// `InquireErrorInfo` (`inquire_result.dart:262-281`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InquireErrorInfo {
    /// `errorCode`.
    pub error_code: Option<String>,
    /// `exception`.
    pub exception: Option<String>,
    /// `supportID`.
    pub support_id: Option<String>,
}

/// `InquireResult` (`lib/models/inquire_result.dart:7-227`).
#[derive(Clone, Debug, PartialEq)]
pub struct InquireResult {
    /// `result`.
    pub result: i64,
    /// `transactionId` (key `trasanctionID`).
    pub transaction_id: String,
    /// `approvedCode`.
    pub approved_code: Option<String>,
    /// `merchantID`.
    pub merchant_id: Option<String>,
    /// `terminalID`.
    pub terminal_id: Option<String>,
    /// `amountCents`.
    pub amount_cents: i64,
    /// `tipAmountCents`.
    pub tip_amount_cents: i64,
    /// `totalAmountCents`.
    pub total_amount_cents: Option<i64>,
    /// `currencyCode`.
    pub currency_code: Option<String>,
    /// `cardNumber`.
    pub card_number: Option<String>,
    /// `cardDataEntry`.
    pub card_data_entry: Option<String>,
    /// `cardProduct`.
    pub card_product: Option<String>,
    /// `responseMessage`.
    pub response_message: Option<String>,
    /// `date`.
    pub date: Option<String>,
    /// `time`.
    pub time: Option<String>,
    /// `emvAid`.
    pub emv_aid: Option<String>,
    /// `emvAppLable`.
    pub emv_app_lable: Option<String>,
    /// `externalTransactionID`.
    pub external_transaction_id: Option<String>,
    /// `batchNumber`.
    pub batch_number: Option<String>,
    /// `printByPaymentApp`.
    pub print_by_payment_app: Option<bool>,
    /// `pinOk`.
    pub pin_ok: Option<bool>,
    /// `transactionType`.
    pub transaction_type: Option<TransactionType>,
    /// `sequenceNumber`.
    pub sequence_number: Option<String>,
    /// `merchantInfo`.
    pub merchant_info: Option<MerchantInfo>,
    /// `error`.
    pub error: Option<InquireErrorInfo>,
}

/// `_parseCents` (`inquire_result.dart:169-173`): null → null, num → round, else `int.tryParse(toString())`.
fn parse_cents(v: &Dv) -> Dart<Option<i64>> {
    match v {
        Dv::Null => Ok(None),
        Dv::Int(i) => Ok(Some(*i)),
        Dv::Double(d) => Num::Double(*d).round().map(Some),
        other => Ok(int_try_parse(&to_string(other))),
    }
}

impl InquireResult {
    /// `InquireResult.exception()` (`:175-182`).
    pub fn exception() -> InquireResult {
        InquireResult {
            result: -1001,
            transaction_id: String::new(),
            approved_code: None,
            merchant_id: None,
            terminal_id: None,
            amount_cents: 0,
            tip_amount_cents: 0,
            total_amount_cents: None,
            currency_code: None,
            card_number: None,
            card_data_entry: None,
            card_product: None,
            response_message: None,
            date: None,
            time: None,
            emv_aid: None,
            emv_app_lable: None,
            external_transaction_id: None,
            batch_number: None,
            print_by_payment_app: None,
            pin_ok: None,
            transaction_type: None,
            sequence_number: None,
            merchant_info: None,
            error: None,
        }
    }

    /// `InquireResult.fromMap` (`:112-165`).
    pub fn from_map(map: &DMap) -> Dart<InquireResult> {
        let result = match map.get("result") {
            Dv::Int(i) => *i,
            other => int_try_parse(&to_string(other)).unwrap_or(-999),
        };
        let or_else = |a: &str, b: &str| match map.get(a) {
            Dv::Null => map.get(b).clone(),
            v => v.clone(),
        };
        Ok(InquireResult {
            result,
            transaction_id: as_string(map.get("trasanctionID"))?.unwrap_or_default(),
            approved_code: as_string(map.get("approvedCode"))?,
            merchant_id: as_string(map.get("merchantID"))?,
            terminal_id: as_string(map.get("terminalID"))?,
            amount_cents: parse_cents(map.get("amount"))?.unwrap_or(0),
            tip_amount_cents: parse_cents(map.get("tipAmount"))?.unwrap_or(0),
            total_amount_cents: parse_cents(map.get("totalAmount"))?,
            currency_code: as_string(map.get("currencyCode"))?,
            card_number: as_string(map.get("cardNumber"))?,
            card_data_entry: as_string(map.get("cardDataEntry"))?,
            card_product: as_string(map.get("cardProduct"))?,
            response_message: as_string(map.get("responseMessage"))?,
            date: as_string(map.get("date"))?,
            time: as_string(map.get("time"))?,
            emv_aid: as_string(map.get("emvAid"))?,
            emv_app_lable: as_string(&or_else("emvAppLable", "emvAppLabel"))?,
            external_transaction_id: as_string(map.get("externalTransactionID"))?,
            batch_number: as_string(map.get("batchNumber"))?,
            print_by_payment_app: as_bool(map.get("printByPaymentApp"))?,
            pin_ok: as_bool(map.get("pinOk"))?,
            transaction_type: TransactionType::from_id(&or_else(
                "transacitonType",
                "transactionType",
            )),
            sequence_number: as_string(map.get("sequenceNumber"))?,
            merchant_info: nested(map.get("merchantInfo"), MerchantInfo::from_map)?,
            error: nested(map.get("error"), |m| {
                Ok(InquireErrorInfo {
                    error_code: as_string(m.get("errorCode"))?,
                    exception: as_string(m.get("exception"))?,
                    support_id: as_string(m.get("supportID"))?,
                })
            })?,
        })
    }

    /// The inside of `InquireResult.fromJson`: `jsonDecode` + `fromMap` without the `catch (_)` (so a test sees what
    /// was thrown); `Ok(None)` = not a JSON object.
    pub fn parse(json: &str) -> Dart<Option<InquireResult>> {
        decode_object(json, InquireResult::from_map)
    }

    /// `InquireResult.fromJson` (`:187-197`).
    pub fn from_json(json: &str) -> InquireResult {
        InquireResult::parse(json)
            .ok()
            .flatten()
            .unwrap_or_else(InquireResult::exception)
    }
}

// ------------------------------------------------------------------------------------------------ GpTomInfo

/// `GpTomInfo` (`lib/models/gptom_info.dart`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GpTomInfo {
    /// `appVersion`.
    pub app_version: Option<String>,
    /// `isLoggedIn`.
    pub is_logged_in: bool,
    /// `logInStatus`.
    pub log_in_status: Option<String>,
    /// `tid`.
    pub tid: Option<String>,
    /// `mid`.
    pub mid: Option<String>,
    /// `clientId`.
    pub client_id: Option<String>,
    /// `businessId`.
    pub business_id: Option<String>,
    /// `email`.
    pub email: Option<String>,
    /// `vat`.
    pub vat: Option<String>,
    /// `tipEnabled`.
    pub tip_enabled: Option<bool>,
    /// `printerAvailable`.
    pub printer_available: Option<bool>,
    /// `manualTransactionRestricted`.
    pub manual_transaction_restricted: Option<bool>,
    /// `merchantLocationEntity` (kept as a raw map).
    pub merchant_location_entity: Option<DMap>,
    /// `raw`.
    pub raw: DMap,
}

impl GpTomInfo {
    /// `GpTomInfo.fromMap` (`:42-61`).
    pub fn from_map(map: &DMap) -> Dart<GpTomInfo> {
        Ok(GpTomInfo {
            app_version: as_string(map.get("appVersion"))?,
            is_logged_in: *map.get("isLoggedIn") == Dv::Bool(true),
            log_in_status: as_string(map.get("logInStatus"))?,
            tid: as_string(map.get("tid"))?,
            mid: as_string(map.get("mid"))?,
            client_id: as_string(map.get("clientId"))?,
            business_id: as_string(map.get("businessId"))?,
            email: as_string(map.get("email"))?,
            vat: as_string(map.get("vat"))?,
            tip_enabled: as_bool(map.get("tipEnabled"))?,
            printer_available: as_bool(map.get("printerAvailable"))?,
            manual_transaction_restricted: as_bool(map.get("manualTransactionRestricted"))?,
            merchant_location_entity: match map.get("merchantLocationEntity") {
                Dv::Null => None,
                v => Some(as_map(v)?),
            },
            raw: map.clone(),
        })
    }

    /// `GpTomInfo.fromJson` (`:63-69`): no try/catch — a FormatException or TypeError reaches the app.
    pub fn from_json(json: &str) -> Dart<GpTomInfo> {
        Ok(decode_object(json, GpTomInfo::from_map)?.unwrap_or_default())
    }
}

// ------------------------------------------------------------------------------------------------ login

/// `GpTomLoginStatus` keys (`lib/models/login_status.dart:3-22`); anything else is `unknown`.
pub const LOGIN_STATUS_KEYS: [&str; 18] = [
    "USER_LOGGED_IN",
    "USER_LOGGED_OUT",
    "LOGIN_FAILED",
    "LOGOUT_FAILED",
    "INVALID_CREDENTIALS",
    "INVALID_ARGUMENT",
    "TID_NOT_ASSIGNED_TO_THIS_USER",
    "ANOTHER_TID_USED_ON_THIS_DEVICE",
    "TID_ASSIGNED_AND_LOGGED_IN",
    "TID_NOT_FOUND",
    "TID_NOT_ACTIVE",
    "TID_NOT_SELECTED",
    "TID_RELEASE_REQUEST",
    "TID_RELEASE_INVALID_CODE",
    "PASSWORD_CHANGE_REQUIRED",
    "PASSWORD_PENDING_CONFIRMATION",
    "PASSWORD_CHANGED",
    "PASSWORD_CHANGE_FAILED",
];

/// `GpTomLoginEvent` (`login_status.dart:34-55`); `status` is the matched key or `"UNKNOWN"`.
#[derive(Clone, Debug, PartialEq)]
pub struct GpTomLoginEvent {
    /// `status.key` (`GpTomLoginStatus.fromKey`, `:28-30`: exact, case-sensitive).
    pub status: &'static str,
    /// `rawStatus`.
    pub raw_status: Option<String>,
    /// `message`.
    pub message: Option<String>,
}

impl GpTomLoginEvent {
    /// `_handleNativeCall('onLoginStatusChanged')` (`gptom_aidl_plugin_method_channel.dart:31-39`) on the
    /// `{status, message}` map Java builds (`GptomAidlPlugin.java:102-105`).
    pub fn from_callback(args: &DMap) -> Dart<GpTomLoginEvent> {
        let raw = as_string(args.get("status"))?;
        Ok(GpTomLoginEvent {
            status: LOGIN_STATUS_KEYS
                .into_iter()
                .find(|k| Some(*k) == raw.as_deref())
                .unwrap_or("UNKNOWN"),
            raw_status: raw,
            message: as_string(args.get("message"))?,
        })
    }

    /// `isLoggedIn` (`:48-50`).
    pub fn is_logged_in(&self) -> bool {
        matches!(self.status, "USER_LOGGED_IN" | "TID_ASSIGNED_AND_LOGGED_IN")
    }
}

// ------------------------------------------------------------------------------------------------ Batch

/// `SubBatch` (`lib/models/batch.dart:126-178`).
#[derive(Clone, Debug, PartialEq)]
pub struct SubBatch {
    /// `voidCount`.
    pub void_count: i64,
    /// `totalCount`.
    pub total_count: i64,
    /// `saleAmountCents`.
    pub sale_amount_cents: i64,
    /// `voidAmountCents`.
    pub void_amount_cents: i64,
    /// `saleCount`.
    pub sale_count: i64,
    /// `closeBatchNumber`.
    pub close_batch_number: String,
    /// `totalAmountCents`.
    pub total_amount_cents: i64,
}

/// `Batch` (`batch.dart:3-124`).
#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    /// `saleCount`.
    pub sale_count: i64,
    /// `previousBatchDate`.
    pub previous_batch_date: Option<DateTime>,
    /// `voidCount`.
    pub void_count: i64,
    /// `firstTransactionDate`.
    pub first_transaction_date: Option<DateTime>,
    /// `saleAmountCents`.
    pub sale_amount_cents: i64,
    /// `invalidCount`.
    pub invalid_count: i64,
    /// `communicationId`.
    pub communication_id: String,
    /// `date`.
    pub date: DateTime,
    /// `totalCount`.
    pub total_count: i64,
    /// `voidAmountCents`.
    pub void_amount_cents: i64,
    /// `subBatches` in map order.
    pub sub_batches: Vec<(String, SubBatch)>,
    /// `currency`.
    pub currency: String,
    /// `totalAmountCents`.
    pub total_amount_cents: i64,
    /// `amsId`.
    pub ams_id: String,
}

/// `_asInt` (`:58-59`).
fn as_int_lenient(v: &Dv) -> Dart<i64> {
    match v {
        Dv::Int(i) => Ok(*i),
        Dv::Double(d) => Num::Double(*d).to_int(),
        other => Ok(int_try_parse(&to_string(other)).unwrap_or(0)),
    }
}

/// `_asCents` (`:61-65`) with `_centsFromEuro` (`:56`): `(value * 100).round()`.
fn as_cents(v: &Dv) -> Dart<i64> {
    match v {
        Dv::Int(i) => Num::Int(*i).times_100().round(),
        Dv::Double(d) => Num::Double(*d).times_100().round(),
        other => match double_try_parse(&to_string(other)) {
            None => Ok(0),
            Some(p) => Num::Double(p).times_100().round(),
        },
    }
}

/// `_asDate` (`:67-68`).
fn as_date(v: &Dv) -> Option<DateTime> {
    match v {
        Dv::Null => None,
        other => DateTime::try_parse(&to_string(other)),
    }
}

/// `json[k]?.toString() ?? ''`.
fn string_or_empty(v: &Dv) -> String {
    match v {
        Dv::Null => String::new(),
        other => to_string(other),
    }
}

impl SubBatch {
    /// `SubBatch.fromJson` (`:155-165`).
    pub fn from_json(json: &DMap) -> Dart<SubBatch> {
        Ok(SubBatch {
            void_count: as_int_lenient(json.get("voidCount"))?,
            total_count: as_int_lenient(json.get("totalCount"))?,
            sale_amount_cents: as_cents(json.get("saleAmount"))?,
            void_amount_cents: as_cents(json.get("voidAmount"))?,
            sale_count: as_int_lenient(json.get("saleCount"))?,
            close_batch_number: string_or_empty(json.get("closeBatchNumber")),
            total_amount_cents: as_cents(json.get("totalAmount"))?,
        })
    }

    /// `exists` (`:138`).
    pub fn exists(&self) -> bool {
        self.total_count > 0 || self.total_amount_cents != 0
    }
}

impl Batch {
    /// `Batch.fromJson` (`:72-93`).
    pub fn from_json(json: &DMap) -> Dart<Batch> {
        let sub_batches = match json.get("subBatches") {
            Dv::Map(m) => {
                m.0.iter()
                    .map(|(k, v)| Ok((k.clone(), SubBatch::from_json(&as_map(v)?)?)))
                    .collect::<Dart<Vec<_>>>()?
            }
            _ => Vec::new(),
        };
        Ok(Batch {
            sale_count: as_int_lenient(json.get("saleCount"))?,
            previous_batch_date: as_date(json.get("previousBatchDate")),
            void_count: as_int_lenient(json.get("voidCount"))?,
            first_transaction_date: as_date(json.get("firstTransactionDate")),
            sale_amount_cents: as_cents(json.get("saleAmount"))?,
            invalid_count: as_int_lenient(json.get("invalidCount"))?,
            communication_id: string_or_empty(json.get("communicationId")),
            date: as_date(json.get("date")).unwrap_or(DateTime::from_millis(0)),
            total_count: as_int_lenient(json.get("totalCount"))?,
            void_amount_cents: as_cents(json.get("voidAmount"))?,
            sub_batches,
            currency: string_or_empty(json.get("currency")),
            total_amount_cents: as_cents(json.get("totalAmount"))?,
            ams_id: string_or_empty(json.get("amsId")),
        })
    }

    /// `Batch.fromQuery` (`:95-97`): `fromJson(jsonDecode(s))` — a non-object is a TypeError.
    pub fn from_query(s: &str) -> Dart<Batch> {
        match json_decode(s)? {
            Dv::Map(m) => Batch::from_json(&m),
            other => Err(Thrown(format!(
                "TypeError: type '{}' is not a subtype of type 'Map<String, dynamic>'",
                other.runtime_type()
            ))),
        }
    }

    /// `isSuccess` (`:31`).
    pub fn is_success(&self) -> bool {
        !self.ams_id.is_empty()
    }

    /// `subBatch(key)` (`:22`).
    pub fn sub_batch(&self, key: &str) -> Option<&SubBatch> {
        self.sub_batches
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}
