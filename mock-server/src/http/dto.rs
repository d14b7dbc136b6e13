//! Wire shapes with the vendor's exact names, spellings and field order (`contextId`, `transanctionId`,
//! `merchantID`, `Tid`). Struct field order is the order on the wire. The only file that knows vendor names.

use std::sync::Arc;

use serde::Serialize;
use utoipa::ToSchema;

use super::wire::{Out, WriteJson};

use crate::clock::Timestamp;
use crate::engine::task::{TaskClass, TaskStatus};
use crate::engine::transaction::{DccData, Transaction, TxnResult};
use crate::engine::validate::{
    BatchRequest, CancelMode, Operation, PayType, TaskRequest, TransactionRequest,
};
use crate::engine::{Id, TaskView};

/// `CloudTaskDetailApiResponse`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskDto {
    #[schema(value_type = String)]
    title: Id,
    #[schema(value_type = String)]
    task_id: Id,
    #[schema(value_type = String)]
    created: Timestamp,
    task_class: TaskClass,
    status: TaskStatus,
    #[schema(value_type = String)]
    initiator: Id,
    #[schema(value_type = Option<String>)]
    context_id: Option<crate::engine::Uuid>,
    /// The task's own request, shared: written on the wire as [`Payload`].
    #[serde(serialize_with = "payload")]
    #[schema(value_type = Payload)]
    payload: Arc<TaskRequest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    exception_id: Option<Id>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    message: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    context: Option<Option<String>>,
}

impl From<TaskView> for TaskDto {
    fn from(v: TaskView) -> Self {
        let (exception_id, failure) = v
            .failure
            .map_or((None, None), |(id, f)| (Some(id), Some(f)));
        TaskDto {
            title: v.title,
            task_id: v.task_id,
            created: v.created,
            task_class: v.class,
            status: v.status,
            initiator: v.initiator,
            context_id: v.context_id,
            payload: v.request,
            exception_id,
            kind: failure.map(|f| f.kind()),
            message: failure.map(|f| f.message()),
            context: failure.map(|_| None),
        }
    }
}

impl WriteJson for TaskDto {
    fn write_json(&self, out: &mut Out) {
        out.field("{\"title\":", &self.title);
        out.field(",\"taskId\":", &self.task_id);
        out.raw(",\"created\":");
        out.time(self.created);
        out.raw(match self.task_class {
            TaskClass::Transaction => ",\"taskClass\":\"TRANSACTION\"",
            TaskClass::Batch => ",\"taskClass\":\"BATCH\"",
        });
        out.raw(",\"status\":\"");
        out.raw(status_name(self.status));
        out.field("\",\"initiator\":", &self.initiator);
        out.raw(",\"contextId\":");
        out.opt_str(self.context_id.as_deref());
        out.raw(",\"payload\":");
        match &*self.payload {
            TaskRequest::Transaction(t) => t.write_json(out),
            TaskRequest::Batch(b) => b.write_json(out),
        }
        if let Some(id) = &self.exception_id {
            out.field(",\"exceptionId\":", id);
        }
        if let Some(kind) = self.kind {
            out.field(",\"type\":", kind);
        }
        if let Some(message) = self.message {
            out.field(",\"message\":", message);
        }
        if let Some(context) = &self.context {
            out.raw(",\"context\":");
            out.opt_str(context.as_deref());
        }
        out.raw("}");
    }
}

/// A task status's wire name (as its `Serialize`).
fn status_name(s: TaskStatus) -> &'static str {
    match s {
        TaskStatus::Created => "CREATED",
        TaskStatus::Started => "STARTED",
        TaskStatus::InitOk => "INIT_OK",
        TaskStatus::InProgress => "IN_PROGRESS",
        TaskStatus::Completed => "COMPLETED",
        TaskStatus::Cancelled => "CANCELLED",
        TaskStatus::Error => "ERROR",
        TaskStatus::InitError => "INIT_ERROR",
    }
}

