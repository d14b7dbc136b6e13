//! What the engine is given: the fixtures' world, the behaviour profiles and the settings from the config.

use std::collections::BTreeMap;

use super::outcome::OutcomeTable;
use super::task::LatencyProfile;
use super::terminal::Directory;
use super::token::TokenTtls;
use super::transaction::CardCatalog;

/// Behaviour switches (`--profile a,b`, cloud-mock.md §11). `lenient` is the default base.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Profiles {
    /// `strict`: grants only on their documented paths, no coercion, unknown fields → 406.
    pub strict: bool,
    /// `task-not-found-403`: unknown/other-TID task → 403 instead of 404.
    pub task_not_found_403: bool,
    /// `ttl-cancelled`: expired tasks end CANCELLED instead of ERROR/TASK_EXPIRED.
    pub ttl_cancelled: bool,
    /// `receiptless-success`: approved iOS deep links redirect `status=COMPLETED` without `receipt` or `code`, as a
    /// real client observed (device-channels.md §2).
    pub receiptless_success: bool,
    /// `a2a-date-ddmmyy`: app2app `date` fields as `ddMMyy` (how the flutter-gptom plugin parses them) instead of
    /// `yyMMdd` [assumption: GP tom documents no format; a client's example `250117` reads as 2025-01-17].
    pub a2a_date_ddmmyy: bool,
}

impl Profiles {
    /// Parses a comma-separated list, e.g. `strict,task-not-found-403` (the names of `contract::profile`).
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut p = Profiles::default();
        for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match name {
                "lenient" => p.strict = false,
                "strict" => p.strict = true,
                "task-not-found-403" => p.task_not_found_403 = true,
                "ttl-cancelled" => p.ttl_cancelled = true,
                "receiptless-success" => p.receiptless_success = true,
                "a2a-date-ddmmyy" => p.a2a_date_ddmmyy = true,
                other => {
                    return Err(format!(
                        "unknown profile {other:?}; expected one of {}",
                        crate::contract::profile::NAMES.join(", ")
                    ));
                }
            }
        }
        Ok(p)
    }
}

/// Everything the fixtures define.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct World {
    /// Accounts, terminals and the OAuth client.
    pub directory: Directory,
    /// Named latency profiles (at least `instant` and `realistic`), shared by the tasks that run under them.
    pub latency: BTreeMap<String, std::sync::Arc<LatencyProfile>>,
    /// Amount → outcome.
    pub outcomes: OutcomeTable,
    /// Card data source.
    pub cards: CardCatalog,
}

/// Engine-wide settings from the config.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Behaviour profiles.
    pub profiles: Profiles,
    /// Name of the default latency profile (must exist in `World::latency`).
    pub latency: String,
    /// Token lifetimes.
    pub token_ttls: TokenTtls,
    /// HS256 secret.
    pub jwt_secret: Vec<u8>,
    /// RNG seed.
    pub seed: u64,
    /// Tasks kept before the oldest final ones are evicted.
    pub max_tasks: usize,
    /// Transactions kept before the oldest are evicted.
    pub max_transactions: usize,
    /// Unfinished tasks one terminal may queue (beyond: 406 `TERMINAL_BUSY`) [assumption].
    pub max_queue: usize,
}
