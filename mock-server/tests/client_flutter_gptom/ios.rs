//! The iOS plugin of AppsDevTeam/flutter-gptom, commit 11c1772c9e97fc929321bb5b8cc2dc841199867b: the deep links
//! `ios/Classes/GpTomPlugin.swift` builds (`register` 137-161, `transaction` 163-285, `getDetail` 295-327,
//! `buildDeeplink` 493-507, `buildRedirectUrl` 583-595) and what it makes of GP tom's redirect
//! (`application(_:open:)` 329-462, `toPluginResponse` 527-570, `mappers/TransactionMapper.swift`,
//! `mappers/BatchMapper.swift`), on top of the SDK copy in `ios_sdk.rs`.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::{Map, Value, json};

pub use crate::ios_sdk::{Batch, Decimal, DeeplinkResult, TransactionData, iso8601_format};

/// `TransactionMapper.toMap(tx, transactionType)` (`TransactionMapper.swift:6-44`).
pub fn transaction_map(tx: &TransactionData, transaction_type: i64) -> Value {
    let amount = |s: &Option<String>| {
        s.as_deref()
            .and_then(|a| Decimal::parse(&a.replace(',', ".")))
            .map(Decimal::int64)
    };
    json!({
        "transactionId": tx.transaction_id, "amsId": tx.ams_id, "result": tx.result,
        "transactionType": transaction_type, "paymentMethod": tx.transaction_type,
        "merchantId": tx.merchant_id, "terminalId": tx.terminal_id, "currencyCode": tx.currency_code,
        "amount": amount(&tx.amount), "tipAmount": amount(&tx.tip_amount),
        "cardNumber": tx.card_number, "cardProduct": tx.card_type, "cardDataEntry": tx.card_entry_mode,
        "approvedCode": tx.authorization_code, "referenceNumber": tx.reference_number,
        "date": tx.date.map(iso8601_format), "emvAid": tx.emv_aid, "emvAppLabel": tx.emv_app_label,
        "batchNumber": tx.batch_number, "sequenceNumber": tx.sequence_number,
        "receiptNumber": tx.receipt_number, "pinOk": tx.pin_ok, "blikCode": tx.blik_code,
    })
}

/// `BatchMapper.toMap(batch)` (`BatchMapper.swift:6-36`): amounts `int64` (minor units).
pub fn batch_map(b: &Batch) -> Value {
    json!({
        "amsId": b.ams_id, "batchNumber": b.batch_number, "communicationId": b.communication_id,
        "currencyCode": b.currency, "date": b.date.map(iso8601_format),
        "firstTransactionDate": b.first_transaction_date.map(iso8601_format),
        "previousBatchDate": b.previous_batch_date.map(iso8601_format),
        "saleAmount": b.sale_amount.map(Decimal::int64), "saleCount": b.sale_count,
        "totalAmount": b.total_amount.map(Decimal::int64), "totalCount": b.total_count,
        "voidAmount": b.void_amount.map(Decimal::int64), "voidCount": b.void_count,
        "invalidCount": b.invalid_count, "tipAmount": b.tip_amount.int64(), "tipCount": b.tip_count,
        "tipAverage": b.tip_average.int64(), "tipAveragePercentage": b.tip_average_percentage,
    })
}

