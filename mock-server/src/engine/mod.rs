//! The model every channel drives: terminals, tasks, transactions, batches and next-outcome overrides.
//! Pure and synchronous: callers pass `now` from the clock; all randomness comes from the seeded [`MockRng`].
//! Imports clock and rng types only — no axum, tokio, I/O or AppState. (Wire enums derive `utoipa::ToSchema`, a
//! plain data trait, so the OpenAPI document can name their values.)

pub mod app2app;
pub mod device;
pub mod fault;
pub mod ios;
pub mod outcome;
pub mod task;
pub mod terminal;
pub mod token;
pub mod transaction;
pub mod validate;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use serde_json::{Value, json};

use self::fault::{FaultRule, FaultSpec, Faults, Plan, RequestFacts};
use self::outcome::{Outcome, OutcomeTable, Override};
use self::task::{Drawn, Failure, LatencyProfile, Schedule, Task, TaskClass, TaskStatus};
use self::terminal::{Directory, Mode, Terminal};
use self::token::{AuthError, Claims, OAuthError, TokenGrant, TokenPath, TokenTtls, Tokens};
use self::transaction::{
    Batch, BatchTotals, CardCatalog, CardData, DccData, Transaction, TxnResult, VOID_WINDOW_MS,
};
use self::validate::{CancelMode, Operation, PayType, TaskRequest, TransactionRequest};
use crate::clock::Timestamp;
use crate::rng::MockRng;

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
}

impl Profiles {
    /// The profile names `parse` accepts.
    pub const NAMES: &'static str =
        "lenient, strict, task-not-found-403, ttl-cancelled, receiptless-success";

