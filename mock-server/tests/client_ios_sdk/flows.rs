//! The ten deep-link URIs of the official iOS SDK (github.com/GP-tom/tom-ios-sdk @ 08f1318), each built exactly
//! as the vendor's example app builds it (github.com/GP-tom/tom-ios-sdk-example @ fa7903e: its encoding, its
//! parameter names including `requestId`, its empty `clientID=`, its `gp://<path>` redirects), opened on the
//! mock over HTTP, and every redirect decoded by the transliterated `DeeplinkResult.from(url:)`: the right case,
//! `TaskStatus`, `DeeplinkError` and `RefusalCode`, and every receipt, batch and app status the mock sent
//! arriving whole. URIs the example app has no form for use its `buildDeeplink` with the SDK's names.

use crate::check::{
    Txn, assert_app_status_matches, assert_batch_matches, assert_receipt_matches, open, transaction,
};
use crate::device::{Device, PASSWORD, TID, USER};
use crate::example_app::{
    CancelTransactionForm, CloseBatchForm, CreateTransactionForm, LoginForm, RefundForm,
    TransactionDetailForm, batch_detail_link, build_deeplink, change_password_link, logout_link,
    reversed, status_link, transaction_detail_link,
};
use crate::sdk::{
    AppStatus, Batch, CardType, Deeplink, DeeplinkError, DeeplinkResult, RefusalCode, TaskStatus,
    TransactionData, TransactionType, decode_receipt,
};
use crate::swift::{Decimal, Url, decode_from_string};

fn dec(s: &str) -> Decimal {
    Decimal::parse_exact(s).expect("decimal literal")
}

/// GP tom's own reading of a link (Deeplink.swift), which must accept what the example app sends.
fn gp_tom_parses(link: &str) -> Deeplink {
    Deeplink::from(&Url::parse(link).expect("valid link"))
        .unwrap_or_else(|| panic!("Deeplink.from(url:) rejects {link}"))
}

/// The app's status as the SDK decodes the example app's `status` link.
async fn app_status(d: &Device) -> AppStatus {
    let a = open(d, &status_link()).await;
    match a.sdk() {
        DeeplinkResult::Status(Some(s), TaskStatus::Completed) => {
            assert_app_status_matches(&s, &a.result["appStatus"], &a.link);
            s
        }
        other => panic!("status: {other:?}"),
    }
}

