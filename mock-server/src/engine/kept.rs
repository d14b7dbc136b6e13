//! A poll's answer kept per terminal: `GET /v1/tasks/{taskId}` is the request a POS repeats most, and between two
//! polls its answer rarely changes (only the status and what comes with it). The HTTP layer writes an answer once
//! ([`Polled::Fresh`]) and hands the bytes back ([`Engine::keep_answer`]); the next poll of that task at the same
//! [`Stage`] gets those bytes ([`Polled::Kept`]), not a new copy. One answer per terminal, so what is kept is
//! bounded by the terminals, and dropped with their state (reset, a forgotten terminal). Nothing here decides
//! what an answer says: that is still [`Engine::task`]'s view, written by the HTTP layer.

use std::ops::Range;

use bytes::Bytes;

use super::task::{Failure, Task, TaskStatus};
use super::{Engine, Error, Id, TaskView, Uuid, Who};
use crate::clock::Timestamp;

/// What of a task's answer can change after the task is made: its status and what the status brings. The rest
/// (title, ids, times, payload) is fixed at creation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Stage {
    pub status: TaskStatus,
    pub context_id: Option<Uuid>,
    pub failure: Option<(Id, Failure)>,
}

/// The answer kept for a terminal: the bytes written for one task at one stage, and the times between which the
/// clock keeps it at that stage. In declaration order (`repr(C)`): what [`Engine::poll`] reads first.
#[derive(Clone, Debug)]
#[repr(C)]
pub(super) struct Kept {
    task: Id,
    span: Range<Timestamp>,
    bytes: Bytes,
    seq: u64,
    stage: Stage,
}

/// A poll, as the engine answers it to the HTTP layer.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // made once a poll and matched at once: boxing would allocate on every new view
pub enum Polled {
    /// The bytes written for this task at this stage, the last time it was polled.
    Kept(Bytes),
    /// The view to write, and where to keep what is written ([`Engine::keep_answer`]).
    Fresh(TaskView, Ticket),
}

/// Which task and stage a written answer is for.
#[derive(Debug)]
pub struct Ticket {
    tid: Id,
    kept: Kept,
    /// The terminal's stamp when the view was read (the engine may have changed between the poll and the keep).
    stamp: u64,
}

impl Kept {
    /// No answer kept: its task is no task's (ids are never empty). Not an `Option`: the compiler told `None`
    /// apart by a byte of the stage, in a third block of the terminal's state that a poll need not read.
    pub(super) fn nothing() -> Self {
        Kept {
            task: Id::default(),
            span: Timestamp(0)..Timestamp(0),
            bytes: Bytes::new(),
            seq: 0,
            stage: Stage {
                status: TaskStatus::Created,
                context_id: None,
                failure: None,
            },
        }
    }

    /// The answer kept, if any.
    pub(super) fn get(&self) -> Option<&Kept> {
        (!self.task.is_empty()).then_some(self)
    }

    fn holds(&self, task: &Task, stage: &Stage) -> bool {
        self.seq == task.seq && self.task == task.id && self.stage == *stage
    }

    /// Whether it is the answer of task `id`.
    pub(super) fn is_for(&self, id: &str) -> bool {
        self.task == id
    }
}

impl Engine {
    /// `GET /v1/tasks/{taskId}` for the HTTP layer: [`Engine::task`], or the bytes written for the same view
    /// last time.
    pub fn poll(&mut self, who: &Who, id: &str, now: Timestamp) -> Result<Polled, Error> {
        if let Some(bytes) = self.kept_for(who, id, now) {
            return Ok(Polled::Kept(bytes));
        }
        let tid = self.polled_tid(who, id)?;
        self.settle(&tid, now);
        let task = &self.tasks[id];
        let (stage, span) = self.stage_span(task, now);
        let state = self.tid_state(&tid);
        if let Some(kept) = state.and_then(|s| s.answer.get())
            && kept.holds(task, &stage)
        {
            return Ok(Polled::Kept(kept.bytes.clone()));
        }
        let stamp = state.map_or(0, |s| s.stamp.0);
        let kept = Kept {
            task: task.id.clone(),
            seq: task.seq,
            stage: stage.clone(),
            span,
            bytes: Bytes::new(),
        };
        Ok(Polled::Fresh(
            self.view_at(task, stage),
            Ticket { tid, kept, stamp },
        ))
    }

