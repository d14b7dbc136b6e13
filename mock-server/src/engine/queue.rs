//! Each terminal's FIFO queue: timelines kept per task (extended on append, rebuilt on an operator cancel),
//! settling tasks that became final (their transaction, batch close or voided origin), eviction beyond the caps,
//! and reading a task as of `now`. No axum, no timers.

use std::ops::Range;
use std::sync::Arc;

use super::kept::Stage;
use super::outcome::Outcome;
use super::task::{Schedule, Task, TaskStatus};
use super::transaction::{Batch, CardBrand, CardData, DccData, Transaction, TxnResult};
use super::validate::{PayType, TaskRequest, TransactionRequest};
use super::{Engine, Id, Queued, TaskView, TidState, World};
use crate::clock::Timestamp;

impl Engine {
    /// The first task of `tid` that is not final at `now`.
    pub(super) fn unfinished(&self, tid: &str, now: Timestamp) -> Option<Id> {
        let state = self.tid_state(tid)?;
        state
            .pending
            .iter()
            .find(|q| !q.plan.is_final_at(now))
            .map(|q| q.id.clone())
    }

    /// Puts a new task at the end of its terminal's queue, with its timeline (the queue's earlier timelines
    /// do not change: tasks run in creation order).
    pub(super) fn enqueue(&mut self, id: &str) {
        let ttl_cancelled = self.settings.profiles.ttl_cancelled;
        let Some(task) = self.tasks.get(id) else {
            return;
        };
        let state = self
            .tids
            .get_or_insert_with(self.caller_slot, &task.tid, || {
                Box::new(TidState::new(&task.tid))
            });
        let plan = task.plan(state.tail_free, ttl_cancelled);
        if plan.occupies {
            state.tail_free = state.tail_free.max(plan.final_at());
        }
        state.next_final = state.next_final.min(plan.final_at());
        state.pending.push_back(Queued {
            id: task.id.clone(),
            plan,
            settled: false,
        });
    }

    /// Recomputes the timelines of a terminal's queue (after an operator cancel changed one of them).
    pub(super) fn replan(&mut self, tid: &str) {
        let ttl_cancelled = self.settings.profiles.ttl_cancelled;
        let Some(state) = self.tids.get_mut(tid) else {
            return;
        };
        let mut free = state.free_at;
        for queued in &mut state.pending {
            let Some(task) = self.tasks.get(&queued.id) else {
                continue;
            };
            let plan = task
                .settled
                .clone()
                .unwrap_or_else(|| task.plan(free, ttl_cancelled));
            if plan.occupies {
                free = free.max(plan.final_at());
            }
            queued.settled = task.settled.is_some();
            queued.plan = plan;
        }
        state.refresh_next_final();
        state.tail_free = free;
        state.unkeep(None); // its stage may have changed
    }