#[tokio::test]
async fn sale_refund_and_void_as_the_example_app_builds_them() {
    let d = Device::start("instant").await;
    let form = CreateTransactionForm::new();

    // GP tom's parser reads the example app's defaults as a sale of 2 minor units (0.02 CZK) with a 0.01 tip.
    // CLIENT BUG (example app, CreateTransactionForm.swift:132): it sends `requestId`, the SDK reads
    // `requestID` (Deeplink.swift:150), so the request id is lost; and `clientID=` goes out empty (:17).
    let Deeplink::CreateTransaction(p) = gp_tom_parses(&form.link()) else {
        panic!("not a createTransaction link")
    };
    assert_eq!(
        (p.amount_minor, p.tip_amount_minor, p.request_id.as_deref()),
        (2, Some(1), None)
    );
    assert_eq!(p.client_id.as_deref(), Some(""));
    assert_eq!(
        p.client_phone.as_deref(),
        Some("+420606505404"),
        "+ is not a space"
    );
    assert_eq!(p.redirect_url.as_deref(), Some("gp://transaction/create"));

    let a = open(&d, &form.link()).await;
    // the mock names the requestId slip and treats the empty clientID as absent (no invalidClientId)
    assert!(a.warned("\"requestId\""), "{:?}", a.warnings);
    let t = transaction(&a, Txn::Create);
    assert_eq!(
        (t.status, t.code, t.error),
        (TaskStatus::Completed, Some(RefusalCode::Approved), None)
    );
    let r = t.receipt.expect("receipt");
    assert_eq!(
        (
            r.amount.as_deref(),
            r.tip_amount.as_deref(),
            r.total_amount.as_deref()
        ),
        (Some("0.02"), Some("0.01"), Some("0.03"))
    );
    assert_eq!(r.reference_number.as_deref(), Some("12345"));
    assert_eq!(r.transaction_type, Some(TransactionType::Card));
    assert_eq!(r.currency_code.as_deref(), Some("CZK"));
    assert_eq!(r.terminal_id.as_deref(), Some(TID));
    assert_eq!(r.result, Some(0));
    assert!(r.date.is_some() && r.card_type.is_some() && r.ams_id.is_some());

    // Swift's dictionary may put the parameters in any order: same result
    let a = open(
        &d,
        &build_deeplink("gptom", form.path, &reversed(&form.params())),
    )
    .await;
    let t = transaction(&a, Txn::Create);
    assert_eq!(
        (t.status, t.code),
        (TaskStatus::Completed, Some(RefusalCode::Approved))
    );

    // refund (RefundForm has no requestId field: nothing to warn about)
    let a = open(&d, &RefundForm::new().link()).await;
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    let t = transaction(&a, Txn::Refund);
    assert_eq!(
        (t.status, t.code, t.error),
        (TaskStatus::Completed, Some(RefusalCode::Approved), None)
    );
    assert_eq!(
        t.receipt.expect("refund receipt").amount.as_deref(),
        Some("0.02")
    );

    // CLIENT BUG (example app, CancelTransactionForm.swift:16): `amsID` starts empty; GP tom's parser takes ""
    // as present (Deeplink.swift:204), the mock as absent — either way nothing can be voided
    let a = open(&d, &CancelTransactionForm::new().link()).await;
    let t = transaction(&a, Txn::Cancel);
    assert_eq!(
        (t.status, t.error, t.receipt.is_none()),
        (TaskStatus::Error, Some(DeeplinkError::CannotBeVoided), true)
    );

    // void with the receipt's amsID pasted in
    let ams = r.ams_id.clone().expect("amsID");
    let link = CancelTransactionForm::ams(&ams).link();
    assert!(
        matches!(gp_tom_parses(&link), Deeplink::CancelTransaction { ref ams_id, .. } if *ams_id == ams)
    );
    let a = open(&d, &link).await;
    let t = transaction(&a, Txn::Cancel);
    assert_eq!(
        (t.status, t.code, t.error),
        (TaskStatus::Completed, Some(RefusalCode::Approved), None)
    );
    let v = t.receipt.expect("void receipt");
    assert_eq!(v.amount.as_deref(), Some("0.02"));
    assert_ne!(
        v.ams_id.as_deref(),
        Some(ams.as_str()),
        "the void is its own transaction"
    );

    // a second void of the same sale
    let t = transaction(&open(&d, &link).await, Txn::Cancel);
    assert_eq!(
        (t.status, t.error),
        (TaskStatus::Error, Some(DeeplinkError::CannotBeVoided))
    );
}

#[tokio::test]
async fn transaction_detail_has_no_sdk_result_case_but_its_receipt_decodes() {
    let d = Device::start("instant").await;
    // a sale with the SDK's spelling `requestID`, so it can be looked up by it
    let mut params = CreateTransactionForm::amount("1111").params();
    params[0] = ("requestID", Some("R-42".into()));
    let sale = open(&d, &build_deeplink("gptom", "transaction/create", &params)).await;
    assert!(sale.warnings.is_empty(), "{:?}", sale.warnings);
    let r = transaction(&sale, Txn::Create).receipt.expect("receipt");
    let ams = r.ams_id.clone().expect("amsID");

    // CLIENT BUG (example app, TransactionDetailForm.swift:44-55): no `redirectUrl`, so GP tom cannot answer;
    // `requestId` is the wrong case and `amsID=` empty (the mock: absent) — the lookup fails
    let a = open(&d, &TransactionDetailForm::new().link()).await;
    assert!(a.redirect.is_none());
    assert!(a.warned("\"requestId\""), "{:?}", a.warnings);
    assert_eq!(
        (a.result["status"].as_str(), a.result["error"].as_str()),
        (Some("ERROR"), Some("failed"))
    );
    // with the amsID typed in the lookup works, but there is still nowhere to redirect to
    let a = open(
        &d,
        &TransactionDetailForm {
            ams_id: ams.clone(),
            ..TransactionDetailForm::new()
        }
        .link(),
    )
    .await;
    assert!(a.redirect.is_none());
    assert_eq!(a.result["receipt"]["amsID"].as_str(), Some(ams.as_str()));

    // SDK GAP (DeeplinkResult.swift:19-62): no case for transaction/detail, so from(url:) is nil whatever the
    // answer; an app must read `receipt` itself with the SDK's own decoder — which must not fail.
    for link in [
        transaction_detail_link(Some(&ams), None, Some("gp://transaction/detail")),
        transaction_detail_link(None, Some("R-42"), Some("gp://transaction/detail")),
    ] {
        let a = open(&d, &link).await;
        assert_eq!(DeeplinkResult::from(&a.url()), None, "{link}");
        let params = a.params();
        assert_eq!(params.get("status").map(String::as_str), Some("COMPLETED"));
        let got = decode_receipt(&params["receipt"]).expect("TransactionData decodes");
        assert_receipt_matches(&got, &a.result["receipt"], &link);
        assert_eq!(got.ams_id.as_deref(), Some(ams.as_str()), "{link}");
        assert_eq!(got.amount, r.amount);
    }
}

