//! The Java half of mhmmdlkts/gptom_aidl_plugin (commit a6c8d6f5faf7f3256744e88828fa4dc416f8e66e): the AAR
//! entities it talks to (`android/repo/com/gptom/app2app/aidl/1.29.0/aidl-1.29.0.aar`, read with `javap -p`; no
//! `@SerializedName`, so JSON keys = field names in declaration order) and the two places where Java, not GP
//! tom, writes JSON:
//!
//! * `inquireTransaction` — `GptomAidlPlugin.java:441-445`: GP tom hands an `InquireResultEntity` *Parcelable*
//!   and the plugin answers Dart with `new Gson().toJson(inquireResultEntity)`: a default Gson, so null fields are
//!   omitted, the primitives `int result` / `int transacitonType` are always written (0 when unset), enums by
//!   name, `BigDecimal` as a number, `java.util.Currency` as its code, strings HTML-safe escaped.
//!   [`gson_inquire`] does that step on the mock's inquiry; the mock's JSON stands for the parcel, so a value the
//!   typed entity cannot hold (a number in a `String` field) is a mock bug reported as `Err`.
//! * `requestTransactionV2` — `GptomAidlPlugin.java:367-377`: `JsonParser.parseString(json)`, `remove("redirect")`,
//!   `remove("openGptomUI")`, `JsonObject.toString()`; `gpTomLogin`/`gpTomChangePassword` (`:548-554`,
//!   `:583-590`): `new Gson().toJson(LoginEntity / ChangePasswordEntity)`.
//!
//! The other answers (register, V2 result, state, info) are GP tom's own strings passed through untouched
//! (`:341-343`, `:381-383`, `:422-424`, `:694`); [`conform`] checks that GP tom's serializer could have written them
//! (every key a field of the entity, every value of the field's Java type).

use serde_json::Value;

use crate::dart::{DMap, Dv, double_to_string};

/// A field's Java type.
#[derive(Clone, Copy, Debug)]
pub enum Ty {
    /// `String`.
    Str,
    /// `Integer` / `int`: a JSON integer within 32 bits.
    Int,
    /// `Long`.
    Long,
    /// `Boolean` / `boolean`.
    Bool,
    /// An enum: its constant names.
    Enum(&'static [&'static str]),
    /// `java.math.BigDecimal`: a JSON number.
    BigDecimal,
    /// `java.util.Currency`: an ISO 4217 alpha code.
    Currency,
    /// `java.util.Date`: GP tom writes ISO-8601 strings (`reference.md` §4.5 example).
    Date,
    /// A nested entity.
    Obj(&'static Entity),
}

