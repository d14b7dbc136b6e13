//! Negative controls for the transliteration of the official iOS SDK (github.com/GP-tom/tom-ios-sdk @ 08f1318):
//! literal redirect URLs and JSON, no mock. They prove the Rust decoders are as strict as Swift's — a payload
//! Swift would drop is dropped here too (and a correct one passes) — so the flow tests' "the SDK decodes the
//! mock's answer" means something.

use serde_json::{Value, json};

use crate::sdk::{
    AppStatus, Batch, CardType, DccResulStatus, DeeplinkError, DeeplinkResult, RefusalCode,
    TaskStatus, TransactionData, decode_receipt, result_params,
};
use crate::swift::{Decimal, DecodingError, Url, decode_from_string};

/// A named change to a literal.
type Edit = (&'static str, fn(&mut Value));

/// A receipt as the mock writes it for a DCC sale (a correct literal).
fn good_receipt() -> Value {
    json!({
        "batchNumber": "1", "receiptNumber": "1", "terminalID": "999888", "emvAid": "A0000000041010",
        "emvAppLabel": "Mastercard", "cardNumber": "5994", "transactionType": "CARD", "currencyCode": "CZK",
        "amount": "99.91", "tipAmount": "0", "totalAmount": "99.91", "pinOk": true, "authorizationCode": "995369",
        "sequenceNumber": "100000001", "date": "2026-01-01T00:00:00.000Z", "cardType": "MASTERCARD",
        "referenceNumber": "12345", "transactionID": "a8JEjlbYBY", "result": 0, "cardEntryMode": "CONTACTLESS",
        "merchantID": "343382001", "amsID": "60ffe375-fd1f-42ec-b032-4aa53dee6c38",
        "dccData": {"currency": "KWD", "amount": "1.298", "markup": "3.2", "regionSchemaIndicator": 1,
                    "exchangeRate": 76.923077, "status": "ACCEPTED"}
    })
}

/// `receipt` with `edit` applied.
fn receipt_with(edit: impl FnOnce(&mut Value)) -> Value {
    let mut r = good_receipt();
    edit(&mut r);
    r
}

/// A redirect as GP tom would write it: `gp://transaction/create?status=…&receipt=<percent-encoded JSON>&…`.
fn redirect(status: Option<&str>, receipt: &Value, code: Option<&str>) -> Url {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    let mut q = Vec::new();
    if let Some(s) = status {
        q.push(format!("status={s}"));
    }
    q.push(format!("receipt={}", enc(&receipt.to_string())));
    if let Some(c) = code {
        q.push(format!("code={c}"));
    }
    Url::parse(&format!("gp://transaction/create?{}", q.join("&"))).expect("valid URL")
}

fn receipt_of(url: &Url) -> Option<TransactionData> {
    match DeeplinkResult::from(url) {
        Some(DeeplinkResult::CreateTransaction(r, ..)) => r,
        other => panic!("not routed to createTransaction: {other:?}"),
    }
}

#[test]
fn a_correct_receipt_passes() {
    let url = redirect(Some("COMPLETED"), &good_receipt(), Some("approved"));
    let Some(DeeplinkResult::CreateTransaction(Some(r), code, status, error)) =
        DeeplinkResult::from(&url)
    else {
        panic!("dropped")
    };
    assert_eq!(
        (code, status, error),
        (Some(RefusalCode::Approved), TaskStatus::Completed, None)
    );
    assert_eq!(r.card_type, Some(CardType::Mastercard));
    assert_eq!(r.date, Some(1_767_225_600_000));
    let dcc = r.dcc_data.expect("dccData");
    assert_eq!(
        (dcc.currency, dcc.status),
        ("KWD", Some(DccResulStatus::Accepted))
    );
    assert_eq!(dcc.formatted_comparison("CZK"), "1 KWD = 76.9231 CZK");
    assert_eq!(dcc.amount, Decimal::parse_exact("1.298").expect("decimal"));
}

#[test]
fn a_maestro_card_type_drops_the_whole_receipt() {
    let r = receipt_with(|r| r["cardType"] = json!("MAESTRO"));
    assert!(matches!(
        decode_receipt(&r.to_string()),
        Err(DecodingError::DataCorrupted { ref path, .. }) if path == "cardType"
    ));
    let url = redirect(Some("COMPLETED"), &r, Some("approved"));
    // the app still learns COMPLETED/approved, but has no receipt (no amsID to void it with)
    assert_eq!(
        DeeplinkResult::from(&url),
        Some(DeeplinkResult::CreateTransaction(
            None,
            Some(RefusalCode::Approved),
            TaskStatus::Completed,
            None
        ))
    );
}

#[test]
fn an_exchange_rate_string_drops_the_whole_receipt() {
    let r = receipt_with(|r| r["dccData"]["exchangeRate"] = json!("76.923077"));
    assert!(matches!(
        decode_receipt(&r.to_string()),
        Err(DecodingError::TypeMismatch { ref path, .. }) if path == "dccData.exchangeRate"
    ));
    assert_eq!(receipt_of(&redirect(Some("COMPLETED"), &r, None)), None);
}

#[test]
fn a_result_string_drops_the_whole_receipt() {
    let r = receipt_with(|r| r["result"] = json!("0"));
    assert!(matches!(
        decode_receipt(&r.to_string()),
        Err(DecodingError::TypeMismatch { ref path, .. }) if path == "result"
    ));
    assert_eq!(receipt_of(&redirect(Some("COMPLETED"), &r, None)), None);
}

#[test]
fn a_redirect_without_status_is_not_routed() {
    let url = redirect(None, &good_receipt(), Some("approved"));
    assert_eq!(DeeplinkResult::from(&url), None);
    // nor with a status the SDK does not know
    let url = redirect(Some("completed"), &good_receipt(), Some("approved"));
    assert_eq!(DeeplinkResult::from(&url), None);
    for u in [
        "gp://status?appStatus=%7B%22appVersion%22%3A%221.80.0%22%7D",
        "gp://login?error=invalidCredentials",
        "gp://logout",
        "gp://batch/close?batch=%7B%22amsId%22%3A%22OPEN%22%7D",
    ] {
        assert_eq!(
            DeeplinkResult::from(&Url::parse(u).expect("url")),
            None,
            "{u}"
        );
    }
}

/// Every other way one field makes Swift drop a receipt — and the ones it tolerates.
#[test]
fn receipt_fields_are_decoded_without_coercion() {
    let dropped: [Edit; 12] = [
        ("amount as a number", |r| r["amount"] = json!(99.91)),
        ("pinOk as 1", |r| r["pinOk"] = json!(1)),
        ("pinOk as \"true\"", |r| r["pinOk"] = json!("true")),
        ("batchNumber as a number", |r| r["batchNumber"] = json!(1)),
        ("result 0.5", |r| r["result"] = json!(0.5)),
        ("transactionType lowercase", |r| {
            r["transactionType"] = json!("card")
        }),
        ("transactionType GO_CRYPTO (removed from the SDK)", |r| {
            r["transactionType"] = json!("GO_CRYPTO")
        }),
        ("dcc regionSchemaIndicator as a string", |r| {
            r["dccData"]["regionSchemaIndicator"] = json!("1")
        }),
        ("dcc exchangeRate missing", |r| {
            r["dccData"]
                .as_object_mut()
                .map(|o| o.remove("exchangeRate"));
        }),
        ("dcc currency missing", |r| {
            r["dccData"].as_object_mut().map(|o| o.remove("currency"));
        }),
        ("dcc status lowercase", |r| {
            r["dccData"]["status"] = json!("accepted")
        }),
        ("dcc amount not a number", |r| {
            r["dccData"]["amount"] = json!("n/a")
        }),
    ];
    for (what, edit) in dropped {
        let r = receipt_with(edit);
        assert!(
            decode_receipt(&r.to_string()).is_err(),
            "{what}: must be dropped"
        );
        assert_eq!(
            receipt_of(&redirect(Some("COMPLETED"), &r, None)),
            None,
            "{what}"
        );
    }

    // tolerated: null/absent optionals, unknown keys, an integral float for an Int, a date without fraction
    // (silently nil), an unknown DCC currency (silently EUR), markup as a number, DCC amount as a number
    let kept = receipt_with(|r| {
        r["pinOk"] = Value::Null;
        r.as_object_mut().map(|o| o.remove("cardNumber"));
        r["somethingNew"] = json!({"x": 1});
        r["result"] = json!(0.0);
        r["date"] = json!("2026-01-01T00:00:00Z");
        r["dccData"]["currency"] = json!("XYZ");
        r["dccData"]["markup"] = json!(3.2);
        r["dccData"]["amount"] = json!(1.298);
    });
    let r = decode_receipt(&kept.to_string()).expect("Swift decodes it");
    assert_eq!((r.pin_ok, r.card_number, r.result), (None, None, Some(0)));
    assert_eq!(
        r.date, None,
        "the fractional-seconds formatter cannot read it"
    );
    let dcc = r.dcc_data.expect("dccData");
    assert_eq!((dcc.currency, dcc.markup.as_str()), ("EUR", "3.2"));
    assert_eq!(dcc.amount, Decimal::parse_exact("1.298").expect("decimal"));
}

#[test]
fn unknown_codes_and_errors_vanish_without_dropping_the_result() {
    let url = Url::parse("gp://transaction/create?status=COMPLETED&code=APPROVED&error=timeout")
        .expect("url");
    assert_eq!(
        DeeplinkResult::from(&url),
        Some(DeeplinkResult::CreateTransaction(
            None,
            None,
            TaskStatus::Completed,
            None
        ))
    );
    assert_eq!(
        DeeplinkError::from_raw("userNotLoggedIn"),
        Some(DeeplinkError::UserNotLoggedIn)
    );
    assert_eq!(RefusalCode::ALL.len(), 30);
}

#[test]
fn batches_and_app_status_are_strict_too() {
    let batch = json!({"amsId": "B1", "batchNumber": "1", "saleAmount": 11.11, "saleCount": 1, "tipCount": 1,
                       "tipAmount": 1.5, "tipAverage": 1.5, "tipAveragePercentage": 13.5,
                       "subBatches": {"CARD": {"saleAmount": 11.11, "saleCount": 1}}});
    let b: Batch = decode_from_string(&batch.to_string()).expect("a correct batch");
    assert_eq!(b.tip_count, 1);
    assert_eq!(
        b.sub_batches
            .and_then(|s| s.card)
            .and_then(|c| c.sale_count),
        Some(1.0)
    );
    let edits: [Edit; 5] = [
        ("no amsId", |b| {
            b.as_object_mut().map(|o| o.remove("amsId"));
        }),
        ("amsId null", |b| b["amsId"] = Value::Null),
        ("saleAmount as a string", |b| {
            b["saleAmount"] = json!("11.11")
        }),
        ("tipCount 1.5", |b| b["tipCount"] = json!(1.5)),
        ("sub-batch count as a string", |b| {
            b["subBatches"]["CARD"]["saleCount"] = json!("1")
        }),
    ];
    for (what, edit) in edits {
        let mut v = batch.clone();
        edit(&mut v);
        assert!(
            decode_from_string::<Batch>(&v.to_string()).is_err(),
            "{what}"
        );
        let url = format!(
            "gp://batch/close?status=COMPLETED&batch={}",
            percent_encoding::utf8_percent_encode(
                &v.to_string(),
                percent_encoding::NON_ALPHANUMERIC
            )
        );
        assert_eq!(
            DeeplinkResult::from(&Url::parse(&url).expect("url")),
            Some(DeeplinkResult::CloseBatch(
                None,
                TaskStatus::Completed,
                None
            )),
            "{what}"
        );
    }

    let status = json!({"appVersion": "1.80.0", "userInfo": {"clientId": "C", "email": "e", "tid": "1",
        "mid": "2", "tipEnabled": true, "printerAvailable": false, "manualTransactionRestricted": false,
        "merchantLocation": {"city": "Prague", "county": ""}}});
    let s: AppStatus = decode_from_string(&status.to_string()).expect("a correct app status");
    assert!(s.is_logged_in());
    for (what, edit) in [
        (
            "no appVersion",
            (|s: &mut Value| {
                s.as_object_mut().map(|o| o.remove("appVersion"));
            }) as fn(&mut Value),
        ),
        ("tipEnabled as 1", |s| {
            s["userInfo"]["tipEnabled"] = json!(1)
        }),
        ("no merchantLocation", |s| {
            s["userInfo"]
                .as_object_mut()
                .map(|o| o.remove("merchantLocation"));
        }),
        ("no clientId", |s| {
            s["userInfo"].as_object_mut().map(|o| o.remove("clientId"));
        }),
    ] {
        let mut v = status.clone();
        edit(&mut v);
        assert!(
            decode_from_string::<AppStatus>(&v.to_string()).is_err(),
            "{what}"
        );
    }
}

#[test]
fn routing_is_by_substring_in_the_sdks_order() {
    let route = |u: &str| DeeplinkResult::from(&Url::parse(u).expect("url"));
    // change-password is checked before login
    assert_eq!(
        route("gp://change-password?status=COMPLETED&next=login"),
        Some(DeeplinkResult::ChangePassword(TaskStatus::Completed, None))
    );
    // the first matching substring wins, wherever it is — even in another parameter
    assert!(matches!(
        route("gp://logout?status=COMPLETED&from=transaction/create"),
        Some(DeeplinkResult::CreateTransaction(..))
    ));
    // `appStatus` anywhere routes to .status; a redirect with no known substring is nil
    assert_eq!(
        route("gp://anything?status=COMPLETED&appStatus=%7B%7D"),
        Some(DeeplinkResult::Status(None, TaskStatus::Completed)),
        "appStatus without appVersion decodes to nil"
    );
    assert_eq!(route("gp://transaction/detail?status=COMPLETED"), None);
    assert_eq!(route("gp://batch/detail?status=COMPLETED"), None);
}

#[test]
fn values_are_percent_decoded_twice() {
    let params = |u: &str| result_params(&Url::parse(u).expect("url"));
    // %2541 → "%41" (URLComponents) → "A" (removingPercentEncoding)
    assert_eq!(params("gp://x?v=%2541")["v"], "A");
    // a literal % after the first decoding makes the second fail: the parameter vanishes
    assert!(!params("gp://x?v=100%25").contains_key("v"));
    // … even one that an earlier item had set
    assert!(!params("gp://x?v=1&v=100%25").contains_key("v"));
    // `+` is never a space
    assert_eq!(params("gp://x?v=+420")["v"], "+420");
    // a receipt whose JSON holds a `%` is lost the same way
    let r = receipt_with(|r| r["emvAppLabel"] = json!("100% Card"));
    assert_eq!(receipt_of(&redirect(Some("COMPLETED"), &r, None)), None);
}