    /// The bytes kept for task `id` when they are what a poll by `who` at `now` gets, found from `who`'s terminal
    /// alone: the task is not looked up and its stage not worked out (over 1 000 terminals those reads were about
    /// six cold blocks a poll). It holds because an answer is kept only in its task's terminal, and is dropped
    /// whenever its task is removed or its stage can change other than by the clock, which the kept span covers.
    /// `None` when this cannot tell: a master login, another task's answer, the clock outside the span, or a
    /// task of the terminal due to settle (a poll settles first); the poll then goes the long way, which answers
    /// the same.
    fn kept_for(&self, who: &Who, id: &str, now: Timestamp) -> Option<Bytes> {
        let state = self.tid_state(who.tid()?)?;
        let kept = state.answer.get()?;
        if kept.task != id || !kept.span.contains(&now) || state.due(now) {
            return None;
        }
        debug_assert!(
            self.tasks.get(id).is_some_and(
                |task| self.sees(who, &task.tid) && kept.holds(task, &self.stage(task, now))
            ),
            "the answer kept for task {id} is not what the long way would give"
        );
        Some(kept.bytes.clone())
    }

    /// Keeps `bytes`, written for a [`Polled::Fresh`] view, as its terminal's answer (replacing the one before),
    /// unless the terminal's stamp changed since the view was read: the engine is not held between the two calls,
    /// and an operator's cancel or an eviction in between may have made the view stale.
    pub fn keep_answer(&mut self, ticket: Ticket, bytes: Bytes) {
        if let Some(state) = self.tids.get_mut_from(self.caller_slot, &ticket.tid)
            && state.stamp.0 == ticket.stamp
        {
            state.answer = Kept {
                bytes,
                ..ticket.kept
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Timestamp;
    use crate::config::Config;
    use crate::server::engine_for;

    fn on(tid: &str) -> Who {
        Who::Terminal(tid.into())
    }

    fn fresh(polled: Polled) -> (TaskView, Ticket) {
        match polled {
            Polled::Fresh(view, ticket) => (view, ticket),
            Polled::Kept(b) => panic!("expected a view to write, got kept bytes {b:?}"),
        }
    }

    fn kept(polled: Polled) -> Bytes {
        match polled {
            Polled::Kept(b) => b,
            Polled::Fresh(view, _) => panic!("expected kept bytes, got a view of {}", view.task_id),
        }
    }

    #[test]
    fn a_poll_gets_the_bytes_kept_for_its_task_at_the_same_stage_and_a_view_otherwise() {
        let mut e = engine_for(&Config::default()).expect("engine"); // realistic latency: STARTED after 1 s
        let who = on("999888");
        let t0 = Timestamp::DEFAULT_START;
        let sale = super::super::body::parse(
            br#"{"apiKey":"333W212J3","Tid":"999888","initiator":"t","title":"a","amount":1111,"transactionOperation":"SALE","transactionType":"CARD","currencyCode":"CZK"}"#,
        )
        .expect("json");
        let a = e
            .create_task(&who, "TRANSACTION", &sale, t0)
            .expect("a")
            .task_id;
        let (view, ticket) = fresh(e.poll(&who, &a, t0).expect("poll"));
        assert_eq!(view.status, TaskStatus::Created);
        e.keep_answer(ticket, Bytes::from_static(b"a created"));
        assert_eq!(kept(e.poll(&who, &a, t0).expect("poll")), "a created");
        assert_eq!(
            kept(e.poll(&who, &a, t0.plus_ms(999)).expect("same stage")),
            "a created"
        );
        // a new stage: a new view
        let (view, ticket) = fresh(e.poll(&who, &a, t0.plus_ms(1000)).expect("poll"));
        assert_eq!(view.status, TaskStatus::Started);
        e.keep_answer(ticket, Bytes::from_static(b"a started"));
        // another task of the terminal is not answered with the kept bytes, and takes their place
        let b = e
            .create_task(&who, "TRANSACTION", &sale, t0.plus_ms(1000))
            .expect("b")
            .task_id;
        let (view, ticket) = fresh(e.poll(&who, &b, t0.plus_ms(1000)).expect("poll"));
        assert_eq!(view.task_id, b);
        e.keep_answer(ticket, Bytes::from_static(b"b created"));
        let (view, _) = fresh(e.poll(&who, &a, t0.plus_ms(1000)).expect("poll"));
        assert_eq!(
            (view.task_id, view.status),
            (a.clone(), TaskStatus::Started)
        );
        // the engine's own view agrees with what a poll writes
        assert_eq!(
            e.task(&who, &a, t0.plus_ms(1000)).expect("task"),
            fresh(e.poll(&who, &a, t0.plus_ms(1000)).expect("poll")).0
        );
        // a ticket outliving its terminal's state keeps nothing; a reset forgets what was kept
        let (_, ticket) = fresh(e.poll(&who, &a, t0.plus_ms(1000)).expect("poll"));
        e.reset(None).expect("reset");
        e.keep_answer(ticket, Bytes::from_static(b"stale"));
        assert!(e.tids.values().all(|s| s.answer.get().is_none()));
        assert_eq!(e.poll(&who, &a, t0).expect_err("gone").status, 404);
    }

    fn sale(e: &mut Engine, who: &Who, at: Timestamp) -> Id {
        let body = super::super::body::parse(
            br#"{"apiKey":"333W212J3","Tid":"999888","initiator":"t","title":"a","amount":1111,"transactionOperation":"SALE","transactionType":"CARD","currencyCode":"CZK"}"#,
        )
        .expect("json");
        e.create_task(who, "TRANSACTION", &body, at)
            .expect("created")
            .task_id
    }

    #[test]
    fn a_kept_answer_goes_with_its_task_or_a_replan_and_a_stale_view_is_not_kept() {
        let config = Config {
            max_tasks: 2,
            ..Config::default()
        };
        let mut e = engine_for(&config).expect("engine");
        let who = on("999888");
        let t0 = Timestamp::DEFAULT_START;
        let late = t0.plus_ms(600_000); // every task made at t0 is final by then

        // an operator's cancel at the kept stage: the next poll, at the same time, is CANCELLED
        let a = sale(&mut e, &who, t0);
        let (view, ticket) = fresh(e.poll(&who, &a, t0.plus_ms(1000)).expect("poll"));
        assert_eq!(view.status, TaskStatus::Started);
        e.keep_answer(ticket, Bytes::from_static(b"a started"));
        assert_eq!(
            kept(e.poll(&who, &a, t0.plus_ms(1000)).expect("poll")),
            "a started"
        );
        e.cancel_task(&a, t0.plus_ms(1000)).expect("cancelled");
        let (view, _) = fresh(e.poll(&who, &a, t0.plus_ms(1000)).expect("poll"));
        assert_eq!(view.status, TaskStatus::Cancelled);
        // a view read before a cancel and handed back after it is not kept (the engine is not held in between)
        let a2 = sale(&mut e, &who, t0.plus_ms(1000));
        let (view, before) = fresh(e.poll(&who, &a2, t0.plus_ms(1000)).expect("poll"));
        assert_eq!(view.status, TaskStatus::Created);
        e.cancel_task(&a2, t0.plus_ms(1000)).expect("cancelled");
        e.keep_answer(before, Bytes::from_static(b"a2 stale"));
        let (view, _) = fresh(e.poll(&who, &a2, t0.plus_ms(1000)).expect("poll"));
        assert_eq!(view.status, TaskStatus::Cancelled);

        // a final answer is kept for good, until its task is evicted: then TASK_NOT_FOUND
        let b = sale(&mut e, &who, t0);
        let (view, ticket) = fresh(e.poll(&who, &b, late).expect("poll"));
        assert!(view.status.is_final(), "{:?}", view.status);
        e.keep_answer(ticket, Bytes::from_static(b"b final"));
        assert_eq!(kept(e.poll(&who, &b, late).expect("poll")), "b final");
        assert_eq!(
            kept(e.poll(&who, &b, late.plus_ms(86_400_000)).expect("poll")),
            "b final"
        );
        // a new task due later: the poll of b at its final time still settles it first
        let c = sale(&mut e, &who, late);
        let due = e.tids["999888"].next_final;
        assert!(due > late && due < Timestamp::NEVER, "c in the queue");
        assert_eq!(kept(e.poll(&who, &b, due).expect("poll")), "b final");
        assert_eq!(
            e.tids["999888"].next_final,
            Timestamp::NEVER,
            "c settled by the poll of b"
        );
        // over the cap of 2 the oldest final tasks (a, a2, then b) are evicted
        sale(&mut e, &who, due);
        assert!(e.tasks.get(&b).is_none() && e.tasks.get(&c).is_some());
        assert_eq!(e.poll(&who, &b, due).expect_err("evicted").status, 404);
        // c's view read, then c evicted before it is kept: not kept, a poll of c is TASK_NOT_FOUND
        let then = late.plus_ms(600_000);
        let (_, ticket) = fresh(e.poll(&who, &c, then).expect("poll"));
        sale(&mut e, &who, then); // not due before `then`: a poll at `then` could take the kept answer
        assert!(e.tasks.get(&c).is_none(), "c evicted");
        e.keep_answer(ticket, Bytes::from_static(b"c stale"));
        assert_eq!(e.poll(&who, &c, then).expect_err("evicted").status, 404);
    }

    #[test]
    fn a_token_finds_its_terminal_in_the_slot_it_noted_only_while_that_terminal_is_there() {
        let mut e = engine_for(&Config::default()).expect("engine");
        let t0 = Timestamp::DEFAULT_START;
        let login = |e: &mut Engine, user: &str, tid: &str| {
            let form: Vec<(String, String)> = [
                ("grant_type", "password"),
                ("username", user),
                ("password", "ABCDEFGHIJKL"),
                ("tid", tid),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .into();
            e.token(&form, super::super::TokenPath::Cloud, t0)
                .expect("token")
                .access_token
        };
        let (a_token, b_token) = (
            login(&mut e, "jan.novak@example.com", "999888"),
            login(&mut e, "pokladna@example.com", "483590"),
        );
        let parse = |body: &'static [u8]| super::super::body::parse(body).expect("json");
        let a_sale = br#"{"apiKey":"333W212J3","Tid":"999888","initiator":"t","title":"a","amount":1111,"transactionOperation":"SALE","transactionType":"CARD","currencyCode":"CZK"}"#;
        let b_sale = br#"{"apiKey":"K7Q2M9X4A","Tid":"483590","initiator":"t","title":"b","amount":1111,"transactionOperation":"SALE","transactionType":"CARD","currencyCode":"CZK"}"#;
        let use_token = |e: &mut Engine, token: &str| {
            e.authenticate(Some(token.as_bytes()), t0)
                .expect("a valid token")
        };

        // the first use remembers the token, a later one notes where its terminal's state is
        let who = use_token(&mut e, &a_token);
        let a = e
            .create_task(&who, "TRANSACTION", &parse(a_sale), t0)
            .expect("a")
            .task_id;
        let slot = e.tids.slot("999888").expect("a state for 999888");
        let who = use_token(&mut e, &a_token);
        assert_eq!(e.caller_slot, slot, "the token noted its terminal's slot");
        let (_, ticket) = fresh(e.poll(&who, &a, t0).expect("poll"));
        e.keep_answer(ticket, Bytes::from_static(b"a created"));
        let who = use_token(&mut e, &a_token);
        assert_eq!(kept(e.poll(&who, &a, t0).expect("poll")), "a created");

        // 999888 is reset, and 483590's state takes its slot, with an answer kept for 483590's task
        e.reset(Some("999888")).expect("reset");
        let b_who = use_token(&mut e, &b_token);
        let b = e
            .create_task(&b_who, "TRANSACTION", &parse(b_sale), t0)
            .expect("b")
            .task_id;
        assert_eq!(
            e.tids.slot("483590"),
            Some(slot),
            "the freed slot is filled first"
        );
        let (_, ticket) = fresh(e.poll(&b_who, &b, t0).expect("poll"));
        e.keep_answer(ticket, Bytes::from_static(b"b created"));

        // 999888's token, which noted that slot, does not get 483590's answer, nor its task
        let who = use_token(&mut e, &a_token);
        assert_eq!(
            e.caller_slot,
            u32::MAX,
            "the note is dropped: 999888 has no state"
        );
        assert_eq!(e.poll(&who, &b, t0).expect_err("not 999888's").status, 404);
        assert_eq!(e.poll(&who, &a, t0).expect_err("reset").status, 404);
        let b_who = use_token(&mut e, &b_token);
        assert_eq!(kept(e.poll(&b_who, &b, t0).expect("poll")), "b created");
    }
}
