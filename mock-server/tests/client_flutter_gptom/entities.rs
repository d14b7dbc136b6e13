//! The GP tom AIDL library 1.28.0 entities that AppsDevTeam/flutter-gptom (commit
//! 11c1772c9e97fc929321bb5b8cc2dc841199867b) bundles as `android/libs/gptom-library-1.28.0.aar`, field by field
//! as `javap -p` prints the classes in `cn.nexgo.smartconnect.model` (no `@SerializedName` anywhere, so the JSON
//! keys are the Java field names, typos included), decoded with `gson.rs`, plus the one request entity the plugin
//! writes, `TransactionRequestV2Entity`, as Gson serialises it (nulls omitted, declaration order).
//!
//! `InquireResultEntity` reaches the plugin as a Parcelable, not JSON; the mock's bridge renders it as the JSON
//! Gson would write for it, so it is read with the same rules.

use serde_json::{Map, Value, json};

use crate::gson::{Gson, Obj, from_json};

/// `CardProduct` constants (javap; case-sensitive: `Maestro`).
pub const CARD_PRODUCT: &[&str] = &[
    "UNKNOW",
    "VISA",
    "MASTER",
    "CUP",
    "JCB",
    "AMEX",
    "DISCOVERY",
    "Maestro",
    "NONE",
    "JCBANDVISA",
    "TROY",
    "UNIONPAY",
    "RUPAY",
    "PURE",
    "GIROCARD",
];
/// `CardHolderVerificationMethod` constants.
pub const CVM: &[&str] = &["PIN", "PASSCODE", "SIGNATURE", "NONE"];
/// `ErrorPlatform` constants.
pub const ERROR_PLATFORM: &[&str] = &["TOM_APP", "AMS", "EXTERNAL"];
/// `PaymentMethod` constants.
pub const PAYMENT_METHOD: &[&str] = &[
    "CASH",
    "CARD",
    "GO_CRYPTO",
    "ACCOUNT_PAYMENT",
    "PAYMENT_GATEWAY",
    "BLIK_PAYMENT",
];

/// `ErrorResultEntity {String errorCode, supportID, exception}`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ErrorResultEntity {
    pub error_code: Option<String>,
    pub support_id: Option<String>,
    pub exception: Option<String>,
}

impl ErrorResultEntity {
    pub fn read(o: &Obj<'_>) -> Gson<Self> {
        Ok(Self {
            error_code: o.string("errorCode")?,
            support_id: o.string("supportID")?,
            exception: o.string("exception")?,
        })
    }
}

/// `ErrorResultV2Entity {ErrorPlatform platform; Integer code, internalErrorCode, internalErrorSubCode;
/// ErrorResultV2Entity cause}`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ErrorResultV2Entity {
    pub platform: Option<&'static str>,
    pub code: Option<i32>,
    pub internal_error_code: Option<i32>,
    pub internal_error_sub_code: Option<i32>,
    pub cause: Option<Box<ErrorResultV2Entity>>,
}

impl ErrorResultV2Entity {
    pub fn read(o: &Obj<'_>) -> Gson<Self> {
        Ok(Self {
            platform: o.enumeration("platform", ERROR_PLATFORM)?,
            code: o.integer("code")?,
            internal_error_code: o.integer("internalErrorCode")?,
            internal_error_sub_code: o.integer("internalErrorSubCode")?,
            cause: o.object("cause", Self::read)?.map(Box::new),
        })
    }
}

/// `RegisterResultV2Entity {Integer resultCode; String transactionId, clientID, responseMessage;
/// ErrorResultEntity error}` (`onRegisterV2Result(String)`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RegisterResultV2Entity {
    pub result_code: Option<i32>,
    pub transaction_id: Option<String>,
    pub client_id: Option<String>,
    pub response_message: Option<String>,
    pub error: Option<ErrorResultEntity>,
}

impl RegisterResultV2Entity {
    pub fn read(o: &Obj<'_>) -> Gson<Self> {
        Ok(Self {
            result_code: o.integer("resultCode")?,
            transaction_id: o.string("transactionId")?,
            client_id: o.string("clientID")?,
            response_message: o.string("responseMessage")?,
            error: o.object("error", ErrorResultEntity::read)?,
        })
    }