    /// Applies the effects of every task of `tid` that became final by `now`, in the order they did.
    pub(super) fn settle(&mut self, tid: &str, now: Timestamp) {
        // Field by field: the terminal's state is looked up once and each task is read in place.
        let Engine {
            tasks,
            tids,
            transactions,
            txn_order,
            world,
            brands,
            caller_slot,
            ..
        } = self;
        let Some(state) = tids.get_mut_from(*caller_slot, tid) else {
            return;
        };
        while state.due(now) {
            let Some(at) = state.first_due() else {
                break;
            };
            let queued = &mut state.pending[at];
            queued.settled = true;
            let (id, schedule) = (queued.id.clone(), queued.plan.clone());
            state.refresh_next_final();
            let Some(task) = tasks.get_mut(&id) else {
                continue;
            };
            let stores = Stores {
                transactions: &mut *transactions,
                txn_order: &mut *txn_order,
                world,
                brands,
            };
            apply_final(task, state, stores, schedule);
        }
        while let Some(front) = state.pending.front() {
            if !front.settled {
                break;
            }
            if front.plan.occupies {
                state.free_at = state.free_at.max(front.plan.final_at());
            }
            state.pending.pop_front();
        }
        if state.pending.is_empty() {
            // back to the start of its buffer (`clear` does that, `pop_front` does not): the next task is written
            // where this one was just read, not in the ring's next place (over many terminals, a cold block or two
            // a creation)
            state.pending.clear();
        }
    }
    /// Keeps the stores within their caps: the oldest *final* tasks go first (a task still running, or one
    /// whose timeline later tasks still depend on, is never evicted), then the oldest transactions.
    pub(super) fn evict(&mut self) {
        while self.transactions.len() > self.settings.max_transactions {
            let Some(id) = self.txn_order.pop_front() else {
                break;
            };
            self.transactions.remove(&id);
        }
        if self.tasks.len() <= self.settings.max_tasks {
            return;
        }
        // one at a time (at the cap, each creation evicts one task: the first final one, usually the oldest),
        // without collecting the victims first; each search goes on after the last victim (one walk in all)
        let mut from = 0;
        for _ in self.settings.max_tasks..self.tasks.len() {
            let victim = self
                .task_order
                .range(from..)
                .enumerate()
                .find_map(|(at, id)| {
                    let t = self.tasks.get(id)?;
                    let idle = t.settled.is_some()
                        && self.tids.get(&t.tid).is_none_or(|s| s.plan(id).is_none());
                    idle.then(|| (at, t.tid.clone()))
                });
            let Some((at, tid)) = victim else {
                break;
            };
            from += at;
            let Some(id) = self.task_order.remove(from) else {
                break;
            };
            self.tasks.remove(&id);
            // a poll of it is TASK_NOT_FOUND now, not the answer kept for it (nor one being written now)
            if let Some(state) = self.tids.get_mut(&tid) {
                state.unkeep(Some(&id));
            }
        }
    }

    /// The timeline of task `id`: settled, planned in its queue, or as if it began `now`.
    fn schedule_of<'a>(&'a self, task: &'a Task, now: Timestamp) -> std::borrow::Cow<'a, Schedule> {
        match (
            &task.settled,
            self.tids.get(&task.tid).and_then(|s| s.plan(&task.id)),
        ) {
            (Some(s), _) | (None, Some(s)) => std::borrow::Cow::Borrowed(s),
            (None, None) => {
                std::borrow::Cow::Owned(task.plan(now, self.settings.profiles.ttl_cancelled))
            }
        }
    }

    /// When task `id` entered the group of statuses it is in at `now`, `same` saying which statuses count as one
    /// (app2app's `updated`: its state 2 covers STARTED and INIT_OK).
    pub(crate) fn status_since(
        &self,
        id: &str,
        now: Timestamp,
        same: impl Fn(TaskStatus, TaskStatus) -> bool,
    ) -> Option<Timestamp> {
        let task = self.tasks.get(id)?;
        let schedule = self.schedule_of(task, now);
        let reached: Vec<&(Timestamp, TaskStatus)> = schedule
            .steps
            .iter()
            .take_while(|(t, _)| *t <= now)
            .collect();
        let (_, current) = **reached.last()?;
        reached
            .iter()
            .rev()
            .take_while(|(_, s)| same(*s, current))
            .last()
            .map(|(t, _)| *t)
    }

    /// The task as of `now` (call `settle` first for its effects).
    pub(super) fn view(&self, id: &str, now: Timestamp) -> TaskView {
        let task = &self.tasks[id];
        self.view_at(task, self.stage(task, now))
    }

    /// What of `task`'s answer depends on `now`.
    pub(super) fn stage(&self, task: &Task, now: Timestamp) -> Stage {
        Self::stage_in(task, &self.schedule_of(task, now), now)
    }