/// `ResultCodes.from(DeeplinkError)` (`core/ResultCodes.swift:31-74`): the same names.
fn result_code_of(e: &'static str) -> &'static str {
    e
}

/// `toPluginResponse(status, refusal, error, successData)` (`GpTomPlugin.swift:527-570`) as the event's
/// `{code, message, data}`: decoded data wins over everything.
fn to_plugin_response(
    status: &str,
    refusal: Option<&str>,
    error: Option<&'static str>,
    data: Option<Value>,
) -> Value {
    if let Some(d) = data {
        return json!({"code": "ok", "data": d});
    }
    let (code, message) = if let Some(e) = error {
        (result_code_of(e), e.to_owned())
    } else if status == "CANCELLED" {
        ("cancelled", status.to_owned())
    } else if status != "COMPLETED" {
        ("failed", status.to_owned())
    } else if let Some(r) =
        refusal.filter(|r| !["approved", "approvedRequiredIdentification"].contains(r))
    {
        ("failed", r.to_owned())
    } else {
        ("internalError", "No result data returned".to_owned())
    };
    json!({"code": code, "message": message, "data": null})
}

/// `URLQueryItem` value encoding as `URLComponents.queryItems` applies it: query-legal characters stay (`:`, `/`,
/// `?`, `+`), space, `&`, `=`, `#`, `%` and non-ASCII are percent-encoded.
const QUERY_ITEM: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}')
    .add(b'&')
    .add(b'=');

/// The iOS plugin instance (`init(iosRedirectScheme:)` done).
pub struct IosPlugin {
    /// `iosRedirectScheme`.
    pub scheme: String,
    /// `PendingStore`: the last registered request id.
    pub pending: Option<String>,
    next_uuid: u32,
}

impl IosPlugin {
    pub fn new(scheme: &str) -> Self {
        IosPlugin {
            scheme: scheme.into(),
            pending: None,
            next_uuid: 0,
        }
    }

    /// Method `register` (`GpTomPlugin.swift:137-161`): a local `UUID().uuidString`, no GP tom call.
    pub fn register(&mut self, args: &Value) -> Value {
        self.next_uuid += 1;
        let id = format!("6F9619FF-8B86-D011-B42D-00C04FC9{:04X}", self.next_uuid);
        if args["persistPending"].as_bool().unwrap_or(true) {
            self.pending = Some(id.clone());
        }
        json!({"code": "ok", "data": {"resultCode": 0, "transactionId": id,
            "originReferenceNum": args["originReferenceNum"], "clientId": args["clientId"],
            "responseMessage": null, "error": null}})
    }

    /// `buildRedirectUrl(schemeUrl, path)` (583-595): the scheme URL with its path replaced.
    fn redirect_url(&self, path: &str) -> String {
        let base = self.scheme.trim_end_matches('/');
        match base.split_once("://") {
            Some((s, rest)) => {
                let host = rest.split('/').next().unwrap_or("");
                format!("{s}://{host}/{path}")
            }
            None => format!("{base}/{path}"),
        }
    }

