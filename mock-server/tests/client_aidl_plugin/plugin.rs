//! The Android call path of mhmmdlkts/gptom_aidl_plugin (commit a6c8d6f5faf7f3256744e88828fa4dc416f8e66e):
//! what `lib/gptom_aidl_plugin.dart` puts in the request map (`registerTransactionV2Android` `:61-68`,
//! `requestTransactionV2Android` `:83-117`, `sell` `:157-206`, `voidSell` `:209-247`, `refund` `:252-288`,
//! `closeBatch` `:292-328`, `normalizeClientInfo` `:135-150`), Dart's `jsonEncode` of it
//! (`gptom_aidl_plugin_method_channel.dart:99, 114`), the Java rewrite before the AIDL call
//! (`GptomAidlPlugin.java:367-377`) and the login/password entities Java serialises (`:548-554`, `:583-590`) —
//! then, against the mock's device channel, the answer each Dart future completes with.

use serde_json::Value;

use crate::dart::{DMap, Dv, json_decode, json_encode};
use crate::device::Device;
use crate::gson::{self, gson_inquire, gson_to_json, json_object_to_string};
use crate::models::{
    CancelMode, GpTomInfo, GpTomLoginEvent, InquireResult, PreferableReceiptType, RegisterResult,
    RequestResult, StateResult, TransactionType,
};

/// The arguments of `requestTransactionV2Android` (`gptom_aidl_plugin.dart:83-97`).
#[derive(Clone, Debug, Default)]
pub struct V2Request {
    /// `transactionId`.
    pub transaction_id: String,
    /// `transactionType`.
    pub transaction_type: Option<TransactionType>,
    /// `amountCents`.
    pub amount_cents: Option<i64>,
    /// `tipAmountCents`.
    pub tip_amount_cents: Option<i64>,
    /// `originTransactionId`.
    pub origin_transaction_id: Option<String>,
    /// `cancelMode`.
    pub cancel_mode: Option<CancelMode>,
    /// `clientId`.
    pub client_id: Option<String>,
    /// `printByPaymentApp`.
    pub print_by_payment_app: Option<bool>,
    /// `tipCollect`.
    pub tip_collect: Option<bool>,
    /// `redirectInfo`.
    pub redirect_info: Option<DMap>,
    /// `clientInfo`.
    pub client_info: Option<DMap>,
    /// `openGptomUI` (default true).
    pub open_gptom_ui: bool,
    /// `preferableReceiptType`.
    pub preferable_receipt_type: Option<PreferableReceiptType>,
}

fn s(v: &str) -> Dv {
    Dv::Str(v.to_owned())
}

/// `normalizeClientInfo` (`gptom_aidl_plugin.dart:135-150`): flat `{email, phone}` lifted into `contact`.
pub fn normalize_client_info(client_info: &DMap) -> DMap {
    let mut contact = DMap::default();
    if let Dv::Map(c) = client_info.get("contact") {
        for (k, v) in &c.0 {
            contact.insert(k, v.clone());
        }
    }
    for k in ["email", "phone"] {
        if !client_info.get(k).is_null() {
            contact.insert(k, client_info.get(k).clone());
        }
    }
    let mut rest = client_info.clone();
    for k in ["contact", "email", "phone"] {
        rest.remove(k);
    }
    if !contact.0.is_empty() {
        rest.insert("contact", Dv::Map(contact));
    }
    rest
}

impl V2Request {
    /// `sell(transactionIdAndroid:, amountCents:, transactionMethode:)` with its defaults (`tipAmountCents` 0,
    /// `printByPaymentApp` false, `tipCollect` false, `openGptomUI` true) — `transactionMethode` is not passed on
    /// (`:193-205`).
    pub fn sell(id: &str, amount_cents: i64) -> V2Request {
        V2Request {
            transaction_id: id.to_owned(),
            transaction_type: Some(TransactionType::Sell),
            amount_cents: Some(amount_cents),
            tip_amount_cents: Some(0),
            print_by_payment_app: Some(false),
            tip_collect: Some(false),
            open_gptom_ui: true,
            ..V2Request::default()
        }
    }

    /// `voidSell(transactionIdAndroid:, originTransactionId:, cancelMode:)` (`:236-246`).
    pub fn void_sell(id: &str, origin: &str, mode: CancelMode) -> V2Request {
        V2Request {
            transaction_id: id.to_owned(),
            transaction_type: Some(TransactionType::VoidSell),
            origin_transaction_id: Some(origin.to_owned()),
            cancel_mode: Some(mode),
            open_gptom_ui: true,
            ..V2Request::default()
        }
    }

    /// `refund(transactionIdAndroid:, originTransactionId:, amountCents:)` (`:276-287`).
    pub fn refund(id: &str, origin: &str, amount_cents: i64) -> V2Request {
        V2Request {
            transaction_id: id.to_owned(),
            transaction_type: Some(TransactionType::Refund),
            amount_cents: Some(amount_cents),
            origin_transaction_id: Some(origin.to_owned()),
            print_by_payment_app: Some(false),
            open_gptom_ui: true,
            ..V2Request::default()
        }
    }

