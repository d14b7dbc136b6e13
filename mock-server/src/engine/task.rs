//! Tasks and their lifecycle. A task's status is never stored while it runs: it is computed from the clock
//! (`Schedule::status_at`) from its begin time on the terminal's FIFO queue, its latency profile, its outcome,
//! `timeToLive` and an operator cancel. No timers, no axum.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::Id;
use super::outcome::Outcome;
use super::validate::TaskRequest;
use crate::clock::Timestamp;

/// Durations of each lifecycle step, in milliseconds (`fixtures/latency.yaml`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LatencyProfile {
    /// CREATED → STARTED (push notification to the device).
    pub push_ms: i64,
    /// STARTED → INIT_OK.
    pub started_ms: i64,
    /// INIT_OK → IN_PROGRESS.
    pub init_ms: i64,
    /// IN_PROGRESS → final, card payment.
    pub card_ms: i64,
    /// IN_PROGRESS → final, cash payment.
    pub cash_ms: i64,
    /// IN_PROGRESS → final, batch close.
    pub batch_ms: i64,
    /// How long a timeout outcome stays IN_PROGRESS before ERROR `TIMEOUT`.
    pub device_timeout_ms: i64,
    /// Network latency added to every Cloud API response (wall time; default 0).
    #[serde(default)]
    pub network_ms: u64,
    /// A person decides: a payment waits at IN_PROGRESS until someone chooses its outcome on the console (or
    /// `POST /__admin/tasks/{id}/outcome`), and ends as a timeout after `deviceTimeoutMs` if nobody does.
    #[serde(default)]
    pub operator: bool,
}

impl LatencyProfile {
    /// The built-in `realistic` profile (cloud-mock.md §8); the fallback should a name be unknown.
    pub const REALISTIC: LatencyProfile = LatencyProfile {
        push_ms: 1000,
        started_ms: 500,
        init_ms: 500,
        card_ms: 3000,
        cash_ms: 500,
        batch_ms: 2000,
        device_timeout_ms: 60_000,
        network_ms: 0,
        operator: false,
    };
}

/// A task's status as GP tom names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskStatus {
    /// Registered, push not yet delivered.
    Created,
    /// Received by the device.
    Started,
    /// Payment process initialised.
    InitOk,
    /// Payment in progress.
    InProgress,
    /// Done; the result is in the transaction (final).
    Completed,
    /// Cancelled on the device (final).
    Cancelled,
    /// Failed while processing (final).
    Error,
    /// Failed to initialise (final).
    InitError,
}

impl TaskStatus {
    /// Whether the status never changes again.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::Completed | Self::Cancelled | Self::Error | Self::InitError
        )
    }
}

/// `TRANSACTION` or `BATCH`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskClass {
    /// A payment, refund or void.
    Transaction,
    /// A batch close.
    Batch,
}

/// Why a task ended in ERROR / INIT_ERROR (its `type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The device got no answer in time.
    Timeout,
    /// The payment raised an exception.
    PaymentException,
    /// `timeToLive` passed before the task started [assumption].
    TaskExpired,
    /// The payment process failed to initialise [assumption].
    InitFailed,
}

impl Failure {
    /// The vendor `type`.
    pub fn kind(self) -> &'static str {
        match self {
            Failure::Timeout => "TIMEOUT",
            Failure::PaymentException => "PAYMENT_EXCEPTION",
            Failure::TaskExpired => "TASK_EXPIRED",
            Failure::InitFailed => "INIT_FAILED",
        }
    }
    /// The `message`.
    pub fn message(self) -> &'static str {
        match self {
            Failure::Timeout => "payment timed out on the device",
            Failure::PaymentException => "exception during card payment",
            Failure::TaskExpired => "task expired before the device started it",
            Failure::InitFailed => "payment process failed to initialise",
        }
    }
}