#[tokio::test]
async fn batch_close_and_detail_decode_as_batch() {
    let d = Device::start("instant").await;
    // the example app's tip field says "1" (0.01) until cleared; "0" here, one real tip below
    let no_tip = |amount: &str| CreateTransactionForm {
        tip_amount: "0".into(),
        ..CreateTransactionForm::amount(amount)
    };
    let card = transaction(&open(&d, &no_tip("1111").link()).await, Txn::Create);
    let cash_form = CreateTransactionForm {
        transaction_type: "CASH",
        ..no_tip("500")
    };
    let cash = transaction(&open(&d, &cash_form.link()).await, Txn::Create);
    assert_eq!(
        cash.receipt.expect("cash receipt").transaction_type,
        Some(TransactionType::Cash)
    );
    let tipped = CreateTransactionForm {
        tip_amount: "150".into(),
        ..CreateTransactionForm::amount("2000")
    };
    transaction(&open(&d, &tipped.link()).await, Txn::Create);
    let ams = card.receipt.expect("receipt").ams_id.expect("amsID");
    transaction(
        &open(&d, &CancelTransactionForm::ams(&ams).link()).await,
        Txn::Cancel,
    );
    transaction(&open(&d, &RefundForm::new().link()).await, Txn::Refund);

    let a = open(&d, &CloseBatchForm::new().link()).await;
    let b = match a.sdk() {
        DeeplinkResult::CloseBatch(Some(b), TaskStatus::Completed, None) => b,
        other => panic!("batch/close: {other:?}"),
    };
    assert_batch_matches(&b, &a.result["batch"], &a.link);
    assert!(!b.is_open());
    assert_eq!(b.currency.as_deref(), Some("CZK"));
    assert!(b.date.is_some() && b.first_transaction_date.is_some());
    // three sales of which one voided, one refund: what the SDK shows must add up
    assert_eq!(b.sale_amount, Some(dec("36.11")));
    assert_eq!(b.sale_count, Some(3.0));
    assert_eq!(b.void_amount, Some(dec("11.11")));
    assert_eq!(b.total_amount, Some(dec("24.98")));
    assert_eq!((b.tip_count, b.tip_amount), (1, dec("1.5")));
    let subs = b.sub_batches.clone().expect("subBatches");
    let (c, k) = (subs.card.expect("CARD"), subs.cash.expect("CASH"));
    assert_eq!(
        c.total_amount
            .unwrap_or(Decimal::ZERO)
            .add(k.total_amount.unwrap_or(Decimal::ZERO)),
        b.total_amount.expect("totalAmount"),
        "sub-batches add up to the batch"
    );
    assert_eq!(
        c.total_count.unwrap_or(0.0) + k.total_count.unwrap_or(0.0),
        b.total_count.expect("totalCount")
    );
    assert_eq!(k.sale_amount, Some(dec("5")));

    // batch/detail of the closed batch, as GP tom's parser wants it (amsID only, BatchDetailParams has no
    // redirectUrl): no redirect, and the batch is the same one
    let link = batch_detail_link(&b.ams_id, None);
    assert!(matches!(gp_tom_parses(&link), Deeplink::BatchDetail { .. }));
    let a = open(&d, &link).await;
    assert!(a.redirect.is_none());
    assert_batch_matches(&b, &a.result["batch"], &link);

    // with a redirect: SDK GAP (DeeplinkResult.swift:19-62) — no batch/detail case, so from(url:) is nil; the
    // app decodes `batch` with the SDK's Batch decoder itself
    let a = open(&d, &batch_detail_link(&b.ams_id, Some("gp://batch/detail"))).await;
    assert_eq!(DeeplinkResult::from(&a.url()), None);
    let again: Batch = decode_from_string(&a.params()["batch"]).expect("Batch decodes");
    assert_eq!(again, b);

    // the open pseudo-batch after one more sale
    transaction(
        &open(&d, &CreateTransactionForm::amount("1111").link()).await,
        Txn::Create,
    );
    let a = open(&d, &batch_detail_link("OPEN", Some("gp://batch/detail"))).await;
    let open_batch: Batch = decode_from_string(&a.params()["batch"]).expect("Batch decodes");
    assert_batch_matches(&open_batch, &a.result["batch"], "OPEN");
    assert!(open_batch.is_open());
    assert_eq!(open_batch.sale_count, Some(1.0));
    assert_eq!(open_batch.sale_amount, Some(dec("11.11")));
    assert_eq!(open_batch.previous_batch_date, b.date);
}

