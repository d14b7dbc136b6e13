//! The official GP tom iOS SDK, github.com/GP-tom/tom-ios-sdk @ 08f1318260c005006a36a36f66acdc1d4cfe9e2e
//! (`Sources/GPtomSDK/`), transliterated: the result side an app uses on the redirect GP tom opens
//! (`DeeplinkResult.from(url:)` and every `Decodable` it reaches: `TransactionData`, `DCCOptionsWrapper`, `Batch`,
//! `SubBatches`, `SubBatch`, `AppStatus`, `UserInfo`, `Address`, and the raw-value enums), plus the request side
//! GP tom itself uses on an incoming `gptom://` link (`Deeplink.from(url:)`). Every function cites the Swift it
//! mirrors as `File.swift:line`. Swift's decoding rules come from [`crate::swift`].

use std::collections::HashMap;

use serde_json::Value;

use crate::swift::{
    Decimal, Decodable, DecodingError, KeyedContainer, QueryItem, Url, decode_from_string,
    iso8601_fractional, query_items, removing_percent_encoding,
};

/// A Swift `enum X: String, Codable`: `init(rawValue:)` by exact raw value, decoded from a JSON string only, an
/// unknown raw value is `dataCorrupted`.
macro_rules! swift_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $raw:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),* }

        #[allow(dead_code)]
        impl $name {
            /// Every case (`CaseIterable.allCases`).
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// `init(rawValue:)`.
            pub fn from_raw(raw: &str) -> Option<Self> {
                match raw {
                    $($raw => Some($name::$variant),)*
                    _ => None,
                }
            }

            /// `rawValue`.
            pub fn raw(self) -> &'static str {
                match self {
                    $($name::$variant => $raw),*
                }
            }
        }

        impl Decodable for $name {
            fn decode(value: &Value, path: &str) -> Result<Self, DecodingError> {
                let raw = String::decode(value, path)?;
                Self::from_raw(&raw).ok_or_else(|| DecodingError::DataCorrupted {
                    path: path.to_owned(),
                    reason: format!(
                        "Cannot initialize {} from invalid String value {raw}",
                        stringify!($name)
                    ),
                })
            }
        }
    };
}

swift_enum! {
    /// `TaskStatus` (TaskStatus.swift:3-7).
    TaskStatus { Completed = "COMPLETED", Error = "ERROR", Cancelled = "CANCELLED" }
}

swift_enum! {
    /// `DeeplinkError` (DeeplinkError.swift:1-23; raw values = the case names).
    DeeplinkError {
        Failed = "failed",
        NetworkError = "networkError",
        InvalidClientId = "invalidClientId",
        MerchantInfoMissing = "merchantInfoMissing",
        FailedTapToPay = "failedTapToPay",
        FailedToCloseBatch = "failedToCloseBatch",
        UnsupportedTransactionOperationOrType = "unsupportedTransactionOperationOrType",
        InvalidAmount = "invalidAmount",
        CannotBeVoided = "cannotBeVoided",
        UserNotLoggedIn = "userNotLoggedIn",
        InvalidCredentials = "invalidCredentials",
        TidNotAssignedToThisUser = "tidNotAssignedToThisUser",
        TidAlreadyOccupied = "tidAlreadyOccupied",
        AnotherTidUsedOnThisDevice = "anotherTidUsedOnThisDevice",
        PasswordChangeRequired = "passwordChangeRequired",
        PasswordPendingConfirmation = "passwordPendingConfirmation",
        InvalidCode = "invalidCode",
        InvalidUserName = "invalidUserName",
        TerminalSetupFailed = "terminalSetupFailed",
    }
}

