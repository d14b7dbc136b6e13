//! AppsDevTeam/flutter-gptom (commit 11c1772c9e97fc929321bb5b8cc2dc841199867b) paying on Android against the mock:
//! the flow `lib/gptom_manager.dart` and `GpTomPlugin.kt` perform — register → transactionRequestV2 →
//! stateRequest every 500 ms → TransactionInquire → `InquireResultMapper` → Dart `GpTomTransactionResult` — for
//! every sale outcome, refund, storno (cancelMode 1 and 2), a rejected request, a reused id and cancelPolling.
//! Every answer is decoded strictly (`gson.rs`): a Gson exception fails the test even where the plugin would
//! swallow it. The helpers here serve `android_queries.rs` too.

use serde_json::json;

use crate::dart::{
    self, GpTomRegisterResult, GpTomResult, GpTomTransactionResult, TransactionRequest,
};
use crate::device::Device;
use crate::entities::{InquireResultEntity, StateResultEntity, TransactionResultV2Entity};
use crate::gson::Gson;
use crate::plugin::{AndroidPlugin, CLASSIFY_V2_KNOWN, TxnRun, classify, classify_v2, to_iso8601};

/// `2026-01-01T00:00:00Z`, where the device's clock starts.
pub(crate) const START_MS: i64 = 1_767_225_600_000;

/// A Gson read that must succeed with an entity.
pub(crate) fn strict<T>(what: &str, json: &str, read: fn(&str) -> Gson<Option<T>>) -> T {
    match read(json) {
        Ok(Some(t)) => t,
        Ok(None) => panic!("{what}: Gson gives a null entity for {json}"),
        Err(e) => panic!("{what}: {e}\n  in {json}"),
    }
}

/// Every answer of one run, decoded strictly.
pub(crate) struct Decoded {
    pub(crate) states: Vec<StateResultEntity>,
    pub(crate) v2: Option<TransactionResultV2Entity>,
    pub(crate) inquiry: Option<InquireResultEntity>,
}

pub(crate) fn decode(run: &TxnRun) -> Decoded {
    Decoded {
        states: run
            .polls
            .iter()
            .map(|p| {
                let s = strict("stateRequest", &p.json, StateResultEntity::from_json);
                assert_eq!(p.entity.as_ref(), Some(&s), "what the plugin saw");
                s
            })
            .collect(),
        v2: run.v2_json.as_deref().map(|j| {
            strict(
                "onTransactionV2Result",
                j,
                TransactionResultV2Entity::from_json,
            )
        }),
        inquiry: run
            .inquire_json
            .as_deref()
            .map(|j| strict("TransactionInquire", j, InquireResultEntity::from_json)),
    }
}

/// `GpTomManager.register(GpTomRegisterRequest(originReferenceNum: null, clientId, persistPending))`.
pub(crate) async fn register(
    p: &mut AndroidPlugin<'_>,
    client_id: Option<&str>,
    persist: bool,
) -> GpTomResult<GpTomRegisterResult> {
    let res = p
        .register(&dart::register_request(None, client_id, persist))
        .await
        .expect("the plugin answers register");
    GpTomResult::from_map(&res, GpTomRegisterResult::from_json).expect("Dart parses register")
}

pub(crate) async fn register_id(p: &mut AndroidPlugin<'_>) -> String {
    let r = register(p, None, true).await;
    assert_eq!(r.code, "ok", "{r:?}");
    r.data.and_then(|d| d.transaction_id).expect("id")
}

/// The `saleResults` / `refundResults` / `cancelResults` stream element of the run's event.
pub(crate) fn txn_result(run: &TxnRun, kind: &str) -> GpTomResult<GpTomTransactionResult> {
    let e = run.event.as_ref().expect("an event");
    assert_eq!(dart::event_kind(e), kind, "{e}");
    GpTomResult::from_map(e, GpTomTransactionResult::from_json).expect("Dart parses the event")
}

/// `register` + `transaction(GpTomTransactionRequest.sale(id, amount))`.
pub(crate) async fn sale(p: &mut AndroidPlugin<'_>, amount: i64) -> (String, TxnRun) {
    let id = register_id(p).await;
    let run = p
        .transaction(&TransactionRequest::sale(&id, amount).to_json())
        .await;
    assert_eq!(run.method_result, json!({"code": "ok", "data": null}));
    (id, run)
}

