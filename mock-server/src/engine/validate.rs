//! Request bodies of `POST /v1/tasks/{class}` → a normalised [`TaskRequest`] or the first rule broken, in the
//! order of cloud-mock.md §6: JSON shape (400) → access (403) → field rules in table order (406). Profile-aware
//! (`lenient` coerces numeric and boolean strings as Jackson does; `strict` does not and refuses unknown
//! fields). Reads a body parsed by [`super::body`] (the journal's checks: `serde_json::Value`); no axum.

use crate::contract::fields::TRANSACTION_TASK_FIELDS as TRANSACTION_FIELDS;
use std::borrow::Cow;

use serde_json::{Map, Value};

use super::body::{Field, Json, Name, Object, kind};
use super::terminal::{AccountKind, Directory, Terminal};
use super::token::Who;
use super::{Error, Id};

/// `SALE`, `VOID` or `REFUND`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Operation {
    /// A payment.
    Sale,
    /// A cancellation of an earlier sale.
    Void,
    /// Money back to a card, no origin needed.
    Refund,
}

/// `CASH` or `CARD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PayType {
    /// Cash.
    Cash,
    /// Card.
    Card,
}

/// Which transaction a VOID cancels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CancelMode {
    /// The immediately preceding transaction of the TID.
    LastTransaction,
    /// The one named by `originTransactionId`.
    OlderTransaction,
}

/// An accepted transaction task body, defaults filled and ignored fields dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransactionRequest {
    /// `apiKey`.
    pub api_key: Id,
    /// `Tid`.
    pub tid: Id,
    /// `initiator`.
    pub initiator: Id,
    /// `title`.
    pub title: Id,
    /// `transactionOperation`.
    pub operation: Operation,
    /// `transactionType`.
    pub pay_type: PayType,
    /// `amount`, minor units.
    pub amount: i64,
    /// `tipAmount` (never on VOID).
    pub tip_amount: Option<i64>,
    /// `currencyCode` (the terminal's when absent).
    pub currency_code: Id,
    /// `originReferenceNum`.
    pub origin_reference_num: Option<Id>,
    /// `printByPaymentApp` (default true).
    pub print_by_payment_app: bool,
    /// `timeToLive`, seconds.
    pub time_to_live: Option<i64>,
    /// `cancelMode` (VOID only).
    pub cancel_mode: Option<CancelMode>,
    /// `originTransactionId` (VOID only).
    pub origin_transaction_id: Option<Id>,
}

/// An accepted batch-close body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchRequest {
    /// `apiKey`.
    pub api_key: Id,
    /// `Tid`.
    pub tid: Id,
    /// `initiator`.
    pub initiator: Id,
    /// `title`.
    pub title: Id,
}

/// The body of an accepted task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TaskRequest {
    /// `POST /v1/tasks/TRANSACTION`.
    Transaction(TransactionRequest),
    /// `POST /v1/tasks/BATCH`.
    Batch(BatchRequest),
}

impl TaskRequest {
    /// `timeToLive` in seconds, if any.
    pub fn time_to_live(&self) -> Option<i64> {
        match self {
            TaskRequest::Transaction(t) => t.time_to_live,
            TaskRequest::Batch(_) => None,
        }
    }
    /// Whether this is a cash payment.
    pub fn is_cash(&self) -> bool {
        matches!(self, TaskRequest::Transaction(t) if t.pay_type == PayType::Cash)
    }
    /// `title`.
    pub fn title(&self) -> &Id {
        match self {
            TaskRequest::Transaction(t) => &t.title,
            TaskRequest::Batch(b) => &b.title,
        }
    }
    /// `initiator`.
    pub fn initiator(&self) -> &Id {
        match self {
            TaskRequest::Transaction(t) => &t.initiator,
            TaskRequest::Batch(b) => &b.initiator,
        }
    }
}