    /// `closeBatch(transactionIdAndroid:)` (`:318-327`).
    pub fn close_batch(id: &str) -> V2Request {
        V2Request {
            transaction_id: id.to_owned(),
            transaction_type: Some(TransactionType::CloseBatch),
            print_by_payment_app: Some(false),
            open_gptom_ui: true,
            ..V2Request::default()
        }
    }

    /// The Dart params map (`:100-114`) in map-literal order; `Err` = the `ArgumentError` of `:98-99`.
    pub fn params(&self) -> Result<DMap, String> {
        for (name, v) in [
            ("amountCents", self.amount_cents),
            ("tipAmountCents", self.tip_amount_cents),
        ] {
            if v.is_some_and(|c| c < 0) {
                return Err(format!(
                    "ArgumentError: {name} darf nicht negativ sein (Cent)"
                ));
            }
        }
        let mut m = DMap::default();
        m.insert("transactionID", s(&self.transaction_id));
        let t = self.transaction_type.expect("required");
        m.insert("transactionType", Dv::Int(t.id()));
        if let Some(a) = self.amount_cents {
            m.insert("amount", Dv::Int(a));
        }
        m.insert("openGptomUI", Dv::Bool(self.open_gptom_ui));
        if let Some(t) = self.tip_amount_cents {
            m.insert("tipAmount", Dv::Int(t));
        }
        if let Some(o) = &self.origin_transaction_id {
            m.insert("originTransactionID", s(o));
        }
        if let Some(c) = self.cancel_mode {
            m.insert("cancelMode", Dv::Int(c.id()));
        }
        if let Some(c) = &self.client_id {
            m.insert("clientID", s(c));
        }
        if let Some(p) = self.print_by_payment_app {
            m.insert("printByPaymentApp", Dv::Bool(p));
        }
        if let Some(t) = self.tip_collect {
            m.insert("tipCollect", Dv::Bool(t));
        }
        if let Some(r) = &self.redirect_info {
            m.insert("redirectInfo", Dv::Map(r.clone()));
        }
        if let Some(c) = &self.client_info {
            m.insert("clientInfo", Dv::Map(normalize_client_info(c)));
        }
        if let Some(p) = self.preferable_receipt_type {
            m.insert("preferableReceiptType", s(p.aidl_key()));
        }
        Ok(m)
    }

    /// The JSON string GP tom's `transactionRequestV2` receives: Dart `jsonEncode` (method_channel `:114`), then
    /// Java parses it, drops `redirect` and `openGptomUI` and writes `JsonObject.toString()` (Java `:367-377`).
    pub fn wire_json(&self) -> Result<String, String> {
        let dart_json = json_encode(&Dv::Map(self.params()?));
        let Ok(Dv::Map(mut parsed)) = json_decode(&dart_json) else {
            return Err("INVALID_REQUEST".into());
        };
        parsed.remove("redirect");
        parsed.remove("openGptomUI");
        Ok(json_object_to_string(&Dv::Map(parsed)))
    }
}

/// The `registerJson` of `registerTransactionV2Android({clientId})` (`:61-68`), forwarded unchanged (Java `:339`).
pub fn register_json(client_id: Option<&str>) -> String {
    let mut m = DMap::default();
    if let Some(c) = client_id {
        m.insert("clientID", s(c));
    }
    json_encode(&Dv::Map(m))
}

/// `new Gson().toJson(new LoginEntity(username, password, terminalId, authCode))` (Java `:548-554`).
pub fn login_json(
    username: &str,
    password: &str,
    terminal_id: &str,
    auth_code: Option<&str>,
) -> String {
    gson_to_json(&[
        ("username", Some(s(username))),
        ("password", Some(s(password))),
        ("terminalId", Some(s(terminal_id))),
        ("authCode", auth_code.map(s)),
    ])
}

/// `new Gson().toJson(new ChangePasswordEntity(oldPass, newPass, authCode, validationOnly))` (Java `:583-590`).
pub fn change_password_json(
    old: &str,
    new: &str,
    auth_code: Option<&str>,
    validation_only: bool,
) -> String {
    gson_to_json(&[
        ("oldPass", Some(s(old))),
        ("newPass", Some(s(new))),
        ("authCode", auth_code.map(s)),
        ("validationOnly", Some(Dv::Bool(validation_only))),
    ])
}

fn entity(json: &str) -> Value {
    serde_json::from_str(json).expect("the plugin sends JSON")
}

/// One Android app with the plugin bound to the mock's device channel.
pub struct Android<'a>(pub &'a Device);

/// An answer as GP tom wrote it and as Dart decoded it.
pub struct Answer<T> {
    /// The JSON string the listener received.
    pub raw: String,
    /// The model Dart built.
    pub dart: T,
}

