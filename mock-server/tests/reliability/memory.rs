//! Memory bound (cloud-mock.md §13; ignored, `make reliability` runs it in release): 1 000 000 tasks created
//! through the engine with the default caps (100 000 tasks, 100 000 transactions) keep this process's RSS under
//! 256 MiB, because the oldest *final* tasks and the oldest transactions are evicted; a task still in progress
//! is never evicted. Run it alone (`--test-threads=1`): RSS is the whole process's.

use mock_server::Config;
use mock_server::Timestamp;
use mock_server::engine::body::Json;
use mock_server::engine::task::TaskStatus;

use super::support::{self, master};

const CAP_KIB: u64 = 256 * 1024;

#[test]
#[ignore = "slow (1 000 000 tasks): run by `make reliability` in release"]
fn a_million_tasks_stay_under_the_memory_cap() {
    let defaults = Config::default();
    let mut engine = support::engine("realistic", defaults.max_tasks, defaults.max_transactions);
    let who = master();
    let mut now = Timestamp::DEFAULT_START;
    // Terminal 999888 runs instantly; 483590 keeps a timeout task IN_PROGRESS for the device timeout (60 s),
    // longer than the whole run lasts on the mock clock.
    engine
        .patch_terminal("999888", None, None, Some("instant".into()))
        .expect("terminal");
    let stuck = engine
        .create_task(
            &who,
            "TRANSACTION",
            &Json::from_value(&support::sale_body("483590", "K7Q2M9X4A", 1123, false)),
            now,
        )
        .expect("created")
        .task_id;
    now = now.plus_ms(5_000); // IN_PROGRESS from +2 s until +62 s
    let first = engine
        .create_task(
            &who,
            "TRANSACTION",
            &Json::from_value(&support::sale_body("999888", "333W212J3", 1111, false)),
            now,
        )
        .expect("created")
        .task_id;
    let baseline = support::rss_kib().expect("RSS readable");
    let mut peak = baseline;
    let total: u32 = std::env::var("MEMORY_TASKS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    for i in 1..total {
        let body = if i % 97 == 0 {
            support::batch_body("999888", "333W212J3")
        } else {
            support::sale_body(
                "999888",
                "333W212J3",
                2000 + i64::from(i % 50_000),
                i % 3 == 0,
            ) // no 1123: a timeout would hold the queue
        };
        let class = if i % 97 == 0 { "BATCH" } else { "TRANSACTION" };
        engine
            .create_task(&who, class, &Json::from_value(&body), now)
            .expect("created");
        if i % 50_000 == 0 {
            peak = peak.max(support::rss_kib().expect("RSS"));
        }
    }
    peak = peak.max(support::rss_kib().expect("RSS"));
    let state = engine
        .state(now, None, None)
        .expect("a dump of every terminal");
    let kept = state["tasks"].as_array().expect("tasks").len();
    let txns = state["transactions"]
        .as_array()
        .expect("transactions")
        .len();
    let stuck_view = engine
        .task(&who, &stuck, now)
        .expect("the in-progress task is still there");
    assert_eq!(stuck_view.status, TaskStatus::InProgress);
    assert!(
        engine.task(&who, &first, now).is_err(),
        "the oldest final task was evicted"
    );
    eprintln!(
        "memory: {total} tasks created; kept {kept} tasks and {txns} transactions (caps {} / {}); \
         RSS baseline {} MiB, peak {} MiB (cap {} MiB); the IN_PROGRESS task survived",
        defaults.max_tasks,
        defaults.max_transactions,
        baseline / 1024,
        peak / 1024,
        CAP_KIB / 1024
    );
    assert!(kept <= defaults.max_tasks + 1, "{kept} tasks kept");
    assert!(
        txns <= defaults.max_transactions,
        "{txns} transactions kept"
    );
    assert!(
        peak < CAP_KIB,
        "peak RSS {peak} KiB over the {CAP_KIB} KiB cap"
    );
}
