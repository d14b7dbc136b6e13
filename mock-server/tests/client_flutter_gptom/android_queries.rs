//! AppsDevTeam/flutter-gptom (commit 11c1772c9e97fc929321bb5b8cc2dc841199867b) on Android against the mock,
//! beyond paying: closeBatch (state polling + inquiry) and closeBatchLegacy (the V2 batch totals), register
//! errors and their classification, getState and getDetail, a realistic-latency run (states 1 → 2 → 5 → 6 and
//! their `updated`), and getGPTomInfo (`App2AppInfoResponse`, which the plugin never requests). Every answer is
//! decoded strictly (`gson.rs`).

use serde_json::{Value, json};

use crate::android_flows::{
    START_MS, decode, meant, register, register_id, sale, strict, txn_result,
};
use crate::dart::{
    self, GpTomBatchResult, GpTomInquireResult, GpTomRegisterResult, GpTomResult, GpTomStateResult,
    TransactionRequest,
};
use crate::device::Device;
use crate::entities::{
    App2AppInfoResponse, InquireResultEntity, StateResultEntity, TransactionResultV2Entity,
};
use crate::plugin::{AndroidPlugin, to_iso8601};

#[tokio::test]
async fn close_batch_polls_and_inquires_the_batch() {
    let d = Device::start("instant").await;
    let mut p = AndroidPlugin::new(&d);
    sale(&mut p, 1111).await;
    // GpTomManager.closeBatch (gptom_manager.dart:113-128): register without persisting, then transaction type 4
    let reg = register(&mut p, None, false).await;
    let id = reg.data.and_then(|d| d.transaction_id).expect("id");
    assert_eq!(p.pending, None, "persistPending false");
    let run = p
        .transaction(&TransactionRequest::close_batch(&id).to_json())
        .await;
    let dec = decode(&run);
    assert_eq!(dec.states.last().and_then(|s| s.state), Some(6));
    let inq = dec.inquiry.expect("inquiry");
    assert_eq!((inq.result, inq.transaciton_type), (0, 4));
    assert_eq!(inq.batch_number.as_deref(), Some("1"));
    assert_eq!(inq.terminal_id.as_deref(), Some("999888"));
    let v2 = dec.v2.expect("V2");
    assert_eq!((v2.get_result(), v2.transaction_type), (Ok(0), Some(4)));
    assert_eq!(v2.batch_number, inq.batch_number);
    let e = run.event.as_ref().unwrap();
    assert_eq!(dart::event_kind(e), "closeBatch");
    let r = GpTomResult::from_map(e, GpTomBatchResult::from_json).expect("Dart");
    assert_eq!(r.code, "ok");
    let b = r.data.expect("data");
    assert_eq!(
        (
            b.transaction_id.as_deref(),
            b.terminal_id.as_deref(),
            b.batch_number.as_deref(),
            b.currency.as_deref()
        ),
        (Some(id.as_str()), Some("999888"), Some("1"), Some("CZK"))
    );
    // CLIENT BUG (C6): the regular flow reads the batch from TransactionInquire, which has no totals
    // (InquireMapper.kt has no batch keys): every GpTomBatchResult total is null.
    assert_eq!(
        (b.total_count, b.total_amount, b.sale_count),
        (None, None, None)
    );
    // CLIENT BUG (C4): the close time goes through DateUtils' ddMMyy too
    let (date, time) = (inq.date.as_deref().unwrap(), inq.time.as_deref().unwrap());
    assert!(meant(date, time).starts_with("2026-01-01T"));
    assert_eq!(b.date, to_iso8601(Some(date), Some(time)));
    assert!(p.gson_failures.is_empty(), "{:?}", p.gson_failures);
}

