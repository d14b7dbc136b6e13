//! Bugs of mhmmdlkts/gptom_aidl_plugin itself (commit a6c8d6f5faf7f3256744e88828fa4dc416f8e66e), documented
//! against the mock — the mock is not bent to them; each test shows what the client does with the mock's
//! (correct) answer. Numbering as in the research notes (§5.4):
//!
//! * C1 cash never sent on Android · C3 `StateStatus.isRepeatable` hard-coded · C4 batch totals dropped ·
//!   C5 missing amounts read as 0 · C8 `originTransactionID` sent for `cancelMode.last` — Android, below.
//! * C9 lower-case `preferableReceiptType` · C10 `redirectUrl` without operation path · C11 upper-case scheme ·
//!   C12 `error=`/`code=` ignored · C13 success decided by `receipt.result` only · C14 parse/status errors
//!   reported as "no redirect" · C15 receiptless success reads a top-level `amsID` · C16/C20 platform
//!   differences · C17 no iOS refund · C18 nested `clientInfo` dropped on iOS · C19 spaces sent as `+` — iOS.
//! * Not reachable through the mock's answers, documented only: C2 no polling and no timeout on Android (the
//!   V2 future waits for the callback forever, `GptomAidlPlugin.java:358-408`, method_channel `:115-117`);
//!   C6 `GpTomInfo.fromJson` throws instead of falling back (`gptom_info.dart:63-69`, shown on literal JSON in
//!   `controls.rs`); C7 a native `null` inquiry throws (`method_channel.dart:142-144`); C21 the batch redirect
//!   timeout is 15 s against 60 s for payments (`gptom_aidl_plugin_ios.dart:46-47`).

use serde_json::{Value, json};

use crate::dart::{DMap, Dv, Uri};
use crate::device::Device;
use crate::ios::{
    CreateArgs, batch_of_redirect, build_cancel, build_close_batch, build_create, redirect_url,
    request_result_from_receipt, result_of_redirect,
};
use crate::ios_flows::{SCHEME, sell};
use crate::models::{CancelMode, PreferableReceiptType, StateStatus, TransactionMethode};
use crate::plugin::{Android, V2Request, normalize_client_info};

#[tokio::test]
async fn c1_cash_is_never_sent_on_android() {
    let d = Device::start("instant").await;
    let a = Android(&d);
    // CLIENT BUG: `sell(transactionMethode: TransactionMethode.cash)` does not forward the method to
    // `requestTransactionV2Android` (gptom_aidl_plugin.dart:193-205), which has no `paymentMethod` key (:100-114):
    // the wire JSON is the same as for a card sale, and GP tom (default CARD) takes a card payment.
    let id = a.registered().await;
    let req = V2Request::sell(&id, 500);
    assert!(!req.wire_json().unwrap().contains("paymentMethod"));
    let r = a.request(&req).await.dart;
    assert_eq!(r.result, Some(0));
    assert!(
        r.card_number.is_some() && r.card_product.is_some(),
        "a card was charged: {r:?}"
    );
    // what the entity allows (`TransactionRequestV2Entity.paymentMethod`): a cash sale, no card
    let id = a.registered().await;
    let mut cash: Value = serde_json::from_str(&req.wire_json().unwrap()).unwrap();
    cash["transactionID"] = json!(id);
    cash["paymentMethod"] = json!("CASH");
    let raw = d.aidl_post("transaction", &cash).await;
    let cash = crate::models::RequestResult::from_json(&raw);
    assert_eq!(cash.result, Some(0), "{raw}");
    assert_eq!(cash.card_number, None, "{raw}");
}