swift_enum! {
    /// `RefusalCode` (RefusalCode.swift:10-40; raw values = the case names).
    RefusalCode {
        Unknown = "unknown",
        Approved = "approved",
        ApprovedRequiredIdentification = "approvedRequiredIdentification",
        Declined = "declined",
        ExpiredCard = "expiredCard",
        PinTriesExceeded = "pinTriesExceeded",
        CallService = "callService",
        TechnicalIssue = "technicalIssue",
        InvalidRequest = "invalidRequest",
        CaptureCard = "captureCard",
        DeclinedProblemWithCard = "declinedProblemWithCard",
        InvalidData = "invalidData",
        InsufficientFunds = "insufficientFunds",
        UsageLimitReached = "usageLimitReached",
        DuplicateTransaction = "duplicateTransaction",
        AmountLimitExceeded = "amountLimitExceeded",
        TransactionIsNotSupported = "transactionIsNotSupported",
        CallForAuthorization = "callForAuthorization",
        DeclinedLowAmount = "declinedLowAmount",
        PinRequired = "pinRequired",
        CardNotSupported = "cardNotSupported",
        InvalidPin = "invalidPin",
        TechnicalIssueOfTerminal = "technicalIssueOfTerminal",
        DeclinedPurchasePossible = "declinedPurchasePossible",
        InvalidFormat = "invalidFormat",
        Delivered = "delivered",
        Stored = "stored",
        NoMoreData = "noMoreData",
        MoreDataExists = "moreDataExists",
        InvalidSupervisorCard = "invalidSupervisorCard",
    }
}

impl RefusalCode {
    /// `isApproved` (RefusalCode.swift:42-47).
    pub fn is_approved(self) -> bool {
        matches!(
            self,
            RefusalCode::Approved | RefusalCode::ApprovedRequiredIdentification
        )
    }
}

swift_enum! {
    /// `CardType` (CardType.swift:10-23). There is no `MAESTRO`.
    CardType {
        Discover = "DISCOVER",
        JcbAndVisa = "JCBANDVISA",
        Mastercard = "MASTERCARD",
        Visa = "VISA",
        Amex = "AMEX",
        Jcb = "JCB",
        Troy = "TROY",
        UnionPay = "UNIONPAY",
        RuPay = "RUPAY",
        Pure = "PURE",
        Girocard = "GIROCARD",
        Unknown = "UNKNOWN",
    }
}

swift_enum! {
    /// `TransactionType` (TransactionType.swift:8-14).
    TransactionType {
        Cash = "CASH",
        Card = "CARD",
        Qr = "ACCOUNT_PAYMENT",
        Blik = "BLIK_PAYMENT",
        Gateway = "PAYMENT_GATEWAY",
    }
}

swift_enum! {
    /// `DccResulStatus` (DCCOptions.swift:3-10).
    DccResulStatus { Accepted = "ACCEPTED", NotAccepted = "NOT_ACCEPTED", NotProcessed = "NOT_PROCESSED" }
}

swift_enum! {
    /// `ReceiptOption` (ReceiptOption.swift:8-13).
    ReceiptOption { Sms = "SMS", Email = "EMAIL", Qr = "QR", Print = "PRINT" }
}

/// The alphabetic codes `Currency.from(code:)` knows (Currency.swift:373-558); anything else is nil.
const CURRENCY_CODES: [&str; 181] = [
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD",
    "CAD", "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUC", "CUP",
    "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP",
    "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HRK", "HTG", "HUF", "IDR",
    "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW",
    "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA",
    "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD",
    "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG",
    "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE",
    "SLL", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP",
    "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED",
    "VES", "VND", "VUV", "WST", "XAF", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XCD", "XDR",
    "XOF", "XPD", "XPF", "XPT", "XSU", "XTS", "XUA", "XXX", "YER", "ZAR", "ZMW", "ZWL",
];

/// `Currency.from(code:)` (Currency.swift:373-558), as its `isoCode`.
pub fn currency_from_code(code: &str) -> Option<&'static str> {
    CURRENCY_CODES.iter().copied().find(|c| *c == code)
}

/// `DCCOptionsWrapper` as decoded from JSON (DCCOptions.swift:42-78; `original` is always nil when decoded).
#[derive(Clone, Debug, PartialEq)]
pub struct DccOptionsWrapper {
    /// `currency: Currency`, as its `isoCode`.
    pub currency: &'static str,
    /// `amount: Amount` (Decimal), in the DCC currency.
    pub amount: Decimal,
    /// `markup: String`.
    pub markup: String,
    /// `regionSchemaIndicator: Int`.
    pub region_schema_indicator: i64,
    /// `exchangeRate: Decimal`.
    pub exchange_rate: Decimal,
    /// `status: DccResulStatus?`.
    pub status: Option<DccResulStatus>,
}

