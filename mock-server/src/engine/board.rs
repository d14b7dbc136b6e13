//! The console's board: every terminal as a person at it would see it — its settings, the payment it is working on
//! with its status as of now, the queue behind it, the last tasks it finished. A pure read: statuses come from the
//! timelines, nothing is settled, so a console polling it changes nothing (and `--state` logs nothing). No axum.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::task::{Task, TaskClass};
use super::{Engine, wire};
use crate::clock::Timestamp;

/// Finished tasks shown per terminal.
const RECENT: usize = 5;

impl Engine {
    /// The board as of `now` (each terminal's `device` is added by the device layer).
    pub fn board(&self, now: Timestamp) -> Vec<Value> {
        let recent = self.recent(now);
        self.world
            .directory
            .terminals
            .values()
            .map(|t| {
                let latency = t.latency.as_deref().unwrap_or(&self.settings.latency);
                let operator = self.world.latency.get(latency).is_some_and(|p| p.operator);
                // an unfinished task is always in its terminal's queue, in queue order
                let open: Vec<Value> = self.tids.get(t.tid.as_str()).map_or_else(Vec::new, |s| {
                    s.pending
                        .iter()
                        .filter_map(|q| self.tasks.get(&q.id))
                        .map(|task| self.card(task, now))
                        .filter(|card| card["final"] != true)
                        .collect()
                });
                let mut open = open.into_iter();
                json!({"tid": t.tid, "mode": t.mode, "reachable": t.reachable, "currency": t.currency,
                       "latency": latency, "operator": operator,
                       "nextOutcome": self.overrides.get(t.tid.as_str()),
                       "sandbox": self.sandboxes().iter().find(|s| s.holds(&t.tid)).map(|s| s.id.as_str()),
                       "working": open.next(), "queue": open.collect::<Vec<_>>(),
                       "recent": recent.get(t.tid.as_str()).cloned().unwrap_or_default()})
            })
            .collect()
    }

    /// The last finished tasks of every terminal, newest first, in one pass back from the newest task (it stops
    /// once every terminal that has had a task has its [`RECENT`]).
    fn recent(&self, now: Timestamp) -> HashMap<&str, Vec<Value>> {
        let mut recent: HashMap<&str, Vec<Value>> = HashMap::new();
        let mut full = 0;
        for task in self
            .task_order
            .iter()
            .rev()
            .filter_map(|id| self.tasks.get(id))
        {
            if full == self.tids.len() {
                break;
            }
            let done = recent.entry(task.tid.as_str()).or_default();
            if done.len() < RECENT {
                let card = self.card(task, now);
                if card["final"] == true {
                    done.push(card);
                    full += usize::from(done.len() == RECENT);
                }
            }
        }
        recent
    }

    /// One task as the board shows it.
    fn card(&self, task: &Task, now: Timestamp) -> Value {
        let view = self.view(&task.id, now);
        let (operation, amount) = match &*view.request {
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