    pub fn from_json(json: &str) -> Gson<Option<Self>> {
        from_json(json, Self::read)
    }
}

/// `StateResultEntity {Integer resultCode; String transactionId; Integer state; Boolean isRepeatable;
/// java.util.Date created, updated; ErrorResultV2Entity error}` (`onStateResult(String)`). Dates as epoch ms.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StateResultEntity {
    pub result_code: Option<i32>,
    pub transaction_id: Option<String>,
    pub state: Option<i32>,
    pub is_repeatable: Option<bool>,
    pub created: Option<i64>,
    pub updated: Option<i64>,
    pub error: Option<ErrorResultV2Entity>,
}

impl StateResultEntity {
    pub fn read(o: &Obj<'_>) -> Gson<Self> {
        Ok(Self {
            result_code: o.integer("resultCode")?,
            transaction_id: o.string("transactionId")?,
            state: o.integer("state")?,
            is_repeatable: o.boolean("isRepeatable")?,
            created: o.date("created")?,
            updated: o.date("updated")?,
            error: o.object("error", ErrorResultV2Entity::read)?,
        })
    }

    pub fn from_json(json: &str) -> Gson<Option<Self>> {
        from_json(json, Self::read)
    }
}

/// `MerchantInfoEntity {String company, city, street, house, location, country, zip}`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MerchantInfoEntity {
    pub company: Option<String>,
    pub city: Option<String>,
    pub street: Option<String>,
    pub house: Option<String>,
    pub location: Option<String>,
    pub country: Option<String>,
    pub zip: Option<String>,
}

impl MerchantInfoEntity {
    pub fn read(o: &Obj<'_>) -> Gson<Self> {
        Ok(Self {
            company: o.string("company")?,
            city: o.string("city")?,
            street: o.string("street")?,
            house: o.string("house")?,
            location: o.string("location")?,
            country: o.string("country")?,
            zip: o.string("zip")?,
        })
    }
}

/// `DccDataEntity` of AAR **1.28** (Kotlin): `BigDecimal effectiveRate, markUpRate; int regionSchemaIndicator;
/// BigDecimal amount; java.util.Currency currencyCode`. (1.29 renamed the rates `exchangeRate`/`markup` and added
/// `status`; this client bundles 1.28.)
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DccDataEntity {
    pub effective_rate: Option<String>,
    pub mark_up_rate: Option<String>,
    pub region_schema_indicator: i32,
    pub amount: Option<String>,
    pub currency_code: Option<String>,
}

impl DccDataEntity {
    pub fn read(o: &Obj<'_>) -> Gson<Self> {
        Ok(Self {
            effective_rate: o.big_decimal("effectiveRate")?,
            mark_up_rate: o.big_decimal("markUpRate")?,
            region_schema_indicator: o.int("regionSchemaIndicator")?,
            amount: o.big_decimal("amount")?,
            currency_code: o.currency("currencyCode")?,
        })
    }
}

/// `ElvDataEntity {String gid, mid, vuNr, iban, aidName, cardExpiration, panSequenceNumber, signatureBase64}`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ElvDataEntity(pub Vec<Option<String>>);

impl ElvDataEntity {
    pub fn read(o: &Obj<'_>) -> Gson<Self> {
        let keys = [
            "gid",
            "mid",
            "vuNr",
            "iban",
            "aidName",
            "cardExpiration",
            "panSequenceNumber",
            "signatureBase64",
        ];
        keys.iter()
            .map(|k| o.string(k))
            .collect::<Gson<_>>()
            .map(Self)
    }
}