/// Values drawn from the RNG when the task was created, so that settling it later draws nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drawn {
    /// Transaction UUID (TRANSACTION) or batch id (BATCH): the future `contextId`.
    pub context_id: super::Uuid,
    /// Support id shown if the task fails.
    pub exception_id: Id,
    /// Index into the card catalogue.
    pub brand: usize,
    /// Last four PAN digits.
    pub last4: Id,
    /// Index into the entry modes.
    pub entry: usize,
    /// Whether the PIN was verified.
    pub pin: bool,
    /// Issuer authorisation code.
    pub auth_code: Id,
}

/// One Cloud task.
#[derive(Clone, Debug)]
pub struct Task {
    /// Creation order across the engine (for listings).
    pub seq: u64,
    /// 10-character base62 id.
    pub id: Id,
    /// Terminal.
    pub tid: Id,
    /// TRANSACTION or BATCH.
    pub class: TaskClass,
    /// Creation time.
    pub created: Timestamp,
    /// The accepted, normalised request (shared with every view of the task: a poll copies no field of it).
    pub request: std::sync::Arc<TaskRequest>,
    /// What it will end as.
    pub outcome: Outcome,
    /// Lifecycle durations: the profile at creation (shared with the fixtures, which never change it).
    pub latency: std::sync::Arc<LatencyProfile>,
    /// VOID: the transaction it cancels.
    pub void_origin: Option<super::Uuid>,
    /// Set by an operator cancel on the device.
    pub cancel_at: Option<Timestamp>,
    /// Under an `operator` latency profile: when a person chose the outcome (now in `outcome`).
    pub decided_at: Option<Timestamp>,
    /// Pre-drawn random values.
    pub drawn: Drawn,
    /// Fixed once the final status is reached and its effects are applied.
    pub settled: Option<Schedule>,
}

/// A timeline's steps: five at most (created, started, init ok, in progress, final), so held inline — a task's
/// plan and its settled copy allocate nothing, and evicting a task frees no separate block.
pub type Steps = smallvec::SmallVec<[(Timestamp, TaskStatus); 5]>;

/// A task's timeline: which status holds from when, and how long it holds the terminal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// `(from, status)` in time order; the last one is final.
    pub steps: Steps,
    /// Failure behind an ERROR / INIT_ERROR final status.
    pub failure: Option<Failure>,
    /// Whether it ran on the device (and so delayed the tasks after it).
    pub occupies: bool,
}

impl Schedule {
    /// Status at `now` (CREATED before anything else happened).
    pub fn status_at(&self, now: Timestamp) -> TaskStatus {
        self.steps
            .iter()
            .take_while(|(t, _)| *t <= now)
            .last()
            .map_or(TaskStatus::Created, |(_, s)| *s)
    }

    /// The times between which [`Schedule::status_at`] answers as at `now`: from the step in force (the start of
    /// time before the first) to the next one (the end of time after the last).
    pub fn span_at(&self, now: Timestamp) -> Range<Timestamp> {
        let times = || self.steps.iter().map(|(t, _)| *t);
        let from = times().take_while(|t| *t <= now).last();
        let until = times().find(|t| *t > now);
        from.unwrap_or(Timestamp(i64::MIN))..until.unwrap_or(Timestamp::NEVER)
    }

    /// When the final status is reached.
    pub fn final_at(&self) -> Timestamp {
        self.steps.last().map_or(Timestamp::NEVER, |(t, _)| *t)
    }

    /// The final status.
    pub fn final_status(&self) -> TaskStatus {
        self.steps.last().map_or(TaskStatus::Created, |(_, s)| *s)
    }

    /// Whether the task is final at `now`.
    pub fn is_final_at(&self, now: Timestamp) -> bool {
        self.final_at() <= now
    }
}