#[tokio::test]
async fn close_batch_legacy_maps_the_v2_totals() {
    let d = Device::start("instant").await;
    let mut p = AndroidPlugin::new(&d);
    sale(&mut p, 1111).await;
    sale(&mut p, 1122).await; // declined: not in the batch
    let (c, _) = sale(&mut p, 1114).await;
    let void = register_id(&mut p).await;
    p.transaction(&TransactionRequest::storno(&void, 2, &c).to_json())
        .await;
    // GpTomManager.closeBatchLegacy (gptom_manager.dart:137-153)
    let reg = register(&mut p, None, false).await;
    let id = reg.data.and_then(|d| d.transaction_id).expect("id");
    let (method, event, json) = p
        .close_batch_legacy(&json!({"transactionId": id, "transactionType": 4}))
        .await;
    assert_eq!(method["code"], "ok");
    let v2 = strict("legacy V2", &json, TransactionResultV2Entity::from_json);
    assert_eq!(v2.get_result(), Ok(0));
    assert_eq!(
        (
            v2.batch_sale_num,
            v2.batch_sale_amount,
            v2.batch_void_num,
            v2.batch_void_amount
        ),
        (Some(2), Some(2225), Some(1), Some(1114))
    );
    assert_eq!(
        (v2.batch_total_num, v2.batch_total_amount),
        (Some(3), Some(1111))
    );
    let e = event.expect("event");
    let r = GpTomResult::from_map(&e, GpTomBatchResult::from_json).expect("Dart");
    assert_eq!(r.code, "ok");
    let b = r.data.expect("data");
    assert_eq!(
        (b.total_count, b.total_amount, b.sale_count, b.sale_amount),
        (Some(3.0), Some(1111), Some(2.0), Some(2225))
    );
    assert_eq!((b.void_count, b.void_amount), (Some(1.0), Some(1114)));
    assert_eq!(
        (b.currency.as_deref(), b.transaction_id.as_deref()),
        (Some("CZK"), Some(id.as_str()))
    );
    assert!(p.gson_failures.is_empty(), "{:?}", p.gson_failures);
}

#[tokio::test]
async fn register_errors_are_classified() {
    let d = Device::start("instant").await;
    let mut p = AndroidPlugin::new(&d);
    let ok = register(&mut p, Some("CID343382001"), true).await;
    assert_eq!(ok.code, "ok");
    assert_eq!(ok.data.unwrap().client_id.as_deref(), Some("CID343382001"));

    let wrong = register(&mut p, Some("CID-WRONG"), true).await;
    assert_eq!(
        (wrong.code, wrong.message.as_deref()),
        ("invalidClientId", Some("InvalidClientId"))
    );
    let data = wrong.data.expect("the register map rides along");
    assert_eq!((data.result_code, data.transaction_id), (-7, None));
    let error = data.error.expect("error");
    assert_eq!(error.exception, "InvalidClientId");
    assert!(!error.support_id.is_empty());
    // CLIENT BUG (C7): GpTomErrorResult.errorCode is `asRequiredInt` of GP tom's "1-008" → 0 (error_result.dart:16)
    assert_eq!(error.error_code, 0);

    d.aidl_post("logout", &json!({})).await;
    let out = register(&mut p, None, true).await;
    assert_eq!(
        (out.code, out.message.as_deref()),
        ("invalidCredentials", Some("UserLoggedOutException"))
    );
    assert_eq!(out.data.unwrap().result_code, -7);
    // closeBatch stops at the failed register (gptom_manager.dart:117-123)
    let before = p.requests.len();
    let batch = register(&mut p, None, false).await;
    assert_eq!(batch.code, "invalidCredentials");
    assert_eq!(p.requests.len(), before);
    assert!(p.gson_failures.is_empty(), "{:?}", p.gson_failures);
}

