//! mhmmdlkts/gptom_aidl_plugin (commit a6c8d6f5faf7f3256744e88828fa4dc416f8e66e) on iOS against the mock: the
//! links `lib/gptom_aidl_plugin_ios.dart` builds for `sell`, `voidSell` (with the receipt's `amsID`) and
//! `closeBatch`, opened on the mock's device; the redirect is parsed as the plugin parses it
//! (`Uri.queryParameters`, `_requestResultFromReceipt`, `batchFromRedirect`). No answer may end in the parser's
//! `-1003` / exception, and the values must be right (amounts in cents, the date as `DDMMYY`, the void's ids).

use serde_json::Value;

use crate::dart::Dv;
use crate::device::Device;
use crate::ios::{
    CreateArgs, batch_of_redirect, build_cancel, build_close_batch, build_create, deliver,
    receipt_map, redirect_url, result_of_redirect,
};
use crate::models::{RequestResult, TransactionMethode, TransactionType};

/// The app's URL scheme (`bindService(uriSchemeIOS:)`), as in the plugin's example app.
pub const SCHEME: &str = "gptomexample";

/// The iOS SDK's `CardType` values (what a receipt's `cardType` may be).
const SDK_CARD_TYPES: [&str; 12] = [
    "DISCOVER",
    "JCBANDVISA",
    "MASTERCARD",
    "VISA",
    "AMEX",
    "JCB",
    "TROY",
    "UNIONPAY",
    "RUPAY",
    "PURE",
    "GIROCARD",
    "UNKNOWN",
];