#[tokio::test]
async fn status_link_of_the_example_app() {
    let d = Device::start("instant").await;
    // the redirect is gp://status: the SDK routes on `appStatus` in the answer (DeeplinkResult.swift:52)
    let a = open(&d, &status_link()).await;
    assert!(
        a.redirect
            .as_deref()
            .is_some_and(|r| r.starts_with("gp://status?status=COMPLETED&appStatus=")),
        "{:?}",
        a.redirect
    );
    assert!(
        matches!(gp_tom_parses(&a.link), Deeplink::Status { ref redirect_url } if redirect_url == "gp://status")
    );
    let s = app_status(&d).await;
    assert!(s.is_logged_in());
    let u = s.user_info.expect("userInfo");
    assert_eq!((u.tid.as_str(), u.email.as_str()), (TID, USER));
    assert!(!u.client_id.is_empty() && !u.mid.is_empty());
    assert!(u.merchant_location.city.is_some());
}

#[tokio::test]
async fn client_id_from_the_app_status_is_the_one_gp_tom_checks() {
    let d = Device::start("instant").await;
    let client_id = app_status(&d).await.user_info.expect("logged in").client_id;
    let ok = CreateTransactionForm {
        client_id: client_id.clone(),
        ..CreateTransactionForm::amount("1111")
    };
    let t = transaction(&open(&d, &ok.link()).await, Txn::Create);
    assert_eq!(
        (t.status, t.code),
        (TaskStatus::Completed, Some(RefusalCode::Approved))
    );
    let wrong = CreateTransactionForm {
        client_id: format!("{client_id}X"),
        ..CreateTransactionForm::amount("1111")
    };
    let t = transaction(&open(&d, &wrong.link()).await, Txn::Create);
    assert_eq!(
        (t.status, t.error, t.receipt.is_none()),
        (
            TaskStatus::Error,
            Some(DeeplinkError::InvalidClientId),
            true
        )
    );
    let batch = CloseBatchForm {
        client_id: "nope".into(),
        ..CloseBatchForm::new()
    };
    match open(&d, &batch.link()).await.sdk() {
        DeeplinkResult::CloseBatch(
            None,
            TaskStatus::Error,
            Some(DeeplinkError::InvalidClientId),
        ) => {}
        other => panic!("batch/close with a wrong clientID: {other:?}"),
    }
}