#[tokio::test]
async fn c3_state_status_is_repeatable_is_hard_coded() {
    let d = Device::start("realistic").await;
    let a = Android(&d);
    let id = a.registered().await;
    let created = a.state(&id).await.dart;
    assert_eq!(created.state, StateStatus::Created);
    // CLIENT BUG: the enum says `created`/`started` are repeatable (state_result.dart:4-5) and the README tells
    // apps to use `state.state.isRepeatable` (README.md:107); GP tom's field says false, and re-sending a started
    // id is refused with -2.
    assert!(created.state.is_repeatable());
    assert_eq!(created.is_repeatable, Some(false));
    let body: Value =
        serde_json::from_str(&V2Request::sell(&id, 1111).wire_json().unwrap()).unwrap();
    assert_eq!(d.aidl_request_nowait(&body).await.0, 202);
    d.advance(1.2);
    let started = a.state(&id).await.dart;
    assert_eq!(started.state, StateStatus::Started);
    assert!(started.state.is_repeatable());
    assert_eq!(started.is_repeatable, Some(false));
    let (_, again) = d.aidl_request_nowait(&body).await;
    assert_eq!(again["result"], json!(-2), "{again}");
    // INIT_ERROR: the enum and the field agree, and the same id really may be sent again
    let d = Device::start("instant").await;
    let a = Android(&d);
    let id = a.registered().await;
    assert_eq!(
        a.request(&V2Request::sell(&id, 1126)).await.dart.result,
        Some(-1)
    );
    let init = a.state(&id).await.dart;
    assert_eq!(init.state, StateStatus::InitError);
    assert_eq!(
        (init.state.is_repeatable(), init.is_repeatable),
        (true, Some(true))
    );
    assert_eq!(
        a.request(&V2Request::sell(&id, 1111)).await.dart.result,
        Some(0)
    );
}

#[tokio::test]
async fn c4_c5_batch_totals_are_dropped_and_missing_amounts_read_as_zero() {
    let d = Device::start("instant").await;
    let a = Android(&d);
    for amount in [1111, 2222] {
        let id = a.registered().await;
        a.request(&V2Request::sell(&id, amount)).await;
    }
    let id = a.registered().await;
    let batch = a.request(&V2Request::close_batch(&id)).await;
    let raw: Value = serde_json::from_str(&batch.raw).unwrap();
    assert_eq!(raw["batchSaleNum"], json!(2));
    assert_eq!(raw["batchSaleAmount"], json!(3333));
    assert_eq!(raw["batchTotalAmount"], json!(3333));
    // CLIENT BUG: `RequestResult.fromMap` reads none of `batchTotalNum/…Amount/batchSaleNum/…/batchVoidAmount`
    // (request_result.dart:77-116), so `closeBatch()` on Android cannot tell the app the totals; and a missing
    // `amount` becomes 0, not null (`((map['amount'] as num?) ?? 0).round()`, :83-85).
    assert_eq!(batch.dart.amount_cents, Some(0));
    assert_eq!(batch.dart.total_amount_cents, Some(0));
    let id = a.registered().await;
    let failed = a.request(&V2Request::sell(&id, 1124)).await;
    assert!(!failed.raw.contains("\"amount\""), "{}", failed.raw);
    assert_eq!(
        failed.dart.amount_cents,
        Some(0),
        "CLIENT BUG: a failed 11.24 reads as amount 0"
    );
}

#[tokio::test]
async fn c8_void_last_sends_an_origin_that_gp_tom_ignores() {
    let d = Device::start("instant").await;
    let a = Android(&d);
    let first = a.registered().await;
    a.request(&V2Request::sell(&first, 1500)).await;
    let second = a.registered().await;
    a.request(&V2Request::sell(&second, 2500)).await;
    // CLIENT BUG: `voidSell(originTransactionId: first, cancelMode: CancelMode.last)` sends `originTransactionID`
    // (gptom_aidl_plugin.dart:236-246) although mode 1 voids the *last* transaction: the app names `first`, GP tom
    // voids `second`.
    let id = a.registered().await;
    let req = V2Request::void_sell(&id, &first, CancelMode::Last);
    assert!(
        req.wire_json()
            .unwrap()
            .contains(&format!("\"originTransactionID\":\"{first}\""))
    );
    let v = a.request(&req).await.dart;
    assert_eq!(v.result, Some(0));
    assert_eq!(
        v.amount_cents,
        Some(2500),
        "the last sale was voided, not the named one"
    );
}

