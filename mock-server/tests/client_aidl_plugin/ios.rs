//! The iOS side of mhmmdlkts/gptom_aidl_plugin (commit a6c8d6f5faf7f3256744e88828fa4dc416f8e66e),
//! `lib/gptom_aidl_plugin_ios.dart`: the URL builders `buildCreateTransactionUri` (`:153-185`),
//! `buildCancelTransactionUri` (`:189-212`), `buildCloseBatchUri` (`:51-72`) — Dart `Uri(queryParameters:)`
//! encoding — the redirect listener (`listenForGptomRedirectsIOS` `:22-43`: only a URI whose parsed, lower-cased
//! scheme equals the raw `uriScheme` is delivered), `_requestResultFromReceipt` (`:217-292`), `batchFromRedirect`
//! (`:124-130`), and the wrappers `createTransactionIOS` / `cancelTransactionIOS` (`:320-415`: any exception after
//! launch, a parse error included, is `-1003`) and `closeBatchIOS` (`:74-120`: any exception is rethrown as
//! `Exception('Kein Redirect erhalten oder Timeout, error: …')`). The public facade passes
//! (`gptom_aidl_plugin.dart:173-185, 220-228, 302-310`): `sell` → `printByPaymentApp` false, `tipAmountCents` 0;
//! `voidSell` → builder default `printByPaymentApp` true; `closeBatch` → false.

use crate::dart::{
    DMap, Dart, DateTime, Dv, Thrown, Uri, as_int, as_string, build_uri, index, json_decode,
};
use crate::models::{
    Batch, PreferableReceiptType, RequestResult, TransactionMethode, TransactionType,
};

/// The arguments of `buildCreateTransactionUri` (`:153-165`).
#[derive(Clone, Debug)]
pub struct CreateArgs {
    /// `amountCents`.
    pub amount_cents: i64,
    /// `transactionMethode`.
    pub transaction_methode: TransactionMethode,
    /// `originReferenceNum`.
    pub origin_reference_num: Option<String>,
    /// `clientID`.
    pub client_id: Option<String>,
    /// `printByPaymentApp` (builder default true; `sell()` passes false).
    pub print_by_payment_app: bool,
    /// `preferableReceiptType`.
    pub preferable_receipt_type: Option<PreferableReceiptType>,
    /// `clientPhone`.
    pub client_phone: Option<String>,
    /// `clientEmail`.
    pub client_email: Option<String>,
    /// `tipAmountCents`.
    pub tip_amount_cents: Option<i64>,
    /// `tipCollect`.
    pub tip_collect: bool,
}

impl CreateArgs {
    /// What `sell(amountCents:, transactionMethode:)` passes on iOS (`gptom_aidl_plugin.dart:173-185`).
    pub fn sell(amount_cents: i64, methode: TransactionMethode) -> CreateArgs {
        CreateArgs {
            amount_cents,
            transaction_methode: methode,
            origin_reference_num: None,
            client_id: None,
            print_by_payment_app: false,
            preferable_receipt_type: None,
            client_phone: None,
            client_email: None,
            tip_amount_cents: Some(0),
            tip_collect: false,
        }
    }
}