#[tokio::test]
async fn get_state_and_get_detail() {
    let d = Device::start("instant").await;
    let mut p = AndroidPlugin::new(&d);
    let (ok, _) = sale(&mut p, 1111).await;
    d.advance(30.0);
    let (failed, _) = sale(&mut p, 1124).await;

    let (e, json) = p.get_state(&ok).await;
    let s = strict("getState", &json, StateResultEntity::from_json);
    assert_eq!((s.result_code, s.state), (Some(0), Some(6)));
    assert_eq!((s.created, s.updated), (Some(START_MS), Some(START_MS)));
    let r = GpTomResult::from_map(&e, GpTomStateResult::from_json).expect("Dart");
    assert_eq!(r.code, "ok");
    let st = r.data.expect("data");
    assert_eq!((st.result_code, st.state), (0, "completed"));
    assert_eq!(
        st.created.map(|c| (c.epoch_ms, c.is_utc)),
        Some((START_MS, false))
    );
    assert_eq!(st.is_repeatable, Some(false));

    let (e, json) = p.get_state(&failed).await;
    let s = strict("getState", &json, StateResultEntity::from_json);
    assert_eq!(s.error.as_ref().and_then(|e| e.code), Some(104));
    assert_eq!(e["data"]["error"]["code"], 104);
    let st = GpTomResult::from_map(&e, GpTomStateResult::from_json)
        .expect("Dart")
        .data
        .expect("data");
    assert_eq!(st.state, "error");
    assert_eq!(st.created.map(|c| c.epoch_ms), Some(START_MS + 30_000));
    // CLIENT BUG (C7): GpTomStateResult reads the key `cause` (state_result.dart:43), StateResultMapper writes
    // `error` (StateMapper.kt:16): the error never reaches Dart.
    assert_eq!(st.cause, None);

    let (e, json) = p.get_detail(&ok).await;
    let inq = strict("getDetail", &json, InquireResultEntity::from_json);
    assert_eq!(dart::event_kind(&e), "detail");
    let r = GpTomResult::from_map(&e, GpTomInquireResult::from_json).expect("Dart");
    assert_eq!(r.code, "ok");
    let i = r.data.expect("data");
    assert_eq!(
        (i.result, i.trasanction_id.as_deref(), i.amount.as_deref()),
        (0, Some(ok.as_str()), Some("1111"))
    );
    assert_eq!(
        (i.transaciton_type, i.currency_code.as_deref()),
        (Some(1), Some("CZK"))
    );
    assert!(i.merchant_info.is_some());
    // CLIENT BUG (C7): GpTomInquireResult reads `emvAppLable` (inquire_result.dart:108), InquireResultMapper writes
    // `emvAppLabel` (InquireMapper.kt:41): the label GP tom sent is lost.
    assert!(inq.emv_app_lable.is_some());
    assert!(e["data"]["emvAppLabel"].is_string());
    assert_eq!(i.emv_app_lable, None);

    // an id GP tom does not know: resultCode -3 with a null state, then result -3 — still decodable
    let (e, json) = p.get_state("no-such-id").await;
    let s = strict("getState", &json, StateResultEntity::from_json);
    assert_eq!((s.result_code, s.state), (Some(-3), None));
    let st = GpTomResult::from_map(&e, GpTomStateResult::from_json)
        .expect("Dart")
        .data
        .expect("data");
    assert_eq!((st.result_code, st.state), (-3, "unknown"));
    let (e, json) = p.get_detail("no-such-id").await;
    assert_eq!(
        strict("getDetail", &json, InquireResultEntity::from_json).result,
        -3
    );
    // CLIENT BUG (C5): getDetail answers `ok` whatever `result` is (GpTomPlugin.kt:500-505)
    assert_eq!(e["code"], "ok");
    assert!(p.gson_failures.is_empty(), "{:?}", p.gson_failures);
}

#[tokio::test]
async fn realistic_latency_polls_through_created_started_in_progress_completed() {
    let d = Device::start("realistic").await;
    let mut p = AndroidPlugin::new(&d);
    let id = register_id(&mut p).await;
    let run = p
        .transaction(&TransactionRequest::sale(&id, 1111).to_json())
        .await;
    let dec = decode(&run);
    let mut seen: Vec<i32> = dec.states.iter().filter_map(|s| s.state).collect();
    seen.dedup();
    assert_eq!(seen, [1, 2, 5, 6]);
    assert!(
        dec.states
            .iter()
            .all(|s| s.created == dec.states[0].created)
    );
    // a poll never sees an `updated` later than its own time
    for (poll, s) in run.polls.iter().zip(&dec.states) {
        let asked = dec.states[0].created.unwrap() + poll.at_ms;
        assert!(s.updated.unwrap() <= asked, "{}", poll.json);
    }
    // the V2 callback fired later (the POST said 202) and agrees with the inquiry
    let v2 = dec.v2.expect("V2 after the 202");
    let inq = dec.inquiry.expect("inquiry");
    assert_eq!((v2.get_result(), inq.result), (Ok(0), 0));
    assert_eq!(txn_result(&run, "sale").code, "ok");
    assert!(p.gson_failures.is_empty(), "{:?}", p.gson_failures);
}

