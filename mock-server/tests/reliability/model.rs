//! State-machine property test (proptest-state-machine): random sequences of create (SALE/REFUND of many
//! amounts, CARD/CASH, VOID LAST/OLDER, BATCH) / read task / read transaction / batch totals / advance clock /
//! operator cancel / next outcome / reset, driven straight into [`Engine`] under the `realistic` latency profile,
//! against a small reference model written from cloud-mock.md §5–§9 and §12. Every observed answer must equal
//! the model's. The model recomputes everything from the list of created tasks at each step: per-TID FIFO
//! timelines, outcomes, transactions, void flags and batches — no shared code with the engine.

use std::collections::BTreeMap;
use std::fmt;

use mock_server::Timestamp;
use mock_server::engine::Engine;
use mock_server::engine::outcome::Outcome;
use mock_server::engine::task::TaskStatus;
use mock_server::engine::token::Who;
use proptest::prelude::*;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};
use serde_json::{Value, json};

use super::support::{self, master};

/// The terminals the master login reaches: (TID, apiKey, semi-integrated, reachable).
const TIDS: [(&str, &str, bool, bool); 4] = [
    ("999888", "333W212J3", false, true),
    ("483590", "K7Q2M9X4A", false, true),
    ("483591", "S3M1INT3G", true, true),
    ("483592", "0FFL1N3X9", false, false),
];

/// Realistic latency (fixtures/latency.yaml), ms.
const PUSH: i64 = 1000;
const STARTED: i64 = 500;
const INIT: i64 = 500;
const CARD: i64 = 3000;
const CASH: i64 = 500;
const BATCH: i64 = 2000;
const DEVICE_TIMEOUT: i64 = 60_000;
const DAY: i64 = 86_400_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Sale,
    Refund,
    Void,
    Batch,
}

/// One step of a test sequence. Tasks are named by their creation index (`k`), so a sequence stays
/// meaningful when it is shrunk.
#[derive(Clone, Debug)]
enum Op {
    Pay {
        tid: usize,
        refund: bool,
        amount: i64,
        cash: bool,
    },
    VoidLast {
        tid: usize,
        amount: i64,
        cash: bool,
    },
    VoidOlder {
        tid: usize,
        origin: usize,
        amount: i64,
    },
    Batch {
        tid: usize,
    },
    Read(usize),
    ReadTxn(usize),
    Totals(usize),
    Advance(i64),
    Cancel(usize),
    NextOutcome {
        tid: usize,
        outcome: Outcome,
        count: u32,
    },
    Reset(Option<usize>),
}

/// What one step observed.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Obs {
    None,
    Task {
        status: TaskStatus,
        failure: Option<&'static str>,
        context: bool,
    },
    Txn {
        operation: &'static str,
        result: &'static str,
        amount: i64,
        cash: bool,
        voided: bool,
    },
    NoContext,
    Err(u16, String),
    Totals(Value),
}

#[derive(Clone, Debug)]
struct MTask {
    tid: usize,
    kind: Kind,
    created: i64,
    amount: i64,
    cash: bool,
    outcome: Outcome,
    /// VOID: the task whose transaction it cancels.
    origin: Option<usize>,
    cancel_at: Option<i64>,
    removed: bool,
}

/// The task's timeline as the model sees it.
#[derive(Clone, Copy, Debug)]
struct Timeline {
    created: i64,
    started: i64,
    init_ok: Option<i64>,
    in_progress: Option<i64>,
    end: i64,
    end_status: TaskStatus,
    failure: Option<&'static str>,
}

