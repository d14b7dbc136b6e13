//! The Android plugin of AppsDevTeam/flutter-gptom, commit 11c1772c9e97fc929321bb5b8cc2dc841199867b,
//! `android/src/main/kotlin/cz/appsdevteam/gptom/GpTomPlugin.kt`: register, transaction with its state polling,
//! handleCompletedState, cancelPolling, closeBatchLegacy, getState, getDetail, driven against the mock's app2app
//! bridge (the mappers are in `mappers.rs`).
//!
//! Time: the plugin's `System.currentTimeMillis()` is `now_ms`; each `postDelayed(…, 500)` moves it and the mock
//! clock by 0.5 s, so a poll sees exactly what GP tom would show 500 ms after the previous answer.

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use crate::device::Device;
use crate::entities::{
    InquireResultEntity, RegisterResultV2Entity, StateResultEntity, TransactionRequestV2Entity,
    TransactionResultV2Entity,
};
pub use crate::mappers::{
    CLASSIFY_V2_KNOWN, PluginResponse, batch_map, classify, classify_v2, codes, event, inquire_map,
    register_map, state_map, to_iso8601,
};

/// `POLL_INTERVAL_MS` (`GpTomPlugin.kt:558`).
pub const POLL_INTERVAL_MS: i64 = 500;
/// `POLL_TIMEOUT_MS` (`GpTomPlugin.kt:559`).
pub const POLL_TIMEOUT_MS: i64 = 5 * 60 * 1000;

/// One `stateRequest` answer the polling loop saw.
#[derive(Clone, Debug)]
pub struct Poll {
    /// Plugin time of the poll, ms since the transaction call.
    pub at_ms: i64,
    /// The JSON `onStateResult` received.
    pub json: String,
    /// What Gson made of it (`None`: parse failure or null entity).
    pub entity: Option<StateResultEntity>,
}

/// What one `transaction` call produced.
#[derive(Clone, Debug)]
pub struct TxnRun {
    /// The method-call result map (always answered before GP tom is called).
    pub method_result: Value,
    /// The one event (`None` if validation failed in the method call).
    pub event: Option<Value>,
    /// Every state poll, in order.
    pub polls: Vec<Poll>,
    /// The JSON the ignored `onTransactionV2Result` got (`GpTomPlugin.kt:257-261`).
    pub v2_json: Option<String>,
    /// The JSON of the inquiry after state 6, if any.
    pub inquire_json: Option<String>,
}

/// `TransactionType.kt:3-11`.
fn kind_of(code: i64) -> Option<&'static str> {
    Some(match code {
        1 => "sale",
        2 => "cancel",
        3 => "refund",
        4 => "closeBatch",
        _ => return None,
    })
}

fn non_blank(v: &Value) -> Option<&str> {
    v.as_str().filter(|s| !s.trim().is_empty())
}

/// The checks of method `transaction` (`GpTomPlugin.kt:195-224`; a failure is the method result) and the
/// `TransactionRequestV2Entity` it fills (`:233-252`), as Gson writes it: (kind, transactionId, entity JSON).
pub fn request_entity(args: &Value) -> Result<(&'static str, String, Value), Value> {
    let invalid = |m: &str| PluginResponse::error(codes::INVALID_ARGUMENT, m).to_map();
    let Some(tx) = non_blank(&args["transactionId"]).map(str::to_owned) else {
        return Err(invalid("transactionId is required"));
    };
    let type_code = args["transactionType"].as_i64();
    let Some(kind) = type_code.and_then(kind_of) else {
        return Err(invalid("Unknown or missing transactionType"));
    };
    let amount = args["amount"].as_i64();
    if matches!(kind, "sale" | "refund") && amount.is_none_or(|a| a < 0) {
        return Err(invalid("Amount required for sale/refund"));
    }
    let cancel = kind == "cancel";
    if cancel {
        let mode = args["cancelMode"].as_i64();
        if !matches!(mode, Some(1 | 2)) {
            return Err(invalid("CancelMode must be 1 or 2"));
        }
        if mode == Some(2) && non_blank(&args["originTransactionId"]).is_none() {
            return Err(invalid("OriginTransactionId required for mode 2"));
        }
    }
    let entity = TransactionRequestV2Entity {
        transaction_id: Some(tx.clone()),
        transaction_type: type_code.map(|c| c as i32),
        client_id: non_blank(&args["clientId"]).map(str::to_owned),
        print_by_payment_app: Some(args["printByPaymentApp"].as_bool().unwrap_or(true)),
        tip_collect: args["tipCollect"].as_bool(),
        tip_amount: args["tipAmount"].as_i64(),
        origin_reference_num: args["originReferenceNum"].as_str().map(str::to_owned),
        amount,
        currency_code: args["currencyCode"].as_str().map(str::to_owned),
        // PaymentMethod.valueOf(pm), null when unknown
        payment_method: args["paymentMethod"].as_str().and_then(|p| {
            crate::entities::PAYMENT_METHOD
                .iter()
                .copied()
                .find(|c| *c == p)
        }),
        cancel_mode: cancel
            .then(|| args["cancelMode"].as_i64().map(|m| m as i32))
            .flatten(),
        origin_transaction_id: cancel
            .then(|| args["originTransactionId"].as_str().map(str::to_owned))
            .flatten(),
    };
    Ok((kind, tx, entity.to_gson()))
}