/// One field: name, type, Java primitive (never null, always written by Gson).
#[derive(Debug)]
pub struct Field(pub &'static str, pub Ty, pub bool);

/// An AAR entity class.
#[derive(Debug)]
pub struct Entity {
    /// Simple class name.
    pub name: &'static str,
    /// Instance fields in declaration order.
    pub fields: &'static [Field],
}

const S: Ty = Ty::Str;

/// `CardProduct`.
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
const CVM: &[&str] = &["PIN", "PASSCODE", "SIGNATURE", "NONE"];

/// `ErrorResultEntity`.
pub static ERROR_RESULT: Entity = Entity {
    name: "ErrorResultEntity",
    fields: &[
        Field("errorCode", S, false),
        Field("supportID", S, false),
        Field("exception", S, false),
    ],
};

/// `ErrorResultV2Entity` (recursive `cause`).
pub static ERROR_RESULT_V2: Entity = Entity {
    name: "ErrorResultV2Entity",
    fields: &[
        Field("platform", Ty::Enum(&["TOM_APP", "AMS", "EXTERNAL"]), false),
        Field("code", Ty::Int, false),
        Field("internalErrorCode", Ty::Int, false),
        Field("internalErrorSubCode", Ty::Int, false),
        Field("cause", Ty::Obj(&ERROR_RESULT_V2), false),
    ],
};

/// `MerchantInfoEntity`.
pub static MERCHANT_INFO: Entity = Entity {
    name: "MerchantInfoEntity",
    fields: &[
        Field("company", S, false),
        Field("city", S, false),
        Field("street", S, false),
        Field("house", S, false),
        Field("location", S, false),
        Field("country", S, false),
        Field("zip", S, false),
    ],
};

/// `ElvDataEntity`.
pub static ELV_DATA: Entity = Entity {
    name: "ElvDataEntity",
    fields: &[
        Field("gid", S, false),
        Field("mid", S, false),
        Field("vuNr", S, false),
        Field("iban", S, false),
        Field("aidName", S, false),
        Field("cardExpiration", S, false),
        Field("panSequenceNumber", S, false),
        Field("signatureBase64", S, false),
    ],
};

/// `DccDataEntity` (Kotlin data class).
pub static DCC_DATA: Entity = Entity {
    name: "DccDataEntity",
    fields: &[
        Field("exchangeRate", Ty::BigDecimal, false),
        Field("markup", Ty::BigDecimal, false),
        Field("regionSchemaIndicator", Ty::Int, true),
        Field("amount", Ty::BigDecimal, false),
        Field("currencyCode", Ty::Currency, false),
        Field(
            "status",
            Ty::Enum(&["ACCEPTED", "NOT_ACCEPTED", "NOT_PROCESSED"]),
            false,
        ),
    ],
};

/// `RegisterResultV2Entity`.
pub static REGISTER_RESULT_V2: Entity = Entity {
    name: "RegisterResultV2Entity",
    fields: &[
        Field("resultCode", Ty::Int, false),
        Field("transactionId", S, false),
        Field("clientID", S, false),
        Field("responseMessage", S, false),
        Field("error", Ty::Obj(&ERROR_RESULT), false),
    ],
};

/// `TransactionResultV2Entity`.
pub static TRANSACTION_RESULT_V2: Entity = Entity {
    name: "TransactionResultV2Entity",
    fields: &[
        Field("result", Ty::Int, false),
        Field("error", Ty::Obj(&ERROR_RESULT), false),
        Field("clientID", S, false),
        Field("responseMessage", S, false),
        Field("transactionID", S, false),
        Field("externalTransactionID", S, false),
        Field("transactionType", Ty::Int, false),
        Field("merchantID", S, false),
        Field("terminalID", S, false),
        Field("currencyCode", Ty::Int, false),
        Field("amount", Ty::Long, false),
        Field("tipAmount", Ty::Long, false),
        Field("totalAmount", Ty::Long, false),
        Field("cashbackAmount", Ty::Long, false),
        Field("cardNumber", S, false),
        Field("cardIssuer", S, false),
        Field("cardDataEntry", S, false),
        Field("approvedCode", S, false),
        Field("referenceNumber", S, false),
        Field("invoiceNumber", S, false),
        Field("date", S, false),
        Field("time", S, false),
        Field("emvAid", S, false),
        Field("emvAppLabel", S, false),
        Field("sequenceNumber", S, false),
        Field("batchNumber", S, false),
        Field("batchTotalNum", Ty::Int, false),
        Field("batchTotalAmount", Ty::Long, false),
        Field("batchSaleNum", Ty::Int, false),
        Field("batchSaleAmount", Ty::Long, false),
        Field("batchVoidNum", Ty::Int, false),
        Field("batchVoidAmount", Ty::Long, false),
        Field("printByPaymentApp", Ty::Bool, false),
        Field("cardProduct", Ty::Enum(CARD_PRODUCT), false),
        Field("receiptNumber", S, false),
        Field("pinOk", Ty::Bool, false),
        Field("merchantInfo", Ty::Obj(&MERCHANT_INFO), false),
        Field("cardHolderVerificationMethod", Ty::Enum(CVM), false),
        Field("elvDataEntity", Ty::Obj(&ELV_DATA), false),
        Field("blikCode", S, false),
        Field("blikTransactionRef", S, false),
        Field("dccData", Ty::Obj(&DCC_DATA), false),
    ],
};

/// `StateResultEntity`.
pub static STATE_RESULT: Entity = Entity {
    name: "StateResultEntity",
    fields: &[
        Field("resultCode", Ty::Int, false),
        Field("transactionId", S, false),
        Field("state", Ty::Int, false),
        Field("isRepeatable", Ty::Bool, false),
        Field("created", Ty::Date, false),
        Field("updated", Ty::Date, false),
        Field("error", Ty::Obj(&ERROR_RESULT_V2), false),
    ],
};

/// `InquireResultEntity` (Parcelable; the static `CREATOR` is not a Gson field).
pub static INQUIRE_RESULT: Entity = Entity {
    name: "InquireResultEntity",
    fields: &[
        Field("result", Ty::Int, true),
        Field("responseMessage", S, false),
        Field("trasanctionID", S, false),
        Field("externalTransactionID", S, false),
        Field("transacitonType", Ty::Int, true),
        Field("merchantID", S, false),
        Field("terminalID", S, false),
        Field("currencyCode", S, false),
        Field("amount", S, false),
        Field("tipAmount", S, false),
        Field("cashbackAmount", S, false),
        Field("cardProduct", Ty::Enum(CARD_PRODUCT), false),
        Field("cardNumber", S, false),
        Field("cardIssuer", S, false),
        Field("cardDataEntry", S, false),
        Field("approvedCode", S, false),
        Field("referenceNumber", S, false),
        Field("traceNumber", S, false),
        Field("invoiceNumber", S, false),
        Field("date", S, false),
        Field("time", S, false),
        Field("emvAid", S, false),
        Field("emvAppLable", S, false),
        Field("sequenceNumber", S, false),
        Field("batchNumber", S, false),
        Field("receiptNumber", S, false),
        Field("pinOk", Ty::Bool, false),
        Field("merchantInfo", Ty::Obj(&MERCHANT_INFO), false),
        Field("cardHolderVerificationMethod", Ty::Enum(CVM), false),
        Field("elvData", Ty::Obj(&ELV_DATA), false),
        Field("blikCode", S, false),
        Field("blikTransactionRef", S, false),
        Field("totalAmount", S, false),
        Field("dccData", Ty::Obj(&DCC_DATA), false),
    ],
};

/// `UserAddress`.
pub static USER_ADDRESS: Entity = Entity {
    name: "UserAddress",
    fields: &[
        Field("city", S, false),
        Field("street", S, false),
        Field("house", S, false),
        Field("location", S, false),
        Field("country", S, false),
        Field("zip", S, false),
    ],
};

/// `App2AppInfoResponse` (Kotlin data class).
pub static APP2APP_INFO: Entity = Entity {
    name: "App2AppInfoResponse",
    fields: &[
        Field("appVersion", S, false),
        Field("isLoggedIn", Ty::Bool, true),
        Field(
            "logInStatus",
            Ty::Enum(&["LOGGED_IN", "LOGGED_OUT", "UNVERIFIED_LOGGED_IN"]),
            false,
        ),
        Field("tid", S, false),
        Field("mid", S, false),
        Field("clientId", S, false),
        Field("businessId", S, false),
        Field("email", S, false),
        Field("vat", S, false),
        Field("tipEnabled", Ty::Bool, false),
        Field("printerAvailable", Ty::Bool, false),
        Field("manualTransactionRestricted", Ty::Bool, false),
        Field("merchantLocation", S, false),
        Field("merchantLocationEntity", Ty::Obj(&USER_ADDRESS), false),
    ],
};

fn check(ty: Ty, v: &Value, path: &str, out: &mut Vec<String>) {
    let ok = match ty {
        Ty::Str => v.is_string(),
        Ty::Int => v.as_i64().is_some_and(|i| i32::try_from(i).is_ok()),
        Ty::Long => v.is_i64(),
        Ty::Bool => v.is_boolean(),
        Ty::Enum(names) => v.as_str().is_some_and(|s| names.contains(&s)),
        Ty::BigDecimal => v.is_number(),
        Ty::Currency => v
            .as_str()
            .is_some_and(|s| s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase())),
        Ty::Date => v
            .as_str()
            .is_some_and(|s| crate::dart::DateTime::try_parse(s).is_some()),
        Ty::Obj(e) => {
            conform_into(e, v, path, out);
            true
        }
    };
    if !ok {
        out.push(format!("{path}: {v} is not a {ty:?}"));
    }
}