/// `DCCOptionsWrapper.init(from:)` (DCCOptions.swift:146-171).
impl Decodable for DccOptionsWrapper {
    fn decode(value: &Value, path: &str) -> Result<Self, DecodingError> {
        let c = KeyedContainer::new(value, path)?;
        // :149-150 — a required String; an unknown code silently becomes EUR
        let code: String = c.decode("currency")?;
        let currency = currency_from_code(&code).unwrap_or("EUR");
        // :152-158 — a String that Decimal(string:) reads, else a JSON number (required either way)
        let amount = match c
            .decode::<String>("amount")
            .ok()
            .and_then(|s| Decimal::scan(&s))
        {
            Some(d) => d,
            None => c.decode::<Decimal>("amount")?,
        };
        // :160-164 — `try?` swallows a type mismatch: a String, else a number's description, else "-"
        let markup = match c.decode_if_present::<String>("markup").ok().flatten() {
            Some(m) => m,
            None => c
                .decode_if_present::<Decimal>("markup")
                .ok()
                .flatten()
                .map_or_else(|| "-".to_owned(), |d| d.to_string()),
        };
        Ok(DccOptionsWrapper {
            currency,
            amount,
            markup,
            // :166 — a JSON integer, required
            region_schema_indicator: c.decode("regionSchemaIndicator")?,
            // :167 — a JSON number, required (a string is a typeMismatch)
            exchange_rate: c.decode("exchangeRate")?,
            // :170 — optional, but an unknown value throws
            status: c.decode_if_present("status")?,
        })
    }
}

impl DccOptionsWrapper {
    /// `formattedComparison(from:fractionDigits:locale:)` (DCCOptions.swift:272-285) with the default 4 fraction
    /// digits and locale `en_US_POSIX` (decimal style: `.` separator, `,` grouping, half-even rounding):
    /// `"1 <DCC currency> = <exchangeRate> <terminal currency>"`.
    pub fn formatted_comparison(&self, source_currency_code: &str) -> String {
        let fixed = self.exchange_rate.fixed(4);
        let (int, frac) = fixed.split_once('.').unwrap_or((&fixed, ""));
        let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
        let mut grouped = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        format!(
            "1 {} = {sign}{grouped}.{frac} {source_currency_code}",
            self.currency
        )
    }
}

