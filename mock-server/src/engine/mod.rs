//! The model every channel drives: terminals, tasks, transactions, batches and next-outcome overrides.
//! Pure and synchronous: callers pass `now` from the clock; all randomness comes from the seeded [`MockRng`].
//! Imports clock and rng types only — no axum, tokio, I/O or AppState. (Wire enums derive `utoipa::ToSchema`, a
//! plain data trait, so the OpenAPI document can name their values.)
//!
//! Layout: this file holds the types and the task entry points (`create_task`, `submit`, `task`, `transaction`);
//! `queue.rs` the per-terminal FIFO (timelines, settling, eviction, reading a task); `void.rs` the VOID rules;
//! `control.rs` the control plane; `ios.rs` / `app2app.rs` / `device.rs` the device channels.

mod board;
pub mod body;
mod control;
pub mod fault;
mod kept;
pub mod outcome;
mod queue;
pub mod reads;
pub mod sandbox;
mod settings;
mod table;
pub mod task;
pub mod terminal;
pub mod token;
pub mod transaction;
mod uuid;
pub mod validate;
mod void;

use std::borrow::Cow;
use std::collections::{BTreeMap, VecDeque};

/// An id or short code the engine hands around (task ids, TIDs, transaction UUIDs, card digits): immutable,
/// inline up to 23 bytes and shared beyond, so a clone never allocates.
pub type Id = smol_str::SmolStr;

pub use self::kept::{Polled, Ticket};
pub use self::uuid::Uuid;

/// Presized maps stop at this many entries (a larger `--max-tasks` grows past it on demand).
const PRESIZE_CAP: usize = 1 << 20;

use self::fault::Faults;
use self::outcome::{Outcome, Override};
use self::table::Table;
use self::task::{Drawn, Failure, LatencyProfile, Schedule, Task, TaskClass, TaskStatus};
use self::terminal::{Mode, Terminal};
use self::token::{AuthError, OAuthError, TokenGrant, TokenPath, Tokens, Who};
use self::transaction::{Batch, BatchTotals, Transaction};
use self::validate::{Operation, PayType, TaskRequest};
use crate::clock::Timestamp;
use crate::rng::MockRng;

pub use settings::{Profiles, Settings, World};

/// A business error with the vendor's `type`: 400/403/404/406/502. The HTTP layer adds `exceptionId`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{status} {kind}: {message}")]
pub struct Error {
    /// HTTP status.
    pub status: u16,
    /// Vendor `type`, e.g. `VALIDATION_EXCEPTION` (any text for a fault rule's answer).
    pub kind: Cow<'static, str>,
    /// `message`.
    pub message: String,
    /// `context`, e.g. `[amount]:{must be an integer between 1 and 99999999}`.
    pub context: Option<String>,
}

impl Error {
    /// An error with any status and `type`.
    pub fn new(
        status: u16,
        kind: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
        context: Option<String>,
    ) -> Self {
        Error {
            status,
            kind: kind.into(),
            message: message.into(),
            context,
        }
    }
    /// 406 `VALIDATION_EXCEPTION` for `field`.
    pub fn validation(field: &str, reason: &str) -> Self {
        let message = format!("{field} {reason}");
        Self::new(
            406,
            "VALIDATION_EXCEPTION",
            message,
            Some(format!("[{field}]:{{{reason}}}")),
        )
    }
    /// 400 `MALFORMED_REQUEST`.
    pub fn malformed(message: impl Into<String>) -> Self {
        Self::new(400, "MALFORMED_REQUEST", message, None)
    }
    /// 403 `TERMINAL_ACCESS_DENIED`.
    pub fn forbidden(context: String) -> Self {
        let message = "user not allowed to register the task on that terminal";
        Self::new(403, "TERMINAL_ACCESS_DENIED", message, Some(context))
    }
    /// A 406 business rule other than field validation.
    pub fn rule(kind: &'static str, message: impl Into<String>) -> Self {
        Self::new(406, kind, message, None)
    }
    /// A 404 for the admin API.
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::new(404, "NOT_FOUND", what, None)
    }
}