fn conform_into(entity: &Entity, v: &Value, path: &str, out: &mut Vec<String>) {
    let Some(map) = v.as_object() else {
        out.push(format!("{path}: {v} is not a {} object", entity.name));
        return;
    };
    for (k, val) in map {
        let p = format!("{path}.{k}");
        match entity.fields.iter().find(|f| f.0 == k) {
            None => out.push(format!("{p}: {} has no field \"{k}\"", entity.name)),
            Some(Field(_, _, true)) if val.is_null() => {
                out.push(format!("{p}: a Java primitive cannot be null"))
            }
            Some(_) if val.is_null() => {}
            Some(f) => check(f.1, val, &p, out),
        }
    }
}

/// What in `json` GP tom's serializer of `entity` could not have written (empty = conforms). `null` ≡ absent.
pub fn conform(entity: &Entity, json: &str) -> Vec<String> {
    let mut out = Vec::new();
    match serde_json::from_str::<Value>(json) {
        Ok(v) => conform_into(entity, &v, entity.name, &mut out),
        Err(e) => out.push(format!("not JSON: {e}")),
    }
    out
}

/// A Java string as Gson's `JsonWriter` writes it; `html_safe` for `new Gson()` (`<`, `>`, `&`, `=`, `'`
/// escaped), off for `JsonElement.toString()`.
pub fn gson_string(s: &str, html_safe: bool) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{c}' => out.push_str("\\f"),
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            '<' | '>' | '&' | '=' | '\'' if html_safe => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn gson_entity(entity: &Entity, map: &serde_json::Map<String, Value>) -> String {
    let mut parts = Vec::new();
    for Field(name, ty, primitive) in entity.fields {
        let v = map.get(*name).filter(|v| !v.is_null());
        let text = match (v, ty) {
            (None, _) if *primitive => "0".to_owned(),
            (None, _) => continue,
            (Some(v), Ty::Obj(e)) => gson_entity(e, v.as_object().expect("conformed")),
            (Some(Value::String(s)), _) => gson_string(s, true),
            // Integer/Long/BigDecimal/Boolean: the literal (BigDecimal.toString() of the parcelled value)
            (Some(v), _) => v.to_string(),
        };
        parts.push(format!("{}:{text}", gson_string(name, true)));
    }
    format!("{{{}}}", parts.join(","))
}