fn opt(params: &mut Vec<(&'static str, String)>, k: &'static str, v: &Option<String>) {
    if let Some(v) = v {
        params.push((k, v.clone()));
    }
}

/// `redirectUrl` = `'$uriScheme://redirect'` (`:26`).
pub fn redirect_url(uri_scheme: &str) -> String {
    format!("{uri_scheme}://redirect")
}

/// `buildCreateTransactionUri(…)` (`:153-185`).
pub fn build_create(a: &CreateArgs, redirect_url: &str) -> String {
    let mut p = vec![("amount", a.amount_cents.to_string())];
    opt(&mut p, "clientID", &a.client_id);
    opt(&mut p, "originReferenceNum", &a.origin_reference_num);
    p.push(("redirectUrl", redirect_url.to_owned()));
    p.push(("printByPaymentApp", a.print_by_payment_app.to_string()));
    opt(
        &mut p,
        "preferableReceiptType",
        &a.preferable_receipt_type.map(|t| t.ios_key().to_owned()),
    );
    opt(&mut p, "clientPhone", &a.client_phone);
    opt(&mut p, "clientEmail", &a.client_email);
    opt(
        &mut p,
        "tipAmount",
        &a.tip_amount_cents.map(|t| t.to_string()),
    );
    p.push(("tipCollect", a.tip_collect.to_string()));
    p.push(("transactionType", a.transaction_methode.text().to_owned()));
    build_uri("gptom", "transaction", "create", &p)
}

/// `buildCancelTransactionUri(…)` (`:189-212`).
pub fn build_cancel(
    ams_id: &str,
    redirect_url: &str,
    client_id: Option<String>,
    print_by_payment_app: bool,
    preferable_receipt_type: Option<PreferableReceiptType>,
    client_phone: Option<String>,
    client_email: Option<String>,
) -> String {
    let mut p = vec![("amsID", ams_id.to_owned())];
    opt(&mut p, "clientID", &client_id);
    p.push(("redirectUrl", redirect_url.to_owned()));
    p.push(("printByPaymentApp", print_by_payment_app.to_string()));
    opt(
        &mut p,
        "preferableReceiptType",
        &preferable_receipt_type.map(|t| t.ios_key().to_owned()),
    );
    opt(&mut p, "clientPhone", &client_phone);
    opt(&mut p, "clientEmail", &client_email);
    build_uri("gptom", "transaction", "cancel", &p)
}

/// `buildCloseBatchUri(…)` (`:51-72`).
pub fn build_close_batch(
    redirect_url: &str,
    client_id: Option<String>,
    print_by_payment_app: bool,
    preferable_receipt_type: Option<PreferableReceiptType>,
    client_phone: Option<String>,
    client_email: Option<String>,
) -> String {
    let mut p = Vec::new();
    opt(&mut p, "clientID", &client_id);
    p.push(("redirectUrl", redirect_url.to_owned()));
    p.push(("printByPaymentApp", print_by_payment_app.to_string()));
    opt(
        &mut p,
        "preferableReceiptType",
        &preferable_receipt_type.map(|t| t.ios_key().to_owned()),
    );
    opt(&mut p, "clientPhone", &client_phone);
    opt(&mut p, "clientEmail", &client_email);
    build_uri("gptom", "batch", "close", &p)
}

/// The listener (`:31-33`): the redirect reaches the waiting operation only if `uri.scheme == _expectedScheme`
/// (Dart lower-cases a parsed scheme; `_expectedScheme` is the raw `uriScheme`). None = it never arrives and the
/// operation times out.
pub fn deliver(redirect: Option<&str>, uri_scheme: &str) -> Option<Uri> {
    let uri = Uri::parse(redirect?);
    (uri.scheme == uri_scheme).then_some(uri)
}

/// `_centsFromReceipt` (`:144-149`): `double.tryParse(value.toString())`, ×100, `round()`.
fn cents_from_receipt(v: &Dv) -> Dart<Option<i64>> {
    if v.is_null() {
        return Ok(None);
    }
    match crate::dart::double_try_parse(&crate::dart::to_string(v)) {
        None => Ok(None),
        Some(p) => crate::dart::Num::Double(p * 100.0).round().map(Some),
    }
}

/// `_requestResultFromReceipt(redirectedUri, printByPaymentApp:, isCancel:)` (`:217-292`).
pub fn request_result_from_receipt(
    uri: &Uri,
    print_by_payment_app: bool,
    is_cancel: bool,
) -> Dart<RequestResult> {
    let query = uri.query_parameters()?;
    let q = |k: &str| as_string(query.get(k));
    let receipt_raw = q("receipt")?;
    let status = q("status")?;
    let transaction_type = Some(if is_cancel {
        TransactionType::VoidSell
    } else {
        TransactionType::Sell
    });
    let Some(receipt_raw) = receipt_raw else {
        // `_statusIsCompleted`: `{'COMPLETED'}.contains(status.toUpperCase())` (:138-141)
        if status
            .as_deref()
            .is_some_and(|s| s.to_uppercase() == "COMPLETED")
        {
            return Ok(RequestResult {
                result: Some(0),
                response_message: status,
                ams_id: q("amsID")?,
                transaction_id: q("amsID")?,
                external_transaction_id: q("transactionID")?,
                print_by_payment_app: Some(print_by_payment_app),
                transaction_type,
                ..RequestResult::default()
            });
        }
        return Ok(RequestResult {
            result: Some(-1004),
            response_message: Some(status.unwrap_or_else(|| "Kein Receipt enthalten".into())),
            ..RequestResult::default()
        });
    };
    let receipt = json_decode(&receipt_raw)?;
    let r = |k: &str| index(&receipt, k);
    // `String cardNumber = receipt['cardNumber'] ?? '';` (:255)
    let mut card_number = as_string(&r("cardNumber")?)?.unwrap_or_default();
    if card_number.encode_utf16().count() == 4 {
        card_number = format!("**** **** **** {card_number}");
    }
    let (mut date, mut time) = (None, None);
    let raw_date = r("date")?;
    if !raw_date.is_null() {
        let text = as_string(&raw_date)?.unwrap_or_default();
        let dt = DateTime::parse(&text)?;
        let year = dt.year().to_string();
        let yy = year
            .get(2..)
            .ok_or_else(|| Thrown(format!("RangeError: substring(2) of \"{year}\"")))?;
        date = Some(format!("{:02}{:02}{yy}", dt.day(), dt.month()));
        time = Some(format!(
            "{:02}{:02}{:02}",
            dt.hour(),
            dt.minute(),
            dt.second()
        ));
    }
    let (own, other) = if is_cancel {
        ("transactionID", "amsID")
    } else {
        ("amsID", "transactionID")
    };
    Ok(RequestResult {
        result: as_int(&r("result")?)?,
        transaction_id: as_string(&r(own)?)?,
        amount_cents: cents_from_receipt(&r("amount")?)?,
        tip_amount_cents: cents_from_receipt(&r("tipAmount")?)?,
        total_amount_cents: cents_from_receipt(&r("totalAmount")?)?,
        batch_number: as_string(&r("batchNumber")?)?,
        approved_code: as_string(&r("authorizationCode")?)?,
        emv_app_lable: as_string(&r("emvAppLabel")?)?,
        emv_aid: as_string(&r("emvAid")?)?,
        response_message: status,
        sequence_number: as_string(&r("sequenceNumber")?)?,
        terminal_id: as_string(&r("terminalID")?)?,
        card_number: Some(card_number),
        card_product: as_string(&r("cardType")?)?,
        currency_code: as_string(&r("currencyCode")?)?,
        pin_ok: Some(r("pinOk")? == Dv::Bool(true)),
        print_by_payment_app: Some(print_by_payment_app),
        external_transaction_id: as_string(&r(other)?)?,
        date,
        card_data_entry: as_string(&r("cardEntryMode")?)?,
        ams_id: as_string(&r("amsID")?)?,
        time,
        transaction_type,
        ..RequestResult::default()
    })
}

/// `createTransactionIOS` / `cancelTransactionIOS` after `launchUrl` succeeded (`:361-369`, `:406-414`): no
/// delivered redirect or any exception → `-1003`.
pub fn result_of_redirect(
    redirect: Option<&str>,
    uri_scheme: &str,
    print: bool,
    is_cancel: bool,
) -> RequestResult {
    deliver(redirect, uri_scheme)
        .and_then(|uri| request_result_from_receipt(&uri, print, is_cancel).ok())
        .unwrap_or_else(|| RequestResult {
            result: Some(-1003),
            response_message: Some("Kein Redirect erhalten oder Timeout".into()),
            ..RequestResult::default()
        })
}

/// `batchFromRedirect(uri)` (`:124-130`).
pub fn batch_from_redirect(uri: &Uri) -> Dart<Batch> {
    let query = uri.query_parameters()?;
    match as_string(query.get("batch"))? {
        None => Err(Thrown("Exception: Kein Batch im Redirect enthalten".into())),
        Some(raw) => Batch::from_query(&raw),
    }
}

/// `closeBatchIOS` after `launchUrl` (`:112-119`).
pub fn batch_of_redirect(redirect: Option<&str>, uri_scheme: &str) -> Result<Batch, String> {
    let uri = deliver(redirect, uri_scheme)
        .ok_or("Exception: Kein Redirect erhalten oder Timeout, error: TimeoutException after 0:00:15.000000: No stream event")?;
    batch_from_redirect(&uri)
        .map_err(|e| format!("Exception: Kein Redirect erhalten oder Timeout, error: {e}"))
}

/// A receipt's JSON as a Dart map (for looking at fields the plugin ignores).
pub fn receipt_map(uri: &Uri) -> DMap {
    let q = uri.query_parameters().expect("query decodes");
    match q.get("receipt") {
        Dv::Str(s) => match json_decode(s) {
            Ok(Dv::Map(m)) => m,
            other => panic!("receipt is not an object: {other:?}"),
        },
        other => panic!("no receipt: {other:?}"),
    }
}
