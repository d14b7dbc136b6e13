//! The control plane the admin API and the conformance runner use: fault rules, reset, next outcome, terminal
//! changes, operator cancel and the state dump. No axum.

use serde_json::{Value, json};

use super::fault::{FaultRule, FaultSpec, Plan, RequestFacts};
use super::outcome::{Outcome, Override};
use super::task::{Task, TaskClass};
use super::terminal::{Mode, Terminal};
use super::{Engine, Error, TaskView, unknown_tid, wire};
use crate::clock::Timestamp;

impl Engine {
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

    /// Whether [`Engine::decide_fault`] would plan nothing for any request: no rule, and no latency profile
    /// in use (the default or a terminal's) adds network time. Lets the HTTP layer skip describing requests.
    pub fn faults_idle(&self) -> bool {
        if !self.faults.list().is_empty() {
            return false;
        }
        // Only a profile with network time can add it, and the built-in ones have none: then no terminal needs
        // looking at (this runs on every request, and with 1 000 terminals the scan below was most of a GET).
        if self.world.latency.values().all(|p| p.network_ms == 0) {
            return true;
        }
        let network = |profile: &str| self.world.latency.get(profile).map_or(0, |p| p.network_ms);
        network(&self.settings.latency) == 0
            && self
                .world
                .directory
                .terminals
                .values()
                .all(|t| t.latency.as_deref().is_none_or(|p| network(p) == 0))
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
    /// Sandboxes stay (their terminals restored as made): a reset clears state, not other users' logins.
    pub fn reset(&mut self, tid: Option<&str>) -> Result<(), Error> {
        match tid {
            None => {
                let (fixtures, settings) = (self.fixtures.clone(), self.settings.clone());
                let rng = self.rng.clone();
                let sandboxes = std::mem::take(&mut self.sandboxes);
                let seq = self.sandbox_seq;
                *self = Engine::new(fixtures, settings);
                self.rng = rng; // ids stay unique across resets
                self.sandbox_seq = seq;
                for sandbox in &sandboxes {
                    self.admit(sandbox);
                }
                self.sandboxes = sandboxes;
            }
            Some(tid) => {
                let pristine = self
                    .fixtures
                    .directory
                    .terminals
                    .get(tid)
                    .cloned()
                    .or_else(|| self.sandbox_terminal(tid).map(std::sync::Arc::new))
                    .ok_or_else(|| unknown_tid(tid))?;
                super::terminal::insert_sorted(
                    &mut self.world.directory.terminals,
                    tid.into(),
                    pristine,
                );
                self.forget_terminal(tid);
            }
        }
        Ok(())
    }

    /// Drops everything that happened on `tid`: its tasks, transactions, batches, override and fault rules.
    pub(super) fn forget_terminal(&mut self, tid: &str) {
        self.tasks.retain(|t| t.tid != tid);
        self.task_order.retain(|id| self.tasks.contains_key(id));
        self.transactions.retain(|t| t.tid != tid);
        self.txn_order
            .retain(|id| self.transactions.contains_key(id));
        self.tids.remove(tid);
        self.overrides.remove(tid);
        self.faults.clear(Some(tid));
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
            .map(std::sync::Arc::make_mut)
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
        self.change_unfinished(id, now, |t| {
            t.cancel_at = Some(now);
            Ok(())
        })
    }

    /// A person's decision on a payment waiting under the `operator` latency profile (the console's buttons,
    /// `POST /__admin/tasks/{id}/outcome`): it ends with `outcome` now, or as soon as it is IN_PROGRESS.
    pub fn decide_task(
        &mut self,
        id: &str,
        outcome: Outcome,
        now: Timestamp,
    ) -> Result<TaskView, Error> {
        self.change_unfinished(id, now, |t| {
            if !t.latency.operator || t.class != TaskClass::Transaction {
                let msg = format!(
                    "task {id} is not waiting for a decision: only payments on a terminal with the operator \
                     latency profile are (PATCH /__admin/terminals/{} {{\"latency\": \"operator\"}}, or \
                     --latency operator)",
                    t.tid
                );
                return Err(Error::new(409, "NOT_WAITING", msg, None));
            }
            if t.decided_at.is_some() {
                let msg = format!("task {id} was decided already ({})", wire(&t.outcome));
                return Err(Error::new(409, "ALREADY_DECIDED", msg, None));
            }
            t.outcome = outcome;
            t.decided_at = Some(now);
            Ok(())
        })
    }

    /// Changes a task that is not final yet (404 unknown, 409 final) and replans its terminal's queue: the
    /// operator's cancel and decision.
    fn change_unfinished(
        &mut self,
        id: &str,
        now: Timestamp,
        change: impl FnOnce(&mut Task) -> Result<(), Error>,
    ) -> Result<TaskView, Error> {
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
            change(t)?;
        }
        self.replan(&tid);
        self.settle(&tid, now);
        Ok(self.view(id, now))
    }

