//! Negative controls for the transliteration of mhmmdlkts/gptom_aidl_plugin (commit
//! a6c8d6f5faf7f3256744e88828fa4dc416f8e66e): literal JSON and URLs, no mock. They prove the decoders are as
//! strict (and as lenient) as the Dart code — a wrong JSON type ends in the -1001/-999 fallback or an exception
//! exactly where Dart's would — and pin the Dart runtime details the models rely on.

use crate::dart::{
    DateTime, Dv, Uri, build_uri, decode_query_component, double_to_string, double_try_parse,
    encode_query_component, int_try_parse, json_decode, to_string,
};
use crate::gson::{self, gson_inquire};
use crate::ios::{
    CreateArgs, batch_from_redirect, request_result_from_receipt, result_of_redirect,
};
use crate::models::{
    Batch, GpTomInfo, GpTomLoginEvent, InquireResult, RegisterResult, RequestResult, StateResult,
    StateStatus, TransactionMethode, TransactionType,
};
use crate::plugin::V2Request;

#[test]
fn json_decode_tells_int_from_double_like_dart() {
    assert_eq!(json_decode("1111").unwrap(), Dv::Int(1111));
    assert_eq!(json_decode("1111.0").unwrap(), Dv::Double(1111.0));
    assert_eq!(json_decode("1e2").unwrap(), Dv::Double(100.0));
    assert_eq!(json_decode("-0").unwrap(), Dv::Int(0));
    assert!(
        matches!(json_decode("-0.0").unwrap(), Dv::Double(d) if d == 0.0 && d.is_sign_negative())
    );
    assert_eq!(
        json_decode("9223372036854775807").unwrap(),
        Dv::Int(i64::MAX)
    );
    assert_eq!(
        json_decode("9223372036854775808").unwrap(),
        Dv::Double(9.223372036854776e18)
    );
    assert_eq!(
        json_decode(r#"{"a":1,"a":2}"#).unwrap(),
        json_decode(r#"{"a":2}"#).unwrap()
    );
    assert_eq!(
        json_decode(r#""\u00e9\ud83d\ude00""#).unwrap(),
        Dv::Str("é😀".into())
    );
    for bad in [
        "", "01", "1.", ".5", "+1", "NaN", "{'a':1}", "[1,]", "\"\t\"", "{} x", "tru",
    ] {
        assert!(
            json_decode(bad).is_err(),
            "{bad:?} must be a FormatException"
        );
    }
}

#[test]
fn dart_number_parsing_and_printing() {
    for (s, v) in [
        ("0", Some(0)),
        (" 42 ", Some(42)),
        ("+7", Some(7)),
        ("-0x1F", Some(-31)),
        ("0xFFFFFFFFFFFFFFFF", Some(-1)),
        ("9223372036854775807", Some(i64::MAX)),
        ("-9223372036854775808", Some(i64::MIN)),
        ("9223372036854775808", None),
        ("1111.0", None),
        ("1e3", None),
        ("", None),
        ("-", None),
        ("0x", None),
        ("١٢", None),
        ("\u{a0}5\u{feff}", Some(5)),
        ("null", None),
    ] {
        assert_eq!(int_try_parse(s), v, "int.tryParse({s:?})");
    }
    for (s, v) in [
        ("11.11", Some(11.11)),
        (" 5 ", Some(5.0)),
        ("5.", Some(5.0)),
        (".5", Some(0.5)),
        ("1e3", Some(1000.0)),
        ("-Infinity", Some(f64::NEG_INFINITY)),
        ("0x10", None),
        ("1,5", None),
        ("", None),
        ("e5", None),
        ("true", None),
    ] {
        assert_eq!(double_try_parse(s), v, "double.tryParse({s:?})");
    }
    assert!(double_try_parse("NaN").is_some_and(f64::is_nan));
    for (d, s) in [
        (0.0, "0.0"),
        (1111.0, "1111.0"),
        (11.11, "11.11"),
        (1e21, "1e+21"),
        (1.5e-7, "1.5e-7"),
        (1e20, "100000000000000000000.0"),
    ] {
        assert_eq!(double_to_string(d), s);
    }
    assert_eq!(
        to_string(&json_decode(r#"{"a":[1,"b",null],"c":true}"#).unwrap()),
        "{a: [1, b, null], c: true}"
    );
}

#[test]
fn dart_date_time_parse() {
    let utc = DateTime::parse("2023-09-11T12:29:11.300Z").unwrap();
    assert!(utc.is_utc);
    assert_eq!(
        (
            utc.year(),
            utc.month(),
            utc.day(),
            utc.hour(),
            utc.minute(),
            utc.second(),
            utc.millisecond()
        ),
        (2023, 9, 11, 12, 29, 11, 300)
    );
    let offset = DateTime::parse("2026-01-01T01:30:00+0130").unwrap();
    assert_eq!(
        offset,
        DateTime::parse("2026-01-01T00:00:00Z").unwrap(),
        "converted to UTC"
    );
    let overflow = DateTime::parse("2020-01-42").unwrap();
    assert_eq!(
        (overflow.month(), overflow.day(), overflow.is_utc),
        (2, 11, false)
    );
    assert_eq!(
        DateTime::parse("20260101").unwrap().year(),
        2026,
        "the year's length backtracks"
    );
    assert_eq!(
        DateTime::parse("+0202600101").unwrap().year(),
        20260,
        "six-digit year"
    );
    assert!(DateTime::parse("2026-01-01 12:30:24,5").is_ok());
    for bad in [
        "Jan 1, 2026 12:00:00 AM",
        "2026-1-01",
        "2026-01-01T12:3",
        "2026-01-01T1230:",
        "2026-01-01Z",
        "",
        "260101",
    ] {
        assert_eq!(DateTime::try_parse(bad), None, "{bad:?}");
    }
}

#[test]
fn dart_uri_query_encoding_and_decoding() {
    assert_eq!(
        encode_query_component("a b+c/:@é~"),
        "a+b%2Bc%2F%3A%40%C3%A9~"
    );
    assert_eq!(
        build_uri(
            "gptom",
            "batch",
            "close",
            &[("clientID", String::new()), ("redirectUrl", "x://y".into())]
        ),
        "gptom://batch/close?clientID&redirectUrl=x%3A%2F%2Fy",
        "an empty value is the bare key"
    );
    assert_eq!(decode_query_component("a+b%2Bc%zz%").unwrap(), "a b+c%zz%");
    let q = Uri::parse("MyApp://redirect?a=1&=x&b&a=2&c=%7B%7D#frag=9")
        .query_parameters()
        .unwrap();
    assert_eq!(
        q.0,
        vec![
            ("a".into(), Dv::Str("2".into())),
            ("b".into(), Dv::Str(String::new())),
            ("c".into(), Dv::Str("{}".into()))
        ]
    );
    assert_eq!(Uri::parse("MyApp://redirect").scheme, "myapp");
    assert!(
        Uri::parse("x://r?a=%FF").query_parameters().is_err(),
        "bad UTF-8 is a FormatException"
    );
}

#[test]
fn register_result_controls() {
    let r = RegisterResult::from_json(r#"{"resultCode":"0","transactionId":"t"}"#);
    assert_eq!(
        (r.result_code, r.is_success()),
        (0, true),
        "a numeric string is tolerated (robustness_test.dart:20-21)"
    );
    assert_eq!(
        RegisterResult::from_json(r#"{"resultCode":0.0,"transactionId":"t"}"#).result_code,
        0
    );
    assert_eq!(
        RegisterResult::from_json(r#"{"transactionId":"t"}"#).result_code,
        -1001
    );
    assert_eq!(
        RegisterResult::from_json(r#"{"resultCode":0,"transactionId":5}"#),
        RegisterResult::format_exception()
    );
    assert_eq!(
        RegisterResult::from_json(r#"{"resultCode":0,"error":{"errorCode":97}}"#).result_code,
        -1001
    );
    assert_eq!(
        RegisterResult::from_json(r#"{"resultCode":0,"error":"x"}"#).error,
        None,
        "a non-Map error is ignored"
    );
    assert_eq!(RegisterResult::from_json("[]").result_code, -1001);
    assert!(
        !RegisterResult::from_json(r#"{"resultCode":0}"#).is_success(),
        "no transactionId"
    );
}

#[test]
fn request_result_controls() {
    let ok = r#"{"result":0,"amount":1111,"batchNumber":"5","currencyCode":203}"#;
    assert_eq!(RequestResult::from_json(ok).result, Some(0));
    assert_eq!(
        RequestResult::from_json(ok).currency_code.as_deref(),
        Some("203")
    );
    for bad in [
        r#"{"result":0.0}"#,
        r#"{"result":"0"}"#,
        r#"{"result":0,"batchNumber":5}"#,
        r#"{"result":0,"amount":"1111"}"#,
        r#"{"result":0,"amount":1e400}"#,
        r#"{"result":0,"merchantInfo":"Prague"}"#,
        r#"{"result":0,"merchantInfo":{"zip":10100}}"#,
        r#"{"result":0,"error":{"errorCode":65}}"#,
        r#"{"result":0,"pinOk":"true"}"#,
        r#"{"result":0,"emvAppLabel":null,"emvAppLable":1}"#,
        "not json",
    ] {
        assert_eq!(
            RequestResult::from_json(bad),
            RequestResult::exception(),
            "{bad}"
        );
    }
    let lenient = RequestResult::from_json(
        r#"{"amount":1111.6,"transactionType":4.0,"currencyCode":"978","error":{"platform":"TOM_APP","code":65}}"#,
    );
    assert_eq!(lenient.result, None, "a missing result is not an error");
    assert_eq!(lenient.amount_cents, Some(1112));
    assert_eq!(lenient.tip_amount_cents, Some(0));
    assert_eq!(lenient.transaction_type, Some(TransactionType::CloseBatch));
    assert_eq!(
        lenient.error.unwrap().error_code,
        None,
        "an ErrorResultV2Entity-shaped error reads as all null"
    );
    assert_eq!(
        RequestResult::from_json(r#"{"transactionType":"1"}"#).transaction_type,
        None
    );
    assert_eq!(
        RequestResult::from_json(r#"{"emvAppLable":"Visa"}"#)
            .emv_app_lable
            .as_deref(),
        Some("Visa")
    );
}

#[test]
fn state_result_controls() {
    let ok = StateResult::from_json(
        r#"{"resultCode":0,"state":6,"created":"2023-09-11T12:29:11.300Z","error":{"code":43,"platform":"TOM_APP"}}"#,
    );
    assert_eq!((ok.result_code, ok.state), (0, StateStatus::Completed));
    assert!(ok.created.is_some());
    assert_eq!(
        StateResult::from_json(r#"{"resultCode":0.0,"state":6}"#).result_code,
        -1001
    );
    assert_eq!(
        StateResult::from_json(r#"{"resultCode":"0","state":6}"#).result_code,
        0
    );
    assert_eq!(
        StateResult::from_json(r#"{"resultCode":0,"state":6.0}"#).state,
        StateStatus::Unknown
    );
    assert_eq!(
        StateResult::from_json(r#"{"resultCode":0,"state":4}"#).state,
        StateStatus::Unknown
    );
    assert_eq!(
        StateResult::from_json(r#"{"resultCode":0,"created":"Jan 1, 2026 12:00:00 AM"}"#).created,
        None,
        "Gson's default Date is read as null"
    );
    for bad in [
        r#"{"resultCode":0,"created":5}"#,
        r#"{"resultCode":0,"error":{"code":"65"}}"#,
        r#"{"resultCode":0,"isRepeatable":"false"}"#,
        r#"{"resultCode":0,"error":[]}"#,
    ] {
        assert_eq!(
            StateResult::from_json(bad),
            StateResult::exception(),
            "{bad}"
        );
    }
}

#[test]
fn inquire_result_controls() {
    let ok = InquireResult::from_json(
        r#"{"result":0,"trasanctionID":"t","amount":"1111","tipAmount":50,"totalAmount":"1161","currencyCode":"203","transacitonType":2}"#,
    );
    assert_eq!(
        (
            ok.result,
            ok.transaction_id.as_str(),
            ok.amount_cents,
            ok.tip_amount_cents,
            ok.total_amount_cents
        ),
        (0, "t", 1111, 50, Some(1161))
    );
    assert_eq!(ok.transaction_type, Some(TransactionType::VoidSell));
    assert_eq!(
        InquireResult::from_json(r#"{"result":0,"currencyCode":203}"#),
        InquireResult::exception()
    );
    assert_eq!(
        InquireResult::from_json(r#"{"result":0,"trasanctionID":7}"#),
        InquireResult::exception()
    );
    assert_eq!(
        InquireResult::from_json(r#"{"amount":"1"}"#).result,
        -999,
        "a missing result"
    );
    assert_eq!(InquireResult::from_json(r#"{"result":"-3"}"#).result, -3);
    assert_eq!(
        InquireResult::from_json(r#"{"result":0,"amount":"11.11"}"#).amount_cents,
        0,
        "a decimal string is 0, silently"
    );
    assert_eq!(
        InquireResult::from_json(r#"{"result":0,"transactionID":"x"}"#).transaction_id,
        "",
        "the correct spelling is not read"
    );
    // the plugin's Gson always writes the primitives: a parcel without `result` reaches Dart as 0, not -999
    let gson =
        gson_inquire(r#"{"responseMessage":"x","trasanctionID":"t","amount":null}"#).unwrap();
    assert_eq!(
        gson,
        r#"{"result":0,"responseMessage":"x","trasanctionID":"t","transacitonType":0}"#
    );
    assert_eq!(InquireResult::from_json(&gson).result, 0);
    // and a value the entity cannot hold is not an InquireResultEntity at all
    assert!(
        gson_inquire(r#"{"result":0,"currencyCode":203}"#).unwrap_err()[0].contains("currencyCode")
    );
    assert!(gson_inquire(r#"{"result":0,"dccData":{"exchangeRate":"0.013"}}"#).is_err());
    assert!(
        gson_inquire(r#"{"result":0,"trasnactionID":"t"}"#).is_err(),
        "no such field"
    );
    assert_eq!(
        gson_inquire(r#"{"result":0,"responseMessage":"a<b='c'&d>"}"#).unwrap(),
        r#"{"result":0,"responseMessage":"a\u003cb\u003d\u0027c\u0027\u0026d\u003e","transacitonType":0}"#
    );
}

#[test]
fn entity_conformance_controls() {
    assert!(
        gson::conform(
            &gson::TRANSACTION_RESULT_V2,
            r#"{"result":0,"currencyCode":"203"}"#
        )[0]
        .contains("currencyCode")
    );
    assert!(
        gson::conform(
            &gson::TRANSACTION_RESULT_V2,
            r#"{"result":0,"error":{"platform":"TOM_APP","code":65}}"#
        )
        .len()
            == 2,
        "the state's error shape"
    );
    assert!(
        !gson::conform(&gson::TRANSACTION_RESULT_V2, r#"{"result":0,"amount":1.5}"#).is_empty()
    );
    assert!(
        !gson::conform(
            &gson::TRANSACTION_RESULT_V2,
            r#"{"result":0,"cardProduct":"MASTERCARD"}"#
        )
        .is_empty()
    );
    assert!(!gson::conform(&gson::TRANSACTION_RESULT_V2, r#"{"result":0,"amsID":"x"}"#).is_empty());
    assert!(
        gson::conform(
            &gson::TRANSACTION_RESULT_V2,
            r#"{"result":0,"amount":null}"#
        )
        .is_empty(),
        "null ≡ absent"
    );
    assert!(
        !gson::conform(
            &gson::APP2APP_INFO,
            r#"{"isLoggedIn":true,"merchantLocationEntity":{"county":""}}"#
        )
        .is_empty()
    );
    assert!(
        !gson::conform(&gson::APP2APP_INFO, r#"{"isLoggedIn":null}"#).is_empty(),
        "a primitive"
    );
    assert!(
        !gson::conform(
            &gson::STATE_RESULT,
            r#"{"resultCode":0,"created":"yesterday"}"#
        )
        .is_empty()
    );
}

#[test]
fn gptom_info_and_login_event_controls() {
    let info = GpTomInfo::from_json(
        r#"{"isLoggedIn":"true","tid":"1","merchantLocationEntity":{"country":"CZ"}}"#,
    )
    .unwrap();
    assert!(!info.is_logged_in, "only the bool true counts");
    assert_eq!(
        info.merchant_location_entity.unwrap().get("country"),
        &Dv::Str("CZ".into())
    );
    // CLIENT BUG (C6): no try/catch in GpTomInfo.fromJson (gptom_info.dart:63-69): these throw into the app
    assert!(GpTomInfo::from_json(r#"{"tid":999888}"#).is_err());
    assert!(GpTomInfo::from_json(r#"{"merchantLocationEntity":"Prague"}"#).is_err());
    assert!(GpTomInfo::from_json("{").is_err());
    assert_eq!(GpTomInfo::from_json("[]").unwrap(), GpTomInfo::default());
    let Dv::Map(args) = json_decode(r#"{"status":"user_logged_in","message":null}"#).unwrap()
    else {
        unreachable!()
    };
    let e = GpTomLoginEvent::from_callback(&args).unwrap();
    assert_eq!(
        (e.status, e.raw_status.as_deref()),
        ("UNKNOWN", Some("user_logged_in")),
        "case-sensitive"
    );
    let Dv::Map(args) = json_decode(r#"{"status":1}"#).unwrap() else {
        unreachable!()
    };
    assert!(GpTomLoginEvent::from_callback(&args).is_err());
}

#[test]
fn batch_controls() {
    let b = Batch::from_query(r#"{"saleAmount":"95.5","saleCount":"2","totalAmount":11.11,"voidAmount":null,"amsId":7,"date":"x","subBatches":{"CARD":{"saleAmount":1,"saleCount":1.9}}}"#).unwrap();
    assert_eq!(
        (
            b.sale_amount_cents,
            b.sale_count,
            b.total_amount_cents,
            b.void_amount_cents
        ),
        (9550, 2, 1111, 0)
    );
    assert_eq!(b.ams_id, "7");
    assert_eq!(b.date, DateTime::from_millis(0), "unparsable → the epoch");
    let card = b.sub_batch("CARD").unwrap();
    assert_eq!((card.sale_amount_cents, card.sale_count), (100, 1));
    assert!(!Batch::from_query(r#"{}"#).unwrap().is_success());
    assert!(Batch::from_query(r#"{"subBatches":{"CARD":null}}"#).is_err());
    assert!(Batch::from_query("[]").is_err());
    assert!(
        Batch::from_query(r#"{"saleAmount":"NaN"}"#).is_err(),
        "NaN.round() throws"
    );
    assert!(batch_from_redirect(&Uri::parse("x://r?status=COMPLETED")).is_err());
}

#[test]
fn ios_receipt_controls() {
    let parse = |q: &str| {
        request_result_from_receipt(
            &Uri::parse(&format!("gptomexample://redirect?{q}")),
            true,
            false,
        )
    };
    let enc = |json: &str| encode_query_component(json);
    let good = parse(&format!("status=COMPLETED&receipt={}", enc(r#"{"result":0,"amsID":"a","transactionID":"t","amount":"4.35","tipAmount":"0.50","cardNumber":"7866","date":"2025-01-17T12:10:32"}"#))).unwrap();
    assert_eq!(
        (
            good.result,
            good.transaction_id.as_deref(),
            good.external_transaction_id.as_deref()
        ),
        (Some(0), Some("a"), Some("t"))
    );
    assert_eq!(
        (
            good.amount_cents,
            good.tip_amount_cents,
            good.total_amount_cents
        ),
        (Some(435), Some(50), None)
    );
    assert_eq!(good.card_number.as_deref(), Some("**** **** **** 7866"));
    assert_eq!(
        (good.date.as_deref(), good.time.as_deref()),
        (Some("170125"), Some("121032"))
    );
    let cancel = request_result_from_receipt(
        &Uri::parse(&format!(
            "x://r?receipt={}",
            enc(r#"{"amsID":"a","transactionID":"t"}"#)
        )),
        true,
        true,
    )
    .unwrap();
    assert_eq!(
        (
            cancel.transaction_id.as_deref(),
            cancel.external_transaction_id.as_deref()
        ),
        (Some("t"), Some("a"))
    );
    assert_eq!(cancel.transaction_type, Some(TransactionType::VoidSell));
    // `+` in the query is a space: an unencoded `+` in a receipt value changes it
    let plus = parse("status=COMPLETED&receipt={\"result\":0,\"cardNumber\":\"123+45\"}").unwrap();
    assert_eq!(plus.card_number.as_deref(), Some("123 45"));
    for bad in [
        r#"{"result":"0"}"#,
        r#"{"result":0.0}"#,
        r#"{"result":0,"date":"17.01.2025"}"#,
        r#"{"result":0,"date":20250117}"#,
        r#"{"result":0,"cardNumber":7866}"#,
        r#"{"result":0,"currencyCode":203}"#,
        r#"{"result":0,"batchNumber":42}"#,
        r#"{"result":0,"date":"0005-01-17"}"#,
        r#"[0]"#,
        r#"{"result":0"#,
    ] {
        assert!(
            parse(&format!("status=COMPLETED&receipt={}", enc(bad))).is_err(),
            "{bad}"
        );
        let r = result_of_redirect(
            Some(&format!("gptomexample://redirect?receipt={}", enc(bad))),
            "gptomexample",
            true,
            false,
        );
        assert_eq!(r.result, Some(-1003), "{bad}");
    }
    let lenient = parse(&format!(
        "receipt={}",
        enc(r#"{"result":0,"amount":11,"tipAmount":true,"pinOk":"true"}"#)
    ))
    .unwrap();
    assert_eq!(
        (
            lenient.amount_cents,
            lenient.tip_amount_cents,
            lenient.pin_ok
        ),
        (Some(1100), None, Some(false))
    );
    assert_eq!(lenient.response_message, None, "no status");
    assert_eq!(
        parse("status=completed").unwrap().result,
        Some(0),
        "toUpperCase()"
    );
    assert_eq!(parse("status=APPROVED").unwrap().result, Some(-1004));
    assert_eq!(
        parse("").unwrap().response_message.as_deref(),
        Some("Kein Receipt enthalten")
    );
    assert_eq!(
        result_of_redirect(None, "gptomexample", true, false).result,
        Some(-1003),
        "no redirect: the timeout"
    );
}

#[test]
fn request_bodies_follow_the_dart_map_and_the_java_rewrite() {
    let mut req = V2Request::sell("id-1", 1111);
    req.client_id = Some("CID1".into());
    req.tip_collect = Some(true);
    req.preferable_receipt_type = Some(crate::models::PreferableReceiptType::Telephone);
    let mut info = crate::dart::DMap::default();
    info.insert("email", Dv::Str("a@b.c".into()));
    info.insert("extra", Dv::Int(1));
    req.client_info = Some(info);
    assert_eq!(
        req.wire_json().unwrap(),
        r#"{"transactionID":"id-1","transactionType":1,"amount":1111,"tipAmount":0,"clientID":"CID1","printByPaymentApp":false,"tipCollect":true,"clientInfo":{"extra":1,"contact":{"email":"a@b.c"}},"preferableReceiptType":"PHONE"}"#
    );
    req.amount_cents = Some(-1);
    assert!(req.wire_json().is_err(), "ArgumentError before sending");
    let ios = crate::ios::build_create(
        &CreateArgs::sell(435, TransactionMethode::Cash),
        "myapp://redirect",
    );
    assert_eq!(
        ios,
        "gptom://transaction/create?amount=435&redirectUrl=myapp%3A%2F%2Fredirect&printByPaymentApp=false&tipAmount=0&tipCollect=false&transactionType=CASH"
    );
}

/// The plugin's own unit tests (test/robustness_test.dart, test/models/*_test.dart) hold for the transliteration.
#[test]
fn the_plugins_own_test_expectations_hold() {
    // robustness_test.dart:16-37
    assert_eq!(RegisterResult::from_json("kein json").result_code, -1001);
    assert_eq!(RegisterResult::from_json("[1,2]").result_code, -1001);
    assert_eq!(RegisterResult::from_json("{}").result_code, -1001);
    assert_eq!(RequestResult::from_json("42").result, Some(-1001));
    assert_eq!(StateResult::from_json("null").result_code, -1001);
    assert_eq!(InquireResult::from_json("\"text\"").result, -1001);
    // robustness_test.dart:53-59
    let r = RegisterResult::from_json(
        r#"{"resultCode":-1,"error":{"errorCode":"1-097","supportID":"To69eP"}}"#,
    );
    assert_eq!(
        r.error.as_ref().and_then(|e| e.error_code.as_deref()),
        Some("1-097")
    );
    // robustness_test.dart:63-76
    assert_eq!(
        InquireResult::from_json(r#"{"result":0,"transacitonType":4}"#).transaction_type,
        Some(TransactionType::CloseBatch)
    );
    assert_eq!(
        InquireResult::from_json(r#"{"result":0,"transactionType":2}"#).transaction_type,
        Some(TransactionType::VoidSell)
    );
    assert_eq!(
        InquireResult::from_json(r#"{"result":0,"transacitonType":99}"#).transaction_type,
        None
    );
    // robustness_test.dart:98-107
    let b = Batch::from_query(
        r#"{"saleCount":"3","saleAmount":"95.5","date":"2026-07-07T18:00:00.000Z"}"#,
    )
    .unwrap();
    assert_eq!((b.sale_count, b.sale_amount_cents), (3, 9550));
    // models/state_result_test.dart:8-25, 44-52
    let st = StateResult::from_json(
        r#"{"resultCode":0,"transactionId":"tx-1","state":6,"isRepeatable":false,"created":"2026-05-19T12:29:11.300Z"}"#,
    );
    assert_eq!(st.created, DateTime::try_parse("2026-05-19T12:29:11.300Z"));
    assert_eq!(
        StateResult::from_json(r#"{"resultCode":0,"state":99}"#).state,
        StateStatus::Unknown
    );
    // models/request_result_test.dart:9-42, 65-83
    let rr = RequestResult::from_json(
        r#"{"result":0,"transactionID":"tx-1","amsID":"ams-1","amount":1111,"tipAmount":113,"totalAmount":1224,"transactionType":1,"currencyCode":978,"pinOk":true,"merchantInfo":{"city":"Bratislava"}}"#,
    );
    assert_eq!(
        (rr.amount_cents, rr.tip_amount_cents, rr.total_amount_cents),
        (Some(1111), Some(113), Some(1224))
    );
    assert_eq!(
        (rr.currency_code.as_deref(), rr.ams_id.as_deref()),
        (Some("978"), Some("ams-1"))
    );
    assert_eq!(
        rr.merchant_info.and_then(|m| m.city).as_deref(),
        Some("Bratislava")
    );
    assert_eq!(
        RequestResult::from_json(r#"{"result":0,"transactionType":"1"}"#).transaction_type,
        None
    );
    assert_eq!(
        RequestResult::from_json(r#"{"result":0,"amount":1111.0}"#).amount_cents,
        Some(1111)
    );
    // models/inquire_result_test.dart:38-44
    let ir = InquireResult::from_json(r#"{"result":-3}"#);
    assert_eq!(
        (
            ir.result,
            ir.transaction_id.as_str(),
            ir.amount_cents,
            ir.total_amount_cents
        ),
        (-3, "", 0, None)
    );
    // ios_url_scheme_test.dart:13-46, 118-163
    let mut a = CreateArgs::sell(435, TransactionMethode::Card);
    a.tip_amount_cents = Some(50);
    a.client_id = Some("client-1".into());
    a.origin_reference_num = Some("RE-2026-001".into());
    a.preferable_receipt_type = Some(crate::models::PreferableReceiptType::Telephone);
    a.client_phone = Some("+436601234567".into());
    a.client_email = Some("kunde@example.com".into());
    a.tip_collect = true;
    let q = Uri::parse(&crate::ios::build_create(&a, "myapp://redirect"))
        .query_parameters()
        .unwrap();
    for (k, v) in [
        ("amount", "435"),
        ("tipAmount", "50"),
        ("redirectUrl", "myapp://redirect"),
        ("preferableReceiptType", "sms"),
        ("clientPhone", "+436601234567"),
        ("clientEmail", "kunde@example.com"),
        ("tipCollect", "true"),
        ("transactionType", "CARD"),
    ] {
        assert_eq!(q.get(k), &Dv::Str(v.into()), "{k}");
    }
}