/// The date the mock means (`yyMMdd` + `HHmmss`), as ISO.
pub(crate) fn meant(date: &str, time: &str) -> String {
    format!(
        "20{}-{}-{}T{}:{}:{}",
        &date[0..2],
        &date[2..4],
        &date[4..6],
        &time[0..2],
        &time[2..4],
        &time[4..6]
    )
}

#[tokio::test]
async fn approved_sale_decodes_and_maps_to_the_dart_result() {
    let d = Device::start("instant").await;
    let mut p = AndroidPlugin::new(&d);
    let reg = register(&mut p, None, true).await;
    assert_eq!(reg.code, "ok");
    let data = reg.data.expect("register data");
    assert_eq!(data.result_code, 0);
    assert_eq!(data.client_id.as_deref(), Some("CID343382001"));
    let id = data.transaction_id.expect("id");
    assert_eq!(p.pending, Some((id.clone(), None)));

    let run = p
        .transaction(&TransactionRequest::sale(&id, 1111).to_json())
        .await;
    assert_eq!(
        p.requests,
        [format!(
            r#"{{"printByPaymentApp":false,"amount":1111,"transactionID":"{id}","transactionType":1,"tipCollect":false}}"#
        )]
    );
    let dec = decode(&run);
    assert_eq!(dec.states.last().and_then(|s| s.state), Some(6));
    let v2 = dec.v2.expect("V2 result");
    let inq = dec.inquiry.expect("inquiry");
    assert_eq!(v2.get_result(), Ok(0));
    assert_eq!(v2.error, None);
    assert_eq!(
        (v2.currency_code, v2.amount, v2.total_amount),
        (Some(203), Some(1111), Some(1111))
    );
    assert_eq!(v2.transaction_id.as_deref(), Some(id.as_str()));
    assert!(v2.merchant_info.is_some());
    assert_eq!(inq.result, 0);
    assert_eq!(inq.trasanction_id.as_deref(), Some(id.as_str()));
    assert_eq!(inq.transaciton_type, 1);
    assert_eq!(
        (inq.amount.as_deref(), inq.currency_code.as_deref()),
        (Some("1111"), Some("203"))
    );
    assert_eq!(inq.external_transaction_id, v2.external_transaction_id);
    assert!(inq.card_holder_verification_method.is_some());
    assert_eq!(inq.merchant_info, v2.merchant_info);

    let r = txn_result(&run, "sale");
    assert_eq!(
        (r.code, r.transaction_id.as_deref()),
        ("ok", Some(id.as_str()))
    );
    let t = r.data.expect("data");
    assert_eq!((t.result, t.ecr_result_code()), (0, Some("ecrSuccess")));
    assert_eq!(
        (t.amount, t.tip_amount, t.currency_code.as_deref()),
        (Some(1111), Some(0), Some("CZK"))
    );
    assert_eq!(t.transaction_id.as_deref(), Some(id.as_str()));
    assert_eq!(t.transaction_type, Some(1));
    let last4 = &inq.card_number.as_deref().expect("card")[12..];
    assert_eq!(
        t.card_number.as_deref(),
        Some(format!("**** **** **** {last4}").as_str())
    );
    assert!(t.card_product.is_some() && t.emv_app_label.is_some());
    let m = t.merchant_info.expect("merchantInfo");
    assert_eq!(
        (m.company.as_deref(), m.country.as_deref()),
        (Some("GP tom mock merchant"), Some("CZ"))
    );
    assert!(t.card_holder_verification_method.is_some());
    // CLIENT BUG (C4): DateUtils.kt:15 parses `ddMMyy`, GP tom's `date` is `yyMMdd` ("250117" in gptom_aidl_plugin's
    // comments): 2026-01-01 00:00:00 comes out as 2001-01-26, silently.
    let (date, time) = (inq.date.as_deref().unwrap(), inq.time.as_deref().unwrap());
    assert_eq!(meant(date, time), "2026-01-01T00:00:00");
    assert_eq!(t.date.as_deref(), Some("2001-01-26T00:00:00"));
    assert_eq!(t.date, to_iso8601(Some(date), Some(time)));
    // state 6 clears the pending slot (GpTomPlugin.kt:429)
    assert_eq!(p.pending, None);
    assert!(p.gson_failures.is_empty(), "{:?}", p.gson_failures);
}