/// `TransactionResultV2Entity` (`onTransactionV2Result(String)`): `Integer result`, `ErrorResultEntity error`,
/// `Integer currencyCode`, `Long` amounts and batch amounts, `Integer` batch counts, `emvAppLabel` spelt right.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TransactionResultV2Entity {
    pub result: Option<i32>,
    pub error: Option<ErrorResultEntity>,
    pub client_id: Option<String>,
    pub response_message: Option<String>,
    pub transaction_id: Option<String>,
    pub external_transaction_id: Option<String>,
    pub transaction_type: Option<i32>,
    pub merchant_id: Option<String>,
    pub terminal_id: Option<String>,
    pub currency_code: Option<i32>,
    pub amount: Option<i64>,
    pub tip_amount: Option<i64>,
    pub total_amount: Option<i64>,
    pub cashback_amount: Option<i64>,
    pub card_number: Option<String>,
    pub card_issuer: Option<String>,
    pub card_data_entry: Option<String>,
    pub approved_code: Option<String>,
    pub reference_number: Option<String>,
    pub invoice_number: Option<String>,
    pub date: Option<String>,
    pub time: Option<String>,
    pub emv_aid: Option<String>,
    pub emv_app_label: Option<String>,
    pub sequence_number: Option<String>,
    pub batch_number: Option<String>,
    pub batch_total_num: Option<i32>,
    pub batch_total_amount: Option<i64>,
    pub batch_sale_num: Option<i32>,
    pub batch_sale_amount: Option<i64>,
    pub batch_void_num: Option<i32>,
    pub batch_void_amount: Option<i64>,
    pub print_by_payment_app: Option<bool>,
    pub card_product: Option<&'static str>,
    pub receipt_number: Option<String>,
    pub pin_ok: Option<bool>,
    pub merchant_info: Option<MerchantInfoEntity>,
    pub card_holder_verification_method: Option<&'static str>,
    pub elv_data_entity: Option<ElvDataEntity>,
    pub blik_code: Option<String>,
    pub blik_transaction_ref: Option<String>,
    pub dcc_data: Option<DccDataEntity>,
}

/// `java.lang.NullPointerException` from unboxing a null `Integer`.
#[derive(Debug, PartialEq, Eq)]
pub struct NullPointerException;

impl TransactionResultV2Entity {
    pub fn read(o: &Obj<'_>) -> Gson<Self> {
        Ok(Self {
            result: o.integer("result")?,
            error: o.object("error", ErrorResultEntity::read)?,
            client_id: o.string("clientID")?,
            response_message: o.string("responseMessage")?,
            transaction_id: o.string("transactionID")?,
            external_transaction_id: o.string("externalTransactionID")?,
            transaction_type: o.integer("transactionType")?,
            merchant_id: o.string("merchantID")?,
            terminal_id: o.string("terminalID")?,
            currency_code: o.integer("currencyCode")?,
            amount: o.long("amount")?,
            tip_amount: o.long("tipAmount")?,
            total_amount: o.long("totalAmount")?,
            cashback_amount: o.long("cashbackAmount")?,
            card_number: o.string("cardNumber")?,
            card_issuer: o.string("cardIssuer")?,
            card_data_entry: o.string("cardDataEntry")?,
            approved_code: o.string("approvedCode")?,
            reference_number: o.string("referenceNumber")?,
            invoice_number: o.string("invoiceNumber")?,
            date: o.string("date")?,
            time: o.string("time")?,
            emv_aid: o.string("emvAid")?,
            emv_app_label: o.string("emvAppLabel")?,
            sequence_number: o.string("sequenceNumber")?,
            batch_number: o.string("batchNumber")?,
            batch_total_num: o.integer("batchTotalNum")?,
            batch_total_amount: o.long("batchTotalAmount")?,
            batch_sale_num: o.integer("batchSaleNum")?,
            batch_sale_amount: o.long("batchSaleAmount")?,
            batch_void_num: o.integer("batchVoidNum")?,
            batch_void_amount: o.long("batchVoidAmount")?,
            print_by_payment_app: o.boolean("printByPaymentApp")?,
            card_product: o.enumeration("cardProduct", CARD_PRODUCT)?,
            receipt_number: o.string("receiptNumber")?,
            pin_ok: o.boolean("pinOk")?,
            merchant_info: o.object("merchantInfo", MerchantInfoEntity::read)?,
            card_holder_verification_method: o.enumeration("cardHolderVerificationMethod", CVM)?,
            elv_data_entity: o.object("elvDataEntity", ElvDataEntity::read)?,
            blik_code: o.string("blikCode")?,
            blik_transaction_ref: o.string("blikTransactionRef")?,
            dcc_data: o.object("dccData", DccDataEntity::read)?,
        })
    }