/// `new Gson().toJson(inquireResultEntity)` (`GptomAidlPlugin.java:444`) of the entity GP tom parcelled, given as
/// the mock's inquiry JSON. `Err` lists what the typed entity could not hold.
pub fn gson_inquire(mock_json: &str) -> Result<String, Vec<String>> {
    let violations = conform(&INQUIRE_RESULT, mock_json);
    if !violations.is_empty() {
        return Err(violations);
    }
    let v: Value = serde_json::from_str(mock_json).map_err(|e| vec![e.to_string()])?;
    Ok(gson_entity(
        &INQUIRE_RESULT,
        v.as_object().expect("conformed"),
    ))
}

/// `JsonElement.toString()` of a parsed Dart-encoded object (`GptomAidlPlugin.java:377`): compact, numbers as
/// their literal, strings not HTML-escaped.
pub fn json_object_to_string(v: &Dv) -> String {
    match v {
        Dv::Null => "null".into(),
        Dv::Bool(b) => b.to_string(),
        Dv::Int(i) => i.to_string(),
        Dv::Double(d) => double_to_string(*d),
        Dv::Str(s) => gson_string(s, false),
        Dv::List(l) => format!(
            "[{}]",
            l.iter()
                .map(json_object_to_string)
                .collect::<Vec<_>>()
                .join(",")
        ),
        Dv::Map(m) => format!(
            "{{{}}}",
            m.0.iter()
                .map(|(k, v)| format!("{}:{}", gson_string(k, false), json_object_to_string(v)))
                .collect::<Vec<_>>()
                .join(",")
        ),
    }
}

/// `new Gson().toJson(entity)` of a plain entity given as (field, value) in declaration order: nulls omitted.
pub fn gson_to_json(fields: &[(&str, Option<Dv>)]) -> String {
    let mut m = DMap::default();
    for (k, v) in fields {
        if let Some(v) = v {
            m.insert(k, v.clone());
        }
    }
    let body =
        m.0.iter()
            .map(|(k, v)| {
                let text = match v {
                    Dv::Str(s) => gson_string(s, true),
                    other => json_object_to_string(other),
                };
                format!("{}:{text}", gson_string(k, true))
            })
            .collect::<Vec<_>>()
            .join(",");
    format!("{{{body}}}")
}