/// The entity of method `closeBatchLegacy` (`GpTomPlugin.kt:386-391`).
pub fn legacy_batch_entity(tx: &str, args: &Value) -> Value {
    TransactionRequestV2Entity {
        transaction_id: Some(tx.to_owned()),
        transaction_type: Some(4),
        client_id: non_blank(&args["clientId"]).map(str::to_owned),
        print_by_payment_app: Some(args["printByPaymentApp"].as_bool().unwrap_or(true)),
        ..Default::default()
    }
    .to_gson()
}

/// The Android plugin instance, bound to GP tom (the mock) on one device.
pub struct AndroidPlugin<'a> {
    device: &'a Device,
    http: reqwest::Client,
    /// Plugin time in ms (moves only with `postDelayed`).
    pub now_ms: i64,
    /// `PendingStore`'s single slot: (transactionId, originReferenceNum).
    pub pending: Option<(String, Option<String>)>,
    cancelled_polls: HashSet<String>,
    active_poll_kinds: HashMap<String, &'static str>,
    /// Every Gson exception or null entity the plugin met (and swallowed, or turned into `internalError`).
    pub gson_failures: Vec<String>,
    /// Every entity JSON the plugin handed to `transactionRequestV2`.
    pub requests: Vec<String>,
    /// The app calls `cancelPolling` once this many polls of a transaction were answered.
    pub cancel_after_polls: Option<usize>,
}

impl<'a> AndroidPlugin<'a> {
    pub fn new(device: &'a Device) -> Self {
        AndroidPlugin {
            device,
            http: reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("client"),
            now_ms: 0,
            pending: None,
            cancelled_polls: HashSet::new(),
            active_poll_kinds: HashMap::new(),
            gson_failures: Vec::new(),
            requests: Vec::new(),
            cancel_after_polls: None,
        }
    }

    fn failed(&mut self, what: &str, json: &str, e: impl std::fmt::Display) {
        self.gson_failures.push(format!("{what}: {e} in {json}"));
    }

    /// `postDelayed(…, ms)`.
    fn sleep(&mut self, ms: i64) {
        self.now_ms += ms;
        self.device.advance(ms as f64 / 1000.0);
    }

    /// Method `register` (`GpTomPlugin.kt:132-189`): the method-call result map, or `None` when the plugin never
    /// answers (a `null` body: Kotlin NPE at line 164 inside the binder callback).
    pub async fn register(&mut self, args: &Value) -> Option<Value> {
        let origin_ref = args["originReferenceNum"].as_str();
        let client_id = non_blank(&args["clientId"]);
        let persist = args["persistPending"].as_bool().unwrap_or(true);
        let entity = match client_id {
            Some(c) => json!({"clientID": c}),
            None => json!({}),
        };
        let body = self.device.aidl_post("register", &entity).await;
        if body.trim().is_empty() {
            return Some(
                PluginResponse::error(codes::INTERNAL_ERROR, "Register returned empty result")
                    .to_map(),
            );
        }
        let parsed = match RegisterResultV2Entity::from_json(&body) {
            Ok(Some(p)) => p,
            Ok(None) => {
                self.failed("register", &body, "null entity (NPE, no answer)");
                return None;
            }
            Err(e) => {
                self.failed("register", &body, &e);
                return Some(
                    PluginResponse::error(codes::INTERNAL_ERROR, format!("Failed to parse: {e}"))
                        .to_map(),
                );
            }
        };
        let result_map = register_map(&parsed, origin_ref);
        match parsed
            .transaction_id
            .as_deref()
            .filter(|t| !t.trim().is_empty())
        {
            None => {
                let code = classify(parsed.error.as_ref(), parsed.result_code);
                let message = parsed
                    .error
                    .as_ref()
                    .and_then(|e| e.exception.clone())
                    .or(parsed.response_message.clone())
                    .unwrap_or_else(|| {
                        format!(
                            "Register failed (resultCode={})",
                            parsed.result_code.map_or("null".into(), |c| c.to_string())
                        )
                    });
                Some(
                    PluginResponse::Error {
                        code,
                        message,
                        data: result_map,
                    }
                    .to_map(),
                )
            }
            Some(tx) => {
                if persist {
                    self.pending = Some((tx.to_owned(), origin_ref.map(str::to_owned)));
                }
                Some(PluginResponse::Success(result_map).to_map())
            }
        }
    }

