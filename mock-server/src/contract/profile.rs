//! The behaviour profiles' names, as `gptom-mock --profile` and a scenario's `profile:` take them
//! (cloud-mock.md §11). `lenient` is the default base.

/// Every profile name, in the order the help lists them.
pub const NAMES: [&str; 6] = [
    "lenient",
    "strict",
    "task-not-found-403",
    "ttl-cancelled",
    "receiptless-success",
    "a2a-date-ddmmyy",
];