/// Which integration channel a request came through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    /// The Cloud API (push to the device; semi-integrated busy rule).
    Cloud,
    /// iOS deep links (the app runs on the device itself).
    Ios,
    /// Android app2app (the app runs on the device itself).
    App2App,
}

/// What a task looks like when read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskView {
    /// `title`.
    pub title: Id,
    /// `taskId`.
    pub task_id: Id,
    /// `created`.
    pub created: Timestamp,
    /// `taskClass`.
    pub class: TaskClass,
    /// `status` at the time of reading.
    pub status: TaskStatus,
    /// `initiator`.
    pub initiator: Id,
    /// `contextId` once COMPLETED.
    pub context_id: Option<Uuid>,
    /// `payload` (the task's own, shared).
    pub request: std::sync::Arc<TaskRequest>,
    /// `exceptionId` and failure for ERROR / INIT_ERROR.
    pub failure: Option<(Id, Failure)>,
}

impl TaskView {
    /// The task as GP tom answers its creation: `CREATED`, `contextId: null`, whatever the latency. The device
    /// cannot have finished a payment it has not been told about yet, so even under `instant` latency the task
    /// is final only from its first read on.
    pub fn as_accepted(self) -> Self {
        Self {
            status: TaskStatus::Created,
            context_id: None,
            failure: None,
            ..self
        }
    }
}

/// Per-TID runtime state. In declaration order (`repr(C)`), what a poll answered from the kept answer reads first
/// ([`Engine::poll`]: the TID, the next final time, the kept task, span and bytes), so that it lies in as few blocks
/// as may be: the first two 64-byte blocks of its (aligned) box in [`Engine::tids`]. What a task creation reads and
/// writes besides (the queue, the times the terminal is free, the counters; then the open batch) follows in the
/// fewest blocks after them: over 1 000 terminals each is a cold block a creation.
#[derive(Clone, Debug)]
#[repr(C, align(64))]
struct TidState {
    /// Its terminal (the key it is stored under).
    tid: Id,
    /// When the first task of `pending` not yet settled becomes final ([`Timestamp::NEVER`]: none is left). Kept
    /// in the state itself: the tree of final times it replaced was one more cold block a creation and a settle
    /// over many terminals (an emptied tree keeps its node), and a queue holds a task or two to look through.
    next_final: Timestamp,
    /// The last poll's answer ([`kept`]; [`kept::Kept::nothing`] when none).
    answer: kept::Kept,
    /// Taken anew whenever what a poll of one of its tasks answers may change other than by the clock (a replan, an
    /// eviction): an answer written under another stamp is not kept ([`Engine::keep_answer`]).
    stamp: terminal::Stamp,
    /// Tasks not yet removed from the queue, in creation order, each with its timeline (kept current: a new task
    /// extends them, an operator cancel rebuilds them). One block per terminal, looked through in order: a queue
    /// holds a task or two, and over many terminals a separate map of timelines was one more cold block a call.
    pending: VecDeque<Queued>,
    /// When the terminal became free of the tasks already removed from `pending`.
    free_at: Timestamp,
    /// When the terminal is free after every occupying task in `pending`.
    tail_free: Timestamp,
    /// Transactions so far (sequence numbers).
    sequence: u64,
    /// Receipts in the open batch.
    receipts: u64,
    /// The newest TRANSACTION task (for VOID `LAST_TRANSACTION`).
    last_txn_task: Option<Id>,
    /// Number of the open batch.
    open_batch: u32,
    /// Totals of the open batch.
    open_totals: BatchTotals,
    /// Closed batches.
    batches: Vec<Batch>,
}

// the queue, the times the terminal is free and the counters: one 64-byte block (see `TidState`)
const _: () = assert!(
    std::mem::offset_of!(TidState, pending) / 64
        == (std::mem::offset_of!(TidState, receipts) + 7) / 64
);

impl TidState {
    /// Whether a task of the queue becomes final at or before `now` and is not settled yet.
    fn due(&self, now: Timestamp) -> bool {
        self.next_final <= now
    }

