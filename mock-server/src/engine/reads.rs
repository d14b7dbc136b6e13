//! What the device layer (`crate::device`: iOS deep links, Android app2app) reads of the engine and asks of it
//! beyond creating tasks: terminals and accounts, tasks and transactions of any TID (a device has no token to
//! check), batches, the profiles and the one RNG. No axum.

use super::transaction::{Batch, BatchTotals, Transaction};
use super::{Engine, Error, Profiles, TaskView, outcome::Outcome, terminal::Terminal};
use crate::clock::Timestamp;
use crate::rng::MockRng;

/// A terminal's batches: the open one's number and totals, and the closed ones in order.
#[derive(Debug, Clone, Default)]
pub struct BatchBook {
    /// Number of the open batch.
    pub open_number: u32,
    /// Totals of the open batch.
    pub open_totals: BatchTotals,
    /// Closed batches, oldest first.
    pub closed: Vec<Batch>,
}

impl Engine {
    /// Whether `password` is the password of `user` (device logins and password changes).
    pub fn password_is(&self, user: &str, password: &str) -> bool {
        self.world
            .directory
            .account(user)
            .is_some_and(|a| a.password == password)
    }

    /// Sets the password of `user` (a confirmed password change).
    pub fn set_password(&mut self, user: &str, new: &str) {
        if let Some(a) = self.world.directory.accounts_mut().get_mut(user) {
            a.password = new.to_owned();
        }
    }

    /// The account bound to a username, its TIDs and password included.
    pub fn account(&self, user: &str) -> Option<&super::terminal::Account> {
        self.world.directory.account(user)
    }

    /// The account a terminal belongs to (the one its device is logged in as at first).
    pub fn owner_of(&self, tid: &str) -> Option<String> {
        self.world
            .directory
            .owner_of(tid)
            .map(|a| a.username.clone())
    }

    /// A terminal by TID.
    pub fn terminal(&self, tid: &str) -> Option<&Terminal> {
        self.world.directory.terminals.get(tid).map(|t| &**t)
    }

    /// The TID devices use when a call names none: the fixtures' first terminal.
    pub fn first_tid(&self) -> &str {
        &self.world.directory.first_tid
    }

    /// The terminal of `tid`, or the first one of the fixtures (shared, not copied).
    pub fn terminal_or_first(&self, tid: Option<&str>) -> Result<std::sync::Arc<Terminal>, Error> {
        let tid = tid.unwrap_or(&self.world.directory.first_tid);
        self.world
            .directory
            .terminals
            .get(tid)
            .cloned()
            .ok_or_else(|| Error::not_found(format!("no terminal with TID {tid}")))
    }

    /// A task as of `now`, whatever its TID (device channels have no token to check).
    pub fn task_any(&mut self, id: &str, now: Timestamp) -> Option<TaskView> {
        let tid = self.tasks.get(id)?.tid.clone();
        self.settle(&tid, now);
        Some(self.view(id, now))
    }

    /// How a task was set to end (its amount's or an override's outcome).
    pub fn task_outcome(&self, id: &str) -> Option<Outcome> {
        self.tasks.get(id).map(|t| t.outcome)
    }

    /// A transaction by id, after settling its terminal.
    pub fn transaction_any(&mut self, tid: &str, id: &str, now: Timestamp) -> Option<Transaction> {
        self.settle(tid, now);
        self.transactions.get(id).filter(|t| t.tid == tid).cloned()
    }

    /// A transaction by id, whatever its terminal, as the engine holds it now (no settling).
    pub fn transaction_held(&self, id: &str) -> Option<&Transaction> {
        self.transactions.get(id)
    }

    /// The amount of the last payment task of `tid` that made a transaction, after settling.
    pub fn last_amount(&mut self, tid: &str, now: Timestamp) -> Option<i64> {
        self.settle(tid, now);
        let task = self.tids.get(tid)?.last_txn_task.clone()?;
        let ctx = self.task_any(&task, now)?.context_id?;
        self.transactions.get(&ctx).map(|t| t.amount)
    }

    /// A terminal's batches, after settling.
    pub fn batch_book(&mut self, tid: &str, now: Timestamp) -> BatchBook {
        self.settle(tid, now);
        match self.tids.get(tid) {
            Some(s) => BatchBook {
                open_number: s.open_batch,
                open_totals: s.open_totals,
                closed: s.batches.clone(),
            },
            None => BatchBook {
                open_number: 1,
                ..BatchBook::default()
            },
        }
    }

    /// A closed batch of `tid` by id, as the engine holds it now (no settling).
    pub fn closed_batch(&self, tid: &str, id: &str) -> Option<Batch> {
        self.tids
            .get(tid)?
            .batches
            .iter()
            .find(|b| b.id == id)
            .cloned()
    }

    /// The transactions of `tid` in batch `number`.
    pub fn transactions_in_batch(&self, tid: &str, number: u32) -> Vec<&Transaction> {
        self.transactions
            .values()
            .filter(|t| t.tid == tid && t.batch_number == number)
            .collect()
    }

    /// The behaviour profiles.
    pub fn profiles(&self) -> &Profiles {
        &self.settings.profiles
    }

    /// The one seeded RNG (ids and exception ids the device channels make).
    pub fn rng(&mut self) -> &mut MockRng {
        &mut self.rng
    }
}
