//! Negative and positive controls for the transliteration of AppsDevTeam/flutter-gptom (commit
//! 11c1772c9e97fc929321bb5b8cc2dc841199867b), on literal JSON with no mock: the Gson rules of `gson.rs` on the
//! AAR 1.28.0 entities (each row was run through the real Gson 2.10 and the real AAR classes with
//! `/tmp/research/harness/probe.sh`, and gave the same verdict), `DateUtils.toISO8601`, `ErrorCodeMapper`, the
//! request JSON the plugin's Gson writes, the Dart coercions, and the iOS SDK copy's `JSONDecoder` rules. They
//! prove the readers used against the mock can fail.

use serde_json::json;

use crate::dart;
use crate::entities::{
    ErrorResultEntity, ErrorResultV2Entity, InquireResultEntity, StateResultEntity,
    TransactionResultV2Entity,
};
use crate::ios::{Batch, Decimal, TransactionData};
use crate::plugin::{classify, classify_v2, to_iso8601};

/// `StateResultEntity` cases: (JSON, Ok(state) or Err).
#[test]
fn state_entity_decodes_exactly_like_gson() {
    let ok = |j: &str| {
        StateResultEntity::from_json(j)
            .unwrap_or_else(|e| panic!("{j}: {e}"))
            .expect("entity")
    };
    let err = |j: &str| {
        assert!(
            StateResultEntity::from_json(j).is_err(),
            "{j} must throw JsonSyntaxException"
        )
    };
    // numbers and numeric strings in an Integer field
    assert_eq!(ok(r#"{"state":"6"}"#).state, Some(6));
    assert_eq!(ok(r#"{"state":6.0}"#).state, Some(6));
    assert_eq!(ok(r#"{"state":" 6 "}"#).state, Some(6));
    assert_eq!(ok(r#"{"state":"1e0"}"#).state, Some(1));
    err(r#"{"state":6.5}"#);
    err(r#"{"state":"COMPLETED"}"#);
    err(r#"{"state":"0x6"}"#);
    err(r#"{"state":2147483648}"#);
    err(r#"{"state":true}"#);
    err(r#"{"state":6,"error":{"code":43.5}}"#);
    // String fields take numbers and booleans as text, never objects or arrays
    assert_eq!(
        ok(r#"{"state":6,"transactionId":123}"#).transaction_id,
        Some("123".into())
    );
    assert_eq!(
        ok(r#"{"state":6,"transactionId":true}"#).transaction_id,
        Some("true".into())
    );
    err(r#"{"state":6,"transactionId":{"a":1}}"#);
    err(r#"{"state":6,"transactionId":[1]}"#);
    // Boolean: strings through parseBoolean, numbers throw
    assert_eq!(
        ok(r#"{"state":6,"isRepeatable":"yes"}"#).is_repeatable,
        Some(false)
    );
    assert_eq!(
        ok(r#"{"state":6,"isRepeatable":"TRUE"}"#).is_repeatable,
        Some(true)
    );
    err(r#"{"state":6,"isRepeatable":1}"#);
    // nested entity: an object or nothing; an unknown enum constant is null, a numeric string an Integer
    err(r#"{"state":6,"error":"boom"}"#);
    let e = ok(r#"{"state":6,"error":{"platform":"tomApp","code":"43","x":[1]}}"#)
        .error
        .expect("error");
    assert_eq!((e.platform, e.code), (None, Some(43)));
    // the document: null or blank → null entity; an array or a string → exception; trailing text → exception
    assert_eq!(StateResultEntity::from_json("null"), Ok(None));
    assert_eq!(StateResultEntity::from_json("  "), Ok(None));
    err("[1]");
    err(r#""x""#);
    err(r#"{"state":6} x"#);
    // unknown keys are skipped whatever they hold
    assert_eq!(ok(r#"{"state":6,"extra":{"a":[1,2]}}"#).state, Some(6));
}

#[test]
fn dates_need_a_zone_and_a_valid_calendar_day() {
    let created = |s: &str| {
        StateResultEntity::from_json(&json!({"state": 6, "created": s}).to_string())
            .map(|e| e.and_then(|e| e.created))
    };
    let jan1 = 1_767_225_600_000;
    assert_eq!(created("2026-01-01T00:00:00.000Z"), Ok(Some(jan1)));
    assert_eq!(created("2026-01-01T00:00:00Z"), Ok(Some(jan1)));
    assert_eq!(created("2026-01-01T00:00Z"), Ok(Some(jan1)));
    assert_eq!(created("2026-01-01T00:00:00.123456Z"), Ok(Some(jan1 + 123)));
    assert_eq!(created("2026-01-01T00:00:00.5Z"), Ok(Some(jan1 + 500)));
    assert_eq!(
        created("2026-01-01T00:00:00+01:00"),
        Ok(Some(jan1 - 3_600_000))
    );
    assert_eq!(
        created("2026-01-01T00:00:00+0100"),
        Ok(Some(jan1 - 3_600_000))
    );
    assert_eq!(created("2026-01-01"), Ok(Some(jan1)));
    assert_eq!(created("20260101T000000Z"), Ok(Some(jan1)));
    assert_eq!(created("2026-01-01T00:00:00Zgarbage"), Ok(Some(jan1)));
    assert_eq!(created("2026-01-01T00:00:60Z"), Ok(Some(jan1 + 59_000)));
    assert_eq!(created("Jan 1, 2026 12:00:00 AM"), Ok(Some(jan1)));
    assert_eq!(created("Jan 1, 2026, 12:00:00 AM"), Ok(Some(jan1)));
    for bad in [
        "2026-01-01T00:00:00",
        "2026-01-01 00:00:00",
        "2026-13-01T00:00:00Z",
        "2026-01-01T24:00:00Z",
        "2026-02-29T00:00:00Z",
        "2026-01-01T00:00:00+1",
        "yesterday",
    ] {
        assert!(created(bad).is_err(), "{bad} must be rejected");
    }
    // an epoch number is read as its text, which is no date
    let epoch = StateResultEntity::from_json(r#"{"state":6,"created":1767225600000}"#);
    assert!(epoch.is_err());
}

#[test]
fn result_entities_reject_fractions_and_words_in_whole_fields() {
    let txn = |j: &str| TransactionResultV2Entity::from_json(j);
    assert!(txn(r#"{"result":1.5}"#).is_err());
    assert!(txn(r#"{"result":0,"amount":"220.05"}"#).is_err());
    assert!(txn(r#"{"result":0,"currencyCode":"CZK"}"#).is_err());
    assert!(txn(r#"{"result":0,"cardProduct":true}"#).is_err());
    assert!(txn(r#"{"result":0,"merchantInfo":"x"}"#).is_err());
    assert!(txn(r#"{"result":0,"dccData":{"currencyCode":"978"}}"#).is_err());
    assert!(txn(r#"{"result":0,"dccData":{"effectiveRate":"abc"}}"#).is_err());
    let e =
        txn(r#"{"result":0,"amount":22005.0,"tipAmount":99999999999,"cardProduct":"MASTERCARD"}"#)
            .unwrap()
            .unwrap();
    assert_eq!(
        (e.amount, e.tip_amount, e.card_product),
        (Some(22005), Some(99_999_999_999), None)
    );
    // 1.29's DCC names are unknown keys to 1.28, whatever they hold
    let e = txn(r#"{"result":0,"dccData":{"exchangeRate":"abc","markup":{}}}"#)
        .unwrap()
        .unwrap();
    assert_eq!(e.dcc_data.unwrap().effective_rate, None);
    // a V2-shaped error read as an ErrorResultEntity: an empty, non-null entity
    let e = txn(r#"{"result":0,"error":{"platform":"TOM_APP","code":65}}"#)
        .unwrap()
        .unwrap();
    assert_eq!(e.error, Some(ErrorResultEntity::default()));
    // the bridge's 202 body has no `result`: getResult() unboxes null
    let pending = txn(r#"{"pending":"x"}"#).unwrap().unwrap();
    assert!(pending.get_result().is_err());

    let inq = |j: &str| InquireResultEntity::from_json(j);
    let e = inq(r#"{"result":"-4","cardProduct":"maestro"}"#)
        .unwrap()
        .unwrap();
    assert_eq!(
        (e.result, e.transaciton_type, e.card_product),
        (-4, 0, None)
    );
    // primitive `int result`: a missing result reads as 0 = success
    assert_eq!(inq("{}").unwrap().unwrap().result, 0);
    assert!(inq(r#"{"transacitonType":2.5}"#).is_err());
    assert_eq!(
        inq(r#"{"amount":1111.0}"#)
            .unwrap()
            .unwrap()
            .amount
            .as_deref(),
        Some("1111.0")
    );
}

/// `DateUtils.toISO8601` (verified with `probe.sh date`).
#[test]
fn date_utils_reads_day_month_year() {
    let d = |date: &str, time: &str| to_iso8601(Some(date), Some(time));
    assert_eq!(
        d("170126", "143000").as_deref(),
        Some("2026-01-17T14:30:00")
    );
    assert_eq!(
        d("260101", "000010").as_deref(),
        Some("2001-01-26T00:00:10")
    );
    assert_eq!(
        d("310226", "235959").as_deref(),
        Some("2026-02-28T23:59:59")
    );
    assert_eq!(
        d("290231", "000000").as_deref(),
        Some("2031-02-28T00:00:00")
    );
    assert_eq!(
        d("170125", "240000").as_deref(),
        Some("2025-01-18T00:00:00")
    );
    for (date, time) in [
        ("000126", "000000"),
        ("311301", "000000"),
        ("17012", "143000"),
        ("1701260", "143000"),
        ("17a126", "143000"),
        ("170126", "240100"),
        ("", "143000"),
    ] {
        assert_eq!(d(date, time), None, "{date} {time}");
    }
    assert_eq!(to_iso8601(None, Some("000000")), None);
}

#[test]
fn error_code_mapper_tables() {
    let ex = |e: &str| ErrorResultEntity {
        exception: Some(e.into()),
        ..Default::default()
    };
    assert_eq!(
        classify(Some(&ex("x.UserLoggedOutException")), Some(-7)),
        "invalidCredentials"
    );
    assert_eq!(
        classify(Some(&ex("InvalidClientId")), Some(-7)),
        "invalidClientId"
    );
    assert_eq!(
        classify(Some(&ex("InvalidParameter")), Some(-6)),
        "invalidArgument"
    );
    assert_eq!(
        classify(Some(&ex("java.util.concurrent.TimeoutException")), None),
        "timeout"
    );
    assert_eq!(classify(None, Some(0)), "ok");
    assert_eq!(classify(None, Some(-5)), "cannotBeVoided");
    assert_eq!(classify(None, Some(-3)), "failed");
    assert_eq!(classify(None, None), "failed");
    let code = |c: i32| ErrorResultV2Entity {
        code: Some(c),
        ..Default::default()
    };
    let table = [
        (43, "cancelled"),
        (45, "failed"),
        (65, "timeout"),
        (97, "invalidArgument"),
        (48, "failedToCloseBatch"),
        (8, "invalidClientId"),
        (70, "failedTapToPay"),
        (104, "failed"),
        (0, "failed"),
    ];
    for (c, want) in table {
        assert_eq!(classify_v2(Some(&code(c))), want, "code {c}");
    }
    assert_eq!(classify_v2(None), "failed");
}

/// The request JSON of §1.3 of the research notes, produced by the real Gson on the real entity
/// (`harness/src/Req.java`), must come out of the plugin transliteration byte for byte.
#[test]
fn requests_are_the_json_gson_writes() {
    let entity = |r: dart::TransactionRequest| {
        crate::plugin::request_entity(&r.to_json())
            .expect("valid")
            .2
            .to_string()
    };
    let every = dart::TransactionRequest {
        payment_method: Some("CASH"),
        print_by_payment_app: Some(true),
        tip_amount: Some(200),
        client_id: Some("CID1".into()),
        origin_reference_num: Some("REF1".into()),
        currency_code: Some("CZK".into()),
        tip_collect: Some(true),
        ..dart::TransactionRequest::sale("ID", 1111)
    };
    // CLIENT BUG (C8): Dart's `printByPaymentApp` defaults to false (transaction_request.dart:82) although its doc
    // (line 38) and both native sides say true; every request below but the legacy batch goes out with false.
    assert_eq!(
        [
            entity(dart::TransactionRequest::sale("ID", 1111)),
            entity(dart::TransactionRequest::storno("ID", 2, "ORIG")),
            entity(dart::TransactionRequest::refund("ID", 700)),
            entity(dart::TransactionRequest::close_batch("ID")),
            entity(every),
            crate::plugin::legacy_batch_entity("ID", &json!({"transactionType": 4})).to_string(),
        ],
        [
            r#"{"printByPaymentApp":false,"amount":1111,"transactionID":"ID","transactionType":1,"tipCollect":false}"#,
            r#"{"printByPaymentApp":false,"transactionID":"ID","transactionType":2,"originTransactionID":"ORIG","cancelMode":2,"tipCollect":false}"#,
            r#"{"printByPaymentApp":false,"amount":700,"transactionID":"ID","transactionType":3,"tipCollect":false}"#,
            r#"{"printByPaymentApp":false,"transactionID":"ID","transactionType":4,"tipCollect":false}"#,
            r#"{"paymentMethod":"CASH","printByPaymentApp":true,"amount":1111,"tipAmount":200,"transactionID":"ID","clientID":"CID1","transactionType":1,"originReferenceNum":"REF1","currencyCode":"CZK","tipCollect":true}"#,
            r#"{"printByPaymentApp":true,"transactionID":"ID","transactionType":4}"#,
        ]
    );
    // the method-call checks (GpTomPlugin.kt:199-224) answer before any entity exists
    let rejected =
        |a: serde_json::Value| crate::plugin::request_entity(&a).unwrap_err()["code"].clone();
    assert_eq!(
        rejected(json!({"transactionId": "ID", "transactionType": 5})),
        "invalidArgument"
    );
    assert_eq!(
        rejected(json!({"transactionId": " ", "transactionType": 1, "amount": 1})),
        "invalidArgument"
    );
    assert_eq!(
        rejected(json!({"transactionId": "ID", "transactionType": 1})),
        "invalidArgument"
    );
    assert_eq!(
        rejected(json!({"transactionId": "ID", "transactionType": 2, "cancelMode": 2})),
        "invalidArgument"
    );
    // CLIENT BUG (C9): an amount of 0 passes the check (`amountLong < 0` only); GP tom rejects it later
    assert!(
        crate::plugin::request_entity(&dart::TransactionRequest::sale("ID", 0).to_json()).is_ok()
    );
}

#[test]
fn dart_coercions() {
    assert_eq!(dart::as_int(&json!("1111")), Some(1111));
    assert_eq!(dart::as_int(&json!("1111.0")), None);
    assert_eq!(dart::as_int(&json!("1-040")), None);
    assert_eq!(dart::as_int(&json!(11.9)), Some(11));
    assert_eq!(
        dart::as_currency_code(&json!("203")).as_deref(),
        Some("CZK")
    );
    assert_eq!(dart::as_currency_code(&json!(978)).as_deref(), Some("EUR"));
    assert_eq!(
        dart::as_currency_code(&json!("999")).as_deref(),
        Some("999")
    );
    assert_eq!(
        dart::as_masked_card_number(&json!("************2201"), &json!("A0000000043060"))
            .as_deref(),
        Some("**** **** **** 2201")
    );
    assert_eq!(
        dart::as_masked_card_number(&json!("12"), &json!("A000000025")).as_deref(),
        Some("**** ****** ***12")
    );
    assert_eq!(dart::card_product(&json!("Maestro")), Ok(Some("maestro")));
    assert_eq!(dart::card_product(&json!("VISA_X")), Ok(Some("unknow")));
    assert!(dart::card_product(&json!(5)).is_err());
    // GpTomErrorResult: `supportId as String?` throws on a number
    let m = json!({"errorCode": "1-040", "supportId": 7});
    assert!(dart::GpTomErrorResult::from_json(m.as_object().unwrap()).is_err());
    // an unknown result code becomes internalError
    let r = dart::GpTomResult::<()>::from_map(&json!({"code": "serviceException"}), |_| Ok(()));
    assert_eq!(r.unwrap().code, "internalError");
}

/// The bundled SDK copy (7f6e963) drops a whole receipt on one bad field.
#[test]
fn ios_sdk_copy_is_strict() {
    let base = json!({"amount": "11.11", "cardType": "VISA", "transactionType": "CARD", "result": 0,
                      "date": "2026-01-01T00:00:00.000Z"});
    let with = |k: &str, v: serde_json::Value| {
        let mut r = base.clone();
        r[k] = v;
        TransactionData::decode(&r.to_string())
    };
    let ok = TransactionData::decode(&base.to_string()).unwrap();
    assert_eq!(ok.date, Some(1_767_225_600_000));
    assert!(with("cardType", json!("MAESTRO")).is_err());
    assert!(
        with("cardType", json!("GIROCARD")).is_err(),
        "the copy predates GIROCARD"
    );
    assert!(with("amount", json!(11.11)).is_err());
    assert!(with("result", json!("0")).is_err());
    assert!(with("result", json!(0.5)).is_err());
    assert!(with("pinOk", json!(1)).is_err());
    // a date without the fraction is nil, not an error
    assert_eq!(
        with("date", json!("2026-01-01T00:00:00Z")).unwrap().date,
        None
    );
    let dcc = |d: serde_json::Value| with("dccData", d);
    let good = json!({"currency": "KWD", "amount": 1.298, "markup": 320, "regionSchemaIndicator": 1,
                      "exchangeRate": 76.923077, "status": "ACCEPTED"});
    assert!(dcc(good.clone()).is_ok());
    for (k, v) in [
        ("amount", json!("1.298")),
        ("markup", json!("3.2")),
        ("markup", json!(3.2)),
        ("exchangeRate", json!("0.013")),
        ("status", json!("DONE")),
    ] {
        let mut d = good.clone();
        d[k] = v;
        assert!(dcc(d).is_err(), "dccData.{k}");
    }
    assert!(
        Batch::decode(r#"{"batchNumber":"1"}"#).is_err(),
        "amsId is required"
    );
    assert!(Batch::decode(r#"{"amsId":"a","saleAmount":"1.5"}"#).is_err());
    assert_eq!(Decimal::parse("244.33").map(Decimal::int64), Some(24433));
    assert_eq!(Decimal::parse("0.29").map(Decimal::int64), Some(29));
}