#[tokio::test]
async fn completed_outcomes_agree_between_the_v2_result_and_the_inquiry() {
    let d = Device::start("instant").await;
    let mut p = AndroidPlugin::new(&d);
    for (amount, result, ecr) in [
        (1122, -4, "ecrTransactionDecline"),
        (1127, -1, "ecrFailed"),
        (9991, 0, "ecrSuccess"),
    ] {
        let (id, run) = sale(&mut p, amount).await;
        let dec = decode(&run);
        assert_eq!(dec.states.last().and_then(|s| s.state), Some(6), "{amount}");
        let v2 = dec.v2.expect("V2");
        let inq = dec.inquiry.expect("inquiry");
        assert_eq!(v2.get_result(), Ok(result), "{amount}: V2 result");
        assert_eq!(inq.result, result, "{amount}: inquiry result");
        assert_eq!(inq.amount.as_deref(), Some(amount.to_string().as_str()));
        assert_eq!(v2.amount, Some(amount));
        assert!(inq.merchant_info.is_some(), "{amount}: merchantInfo");
        assert_eq!(
            inq.card_holder_verification_method, v2.card_holder_verification_method,
            "{amount}"
        );
        // CLIENT BUG (C5): handleCompletedState sends Success whatever `result` is (GpTomPlugin.kt:436-438): a
        // decline or a cardholder abort is an `ok` sale event; only data.result tells.
        let r = txn_result(&run, "sale");
        assert_eq!(r.code, "ok");
        assert_eq!(r.transaction_id.as_deref(), Some(id.as_str()));
        let t = r.data.expect("data");
        assert_eq!(
            (t.result, t.ecr_result_code()),
            (i64::from(result), Some(ecr))
        );
        assert_eq!(t.amount, Some(amount));
        if amount == 9991 {
            // dccData decodes under AAR 1.28 (numbers into BigDecimal, an ISO code into Currency).
            // CLIENT BUG (harmless): the plugin bundles AAR 1.28, whose DccDataEntity calls the rates
            // `effectiveRate`/`markUpRate`; GP tom's current library (1.29, as the mock) says `exchangeRate`/`markup`,
            // so they read null here. No mapper of this client reads dccData.
            for dcc in [v2.dcc_data.as_ref(), inq.dcc_data.as_ref()] {
                let dcc = dcc.expect("dccData");
                assert_eq!(dcc.currency_code.as_deref(), Some("KWD"));
                assert_eq!(dcc.region_schema_indicator, 1);
                assert!(dcc.amount.is_some());
                assert_eq!((&dcc.effective_rate, &dcc.mark_up_rate), (&None, &None));
            }
        }
    }
    assert!(p.gson_failures.is_empty(), "{:?}", p.gson_failures);
}

#[tokio::test]
async fn timeout_exception_and_customer_cancel_end_in_error_events() {
    let d = Device::start("instant").await;
    let mut p = AndroidPlugin::new(&d);
    for (amount, state, code, plugin_code, exception) in [
        (1123, 8, 65, "timeout", Some("TimeoutException")),
        (1124, 8, 104, "failed", Some("PaymentException")),
        (1125, 7, 43, "cancelled", None),
    ] {
        let (id, run) = sale(&mut p, amount).await;
        let dec = decode(&run);
        let last = dec.states.last().expect("a poll");
        assert_eq!(last.state, Some(state), "{amount}");
        let error = last.error.as_ref().expect("state error");
        assert_eq!(
            (error.platform, error.code),
            (Some("TOM_APP"), Some(code)),
            "{amount}"
        );
        assert_eq!(classify_v2(Some(error)), plugin_code, "{amount}");
        // 104 is not in classifyV2's table (ErrorCodeMapper.kt:53-93): the `else` branch gives `failed`, which is
        // what a payment exception means; every other code the mock sends is named there
        assert_eq!(CLASSIFY_V2_KNOWN.contains(&code), code != 104);
        if amount == 1123 {
            // IN_PROGRESS for the device timeout (60 s), polled every 500 ms, `updated` fixed meanwhile
            let in_progress: Vec<_> = dec.states.iter().filter(|s| s.state == Some(5)).collect();
            assert!(in_progress.len() >= 100, "{}", in_progress.len());
            assert!(
                in_progress
                    .iter()
                    .all(|s| s.updated == in_progress[0].updated)
            );
            assert!(run.polls.last().unwrap().at_ms >= 60_000);
        }
        // the V2 answer the plugin ignores decodes too, and says the same
        let v2 = dec.v2.expect("V2 result");
        assert_eq!(v2.get_result(), Ok(-1), "{amount}");
        match exception {
            Some(x) => {
                let e = v2.error.as_ref().expect("ErrorResultEntity");
                assert_eq!(
                    e.error_code.as_deref(),
                    Some(format!("1-{code:03}").as_str())
                );
                assert_eq!(e.exception.as_deref(), Some(x));
                assert!(e.support_id.as_deref().is_some_and(|s| !s.is_empty()));
                assert_eq!(classify(Some(e), v2.result), plugin_code, "{amount}");
            }
            None => assert_eq!(v2.error, None),
        }
        assert_eq!(run.inquire_json, None, "no inquiry after 7/8");
        let r = txn_result(&run, "sale");
        assert_eq!(r.code, plugin_code, "{amount}");
        let message = if state == 7 {
            "Transaction cancelled".to_owned()
        } else {
            format!("Transaction error (code={code})")
        };
        assert_eq!(r.message.as_deref(), Some(message.as_str()));
        // CLIENT BUG: an error event carries the StateResultMapper map, which saleResults parses as a
        // GpTomTransactionResult (gptom_manager.dart:25-26): no `result` key → -1, every field but the id null.
        let t = r.data.expect("data");
        assert_eq!(
            (t.result, t.transaction_id.as_deref(), t.amount),
            (-1, Some(id.as_str()), None)
        );
    }
    assert!(p.gson_failures.is_empty(), "{:?}", p.gson_failures);
}