    /// Terminals, tasks (with computed status), transactions and batches, for `/__admin/state`.
    ///
    /// # Errors
    /// 404 when `only` names no terminal (or none of the sandbox's, when the call is made in one).
    pub fn state(
        &mut self,
        now: Timestamp,
        only: Option<&str>,
        sandbox: Option<&str>,
    ) -> Result<Value, Error> {
        // a run in a sandbox sees its own terminals only; and only what is shown is settled: a sandbox's dump runs
        // on its own clock, which must not move others' tasks
        let mine: Option<Vec<String>> = sandbox.map(|id| {
            self.sandboxes()
                .iter()
                .filter(|s| s.id == id)
                .flat_map(|s| s.terminals.iter().map(|(_, t)| t.tid.to_string()))
                .collect()
        });
        if let Some(tid) = only {
            match &mine {
                Some(m) if !m.iter().any(|t| t == tid) => {
                    let id = sandbox.unwrap_or_default();
                    return Err(Error::not_found(format!(
                        "no terminal with TID {tid} in sandbox {id} (X-Gptom-Sandbox)"
                    )));
                }
                _ if !self.world.directory.terminals.contains_key(tid) => {
                    return Err(unknown_tid(tid));
                }
                _ => {}
            }
        }
        let shown = |tid: &str| {
            only.is_none_or(|o| o == tid)
                && mine.as_ref().is_none_or(|m| m.iter().any(|t| t == tid))
        };
        let mut tids: Vec<super::Id> = self
            .tids
            .keys()
            .filter(|t| shown(t))
            .map(super::Id::from)
            .collect();
        tids.sort_unstable(); // settled in TID order, as they always were
        for tid in &tids {
            self.settle(tid, now);
        }
        let tasks: Vec<Value> = self
            .task_order
            .iter()
            .filter_map(|id| self.tasks.get(id))
            .filter(|t| shown(&t.tid))
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
            .filter(|t| shown(&t.tid))
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
            .filter(|t| shown(&t.tid))
            .map(|t| {
                let s = self.tids.get(t.tid.as_str());
                json!({"tid": t.tid, "mode": t.mode, "reachable": t.reachable, "currency": t.currency,
                       "latency": t.latency.as_deref().unwrap_or(&self.settings.latency),
                       "nextOutcome": self.overrides.get(t.tid.as_str()),
                       "openBatch": {"number": s.map_or(1, |s| s.open_batch),
                                     "totals": s.map(|s| s.open_totals).unwrap_or_default()},
                       "batches": s.map(|s| s.batches.as_slice()).unwrap_or_default()})
            })
            .collect();
        Ok(
            json!({"now": now.to_rfc3339(), "terminals": terminals, "tasks": tasks, "transactions": txns}),
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::server::engine_for;

    #[test]
    fn network_time_is_seen_wherever_a_profile_brings_it() {
        let mut e = engine_for(&Config::default()).expect("engine");
        assert!(
            e.faults_idle(),
            "the built-in profiles have no network time"
        );
        let mut slow = *e.world.latency["instant"];
        slow.network_ms = 50;
        e.world.latency.insert("slow".into(), slow.into());
        assert!(e.faults_idle(), "a profile nobody uses adds nothing");
        let tid = e
            .world
            .directory
            .terminals
            .keys()
            .next()
            .expect("a terminal")
            .clone();
        e.patch_terminal(&tid, None, None, Some("slow".into()))
            .expect("patch");
        assert!(!e.faults_idle(), "a terminal on it does");
        e.patch_terminal(&tid, None, None, Some("instant".into()))
            .expect("patch");
        assert!(e.faults_idle());
        e.settings.latency = "slow".into();
        assert!(!e.faults_idle(), "so does the default profile");
    }
}
