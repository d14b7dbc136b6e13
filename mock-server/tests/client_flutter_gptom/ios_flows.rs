//! AppsDevTeam/flutter-gptom (commit 11c1772c9e97fc929321bb5b8cc2dc841199867b) on iOS against the mock: the deep
//! links `ios/Classes/GpTomPlugin.swift` opens for sale, refund, storno, closeBatch and getDetail, and the events
//! it makes of GP tom's redirect through its bundled SDK copy (tom-ios-sdk 7f6e963), parsed by the Dart models.
//! Secondary to the Android channel: it shows what this client's older SDK copy does with the mock's redirects.

use serde_json::{Value, json};

use crate::dart::{
    self, GpTomBatchResult, GpTomResult, GpTomTransactionResult, TransactionRequest,
};
use crate::device::Device;
use crate::ios::{DeeplinkResult, IosPlugin};

const SCHEME: &str = "myapp://gptom";

/// One Dart call on iOS: register (a local UUID), then `transaction`; the opened URL, the mock's full answer and
/// the event.
struct Opened {
    request_id: String,
    url: String,
    answer: Value,
    event: Value,
    result: Option<DeeplinkResult>,
}

async fn run(
    d: &Device,
    p: &mut IosPlugin,
    req: impl FnOnce(&str) -> TransactionRequest,
) -> Opened {
    let reg = p.register(&dart::register_request(None, None, true));
    let request_id = reg["data"]["transactionId"]
        .as_str()
        .expect("id")
        .to_owned();
    let (method, url) = p.transaction(&req(&request_id).to_json());
    assert_eq!(method["code"], "ok");
    let url = url.expect("a deep link");
    let answer = d.open_full(&url).await;
    let redirect = answer["redirect"].as_str().expect("a redirect").to_owned();
    let (event, result) = p.open(&redirect);
    Opened {
        request_id,
        url,
        answer,
        event,
        result,
    }
}

fn dropped(o: &Opened) -> Option<String> {
    match &o.result {
        Some(
            DeeplinkResult::Transaction { dropped, .. }
            | DeeplinkResult::CloseBatch { dropped, .. },
        ) => dropped.clone(),
        _ => None,
    }
}

fn txn(o: &Opened, kind: &str) -> GpTomResult<GpTomTransactionResult> {
    assert_eq!(dart::event_kind(&o.event), kind, "{}", o.event);
    GpTomResult::from_map(&o.event, GpTomTransactionResult::from_json)
        .expect("Dart parses the event")
}

#[tokio::test]
async fn approved_sales_decode_with_the_sdk_copy() {
    let d = Device::start("instant").await;
    let mut p = IosPlugin::new(SCHEME);
    for amount in [1111, 1112, 1113, 1114, 1115] {
        let o = run(&d, &mut p, |id| TransactionRequest::sale(id, amount)).await;
        if amount == 1111 {
            assert_eq!(
                o.url,
                format!(
                    "gptom://transaction/create?requestID={}&redirectUrl=myapp://gptom/transaction/create&printByPaymentApp=false&amount=1111&tipCollect=false",
                    o.request_id
                )
            );
        }
        assert_eq!(o.answer["warnings"], json!([]), "{}", o.url);
        assert_eq!(dropped(&o), None, "{amount}: receipt dropped: {}", o.answer);
        let r = txn(&o, "sale");
        assert_eq!(r.code, "ok", "{amount}: {}", o.event);
        let t = r.data.expect("data");
        assert_eq!((t.result, t.amount), (0, Some(amount)), "{amount}");
        assert_eq!(
            (t.currency_code.as_deref(), t.payment_method.as_deref()),
            (Some("CZK"), Some("CARD"))
        );
        assert_eq!(t.transaction_type, Some(1));
        assert!(t.asm_id.is_some() && t.card_product.is_some() && t.card_number.is_some());
        assert!(t.card_product != Some("unknow"), "{amount}: {}", o.answer);
        assert_eq!(t.date.as_deref(), Some("2026-01-01T00:00:00Z"));
        // CLIENT BUG (C14): the event's transactionId is the receipt's transactionID (GpTomPlugin.swift:359), not
        // the requestID the app registered, so the app cannot match the result to its request.
        assert_ne!(r.transaction_id.as_deref(), Some(o.request_id.as_str()));
        assert_eq!(r.transaction_id, t.transaction_id);
    }
}