#[tokio::test]
async fn login_and_logout() {
    let d = Device::start("instant").await;

    // CLIENT BUG (example app, LoginForm.swift:50-62): no redirectUrl, and every field starts empty — GP tom
    // gets nothing to log in with and cannot answer
    let a = open(&d, &LoginForm::default().link()).await;
    assert!(a.redirect.is_none());
    assert_eq!(a.result["status"].as_str(), Some("ERROR"));
    assert_eq!(
        a.result
            .get("error")
            .and_then(|e| e.as_str())
            .and_then(DeeplinkError::from_raw),
        Some(DeeplinkError::InvalidUserName)
    );

    // logout: always COMPLETED
    let a = open(&d, &logout_link()).await;
    assert_eq!(a.sdk(), DeeplinkResult::Logout(TaskStatus::Completed));
    assert!(!app_status(&d).await.is_logged_in());
    let t = transaction(
        &open(&d, &CreateTransactionForm::amount("1111").link()).await,
        Txn::Create,
    );
    assert_eq!(
        (t.status, t.error),
        (TaskStatus::Error, Some(DeeplinkError::UserNotLoggedIn))
    );
    match open(&d, &CloseBatchForm::new().link()).await.sdk() {
        DeeplinkResult::CloseBatch(
            None,
            TaskStatus::Error,
            Some(DeeplinkError::UserNotLoggedIn),
        ) => {}
        other => panic!("batch/close logged out: {other:?}"),
    }
    // logging out twice is still COMPLETED
    assert_eq!(
        open(&d, &logout_link()).await.sdk(),
        DeeplinkResult::Logout(TaskStatus::Completed)
    );

    let login = |username: &str, password: &str, tid: &str| LoginForm {
        username: username.into(),
        password: password.into(),
        tid: tid.into(),
    };
    for (form, error) in [
        (login(USER, "wrong", TID), DeeplinkError::InvalidCredentials),
        (
            login("nobody@example.com", PASSWORD, TID),
            DeeplinkError::InvalidCredentials,
        ),
        (
            login(USER, PASSWORD, "483590"),
            DeeplinkError::TidNotAssignedToThisUser,
        ),
    ] {
        let a = open(&d, &form.link_with_redirect()).await;
        assert_eq!(
            a.sdk(),
            DeeplinkResult::Login(TaskStatus::Error, Some(error)),
            "{}",
            a.link
        );
    }
    let link = login(USER, PASSWORD, TID).link_with_redirect();
    assert!(
        matches!(gp_tom_parses(&link), Deeplink::Login { ref redirect_url, .. } if redirect_url.as_deref() == Some("gp://login"))
    );
    let a = open(&d, &link).await;
    assert_eq!(a.sdk(), DeeplinkResult::Login(TaskStatus::Completed, None));
    assert!(app_status(&d).await.is_logged_in());
    let t = transaction(
        &open(&d, &CreateTransactionForm::amount("1111").link()).await,
        Txn::Create,
    );
    assert_eq!(
        (t.status, t.code),
        (TaskStatus::Completed, Some(RefusalCode::Approved))
    );
}

#[tokio::test]
async fn change_password_in_two_steps_and_back() {
    // a Device of its own: this really changes the fixture account's password in this mock
    let d = Device::start("instant").await;
    let new = "NEWPASSWORD1";
    let change =
        |old: &str, new: &str, code: Option<&str>| change_password_link(USER, old, new, code);
    let expect =
        |r: DeeplinkResult, status: TaskStatus, error: Option<DeeplinkError>, ctx: &str| {
            assert_eq!(r, DeeplinkResult::ChangePassword(status, error), "{ctx}");
        };

    // step 1: no code → GP tom sends a code and waits
    let a = open(&d, &change(PASSWORD, new, None)).await;
    assert!(matches!(
        gp_tom_parses(&a.link),
        Deeplink::ChangePassword { code: None, .. }
    ));
    expect(
        a.sdk(),
        TaskStatus::Error,
        Some(DeeplinkError::PasswordPendingConfirmation),
        "step 1",
    );
    // an empty code is no code (Deeplink.swift:341)
    let a = open(&d, &change(PASSWORD, new, Some(""))).await;
    expect(
        a.sdk(),
        TaskStatus::Error,
        Some(DeeplinkError::PasswordPendingConfirmation),
        "empty code",
    );
    let a = open(&d, &change(PASSWORD, new, Some("12a"))).await;
    expect(
        a.sdk(),
        TaskStatus::Error,
        Some(DeeplinkError::InvalidCode),
        "bad code",
    );
    let a = open(&d, &change("wrong", new, Some("123456"))).await;
    expect(
        a.sdk(),
        TaskStatus::Error,
        Some(DeeplinkError::InvalidCredentials),
        "wrong old password",
    );

    // step 2: a 6-digit code confirms
    let a = open(&d, &change(PASSWORD, new, Some("123456"))).await;
    expect(a.sdk(), TaskStatus::Completed, None, "step 2");

    let login = |password: &str| {
        LoginForm {
            username: USER.into(),
            password: password.into(),
            tid: TID.into(),
        }
        .link_with_redirect()
    };
    assert_eq!(
        open(&d, &login(PASSWORD)).await.sdk(),
        DeeplinkResult::Login(TaskStatus::Error, Some(DeeplinkError::InvalidCredentials))
    );
    assert_eq!(
        open(&d, &login(new)).await.sdk(),
        DeeplinkResult::Login(TaskStatus::Completed, None)
    );

    // and back, so the account is as the fixtures have it
    let a = open(&d, &change(new, PASSWORD, Some("654321"))).await;
    expect(a.sdk(), TaskStatus::Completed, None, "change back");
    assert_eq!(
        open(&d, &login(PASSWORD)).await.sdk(),
        DeeplinkResult::Login(TaskStatus::Completed, None)
    );
}