#[tokio::test]
async fn init_error_is_polled_for_five_minutes_although_it_is_repeatable() {
    let d = Device::start("instant").await;
    let mut p = AndroidPlugin::new(&d);
    let (id, run) = sale(&mut p, 1126).await;
    let dec = decode(&run);
    assert!(dec.states.iter().all(|s| s.state == Some(3)));
    let first = &dec.states[0];
    assert_eq!(first.is_repeatable, Some(true));
    let error = first.error.as_ref().expect("error");
    assert_eq!(error.code, Some(97));
    assert_eq!(classify_v2(Some(error)), "invalidArgument");
    assert!(dec.states.iter().all(|s| s.updated == first.updated));
    // CLIENT BUG (C2): state 3 is not final for the plugin (GpTomPlugin.kt:329-333): it polls every 500 ms until
    // the 5-minute limit (checked before each poll, `> POLL_TIMEOUT_MS`), never classifies code 97, never retries.
    assert_eq!(run.polls.len(), 601);
    assert_eq!(run.polls.last().unwrap().at_ms, 300_000);
    let r = txn_result(&run, "sale");
    assert_eq!(
        (r.code, r.message.as_deref()),
        ("timeout", Some("Transaction polling timed out"))
    );
    assert_eq!(r.data, None);
    // what the client should have done: send the same transactionID again (isRepeatable)
    let retry = p
        .transaction(&TransactionRequest::sale(&id, 1111).to_json())
        .await;
    let dec = decode(&retry);
    assert_eq!(dec.states.last().and_then(|s| s.state), Some(6));
    assert_eq!(dec.inquiry.map(|i| i.result), Some(0));
    assert!(p.gson_failures.is_empty(), "{:?}", p.gson_failures);
}