    pub fn from_json(json: &str) -> Gson<Option<Self>> {
        from_json(json, Self::read)
    }

    /// `public int getResult()`: `result.intValue()` (javap: `getfield result; invokevirtual intValue`).
    pub fn get_result(&self) -> Result<i32, NullPointerException> {
        self.result.ok_or(NullPointerException)
    }
}

/// `InquireResultEntity` (Parcelable, `onInquireResult`): primitive `int result` and `int transacitonType`
/// (missing → 0 = success / no type), every amount and the currency a `String`, the typos `trasanctionID`,
/// `transacitonType`, `emvAppLable`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InquireResultEntity {
    pub result: i32,
    pub response_message: Option<String>,
    pub trasanction_id: Option<String>,
    pub external_transaction_id: Option<String>,
    pub transaciton_type: i32,
    pub merchant_id: Option<String>,
    pub terminal_id: Option<String>,
    pub currency_code: Option<String>,
    pub amount: Option<String>,
    pub tip_amount: Option<String>,
    pub cashback_amount: Option<String>,
    pub card_product: Option<&'static str>,
    pub card_number: Option<String>,
    pub card_issuer: Option<String>,
    pub card_data_entry: Option<String>,
    pub approved_code: Option<String>,
    pub reference_number: Option<String>,
    pub trace_number: Option<String>,
    pub invoice_number: Option<String>,
    pub date: Option<String>,
    pub time: Option<String>,
    pub emv_aid: Option<String>,
    pub emv_app_lable: Option<String>,
    pub sequence_number: Option<String>,
    pub batch_number: Option<String>,
    pub receipt_number: Option<String>,
    pub pin_ok: Option<bool>,
    pub merchant_info: Option<MerchantInfoEntity>,
    pub card_holder_verification_method: Option<&'static str>,
    pub elv_data: Option<ElvDataEntity>,
    pub blik_code: Option<String>,
    pub blik_transaction_ref: Option<String>,
    pub total_amount: Option<String>,
    pub dcc_data: Option<DccDataEntity>,
}

impl InquireResultEntity {
    pub fn read(o: &Obj<'_>) -> Gson<Self> {
        Ok(Self {
            result: o.int("result")?,
            response_message: o.string("responseMessage")?,
            trasanction_id: o.string("trasanctionID")?,
            external_transaction_id: o.string("externalTransactionID")?,
            transaciton_type: o.int("transacitonType")?,
            merchant_id: o.string("merchantID")?,
            terminal_id: o.string("terminalID")?,
            currency_code: o.string("currencyCode")?,
            amount: o.string("amount")?,
            tip_amount: o.string("tipAmount")?,
            cashback_amount: o.string("cashbackAmount")?,
            card_product: o.enumeration("cardProduct", CARD_PRODUCT)?,
            card_number: o.string("cardNumber")?,
            card_issuer: o.string("cardIssuer")?,
            card_data_entry: o.string("cardDataEntry")?,
            approved_code: o.string("approvedCode")?,
            reference_number: o.string("referenceNumber")?,
            trace_number: o.string("traceNumber")?,
            invoice_number: o.string("invoiceNumber")?,
            date: o.string("date")?,
            time: o.string("time")?,
            emv_aid: o.string("emvAid")?,
            emv_app_lable: o.string("emvAppLable")?,
            sequence_number: o.string("sequenceNumber")?,
            batch_number: o.string("batchNumber")?,
            receipt_number: o.string("receiptNumber")?,
            pin_ok: o.boolean("pinOk")?,
            merchant_info: o.object("merchantInfo", MerchantInfoEntity::read)?,
            card_holder_verification_method: o.enumeration("cardHolderVerificationMethod", CVM)?,
            elv_data: o.object("elvData", ElvDataEntity::read)?,
            blik_code: o.string("blikCode")?,
            blik_transaction_ref: o.string("blikTransactionRef")?,
            total_amount: o.string("totalAmount")?,
            dcc_data: o.object("dccData", DccDataEntity::read)?,
        })
    }

    pub fn from_json(json: &str) -> Gson<Option<Self>> {
        from_json(json, Self::read)
    }
}