    /// [`Engine::stage`], and the times between which it stays the same while only the clock moves: the steps of
    /// the task's timeline around `now` (none for a task out of its queue and not settled, whose timeline is
    /// drawn afresh at every call). Whatever else changes a stage (an operator's cancel or choice replans the
    /// queue, eviction removes the task, settling comes at a step's time) drops the answer kept for it.
    pub(super) fn stage_span(&self, task: &Task, now: Timestamp) -> (Stage, Range<Timestamp>) {
        let schedule = self.schedule_of(task, now);
        let span = match &schedule {
            std::borrow::Cow::Borrowed(s) => s.span_at(now),
            std::borrow::Cow::Owned(_) => now..now,
        };
        (Self::stage_in(task, &schedule, now), span)
    }

    /// `task`'s stage at `now` on its timeline `schedule`.
    fn stage_in(task: &Task, schedule: &Schedule, now: Timestamp) -> Stage {
        let status = schedule.status_at(now);
        let context_id = (status == TaskStatus::Completed && task.settled.is_some())
            .then_some(task.drawn.context_id);
        let failure = match status {
            TaskStatus::Error | TaskStatus::InitError => schedule
                .failure
                .map(|f| (task.drawn.exception_id.clone(), f)),
            _ => None,
        };
        Stage {
            status,
            context_id,
            failure,
        }
    }

    /// `task` read at `stage`.
    pub(super) fn view_at(&self, task: &Task, stage: Stage) -> TaskView {
        TaskView {
            title: task.request.title().clone(),
            task_id: task.id.clone(),
            created: task.created,
            class: task.class,
            status: stage.status,
            initiator: task.request.initiator().clone(),
            context_id: stage.context_id,
            request: task.request.clone(),
            failure: stage.failure,
        }
    }
}

/// `n` in decimal, inline (no formatter, no allocation).
fn decimal(n: u64) -> Id {
    Id::new(itoa::Buffer::new().format(n))
}

/// What settling a task writes beside its terminal's state.
struct Stores<'a> {
    transactions: &'a mut super::table::Table<Transaction>,
    txn_order: &'a mut std::collections::VecDeque<super::Uuid>,
    world: &'a World,
    brands: &'a [Arc<CardBrand>],
}

/// Records what a task that just became final leaves behind: its transaction or batch, a voided origin.
fn apply_final(task: &mut Task, state: &mut TidState, stores: Stores<'_>, schedule: Schedule) {
    let Stores {
        transactions,
        txn_order,
        world,
        brands,
    } = stores;
    let completed = schedule.final_status() == TaskStatus::Completed;
    let final_at = schedule.final_at();
    task.settled = Some(schedule);
    let task: &Task = task;
    match (&*task.request, completed) {
        (TaskRequest::Batch(_), true) => {
            state.batches.push(Batch {
                id: task.drawn.context_id.to_string(),
                number: state.open_batch,
                closed: final_at.to_rfc3339(),
                totals: std::mem::take(&mut state.open_totals),
            });
            state.open_batch += 1;
            state.receipts = 0;
        }
        (TaskRequest::Transaction(req), true) => {
            let origin = task.void_origin.as_ref().and_then(|o| transactions.get(o));
            let txn = make_transaction(task, req, final_at, origin, state, world, brands);
            state.open_totals.add(&txn);
            if let Some(origin) = task
                .void_origin
                .as_ref()
                .and_then(|o| transactions.get_mut(o))
            {
                origin.voided |= txn.result == TxnResult::Accepted;
            }
            txn_order.push_back(txn.id);
            transactions.insert(txn);
        }
        _ => {}
    }
    if let Some(origin) = task
        .void_origin
        .as_ref()
        .and_then(|o| transactions.get_mut(o))
        && origin.void_pending.as_deref() == Some(task.id.as_str())
    {
        origin.void_pending = None;
    }
}