/// `TransactionData` (TransactionData.swift:10-35).
#[derive(Clone, Debug, PartialEq)]
pub struct TransactionData {
    pub batch_number: Option<String>,
    pub receipt_number: Option<String>,
    pub terminal_id: Option<String>,
    pub emv_aid: Option<String>,
    pub emv_app_label: Option<String>,
    pub card_number: Option<String>,
    pub transaction_type: Option<TransactionType>,
    pub currency_code: Option<String>,
    pub amount: Option<String>,
    pub total_amount: Option<String>,
    pub pin_ok: Option<bool>,
    pub authorization_code: Option<String>,
    pub sequence_number: Option<String>,
    /// `date: Date?`, as milliseconds since the epoch.
    pub date: Option<i64>,
    pub card_type: Option<CardType>,
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

/// `TransactionData.init(from:)` (TransactionData.swift:90-121): every field `decodeIfPresent` with its exact
/// type; `date` a String that the fractional-seconds formatter may turn into nil (:106-108) without an error.
impl Decodable for TransactionData {
    fn decode(value: &Value, path: &str) -> Result<Self, DecodingError> {
        let c = KeyedContainer::new(value, path)?;
        Ok(TransactionData {
            batch_number: c.decode_if_present("batchNumber")?,
            receipt_number: c.decode_if_present("receiptNumber")?,
            terminal_id: c.decode_if_present("terminalID")?,
            emv_aid: c.decode_if_present("emvAid")?,
            emv_app_label: c.decode_if_present("emvAppLabel")?,
            card_number: c.decode_if_present("cardNumber")?,
            transaction_type: c.decode_if_present("transactionType")?,
            currency_code: c.decode_if_present("currencyCode")?,
            amount: c.decode_if_present("amount")?,
            total_amount: c.decode_if_present("totalAmount")?,
            pin_ok: c.decode_if_present("pinOk")?,
            authorization_code: c.decode_if_present("authorizationCode")?,
            sequence_number: c.decode_if_present("sequenceNumber")?,
            date: c
                .decode_if_present::<String>("date")?
                .and_then(|d| iso8601_fractional(&d)),
            card_type: c.decode_if_present("cardType")?,
            reference_number: c.decode_if_present("referenceNumber")?,
            transaction_id: c.decode_if_present("transactionID")?,
            tip_amount: c.decode_if_present("tipAmount")?,
            result: c.decode_if_present("result")?,
            card_entry_mode: c.decode_if_present("cardEntryMode")?,
            merchant_id: c.decode_if_present("merchantID")?,
            ams_id: c.decode_if_present("amsID")?,
            blik_code: c.decode_if_present("blikCode")?,
            blik_transaction_ref: c.decode_if_present("blikTransactionRef")?,
            dcc_data: c.decode_if_present("dccData")?,
        })
    }
}

/// `SubBatch` (SubBatch.swift:3-11, synthesized `Decodable`: every field `decodeIfPresent`).
#[derive(Clone, Debug, PartialEq)]
pub struct SubBatch {
    pub close_batch_number: Option<String>,
    pub sale_amount: Option<Decimal>,
    pub sale_count: Option<f64>,
    pub total_amount: Option<Decimal>,
    pub total_count: Option<f64>,
    pub void_amount: Option<Decimal>,
    pub void_count: Option<f64>,
}

impl Decodable for SubBatch {
    fn decode(value: &Value, path: &str) -> Result<Self, DecodingError> {
        let c = KeyedContainer::new(value, path)?;
        Ok(SubBatch {
            close_batch_number: c.decode_if_present("closeBatchNumber")?,
            sale_amount: c.decode_if_present("saleAmount")?,
            sale_count: c.decode_if_present("saleCount")?,
            total_amount: c.decode_if_present("totalAmount")?,
            total_count: c.decode_if_present("totalCount")?,
            void_amount: c.decode_if_present("voidAmount")?,
            void_count: c.decode_if_present("voidCount")?,
        })
    }
}

/// `SubBatches` (SubBatches.swift:10-56).
#[derive(Clone, Debug, PartialEq)]
pub struct SubBatches {
    pub card: Option<SubBatch>,
    pub cash: Option<SubBatch>,
    pub qr: Option<SubBatch>,
    pub blik: Option<SubBatch>,
    pub gateway: Option<SubBatch>,
}

/// `SubBatches.init(from:)` (SubBatches.swift:38-46, keys :17-23).
impl Decodable for SubBatches {
    fn decode(value: &Value, path: &str) -> Result<Self, DecodingError> {
        let c = KeyedContainer::new(value, path)?;
        Ok(SubBatches {
            card: c.decode_if_present("CARD")?,
            cash: c.decode_if_present("CASH")?,
            qr: c.decode_if_present("ACCOUNT_PAYMENT")?,
            blik: c.decode_if_present("BLIK_PAYMENT")?,
            gateway: c.decode_if_present("PAYMENT_GATEWAY")?,
        })
    }
}

/// `Batch` (Batch.swift:3-64).
#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    pub ams_id: String,
    pub batch_number: Option<String>,
    pub communication_id: Option<String>,
    pub currency: Option<String>,
    pub date: Option<i64>,
    pub first_transaction_date: Option<i64>,
    pub invalid_count: Option<f64>,
    pub previous_batch_date: Option<i64>,
    pub sale_amount: Option<Decimal>,
    pub sale_count: Option<f64>,
    pub sub_batches: Option<SubBatches>,
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
    /// `isOpen` (Batch.swift:70-72).
    pub fn is_open(&self) -> bool {
        self.ams_id == "OPEN"
    }
}