    /// The task of the queue to settle first: of those not settled yet, the one final first, then the one created
    /// first (the queue is in creation order).
    fn first_due(&self) -> Option<usize> {
        let unsettled = self.pending.iter().enumerate().filter(|(_, q)| !q.settled);
        // `min_by_key` keeps the first of equal keys
        unsettled
            .min_by_key(|(_, q)| q.plan.final_at())
            .map(|(at, _)| at)
    }

    /// Takes [`TidState::next_final`] anew from the queue.
    fn refresh_next_final(&mut self) {
        self.next_final = self
            .first_due()
            .map_or(Timestamp::NEVER, |at| self.pending[at].plan.final_at());
    }

    /// How many tasks of the queue are not settled yet.
    fn unsettled(&self) -> usize {
        self.pending.iter().filter(|q| !q.settled).count()
    }

    /// Something other than the clock may have changed what a poll answers (a replan; the eviction of task `only`):
    /// drops the kept answer (only `only`'s, when given) and takes a new stamp, so that an answer written for a
    /// view read before is not kept either ([`Engine::keep_answer`]).
    fn unkeep(&mut self, only: Option<&str>) {
        if only.is_none_or(|id| self.answer.is_for(id)) {
            self.answer = kept::Kept::nothing();
        }
        self.stamp = terminal::Stamp::next();
    }

    /// The timeline of task `id`, while it is in the queue.
    fn plan(&self, id: &str) -> Option<&Schedule> {
        self.pending.iter().find(|q| q.id == id).map(|q| &q.plan)
    }
}

/// A task in its terminal's queue ([`TidState::pending`]).
#[derive(Clone, Debug)]
struct Queued {
    /// The task.
    id: Id,
    /// Its timeline.
    plan: Schedule,
    /// Whether its effects have been applied ([`Engine::settle`]; its `settled` is this timeline then).
    settled: bool,
}

impl table::Keyed for TidState {
    fn key(&self) -> &str {
        &self.tid
    }
}

impl TidState {
    /// The state of a terminal that has had no task yet.
    fn new(tid: &str) -> Self {
        TidState {
            tid: tid.into(),
            pending: VecDeque::new(),
            free_at: Timestamp(i64::MIN),
            last_txn_task: None,
            open_batch: 1,
            open_totals: BatchTotals::default(),
            batches: Vec::new(),
            sequence: 0,
            receipts: 0,
            next_final: Timestamp::NEVER,
            tail_free: Timestamp(i64::MIN),
            stamp: terminal::Stamp::next(),
            answer: kept::Kept::nothing(),
        }
    }
}

/// The GP tom model.
#[derive(Debug)]
pub struct Engine {
    fixtures: World,
    world: World,
    settings: Settings,
    tokens: Tokens,
    rng: MockRng,
    next_seq: u64,
    tasks: Table<Task>,
    /// Task ids in creation order (for eviction): a queue, not an ordered map — at the cap each creation adds one at
    /// the back and evicts one near the front, which a tree paid for with a descent and a rebalance each, in nodes
    /// last touched 100 000 creations earlier.
    task_order: VecDeque<Id>,
    /// Hashed, not ordered: a task creation looks its terminal's state up several times, and with many terminals
    /// the ordered map's string comparisons added up. Where the TIDs are walked they are sorted first. In slots,
    /// so that a remembered token can note its terminal's ([`Engine::authenticate`]). Boxed: a slot is then a
    /// pointer, and whether it holds a state is read there. A bare state's `Option` is told apart by a field the
    /// compiler picks (a capacity, in its fourth block): over 1 000 terminals, one more cold block a poll.
    tids: Table<Box<TidState>>,
    /// The slot in `tids` of the terminal the last token [`Engine::authenticate`] passed speaks for, as that
    /// token's block remembers it: a poll or creation that follows finds its terminal's state there without
    /// hashing the TID or reading the index (over 1 000 terminals, a cold block or two a poll). Only a guess:
    /// [`Table::at`] checks the slot still holds that TID, and a miss looks the TID up as before.
    caller_slot: u32,
    transactions: Table<Transaction>,
    /// Transaction ids in the order they were made (for eviction).
    txn_order: VecDeque<Uuid>,
    overrides: BTreeMap<String, Override>,
    faults: Faults,
    /// Sandboxes in order of creation (`POST /__admin/sandboxes`).
    sandboxes: Vec<sandbox::Sandbox>,
    /// Sandboxes made so far (their ids count up, across resets).
    sandbox_seq: u64,
    /// Card brands of the fixtures, shared by every transaction that draws one.
    brands: Vec<std::sync::Arc<transaction::CardBrand>>,
}