/// `{"apiKey":…,"Tid":…,"initiator":…,"title":…`: how both payloads begin.
fn payload_head(out: &mut Out, api_key: &str, tid: &str, initiator: &str, title: &str) {
    out.field("{\"apiKey\":", api_key);
    out.field(",\"Tid\":", tid);
    out.field(",\"initiator\":", initiator);
    out.field(",\"title\":", title);
}

/// A task's `payload` as serde writes [`Payload`] (not the DTO itself: the task's request is shared, not copied).
fn payload<S: serde::Serializer>(request: &Arc<TaskRequest>, s: S) -> Result<S::Ok, S::Error> {
    Payload::from(TaskRequest::clone(request)).serialize(s)
}

impl WriteJson for TransactionRequest {
    fn write_json(&self, out: &mut Out) {
        payload_head(out, &self.api_key, &self.tid, &self.initiator, &self.title);
        out.raw(match self.operation {
            Operation::Sale => ",\"transactionOperation\":\"SALE\"",
            Operation::Void => ",\"transactionOperation\":\"VOID\"",
            Operation::Refund => ",\"transactionOperation\":\"REFUND\"",
        });
        out.raw(match self.pay_type {
            PayType::Cash => ",\"transactionType\":\"CASH\"",
            PayType::Card => ",\"transactionType\":\"CARD\"",
        });
        out.raw(",\"amount\":");
        out.int(self.amount);
        if let Some(tip) = self.tip_amount {
            out.raw(",\"tipAmount\":");
            out.int(tip);
        }
        out.field(",\"currencyCode\":", &self.currency_code);
        if let Some(r) = &self.origin_reference_num {
            out.field(",\"originReferenceNum\":", r);
        }
        out.raw(",\"printByPaymentApp\":");
        out.bool(self.print_by_payment_app);
        if let Some(ttl) = self.time_to_live {
            out.raw(",\"timeToLive\":");
            out.int(ttl);
        }
        if let Some(mode) = self.cancel_mode {
            out.raw(match mode {
                CancelMode::LastTransaction => ",\"cancelMode\":\"LAST_TRANSACTION\"",
                CancelMode::OlderTransaction => ",\"cancelMode\":\"OLDER_TRANSACTION\"",
            });
        }
        if let Some(id) = &self.origin_transaction_id {
            out.field(",\"originTransactionId\":", id);
        }
        out.raw("}");
    }
}

impl WriteJson for BatchRequest {
    fn write_json(&self, out: &mut Out) {
        payload_head(out, &self.api_key, &self.tid, &self.initiator, &self.title);
        out.raw("}");
    }
}

/// The accepted request body, normalised.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum Payload {
    /// TRANSACTION.
    Transaction(TransactionPayload),
    /// BATCH.
    Batch(BatchPayload),
}

impl From<TaskRequest> for Payload {
    fn from(r: TaskRequest) -> Self {
        match r {
            TaskRequest::Transaction(t) => Payload::Transaction(t.into()),
            TaskRequest::Batch(b) => Payload::Batch(b.into()),
        }
    }
}

/// `CreateCloudTaskTransactionApiRequest`, as accepted.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TransactionPayload {
    api_key: String,
    #[serde(rename = "Tid")]
    tid: String,
    initiator: String,
    title: String,
    transaction_operation: Operation,
    transaction_type: PayType,
    amount: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    tip_amount: Option<i64>,
    currency_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    origin_reference_num: Option<String>,
    print_by_payment_app: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_to_live: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cancel_mode: Option<CancelMode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    origin_transaction_id: Option<String>,
}

impl From<TransactionRequest> for TransactionPayload {
    fn from(t: TransactionRequest) -> Self {
        TransactionPayload {
            api_key: t.api_key.to_string(),
            tid: t.tid.to_string(),
            initiator: t.initiator.into(),
            title: t.title.into(),
            transaction_operation: t.operation,
            transaction_type: t.pay_type,
            amount: t.amount,
            tip_amount: t.tip_amount,
            currency_code: t.currency_code.to_string(),
            origin_reference_num: t.origin_reference_num.map(String::from),
            print_by_payment_app: t.print_by_payment_app,
            time_to_live: t.time_to_live,
            cancel_mode: t.cancel_mode,
            origin_transaction_id: t.origin_transaction_id.map(String::from),
        }
    }
}