    /// `buildDeeplink(path, params)` (493-507): nil and empty values dropped; `order` stands for the unordered
    /// Swift dictionary.
    fn deeplink(path: &str, params: Vec<(&str, Option<String>)>) -> String {
        let items: Vec<String> = params
            .into_iter()
            .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (k, v)))
            .map(|(k, v)| format!("{k}={}", utf8_percent_encode(&v, QUERY_ITEM)))
            .collect();
        if items.is_empty() {
            format!("gptom://{path}")
        } else {
            format!("gptom://{path}?{}", items.join("&"))
        }
    }

    /// Method `transaction` (163-285) and `closeBatchLegacy` (71-73): the method result and the URL it opens.
    pub fn transaction(&self, args: &Value) -> (Value, Option<String>) {
        let invalid = |m: &str| json!({"code": "invalidArgument", "message": m, "data": null});
        let Some(tx) = args["transactionId"].as_str().filter(|s| !s.is_empty()) else {
            return (invalid("transactionId is required"), None);
        };
        let (path, kind) = match args["transactionType"].as_i64() {
            Some(1) => ("transaction/create", "sale"),
            Some(2) => ("transaction/cancel", "cancel"),
            Some(3) => ("transaction/refund", "refund"),
            Some(4) => ("batch/close", "closeBatch"),
            _ => return (invalid("Unsupported transactionType"), None),
        };
        let amount = args["amount"].as_i64();
        if matches!(kind, "sale" | "refund") && amount.is_none_or(|a| a < 0) {
            return (invalid("amount is required for sale/refund"), None);
        }
        let mut origin = None;
        if kind == "cancel" {
            let mode = args["cancelMode"].as_i64();
            if !matches!(mode, Some(1 | 2)) {
                return (invalid("cancelMode must be 1 or 2 for cancel"), None);
            }
            if mode == Some(2) {
                origin = args["originTransactionId"]
                    .as_str()
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned);
                if origin.is_none() {
                    return (invalid("originTransactionId is required"), None);
                }
            }
        }
        let b = |v: &Value| v.as_bool().map(|b| b.to_string());
        let s = |v: &Value| v.as_str().map(str::to_owned);
        let mut params = vec![
            ("requestID", Some(tx.to_owned())),
            ("redirectUrl", Some(self.redirect_url(path))),
            ("clientID", s(&args["clientId"])),
            (
                "printByPaymentApp",
                Some(
                    args["printByPaymentApp"]
                        .as_bool()
                        .unwrap_or(true)
                        .to_string(),
                ),
            ),
        ];
        if kind == "sale" {
            params.push(("amount", amount.map(|a| a.to_string())));
            params.push(("tipCollect", b(&args["tipCollect"])));
            params.push((
                "tipAmount",
                args["tipAmount"].as_i64().map(|a| a.to_string()),
            ));
            params.push(("originReferenceNum", s(&args["originReferenceNum"])));
            params.push(("transactionType", s(&args["paymentMethod"])));
        }
        if kind == "refund" {
            params.push(("amount", amount.map(|a| a.to_string())));
            params.push(("originReferenceNum", s(&args["originReferenceNum"])));
            params.push(("transactionType", s(&args["paymentMethod"])));
        }
        if kind == "cancel" {
            params.push(("amsID", origin));
        }
        let ok = json!({"code": "ok", "data": null});
        (ok, Some(Self::deeplink(path, params)))
    }

    /// Method `getDetail` (295-327): the URL it opens.
    pub fn get_detail(&self, tx: &str) -> String {
        Self::deeplink(
            "transaction/detail",
            vec![
                ("requestID", Some(tx.to_owned())),
                ("redirectUrl", Some(self.redirect_url("transaction/detail"))),
            ],
        )
    }

    /// `application(_:open:)` (329-462): the event the redirect produces, and the decoded result.
    pub fn open(&mut self, url: &str) -> (Value, Option<DeeplinkResult>) {
        let Some(result) = DeeplinkResult::from(url) else {
            let e = json!({"kind": "info", "code": "invalidDeeplink",
                "message": "Failed to parse DeeplinkResult", "data": null});
            return (e, None);
        };
        let mut e = Map::new();
        let response = match &result {
            DeeplinkResult::Transaction {
                path,
                receipt,
                refusal,
                status,
                error,
                ..
            } => {
                let (kind, ty) = match *path {
                    "transaction/create" => ("sale", 1),
                    "transaction/refund" => ("refund", 3),
                    _ => ("cancel", 2),
                };
                e.insert("kind".into(), json!(kind));
                let tx = receipt
                    .as_ref()
                    .and_then(|r| r.transaction_id.clone())
                    .or(self.pending.clone());
                if let Some(t) = tx {
                    e.insert("transactionId".into(), json!(t));
                }
                self.pending = None;
                let data = receipt.as_deref().map(|r| transaction_map(r, ty));
                to_plugin_response(status, refusal.as_deref(), *error, data)
            }
            DeeplinkResult::CloseBatch {
                batch,
                status,
                error,
                ..
            } => {
                e.insert("kind".into(), json!("closeBatch"));
                to_plugin_response(status, None, *error, batch.as_deref().map(batch_map))
            }
            DeeplinkResult::Other => json!({"code": "ok", "data": null}),
        };
        if let Value::Object(r) = response {
            e.extend(r);
        }
        (Value::Object(e), Some(result))
    }
}