/// Likely client bugs in a task body, for the journal: case-mismatched or unknown field names, amounts sent
/// as strings or in major units.
pub fn likely_mistakes(body: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    for key in body
        .keys()
        .filter(|k| !TRANSACTION_FIELDS.contains(&k.as_str()))
    {
        match TRANSACTION_FIELDS
            .iter()
            .find(|f| f.eq_ignore_ascii_case(key))
        {
            Some(f) => out.push(format!(
                "body has \"{key}\"; GP tom expects \"{f}\" (field names are case-sensitive)"
            )),
            None => out.push(format!("unknown field \"{key}\" is ignored by GP tom")),
        }
    }
    for field in ["amount", "tipAmount"] {
        match body.get(field) {
            Some(Value::String(s)) => {
                out.push(format!(
                    "{field} sent as a string \"{s}\"; GP tom documents a number in minor units"
                ));
            }
            Some(Value::Number(n)) if n.as_i64().is_none() => {
                out.push(format!(
                    "{field} {n} is not whole: amounts are in minor units (11.50 CZK = 1150)"
                ));
            }
            _ => {}
        }
    }
    out
}

/// Whether an `originReferenceNum` is one GP tom takes: at most 20 ASCII letters and digits (every channel).
pub fn is_reference(r: &str) -> bool {
    r.len() <= 20 && r.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The largest amount or tip, in minor units, on every channel (an amount is at least 1, a tip at least 0).
pub const MAX_AMOUNT: i64 = 99_999_999;

const AMOUNT_RULE: &str = "must be an integer between 1 and 99999999";

/// Reads typed fields out of a JSON object with the profile's coercion rules.
struct Fields<'b, 'a> {
    body: &'b Object<'a>,
    strict: bool,
}

impl<'b, 'a> Fields<'b, 'a> {
    fn get(&self, name: Name) -> Option<&'b Field<'a>> {
        self.body.field(name).filter(|v| !matches!(v, Field::Null))
    }

    /// A field GP tom requires but the body lacks; names a key that differs only in case.
    fn missing(&self, name: Name) -> Error {
        let name = name.as_str();
        let near = self
            .body
            .keys()
            .find(|k| *k != name && k.eq_ignore_ascii_case(name));
        let mut e = Error::validation(name, "is required");
        if let Some(k) = near {
            e.message = format!(
                "{name} is required (field names are case-sensitive: the body has \"{k}\", GP tom expects \"{name}\")"
            );
        }
        e
    }

    /// A string field, borrowed from the body (lenient: a number or boolean as its JSON text).
    fn string(&self, name: Name) -> Result<Option<Cow<'b, str>>, Error> {
        match self.get(name) {
            None => Ok(None),
            Some(Field::Str(s)) => Ok(Some(Cow::Borrowed(s))),
            Some(Field::Number(n)) if !self.strict => Ok(Some(Cow::Owned(n.to_string()))),
            Some(Field::Bool(b)) if !self.strict => Ok(Some(Cow::Owned(b.to_string()))),
            Some(Field::Number(_) | Field::Bool(_)) => {
                Err(Error::validation(name.as_str(), "must be a JSON string"))
            }
            Some(_) => Err(Error::malformed(format!(
                "{name} must be a string, not an array or object"
            ))),
        }
    }

    fn required_string(&self, name: Name) -> Result<Cow<'b, str>, Error> {
        match self.string(name)? {
            Some(s) if !s.is_empty() => Ok(s),
            Some(_) => Err(Error::validation(name.as_str(), "must not be empty")),
            None => Err(self.missing(name)),
        }
    }

    fn text(&self, name: Name, max: usize) -> Result<Id, Error> {
        let s = self.required_string(name)?;
        if s.chars().count() > max {
            return Err(Error::validation(
                name.as_str(),
                &format!("must be 1 to {max} characters"),
            ));
        }
        Ok(Id::new(s))
    }

    fn integer(&self, name: Name, min: i64, max: i64, rule: &str) -> Result<Option<i64>, Error> {
        let out_of_rule = || Error::validation(name.as_str(), rule);
        let n = match self.get(name) {
            None => return Ok(None),
            Some(Field::Number(n)) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => i,
                (None, Some(f)) if f.fract() == 0.0 && !self.strict && f.abs() < 1e15 => f as i64,
                _ => return Err(out_of_rule()),
            },
            Some(Field::Str(s)) if !self.strict => match s.trim().parse::<i64>() {
                Ok(i) => i,
                Err(_) if s.trim().parse::<f64>().is_ok() => return Err(out_of_rule()),
                Err(_) => {
                    return Err(Error::malformed(format!(
                        "{name}: \"{s}\" is not a number ({rule})"
                    )));
                }
            },
            Some(Field::Str(_)) => {
                return Err(Error::validation(
                    name.as_str(),
                    &format!("{rule}, as a JSON number (strict profile)"),
                ));
            }
            Some(other) => {
                return Err(Error::malformed(format!(
                    "{name} must be a number, not {}",
                    other.kind()
                )));
            }
        };
        if !(min..=max).contains(&n) {
            return Err(out_of_rule());
        }
        Ok(Some(n))
    }

    fn boolean(&self, name: Name) -> Result<Option<bool>, Error> {
        match self.get(name) {
            None => Ok(None),
            Some(Field::Bool(b)) => Ok(Some(*b)),
            Some(Field::Str(s)) if !self.strict && (s == "true" || s == "false") => {
                Ok(Some(s == "true"))
            }
            Some(Field::Str(_)) => Err(Error::validation(
                name.as_str(),
                "must be a boolean (true or false)",
            )),
            Some(other) => Err(Error::malformed(format!(
                "{name} must be a boolean, not {}",
                other.kind()
            ))),
        }
    }

    fn one_of<T: Copy>(&self, name: Name, options: &[(&str, T)]) -> Result<Option<T>, Error> {
        let Some(s) = self.string(name)? else {
            return Ok(None);
        };
        options
            .iter()
            .find(|(n, _)| *n == s)
            .map(|(_, v)| Some(*v))
            .ok_or_else(|| {
                let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
                Error::validation(
                    name.as_str(),
                    &format!("must be one of {}", names.join(", ")),
                )
            })
    }

    fn required<T>(&self, name: Name, got: Option<T>) -> Result<T, Error> {
        got.ok_or_else(|| self.missing(name))
    }
}