/// A BATCH body, as accepted.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchPayload {
    api_key: String,
    #[serde(rename = "Tid")]
    tid: String,
    initiator: String,
    title: String,
}

impl From<BatchRequest> for BatchPayload {
    fn from(b: BatchRequest) -> Self {
        BatchPayload {
            api_key: b.api_key.to_string(),
            tid: b.tid.to_string(),
            initiator: b.initiator.into(),
            title: b.title.into(),
        }
    }
}

/// `GET /v1/transactions/{id}`: the documented 17 fields (with their spellings), then the receipt-visual
/// fields, then `dccData` for DCC outcomes.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TransactionDto {
    result: TxnResult,
    response_message: String,
    #[serde(rename = "transanctionId")]
    transanction_id: String,
    transaction_operation: Operation,
    transaction_type: PayType,
    #[serde(rename = "merchantID")]
    merchant_id: Option<String>,
    #[serde(rename = "Tid")]
    tid: String,
    currency_code: String,
    amount: i64,
    tip_amount: Option<i64>,
    card_number: Option<String>,
    card_data_entry: Option<String>,
    reference_number: Option<String>,
    invoice_number: Option<String>,
    date: String,
    emv_app_label: Option<String>,
    sequence_number: String,
    batch_number: String,
    receipt_number: String,
    aid: Option<String>,
    card_type: Option<String>,
    masked_pan: Option<String>,
    pin_message: Option<bool>,
    authorization_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dcc_data: Option<DccDto>,
}

impl From<Transaction> for TransactionDto {
    fn from(t: Transaction) -> Self {
        let card = t.card;
        TransactionDto {
            result: t.result,
            response_message: t.response_message.to_owned(),
            transanction_id: t.id.into(),
            transaction_operation: t.operation,
            transaction_type: t.pay_type,
            merchant_id: (t.pay_type == PayType::Card).then_some(t.merchant_id.into()),
            tid: t.tid.into(),
            currency_code: t.currency.into(),
            amount: t.amount,
            tip_amount: t.tip_amount,
            card_number: card.as_ref().map(|c| c.last4.to_string()),
            card_data_entry: card.as_ref().map(|c| c.entry.to_string()),
            reference_number: t.reference_number.map(String::from),
            invoice_number: None,
            date: t.date.to_rfc3339(),
            emv_app_label: card.as_ref().map(|c| c.brand.label.clone()),
            sequence_number: t.sequence_number.into(),
            batch_number: t.batch_number.to_string(),
            receipt_number: t.receipt_number.into(),
            aid: card.as_ref().map(|c| c.brand.aid.clone()),
            card_type: card.as_ref().map(|c| c.brand.card_type.clone()),
            masked_pan: card.as_ref().map(|c| format!("************{}", c.last4)),
            pin_message: card.as_ref().map(|c| c.pin),
            authorization_code: t.authorization_code.map(Into::into),
            dcc_data: t.dcc.map(|d| DccDto::from(*d)),
        }
    }
}

/// `dccData`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DccDto {
    currency: String,
    amount: String,
    markup: String,
    region_schema_indicator: u8,
    #[schema(value_type = f64)]
    exchange_rate: serde_json::Number,
    status: String,
}

impl From<DccData> for DccDto {
    fn from(d: DccData) -> Self {
        DccDto {
            currency: d.currency,
            amount: d.amount,
            markup: d.markup,
            region_schema_indicator: d.region_schema_indicator,
            exchange_rate: d.exchange_rate,
            status: d.status,
        }
    }
}

