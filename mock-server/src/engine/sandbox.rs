//! Sandboxes: on a shared mock, a fresh set of terminals and logins per user or CI run — a copy of every fixture
//! terminal and account with new TIDs, apiKeys and usernames (same passwords, merchants, currencies and modes) —
//! so that concurrent runs never touch each other's terminals. A full reset clears their state but keeps them;
//! deleting one removes its terminals, logins and everything that happened on them. No axum.

use serde_json::{Value, json};

use super::terminal::{Account, AccountKind, OAuthClient, Terminal, insert_sorted};
use super::{Engine, Error};

/// One sandbox: its terminals and accounts as made (the state a reset restores), each beside the fixture it
/// copies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sandbox {
    /// `sb1`, `sb2`, … in order of creation.
    pub id: String,
    /// What its creator called it (`label`), if anything.
    pub label: Option<String>,
    /// (fixture TID, the sandbox's terminal).
    pub terminals: Vec<(String, Terminal)>,
    /// Fixture TID → the fixture's apiKey (a runner maps the one it sends to the sandbox's).
    pub copied_keys: std::collections::BTreeMap<String, String>,
    /// (fixture username, the sandbox's account).
    pub accounts: Vec<(String, Account)>,
    /// How far its clock is ahead of the mock's, milliseconds: a clock move sent with `X-Gptom-Sandbox`
    /// moves only this, so one run moving time does not move another's.
    pub offset_ms: i64,
}

impl Sandbox {
    /// The sandbox as `POST /__admin/sandboxes` answers it: the credentials a POS or a runner needs.
    pub fn json(&self, client: &OAuthClient) -> Value {
        let terminals: Vec<Value> = self
            .terminals
            .iter()
            .map(|(fixture, t)| {
                json!({"tid": t.tid, "apiKey": t.api_key, "merchantId": t.merchant_id, "currency": t.currency,
                       "mode": t.mode, "copyOf": fixture, "copyOfApiKey": self.copied_keys.get(fixture)})
            })
            .collect();
        let accounts: Vec<Value> = self
            .accounts
            .iter()
            .map(|(fixture, a)| {
                let kind = match a.kind {
                    AccountKind::Terminal => "terminal",
                    AccountKind::Master => "master",
                };
                json!({"username": a.username, "password": a.password, "kind": kind, "tids": a.tids,
                       "copyOf": fixture})
            })
            .collect();
        json!({"id": self.id, "label": self.label, "client": {"id": client.id, "secret": client.secret},
               "terminals": terminals, "accounts": accounts, "clockOffsetMs": self.offset_ms})
    }

    /// Whether one of its terminals has this TID.
    pub(super) fn holds(&self, tid: &str) -> bool {
        self.terminals.iter().any(|(_, t)| t.tid == tid)
    }
}

/// `jan.novak@example.com` → `jan.novak+sb1@example.com` (plus addressing keeps it an e-mail address).
fn sandbox_user(username: &str, id: &str) -> String {
    match username.split_once('@') {
        Some((local, domain)) => format!("{local}+{id}@{domain}"),
        None => format!("{username}+{id}"),
    }
}