/// `Batch.init(from:)` (Batch.swift:116-147).
impl Decodable for Batch {
    fn decode(value: &Value, path: &str) -> Result<Self, DecodingError> {
        let c = KeyedContainer::new(value, path)?;
        let date = |key: &str| -> Result<Option<i64>, DecodingError> {
            Ok(c.decode_if_present::<String>(key)?
                .and_then(|d| iso8601_fractional(&d)))
        };
        Ok(Batch {
            ams_id: c.decode("amsId")?,
            batch_number: c.decode_if_present("batchNumber")?,
            communication_id: c.decode_if_present("communicationId")?,
            currency: c.decode_if_present("currency")?,
            date: date("date")?,
            first_transaction_date: date("firstTransactionDate")?,
            previous_batch_date: date("previousBatchDate")?,
            invalid_count: c.decode_if_present("invalidCount")?,
            sale_amount: c.decode_if_present("saleAmount")?,
            sale_count: c.decode_if_present("saleCount")?,
            sub_batches: c.decode_if_present("subBatches")?,
            total_amount: c.decode_if_present("totalAmount")?,
            total_count: c.decode_if_present("totalCount")?,
            void_amount: c.decode_if_present("voidAmount")?,
            void_count: c.decode_if_present("voidCount")?,
            tip_amount: c.decode_if_present("tipAmount")?.unwrap_or(Decimal::ZERO),
            tip_count: c.decode_if_present("tipCount")?.unwrap_or(0),
            tip_average: c.decode_if_present("tipAverage")?.unwrap_or(Decimal::ZERO),
            tip_average_percentage: c.decode_if_present("tipAveragePercentage")?.unwrap_or(0.0),
        })
    }
}

/// `Address` (AppStatus.swift:58-64, synthesized: every field optional).
#[derive(Clone, Debug, PartialEq)]
pub struct Address {
    pub city: Option<String>,
    pub county: Option<String>,
    pub house: Option<String>,
    pub location: Option<String>,
    pub street: Option<String>,
    pub zip: Option<String>,
}

impl Decodable for Address {
    fn decode(value: &Value, path: &str) -> Result<Self, DecodingError> {
        let c = KeyedContainer::new(value, path)?;
        Ok(Address {
            city: c.decode_if_present("city")?,
            county: c.decode_if_present("county")?,
            house: c.decode_if_present("house")?,
            location: c.decode_if_present("location")?,
            street: c.decode_if_present("street")?,
            zip: c.decode_if_present("zip")?,
        })
    }
}

/// `UserInfo` (AppStatus.swift:21-31, synthesized: non-optional fields are required).
#[derive(Clone, Debug, PartialEq)]
pub struct UserInfo {
    pub client_id: String,
    pub email: String,
    pub business_id: Option<String>,
    pub vat_id: Option<String>,
    pub tid: String,
    pub mid: String,
    pub tip_enabled: bool,
    pub printer_available: bool,
    pub manual_transaction_restricted: bool,
    pub merchant_location: Address,
}

impl Decodable for UserInfo {
    fn decode(value: &Value, path: &str) -> Result<Self, DecodingError> {
        let c = KeyedContainer::new(value, path)?;
        Ok(UserInfo {
            client_id: c.decode("clientId")?,
            email: c.decode("email")?,
            business_id: c.decode_if_present("businessId")?,
            vat_id: c.decode_if_present("vatId")?,
            tid: c.decode("tid")?,
            mid: c.decode("mid")?,
            tip_enabled: c.decode("tipEnabled")?,
            printer_available: c.decode("printerAvailable")?,
            manual_transaction_restricted: c.decode("manualTransactionRestricted")?,
            merchant_location: c.decode("merchantLocation")?,
        })
    }
}

/// `AppStatus` (AppStatus.swift:8-19, synthesized).
#[derive(Clone, Debug, PartialEq)]
pub struct AppStatus {
    pub app_version: String,
    pub user_info: Option<UserInfo>,
}

