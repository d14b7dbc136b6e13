//! The fault rule set (cloud-mock.md §12): rules in creation order, their counters and the decision for one
//! request. The rule itself is [`crate::contract::fault`]. `decide` is pure apart from the RNG and the
//! counters; waiting happens in the HTTP layer, outside the engine lock. No axum.

use serde::Serialize;

pub use crate::contract::fault::{
    Delay, FaultAction, FaultMatch, FaultSpec, RequestFacts, Respond, glob,
};
use crate::rng::MockRng;

/// A stored rule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FaultRule {
    /// `f1`, `f2`, …
    pub id: String,
    /// The rule.
    #[serde(flatten)]
    pub spec: FaultSpec,
    /// How often it has applied.
    pub applied: u64,
}

/// What to do with one request (serialisable: `--state` keeps the plan of a request that waited).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Plan {
    /// Wait this long first (milliseconds, wall time: network latency, not mock time).
    pub delay_ms: u64,
    /// Answer with this error.
    pub respond: Option<Respond>,
    /// Close the connection without an answer.
    pub drop: bool,
    /// The rule that applied.
    pub rule: Option<String>,
}

/// The rule set, in creation order.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    rules: Vec<FaultRule>,
    next_id: u64,
}

impl Faults {
    /// Adds a checked rule; returns its id.
    pub fn add(&mut self, spec: FaultSpec) -> String {
        self.next_id += 1;
        let id = format!("f{}", self.next_id);
        self.rules.push(FaultRule {
            id: id.clone(),
            spec,
            applied: 0,
        });
        id
    }

    /// All rules.
    pub fn list(&self) -> &[FaultRule] {
        &self.rules
    }

    /// Removes one rule; false if unknown.
    pub fn remove(&mut self, id: &str) -> bool {
        let before = self.rules.len();
        self.rules.retain(|r| r.id != id);
        self.rules.len() != before
    }

    /// Removes every rule (or those of one TID).
    pub fn clear(&mut self, tid: Option<&str>) {
        match tid {
            None => self.rules.clear(),
            Some(t) => self
                .rules
                .retain(|r| r.spec.matches.tid.as_deref() != Some(t)),
        }
    }

    /// The first matching rule (after its dice roll) decides; counts run down and spent rules disappear.
    pub fn decide(&mut self, facts: &RequestFacts, rng: &mut MockRng) -> Plan {
        let mut chosen = None;
        for (i, rule) in self.rules.iter().enumerate() {
            if !rule.spec.matches.matches(facts) {
                continue;
            }
            let p = rule.spec.probability.unwrap_or(1.0);
            if p >= 1.0 || rng.chance(p) {
                chosen = Some(i);
                break;
            }
        }
        let Some(i) = chosen else {
            return Plan::default();
        };
        let rule = &mut self.rules[i];
        rule.applied += 1;
        let mut plan = Plan {
            rule: Some(rule.id.clone()),
            ..Plan::default()
        };
        match &rule.spec.action {
            FaultAction::Respond(r) => plan.respond = Some(r.clone()),
            FaultAction::DelayMs(Delay::Fixed(ms)) => plan.delay_ms = *ms,
            FaultAction::DelayMs(Delay::Range([a, b])) => plan.delay_ms = rng.between(*a, *b),
            FaultAction::Drop(_) => plan.drop = true,
        }
        if let Some(left) = rule.spec.times.as_mut() {
            *left -= 1;
            if *left == 0 {
                self.rules.remove(i);
            }
        }
        plan
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(path: &str, tid: Option<&str>, amount: Option<i64>) -> RequestFacts {
        RequestFacts {
            method: "POST".into(),
            path: path.into(),
            tid: tid.map(Into::into),
            amount,
            task_class: Some("TRANSACTION".into()),
            sandbox: None,
        }
    }

    fn spec(json: serde_json::Value) -> FaultSpec {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn globs() {
        assert!(glob("/v1/tasks/*", "/v1/tasks/TRANSACTION"));
        assert!(!glob("/v1/tasks/*", "/v1/tasks/a/b"));
        assert!(glob("/v1/**", "/v1/tasks/a/b"));
        assert!(glob("/*/oauth/token", "/cloud/oauth/token"));
        assert!(glob("/v1/tasks/TRANS*", "/v1/tasks/TRANSACTION"));
        assert!(!glob("/v1/transactions/*", "/v1/tasks/x"));
    }

    #[test]
    fn first_match_wins_counts_run_out_and_tids_are_isolated() {
        let mut f = Faults::default();
        let mut rng = MockRng::new(1);
        f.add(spec(serde_json::json!({"match": {"tid": "1", "amount": 1111}, "action": {"respond": {"status": 502, "type": "PUSH_NOTIFICATION_FAILED"}}, "times": 2})));
        f.add(spec(
            serde_json::json!({"match": {"path": "/v1/**"}, "action": {"delay_ms": [5, 10]}}),
        ));
        let hit = f.decide(
            &facts("/v1/tasks/TRANSACTION", Some("1"), Some(1111)),
            &mut rng,
        );
        assert_eq!(hit.respond.map(|r| r.status), Some(502));
        let other_tid = f.decide(
            &facts("/v1/tasks/TRANSACTION", Some("2"), Some(1111)),
            &mut rng,
        );
        assert!(other_tid.respond.is_none() && (5..=10).contains(&other_tid.delay_ms));
        assert_eq!(
            f.decide(
                &facts("/v1/tasks/TRANSACTION", Some("1"), Some(1111)),
                &mut rng
            )
            .rule
            .as_deref(),
            Some("f1")
        );
        assert_eq!(f.list().len(), 1, "f1 is spent after two uses");
        assert_eq!(
            f.decide(
                &facts("/v1/tasks/TRANSACTION", Some("1"), Some(1111)),
                &mut rng
            )
            .rule
            .as_deref(),
            Some("f2")
        );
        assert_eq!(
            f.decide(&facts("/cloud/oauth/token", None, None), &mut rng),
            Plan::default()
        );
    }

    #[test]
    fn probability_is_reproducible_from_the_seed() {
        let run = |seed| {
            let mut f = Faults::default();
            f.add(spec(
                serde_json::json!({"action": {"drop": true}, "probability": 0.5}),
            ));
            let mut rng = MockRng::new(seed);
            (0..64)
                .map(|_| f.decide(&facts("/x", None, None), &mut rng).drop)
                .collect::<Vec<_>>()
        };
        let a = run(9);
        assert_eq!(a, run(9));
        let hits = a.iter().filter(|d| **d).count();
        assert!((16..=48).contains(&hits), "about half of 64: {hits}");
    }

    #[test]
    fn checks_name_the_field() {
        let bad = [
            (
                serde_json::json!({"action": {"respond": {"status": 200, "type": "X"}}}),
                "action.respond.status",
            ),
            (
                serde_json::json!({"action": {"delay_ms": [10, 5]}}),
                "action.delay_ms",
            ),
            (
                serde_json::json!({"action": {"drop": true}, "probability": 2.0}),
                "probability",
            ),
            (
                serde_json::json!({"action": {"drop": true}, "times": 0}),
                "times",
            ),
        ];
        for (json, field) in bad {
            assert_eq!(spec(json).check().unwrap_err().0, field);
        }
    }
}