impl Engine {
    /// Makes a sandbox: a copy of every fixture terminal and account, new TIDs (8 digits), apiKeys and
    /// usernames, drawn from the seeded RNG.
    pub fn create_sandbox(&mut self, label: Option<String>) -> &Sandbox {
        self.sandbox_seq += 1;
        let id = format!("sb{}", self.sandbox_seq);
        let mut tids = std::collections::BTreeMap::new();
        let mut terminals = Vec::new();
        for (fixture_tid, fixture) in &self.fixtures.directory.terminals {
            let tid = loop {
                let t = format!("{}{}", 1 + self.rng.index(9), self.rng.digits(7));
                if !self.world.directory.terminals.contains_key(t.as_str())
                    && !tids.values().any(|v| v == &t)
                {
                    break t;
                }
            };
            tids.insert(fixture_tid.to_string(), tid.clone());
            let terminal = Terminal {
                tid: tid.into(),
                api_key: self.rng.base62(9).to_uppercase().into(),
                ..Terminal::clone(fixture)
            };
            terminals.push((fixture_tid.to_string(), terminal));
        }
        let accounts: Vec<(String, Account)> = self
            .fixtures
            .directory
            .accounts()
            .values()
            .map(|a| {
                let account = Account {
                    username: sandbox_user(&a.username, &id),
                    password: a.password.clone(),
                    kind: a.kind,
                    tids: a
                        .tids
                        .iter()
                        .filter_map(|t| tids.get(t.as_str()).map(super::Id::new))
                        .collect(),
                };
                (a.username.clone(), account)
            })
            .collect();
        let sandbox = Sandbox {
            id: id.clone(),
            label,
            copied_keys: self
                .fixtures
                .directory
                .terminals
                .iter()
                .map(|(tid, t)| (tid.to_string(), t.api_key.to_string()))
                .collect(),
            terminals,
            accounts,
            offset_ms: 0,
        };
        self.admit(&sandbox);
        self.sandboxes.push(sandbox);
        &self.sandboxes[self.sandboxes.len() - 1]
    }

    /// Puts a sandbox's terminals and accounts (as made) into the directory.
    pub(super) fn admit(&mut self, sandbox: &Sandbox) {
        let dir = &mut self.world.directory;
        for (_, t) in &sandbox.terminals {
            insert_sorted(
                &mut dir.terminals,
                t.tid.as_str().into(),
                std::sync::Arc::new(t.clone()),
            );
        }
        for (_, a) in &sandbox.accounts {
            insert_sorted(dir.accounts_mut(), a.username.as_str().into(), a.clone());
        }
    }

    /// The sandboxes, in order of creation.
    pub fn sandboxes(&self) -> &[Sandbox] {
        &self.sandboxes
    }

    /// Deletes a sandbox: its logins (their tokens stop working), its terminals and everything on them. The
    /// TIDs it held, for the device layer to forget too.
    pub fn delete_sandbox(&mut self, id: &str) -> Result<Vec<String>, Error> {
        let at = self
            .sandboxes
            .iter()
            .position(|s| s.id == id)
            .ok_or_else(|| Error::not_found(format!("no sandbox {id:?}")))?;
        let sandbox = self.sandboxes.remove(at);
        let tids: Vec<String> = sandbox
            .terminals
            .iter()
            .map(|(_, t)| t.tid.to_string())
            .collect();
        for tid in &tids {
            self.forget_terminal(tid);
            self.world.directory.terminals.shift_remove(tid.as_str());
        }
        for (_, a) in &sandbox.accounts {
            self.world
                .directory
                .accounts_mut()
                .shift_remove(a.username.as_str());
        }
        Ok(tids)
    }

    /// A sandbox terminal as it was made (what a reset of that TID restores).
    pub(super) fn sandbox_terminal(&self, tid: &str) -> Option<Terminal> {
        self.sandboxes
            .iter()
            .find(|s| s.holds(tid))
            .and_then(|s| s.terminals.iter().find(|(_, t)| t.tid == tid))
            .map(|(_, t)| t.clone())
    }

    /// How far a sandbox's clock is ahead of the mock's (0 for an unknown id: a POS sending a stale header is
    /// answered on the mock's own clock).
    pub fn sandbox_offset(&self, id: &str) -> i64 {
        self.sandboxes
            .iter()
            .find(|s| &*s.id == id)
            .map_or(0, |s| s.offset_ms)
    }

    /// Moves a sandbox's clock forward by `ms`; its new offset.
    pub fn advance_sandbox(&mut self, id: &str, ms: i64) -> Result<i64, Error> {
        let sandbox = self
            .sandboxes
            .iter_mut()
            .find(|s| s.id == id)
            .ok_or_else(|| Error::not_found(format!("no sandbox {id:?} (X-Gptom-Sandbox)")))?;
        sandbox.offset_ms = sandbox.offset_ms.saturating_add(ms.max(0));
        Ok(sandbox.offset_ms)
    }

    /// Whether a sandbox exists.
    pub fn has_sandbox(&self, id: &str) -> bool {
        self.sandboxes.iter().any(|s| s.id == id)
    }
}