impl AppStatus {
    /// `isLoggedIn` (AppStatus.swift:11).
    pub fn is_logged_in(&self) -> bool {
        self.user_info.is_some()
    }
}

impl Decodable for AppStatus {
    fn decode(value: &Value, path: &str) -> Result<Self, DecodingError> {
        let c = KeyedContainer::new(value, path)?;
        Ok(AppStatus {
            app_version: c.decode("appVersion")?,
            user_info: c.decode_if_present("userInfo")?,
        })
    }
}

/// `DeeplinkResult` (DeeplinkResult.swift:3-11), laid out as the Swift enum (hence the variant sizes).
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum DeeplinkResult {
    CreateTransaction(
        Option<TransactionData>,
        Option<RefusalCode>,
        TaskStatus,
        Option<DeeplinkError>,
    ),
    RefundTransaction(
        Option<TransactionData>,
        Option<RefusalCode>,
        TaskStatus,
        Option<DeeplinkError>,
    ),
    CancelTransaction(
        Option<TransactionData>,
        Option<RefusalCode>,
        TaskStatus,
        Option<DeeplinkError>,
    ),
    CloseBatch(Option<Batch>, TaskStatus, Option<DeeplinkError>),
    Login(TaskStatus, Option<DeeplinkError>),
    Logout(TaskStatus),
    ChangePassword(TaskStatus, Option<DeeplinkError>),
    Status(Option<AppStatus>, TaskStatus),
}

/// `convertQueryToDictionary(queryItems:)` (DeeplinkResult.swift:97-105, identical in Deeplink.swift:78-86): the
/// last item of a name wins, each value is percent-decoded a SECOND time, and a value that cannot be (or an item
/// without a value) is assigned nil — which removes the key from a Swift dictionary.
pub fn convert_query_to_dictionary(items: &[QueryItem]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for item in items {
        match item.value.as_deref().and_then(removing_percent_encoding) {
            Some(v) => {
                out.insert(item.name.clone(), v);
            }
            None => {
                out.remove(&item.name);
            }
        }
    }
    out
}

/// The parameters `DeeplinkResult.from(url:)` works on (DeeplinkResult.swift:14-15).
pub fn result_params(url: &Url) -> HashMap<String, String> {
    convert_query_to_dictionary(&query_items(url).unwrap_or_default())
}

/// `try? TransactionData.decode(from:)` without the `try?`: the error Swift would swallow.
pub fn decode_receipt(json: &str) -> Result<TransactionData, DecodingError> {
    decode_from_string(json)
}

type TransactionResult = (
    Option<TransactionData>,
    Option<RefusalCode>,
    TaskStatus,
    Option<DeeplinkError>,
);

impl DeeplinkResult {
    /// `DeeplinkResult.from(url:)` (DeeplinkResult.swift:13-63): routes on substrings of the whole URL, in this
    /// order; every case needs a `status` the SDK knows; payloads go through `try?`, so one bad field makes the
    /// whole receipt/batch/appStatus nil; there is no case for `transaction/detail` or `batch/detail`.
    pub fn from(url: &Url) -> Option<DeeplinkResult> {
        let params = result_params(url);
        let s = url.absolute_string();
        if s.contains("transaction/create") {
            let (r, c, st, e) = parse_transaction_result(&params)?;
            Some(DeeplinkResult::CreateTransaction(r, c, st, e))
        } else if s.contains("transaction/cancel") {
            let (r, c, st, e) = parse_transaction_result(&params)?;
            Some(DeeplinkResult::CancelTransaction(r, c, st, e))
        } else if s.contains("transaction/refund") {
            let (r, c, st, e) = parse_transaction_result(&params)?;
            Some(DeeplinkResult::RefundTransaction(r, c, st, e))
        } else if s.contains("change-password") {
            let (st, e) = parse_simple(&params)?;
            Some(DeeplinkResult::ChangePassword(st, e))
        } else if s.contains("login") {
            let (st, e) = parse_simple(&params)?;
            Some(DeeplinkResult::Login(st, e))
        } else if s.contains("logout") {
            Some(DeeplinkResult::Logout(parse_status(&params)?))
        } else if s.contains("batch/close") {
            // :40-50
            let status = parse_status(&params)?;
            let error = parse_error(&params);
            let batch = params
                .get("batch")
                .and_then(|b| decode_from_string::<Batch>(b).ok());
            Some(DeeplinkResult::CloseBatch(batch, status, error))
        } else if s.contains("appStatus") {
            // :52-59
            let status = parse_status(&params)?;
            let app_status = params
                .get("appStatus")
                .and_then(|a| decode_from_string::<AppStatus>(a).ok());
            Some(DeeplinkResult::Status(app_status, status))
        } else {
            None
        }
    }
}