/// The body as a JSON object, or 400.
pub fn object<'b, 'a>(body: &'b Json<'a>) -> Result<&'b Object<'a>, Error> {
    match body {
        Json::Object(o) => Ok(o),
        Json::Other(v) => Err(Error::malformed(format!(
            "the request body must be a JSON object, not {}",
            kind(v)
        ))),
    }
}

/// The access rule (403): the body's `Tid` must be the token's (or the master's company's), and `apiKey`
/// that terminal's key. Runs only on the fields present; missing ones fail the field rules later.
pub fn access<'d>(
    body: &Object<'_>,
    who: &Who,
    dir: &'d Directory,
    strict: bool,
) -> Result<Option<&'d std::sync::Arc<Terminal>>, Error> {
    let f = Fields { body, strict };
    let Some(tid) = f.string(Name::Tid)?.filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let allowed = match who {
        Who::Terminal(token_tid) => **token_tid == *tid,
        Who::Master(user) => dir
            .account(user)
            .is_some_and(|a| a.kind == AccountKind::Master && a.tids.iter().any(|t| *t == *tid)),
    };
    let terminal = dir
        .terminals
        .get(tid.as_ref())
        .filter(|_| allowed)
        .ok_or_else(|| {
            let why = match who {
                Who::Terminal(t) => format!("the token is bound to TID {t}"),
                Who::Master(_) => format!("TID {tid} does not belong to this master account"),
            };
            Error::forbidden(format!("[Tid]:{{{why}}}"))
        })?;
    if let Some(key) = f.string(Name::ApiKey)?.filter(|k| !k.is_empty())
        && *key != *terminal.api_key
    {
        return Err(Error::forbidden(format!(
            "[apiKey]:{{not the API key of TID {tid}}}"
        )));
    }
    Ok(Some(terminal))
}