#[tokio::test]
async fn refund_and_storno_in_both_cancel_modes() {
    let d = Device::start("instant").await;
    let mut p = AndroidPlugin::new(&d);
    // storno cancelMode 1 (last transaction); the Dart factory still sends originTransactionId
    let (a, _) = sale(&mut p, 1111).await;
    let void1 = register_id(&mut p).await;
    let run = p
        .transaction(&TransactionRequest::storno(&void1, 1, &a).to_json())
        .await;
    assert_eq!(
        p.requests.last().unwrap(),
        &format!(
            r#"{{"printByPaymentApp":false,"transactionID":"{void1}","transactionType":2,"originTransactionID":"{a}","cancelMode":1,"tipCollect":false}}"#
        )
    );
    // storno cancelMode 2 with the sale's register id, as the example app does (example/lib/main.dart:171-174)
    let (b, _) = sale(&mut p, 1114).await;
    let void2 = register_id(&mut p).await;
    let run2 = p
        .transaction(&TransactionRequest::storno(&void2, 2, &b).to_json())
        .await;
    let refund = register_id(&mut p).await;
    let run3 = p
        .transaction(&TransactionRequest::refund(&refund, 700).to_json())
        .await;
    for (run, kind, ty, amount) in [
        (&run, "cancel", 2, "1111"),
        (&run2, "cancel", 2, "1114"),
        (&run3, "refund", 3, "700"),
    ] {
        let dec = decode(run);
        let v2 = dec.v2.expect("V2");
        let inq = dec.inquiry.expect("inquiry");
        assert_eq!((v2.get_result(), inq.result), (Ok(0), 0), "{kind} {amount}");
        assert_eq!((v2.transaction_type, inq.transaciton_type), (Some(ty), ty));
        assert_eq!(inq.amount.as_deref(), Some(amount));
        let r = txn_result(run, kind);
        assert_eq!(r.code, "ok");
        let t = r.data.expect("data");
        assert_eq!(
            (t.result, t.transaction_type, t.amount),
            (0, Some(i64::from(ty)), amount.parse().ok())
        );
        assert_eq!(t.currency_code.as_deref(), Some("CZK"));
    }
    assert!(p.gson_failures.is_empty(), "{:?}", p.gson_failures);
}

#[tokio::test]
async fn a_rejected_request_is_never_reported() {
    let d = Device::start("instant").await;
    let mut p = AndroidPlugin::new(&d);
    let (b, _) = sale(&mut p, 1111).await;
    let void = register_id(&mut p).await;
    p.transaction(&TransactionRequest::storno(&void, 2, &b).to_json())
        .await;
    let again = register_id(&mut p).await;
    let run = p
        .transaction(&TransactionRequest::storno(&again, 2, &b).to_json())
        .await;
    let dec = decode(&run);
    // GP tom answers the request in-band: already voided
    let v2 = dec.v2.expect("V2");
    assert_eq!(v2.get_result(), Ok(-5));
    assert_eq!(classify(v2.error.as_ref(), v2.result), "cannotBeVoided");
    // CLIENT BUG (C1): onTransactionV2Result is ignored (GpTomPlugin.kt:257-261); the registration never starts a
    // task, state stays 1 (CREATED) and the storno ends as a 5-minute `timeout` instead of cannotBeVoided.
    assert!(dec.states.iter().all(|s| s.state == Some(1)));
    assert_eq!(run.polls.len(), 601);
    assert_eq!(txn_result(&run, "cancel").code, "timeout");

    // a transactionID used twice: GP tom refuses the second request (-2), but the id's state is the first
    // payment's 6
    let (id, _) = sale(&mut p, 1111).await;
    let run = p
        .transaction(&TransactionRequest::sale(&id, 1122).to_json())
        .await;
    let dec = decode(&run);
    assert_eq!(dec.v2.expect("V2").get_result(), Ok(-2));
    // CLIENT BUG (C3): the plugin polls, sees the old 6, inquires and reports the previous sale as a fresh `ok`
    // result for the new amount.
    let r = txn_result(&run, "sale");
    assert_eq!(r.code, "ok");
    assert_eq!(r.data.expect("data").amount, Some(1111));
    assert!(p.gson_failures.is_empty(), "{:?}", p.gson_failures);
}

#[tokio::test]
async fn cancel_polling_stops_the_client_not_the_payment() {
    let d = Device::start("instant").await;
    let mut p = AndroidPlugin::new(&d);
    p.cancel_after_polls = Some(4);
    let (id, run) = sale(&mut p, 1123).await;
    p.cancel_after_polls = None;
    // cancelPolling (GpTomPlugin.kt:344-359) takes effect before the next poll (:281-286)
    assert_eq!(run.polls.len(), 4);
    let r = txn_result(&run, "sale");
    assert_eq!(
        (r.code, r.message.as_deref()),
        ("cancelled", Some("Polling cancelled"))
    );
    assert_eq!(
        p.cancel_polling(&id)["code"],
        "failed",
        "no active polling any more"
    );
    // GP tom goes on: the payment still times out on the device
    d.advance(60.0);
    let (e, json) = p.get_state(&id).await;
    let s = strict("getState", &json, StateResultEntity::from_json);
    assert_eq!(s.state, Some(8));
    assert_eq!(e["data"]["error"]["code"], 65);
    assert!(p.gson_failures.is_empty(), "{:?}", p.gson_failures);
}