/// `parseSimple(params:)` (DeeplinkResult.swift:65-73).
fn parse_simple(params: &HashMap<String, String>) -> Option<(TaskStatus, Option<DeeplinkError>)> {
    let status = parse_status(params)?;
    Some((status, parse_error(params)))
}

/// `parseStatus(params:)` (DeeplinkResult.swift:75-77).
fn parse_status(params: &HashMap<String, String>) -> Option<TaskStatus> {
    params.get("status").and_then(|s| TaskStatus::from_raw(s))
}

/// `parseError(params:)` (DeeplinkResult.swift:79-81): an unknown name is nil, not an error.
fn parse_error(params: &HashMap<String, String>) -> Option<DeeplinkError> {
    params.get("error").and_then(|s| DeeplinkError::from_raw(s))
}

/// `parseTransactionResult(params:)` (DeeplinkResult.swift:83-95).
fn parse_transaction_result(params: &HashMap<String, String>) -> Option<TransactionResult> {
    let status = parse_status(params)?;
    let receipt = params.get("receipt").and_then(|r| decode_receipt(r).ok());
    let code = params.get("code").and_then(|c| RefusalCode::from_raw(c));
    Some((receipt, code, status, parse_error(params)))
}

// ---------------------------------------------------------------------------------------------------------------
// The request side: how GP tom parses an incoming gptom:// link (Deeplink.swift)
// ---------------------------------------------------------------------------------------------------------------

/// `CreateTransactionParams` / `RefundTransactionParams` (Deeplink.swift:91-163).
#[derive(Clone, Debug, PartialEq)]
pub struct CreateTransactionParams {
    /// `amount` as the `Int64` of minor units the URL carries (`Decimal(amount) / 100` in Swift).
    pub amount_minor: i64,
    pub request_id: Option<String>,
    pub client_id: Option<String>,
    pub reference_number: Option<String>,
    pub print_by_payment_app: Option<bool>,
    /// `Decimal(Int64($0) ?? 0) / 100`, in minor units: a tip that is not an integer is 0, not an error.
    pub tip_amount_minor: Option<i64>,
    pub redirect_url: Option<String>,
    pub tip_collect: Option<bool>,
    pub transaction_type: Option<TransactionType>,
    pub preferable_receipt_type: Option<ReceiptOption>,
    pub client_phone: Option<String>,
    pub client_email: Option<String>,
}

/// `Deeplink` (Deeplink.swift:3-13), the link as GP tom sees it.
#[derive(Clone, Debug, PartialEq)]
pub enum Deeplink {
    CreateTransaction(CreateTransactionParams),
    CancelTransaction {
        request_id: Option<String>,
        client_id: Option<String>,
        ams_id: String,
        redirect_url: Option<String>,
    },
    RefundTransaction(CreateTransactionParams),
    TransactionDetail {
        ams_id: Option<String>,
        request_id: Option<String>,
    },
    CloseBatch {
        client_id: Option<String>,
        redirect_url: Option<String>,
    },
    BatchDetail {
        ams_id: String,
    },
    Login {
        username: String,
        password: String,
        tid: String,
        redirect_url: Option<String>,
    },
    Logout {
        redirect_url: Option<String>,
    },
    ChangePassword {
        username: String,
        password: String,
        new_password: String,
        code: Option<String>,
        redirect_url: Option<String>,
    },
    Status {
        redirect_url: String,
    },
}