impl Timeline {
    fn status_at(&self, now: i64) -> TaskStatus {
        if now >= self.end {
            return self.end_status;
        }
        let steps = [
            (Some(self.created), TaskStatus::Created),
            (Some(self.started), TaskStatus::Started),
            (self.init_ok, TaskStatus::InitOk),
            (self.in_progress, TaskStatus::InProgress),
        ];
        steps
            .iter()
            .rev()
            .find_map(|(t, s)| t.filter(|t| *t <= now).map(|_| *s))
            .unwrap_or(TaskStatus::Created)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Sum {
    count: u64,
    amount: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Totals {
    sale: Sum,
    void: Sum,
    refund: Sum,
    card: Sum,
    cash: Sum,
}

impl Totals {
    fn json(&self) -> Value {
        let s = |x: &Sum| json!({"count": x.count, "amount": x.amount});
        json!({"sale": s(&self.sale), "void": s(&self.void), "refund": s(&self.refund),
               "tips": {"count": 0, "amount": 0}, "card": s(&self.card), "cash": s(&self.cash)})
    }
}

#[derive(Clone, Debug)]
struct MTxn {
    kind: Kind,
    tid: usize,
    accepted: bool,
    result: &'static str,
    amount: i64,
    cash: bool,
    date: i64,
    voided: bool,
}

/// Everything derived from the tasks at one instant.
struct Derived {
    timelines: Vec<Option<Timeline>>,
    txns: BTreeMap<usize, MTxn>,
    open: Vec<Totals>,
    closed: Vec<Vec<Totals>>,
}

/// The reference model.
#[derive(Clone, Debug)]
struct Model {
    now: i64,
    tasks: Vec<MTask>,
    overrides: BTreeMap<usize, (Outcome, u32)>,
    expect: Obs,
}

impl Model {
    fn derive(&self) -> Derived {
        let mut timelines = vec![None; self.tasks.len()];
        for tid in 0..TIDS.len() {
            let mut free = i64::MIN;
            for (i, t) in self.tasks.iter().enumerate() {
                if t.removed || t.tid != tid {
                    continue;
                }
                let (tl, occupies_until) = plan(t, free);
                if let Some(until) = occupies_until {
                    free = free.max(until);
                }
                timelines[i] = Some(tl);
            }
        }
        // Effects in the order the tasks became final (ties: creation order).
        let mut done: Vec<(i64, usize)> = timelines
            .iter()
            .enumerate()
            .filter_map(|(i, tl)| tl.filter(|tl| tl.end <= self.now).map(|tl| (tl.end, i)))
            .collect();
        done.sort();
        let mut txns: BTreeMap<usize, MTxn> = BTreeMap::new();
        let mut open = vec![Totals::default(); TIDS.len()];
        let mut closed = vec![Vec::new(); TIDS.len()];
        for (end, i) in done {
            let t = &self.tasks[i];
            let tl = timelines[i].expect("planned");
            if tl.end_status != TaskStatus::Completed {
                continue;
            }
            if t.kind == Kind::Batch {
                closed[t.tid].push(std::mem::take(&mut open[t.tid]));
                continue;
            }
            let (accepted, result) = match t.outcome {
                Outcome::Decline => (false, "DECLINED"),
                Outcome::CardholderAbort => (false, "CANCELLED"),
                _ => (true, "ACCEPTED"),
            };
            if accepted {
                let o = &mut open[t.tid];
                let sum = match t.kind {
                    Kind::Sale => &mut o.sale,
                    Kind::Void => &mut o.void,
                    _ => &mut o.refund,
                };
                sum.count += 1;
                sum.amount += t.amount;
                let by_type = if t.cash { &mut o.cash } else { &mut o.card };
                by_type.count += 1;
                by_type.amount += t.amount;
                if let Some(origin) = t.origin.and_then(|o| txns.get_mut(&o)) {
                    origin.voided = true;
                }
            }
            txns.insert(
                i,
                MTxn {
                    kind: t.kind,
                    tid: t.tid,
                    accepted,
                    result,
                    amount: t.amount,
                    cash: t.cash,
                    date: end,
                    voided: false,
                },
            );
        }
        Derived {
            timelines,
            txns,
            open,
            closed,
        }
    }

    fn status(&self, d: &Derived, k: usize) -> Option<TaskStatus> {
        d.timelines[k].map(|tl| tl.status_at(self.now))
    }

    fn task_obs(&self, d: &Derived, k: usize) -> Obs {
        match d.timelines.get(k).copied().flatten() {
            None => Obs::Err(404, "TASK_NOT_FOUND".into()),
            Some(tl) => {
                let status = tl.status_at(self.now);
                let failed = matches!(status, TaskStatus::Error | TaskStatus::InitError);
                Obs::Task {
                    status,
                    failure: tl.failure.filter(|_| failed),
                    context: status == TaskStatus::Completed,
                }
            }
        }
    }

    /// The VOID rules of §6 → the origin task index.
    fn void_origin(
        &self,
        d: &Derived,
        tid: usize,
        older: Option<usize>,
        amount: i64,
    ) -> Result<usize, Obs> {
        let rule = |kind: &str| Obs::Err(406, kind.into());
        let origin = match older {
            Some(k) => {
                let txn = d
                    .txns
                    .get(&k)
                    .ok_or_else(|| rule("TRANSACTION_NOT_FOUND"))?;
                if txn.tid != tid {
                    return Err(rule("TERMINAL_MISMATCH"));
                }
                k
            }
            None => {
                let last = (0..self.tasks.len()).rev().find(|&i| {
                    let t = &self.tasks[i];
                    !t.removed && t.tid == tid && t.kind != Kind::Batch
                });
                let Some(last) = last else {
                    return Err(rule("TRANSACTION_NOT_VOIDABLE"));
                };
                if self.status(d, last) != Some(TaskStatus::Completed) {
                    return Err(rule("TRANSACTION_NOT_VOIDABLE"));
                }
                last
            }
        };
        let txn = &d.txns[&origin];
        if txn.kind != Kind::Sale || !txn.accepted {
            return Err(rule("TRANSACTION_NOT_VOIDABLE"));
        }
        let pending = self.tasks.iter().enumerate().any(|(i, t)| {
            t.origin == Some(origin)
                && !t.removed
                && d.timelines[i].is_some_and(|tl| tl.end > self.now)
        });
        if txn.voided || pending {
            return Err(rule("TRANSACTION_ALREADY_VOIDED"));
        }
        if self.now - txn.date > 93 * DAY {
            return Err(rule("CANCELLATION_EXPIRED"));
        }
        if amount != txn.amount {
            return Err(rule("AMOUNT_MISMATCH"));
        }
        Ok(origin)
    }

    fn create(
        &mut self,
        tid: usize,
        kind: Kind,
        amount: i64,
        cash: bool,
        older: Option<usize>,
    ) -> Obs {
        if kind != Kind::Batch && !(1..=99_999_999).contains(&amount) {
            return Obs::Err(406, "VALIDATION_EXCEPTION".into());
        }
        let d = self.derive();
        let origin = if kind == Kind::Void {
            match self.void_origin(&d, tid, older, amount) {
                Ok(o) => Some(o),
                Err(e) => return e,
            }
        } else {
            None
        };
        let (_, _, semi, reachable) = TIDS[tid];
        if semi
            && self.tasks.iter().enumerate().any(|(i, t)| {
                t.tid == tid && !t.removed && d.timelines[i].is_some_and(|tl| tl.end > self.now)
            })
        {
            return Obs::Err(406, "TERMINAL_BUSY".into());
        }
        if !reachable {
            return Obs::Err(502, "PUSH_NOTIFICATION_FAILED".into());
        }
        let outcome = if kind == Kind::Batch {
            Outcome::Approve
        } else if let Some((o, left)) = self.overrides.get_mut(&tid) {
            let o = *o;
            *left -= 1;
            if *left == 0 {
                self.overrides.remove(&tid);
            }
            o
        } else if kind == Kind::Void || cash {
            Outcome::Approve
        } else {
            match amount {
                1122 => Outcome::Decline,
                1123 => Outcome::Timeout,
                1124 => Outcome::Exception,
                1125 => Outcome::CustomerCancel,
                1126 => Outcome::InitError,
                1127 => Outcome::CardholderAbort,
                9991 => Outcome::Dcc3Decimals,
                9992 => Outcome::DccNoDecimals,
                _ => Outcome::Approve,
            }
        };
        self.tasks.push(MTask {
            tid,
            kind,
            created: self.now,
            amount,
            cash,
            outcome,
            origin,
            cancel_at: None,
            removed: false,
        });
        let d = self.derive();
        self.task_obs(&d, self.tasks.len() - 1)
    }
}

/// Plans one task when its terminal is free from `free`: its timeline, and until when it holds the terminal.
fn plan(t: &MTask, free: i64) -> (Timeline, Option<i64>) {
    let begin = t.created.max(free);
    let started = begin + PUSH;
    let init_ok = started + STARTED;
    let in_progress = init_ok + INIT;
    let work = match (t.kind, t.cash) {
        (Kind::Batch, _) => BATCH,
        (_, true) => CASH,
        (_, false) => CARD,
    };
    let done = in_progress + work;
    let outcome = if t.kind == Kind::Batch {
        Outcome::Approve
    } else {
        t.outcome
    };
    let mut tl = Timeline {
        created: t.created,
        started,
        init_ok: Some(init_ok),
        in_progress: Some(in_progress),
        end: done,
        end_status: TaskStatus::Completed,
        failure: None,
    };
    match outcome {
        Outcome::InitError => {
            tl.init_ok = None;
            tl.in_progress = None;
            tl.end = init_ok;
            tl.end_status = TaskStatus::InitError;
            tl.failure = Some("INIT_FAILED");
        }
        Outcome::Timeout => {
            tl.end = in_progress + DEVICE_TIMEOUT;
            tl.end_status = TaskStatus::Error;
            tl.failure = Some("TIMEOUT");
        }
        Outcome::Exception => {
            tl.end_status = TaskStatus::Error;
            tl.failure = Some("PAYMENT_EXCEPTION");
        }
        Outcome::CustomerCancel => tl.end_status = TaskStatus::Cancelled,
        _ => {}
    }
    match t.cancel_at {
        Some(c) if c < tl.end => {
            tl.end = c;
            tl.end_status = TaskStatus::Cancelled;
            tl.failure = None;
            (tl, (c >= begin).then_some(c))
        }
        _ => (tl, Some(tl.end)),
    }
}

fn outcome_strategy() -> impl Strategy<Value = Outcome> {
    prop_oneof![
        Just(Outcome::Approve),
        Just(Outcome::Decline),
        Just(Outcome::Timeout),
        Just(Outcome::Exception),
        Just(Outcome::CustomerCancel),
        Just(Outcome::InitError),
        Just(Outcome::CardholderAbort),
        Just(Outcome::Dcc3Decimals),
    ]
}

fn amount_strategy() -> impl Strategy<Value = i64> {
    prop_oneof![
        6 => prop::sample::select(vec![1111, 1122, 1123, 1124, 1125, 1126, 1127, 9991, 9992, 500]),
        2 => 1..=99_999_999i64,
        1 => Just(0i64),
    ]
}

impl ReferenceStateMachine for Model {
    type State = Model;
    type Transition = Op;

    fn init_state() -> BoxedStrategy<Model> {
        Just(Model {
            now: 0,
            tasks: Vec::new(),
            overrides: BTreeMap::new(),
            expect: Obs::None,
        })
        .boxed()
    }

    fn transitions(state: &Model) -> BoxedStrategy<Op> {
        let n = state.tasks.len().max(1);
        let tid =
            prop_oneof![4 => Just(0usize), 3 => Just(1usize), 2 => Just(2usize), 1 => Just(3usize)];
        // A VOID usually names the right amount: the newest payment's on the TID, or the origin's.
        let amounts: Vec<i64> = state.tasks.iter().map(|t| t.amount).collect();
        let last_amount = move |tid: usize, tasks: &[MTask]| {
            tasks
                .iter()
                .rev()
                .find(|t| t.tid == tid && t.kind != Kind::Batch)
                .map_or(1111, |t| t.amount)
        };
        let tasks = state.tasks.clone();
        prop_oneof![
            8 => (tid.clone(), any::<bool>(), amount_strategy(), prop::bool::weighted(0.3))
                .prop_map(|(tid, refund, amount, cash)| Op::Pay { tid, refund: refund && amount % 3 == 0, amount, cash }),
            3 => (tid.clone(), prop::bool::weighted(0.8), prop::bool::weighted(0.3)).prop_map(move |(tid, right, cash)| {
                let amount = if right { last_amount(tid, &tasks) } else { 4242 };
                Op::VoidLast { tid, amount, cash }
            }),
            3 => (tid.clone(), 0..n, prop::bool::weighted(0.85)).prop_map(move |(tid, origin, right)| {
                let amount = if right { amounts.get(origin).copied().unwrap_or(1111) } else { 4243 };
                // Mostly the origin's own TID (which the creating call names in its body).
                Op::VoidOlder { tid, origin, amount }
            }),
            2 => tid.clone().prop_map(|tid| Op::Batch { tid }),
            5 => (0..n).prop_map(Op::Read),
            3 => (0..n).prop_map(Op::ReadTxn),
            2 => tid.clone().prop_map(Op::Totals),
            6 => prop_oneof![
                Just(0i64), Just(100), Just(499), Just(500), Just(1000), Just(1500), Just(2000),
                Just(3000), Just(5000), Just(20_000), Just(61_000), Just(93 * DAY), Just(94 * DAY)
            ].prop_map(Op::Advance),
            2 => (0..n).prop_map(Op::Cancel),
            1 => (tid.clone(), outcome_strategy(), 0..3u32)
                .prop_map(|(tid, outcome, count)| Op::NextOutcome { tid, outcome, count }),
            1 => prop_oneof![3 => tid.prop_map(Some), 1 => Just(None)].prop_map(Op::Reset),
        ]
        .boxed()
    }

    fn preconditions(state: &Model, op: &Op) -> bool {
        match op {
            Op::VoidOlder { origin: k, .. } | Op::Read(k) | Op::ReadTxn(k) | Op::Cancel(k) => {
                *k < state.tasks.len()
            }
            _ => true,
        }
    }

    fn apply(mut state: Model, op: &Op) -> Model {
        state.expect = match *op {
            Op::Pay {
                tid,
                refund,
                amount,
                cash,
            } => {
                let kind = if refund { Kind::Refund } else { Kind::Sale };
                state.create(tid, kind, amount, cash, None)
            }
            Op::VoidLast { tid, amount, cash } => state.create(tid, Kind::Void, amount, cash, None),
            Op::VoidOlder {
                tid,
                origin,
                amount,
            } => {
                let cash = state.tasks[origin].cash;
                state.create(tid, Kind::Void, amount, cash, Some(origin))
            }
            Op::Batch { tid } => state.create(tid, Kind::Batch, 0, false, None),
            Op::Read(k) => {
                let d = state.derive();
                state.task_obs(&d, k)
            }
            Op::ReadTxn(k) => {
                let d = state.derive();
                match state.task_obs(&d, k) {
                    Obs::Task { context: true, .. } => match d.txns.get(&k) {
                        Some(t) => Obs::Txn {
                            operation: match t.kind {
                                Kind::Sale => "SALE",
                                Kind::Refund => "REFUND",
                                _ => "VOID",
                            },
                            result: t.result,
                            amount: t.amount,
                            cash: t.cash,
                            voided: t.voided,
                        },
                        None => Obs::Err(404, "TRANSACTION_NOT_FOUND".into()),
                    },
                    _ => Obs::NoContext,
                }
            }
            Op::Totals(tid) => {
                let d = state.derive();
                let batches: Vec<Value> = d.closed[tid].iter().map(Totals::json).collect();
                Obs::Totals(json!({"open": d.closed[tid].len() + 1,
                                   "openTotals": d.open[tid].json(), "closed": batches}))
            }
            Op::Advance(ms) => {
                state.now += ms;
                Obs::None
            }
            Op::Cancel(k) => {
                let d = state.derive();
                match state.status(&d, k) {
                    None => Obs::Err(404, "NOT_FOUND".into()),
                    Some(s) if is_final(s) => Obs::Err(409, "TASK_FINAL".into()),
                    Some(_) => {
                        state.tasks[k].cancel_at = Some(state.now);
                        let d = state.derive();
                        state.task_obs(&d, k)
                    }
                }
            }
            Op::NextOutcome {
                tid,
                outcome,
                count,
            } => {
                if count == 0 {
                    state.overrides.remove(&tid);
                } else {
                    state.overrides.insert(tid, (outcome, count));
                }
                Obs::None
            }
            Op::Reset(which) => {
                for t in &mut state.tasks {
                    if which.is_none_or(|w| w == t.tid) {
                        t.removed = true;
                    }
                }
                match which {
                    Some(w) => {
                        state.overrides.remove(&w);
                    }
                    None => state.overrides.clear(),
                }
                Obs::None
            }
        };
        state
    }
}

fn is_final(s: TaskStatus) -> bool {
    matches!(
        s,
        TaskStatus::Completed | TaskStatus::Cancelled | TaskStatus::Error | TaskStatus::InitError
    )
}

/// The engine under test, the time it is at and the ids of the tasks it created, by creation index.
struct Sut {
    engine: Engine,
    now: Timestamp,
    who: Who,
    ids: Vec<String>,
}

impl fmt::Debug for Sut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sut")
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

impl Sut {
    fn err(e: mock_server::engine::Error) -> Obs {
        Obs::Err(e.status, e.kind.into_owned())
    }

    fn view_obs(v: &mock_server::engine::TaskView) -> Obs {
        Obs::Task {
            status: v.status,
            failure: v.failure.as_ref().map(|(_, f)| f.kind()),
            context: v.context_id.is_some(),
        }
    }

    fn create(&mut self, class: &str, body: Value) -> Obs {
        let body = mock_server::engine::body::Json::from_value(&body);
        match self.engine.create_task(&self.who, class, &body, self.now) {
            Ok(v) => {
                self.ids.push(v.task_id.to_string());
                Self::view_obs(&v)
            }
            Err(e) => Self::err(e),
        }
    }

    /// The transaction id of task `k` as the engine shows it (its `contextId`), if any.
    fn context_of(&mut self, k: usize) -> Option<String> {
        let id = self.ids.get(k)?.clone();
        self.engine
            .task(&self.who, &id, self.now)
            .ok()?
            .context_id
            .map(Into::into)
    }

    fn body(tid: usize, op: &str, amount: i64, cash: bool) -> Value {
        let (t, key, _, _) = TIDS[tid];
        let mut b = support::sale_body(t, key, amount, cash);
        b["transactionOperation"] = json!(op);
        b
    }
}

struct EngineMachine;

impl StateMachineTest for EngineMachine {
    type SystemUnderTest = Sut;
    type Reference = Model;

    fn init_test(_: &Model) -> Sut {
        Sut {
            engine: support::engine("realistic", 100_000, 100_000),
            now: Timestamp::DEFAULT_START,
            who: master(),
            ids: Vec::new(),
        }
    }

    fn apply(mut sut: Sut, model: &Model, op: Op) -> Sut {
        let got = match op {
            Op::Pay {
                tid,
                refund,
                amount,
                cash,
            } => {
                let op = if refund { "REFUND" } else { "SALE" };
                sut.create("TRANSACTION", Sut::body(tid, op, amount, cash))
            }
            Op::VoidLast { tid, amount, cash } => {
                let mut b = Sut::body(tid, "VOID", amount, cash);
                b["cancelMode"] = json!("LAST_TRANSACTION");
                sut.create("TRANSACTION", b)
            }
            Op::VoidOlder {
                tid,
                origin,
                amount,
            } => {
                let cash = model.tasks[origin].cash;
                let id = sut
                    .context_of(origin)
                    .unwrap_or_else(|| "00000000-0000-4000-8000-000000000000".into());
                let mut b = Sut::body(tid, "VOID", amount, cash);
                b["cancelMode"] = json!("OLDER_TRANSACTION");
                b["originTransactionId"] = json!(id);
                sut.create("TRANSACTION", b)
            }
            Op::Batch { tid } => {
                let (t, key, _, _) = TIDS[tid];
                sut.create("BATCH", support::batch_body(t, key))
            }
            Op::Read(k) => match sut.engine.task(&sut.who, &sut.ids[k], sut.now) {
                Ok(v) => Sut::view_obs(&v),
                Err(e) => Sut::err(e),
            },
            Op::ReadTxn(k) => match sut.context_of(k) {
                None => Obs::NoContext,
                Some(id) => match sut.engine.transaction(&sut.who, &id, sut.now) {
                    Ok(t) => Obs::Txn {
                        operation: wire(&t.operation),
                        result: wire(&t.result),
                        amount: t.amount,
                        cash: wire(&t.pay_type) == "CASH",
                        voided: t.voided,
                    },
                    Err(e) => Sut::err(e),
                },
            },
            Op::Totals(tid) => {
                let state = sut
                    .engine
                    .state(sut.now, Some(TIDS[tid].0), None)
                    .expect("a fixture terminal");
                let term = &state["terminals"][0];
                let closed: Vec<Value> = term["batches"]
                    .as_array()
                    .expect("batches")
                    .iter()
                    .map(|b| b["totals"].clone())
                    .collect();
                Obs::Totals(json!({"open": term["openBatch"]["number"],
                                   "openTotals": term["openBatch"]["totals"], "closed": closed}))
            }
            Op::Advance(ms) => {
                sut.now = sut.now.plus_ms(ms);
                Obs::None
            }
            Op::Cancel(k) => match sut.engine.cancel_task(&sut.ids[k], sut.now) {
                Ok(v) => Sut::view_obs(&v),
                Err(e) => Sut::err(e),
            },
            Op::NextOutcome {
                tid,
                outcome,
                count,
            } => {
                sut.engine
                    .set_next_outcome(TIDS[tid].0, outcome, count)
                    .expect("known TID");
                Obs::None
            }
            Op::Reset(which) => {
                sut.engine
                    .reset(which.map(|w| TIDS[w].0))
                    .expect("known TID");
                Obs::None
            }
        };
        assert_eq!(
            got, model.expect,
            "engine vs model after {op:?} at +{} ms",
            model.now
        );
        if matches!(
            op,
            Op::Pay { .. } | Op::VoidLast { .. } | Op::VoidOlder { .. } | Op::Batch { .. }
        ) {
            assert_eq!(
                sut.ids.len(),
                model.tasks.len(),
                "tasks created after {op:?}"
            );
        }
        sut
    }
}

/// The wire name of a serde enum value, as a static string of the few the model knows.
fn wire<T: serde::Serialize>(v: &T) -> &'static str {
    match serde_json::to_value(v)
        .ok()
        .as_ref()
        .and_then(Value::as_str)
    {
        Some("SALE") => "SALE",
        Some("VOID") => "VOID",
        Some("REFUND") => "REFUND",
        Some("CASH") => "CASH",
        Some("CARD") => "CARD",
        Some("ACCEPTED") => "ACCEPTED",
        Some("DECLINED") => "DECLINED",
        Some("CANCELLED") => "CANCELLED",
        _ => "?",
    }
}

prop_state_machine! {
    #![proptest_config(support::prop_config(256))]
    /// 256 sequences × 50 steps by default; `PROPTEST_CASES=5000` for a longer run.
    #[test]
    fn engine_matches_the_reference_model(sequential 50..=50 => EngineMachine);
}