    /// Method `transaction` (`GpTomPlugin.kt:191-273`) and everything it triggers: the validation, the Gson-written
    /// request, the polling loop (`:275-342`), and on state 6 `handleCompletedState` (`:417-451`).
    pub async fn transaction(&mut self, args: &Value) -> TxnRun {
        let mut run = TxnRun {
            method_result: Value::Null,
            event: None,
            polls: Vec::new(),
            v2_json: None,
            inquire_json: None,
        };
        let (kind, tx, entity) = match request_entity(args) {
            Ok(r) => r,
            Err(method_result) => {
                run.method_result = method_result;
                return run;
            }
        };
        // line 226: the method result is sent before GP tom is even bound
        run.method_result = PluginResponse::Success(Value::Null).to_map();
        self.requests.push(entity.to_string());
        let (status, body) = self.device.aidl_request_nowait(&entity).await;
        if status == 200 {
            run.v2_json = Some(body.to_string());
        }
        self.active_poll_kinds.insert(tx.clone(), kind);
        let event = self.poll_transaction_state(kind, &tx, &mut run).await;
        run.event = Some(event);
        if status == 202 {
            run.v2_json = self.v2_result(&tx).await;
        }
        run
    }

    /// The V2 callback that fires once a pending request is final: `GET /app2app/transaction/{id}`, 200 only.
    async fn v2_result(&self, tx: &str) -> Option<String> {
        let res = self
            .http
            .get(format!(
                "{}/app2app/transaction/{tx}",
                self.device.mock.base_url()
            ))
            .header("x-gptom-tid", &self.device.tid)
            .send()
            .await
            .expect("sent");
        if res.status().as_u16() != 200 {
            return None;
        }
        Some(res.text().await.expect("body"))
    }

    /// `pollTransactionState` (`GpTomPlugin.kt:275-342`) until it sends its event.
    async fn poll_transaction_state(&mut self, kind: &str, tx: &str, run: &mut TxnRun) -> Value {
        let started = self.now_ms;
        loop {
            if self.cancelled_polls.remove(tx) {
                self.active_poll_kinds.remove(tx);
                let r = PluginResponse::error(codes::CANCELLED, "Polling cancelled");
                return event(kind, Some(tx), &r);
            }
            if self.now_ms - started > POLL_TIMEOUT_MS {
                self.active_poll_kinds.remove(tx);
                let r = PluginResponse::error(codes::TIMEOUT, "Transaction polling timed out");
                return event(kind, Some(tx), &r);
            }
            let json = self.device.aidl_get(&format!("state/{tx}")).await;
            let parsed = match StateResultEntity::from_json(&json) {
                Ok(p) => p,
                Err(e) => {
                    self.failed("stateRequest", &json, &e);
                    None
                }
            };
            run.polls.push(Poll {
                at_ms: self.now_ms - started,
                json: json.clone(),
                entity: parsed.clone(),
            });
            match parsed.as_ref().and_then(|p| p.state.map(|s| (p, s))) {
                Some((_, 6)) => return self.handle_completed_state(kind, tx, run).await,
                Some((p, 7)) => {
                    self.active_poll_kinds.remove(tx);
                    let r = PluginResponse::Error {
                        code: codes::CANCELLED,
                        message: "Transaction cancelled".into(),
                        data: state_map(p),
                    };
                    return event(kind, Some(tx), &r);
                }
                Some((p, 8)) => {
                    self.active_poll_kinds.remove(tx);
                    let message = match &p.error {
                        Some(e) => format!(
                            "Transaction error (code={})",
                            e.code.map_or("null".into(), |c| c.to_string())
                        ),
                        None => "Transaction error".into(),
                    };
                    let r = PluginResponse::Error {
                        code: classify_v2(p.error.as_ref()),
                        message,
                        data: state_map(p),
                    };
                    return event(kind, Some(tx), &r);
                }
                // 1, 2, 3 (INIT_ERROR), 5, null, anything else: poll again in 500 ms
                _ => self.sleep(POLL_INTERVAL_MS),
            }
            if self.cancel_after_polls == Some(run.polls.len()) {
                let answer = self.cancel_polling(tx);
                assert_eq!(answer["code"], codes::OK, "cancelPolling: {answer}");
            }
        }
    }

