//! A remote gptom-mock whose admin API the runner has is shared with other users: nothing is reset. Before a
//! scenario, the terminals it uses are noted (latency, mode, reachability) and put on the scenario's latency,
//! and the journal's end is noted so that `get_journal` reads only what the scenario did; after it, the fault
//! rules it added are removed and its terminals put back as they were. Other terminals are never touched.

use std::collections::BTreeSet;

use mock_server::contract::admin::PatchTerminalBody;
use serde_json::{Value, json};

use crate::admin::{NO_BODY, path};
use crate::scenario::Scenario;
use crate::scenario::vars::{Vars, substitute};
use crate::target::Target;

/// What a scenario found on a shared mock, to put back.
pub(super) struct House {
    /// Terminal → its `{latency, mode, reachable}` before the scenario.
    saved: Vec<(String, Value)>,
    /// The journal's `lastSeq` before the scenario.
    pub(super) journal_seq: u64,
}

impl House {
    /// Notes the scenario's terminals and the journal's end; sets the scenario's latency on those terminals.
    pub(super) async fn open(
        client: &reqwest::Client,
        target: &Target,
        s: &Scenario,
        vars: &Vars,
    ) -> Result<Self, String> {
        let mut tids = BTreeSet::new();
        for step in &s.steps {
            for t in step.value.tids() {
                // a TID only a later step captures cannot be known now; the target's own is always there
                if let Ok(t) = substitute(t, vars) {
                    tids.insert(t);
                }
            }
        }
        if let Some(t) = vars.get("tid").and_then(Value::as_str) {
            tids.insert(t.to_owned());
        }
        let api = target.admin(client);
        let mut saved = Vec::new();
        for tid in tids {
            // a TID that is not one of this mock's terminals (a scenario sends bad ones on purpose) has nothing to
            // note or change: 404 (an older mock answered an empty list)
            let state = api.found("GET", &path::state(&tid), NO_BODY).await?;
            let Some(t) = state.as_ref().and_then(|s| s.pointer("/terminals/0")) else {
                continue;
            };
            let before =
                json!({"latency": t["latency"], "mode": t["mode"], "reachable": t["reachable"]});
            if t["latency"] != s.latency.as_str() {
                let body = PatchTerminalBody {
                    latency: Some(s.latency.as_str().to_owned()),
                    ..PatchTerminalBody::default()
                };
                api.ok("PATCH", &path::terminal(&tid), Some(&body)).await?;
            }
            saved.push((tid, before));
        }
        let journal = api
            .ok("GET", &path::journal(&[("limit", "0")]), NO_BODY)
            .await?;
        Ok(Self {
            saved,
            journal_seq: journal.get("lastSeq").and_then(Value::as_u64).unwrap_or(0),
        })
    }

    /// Removes the fault rules the scenario added and puts its terminals back.
    pub(super) async fn close(
        self,
        client: &reqwest::Client,
        target: &Target,
        faults: &[String],
    ) -> Result<(), String> {
        let api = target.admin(client);
        for id in faults {
            // a rule spent by its `times` is gone already (404)
            api.found("DELETE", &path::fault(id), NO_BODY).await?;
        }
        for (tid, before) in self.saved {
            api.ok("PATCH", &path::terminal(&tid), Some(&before))
                .await?;
        }
        Ok(())
    }
}