    /// Parses a comma-separated list, e.g. `strict,task-not-found-403`.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut p = Profiles::default();
        for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match name {
                "lenient" => p.strict = false,
                "strict" => p.strict = true,
                "task-not-found-403" => p.task_not_found_403 = true,
                "ttl-cancelled" => p.ttl_cancelled = true,
                "receiptless-success" => p.receiptless_success = true,
                other => {
                    return Err(format!(
                        "unknown profile {other:?}; expected one of {}",
                        Self::NAMES
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
    /// Named latency profiles (at least `instant` and `realistic`).
    pub latency: BTreeMap<String, LatencyProfile>,
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
}

/// What a task looks like when read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskView {
    /// `title`.
    pub title: String,
    /// `taskId`.
    pub task_id: String,
    /// `created`.
    pub created: Timestamp,
    /// `taskClass`.
    pub class: TaskClass,
    /// `status` at the time of reading.
    pub status: TaskStatus,
    /// `initiator`.
    pub initiator: String,
    /// `contextId` once COMPLETED.
    pub context_id: Option<String>,
    /// `payload`.
    pub request: TaskRequest,
    /// `exceptionId` and failure for ERROR / INIT_ERROR.
    pub failure: Option<(String, Failure)>,
}

/// Per-TID runtime state.
#[derive(Clone, Debug)]
struct TidState {
    /// Tasks not yet removed from the queue, in creation order.
    pending: VecDeque<String>,
    /// When the terminal became free of the tasks already removed from `pending`.
    free_at: Timestamp,
    /// The newest TRANSACTION task (for VOID `LAST_TRANSACTION`).
    last_txn_task: Option<String>,
    /// Number of the open batch.
    open_batch: u32,
    /// Totals of the open batch.
    open_totals: BatchTotals,
    /// Closed batches.
    batches: Vec<Batch>,
    /// Transactions so far (sequence numbers).
    sequence: u64,
    /// Receipts in the open batch.
    receipts: u64,
    /// Timelines of the tasks in `pending`, kept current: a new task extends them, an operator cancel rebuilds them.
    plans: HashMap<String, Schedule>,
    /// Tasks in `pending` not yet settled, by the time they become final (then creation order).
    finals: BTreeSet<(Timestamp, u64, String)>,
    /// When the terminal is free after every occupying task in `pending`.
    tail_free: Timestamp,
}

impl Default for TidState {
    fn default() -> Self {
        TidState {
            pending: VecDeque::new(),
            free_at: Timestamp(i64::MIN),
            last_txn_task: None,
            open_batch: 1,
            open_totals: BatchTotals::default(),
            batches: Vec::new(),
            sequence: 0,
            receipts: 0,
            plans: HashMap::new(),
            finals: BTreeSet::new(),
            tail_free: Timestamp(i64::MIN),
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
    /// Boxed: a table slot stays one pointer wide, so growth and empty slots cost little.
    tasks: HashMap<String, Box<Task>>,
    /// Task ids by creation order (for eviction).
    task_order: BTreeMap<u64, String>,
    tids: BTreeMap<String, TidState>,
    transactions: HashMap<String, Box<Transaction>>,
    /// Transaction ids in the order they were made (for eviction).
    txn_order: VecDeque<String>,
    overrides: BTreeMap<String, Override>,
    faults: Faults,
    /// Card brands of the fixtures, shared by every transaction that draws one.
    brands: Vec<std::sync::Arc<transaction::CardBrand>>,
    /// Simulated devices by TID (created on first use).
    devices: BTreeMap<String, device::Device>,
    /// iOS deep links waiting for their task, by task id.
    deeplinks: HashMap<String, ios::Pending>,
    /// iOS `requestID` → task id, per TID.
    request_ids: HashMap<(String, String), String>,
    /// app2app registered transaction ids.
    registrations: HashMap<String, app2app::Registration>,
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
        Engine {
            brands,
            tokens: Tokens::new(&settings.jwt_secret, settings.token_ttls),
            rng: MockRng::new(settings.seed),
            fixtures: world.clone(),
            world,
            settings,
            next_seq: 0,
            tasks: HashMap::new(),
            task_order: BTreeMap::new(),
            tids: BTreeMap::new(),
            transactions: HashMap::new(),
            txn_order: VecDeque::new(),
            overrides: BTreeMap::new(),
            faults: Faults::default(),
            devices: BTreeMap::new(),
            deeplinks: HashMap::new(),
            request_ids: HashMap::new(),
            registrations: HashMap::new(),
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
    pub fn exception_id(&mut self) -> String {
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
    pub fn authenticate(&self, bearer: Option<&str>, now: Timestamp) -> Result<Claims, AuthError> {
        self.tokens.authenticate(&self.world.directory, bearer, now)
    }

    fn sees(&self, who: &Claims, tid: &str) -> bool {
        match &who.tid {
            Some(t) => t == tid,
            None => self
                .world
                .directory
                .account(&who.user_name)
                .is_some_and(|a| a.tids.iter().any(|t| t == tid)),
        }
    }

    /// `POST /v1/tasks/{class}`.
    pub fn create_task(
        &mut self,
        who: &Claims,
        class: &str,
        body: &Value,
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
            TaskClass::Transaction => {
                TaskRequest::Transaction(validate::transaction(obj, terminal, strict)?)
            }
            TaskClass::Batch => TaskRequest::Batch(validate::batch(obj, strict)?),
        };
        let terminal = terminal
            .cloned()
            .ok_or_else(|| Error::validation("Tid", "is required"))?;
        self.submit(&terminal, request, Channel::Cloud, now)
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
        if channel == Channel::Cloud && !terminal.reachable {
            return Err(Error::new(
                502,
                "PUSH_NOTIFICATION_FAILED",
                "push notification not sent",
                Some(format!("[Tid]:{{terminal {tid} is unreachable}}")),
            ));
        }
        let outcome = self.outcome_for(&tid, &request);
        let task = Task {
            seq: self.next_seq,
            id: self.rng.task_id(),
            tid: tid.clone(),
            class,
            created: now,
            outcome,
            latency: self.latency_for(terminal),
            void_origin,
            cancel_at: None,
            drawn: self.draw(),
            settled: None,
            request,
        };
        self.next_seq += 1;
        let id = task.id.clone();
        if let Some(origin) = &task.void_origin
            && let Some(t) = self.transactions.get_mut(origin)
        {
            t.void_pending = Some(id.clone());
        }
        let state = self.tids.entry(tid.clone()).or_default();
        if class == TaskClass::Transaction {
            state.last_txn_task = Some(id.clone());
        }
        self.task_order.insert(task.seq, id.clone());
        self.tasks.insert(id.clone(), Box::new(task));
        self.enqueue(&tid, &id);
        self.settle(&tid, now);
        let view = self.view(&id, now);
        self.evict();
        Ok(view)
    }

    /// `GET /v1/tasks/{taskId}`.
    pub fn task(&mut self, who: &Claims, id: &str, now: Timestamp) -> Result<TaskView, Error> {
        let tid = match self.tasks.get(id) {
            Some(t) if self.sees(who, &t.tid) => t.tid.clone(),
            _ => {
                let status = if self.settings.profiles.task_not_found_403 {
                    403
                } else {
                    404
                };
                return Err(Error::new(
                    status,
                    "TASK_NOT_FOUND",
                    "cloud job not found for current terminal",
                    None,
                ));
            }
        };
        self.settle(&tid, now);
        Ok(self.view(id, now))
    }

    /// `GET /v1/transactions/{transactionId}`.
    pub fn transaction(
        &mut self,
        who: &Claims,
        id: &str,
        now: Timestamp,
    ) -> Result<Transaction, Error> {
        let tids: Vec<String> = self
            .tids
            .keys()
            .filter(|t| self.sees(who, t))
            .cloned()
            .collect();
        for tid in &tids {
            self.settle(tid, now);
        }
        self.transactions
            .get(id)
            .filter(|t| self.sees(who, &t.tid))
            .map(|t| (**t).clone())
            .ok_or_else(|| {
                Error::new(
                    404,
                    "TRANSACTION_NOT_FOUND",
                    "transaction could not be found for the current TID",
                    None,
                )
            })
    }

    fn latency_for(&self, terminal: &Terminal) -> LatencyProfile {
        let name = terminal
            .latency
            .as_deref()
            .unwrap_or(&self.settings.latency);
        self.world
            .latency
            .get(name)
            .or_else(|| self.world.latency.get("realistic"))
            .copied()
            .unwrap_or(LatencyProfile::REALISTIC)
    }

    fn outcome_for(&mut self, tid: &str, request: &TaskRequest) -> Outcome {
        let TaskRequest::Transaction(t) = request else {
            return Outcome::Approve;
        };
        if let Some(o) = self.overrides.get_mut(tid) {
            let outcome = o.outcome;
            o.remaining = o.remaining.saturating_sub(1);
            if o.remaining == 0 {
                self.overrides.remove(tid);
            }
            return outcome;
        }
        match (t.operation, t.pay_type) {
            (Operation::Void, _) | (_, PayType::Cash) => Outcome::Approve,
            _ => self.world.outcomes.for_amount(t.amount),
        }
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

    /// The VOID rules of cloud-mock.md §6; returns the origin transaction id.
    fn void_origin(&self, req: &TransactionRequest, now: Timestamp) -> Result<String, Error> {
        let origin = match req.cancel_mode {
            Some(CancelMode::OlderTransaction) => {
                let id = req.origin_transaction_id.as_deref().unwrap_or_default();
                let t = self.transactions.get(id).ok_or_else(|| {
                    Error::rule(
                        "TRANSACTION_NOT_FOUND",
                        format!("origin transaction {id} does not exist"),
                    )
                })?;
                if t.tid != req.tid {
                    let msg = format!(
                        "origin transaction {id} was made on another terminal; void it on that TID"
                    );
                    return Err(Error::rule("TERMINAL_MISMATCH", msg));
                }
                t
            }
            _ => self.last_transaction(&req.tid, now)?,
        };
        if origin.operation != Operation::Sale || origin.result != TxnResult::Accepted {
            let msg = format!(
                "transaction {} ({} {}) is not voidable: only an accepted CARD or CASH SALE can be voided",
                origin.id,
                wire(&origin.result),
                wire(&origin.operation)
            );
            return Err(Error::rule("TRANSACTION_NOT_VOIDABLE", msg));
        }
        if origin.voided || origin.void_pending.is_some() {
            return Err(Error::rule(
                "TRANSACTION_ALREADY_VOIDED",
                format!("transaction {} is already voided", origin.id),
            ));
        }
        if now.0 - origin.date.0 > VOID_WINDOW_MS {
            let msg = format!(
                "transaction {} is older than 93 days and can no longer be voided",
                origin.id
            );
            return Err(Error::rule("CANCELLATION_EXPIRED", msg));
        }
        if req.amount != origin.amount {
            let msg = format!(
                "amount {} differs from the origin amount {}",
                req.amount, origin.amount
            );
            return Err(Error::rule("AMOUNT_MISMATCH", msg));
        }
        Ok(origin.id.clone())
    }

    fn last_transaction(&self, tid: &str, now: Timestamp) -> Result<&Transaction, Error> {
        let not_voidable = |why: String| Error::rule("TRANSACTION_NOT_VOIDABLE", why);
        let last = self
            .tids
            .get(tid)
            .and_then(|s| s.last_txn_task.as_ref())
            .and_then(|id| self.tasks.get(id));
        let Some(task) = last else {
            return Err(not_voidable(format!(
                "TID {tid} has no last transaction to void"
            )));
        };
        match &task.settled {
            Some(s) if s.final_status() == TaskStatus::Completed => self
                .transactions
                .get(&task.drawn.context_id)
                .map(|t| &**t)
                .ok_or_else(|| {
                    not_voidable(format!(
                        "the last transaction of TID {tid} is no longer stored"
                    ))
                }),
            _ => {
                let status = self.view(&task.id, now).status;
                let msg = format!(
                    "the last transaction task {} of TID {tid} is {}, not COMPLETED",
                    task.id,
                    wire(&status)
                );
                Err(not_voidable(msg))
            }
        }
    }

    /// The first task of `tid` that is not final at `now`.
    fn unfinished(&self, tid: &str, now: Timestamp) -> Option<String> {
        let state = self.tids.get(tid)?;
        state
            .pending
            .iter()
            .find(|id| state.plans.get(*id).is_some_and(|s| !s.is_final_at(now)))
            .cloned()
    }

    /// Puts a new task at the end of its terminal's queue, with its timeline (the queue's earlier timelines
    /// do not change: tasks run in creation order).
    fn enqueue(&mut self, tid: &str, id: &str) {
        let ttl_cancelled = self.settings.profiles.ttl_cancelled;
        let Some(task) = self.tasks.get(id) else {
            return;
        };
        let state = self.tids.entry(tid.to_owned()).or_default();
        let plan = task.plan(state.tail_free, ttl_cancelled);
        if plan.occupies {
            state.tail_free = state.tail_free.max(plan.final_at());
        }
        state
            .finals
            .insert((plan.final_at(), task.seq, id.to_owned()));
        state.plans.insert(id.to_owned(), plan);
        state.pending.push_back(id.to_owned());
    }

    /// Recomputes the timelines of a terminal's queue (after an operator cancel changed one of them).
    fn replan(&mut self, tid: &str) {
        let ttl_cancelled = self.settings.profiles.ttl_cancelled;
        let Some(state) = self.tids.get_mut(tid) else {
            return;
        };
        let mut free = state.free_at;
        state.plans.clear();
        state.finals.clear();
        for id in &state.pending {
            let Some(task) = self.tasks.get(id) else {
                continue;
            };
            let plan = task
                .settled
                .clone()
                .unwrap_or_else(|| task.plan(free, ttl_cancelled));
            if plan.occupies {
                free = free.max(plan.final_at());
            }
            if task.settled.is_none() {
                state.finals.insert((plan.final_at(), task.seq, id.clone()));
            }
            state.plans.insert(id.clone(), plan);
        }
        state.tail_free = free;
    }

    /// Applies the effects of every task of `tid` that became final by `now`, in the order they did.
    fn settle(&mut self, tid: &str, now: Timestamp) {
        loop {
            let Some(state) = self.tids.get_mut(tid) else {
                return;
            };
            let due = match state.finals.first() {
                Some(first) if first.0 <= now => first.clone(),
                _ => break,
            };
            state.finals.remove(&due);
            if let Some(schedule) = state.plans.get(&due.2).cloned() {
                self.apply_final(&due.2, schedule);
            }
        }
        let Some(state) = self.tids.get_mut(tid) else {
            return;
        };
        while let Some(front) = state.pending.front() {
            match self.tasks.get(front).and_then(|t| t.settled.as_ref()) {
                Some(s) => {
                    if s.occupies {
                        state.free_at = state.free_at.max(s.final_at());
                    }
                    let id = front.clone();
                    state.plans.remove(&id);
                    state.pending.pop_front();
                }
                None => break,
            }
        }
    }

    fn apply_final(&mut self, id: &str, schedule: Schedule) {
        let Some(task) = self.tasks.get_mut(id) else {
            return;
        };
        task.settled = Some(schedule.clone());
        let task = task.clone();
        let completed = schedule.final_status() == TaskStatus::Completed;
        let state = self.tids.entry(task.tid.clone()).or_default();
        match (&task.request, completed) {
            (TaskRequest::Batch(_), true) => {
                state.batches.push(Batch {
                    id: task.drawn.context_id.clone(),
                    number: state.open_batch,
                    closed: schedule.final_at().to_rfc3339(),
                    totals: std::mem::take(&mut state.open_totals),
                });
                state.open_batch += 1;
                state.receipts = 0;
            }
            (TaskRequest::Transaction(req), true) => {
                let txn = self.make_transaction(&task, req, schedule.final_at());
                let state = self.tids.entry(task.tid.clone()).or_default();
                state.open_totals.add(&txn);
                if let Some(origin) = task
                    .void_origin
                    .as_ref()
                    .and_then(|o| self.transactions.get_mut(o))
                {
                    origin.voided |= txn.result == TxnResult::Accepted;
                }
                self.txn_order.push_back(txn.id.clone());
                self.transactions.insert(txn.id.clone(), Box::new(txn));
            }
            _ => {}
        }
        if let Some(origin) = task
            .void_origin
            .as_ref()
            .and_then(|o| self.transactions.get_mut(o))
            && origin.void_pending.as_deref() == Some(id)
        {
            origin.void_pending = None;
        }
    }

    /// Keeps the stores within their caps: the oldest *final* tasks go first (a task still running, or one
    /// whose timeline later tasks still depend on, is never evicted), then the oldest transactions.
    fn evict(&mut self) {
        while self.transactions.len() > self.settings.max_transactions {
            let Some(id) = self.txn_order.pop_front() else {
                break;
            };
            self.transactions.remove(&id);
        }
        if self.tasks.len() <= self.settings.max_tasks {
            return;
        }
        let excess = self.tasks.len() - self.settings.max_tasks;
        let victims: Vec<(u64, String)> = self
            .task_order
            .iter()
            .filter(|(_, id)| {
                self.tasks.get(*id).is_some_and(|t| {
                    t.settled.is_some()
                        && !self
                            .tids
                            .get(&t.tid)
                            .is_some_and(|s| s.plans.contains_key(*id))
                })
            })
            .take(excess)
            .map(|(seq, id)| (*seq, id.clone()))
            .collect();
        for (seq, id) in victims {
            self.task_order.remove(&seq);
            self.tasks.remove(&id);
        }
    }

    fn make_transaction(
        &mut self,
        task: &Task,
        req: &TransactionRequest,
        at: Timestamp,
    ) -> Transaction {
        let origin = task
            .void_origin
            .as_ref()
            .and_then(|o| self.transactions.get(o))
            .cloned();
        let (result, response_message) = match task.outcome {
            Outcome::Decline => (TxnResult::Declined, "Insufficient funds"),
            Outcome::CardholderAbort => (TxnResult::Cancelled, "Cancelled by cardholder"),
            _ => (TxnResult::Accepted, "Approved"),
        };
        let card = match (&origin, req.pay_type, task.outcome) {
            (Some(o), _, _) => o.card.clone(),
            (None, PayType::Cash, _) | (None, _, Outcome::CardholderAbort) => None,
            (None, PayType::Card, _) => {
                let cards = &self.world.cards;
                let brand = self
                    .brands
                    .get(task.drawn.brand)
                    .or(self.brands.first())
                    .cloned();
                let entry = cards
                    .entry_modes
                    .get(task.drawn.entry)
                    .or(cards.entry_modes.first())
                    .cloned();
                brand.map(|brand| CardData {
                    last4: task.drawn.last4.clone(),
                    entry: entry.unwrap_or_else(|| "CHIP".into()),
                    brand,
                    pin: task.drawn.pin,
                })
            }
        };
        let dcc = match (&origin, task.outcome) {
            (Some(o), _) => o.dcc.clone(),
            (None, Outcome::Dcc3Decimals) => Some(DccData::for_amount(req.amount, true)),
            (None, Outcome::DccNoDecimals) => Some(DccData::for_amount(req.amount, false)),
            _ => None,
        };
        let state = self.tids.entry(task.tid.clone()).or_default();
        state.sequence += 1;
        state.receipts += 1;
        let merchant_id = self
            .world
            .directory
            .terminals
            .get(&task.tid)
            .map(|t| t.merchant_id.clone())
            .unwrap_or_default();
        Transaction {
            id: task.drawn.context_id.clone(),
            task_id: task.id.clone(),
            tid: task.tid.clone(),
            operation: req.operation,
            pay_type: req.pay_type,
            result,
            response_message: response_message.into(),
            currency: origin
                .as_ref()
                .map_or_else(|| req.currency_code.clone(), |o| o.currency.clone()),
            amount: origin.as_ref().map_or(req.amount, |o| o.amount),
            tip_amount: req.tip_amount,
            merchant_id,
            authorization_code: (result == TxnResult::Accepted && card.is_some())
                .then(|| task.drawn.auth_code.clone()),
            card,
            reference_number: req.origin_reference_num.clone(),
            date: at,
            sequence_number: format!("{:09}", 100_000_000 + state.sequence),
            batch_number: state.open_batch,
            receipt_number: state.receipts.to_string(),
            dcc,
            voided: false,
            void_pending: None,
        }
    }

    /// The task as of `now` (call `settle` first for its effects).
    fn view(&self, id: &str, now: Timestamp) -> TaskView {
        let task = &self.tasks[id];
        let schedule = match &task.settled {
            Some(s) => s.clone(),
            None => self
                .tids
                .get(&task.tid)
                .and_then(|s| s.plans.get(id))
                .cloned()
                .unwrap_or_else(|| task.plan(now, self.settings.profiles.ttl_cancelled)),
        };
        let status = schedule.status_at(now);
        let context_id = (status == TaskStatus::Completed && task.settled.is_some())
            .then(|| task.drawn.context_id.clone());
        let failure = match status {
            TaskStatus::Error | TaskStatus::InitError => schedule
                .failure
                .map(|f| (task.drawn.exception_id.clone(), f)),
            _ => None,
        };
        TaskView {
            title: task.request.title().to_owned(),
            task_id: task.id.clone(),
            created: task.created,
            class: task.class,
            status,
            initiator: task.request.initiator().to_owned(),
            context_id,
            request: task.request.clone(),
            failure,
        }
    }

    // ----- control plane (used by /__admin and the conformance runner) -----

    /// Decides what the fault rules do with one request (rolls the seeded dice).
    pub fn decide_fault(&mut self, facts: &RequestFacts) -> Plan {
        let mut plan = self.faults.decide(facts, &mut self.rng);
        let terminal = facts
            .tid
            .as_deref()
            .and_then(|t| self.world.directory.terminals.get(t));
        let profile = terminal
            .and_then(|t| t.latency.as_deref())
            .unwrap_or(&self.settings.latency);
        plan.delay_ms += self.world.latency.get(profile).map_or(0, |p| p.network_ms);
        plan
    }

    /// Adds a fault rule; `Err((field, reason))` when a value is out of range.
    pub fn add_fault(&mut self, spec: FaultSpec) -> Result<String, (&'static str, String)> {
        spec.check()?;
        Ok(self.faults.add(spec))
    }

    /// The fault rules in force.
    pub fn faults(&self) -> &[FaultRule] {
        self.faults.list()
    }

    /// Removes one fault rule (false if unknown), or all of them.
    pub fn remove_faults(&mut self, id: Option<&str>) -> bool {
        match id {
            Some(id) => self.faults.remove(id),
            None => {
                self.faults.clear(None);
                true
            }
        }
    }

    /// Clears tasks, transactions, batches and overrides, and restores terminals: everything, or one TID.
    pub fn reset(&mut self, tid: Option<&str>) -> Result<(), Error> {
        match tid {
            None => {
                let (fixtures, settings) = (self.fixtures.clone(), self.settings.clone());
                let rng = self.rng.clone();
                *self = Engine::new(fixtures, settings);
                self.rng = rng; // ids stay unique across resets
            }
            Some(tid) => {
                let pristine = self
                    .fixtures
                    .directory
                    .terminals
                    .get(tid)
                    .cloned()
                    .ok_or_else(|| unknown_tid(tid))?;
                self.world
                    .directory
                    .terminals
                    .insert(tid.to_owned(), pristine);
                self.tasks.retain(|_, t| t.tid != tid);
                self.task_order.retain(|_, id| self.tasks.contains_key(id));
                self.transactions.retain(|_, t| t.tid != tid);
                self.txn_order
                    .retain(|id| self.transactions.contains_key(id));
                self.tids.remove(tid);
                self.overrides.remove(tid);
                self.faults.clear(Some(tid));
                self.devices.remove(tid);
                self.deeplinks.retain(|_, p| p.tid() != tid);
                self.request_ids.retain(|(t, _), _| t != tid);
                self.registrations.retain(|_, r| r.tid != tid);
            }
        }
        Ok(())
    }

    /// Makes the next `count` SALE/REFUND/VOID tasks created on `tid` end as `outcome`.
    pub fn set_next_outcome(
        &mut self,
        tid: &str,
        outcome: Outcome,
        count: u32,
    ) -> Result<(), Error> {
        if !self.world.directory.terminals.contains_key(tid) {
            return Err(unknown_tid(tid));
        }
        if count == 0 {
            self.overrides.remove(tid);
        } else {
            self.overrides.insert(
                tid.to_owned(),
                Override {
                    outcome,
                    remaining: count,
                },
            );
        }
        Ok(())
    }

    /// Changes a terminal's reachability, mode or latency profile.
    pub fn patch_terminal(
        &mut self,
        tid: &str,
        reachable: Option<bool>,
        mode: Option<Mode>,
        latency: Option<String>,
    ) -> Result<&Terminal, Error> {
        if let Some(name) = &latency
            && !self.world.latency.contains_key(name)
        {
            let known: Vec<&str> = self.world.latency.keys().map(String::as_str).collect();
            return Err(Error::malformed(format!(
                "unknown latency profile {name:?}; known: {}",
                known.join(", ")
            )));
        }
        let t = self
            .world
            .directory
            .terminals
            .get_mut(tid)
            .ok_or_else(|| unknown_tid(tid))?;
        if let Some(r) = reachable {
            t.reachable = r;
        }
        if let Some(m) = mode {
            t.mode = m;
        }
        if latency.is_some() {
            t.latency = latency;
        }
        Ok(t)
    }

    /// The operator cancels an unfinished task on the device: it ends CANCELLED now.
    pub fn cancel_task(&mut self, id: &str, now: Timestamp) -> Result<TaskView, Error> {
        let tid = self
            .tasks
            .get(id)
            .map(|t| t.tid.clone())
            .ok_or_else(|| Error::not_found(format!("no task {id}")))?;
        self.settle(&tid, now);
        let status = self.view(id, now).status;
        if status.is_final() {
            return Err(Error::new(
                409,
                "TASK_FINAL",
                format!("task {id} is already {}", wire(&status)),
                None,
            ));
        }
        if let Some(t) = self.tasks.get_mut(id) {
            t.cancel_at = Some(now);
        }
        self.replan(&tid);
        self.settle(&tid, now);
        Ok(self.view(id, now))
    }

    /// Terminals, tasks (with computed status), transactions and batches, for `/__admin/state`.
    pub fn state(&mut self, now: Timestamp, only: Option<&str>) -> Value {
        let tids: Vec<String> = self.tids.keys().cloned().collect();
        for tid in &tids {
            self.settle(tid, now);
        }
        let wanted = |tid: &str| only.is_none_or(|o| o == tid);
        let tasks: Vec<Value> = self
            .task_order
            .values()
            .filter_map(|id| self.tasks.get(id))
            .filter(|t| wanted(&t.tid))
            .map(|t| {
                let v = self.view(&t.id, now);
                json!({"taskId": v.task_id, "tid": t.tid, "taskClass": v.class, "status": v.status,
                       "created": v.created.to_rfc3339(), "contextId": v.context_id,
                       "outcome": t.outcome, "voidOrigin": t.void_origin})
            })
            .collect();
        let txns: Vec<Value> = self
            .txn_order
            .iter()
            .filter_map(|id| self.transactions.get(id))
            .filter(|t| wanted(&t.tid))
            .map(|t| {
                json!({"transactionId": t.id, "taskId": t.task_id, "tid": t.tid, "operation": t.operation,
                       "type": t.pay_type, "result": t.result, "amount": t.amount, "tipAmount": t.tip_amount,
                       "batchNumber": t.batch_number, "voided": t.voided, "date": t.date.to_rfc3339()})
            })
            .collect();
        let terminals: Vec<Value> = self
            .world
            .directory
            .terminals
            .values()
            .filter(|t| wanted(&t.tid))
            .map(|t| {
                let s = self.tids.get(&t.tid);
                json!({"tid": t.tid, "mode": t.mode, "reachable": t.reachable, "currency": t.currency,
                       "latency": t.latency.as_deref().unwrap_or(&self.settings.latency),
                       "nextOutcome": self.overrides.get(&t.tid),
                       "openBatch": {"number": s.map_or(1, |s| s.open_batch),
                                     "totals": s.map(|s| s.open_totals).unwrap_or_default()},
                       "batches": s.map(|s| s.batches.as_slice()).unwrap_or_default()})
            })
            .collect();
        json!({"now": now.to_rfc3339(), "terminals": terminals, "tasks": tasks, "transactions": txns})
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
