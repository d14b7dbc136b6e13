//! The console's board: every terminal as a person at it would see it — its settings, the payment it is working on
//! with its status as of now, the queue behind it, the last tasks it finished. A pure read: statuses come from the
//! timelines, nothing is settled, so a console polling it changes nothing (and `--state` logs nothing). No axum.

use serde_json::{Value, json};

use super::task::{Task, TaskClass};
use super::{Engine, wire};
use crate::clock::Timestamp;

/// Finished tasks shown per terminal.
const RECENT: usize = 5;

impl Engine {
    /// The board as of `now` (each terminal's `device` is added by the device layer).
    pub fn board(&self, now: Timestamp) -> Vec<Value> {
        self.world
            .directory
            .terminals
            .values()
            .map(|t| {
                let latency = t.latency.as_deref().unwrap_or(&self.settings.latency);
                let operator = self.world.latency.get(latency).is_some_and(|p| p.operator);
                let (mut open, mut done) = (Vec::new(), Vec::new());
                for task in self.tasks_of(&t.tid).rev() {
                    let card = self.card(task, now);
                    if card["final"] == true {
                        if done.len() < RECENT {
                            done.push(card);
                        }
                    } else {
                        open.push(card);
                    }
                    if done.len() == RECENT && open.is_empty() {
                        break; // older tasks of this terminal are all final: nothing more to show
                    }
                }
                open.reverse();
                let mut open = open.into_iter();
                json!({"tid": t.tid, "mode": t.mode, "reachable": t.reachable, "currency": t.currency,
                       "latency": latency, "operator": operator,
                       "nextOutcome": self.overrides.get(&t.tid),
                       "sandbox": self.sandboxes().iter().find(|s| s.terminals.iter().any(|(_, x)| x.tid == t.tid))
                           .map(|s| s.id.as_str()),
                       "working": open.next(), "queue": open.collect::<Vec<_>>(), "recent": done})
            })
            .collect()
    }

    /// A terminal's tasks, oldest first.
    fn tasks_of<'a>(&'a self, tid: &'a str) -> impl DoubleEndedIterator<Item = &'a Task> + 'a {
        self.task_order
            .values()
            .filter_map(|id| self.tasks.get(id))
            .filter(move |t| t.tid == tid)
            .map(|t| &**t)
    }

    /// One task as the board shows it.
    fn card(&self, task: &Task, now: Timestamp) -> Value {
        let view = self.view(&task.id, now);
        let (operation, amount) = match &view.request {
            super::validate::TaskRequest::Transaction(r) => (wire(&r.operation), Some(r.amount)),
            _ => ("BATCH".to_owned(), None),
        };
        let waiting = task.latency.operator
            && task.class == TaskClass::Transaction
            && task.decided_at.is_none()
            && !view.status.is_final();
        json!({"taskId": task.id, "status": view.status, "final": view.status.is_final(),
               "created": task.created.to_rfc3339(), "operation": operation, "amount": amount,
               "title": view.title, "contextId": view.context_id,
               "failure": view.failure.as_ref().map(|(_, f)| f.kind()),
               "waitingForDecision": waiting,
               "decided": task.decided_at.map(|_| task.outcome)})
    }
}