impl Engine {
    /// A fresh engine over `world`.
    pub fn new(world: World, settings: Settings) -> Self {
        let brands = world
            .cards
            .brands
            .iter()
            .cloned()
            .map(std::sync::Arc::new)
            .collect();
        let task_cap = (settings.max_tasks + 1).min(PRESIZE_CAP);
        let txn_cap = (settings.max_transactions + 1).min(PRESIZE_CAP);
        Engine {
            brands,
            sandboxes: Vec::new(),
            sandbox_seq: 0,
            tokens: Tokens::new(&settings.jwt_secret, settings.token_ttls),
            rng: MockRng::new(settings.seed),
            fixtures: world.clone(),
            world,
            settings,
            next_seq: 0,
            // Sized for the caps up front: growing a map of 100 000 entries would stall requests while it rehashes.
            tasks: Table::with_capacity(task_cap),
            task_order: VecDeque::with_capacity(task_cap),
            tids: Table::with_capacity(0),
            caller_slot: u32::MAX,
            transactions: Table::with_capacity(txn_cap),
            txn_order: VecDeque::with_capacity(txn_cap),
            overrides: BTreeMap::new(),
            faults: Faults::default(),
        }
    }

    /// The fixtures in force (with admin changes to terminals).
    pub fn world(&self) -> &World {
        &self.world
    }

    /// Engine settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// A fresh 6-character support id for an error body.
    pub fn exception_id(&mut self) -> Id {
        self.rng.exception_id()
    }

    /// `POST /cloud/oauth/token` and `/api/oauth/token` (client credentials already checked).
    pub fn token(
        &mut self,
        form: &[(String, String)],
        path: TokenPath,
        now: Timestamp,
    ) -> Result<TokenGrant, OAuthError> {
        let strict = self.settings.profiles.strict;
        self.tokens.grant(
            &self.world.directory,
            form,
            path,
            strict,
            now,
            &mut self.rng,
        )
    }

    /// Whether `id:secret` is the published OAuth client.
    pub fn is_client(&self, id: &str, secret: &str) -> bool {
        let c = &self.world.directory.client;
        c.id == id && c.secret == secret
    }

    /// Checks a bearer token for `/v1/*`.
    pub fn authenticate(
        &mut self,
        bearer: Option<&[u8]>,
        now: Timestamp,
    ) -> Result<Who, AuthError> {
        let (who, noted) = self
            .tokens
            .authenticate_noting(&self.world.directory, bearer, now)?;
        if let (Who::Terminal(tid), Some(noted)) = (&who, noted) {
            *noted = self.tids.slot_from(*noted, tid).unwrap_or(u32::MAX);
            self.caller_slot = *noted;
        }
        Ok(who)
    }

    /// The state of terminal `tid`, looked for first in the slot its caller's token noted.
    fn tid_state(&self, tid: &str) -> Option<&TidState> {
        self.tids
            .get_from(self.caller_slot, tid)
            .map(|state| &**state)
    }

    /// The state of terminal `tid`, made when it has none yet.
    fn tid_state_or_new(&mut self, tid: &str) -> &mut TidState {
        self.tids
            .get_or_insert_with(self.caller_slot, tid, || Box::new(TidState::new(tid)))
    }

