//! Documented field lists (cloud-mock.md §6, reference.md §6): what a task body may hold, what it must hold,
//! and which fields of the transaction detail a POS prints on its own receipt.

/// The fields of `POST /v1/tasks/TRANSACTION` (`CreateCloudTaskTransactionApiRequest`), spelled as GP tom does.
pub const TRANSACTION_TASK_FIELDS: &[&str] = &[
    "apiKey",
    "Tid",
    "initiator",
    "title",
    "transactionOperation",
    "transactionType",
    "amount",
    "tipAmount",
    "currencyCode",
    "originReferenceNum",
    "printByPaymentApp",
    "timeToLive",
    "cancelMode",
    "originTransactionId",
];

/// The fields a `POST /v1/tasks/TRANSACTION` body must have.
pub const TRANSACTION_TASK_REQUIRED: &[&str] = &[
    "apiKey",
    "Tid",
    "initiator",
    "title",
    "transactionOperation",
    "transactionType",
    "amount",
];

/// The fields a `POST /v1/tasks/BATCH` body must have.
pub const BATCH_TASK_REQUIRED: &[&str] = &["apiKey", "Tid", "initiator", "title"];

/// The receipt-visual items as the Cloud transaction detail (`GET /v1/transactions/{id}`) names them
/// (reference.md §6; `tid` is `Tid`).
pub const RECEIPT_FIELDS: &[&str] = &[
    "batchNumber",
    "receiptNumber",
    "Tid",
    "aid",
    "cardType",
    "cardDataEntry",
    "maskedPan",
    "transactionOperation",
    "currencyCode",
    "amount",
    "pinMessage",
    "authorizationCode",
    "sequenceNumber",
];
