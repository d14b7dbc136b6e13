//! Task status names as GP tom spells them (cloud-mock.md §5), and which of them are final.

/// Every task status, in lifecycle order.
pub const TASK_STATUSES: [&str; 8] = [
    "CREATED",
    "STARTED",
    "INIT_OK",
    "IN_PROGRESS",
    "COMPLETED",
    "CANCELLED",
    "ERROR",
    "INIT_ERROR",
];

/// The statuses after which a task never changes again.
pub const FINAL_TASK_STATUSES: [&str; 4] = ["COMPLETED", "CANCELLED", "ERROR", "INIT_ERROR"];

/// Whether `status` is a final task status.
pub fn is_final(status: &str) -> bool {
    FINAL_TASK_STATUSES.contains(&status)
}