    /// `TransactionInquire(txId)` → the entity the listener gets.
    async fn inquire(&mut self, tx: &str) -> (String, Option<InquireResultEntity>) {
        let json = self.device.aidl_get(&format!("inquire/{tx}")).await;
        let entity = match InquireResultEntity::from_json(&json) {
            Ok(Some(e)) => Some(e),
            Ok(None) => {
                self.failed("TransactionInquire", &json, "null entity");
                None
            }
            Err(e) => {
                self.failed("TransactionInquire", &json, &e);
                None
            }
        };
        (json, entity)
    }

    /// `handleCompletedState` (`GpTomPlugin.kt:417-451`): `Success(InquireResultMapper map)` whatever `result` is.
    async fn handle_completed_state(&mut self, kind: &str, tx: &str, run: &mut TxnRun) -> Value {
        if self.cancelled_polls.remove(tx) {
            self.active_poll_kinds.remove(tx);
            let r = PluginResponse::error(codes::CANCELLED, "Polling cancelled");
            return event(kind, Some(tx), &r);
        }
        self.pending = None; // pendingStore.clear(), whichever transaction the slot held
        let (json, entity) = self.inquire(tx).await;
        run.inquire_json = Some(json);
        self.active_poll_kinds.remove(tx);
        let r = match entity {
            Some(e) => PluginResponse::Success(inquire_map(&e)),
            None => PluginResponse::error(codes::INTERNAL_ERROR, "Inquire mapping failed"),
        };
        event(kind, Some(tx), &r)
    }

    /// Method `cancelPolling` (`GpTomPlugin.kt:344-359`).
    pub fn cancel_polling(&mut self, tx: &str) -> Value {
        if self.active_poll_kinds.contains_key(tx) {
            self.cancelled_polls.insert(tx.to_owned());
            PluginResponse::Success(Value::Null).to_map()
        } else {
            PluginResponse::error(codes::FAILED, "No active polling for transactionId").to_map()
        }
    }

    /// Method `closeBatchLegacy` (`GpTomPlugin.kt:366-415`): the V2 callback straight into BatchMapper, `ok`
    /// whatever it says. Returns (method result, event, the V2 JSON).
    pub async fn close_batch_legacy(&mut self, args: &Value) -> (Value, Option<Value>, String) {
        let Some(tx) = non_blank(&args["transactionId"]).map(str::to_owned) else {
            let r = PluginResponse::error(codes::INVALID_ARGUMENT, "transactionId is required");
            return (r.to_map(), None, String::new());
        };
        let method_result = PluginResponse::Success(Value::Null).to_map();
        let entity = legacy_batch_entity(&tx, args);
        self.requests.push(entity.to_string());
        let json = self.device.aidl_post("transaction", &entity).await;
        let r = match TransactionResultV2Entity::from_json(&json) {
            Ok(Some(e)) => PluginResponse::Success(batch_map(&e)),
            Ok(None) => {
                self.failed("closeBatchLegacy", &json, "null entity");
                PluginResponse::error(codes::INTERNAL_ERROR, "Parse error: null")
            }
            Err(e) => {
                self.failed("closeBatchLegacy", &json, &e);
                PluginResponse::error(codes::INTERNAL_ERROR, format!("Parse error: {e}"))
            }
        };
        (
            method_result,
            Some(event("closeBatch", Some(&tx), &r)),
            json,
        )
    }

    /// Method `getState` (`GpTomPlugin.kt:453-488`): the `state` event.
    pub async fn get_state(&mut self, tx: &str) -> (Value, String) {
        let json = self.device.aidl_get(&format!("state/{tx}")).await;
        let r = if json.trim().is_empty() {
            PluginResponse::error(codes::INTERNAL_ERROR, "Empty result")
        } else {
            match StateResultEntity::from_json(&json) {
                Ok(Some(p)) => PluginResponse::Success(state_map(&p)),
                Ok(None) => {
                    self.failed("getState", &json, "null entity (NPE)");
                    PluginResponse::error(codes::INTERNAL_ERROR, "NullPointerException")
                }
                Err(e) => {
                    self.failed("getState", &json, &e);
                    PluginResponse::error(codes::INTERNAL_ERROR, e.0)
                }
            }
        };
        (event("state", Some(tx), &r), json)
    }

    /// Method `getDetail` (`GpTomPlugin.kt:490-520`): the `detail` event, `ok` whatever `result` is.
    pub async fn get_detail(&mut self, tx: &str) -> (Value, String) {
        let (json, entity) = self.inquire(tx).await;
        let r = match entity {
            Some(e) => PluginResponse::Success(inquire_map(&e)),
            None => PluginResponse::error(codes::INTERNAL_ERROR, "Unknown error"),
        };
        (event("detail", Some(tx), &r), json)
    }
}