#[tokio::test]
async fn declined_and_aborted_sales_come_back_as_ok() {
    let d = Device::start("instant").await;
    let mut p = IosPlugin::new(SCHEME);
    for (amount, status, code) in [
        (1122, "COMPLETED", Some("insufficientFunds")),
        (1127, "CANCELLED", None),
    ] {
        let o = run(&d, &mut p, |id| TransactionRequest::sale(id, amount)).await;
        assert_eq!(o.answer["result"]["status"], status, "{amount}");
        assert_eq!(o.answer["result"]["code"].as_str(), code, "{amount}");
        assert_eq!(dropped(&o), None, "{amount}");
        // CLIENT BUG (C14/C5): toPluginResponse returns Success whenever a receipt decoded
        // (GpTomPlugin.swift:534-536), before it looks at `status` or `code`: a declined or a cancelled payment is an
        // `ok` sale event with result -1.
        let r = txn(&o, "sale");
        assert_eq!(r.code, "ok");
        assert_eq!(r.data.expect("data").result, -1);
    }
}

#[tokio::test]
async fn failed_and_cancelled_sales_map_their_error() {
    let d = Device::start("instant").await;
    let mut p = IosPlugin::new(SCHEME);
    for (amount, code, message) in [
        (1124, "failed", "failed"),
        (1125, "cancelled", "CANCELLED"),
        (1126, "failed", "failed"),
    ] {
        let o = run(&d, &mut p, |id| TransactionRequest::sale(id, amount)).await;
        let r = txn(&o, "sale");
        assert_eq!(
            (r.code, r.message.as_deref()),
            (code, Some(message)),
            "{amount}: {}",
            o.answer
        );
        assert_eq!(r.data, None);
        // no receipt: the event falls back to the pending requestID
        assert_eq!(r.transaction_id.as_deref(), Some(o.request_id.as_str()));
    }
}

#[tokio::test]
async fn dcc_receipts_are_dropped_by_the_stale_sdk_copy() {
    let d = Device::start("instant").await;
    let mut p = IosPlugin::new(SCHEME);
    let o = run(&d, &mut p, |id| TransactionRequest::sale(id, 9991)).await;
    let dcc = &o.answer["result"]["receipt"]["dccData"];
    // what SDK HEAD reads: `exchangeRate` a number; `amount` and `markup` strings (0f9a461 and later)
    assert!(dcc["exchangeRate"].is_number(), "{dcc}");
    assert!(
        dcc["amount"].is_string() && dcc["markup"].is_string(),
        "{dcc}"
    );
    // CLIENT BUG (C15): the bundled copy (7f6e963) decodes `amount` as a Decimal number and `markup` as an Int
    // (DCCOptions.swift:157-158), so the whole receipt is dropped (`try?`, DeeplinkResult.swift:90) and an approved
    // DCC sale becomes internalError "No result data returned".
    assert!(
        dropped(&o).is_some_and(|e| e.contains("amount")),
        "{:?}",
        dropped(&o)
    );
    let r = txn(&o, "sale");
    assert_eq!(
        (r.code, r.message.as_deref()),
        ("internalError", Some("No result data returned"))
    );
}