/// `UserAddress` (Kotlin) `{city, street, house, location, country, zip}`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UserAddress {
    pub city: Option<String>,
    pub street: Option<String>,
    pub house: Option<String>,
    pub location: Option<String>,
    pub country: Option<String>,
    pub zip: Option<String>,
}

impl UserAddress {
    pub fn read(o: &Obj<'_>) -> Gson<Self> {
        Ok(Self {
            city: o.string("city")?,
            street: o.string("street")?,
            house: o.string("house")?,
            location: o.string("location")?,
            country: o.string("country")?,
            zip: o.string("zip")?,
        })
    }
}

/// `App2AppInfoResponse` (Kotlin, `getGPTomInfo()`): `boolean isLoggedIn` is a primitive.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct App2AppInfoResponse {
    pub app_version: Option<String>,
    pub is_logged_in: bool,
    pub tid: Option<String>,
    pub mid: Option<String>,
    pub client_id: Option<String>,
    pub business_id: Option<String>,
    pub email: Option<String>,
    pub vat: Option<String>,
    pub tip_enabled: Option<bool>,
    pub printer_available: Option<bool>,
    pub manual_transaction_restricted: Option<bool>,
    pub merchant_location: Option<String>,
    pub merchant_location_entity: Option<UserAddress>,
}

impl App2AppInfoResponse {
    pub fn read(o: &Obj<'_>) -> Gson<Self> {
        Ok(Self {
            app_version: o.string("appVersion")?,
            is_logged_in: o.primitive_boolean("isLoggedIn")?,
            tid: o.string("tid")?,
            mid: o.string("mid")?,
            client_id: o.string("clientId")?,
            business_id: o.string("businessId")?,
            email: o.string("email")?,
            vat: o.string("vat")?,
            tip_enabled: o.boolean("tipEnabled")?,
            printer_available: o.boolean("printerAvailable")?,
            manual_transaction_restricted: o.boolean("manualTransactionRestricted")?,
            merchant_location: o.string("merchantLocation")?,
            merchant_location_entity: o.object("merchantLocationEntity", UserAddress::read)?,
        })
    }

    pub fn from_json(json: &str) -> Gson<Option<Self>> {
        from_json(json, Self::read)
    }
}

/// `TransactionRequestV2Entity` as the plugin fills it (`GpTomPlugin.kt:233-252`, `:386-391`). The no-arg
/// constructor sets `printByPaymentApp = TRUE` (bytecode); the plugin always overwrites it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TransactionRequestV2Entity {
    pub payment_method: Option<&'static str>,
    pub print_by_payment_app: Option<bool>,
    pub amount: Option<i64>,
    pub tip_amount: Option<i64>,
    pub transaction_id: Option<String>,
    pub client_id: Option<String>,
    pub transaction_type: Option<i32>,
    pub origin_transaction_id: Option<String>,
    pub origin_reference_num: Option<String>,
    pub cancel_mode: Option<i32>,
    pub currency_code: Option<String>,
    pub tip_collect: Option<bool>,
}

impl TransactionRequestV2Entity {
    /// `gson.toJson(entity)`: declaration order (`paymentMethod, printByPaymentApp, amount, tipAmount,
    /// transactionID, clientID, transactionType, originTransactionID, originReferenceNum, redirectPackageName,
    /// redirectInfo, cancelMode, clientInfo, preferableReceiptType, currencyCode, tipCollect`), nulls left out.
    pub fn to_gson(&self) -> Value {
        let mut m = Map::new();
        let mut put = |k: &str, v: Value| {
            if !v.is_null() {
                m.insert(k.into(), v);
            }
        };
        put("paymentMethod", json!(self.payment_method));
        put("printByPaymentApp", json!(self.print_by_payment_app));
        put("amount", json!(self.amount));
        put("tipAmount", json!(self.tip_amount));
        put("transactionID", json!(self.transaction_id));
        put("clientID", json!(self.client_id));
        put("transactionType", json!(self.transaction_type));
        put("originTransactionID", json!(self.origin_transaction_id));
        put("originReferenceNum", json!(self.origin_reference_num));
        put("cancelMode", json!(self.cancel_mode));
        put("currencyCode", json!(self.currency_code));
        put("tipCollect", json!(self.tip_collect));
        Value::Object(m)
    }
}