/// Field rules of a TRANSACTION body, in the spec's table order; the first failure is reported.
pub fn transaction(
    body: &Object<'_>,
    terminal: Option<&Terminal>,
    strict: bool,
) -> Result<TransactionRequest, Error> {
    let f = Fields { body, strict };
    if strict && let Some(unknown) = body.keys().find(|k| !TRANSACTION_FIELDS.contains(k)) {
        return Err(Error::validation(unknown, "unknown field (strict profile)"));
    }
    let api_key = Id::from(&*f.required_string(Name::ApiKey)?);
    let tid = Id::from(&*f.required_string(Name::Tid)?);
    let terminal = terminal.ok_or_else(|| f.missing(Name::Tid))?;
    let initiator = f.text(Name::Initiator, 100)?;
    let title = f.text(Name::Title, 200)?;
    let ops = [
        ("SALE", Operation::Sale),
        ("VOID", Operation::Void),
        ("REFUND", Operation::Refund),
    ];
    let operation = f.required(
        Name::TransactionOperation,
        f.one_of(Name::TransactionOperation, &ops)?,
    )?;
    let types = [("CASH", PayType::Cash), ("CARD", PayType::Card)];
    let pay_type = f.required(
        Name::TransactionType,
        f.one_of(Name::TransactionType, &types)?,
    )?;
    let amount = f.required(
        Name::Amount,
        f.integer(Name::Amount, 1, MAX_AMOUNT, AMOUNT_RULE)?,
    )?;
    let tip_amount = match operation {
        Operation::Void => None,
        _ => f.integer(
            Name::TipAmount,
            0,
            MAX_AMOUNT,
            "must be an integer between 0 and 99999999",
        )?,
    };
    let currency_code = match f.string(Name::CurrencyCode)? {
        None => terminal.currency.clone(),
        Some(c) if c.len() != 3 || !c.chars().all(|ch| ch.is_ascii_alphabetic()) => {
            return Err(Error::validation(
                "currencyCode",
                "must be a 3-letter ISO 4217 code",
            ));
        }
        Some(c) if *c != *terminal.currency => {
            let why = format!("must be the terminal's currency {}", terminal.currency);
            return Err(Error::validation("currencyCode", &why));
        }
        Some(c) => Id::from(&*c),
    };
    let origin_reference_num = match f.string(Name::OriginReferenceNum)? {
        Some(r) if r.is_empty() => None,
        Some(r) if !is_reference(&r) => {
            let why = "must be at most 20 ASCII letters and digits (no spaces, punctuation or diacritics)";
            return Err(Error::validation("originReferenceNum", why));
        }
        r => r.map(|r| Id::from(&*r)),
    };
    let print_by_payment_app = f.boolean(Name::PrintByPaymentApp)?.unwrap_or(true);
    let time_to_live = f.integer(
        Name::TimeToLive,
        1,
        86_400,
        "must be an integer between 1 and 86400 (seconds)",
    )?;
    let (cancel_mode, origin_transaction_id) = if operation == Operation::Void {
        let modes = [
            ("LAST_TRANSACTION", CancelMode::LastTransaction),
            ("OLDER_TRANSACTION", CancelMode::OlderTransaction),
        ];
        let mode = f.required(Name::CancelMode, f.one_of(Name::CancelMode, &modes)?)?;
        let origin = f
            .string(Name::OriginTransactionId)?
            .filter(|s| !s.is_empty());
        match (mode, origin) {
            (CancelMode::OlderTransaction, None) => {
                return Err(Error::validation(
                    "originTransactionId",
                    "is required when cancelMode is OLDER_TRANSACTION",
                ));
            }
            (CancelMode::LastTransaction, _) => (Some(mode), None),
            (CancelMode::OlderTransaction, origin) => (Some(mode), origin.map(|o| Id::from(&*o))),
        }
    } else {
        (None, None)
    };
    Ok(TransactionRequest {
        api_key,
        tid,
        initiator,
        title,
        operation,
        pay_type,
        amount,
        tip_amount,
        currency_code,
        origin_reference_num,
        print_by_payment_app,
        time_to_live,
        cancel_mode,
        origin_transaction_id,
    })
}