/// The transaction a completed payment task leaves (`origin`: the sale a VOID cancels); counts it on `state`.
fn make_transaction(
    task: &Task,
    req: &TransactionRequest,
    at: Timestamp,
    origin: Option<&Transaction>,
    state: &mut TidState,
    world: &World,
    brands: &[Arc<CardBrand>],
) -> Transaction {
    let (result, response_message) = match task.outcome {
        Outcome::Decline => (TxnResult::Declined, "Insufficient funds"),
        Outcome::CardholderAbort => (TxnResult::Cancelled, "Cancelled by cardholder"),
        _ => (TxnResult::Accepted, "Approved"),
    };
    let card = match (origin, req.pay_type, task.outcome) {
        (Some(o), _, _) => o.card.clone(),
        (None, PayType::Cash, _) | (None, _, Outcome::CardholderAbort) => None,
        (None, PayType::Card, _) => {
            let cards = &world.cards;
            let brand = brands.get(task.drawn.brand).or(brands.first()).cloned();
            let entry = cards
                .entry_modes
                .get(task.drawn.entry)
                .or(cards.entry_modes.first())
                .cloned();
            brand.map(|brand| CardData {
                last4: task.drawn.last4.clone(),
                entry: entry.map_or_else(|| Id::new_static("CHIP"), Id::new),
                brand,
                pin: task.drawn.pin,
            })
        }
    };
    let dcc = match (origin, task.outcome) {
        (Some(o), _) => o.dcc.clone(),
        (None, Outcome::Dcc3Decimals) => Some(Box::new(DccData::for_amount(req.amount, true))),
        (None, Outcome::DccNoDecimals) => Some(Box::new(DccData::for_amount(req.amount, false))),
        _ => None,
    };
    state.sequence += 1;
    state.receipts += 1;
    let merchant_id = world
        .directory
        .terminals
        .get(task.tid.as_str())
        .map(|t| Id::new(&t.merchant_id))
        .unwrap_or_default();
    Transaction {
        id: task.drawn.context_id,
        task_id: task.id.clone(),
        tid: task.tid.clone(),
        operation: req.operation,
        pay_type: req.pay_type,
        result,
        response_message,
        currency: origin.map_or_else(|| Id::new(&req.currency_code), |o| o.currency.clone()),
        amount: origin.map_or(req.amount, |o| o.amount),
        tip_amount: req.tip_amount,
        merchant_id,
        authorization_code: (result == TxnResult::Accepted && card.is_some())
            .then(|| task.drawn.auth_code.clone()),
        card,
        reference_number: req.origin_reference_num.clone(),
        date: at,
        // nine digits or more from 100 000 000 on: what `{:09}` would pad, without the formatter's padding path
        sequence_number: decimal(100_000_000 + state.sequence),
        batch_number: state.open_batch,
        receipt_number: decimal(state.receipts),
        dcc,
        voided: false,
        void_pending: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queued(id: &str, final_at: i64) -> Queued {
        let plan = Schedule {
            steps: [(Timestamp(final_at), TaskStatus::Completed)]
                .into_iter()
                .collect(),
            failure: None,
            occupies: false,
        };
        Queued {
            id: id.into(),
            plan,
            settled: false,
        }
    }

    #[test]
    fn a_queue_settles_first_the_task_final_first_then_the_one_created_first() {
        let mut state = TidState::new("1");
        assert_eq!(state.next_final, Timestamp::NEVER);
        assert!(!state.due(Timestamp(i64::MAX - 1)), "nothing to settle");
        for (id, at) in [("a", 30), ("b", 10), ("c", 10), ("d", 20)] {
            state.pending.push_back(queued(id, at));
        }
        state.refresh_next_final();
        assert_eq!(state.next_final, Timestamp(10));
        assert!(!state.due(Timestamp(9)) && state.due(Timestamp(10)));
        let mut order = Vec::new();
        while let Some(at) = state.first_due() {
            order.push(state.pending[at].id.clone());
            state.pending[at].settled = true;
            state.refresh_next_final();
            assert_eq!(state.unsettled(), 4 - order.len());
        }
        assert_eq!(order, ["b", "c", "d", "a"]);
        assert_eq!(state.next_final, Timestamp::NEVER);
    }
}