/// The redirect warnings every link of this client gets: its `redirectUrl` has no operation path (C10).
pub fn only_path_warning(answer: &Value) {
    let warnings: Vec<&str> = answer["warnings"]
        .as_array()
        .map(|w| w.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert!(
        warnings
            .iter()
            .all(|w| w.contains("does not contain the operation path")),
        "{warnings:?}"
    );
}

/// `sell(amountCents:, transactionMethode:)` on iOS against the device: the answer and the decoded result.
pub async fn sell(d: &Device, args: &CreateArgs) -> (Value, RequestResult) {
    let answer = d
        .open_full(&build_create(args, &redirect_url(SCHEME)))
        .await;
    let r = result_of_redirect(
        answer["redirect"].as_str(),
        SCHEME,
        args.print_by_payment_app,
        false,
    );
    assert_ne!(r.result, Some(-1003), "the parser failed on {answer}");
    (answer, r)
}

/// `voidSell(originTransactionId: amsID)` on iOS: the builder's default `printByPaymentApp` true.
pub async fn void(d: &Device, ams_id: &str) -> (Value, RequestResult) {
    let url = build_cancel(ams_id, &redirect_url(SCHEME), None, true, None, None, None);
    let answer = d.open_full(&url).await;
    let r = result_of_redirect(answer["redirect"].as_str(), SCHEME, true, true);
    assert_ne!(r.result, Some(-1003), "the parser failed on {answer}");
    (answer, r)
}

fn receipt_of(answer: &Value) -> crate::dart::DMap {
    receipt_map(&deliver(answer["redirect"].as_str(), SCHEME).expect("delivered"))
}

fn text(m: &crate::dart::DMap, k: &str) -> Option<String> {
    match m.get(k) {
        Dv::Str(s) => Some(s.clone()),
        _ => None,
    }
}

#[tokio::test]
async fn sell_approved_decodes_from_the_receipt() {
    let d = Device::start("instant").await;
    let args = CreateArgs::sell(1111, TransactionMethode::Card);
    assert_eq!(
        build_create(&args, &redirect_url(SCHEME)),
        "gptom://transaction/create?amount=1111&redirectUrl=gptomexample%3A%2F%2Fredirect&printByPaymentApp=false&tipAmount=0&tipCollect=false&transactionType=CARD"
    );
    let (answer, r) = sell(&d, &args).await;
    only_path_warning(&answer);
    let receipt = receipt_of(&answer);
    assert_eq!(r.result, Some(0), "{answer}");
    assert_eq!(r.response_message.as_deref(), Some("COMPLETED"));
    let ams = text(&receipt, "amsID").expect("receipt amsID");
    assert_eq!(r.ams_id.as_deref(), Some(ams.as_str()));
    assert_eq!(
        r.transaction_id.as_deref(),
        Some(ams.as_str()),
        "create: the own id is the amsID"
    );
    assert_eq!(r.external_transaction_id, text(&receipt, "transactionID"));
    assert_eq!(
        (r.amount_cents, r.tip_amount_cents, r.total_amount_cents),
        (Some(1111), Some(0), Some(1111))
    );
    let card = r.card_number.clone().expect("cardNumber");
    assert!(
        card.starts_with("**** **** **** ") && card.len() == 19,
        "{card}"
    );
    assert!(
        r.card_product
            .as_deref()
            .is_some_and(|c| SDK_CARD_TYPES.contains(&c)),
        "{r:?}"
    );
    assert_eq!(r.currency_code.as_deref(), Some("CZK"));
    assert_eq!(r.date.as_deref(), Some("010126"), "DDMMYY of 2026-01-01");
    assert_eq!(r.time.as_deref(), Some("000000"));
    assert!(r.approved_code.is_some() && r.batch_number.is_some() && r.sequence_number.is_some());
    assert!(r.emv_aid.is_some() && r.emv_app_lable.is_some() && r.card_data_entry.is_some());
    assert_eq!(r.terminal_id.as_deref(), Some("999888"));
    assert!(r.pin_ok.is_some());
    assert_eq!(r.print_by_payment_app, Some(false));
    assert_eq!(r.transaction_type, Some(TransactionType::Sell));
}

#[tokio::test]
async fn sell_with_tip_and_cash_sale() {
    let d = Device::start("instant").await;
    let mut tip = CreateArgs::sell(1111, TransactionMethode::Card);
    tip.tip_amount_cents = Some(200);
    let (answer, r) = sell(&d, &tip).await;
    assert_eq!(r.result, Some(0), "{answer}");
    assert_eq!(
        (r.amount_cents, r.tip_amount_cents, r.total_amount_cents),
        (Some(1111), Some(200), Some(1311))
    );

    let (answer, cash) = sell(&d, &CreateArgs::sell(500, TransactionMethode::Cash)).await;
    assert_eq!(cash.result, Some(0), "{answer}");
    assert_eq!(cash.amount_cents, Some(500));
    assert_eq!(
        cash.card_number.as_deref(),
        Some(""),
        "no card: `receipt['cardNumber'] ?? ''`"
    );
    assert_eq!(cash.card_product, None);
    assert_eq!(cash.pin_ok, Some(false));
    assert_eq!(
        text(&receipt_of(&answer), "transactionType").as_deref(),
        Some("CASH")
    );
}

#[tokio::test]
async fn declined_and_cardholder_abort_come_with_a_receipt_of_result_minus_1() {
    let d = Device::start("instant").await;
    let (answer, declined) = sell(&d, &CreateArgs::sell(1122, TransactionMethode::Card)).await;
    assert_eq!(declined.result, Some(-1), "{answer}");
    assert_eq!(declined.amount_cents, Some(1122));
    assert!(
        declined
            .card_number
            .as_deref()
            .is_some_and(|c| c.starts_with("**** "))
    );
    assert_eq!(declined.approved_code, None);

    let (answer, abort) = sell(&d, &CreateArgs::sell(1127, TransactionMethode::Card)).await;
    assert_eq!(abort.result, Some(-1), "{answer}");
    assert_eq!(abort.response_message.as_deref(), Some("CANCELLED"));
    assert_eq!(abort.amount_cents, Some(1127));
    assert_eq!(abort.card_number.as_deref(), Some(""));
}

#[tokio::test]
async fn failures_without_a_receipt_are_minus_1004_with_the_status() {
    let d = Device::start("instant").await;
    for (amount, status) in [
        (1125, "CANCELLED"),
        (1123, "ERROR"),
        (1124, "ERROR"),
        (1126, "ERROR"),
    ] {
        let (answer, r) = sell(&d, &CreateArgs::sell(amount, TransactionMethode::Card)).await;
        assert_eq!(r.result, Some(-1004), "{amount}: {answer}");
        assert_eq!(r.response_message.as_deref(), Some(status), "{amount}");
        assert_eq!(r.amount_cents, None);
    }
}

#[tokio::test]
async fn void_sell_with_the_receipts_ams_id() {
    let d = Device::start("instant").await;
    let (_, sale) = sell(&d, &CreateArgs::sell(1111, TransactionMethode::Card)).await;
    let ams = sale.ams_id.clone().expect("the sale's amsID");
    assert_eq!(
        build_cancel(&ams, &redirect_url(SCHEME), None, true, None, None, None),
        format!(
            "gptom://transaction/cancel?amsID={ams}&redirectUrl=gptomexample%3A%2F%2Fredirect&printByPaymentApp=true"
        )
    );
    let (answer, v) = void(&d, &ams).await;
    only_path_warning(&answer);
    let receipt = receipt_of(&answer);
    assert_eq!(v.result, Some(0), "{answer}");
    assert_eq!(v.transaction_type, Some(TransactionType::VoidSell));
    assert_eq!(v.response_message.as_deref(), Some("COMPLETED"));
    // cancel: the own id is the receipt's transactionID, the amsID (of the void) goes to externalTransactionID
    assert_eq!(v.transaction_id, text(&receipt, "transactionID"));
    assert_eq!(v.external_transaction_id, text(&receipt, "amsID"));
    assert_ne!(
        v.external_transaction_id.as_deref(),
        Some(ams.as_str()),
        "a void is its own transaction"
    );
    assert_eq!(v.amount_cents, Some(1111));
    assert_eq!(v.print_by_payment_app, Some(true));

    let (answer, again) = void(&d, &ams).await;
    assert_eq!(again.result, Some(-1004), "{answer}");
    assert_eq!(again.response_message.as_deref(), Some("ERROR"));
}

#[tokio::test]
async fn close_batch_decodes_as_a_batch_in_cents() {
    let d = Device::start("instant").await;
    sell(&d, &CreateArgs::sell(1111, TransactionMethode::Card)).await;
    sell(&d, &CreateArgs::sell(2222, TransactionMethode::Card)).await;
    sell(&d, &CreateArgs::sell(500, TransactionMethode::Cash)).await;
    let url = build_close_batch(&redirect_url(SCHEME), None, false, None, None, None);
    assert_eq!(
        url,
        "gptom://batch/close?redirectUrl=gptomexample%3A%2F%2Fredirect&printByPaymentApp=false"
    );
    let answer = d.open_full(&url).await;
    only_path_warning(&answer);
    let b = batch_of_redirect(answer["redirect"].as_str(), SCHEME)
        .unwrap_or_else(|e| panic!("{e}: {answer}"));
    assert!(b.is_success(), "{b:?}");
    assert_eq!(b.sale_count, 3);
    assert_eq!(b.sale_amount_cents, 3833);
    assert_eq!(b.total_amount_cents, 3833);
    assert_eq!((b.void_count, b.void_amount_cents), (0, 0));
    assert_eq!(b.currency, "CZK");
    assert!(!b.communication_id.is_empty());
    assert!(
        b.date.is_utc,
        "the batch date was parsed, not the epoch fallback"
    );
    assert!(b.first_transaction_date.is_some());
    let card = b.sub_batch("CARD").expect("CARD");
    assert_eq!((card.sale_count, card.sale_amount_cents), (2, 3333));
    assert!(card.exists());
    let cash = b.sub_batch("CASH").expect("CASH");
    assert_eq!((cash.sale_count, cash.sale_amount_cents), (1, 500));

    // an empty batch still decodes
    let empty = d.open_full(&url).await;
    let e = batch_of_redirect(empty["redirect"].as_str(), SCHEME)
        .unwrap_or_else(|e| panic!("{e}: {empty}"));
    assert!(e.is_success());
    assert_eq!((e.sale_count, e.total_amount_cents), (0, 0));
    assert!(e.sub_batch("CARD").is_none_or(|c| !c.exists()));
}

/// Realistic latency: the redirect comes seconds later; `date`/`time` are the receipt's ISO date as `DDMMYY` /
/// `HHMMSS` (UTC, `gptom_aidl_plugin_ios.dart:261-265`).
#[tokio::test]
async fn sell_under_realistic_latency_dates_the_receipt() {
    let d = Device::start("realistic").await;
    let (answer, r) = sell(&d, &CreateArgs::sell(1111, TransactionMethode::Card)).await;
    assert_eq!(r.result, Some(0), "{answer}");
    let iso = text(&receipt_of(&answer), "date").expect("receipt date");
    assert_ne!(
        iso, "2026-01-01T00:00:00.000Z",
        "time moved while the card was read"
    );
    let (day, clock) = (&iso[..10], &iso[11..19]);
    assert_eq!(
        r.date,
        Some(format!("{}{}{}", &day[8..10], &day[5..7], &day[2..4]))
    );
    assert_eq!(r.time, Some(clock.replace(':', "")));
}