#[tokio::test]
async fn c9_c10_ios_receipt_type_is_lower_case_and_the_redirect_has_no_operation_path() {
    let d = Device::start("instant").await;
    let mut args = CreateArgs::sell(1111, TransactionMethode::Card);
    args.preferable_receipt_type = Some(PreferableReceiptType::Email);
    let url = build_create(&args, &redirect_url(SCHEME));
    // CLIENT BUG: iOS sends `iosKey` lower-case (preferable_receipt_type.dart:13-16, gptom_aidl_plugin_ios.dart:177);
    // GP tom's `ReceiptOption(rawValue:)` knows SMS, EMAIL, QR, PRINT only, so the preference is dropped.
    assert!(url.contains("&preferableReceiptType=email&"), "{url}");
    let (answer, r) = sell(&d, &args).await;
    assert_eq!(r.result, Some(0), "the sale itself goes through");
    let warnings = answer["warnings"].to_string();
    assert!(
        warnings.contains(r#"preferableReceiptType \"email\" is ignored"#),
        "{warnings}"
    );
    // CLIENT BUG: `redirectUrl` is always `<scheme>://redirect` (gptom_aidl_plugin_ios.dart:26): it names no
    // operation, and any URI with the scheme is taken as the answer of the running one (:31-33, :99, :351, :396).
    assert!(
        warnings.contains("does not contain the operation path"),
        "{warnings}"
    );
    for t in [
        PreferableReceiptType::Telephone,
        PreferableReceiptType::Qr,
        PreferableReceiptType::Print,
    ] {
        let url = build_close_batch(&redirect_url(SCHEME), None, false, Some(t), None, None);
        let answer = d.open_full(&url).await;
        assert!(
            answer["warnings"].to_string().contains(&format!(
                r#"preferableReceiptType \"{}\" is ignored"#,
                t.ios_key()
            )),
            "{answer}"
        );
    }
}

#[tokio::test]
async fn c11_an_upper_case_scheme_never_receives_its_redirect() {
    let d = Device::start("instant").await;
    let scheme = "GpTomExample";
    let args = CreateArgs::sell(1111, TransactionMethode::Card);
    let answer = d
        .open_full(&build_create(&args, &redirect_url(scheme)))
        .await;
    let redirect = answer["redirect"].as_str().expect("redirect");
    assert!(
        redirect.starts_with("GpTomExample://redirect?status=COMPLETED&receipt="),
        "{redirect}"
    );
    // CLIENT BUG: Dart lower-cases a parsed scheme; `uri.scheme == _expectedScheme` (gptom_aidl_plugin_ios.dart:32)
    // compares it with the raw `uriScheme`, so the paid sale times out as -1003.
    let r = result_of_redirect(Some(redirect), scheme, false, false);
    assert_eq!(r.result, Some(-1003));
    assert_eq!(
        result_of_redirect(Some(redirect), "gptomexample", false, false).result,
        Some(0)
    );
}

#[tokio::test]
async fn c12_error_and_code_parameters_are_ignored() {
    let d = Device::start("instant").await;
    let (answer, declined) = sell(&d, &CreateArgs::sell(1122, TransactionMethode::Card)).await;
    assert!(
        answer["redirect"]
            .as_str()
            .unwrap()
            .ends_with("&code=insufficientFunds"),
        "{answer}"
    );
    // CLIENT BUG: `code=` is never read (gptom_aidl_plugin_ios.dart:217-292): the reason of the refusal is lost.
    assert_eq!(declined.result, Some(-1));
    assert_eq!(declined.response_message.as_deref(), Some("COMPLETED"));

    let mut wrong_client = CreateArgs::sell(1111, TransactionMethode::Card);
    wrong_client.client_id = Some("CID000000000".into());
    let (invalid, r1) = sell(&d, &wrong_client).await;
    assert!(
        invalid["redirect"]
            .as_str()
            .unwrap()
            .ends_with("status=ERROR&error=invalidClientId"),
        "{invalid}"
    );
    let (failed, r2) = sell(&d, &CreateArgs::sell(1124, TransactionMethode::Card)).await;
    assert!(
        failed["redirect"]
            .as_str()
            .unwrap()
            .ends_with("status=ERROR&error=failed"),
        "{failed}"
    );
    d.aidl_post("logout", &Value::Null).await;
    let (out, r3) = sell(&d, &CreateArgs::sell(1111, TransactionMethode::Card)).await;
    assert!(
        out["redirect"]
            .as_str()
            .unwrap()
            .ends_with("status=ERROR&error=userNotLoggedIn"),
        "{out}"
    );
    // CLIENT BUG: `error=` is never read (:247-250): a wrong clientID, a failed payment and a logged-out user are
    // the same -1004 "ERROR".
    assert_eq!(r1, r2);
    assert_eq!(r2, r3);
    assert_eq!(
        (r3.result, r3.response_message.as_deref()),
        (Some(-1004), Some("ERROR"))
    );
}

#[test]
fn c13_a_receipt_without_result_is_neither_success_nor_failure() {
    // CLIENT BUG: success is `receipt.result` only (gptom_aidl_plugin_ios.dart:268); `result` is optional in the
    // SDK's TransactionData, and `status=COMPLETED&code=approved` is not looked at.
    let uri = Uri::parse(
        "gptomexample://redirect?status=COMPLETED&receipt=%7B%22amsID%22%3A%22a-1%22%2C%22amount%22%3A%2211.11%22%7D&code=approved",
    );
    let r = request_result_from_receipt(&uri, false, false).expect("parses");
    assert_eq!(r.result, None);
    assert_eq!(r.amount_cents, Some(1111));
    // and a present receipt wins over any status
    let uri = Uri::parse("gptomexample://redirect?status=ERROR&receipt=%7B%22result%22%3A0%7D");
    assert_eq!(
        request_result_from_receipt(&uri, false, false)
            .unwrap()
            .result,
        Some(0)
    );
}

#[tokio::test]
async fn c14_a_failed_batch_close_is_reported_as_no_redirect() {
    let d = Device::start("instant").await;
    d.aidl_post("logout", &Value::Null).await;
    let url = build_close_batch(&redirect_url(SCHEME), None, false, None, None, None);
    let answer = d.open_full(&url).await;
    assert!(
        answer["redirect"]
            .as_str()
            .unwrap()
            .ends_with("?status=ERROR&error=userNotLoggedIn"),
        "{answer}"
    );
    // CLIENT BUG: `batchFromRedirect` reads neither `status` nor `error` (:124-130) and `closeBatchIOS` wraps
    // everything as a timeout (:112-119).
    let e = batch_of_redirect(answer["redirect"].as_str(), SCHEME).unwrap_err();
    assert_eq!(
        e,
        "Exception: Kein Redirect erhalten oder Timeout, error: Exception: Kein Batch im Redirect enthalten"
    );
    // likewise a receipt the parser cannot read is "no redirect" (-1003), not a parse error (:361-369)
    let bad = "gptomexample://redirect?status=COMPLETED&receipt=%7B%22result%22%3A%220%22%7D";
    assert_eq!(
        result_of_redirect(Some(bad), SCHEME, false, false).result,
        Some(-1003)
    );
}

#[tokio::test]
async fn c15_a_receiptless_success_has_no_ams_id_to_void() {
    let clock = mock_server::ManualClock::at(mock_server::Timestamp::DEFAULT_START);
    let mock = mock_server::MockServer::builder()
        .seed(1)
        .clock(clock)
        .latency("instant")
        .profiles("receiptless-success")
        .start()
        .await
        .expect("mock starts");
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let url = build_create(
        &CreateArgs::sell(1111, TransactionMethode::Card),
        &redirect_url(SCHEME),
    );
    let answer: Value = http
        .post(format!("{}/ios/deeplink", mock.base_url()))
        .json(&json!({"url": url}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let redirect = answer["redirect"]
        .as_str()
        .expect("final at once (instant)");
    assert_eq!(redirect, "gptomexample://redirect?status=COMPLETED");
    let r = result_of_redirect(Some(redirect), SCHEME, false, false);
    assert_eq!(
        r.result,
        Some(0),
        "the status alone counts as success (gptom_aidl_plugin_ios.dart:233-244)"
    );
    assert_eq!(r.response_message.as_deref(), Some("COMPLETED"));
    // CLIENT BUG: it reads top-level `amsID`/`transactionID` (:237-239), which neither GP tom nor the mock send:
    // the paid sale has no id, so `voidSell` has nothing to cancel.
    assert_eq!(
        (r.ams_id, r.transaction_id, r.external_transaction_id),
        (None, None, None)
    );
    assert_eq!(r.amount_cents, None);
}

#[tokio::test]
async fn c16_c20_android_and_ios_disagree_on_the_same_sale() {
    let d = Device::start("instant").await;
    let a = Android(&d);
    let id = a.registered().await;
    let android = a.request(&V2Request::sell(&id, 1111)).await.dart;
    let (_, ios) = sell(&d, &CreateArgs::sell(1111, TransactionMethode::Card)).await;
    // CLIENT BUG (C16): the same calendar day 2026-01-01 is "260101" (Android, passed through) but "010126" (iOS,
    // built as DDMMYY at gptom_aidl_plugin_ios.dart:263).
    assert_eq!(android.date.as_deref(), Some("260101"));
    assert_eq!(ios.date.as_deref(), Some("010126"));
    // CLIENT BUG (C20): one model, different meanings per platform.
    assert_eq!(android.response_message.as_deref(), Some("APPROVED"));
    assert_eq!(ios.response_message.as_deref(), Some("COMPLETED"));
    assert!(
        android
            .card_number
            .as_deref()
            .unwrap()
            .starts_with("************")
    );
    assert!(
        ios.card_number
            .as_deref()
            .unwrap()
            .starts_with("**** **** **** ")
    );
    assert_eq!(
        android.transaction_id.as_deref(),
        Some(id.as_str()),
        "Android: the registration id"
    );
    assert_eq!(ios.transaction_id, ios.ams_id, "iOS: the amsID");
    assert_eq!(android.currency_code.as_deref(), Some("203"));
    assert_eq!(ios.currency_code.as_deref(), Some("CZK"));
}

#[tokio::test]
async fn c17_gp_tom_refunds_on_ios_but_the_plugin_refuses() {
    let d = Device::start("instant").await;
    let url = "gptom://transaction/refund?amount=700&redirectUrl=gptomexample%3A%2F%2Fredirect&printByPaymentApp=false&transactionType=CARD";
    let answer = d.open_full(url).await;
    // CLIENT BUG: `refund()` throws `PlatformException('refund is not supported on iOS')`
    // (gptom_aidl_plugin.dart:264-269) although GP tom has gptom://transaction/refund.
    let r = result_of_redirect(answer["redirect"].as_str(), SCHEME, false, false);
    assert_eq!(r.result, Some(0), "{answer}");
    assert_eq!(r.amount_cents, Some(700));
}

#[test]
fn c18_c19_ios_drops_nested_client_info_and_sends_spaces_as_plus() {
    let mut contact = DMap::default();
    contact.insert("email", Dv::Str("kunde@example.com".into()));
    let mut client_info = DMap::default();
    client_info.insert("contact", Dv::Map(contact));
    // Android lifts/keeps `contact` (gptom_aidl_plugin.dart:135-150) …
    assert!(normalize_client_info(&client_info).contains_key("contact"));
    // CLIENT BUG (C18): … iOS reads only flat `clientInfo?['email']`/`['phone']` (:182-183): nested → absent.
    let email = match client_info.get("email") {
        Dv::Str(s) => Some(s.clone()),
        _ => None,
    };
    let mut args = CreateArgs::sell(1111, TransactionMethode::Card);
    args.client_email = email;
    assert!(!build_create(&args, &redirect_url(SCHEME)).contains("clientEmail"));
    // CLIENT BUG (C19): Dart's query encoding writes a space as `+` (Uri.encodeQueryComponent); GP tom reads the
    // query with URLComponents, which keeps `+` — `RE 2026` arrives as `RE+2026`.
    args.origin_reference_num = Some("RE 2026".into());
    args.client_phone = Some("+420 606".into());
    let url = build_create(&args, &redirect_url(SCHEME));
    assert!(url.contains("&originReferenceNum=RE+2026&"), "{url}");
    assert!(url.contains("&clientPhone=%2B420+606&"), "{url}");
    let cancel = build_cancel("a b", &redirect_url(SCHEME), None, true, None, None, None);
    assert!(
        cancel.starts_with("gptom://transaction/cancel?amsID=a+b&"),
        "{cancel}"
    );
}