    fn sees(&self, who: &Who, tid: &str) -> bool {
        match who {
            Who::Terminal(t) => t == tid,
            Who::Master(user) => self
                .world
                .directory
                .account(user)
                .is_some_and(|a| a.tids.iter().any(|t| t == tid)),
        }
    }

    /// `POST /v1/tasks/{class}`.
    pub fn create_task(
        &mut self,
        who: &Who,
        class: &str,
        body: &body::Json<'_>,
        now: Timestamp,
    ) -> Result<TaskView, Error> {
        let class = match class {
            "TRANSACTION" => TaskClass::Transaction,
            "BATCH" => TaskClass::Batch,
            _ => return Err(Error::validation("taskClass", "unsupported")),
        };
        let strict = self.settings.profiles.strict;
        let obj = validate::object(body)?;
        let terminal = validate::access(obj, who, &self.world.directory, strict)?;
        let request = match class {
            TaskClass::Transaction => TaskRequest::Transaction(validate::transaction(
                obj,
                terminal.map(|t| &**t),
                strict,
            )?),
            TaskClass::Batch => TaskRequest::Batch(validate::batch(obj, strict)?),
        };
        let terminal = terminal
            .cloned()
            .ok_or_else(|| Error::validation("Tid", "is required"))?;
        let view = self.submit(&terminal, request, Channel::Cloud, now)?;
        Ok(view.as_accepted())
    }

    /// Queues a validated task on a terminal for any channel: VOID rules, the semi-integrated busy rule and
    /// (Cloud only) the push to the device, then outcome, ids and the FIFO queue.
    pub fn submit(
        &mut self,
        terminal: &Terminal,
        request: TaskRequest,
        channel: Channel,
        now: Timestamp,
    ) -> Result<TaskView, Error> {
        let tid = terminal.tid.clone();
        let class = match request {
            TaskRequest::Transaction(_) => TaskClass::Transaction,
            TaskRequest::Batch(_) => TaskClass::Batch,
        };
        self.settle(&tid, now);
        let void_origin = match &request {
            TaskRequest::Transaction(t) if t.operation == Operation::Void => {
                Some(self.void_origin(t, now)?)
            }
            _ => None,
        };
        if channel == Channel::Cloud
            && terminal.mode == Mode::SemiIntegrated
            && let Some(busy) = self.unfinished(&tid, now)
        {
            let msg = format!(
                "terminal {tid} is semi-integrated and still has the unfinished task {busy}"
            );
            return Err(Error::rule("TERMINAL_BUSY", msg));
        }
        let queued = self.tid_state(&tid).map_or(0, TidState::unsettled);
        if queued >= self.settings.max_queue {
            let msg = format!(
                "terminal {tid} already has {queued} unfinished tasks queued (limit {}, --max-queue)",
                self.settings.max_queue
            );
            return Err(Error::rule("TERMINAL_BUSY", msg));
        }
        if channel == Channel::Cloud && !terminal.reachable {
            return Err(Error::new(
                502,
                "PUSH_NOTIFICATION_FAILED",
                "push notification not sent",
                Some(format!("[Tid]:{{terminal {tid} is unreachable}}")),
            ));
        }
        let latency = self.latency_for(terminal);
        let (outcome, armed) = self.outcome_for(&tid, &request);
        // under the operator profile a person decides a payment; an outcome armed in advance (next-outcome) is
        // that decision, taken when the payment starts; the amount decides nothing
        let (outcome, decided_at) = match (latency.operator, class, armed) {
            (true, TaskClass::Transaction, true) => (outcome, Some(now)),
            (true, TaskClass::Transaction, false) => (Outcome::Timeout, None),
            _ => (outcome, None),
        };
        let task = Task {
            seq: self.next_seq,
            id: self.rng.task_id(),
            tid: tid.clone(),
            class,
            created: now,
            outcome,
            latency,
            void_origin,
            cancel_at: None,
            decided_at,
            drawn: self.draw(),
            settled: None,
            request: std::sync::Arc::new(request),
        };
        self.next_seq += 1;
        let id = task.id.clone();
        if let Some(origin) = &task.void_origin
            && let Some(t) = self.transactions.get_mut(origin)
        {
            t.void_pending = Some(id.clone());
        }
        let state = self.tid_state_or_new(&tid);
        if class == TaskClass::Transaction {
            state.last_txn_task = Some(id.clone());
        }
        self.task_order.push_back(id.clone());
        self.tasks.insert(task);
        self.enqueue(&id);
        self.settle(&tid, now);
        let view = self.view(&id, now);
        self.evict();
        Ok(view)
    }

