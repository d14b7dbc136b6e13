//! Accounts and terminals: who may log in, which TIDs they reach, and each terminal's fixed traits
//! (API key, merchant, currency, mode, reachability). Plain data; no axum, no I/O.
/// How a terminal takes Cloud tasks (cloud-mock.md §8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Tasks queue FIFO and run one at a time.
    Automatic,
    /// A new task is refused (406 `TERMINAL_BUSY`) while one is unfinished.
    SemiIntegrated,
}

/// One terminal (TID) as configured in `fixtures/accounts.yaml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Terminal {
    /// Terminal id, e.g. `999888`.
    pub tid: super::Id,
    /// The key integrators send as `apiKey`.
    pub api_key: super::Id,
    /// Merchant (branch) id printed on card receipts.
    pub merchant_id: String,
    /// ISO 4217 alphabetic currency, e.g. `CZK`.
    pub currency: super::Id,
    /// Automatic (queueing) or semi-integrated.
    pub mode: Mode,
    /// `false` makes every task push fail with 502.
    pub reachable: bool,
    /// Whether the device offers tipping.
    pub tip_enabled: bool,
    /// Whether a receipt printer is attached.
    pub printer_available: bool,
    /// Latency profile for this TID instead of the process-wide one.
    pub latency: Option<String>,
}

impl Terminal {
    /// A terminal that takes `currency` and nothing else known: the proxy judges a request's field rules
    /// without the upstream's accounts.
    pub fn stand_in(currency: &str) -> Self {
        Terminal {
            tid: super::Id::default(),
            api_key: super::Id::default(),
            merchant_id: String::new(),
            currency: currency.into(),
            mode: Mode::Automatic,
            reachable: true,
            tip_enabled: true,
            printer_available: false,
            latency: None,
        }
    }
}

/// Kind of GP tom login.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountKind {
    /// Bound to its TIDs; a token names one of them.
    Terminal,
    /// Company-wide; the token has `tid: null` and each call names its TID.
    Master,
}

/// A GP tom login.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// Login e-mail.
    pub username: String,
    /// Password (plain text: this is a mock).
    pub password: String,
    /// Terminal or master.
    pub kind: AccountKind,
    /// TIDs this login may use.
    pub tids: Vec<super::Id>,
}

/// The OAuth client every integrator uses (`atom:ashfuf4e5fa`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthClient {
    /// Client id (`atom`).
    pub id: String,
    /// Client secret.
    pub secret: String,
}

/// All logins and terminals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directory {
    /// The published OAuth client.
    pub client: OAuthClient,
    /// Terminals by TID, in TID order (shared: a task creation takes its terminal without copying it).
    pub terminals: Keyed<std::sync::Arc<Terminal>>,
    /// The first terminal of the fixtures (device channels' default TID).
    pub first_tid: String,
    /// Accounts by username, in username order. Read with [`Directory::accounts`]; every change goes through
    /// [`Directory::accounts_mut`], which takes a new [`Directory::stamp`].
    accounts: Keyed<Account>,
    stamp: Stamp,
}

/// A number no other state of the logins had: taken anew on every mutable access to them and by every copy of a
/// directory (a reset's fresh world included), drawn from one process-wide counter. A grant checked at one
/// stamp holds while the directory still shows that stamp (the token cache's shortcut, [`super::token`]). A
/// terminal's queue state has one too, for the answer kept for its polls (`engine::kept`).
#[derive(Debug)]
pub(super) struct Stamp(pub(super) u64);

impl Stamp {
    pub(super) fn next() -> Self {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Stamp(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }
}

impl Clone for Stamp {
    /// A copy of the logins may then change apart from them: never the same stamp.
    fn clone(&self) -> Self {
        Stamp::next()
    }
}

impl PartialEq for Stamp {
    /// Says nothing of what the directory holds: two directories with the same logins are equal.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Stamp {}

/// A map kept in key order (listings, sandboxes and the admin state walk it in that order) whose lookups hash:
/// every call looks a login and a terminal up, among a thousand in a shared deployment. Add with
/// [`insert_sorted`], remove with `shift_remove`, so that the order holds.
pub type Keyed<V> = indexmap::IndexMap<super::Id, V, foldhash::fast::RandomState>;

/// Inserts or replaces `key` in `map`, keeping the key order.
pub fn insert_sorted<V>(map: &mut Keyed<V>, key: super::Id, value: V) {
    if let Some(slot) = map.get_mut(&key) {
        *slot = value;
    } else {
        map.insert(key, value);
        map.sort_unstable_keys();
    }
}

impl Directory {
    /// A directory of these logins and terminals.
    pub fn new(
        client: OAuthClient,
        terminals: Keyed<std::sync::Arc<Terminal>>,
        first_tid: String,
        accounts: Keyed<Account>,
    ) -> Self {
        Directory {
            client,
            terminals,
            first_tid,
            accounts,
            stamp: Stamp::next(),
        }
    }

    /// Accounts by username, in username order.
    pub fn accounts(&self) -> &Keyed<Account> {
        &self.accounts
    }

    /// The accounts, to change: the directory takes a new [`Directory::stamp`].
    pub fn accounts_mut(&mut self) -> &mut Keyed<Account> {
        self.stamp = Stamp::next();
        &mut self.accounts
    }

    /// Unique to the logins as they are now: it changes whenever they may have changed (never 0).
    pub fn stamp(&self) -> u64 {
        self.stamp.0
    }

    /// The account `username`, if any.
    pub fn account(&self, username: &str) -> Option<&Account> {
        self.accounts.get(username)
    }

    /// The terminal login bound to `tid` (the user its simulated device is logged in as).
    pub fn owner_of(&self, tid: &str) -> Option<&Account> {
        self.accounts
            .values()
            .find(|a| a.kind == AccountKind::Terminal && a.tids.iter().any(|t| t == tid))
    }

    /// Whether `username` (still) exists and may use `tid` (`None` = a master token's null tid).
    pub fn grants(&self, username: &str, tid: Option<&str>) -> bool {
        match (self.account(username), tid) {
            (Some(a), Some(t)) => a.kind == AccountKind::Terminal && a.tids.iter().any(|x| x == t),
            (Some(a), None) => a.kind == AccountKind::Master,
            (None, _) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_maps_stay_in_key_order() {
        let mut map = Keyed::default();
        for (k, v) in [("300", 1), ("100", 2), ("200", 3)] {
            insert_sorted(&mut map, k.into(), v);
        }
        insert_sorted(&mut map, "100".into(), 4); // replaced in place
        let keys = |m: &Keyed<i32>| {
            m.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
        };
        assert_eq!(keys(&map), ["100=4", "200=3", "300=1"]);
        map.shift_remove("200");
        insert_sorted(&mut map, "150".into(), 5);
        assert_eq!(keys(&map), ["100=4", "150=5", "300=1"]);
        assert_eq!(map.get("300"), Some(&1));
    }
}