/// Swift `Int64(_ text:)`: optional sign, ASCII digits only, in range.
fn swift_int64(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Swift `Bool(_ description:)`: exactly "true" or "false".
fn swift_bool(s: &str) -> Option<bool> {
    match s {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

impl CreateTransactionParams {
    /// `CreateTransactionParams.init?(params:)` (Deeplink.swift:143-162).
    fn from_params(p: &HashMap<String, String>) -> Option<Self> {
        let amount_minor = p.get("amount").and_then(|a| swift_int64(a))?;
        Some(CreateTransactionParams {
            amount_minor,
            request_id: p.get("requestID").cloned(),
            client_id: p.get("clientID").cloned(),
            reference_number: p.get("originReferenceNum").cloned(),
            print_by_payment_app: p.get("printByPaymentApp").and_then(|b| swift_bool(b)),
            tip_amount_minor: p.get("tipAmount").map(|t| swift_int64(t).unwrap_or(0)),
            redirect_url: p.get("redirectUrl").cloned(),
            tip_collect: p.get("tipCollect").and_then(|b| swift_bool(b)),
            transaction_type: p
                .get("transactionType")
                .and_then(|t| TransactionType::from_raw(t)),
            preferable_receipt_type: p
                .get("preferableReceiptType")
                .and_then(|t| ReceiptOption::from_raw(t)),
            client_phone: p.get("clientPhone").cloned(),
            client_email: p.get("clientEmail").cloned(),
        })
    }
}

impl Deeplink {
    /// `Deeplink.from(url:)` (Deeplink.swift:47-76): substring routing on the whole link (its `redirectUrl`
    /// included), parameters percent-decoded twice (:78-86); an empty value (`clientID=`) is present, as "".
    pub fn from(url: &Url) -> Option<Deeplink> {
        let p = convert_query_to_dictionary(&query_items(url).unwrap_or_default());
        let s = url.absolute_string();
        let get = |k: &str| p.get(k).cloned();
        if s.contains("transaction/create") {
            CreateTransactionParams::from_params(&p).map(Deeplink::CreateTransaction)
        } else if s.contains("transaction/cancel") {
            // :201-218
            Some(Deeplink::CancelTransaction {
                client_id: get("clientID"),
                ams_id: get("amsID")?,
                request_id: get("requestID"),
                redirect_url: get("redirectUrl"),
            })
        } else if s.contains("transaction/detail") {
            // :226-233
            let (ams_id, request_id) = (get("amsID"), get("requestID"));
            if ams_id.is_none() && request_id.is_none() {
                return None;
            }
            Some(Deeplink::TransactionDetail { ams_id, request_id })
        } else if s.contains("transaction/refund") {
            CreateTransactionParams::from_params(&p).map(Deeplink::RefundTransaction)
        } else if s.contains("batch/close") {
            // :267-275
            Some(Deeplink::CloseBatch {
                client_id: get("clientID"),
                redirect_url: get("redirectUrl"),
            })
        } else if s.contains("batch/detail") {
            // :282-288
            Some(Deeplink::BatchDetail {
                ams_id: get("amsID")?,
            })
        } else if s.contains("login") {
            // :306-319
            Some(Deeplink::Login {
                username: get("username")?,
                password: get("password")?,
                tid: get("tid")?,
                redirect_url: get("redirectUrl"),
            })
        } else if s.contains("logout") {
            // :294-296
            Some(Deeplink::Logout {
                redirect_url: get("redirectUrl"),
            })
        } else if s.contains("change-password") {
            // :329-343
            Some(Deeplink::ChangePassword {
                username: get("username")?,
                password: get("password")?,
                new_password: get("newPassword")?,
                code: get("code").filter(|c| !c.is_empty()),
                redirect_url: get("redirectUrl"),
            })
        } else if s.contains("status") {
            // :350-357
            Some(Deeplink::Status {
                redirect_url: get("redirectUrl")?,
            })
        } else {
            None
        }
    }
}