    /// `GET /v1/tasks/{taskId}`.
    pub fn task(&mut self, who: &Who, id: &str, now: Timestamp) -> Result<TaskView, Error> {
        let tid = self.polled_tid(who, id)?;
        self.settle(&tid, now);
        Ok(self.view(id, now))
    }

    /// The terminal of task `id` if `who` may read it, else `TASK_NOT_FOUND` (404, or 403 under its profile).
    fn polled_tid(&self, who: &Who, id: &str) -> Result<Id, Error> {
        match self.tasks.get(id) {
            Some(t) if self.sees(who, &t.tid) => Ok(t.tid.clone()),
            _ => {
                let status = if self.settings.profiles.task_not_found_403 {
                    403
                } else {
                    404
                };
                Err(Error::new(
                    status,
                    "TASK_NOT_FOUND",
                    "cloud job not found for current terminal",
                    None,
                ))
            }
        }
    }

    /// `GET /v1/transactions/{transactionId}`.
    pub fn transaction(
        &mut self,
        who: &Who,
        id: &str,
        now: Timestamp,
    ) -> Result<Transaction, Error> {
        let mut tids: Vec<Id> = self
            .tids
            .keys()
            .filter(|t| self.sees(who, t))
            .map(Id::from)
            .collect();
        tids.sort_unstable(); // settled in TID order, as they always were
        for tid in &tids {
            self.settle(tid, now);
        }
        self.transactions
            .get(id)
            .filter(|t| self.sees(who, &t.tid))
            .cloned()
            .ok_or_else(|| {
                Error::new(
                    404,
                    "TRANSACTION_NOT_FOUND",
                    "transaction could not be found for the current TID",
                    None,
                )
            })
    }

    fn latency_for(&self, terminal: &Terminal) -> std::sync::Arc<LatencyProfile> {
        let name = terminal
            .latency
            .as_deref()
            .unwrap_or(&self.settings.latency);
        self.world
            .latency
            .get(name)
            .or_else(|| self.world.latency.get("realistic"))
            .cloned()
            .unwrap_or_else(|| LatencyProfile::REALISTIC.into())
    }

    /// The outcome of a new task, and whether it was armed by next-outcome (rather than read from the amount).
    fn outcome_for(&mut self, tid: &str, request: &TaskRequest) -> (Outcome, bool) {
        let TaskRequest::Transaction(t) = request else {
            return (Outcome::Approve, false);
        };
        if let Some(o) = self.overrides.get_mut(tid) {
            let outcome = o.outcome;
            o.remaining = o.remaining.saturating_sub(1);
            if o.remaining == 0 {
                self.overrides.remove(tid);
            }
            return (outcome, true);
        }
        let outcome = match (t.operation, t.pay_type) {
            (Operation::Void, _) | (_, PayType::Cash) => Outcome::Approve,
            _ => self.world.outcomes.for_amount(t.amount),
        };
        (outcome, false)
    }

    fn draw(&mut self) -> Drawn {
        let r = &mut self.rng;
        Drawn {
            context_id: r.uuid(),
            exception_id: r.exception_id(),
            brand: r.index(self.world.cards.brands.len()),
            last4: r.digits(4),
            entry: r.index(self.world.cards.entry_modes.len()),
            pin: r.coin(),
            auth_code: r.digits(6),
        }
    }
}

/// The wire name of a serde enum value (`ACCEPTED`, `IN_PROGRESS`, …).
fn wire<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn unknown_tid(tid: &str) -> Error {
    Error::not_found(format!("no terminal with TID {tid}"))
}