/// The example app pre-encodes `redirectUrl` with `addingPercentEncoding(.urlQueryAllowed)` and the query-item
/// setter encodes it again; a redirect with its own query must come back routable with that query intact.
#[tokio::test]
async fn a_redirect_with_its_own_query_survives_both_encodings() {
    let d = Device::start("instant").await;
    let form = CreateTransactionForm {
        redirect_url: "gp://transaction/create?order=A-17&shop=Main%20St".into(),
        ..CreateTransactionForm::amount("1111")
    };
    let a = open(&d, &form.link()).await;
    let t = transaction(&a, Txn::Create);
    assert_eq!(t.status, TaskStatus::Completed);
    let params = a.params();
    assert_eq!(params.get("order").map(String::as_str), Some("A-17"));
    // GP tom's parser decodes the value twice (Deeplink.swift:82): "Main%20St" → "Main St" in its redirect
    // base; the mock decodes once and keeps "Main%20St". The app sees "Main St" either way, because the SDK
    // decodes the answer twice as well (DeeplinkResult.swift:101).
    assert_eq!(params.get("shop").map(String::as_str), Some("Main St"));
    assert!(matches!(
        gp_tom_parses(&form.link()),
        Deeplink::CreateTransaction(ref p)
            if p.redirect_url.as_deref() == Some("gp://transaction/create?order=A-17&shop=Main%20St")
    ));
}

/// A receipt an app received can be checked against a later `transaction/detail` of the same sale: the SDK's
/// `TransactionData` of both must be equal.
#[tokio::test]
async fn detail_receipt_equals_the_sale_receipt() {
    let d = Device::start("instant").await;
    let sale = transaction(
        &open(&d, &CreateTransactionForm::amount("1111").link()).await,
        Txn::Create,
    )
    .receipt
    .expect("receipt");
    let before = d.now();
    let a = open(
        &d,
        &transaction_detail_link(
            sale.ams_id.as_deref(),
            None,
            Some("gp://transaction/detail"),
        ),
    )
    .await;
    let detail: TransactionData = decode_receipt(&a.params()["receipt"]).expect("decodes");
    assert_eq!(detail.ams_id, sale.ams_id);
    assert_eq!(detail.card_type, sale.card_type);
    assert_eq!(detail.amount, sale.amount);
    assert_eq!(detail.date, sale.date);
    assert!(matches!(
        detail.card_type,
        Some(CardType::Mastercard | CardType::Visa)
    ));
    // reading a detail does not wait for a payment: the clock does not move
    assert_eq!(d.now(), before);
}

/// A `redirectUrl` with a fragment, as a client that does not pre-encode sends it (the `queryItems` setter
/// turns `#` into `%23`, GP tom's parser decodes it back, Deeplink.swift:82). The SDK reads results only from
/// the query (`URLComponents.queryItems`, DeeplinkResult.swift:14-15); in a URL the query comes before the
/// fragment, so the results must go between the path and `#done`.
///
/// Found by this test (now fixed): the mock appended `?status=…&receipt=…` after the fragment, giving
/// `gp://transaction/create#done?status=COMPLETED&…`; for the SDK that URL has no query at all, so
/// `DeeplinkResult.from(url:)` was nil (no `status`) and the sale was lost to the app.
#[tokio::test]
async fn a_redirect_with_a_fragment_keeps_the_results_in_the_query() {
    let d = Device::start("instant").await;
    let link = build_deeplink(
        "gptom",
        "transaction/create",
        &[
            ("amount", Some("1111".into())),
            ("redirectUrl", Some("gp://transaction/create#done".into())),
        ],
    );
    assert!(
        link.ends_with("redirectUrl=gp://transaction/create%23done"),
        "{link}"
    );
    assert!(matches!(
        gp_tom_parses(&link),
        Deeplink::CreateTransaction(ref p) if p.redirect_url.as_deref() == Some("gp://transaction/create#done")
    ));
    let a = open(&d, &link).await;
    let t = transaction(&a, Txn::Create);
    assert_eq!(
        (t.status, t.code, t.receipt.is_some()),
        (TaskStatus::Completed, Some(RefusalCode::Approved), true)
    );
    assert!(
        a.redirect.as_deref().is_some_and(|r| r.ends_with("#done")),
        "the fragment stays last: {:?}",
        a.redirect
    );
}