/// `CreateCloudTaskTransactionApiRequest` as GP tom documents it (for the OpenAPI document; the mock reads
/// bodies field by field, see `engine::validate`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct TransactionTaskRequest {
    /// API key of the terminal (GP tom app: Account → Cloud API).
    #[schema(min_length = 1)]
    api_key: String,
    /// Target terminal id (capital T).
    #[serde(rename = "Tid")]
    #[schema(min_length = 1)]
    tid: String,
    /// Which subsystem asks, e.g. "Cash desk 12" (1–100 characters).
    #[schema(min_length = 1, max_length = 100)]
    initiator: String,
    /// Human-readable task name (1–200 characters).
    #[schema(min_length = 1, max_length = 200)]
    title: String,
    /// `SALE`, `VOID` or `REFUND`.
    transaction_operation: Operation,
    /// `CASH` or `CARD`.
    transaction_type: PayType,
    /// Minor units, 1..=99999999 (`40000` = 400.00 CZK).
    #[schema(minimum = 1, maximum = 99_999_999)]
    amount: i64,
    /// Tip in minor units (ignored on VOID).
    #[schema(minimum = 0, maximum = 99_999_999)]
    tip_amount: Option<i64>,
    /// ISO 4217, must be the terminal's currency.
    #[schema(pattern = "^[A-Z]{3}$")]
    currency_code: Option<String>,
    /// Merchant reference: at most 20 ASCII letters and digits.
    #[schema(pattern = "^[A-Za-z0-9]{0,20}$")]
    origin_reference_num: Option<String>,
    /// Print the receipt on the device (default true).
    print_by_payment_app: Option<bool>,
    /// Seconds the task may wait for the device, 1..=86400.
    #[schema(minimum = 1, maximum = 86_400)]
    time_to_live: Option<i64>,
    /// VOID only: `LAST_TRANSACTION` or `OLDER_TRANSACTION`.
    cancel_mode: Option<CancelMode>,
    /// VOID with `OLDER_TRANSACTION`: the transaction to cancel.
    origin_transaction_id: Option<String>,
}

/// Body of `POST /v1/tasks/BATCH`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct BatchTaskRequest {
    /// API key of the terminal.
    #[schema(min_length = 1)]
    api_key: String,
    /// Target terminal id.
    #[serde(rename = "Tid")]
    #[schema(min_length = 1)]
    tid: String,
    /// Which subsystem asks.
    #[schema(min_length = 1, max_length = 100)]
    initiator: String,
    /// Human-readable task name.
    #[schema(min_length = 1, max_length = 200)]
    title: String,
}

/// The vendor error body: exactly these four fields.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VendorErrorBody {
    /// 6-character support id.
    exception_id: String,
    /// Error type, e.g. `VALIDATION_EXCEPTION`.
    #[serde(rename = "type")]
    kind: String,
    /// What went wrong.
    message: String,
    /// `[field]:{reason}` for validation errors, else null.
    context: Option<String>,
}

/// A Spring-OAuth error body (token endpoint and 401s).
#[derive(Serialize, ToSchema)]
pub struct OAuthErrorBody {
    /// `invalid_client`, `invalid_request`, `invalid_grant`, `unsupported_grant_type`, `unauthorized`, `invalid_token`.
    error: String,
    /// Why.
    error_description: String,
}

/// Form body of the token endpoints (`application/x-www-form-urlencoded`).
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct TokenForm {
    /// `password` or `refresh_token`.
    grant_type: String,
    /// Password grant: login e-mail.
    username: Option<String>,
    /// Password grant: password.
    password: Option<String>,
    /// Password grant, terminal login: the TID.
    tid: Option<String>,
    /// Refresh grant: the refresh token.
    refresh_token: Option<String>,
}

/// An admin error: what is wrong and which field.
#[derive(Serialize, ToSchema)]
pub struct AdminErrorBody {
    /// What is wrong.
    error: String,
    /// The body field at fault.
    field: Option<String>,
}