/// Field rules of a BATCH body: `apiKey`, `Tid`, `initiator`, `title`; everything else is ignored.
pub fn batch(body: &Object<'_>, strict: bool) -> Result<BatchRequest, Error> {
    let f = Fields { body, strict };
    Ok(BatchRequest {
        api_key: Id::from(&*f.required_string(Name::ApiKey)?),
        tid: Id::from(&*f.required_string(Name::Tid)?),
        initiator: f.text(Name::Initiator, 100)?,
        title: f.text(Name::Title, 200)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::terminal::Mode;
    use serde_json::json;

    fn terminal() -> Terminal {
        Terminal {
            tid: "999888".into(),
            api_key: "333W212J3".into(),
            merchant_id: "343382001".into(),
            currency: "CZK".into(),
            mode: Mode::Automatic,
            reachable: true,
            tip_enabled: true,
            printer_available: true,
            latency: None,
        }
    }

    fn sale() -> Value {
        json!({"apiKey": "333W212J3", "Tid": "999888", "initiator": "Cash desk 1", "title": "Invoice 1",
               "transactionOperation": "SALE", "transactionType": "CARD", "amount": 1111})
    }

    fn fields(body: &Value) -> Object<'_> {
        Object::from_map(body.as_object().unwrap())
    }

    fn context(body: Value, strict: bool) -> String {
        let e = transaction(&fields(&body), Some(&terminal()), strict).unwrap_err();
        format!("{} {} {}", e.status, e.kind, e.context.unwrap_or_default())
    }

    fn with(key: &str, value: Value) -> Value {
        let mut b = sale();
        b[key] = value;
        b
    }

    /// One row per rule of cloud-mock.md §6: (field, bad value, strict?, expected "status type context").
    #[test]
    fn every_field_rule() {
        let rows: Vec<(&str, Value, bool, &str)> = vec![
            (
                "apiKey",
                json!(""),
                false,
                "406 VALIDATION_EXCEPTION [apiKey]:{must not be empty}",
            ),
            (
                "Tid",
                json!(null),
                false,
                "406 VALIDATION_EXCEPTION [Tid]:{is required}",
            ),
            (
                "initiator",
                json!(""),
                false,
                "406 VALIDATION_EXCEPTION [initiator]:{must not be empty}",
            ),
            (
                "initiator",
                json!("x".repeat(101)),
                false,
                "406 VALIDATION_EXCEPTION [initiator]:{must be 1 to 100 characters}",
            ),
            (
                "title",
                json!("x".repeat(201)),
                false,
                "406 VALIDATION_EXCEPTION [title]:{must be 1 to 200 characters}",
            ),
            (
                "transactionOperation",
                json!("sale"),
                false,
                "406 VALIDATION_EXCEPTION [transactionOperation]:{must be one of SALE, VOID, REFUND}",
            ),
            (
                "transactionType",
                json!("CRYPTO"),
                false,
                "406 VALIDATION_EXCEPTION [transactionType]:{must be one of CASH, CARD}",
            ),
            (
                "amount",
                json!(0),
                false,
                "406 VALIDATION_EXCEPTION [amount]:{must be an integer between 1 and 99999999}",
            ),
            (
                "amount",
                json!(100_000_000),
                false,
                "406 VALIDATION_EXCEPTION [amount]:{must be an integer between 1 and 99999999}",
            ),
            (
                "amount",
                json!(11.5),
                false,
                "406 VALIDATION_EXCEPTION [amount]:{must be an integer between 1 and 99999999}",
            ),
            (
                "amount",
                json!("11.50"),
                false,
                "406 VALIDATION_EXCEPTION [amount]:{must be an integer between 1 and 99999999}",
            ),
            (
                "amount",
                json!(-5),
                false,
                "406 VALIDATION_EXCEPTION [amount]:{must be an integer between 1 and 99999999}",
            ),
            (
                "amount",
                json!("1111"),
                true,
                "406 VALIDATION_EXCEPTION [amount]:{must be an integer between 1 and 99999999, as a JSON number (strict profile)}",
            ),
            ("amount", json!("abc"), false, "400 MALFORMED_REQUEST "),
            ("amount", json!(true), false, "400 MALFORMED_REQUEST "),
            (
                "tipAmount",
                json!(-1),
                false,
                "406 VALIDATION_EXCEPTION [tipAmount]:{must be an integer between 0 and 99999999}",
            ),
            (
                "currencyCode",
                json!("EURO"),
                false,
                "406 VALIDATION_EXCEPTION [currencyCode]:{must be a 3-letter ISO 4217 code}",
            ),
            (
                "currencyCode",
                json!("EUR"),
                false,
                "406 VALIDATION_EXCEPTION [currencyCode]:{must be the terminal's currency CZK}",
            ),
            (
                "originReferenceNum",
                json!("FAKTURA-1"),
                false,
                "406 VALIDATION_EXCEPTION [originReferenceNum]:{must be at most 20 ASCII letters and digits (no spaces, punctuation or diacritics)}",
            ),
            (
                "originReferenceNum",
                json!("Fakturač1"),
                false,
                "406 VALIDATION_EXCEPTION [originReferenceNum]:{must be at most 20 ASCII letters and digits (no spaces, punctuation or diacritics)}",
            ),
            (
                "originReferenceNum",
                json!("A".repeat(21)),
                false,
                "406 VALIDATION_EXCEPTION [originReferenceNum]:{must be at most 20 ASCII letters and digits (no spaces, punctuation or diacritics)}",
            ),
            (
                "printByPaymentApp",
                json!("yes"),
                false,
                "406 VALIDATION_EXCEPTION [printByPaymentApp]:{must be a boolean (true or false)}",
            ),
            (
                "printByPaymentApp",
                json!("true"),
                true,
                "406 VALIDATION_EXCEPTION [printByPaymentApp]:{must be a boolean (true or false)}",
            ),
            (
                "timeToLive",
                json!(0),
                false,
                "406 VALIDATION_EXCEPTION [timeToLive]:{must be an integer between 1 and 86400 (seconds)}",
            ),
            (
                "timeToLive",
                json!(86_401),
                false,
                "406 VALIDATION_EXCEPTION [timeToLive]:{must be an integer between 1 and 86400 (seconds)}",
            ),
            (
                "Tid",
                json!(999888),
                true,
                "406 VALIDATION_EXCEPTION [Tid]:{must be a JSON string}",
            ),
            (
                "surprise",
                json!(1),
                true,
                "406 VALIDATION_EXCEPTION [surprise]:{unknown field (strict profile)}",
            ),
        ];
        for (field, value, strict, expected) in rows {
            assert_eq!(
                context(with(field, value.clone()), strict),
                expected,
                "{field} = {value} strict={strict}"
            );
        }
    }

    #[test]
    fn void_needs_cancel_mode_and_origin_for_older() {
        let void = with("transactionOperation", json!("VOID"));
        assert!(context(void.clone(), false).ends_with("[cancelMode]:{is required}"));
        let mut older = void;
        older["cancelMode"] = json!("OLDER_TRANSACTION");
        assert!(
            context(older, false).ends_with(
                "[originTransactionId]:{is required when cancelMode is OLDER_TRANSACTION}"
            )
        );
    }

    #[test]
    fn lenient_coerces_and_normalises() {
        let mut b = sale();
        b["amount"] = json!("1111");
        b["printByPaymentApp"] = json!("false");
        b["originReferenceNum"] = json!("");
        b["cancelMode"] = json!("LAST_TRANSACTION"); // ignored on SALE
        b["extra"] = json!({"deep": [1, 2]}); // unknown fields ignored
        let r = transaction(&fields(&b), Some(&terminal()), false).unwrap();
        assert_eq!((r.amount, r.print_by_payment_app), (1111, false));
        assert_eq!(r.currency_code, "CZK");
        assert_eq!((r.origin_reference_num, r.cancel_mode), (None, None));
    }

    #[test]
    fn likely_mistakes_name_the_field() {
        let body = json!({"tid": "1", "amount": 11.5, "tipAmount": "0", "foo": 1});
        let m = likely_mistakes(body.as_object().unwrap());
        assert_eq!(m.len(), 4, "{m:?}");
        assert!(
            m[0].contains("\"Tid\"") && m[1].contains("\"foo\"") && m[2].contains("minor units"),
            "{m:?}"
        );
        assert!(likely_mistakes(sale().as_object().unwrap()).is_empty());
    }

    #[test]
    fn lowercase_tid_gets_a_hint() {
        let mut b = sale();
        let tid = b.as_object_mut().unwrap().remove("Tid").unwrap();
        b["tid"] = tid;
        let e = transaction(&fields(&b), Some(&terminal()), false).unwrap_err();
        assert_eq!(e.context.as_deref(), Some("[Tid]:{is required}"));
        assert!(e.message.contains("case-sensitive"), "{}", e.message);
    }
}
