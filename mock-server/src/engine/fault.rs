//! Fault rules (cloud-mock.md §12): match a request by method, path glob, TID, amount and task class, then
//! respond with an error, add latency, or drop the connection — with a seeded probability and a remaining
//! count. `decide` is pure apart from the RNG and the counters; waiting happens in the HTTP layer, outside
//! the engine lock. No axum.

use serde::{Deserialize, Serialize};

use crate::rng::MockRng;

/// What a request looks like to the rules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestFacts {
    /// `GET`, `POST`, …
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// TID from the body (`Tid`), the form (`tid`) or the bearer token.
    pub tid: Option<String>,
    /// `amount` of a task body.
    pub amount: Option<i64>,
    /// `TRANSACTION` / `BATCH` for task creation.
    pub task_class: Option<String>,
}

/// Which requests a rule applies to; absent fields match anything.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultMatch {
    /// HTTP method (case-insensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Path glob: `*` matches within a segment, `**` across segments (`/v1/tasks/*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Terminal id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tid: Option<String>,
    /// Task amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<i64>,
    /// `TRANSACTION` or `BATCH`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_class: Option<String>,
}

/// An error response a rule forces.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Respond {
    /// HTTP status, 400..=599.
    pub status: u16,
    /// Vendor `type`, e.g. `PUSH_NOTIFICATION_FAILED`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `message` (a default per status when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Added latency: fixed milliseconds or a `[min, max]` range drawn by the seeded RNG.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum Delay {
    /// Always this long.
    Fixed(u64),
    /// Uniform in `[min, max]`.
    Range([u64; 2]),
}

/// What a rule does (exactly one of the three).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultAction {
    /// Answer with this error instead of the real response.
    Respond(Respond),
    /// Wait, then answer normally.
    DelayMs(Delay),
    /// Close the connection without answering.
    Drop(bool),
}

/// A fault rule as given by the admin API or a faults file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// Which requests.
    #[serde(default, rename = "match")]
    pub matches: FaultMatch,
    /// What happens.
    pub action: FaultAction,
    /// Chance per matching request, 0–1 (default 1), drawn from the seeded RNG.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// How many more times it may apply (default: unlimited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
}

impl FaultSpec {
    /// Checks values serde cannot: status range, probability range, delay range. Returns `(field, reason)`.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        match &self.action {
            FaultAction::Respond(r) if !(400..=599).contains(&r.status) => {
                return Err((
                    "action.respond.status",
                    format!("status {} must be 400..=599", r.status),
                ));
            }
            FaultAction::Respond(r) if r.kind.is_empty() => {
                return Err(("action.respond.type", "type must not be empty".into()));
            }
            FaultAction::DelayMs(Delay::Range([a, b])) if a > b => {
                return Err((
                    "action.delay_ms",
                    format!("range [{a}, {b}]: min must not exceed max"),
                ));
            }
            FaultAction::DelayMs(Delay::Fixed(ms) | Delay::Range([_, ms])) if *ms > 600_000 => {
                return Err(("action.delay_ms", "at most 600000 ms".into()));
            }
            FaultAction::Drop(false) => return Err(("action.drop", "drop must be true".into())),
            _ => {}
        }
        if let Some(p) = self.probability
            && !(0.0..=1.0).contains(&p)
        {
            return Err(("probability", format!("{p} must be between 0 and 1")));
        }
        if self.times == Some(0) {
            return Err((
                "times",
                "times must be at least 1 (omit it for unlimited)".into(),
            ));
        }
        Ok(())
    }
}

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

/// What to do with one request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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

/// Path glob: `*` = one segment or part of it, `**` = any number of segments.
pub fn glob(pattern: &str, path: &str) -> bool {
    fn segs(p: &[&str], s: &[&str]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some(&"**"), _) => segs(&p[1..], s) || (!s.is_empty() && segs(p, &s[1..])),
            (Some(pp), Some(ss)) => part(pp.as_bytes(), ss.as_bytes()) && segs(&p[1..], &s[1..]),
            _ => false,
        }
    }
    fn part(p: &[u8], s: &[u8]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some(b'*'), _) => part(&p[1..], s) || (!s.is_empty() && part(p, &s[1..])),
            (Some(a), Some(b)) => a == b && part(&p[1..], &s[1..]),
            _ => false,
        }
    }
    let p: Vec<&str> = pattern.split('/').collect();
    let s: Vec<&str> = path.split('/').collect();
    segs(&p, &s)
}

impl FaultMatch {
    fn matches(&self, f: &RequestFacts) -> bool {
        self.method
            .as_ref()
            .is_none_or(|m| m.eq_ignore_ascii_case(&f.method))
            && self.path.as_ref().is_none_or(|p| glob(p, &f.path))
            && self.tid.as_ref().is_none_or(|t| f.tid.as_ref() == Some(t))
            && self.amount.is_none_or(|a| f.amount == Some(a))
            && self.task_class.as_ref().is_none_or(|c| {
                f.task_class
                    .as_deref()
                    .is_some_and(|x| x.eq_ignore_ascii_case(c))
            })
    }
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