impl Task {
    /// The timeline of this task if the terminal becomes free for it at `free_at`.
    /// `ttl_cancelled` selects the `ttl-cancelled` profile (expired → CANCELLED).
    pub fn plan(&self, free_at: Timestamp, ttl_cancelled: bool) -> Schedule {
        use TaskStatus::*;
        let p = &self.latency;
        let begin = self.created.max(free_at);
        let mut steps = Steps::new();
        steps.push((self.created, Created));
        let started = begin.plus_ms(p.push_ms);
        if let Some(ttl) = self.request.time_to_live() {
            let deadline = self.created.plus_ms(ttl.saturating_mul(1000));
            if started > deadline {
                let cancel_first = self.cancel_at.filter(|c| *c < deadline);
                return match cancel_first {
                    Some(c) => Self::cancelled(steps, c, false),
                    None if ttl_cancelled => Self::cancelled(steps, deadline, false),
                    None => {
                        steps.push((deadline, Error));
                        Schedule {
                            steps,
                            failure: Some(Failure::TaskExpired),
                            occupies: false,
                        }
                    }
                };
            }
        }
        steps.push((started, Started));
        let init_ok = started.plus_ms(p.started_ms);
        let (ending, failure) = if self.outcome == Outcome::InitError
            && self.class == TaskClass::Transaction
            && (!p.operator || self.decided_at.is_some())
        {
            ((init_ok, InitError), Some(Failure::InitFailed))
        } else {
            steps.push((init_ok, InitOk));
            let in_progress = init_ok.plus_ms(p.init_ms);
            steps.push((in_progress, InProgress));
            let work = match (self.class, self.request.is_cash()) {
                (TaskClass::Batch, _) => p.batch_ms,
                (_, true) => p.cash_ms,
                (_, false) => p.card_ms,
            };
            let done = in_progress.plus_ms(work);
            // a person decides: at the decision (once IN_PROGRESS), or nobody did and the device times out
            let (done, outcome) = match (p.operator, self.class, self.decided_at) {
                (true, TaskClass::Transaction, Some(at)) => (at.max(in_progress), self.outcome),
                (true, TaskClass::Transaction, None) => (done, Outcome::Timeout),
                _ => (done, self.outcome),
            };
            match (self.class, outcome) {
                (TaskClass::Batch, _) => ((done, Completed), None),
                // "card removed / timeout" pressed: the device gives up now
                (_, Outcome::Timeout) if self.decided_at.is_some() => {
                    ((done, Error), Some(Failure::Timeout))
                }
                (_, Outcome::Timeout) => (
                    (in_progress.plus_ms(p.device_timeout_ms), Error),
                    Some(Failure::Timeout),
                ),
                (_, Outcome::Exception) => ((done, Error), Some(Failure::PaymentException)),
                (_, Outcome::CustomerCancel) => ((done, Cancelled), None),
                _ => ((done, Completed), None),
            }
        };
        match self.cancel_at {
            Some(c) if c < ending.0 => {
                steps.retain(|(t, _)| *t < c || *t == self.created);
                Self::cancelled(steps, c, c >= begin)
            }
            _ => {
                steps.push(ending);
                Schedule {
                    steps,
                    failure,
                    occupies: true,
                }
            }
        }
    }

    fn cancelled(mut steps: Steps, at: Timestamp, occupies: bool) -> Schedule {
        steps.push((at, TaskStatus::Cancelled));
        Schedule {
            steps,
            failure: None,
            occupies,
        }
    }
}

impl super::table::Keyed for Task {
    fn key(&self) -> &str {
        &self.id
    }
}

#[cfg(test)]
mod tests {
    use super::TaskStatus::{self, *};
    use crate::contract::status::{TASK_STATUSES, is_final};

    #[test]
    fn status_names_and_finality_are_the_contracts() {
        let all = [
            Created, Started, InitOk, InProgress, Completed, Cancelled, Error, InitError,
        ];
        let names: Vec<String> = all
            .iter()
            .map(|s| {
                serde_json::to_value(s)
                    .expect("serializes")
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        assert_eq!(names, TASK_STATUSES);
        for (s, name) in all.iter().zip(TASK_STATUSES) {
            assert_eq!(TaskStatus::is_final(*s), is_final(name), "{name}");
        }
    }
}