#[tokio::test]
async fn storno_refund_and_close_batch() {
    let d = Device::start("instant").await;
    let mut p = IosPlugin::new(SCHEME);
    let sale = run(&d, &mut p, |id| TransactionRequest::sale(id, 1114)).await;
    let ams = txn(&sale, "sale")
        .data
        .and_then(|t| t.asm_id)
        .expect("amsId");
    run(&d, &mut p, |id| TransactionRequest::sale(id, 1111)).await;

    // cancelMode 2: amsID = the receipt's amsID
    let o = run(&d, &mut p, |id| TransactionRequest::storno(id, 2, &ams)).await;
    assert!(o.url.contains(&format!("amsID={ams}")), "{}", o.url);
    let r = txn(&o, "cancel");
    assert_eq!(r.code, "ok", "{}", o.answer);
    let t = r.data.expect("data");
    assert_eq!(
        (t.result, t.transaction_type, t.amount),
        (0, Some(2), Some(1114))
    );

    // CLIENT BUG (C13): cancelMode 1 sends no amsID at all (GpTomPlugin.swift:209-234, 269-271); GP tom's parser
    // needs one, and the mock answers cannotBeVoided.
    let o = run(&d, &mut p, |id| TransactionRequest::storno(id, 1, &ams)).await;
    assert!(!o.url.contains("amsID"), "{}", o.url);
    assert_eq!(txn(&o, "cancel").code, "cannotBeVoided");

    let o = run(&d, &mut p, |id| TransactionRequest::refund(id, 700)).await;
    let r = txn(&o, "refund");
    assert_eq!(r.code, "ok");
    let t = r.data.expect("data");
    assert_eq!(
        (t.result, t.transaction_type, t.amount),
        (0, Some(3), Some(700))
    );

    // closeBatch: register(persistPending: false), then transaction type 4 → gptom://batch/close
    let o = run(&d, &mut p, TransactionRequest::close_batch).await;
    assert!(o.url.starts_with("gptom://batch/close?"), "{}", o.url);
    // the plugin sends its requestID to batch/close, which has no such parameter; GP tom ignores it
    assert_eq!(
        o.answer["warnings"],
        json!(["unknown parameter \"requestID\" is ignored by GP tom"])
    );
    assert_eq!(dropped(&o), None, "{}", o.answer);
    assert_eq!(dart::event_kind(&o.event), "closeBatch");
    let r = GpTomResult::from_map(&o.event, GpTomBatchResult::from_json).expect("Dart");
    assert_eq!(r.code, "ok");
    let b = r.data.expect("data");
    // sales 1114 + 1111, the 1114 voided, 700 refunded; the iOS batch has major-unit amounts, mapped ×100
    assert_eq!((b.sale_count, b.sale_amount), (Some(2.0), Some(2225)));
    assert_eq!((b.void_count, b.void_amount), (Some(1.0), Some(1114)));
    assert_eq!(b.currency.as_deref(), Some("CZK"));
    assert!(b.asm_id.is_some() && b.batch_number.is_some());
    assert_eq!(b.date.as_deref(), Some("2026-01-01T00:00:00Z"));
}

#[tokio::test]
async fn logged_out_is_an_error_the_sdk_copy_does_not_know() {
    let d = Device::start("instant").await;
    let mut p = IosPlugin::new(SCHEME);
    d.aidl_post("logout", &json!({})).await;
    let o = run(&d, &mut p, |id| TransactionRequest::sale(id, 1111)).await;
    assert_eq!(o.answer["result"]["error"], "userNotLoggedIn");
    // CLIENT BUG (C15): the copy's DeeplinkError has no `userNotLoggedIn` (SDK HEAD added it), so the error is nil
    // and the event is a bare `failed` "ERROR" instead of invalidCredentials.
    let r = txn(&o, "sale");
    assert_eq!((r.code, r.message.as_deref()), ("failed", Some("ERROR")));
}

#[tokio::test]
async fn get_detail_cannot_be_read() {
    let d = Device::start("instant").await;
    let mut p = IosPlugin::new(SCHEME);
    let sale = run(&d, &mut p, |id| TransactionRequest::sale(id, 1111)).await;
    let url = p.get_detail(&sale.request_id);
    let answer = d.open_full(&url).await;
    assert_eq!(answer["result"]["status"], "COMPLETED", "{answer}");
    let redirect = answer["redirect"].as_str().expect("redirect");
    // CLIENT BUG (C12): DeeplinkResult.from has no `transaction/detail` branch (DeeplinkResult.swift:19-62), so
    // the plugin reports info/invalidDeeplink and never sends a `detail` event.
    let (event, result) = p.open(redirect);
    assert_eq!(result, None);
    assert_eq!(
        (event["kind"].as_str(), event["code"].as_str()),
        (Some("info"), Some("invalidDeeplink"))
    );
    assert_eq!(dart::event_kind(&event), "unknown");
}