impl Android<'_> {
    /// `registerTransactionV2Android({clientId})` → `RegisterResult.fromJson` (method_channel `:97-109`); panics
    /// if the answer is not decodable (the -1001 fallback).
    pub async fn register(&self, client_id: Option<&str>) -> Answer<RegisterResult> {
        let raw = self
            .0
            .aidl_post("register", &entity(&register_json(client_id)))
            .await;
        let dart = RegisterResult::parse(&raw)
            .unwrap_or_else(|e| {
                panic!("RegisterResult.fromJson falls back to -1001 ({e}) on {raw}")
            })
            .unwrap_or_else(|| panic!("not a JSON object: {raw}"));
        assert_eq!(RegisterResult::from_json(&raw), dart);
        assert_eq!(
            gson::conform(&gson::REGISTER_RESULT_V2, &raw),
            Vec::<String>::new(),
            "{raw}"
        );
        Answer { raw, dart }
    }

    /// A registration that must succeed; its transaction id.
    pub async fn registered(&self) -> String {
        let r = self.register(None).await;
        assert!(r.dart.is_success(), "{}", r.raw);
        r.dart.transaction_id.expect("isSuccess")
    }

    /// `requestTransactionV2Android(…)` → `RequestResult.fromJson` (method_channel `:112-122`): the body is the
    /// exact wire JSON; the pending answer is waited out like the listener callback.
    pub async fn request(&self, req: &V2Request) -> Answer<RequestResult> {
        let body = req.wire_json().expect("valid arguments");
        let raw = self.0.aidl_post("transaction", &entity(&body)).await;
        let dart = RequestResult::parse(&raw)
            .unwrap_or_else(|e| panic!("RequestResult.fromJson falls back to -1001 ({e}) on {raw}"))
            .unwrap_or_else(|| panic!("not a JSON object: {raw}"));
        assert_eq!(RequestResult::from_json(&raw), dart);
        assert_eq!(
            gson::conform(&gson::TRANSACTION_RESULT_V2, &raw),
            Vec::<String>::new(),
            "{raw}"
        );
        Answer { raw, dart }
    }

    /// `stateRequestAndroid(id)` → `StateResult.fromJson` (method_channel `:125-134`).
    pub async fn state(&self, id: &str) -> Answer<StateResult> {
        let raw = self.0.aidl_get(&format!("state/{id}")).await;
        let dart = StateResult::parse(&raw)
            .unwrap_or_else(|e| panic!("StateResult.fromJson falls back to -1001 ({e}) on {raw}"))
            .unwrap_or_else(|| panic!("not a JSON object: {raw}"));
        assert_eq!(StateResult::from_json(&raw), dart);
        assert_eq!(
            gson::conform(&gson::STATE_RESULT, &raw),
            Vec::<String>::new(),
            "{raw}"
        );
        Answer { raw, dart }
    }

    /// `inquireTransactionAndroid(id)`: the entity is re-serialised by the plugin's Gson (Java `:444`), then
    /// `InquireResult.fromJson` (method_channel `:146-147`). `raw` is the Gson string Dart sees.
    pub async fn inquire(&self, id: &str) -> Answer<InquireResult> {
        let mock = self.0.aidl_get(&format!("inquire/{id}")).await;
        let raw = gson_inquire(&mock).unwrap_or_else(|v| {
            panic!("the inquiry cannot be an InquireResultEntity parcel: {v:?}\n{mock}")
        });
        let dart = InquireResult::parse(&raw)
            .unwrap_or_else(|e| panic!("InquireResult.fromJson falls back to -1001 ({e}) on {raw}"))
            .unwrap_or_else(|| panic!("not a JSON object: {raw}"));
        assert_eq!(InquireResult::from_json(&raw), dart);
        Answer { raw, dart }
    }

    /// `getGpTomInfo()` → `GpTomInfo.fromJson` (method_channel `:239-246`; no fallback: an exception fails).
    pub async fn info(&self) -> Answer<GpTomInfo> {
        let raw = self.0.aidl_get("info").await;
        let dart = GpTomInfo::from_json(&raw)
            .unwrap_or_else(|e| panic!("getGpTomInfo throws {e} on {raw}"));
        assert_eq!(
            gson::conform(&gson::APP2APP_INFO, &raw),
            Vec::<String>::new(),
            "{raw}"
        );
        Answer { raw, dart }
    }

    /// A login-service call (`login`, `logout`, `change-password` with the Java entity) → the
    /// `onLoginStatusChanged(status, message)` push as `GpTomLoginEvent` (method_channel `:31-39`).
    pub async fn login_call(&self, call: &str, body: Option<&str>) -> Answer<GpTomLoginEvent> {
        let raw = self
            .0
            .aidl_post(call, &body.map_or(Value::Null, entity))
            .await;
        let Ok(Dv::Map(args)) = json_decode(&raw) else {
            panic!("not the callback's (status, message): {raw}")
        };
        // the AIDL callback carries two Strings: anything else could not reach Java's HashMap (Java `:99-105`)
        for k in ["status", "message"] {
            assert!(
                matches!(args.get(k), Dv::Str(_) | Dv::Null),
                "{k} is not a String: {raw}"
            );
        }
        let dart = GpTomLoginEvent::from_callback(&args)
            .unwrap_or_else(|e| panic!("onLoginStatusChanged throws {e} on {raw}"));
        Answer { raw, dart }
    }
}