/// `POST /ios/deeplink` body (device-channels.md §1).
#[derive(ToSchema)]
#[allow(dead_code)] // read field by field in `http::ios`; this type only documents the shape
pub struct DeeplinkBody {
    /// A `gptom://` URL of a host and path GP tom opens; anything else is a 400.
    #[schema(
        pattern = r"^gptom://(transaction/(create|refund|cancel|detail)|batch/(close|detail)|login|logout|change-password|status)/*(\?[^\r\n]*)?$",
        example = "gptom://transaction/create?amount=1111&redirectUrl=myapp://done"
    )]
    url: String,
    /// Terminal (default: the first of the fixtures); unknown → 404.
    tid: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::wire::Wire;
    use proptest::option;
    use proptest::prelude::*;

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[A-Za-z0-9 ]{0,12}",
            any::<String>(),
            Just("quote \" back \\ tab \t nul \u{0} č".to_owned()),
        ]
    }

    fn transaction() -> impl Strategy<Value = TaskRequest> {
        (
            (text(), text(), text(), text()),
            (
                0..3usize,
                any::<bool>(),
                any::<i64>(),
                option::of(any::<i64>()),
            ),
            (
                text(),
                option::of(text()),
                any::<bool>(),
                option::of(any::<i64>()),
            ),
            (option::of(any::<bool>()), option::of(text())),
        )
            .prop_map(
                |(
                    (api_key, tid, initiator, title),
                    (op, cash, amount, tip),
                    (cur, oref, print, ttl),
                    (cm, otid),
                )| {
                    TaskRequest::Transaction(TransactionRequest {
                        api_key: api_key.into(),
                        tid: tid.into(),
                        initiator: initiator.into(),
                        title: title.into(),
                        operation: [Operation::Sale, Operation::Void, Operation::Refund][op],
                        pay_type: if cash { PayType::Cash } else { PayType::Card },
                        amount,
                        tip_amount: tip,
                        currency_code: cur.into(),
                        origin_reference_num: oref.map(Into::into),
                        print_by_payment_app: print,
                        time_to_live: ttl,
                        cancel_mode: cm.map(|older| {
                            if older {
                                CancelMode::OlderTransaction
                            } else {
                                CancelMode::LastTransaction
                            }
                        }),
                        origin_transaction_id: otid.map(Into::into),
                    })
                },
            )
    }

    fn batch() -> impl Strategy<Value = TaskRequest> {
        (text(), text(), text(), text()).prop_map(|(api_key, tid, initiator, title)| {
            TaskRequest::Batch(BatchRequest {
                api_key: api_key.into(),
                tid: tid.into(),
                initiator: initiator.into(),
                title: title.into(),
            })
        })
    }

    const STATUSES: [TaskStatus; 8] = [
        TaskStatus::Created,
        TaskStatus::Started,
        TaskStatus::InitOk,
        TaskStatus::InProgress,
        TaskStatus::Completed,
        TaskStatus::Cancelled,
        TaskStatus::Error,
        TaskStatus::InitError,
    ];

    fn task() -> impl Strategy<Value = TaskDto> {
        (
            (
                text(),
                text(),
                // years -2000 to 10 000: both the digit-by-digit text and chrono's signed one
                -125_000_000_000_000i64..260_000_000_000_000,
                any::<bool>(),
                0..STATUSES.len(),
            ),
            (
                text(),
                option::of(any::<u128>()),
                prop_oneof![transaction(), batch()],
            ),
            (
                option::of(text()),
                any::<bool>(),
                option::of(option::of(text())),
            ),
        )
            .prop_map(
                |(
                    (title, task_id, created, batch, status),
                    (initiator, context_id, payload),
                    (exception_id, failed, context),
                )| {
                    TaskDto {
                        title: title.into(),
                        task_id: task_id.into(),
                        created: Timestamp(created),
                        task_class: if batch {
                            TaskClass::Batch
                        } else {
                            TaskClass::Transaction
                        },
                        status: STATUSES[status],
                        initiator: initiator.into(),
                        context_id: context_id
                            .map(|u| crate::engine::Uuid::new(uuid::Uuid::from_u128(u))),
                        payload: Arc::new(payload),
                        exception_id: exception_id.map(Into::into),
                        kind: failed.then_some("PAYMENT_EXCEPTION"),
                        message: failed.then_some("exception during card payment"),
                        context,
                    }
                },
            )
    }

    proptest! {
        /// The hand-written bytes of a task are serde's, whatever it holds.
        #[test]
        fn a_task_on_the_wire_is_its_serde_json(dto in task()) {
            let serde = serde_json::to_vec(&dto).unwrap();
            prop_assert_eq!(String::from_utf8(Wire(dto).to_vec()).unwrap(), String::from_utf8(serde).unwrap());
        }
    }
}