#[tokio::test]
async fn updated_holds_while_the_state_holds() {
    let d = Device::start("realistic").await;
    let mut p = AndroidPlugin::new(&d);
    let (_, run) = sale(&mut p, 1111).await;
    let dec = decode(&run);
    // `updated` is "the date the request status changed" (state_result.dart:24; reference §4.5): two answers with
    // the same state must carry the same `updated`.
    // Found by this test (fixed): app2app state 2 covers the Cloud statuses STARTED and INIT_OK, and `updated` was
    // the start of the current *task* status, so it jumped from +1.0 s to +1.5 s while GP tom still said state 2.
    let moved: Vec<String> = dec
        .states
        .windows(2)
        .zip(run.polls.windows(2))
        .filter(|(s, _)| s[0].state == s[1].state && s[0].updated != s[1].updated)
        .map(|(_, p)| format!("{}\n  → {}", p[0].json, p[1].json))
        .collect();
    assert!(
        moved.is_empty(),
        "`updated` moved within a state:\n{}",
        moved.join("\n")
    );
}

#[tokio::test]
async fn gptom_info_decodes_as_app2app_info_response() {
    let d = Device::start("instant").await;
    let info = d.aidl_get("info").await;
    // the plugin never calls getGPTomInfo (App2AppInfoResponseMapper.kt is dead code), but its entity is in the AAR
    let i = strict("getGPTomInfo", &info, App2AppInfoResponse::from_json);
    assert!(i.is_logged_in);
    assert_eq!(
        (i.tid.as_deref(), i.mid.as_deref(), i.client_id.as_deref()),
        (Some("999888"), Some("343382001"), Some("CID343382001"))
    );
    assert_eq!(i.tip_enabled, Some(true));
    let loc = i.merchant_location_entity.expect("merchantLocationEntity");
    assert_eq!(loc.city.as_deref(), Some("Prague"));
    assert!(loc.country.is_some(), "UserAddress.country: {info}");
    d.aidl_post("logout", &json!({})).await;
    let out = strict(
        "getGPTomInfo",
        &d.aidl_get("info").await,
        App2AppInfoResponse::from_json,
    );
    assert!(!out.is_logged_in);
}

#[tokio::test]
async fn gptom_info_names_the_merchants_country() {
    let d = Device::start("instant").await;
    let mut p = AndroidPlugin::new(&d);
    let (_, run) = sale(&mut p, 1111).await;
    let merchant = decode(&run)
        .inquiry
        .and_then(|i| i.merchant_info)
        .expect("merchantInfo");
    let info = d.aidl_get("info").await;
    let i = strict("getGPTomInfo", &info, App2AppInfoResponse::from_json);
    let loc = i.merchant_location_entity.expect("merchantLocationEntity");
    // Found by this test (fixed): the same merchant was in country "CZ" in every payment's merchantInfo but in
    // country "" in getGPTomInfo's merchantLocationEntity (UserAddress.country). This client reads the iOS `county`
    // as the country too (ios/Classes/mappers/AddressMapper.swift:10).
    assert_eq!(
        (loc.country.as_deref(), loc.city.as_deref()),
        (merchant.country.as_deref(), merchant.city.as_deref()),
        "{info}"
    );
}

/// `originReferenceNum` is not sent to GP tom; the plugin adds it to the register map and the pending slot.
#[tokio::test]
async fn register_keeps_the_origin_reference() {
    let d = Device::start("instant").await;
    let mut p = AndroidPlugin::new(&d);
    let mut args = dart::register_request(Some("REF1"), None, true);
    args["unknown"] = Value::from(1);
    let res = p.register(&args).await.expect("answer");
    let r = GpTomResult::from_map(&res, GpTomRegisterResult::from_json).expect("Dart");
    let data = r.data.expect("data");
    assert_eq!(data.origin_reference_num.as_deref(), Some("REF1"));
    assert_eq!(
        p.pending.as_ref().map(|(_, r)| r.as_deref()),
        Some(Some("REF1"))
    );
}
