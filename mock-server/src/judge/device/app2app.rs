//! The app2app checks: A2A-REGISTER-BEFORE-REQUEST, A2A-STATE-POLL-RATE, A2A-INQUIRE-AFTER-COMPLETED,
//! A2A-STATE-AFTER-FINAL, A2A-FIELD-NAMES (reference.md §4.2–4.6), from the mock's `/app2app/*` entries.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::super::{Entry, Finding, Outcome, secs};

/// The documented stateRequest interval (reference.md §4.5: "ask again, e.g. every 500 ms").
const STATE_INTERVAL_MS: i64 = 500;
/// Below this the POS polls clearly faster than documented; between it and 500 ms: timer jitter (warn).
const STATE_FAIL_BELOW_MS: i64 = 400;

fn is_a2a(e: &Entry, method: &str, prefix: &str) -> bool {
    e.method == method && e.path.starts_with(prefix)
}

/// The id in `/app2app/state/{id}` and the like.
fn a2a_id<'a>(e: &'a Entry, prefix: &str) -> Option<&'a str> {
    e.path.strip_prefix(prefix).filter(|id| !id.is_empty())
}

/// The id a `register` answer handed out (resultCode 0).
fn registered_id(e: &Entry) -> Option<&str> {
    if !(is_a2a(e, "POST", "/app2app/register") && e.status == 200) {
        return None;
    }
    let ok = e.response_body.get("resultCode").and_then(Value::as_i64) == Some(0);
    ok.then(|| e.response_body.get("transactionId").and_then(Value::as_str))
        .flatten()
}

fn is_transaction_request(e: &Entry) -> bool {
    e.method == "POST" && e.path == "/app2app/transaction"
}

/// A2A-REGISTER-BEFORE-REQUEST: every transactionRequestV2 carries a freshly registered `transactionID`,
/// reused only after stateRequest said `isRepeatable: true`.
pub(crate) fn a2a_register_before_request(entries: &[Entry]) -> Outcome {
    let mut registered: HashMap<&str, u64> = HashMap::new();
    let mut used: HashMap<&str, u64> = HashMap::new();
    let mut repeatable: HashSet<&str> = HashSet::new();
    let mut out = Vec::new();
    for e in entries {
        if let Some(id) = registered_id(e) {
            registered.insert(id, e.seq);
            continue;
        }
        if is_a2a(e, "GET", "/app2app/state/")
            && let Some(id) = a2a_id(e, "/app2app/state/")
            && e.response_body.get("isRepeatable").and_then(Value::as_bool) == Some(true)
        {
            repeatable.insert(id);
            continue;
        }
        if !is_transaction_request(e) {
            continue;
        }
        let Some(id) = e.body_str("transactionID").filter(|s| !s.is_empty()) else {
            let hint = if e.request_body.get("transactionId").is_some() {
                " (\"transactionId\" is not the entity's field: \"transactionID\")"
            } else {
                ""
            };
            out.push(Finding::fail(
                vec![e.seq],
                format!(
                    "#{} transactionRequestV2 without a transactionID{hint}",
                    e.seq
                ),
            ));
            continue;
        };
        out.push(match (registered.get(id), used.get(id)) {
            (None, _) => Finding::fail(
                vec![e.seq],
                format!(
                    "#{} transactionRequestV2 with transactionID {id}, which was never registered (transactionRegisterV2)",
                    e.seq
                ),
            ),
            (Some(&r), None) => Finding::pass(
                vec![r, e.seq],
                format!("#{} uses the id registered at #{r}", e.seq),
            ),
            (Some(_), Some(&u)) if repeatable.remove(id) => Finding::pass(
                vec![u, e.seq],
                format!(
                    "#{} repeats {id} (first sent #{u}) after stateRequest said isRepeatable",
                    e.seq
                ),
            ),
            (Some(_), Some(&u)) => Finding::fail(
                vec![u, e.seq],
                format!(
                    "#{} reuses transactionID {id} (already sent at #{u}) although no stateRequest said isRepeatable: true",
                    e.seq
                ),
            ),
        });
        used.insert(id, e.seq);
    }
    if out.is_empty() {
        return Outcome::NotApplicable("no app2app transactionRequestV2 in the journal");
    }
    Outcome::Judged(out)
}

/// A2A-STATE-POLL-RATE: stateRequests of one transaction at least 500 ms apart.
pub(crate) fn a2a_state_poll_rate(entries: &[Entry]) -> Outcome {
    let mut by_id: Vec<(&str, Vec<&Entry>)> = Vec::new();
    for e in entries
        .iter()
        .filter(|e| is_a2a(e, "GET", "/app2app/state/"))
    {
        let Some(id) = a2a_id(e, "/app2app/state/") else {
            continue;
        };
        match by_id.iter_mut().find(|(i, _)| *i == id) {
            Some((_, polls)) => polls.push(e),
            None => by_id.push((id, vec![e])),
        }
    }
    if by_id.is_empty() {
        return Outcome::NotApplicable("no app2app stateRequest in the journal");
    }
    let out = by_id
        .into_iter()
        .map(|(id, polls)| {
            let fastest = polls
                .windows(2)
                .min_by_key(|w| (w[1].ms - w[0].ms, w[1].seq));
            let Some([a, b]) = fastest else {
                return Finding::pass(
                    vec![polls[0].seq],
                    format!("{id}: one stateRequest (#{})", polls[0].seq),
                );
            };
            let gap = b.ms - a.ms;
            let note = format!(
                "{id}: {} stateRequests, the closest {} apart (#{} → #{})",
                polls.len(),
                secs(a.ms, b.ms),
                a.seq,
                b.seq
            );
            let seqs = vec![a.seq, b.seq];
            if gap >= STATE_INTERVAL_MS {
                Finding::pass(seqs, note)
            } else if gap >= STATE_FAIL_BELOW_MS {
                Finding::warn(seqs, format!("{note}: just under 500 ms"))
            } else {
                Finding::fail(seqs, format!("{note}: faster than the documented 500 ms"))
            }
        })
        .collect();
    Outcome::Judged(out)
}

/// A2A-INQUIRE-AFTER-COMPLETED: TransactionInquire only once stateRequest answered 6 (COMPLETED), or the
/// transactionRequestV2 result of a completed transaction arrived.
pub(crate) fn a2a_inquire_after_completed(entries: &[Entry]) -> Outcome {
    let mut known: HashSet<&str> = HashSet::new();
    let mut last_state: HashMap<&str, (i64, u64)> = HashMap::new();
    let mut completed: HashMap<&str, u64> = HashMap::new();
    let mut out = Vec::new();
    for e in entries {
        if let Some(id) = registered_id(e) {
            known.insert(id);
        } else if is_transaction_request(e) {
            if let Some(id) = e.body_str("transactionID") {
                known.insert(id);
            }
            note_result(e, &mut completed);
        } else if is_a2a(e, "GET", "/app2app/transaction/") {
            note_result(e, &mut completed);
        } else if is_a2a(e, "GET", "/app2app/state/")
            && let Some(id) = a2a_id(e, "/app2app/state/")
            && let Some(state) = e.response_body.get("state").and_then(Value::as_i64)
        {
            last_state.insert(id, (state, e.seq));
        } else if is_a2a(e, "GET", "/app2app/inquire/")
            && let Some(id) = a2a_id(e, "/app2app/inquire/")
        {
            if !known.contains(id) {
                continue; // a transaction id from before this journal, or an externalTransactionID
            }
            out.push(match (last_state.get(id), completed.get(id)) {
                (Some(&(6, s)), _) => Finding::pass(
                    vec![s, e.seq],
                    format!("#{} inquires {id} after state 6 at #{s}", e.seq),
                ),
                (_, Some(&r)) => Finding::pass(
                    vec![r, e.seq],
                    format!(
                        "#{} inquires {id} after the completed result at #{r}",
                        e.seq
                    ),
                ),
                (Some(&(state, s)), None) => Finding::fail(
                    vec![s, e.seq],
                    format!(
                        "#{} inquires {id} although the last stateRequest (#{s}) answered state {state}, not 6 (COMPLETED)",
                        e.seq
                    ),
                ),
                (None, None) => Finding::fail(
                    vec![e.seq],
                    format!(
                        "#{} inquires {id} without any stateRequest having answered 6 (COMPLETED)",
                        e.seq
                    ),
                ),
            });
        }
    }
    if out.is_empty() {
        return Outcome::NotApplicable(
            "no TransactionInquire of a transaction started in the journal",
        );
    }
    Outcome::Judged(out)
}

/// A2A-STATE-AFTER-FINAL: stateRequest stops at a final state (6, 7, 8); after 3 (INIT_ERROR) the POS sends the
/// request again (`isRepeatable`) or registers a new id instead of asking for the state again and again.
pub(crate) fn a2a_state_after_final(entries: &[Entry]) -> Outcome {
    // per id: (the answer that ended polling: state and seq, stateRequests since then)
    let mut ended: HashMap<&str, (i64, u64, Vec<u64>)> = HashMap::new();
    let mut judged: HashSet<&str> = HashSet::new();
    for e in entries {
        if is_transaction_request(e)
            && let Some(id) = e.body_str("transactionID")
        {
            ended.remove(id); // sent again: a new attempt starts
            continue;
        }
        let Some(id) = is_a2a(e, "GET", "/app2app/state/")
            .then(|| a2a_id(e, "/app2app/state/"))
            .flatten()
        else {
            continue;
        };
        judged.insert(id);
        if let Some((_, _, after)) = ended.get_mut(id) {
            after.push(e.seq);
            continue;
        }
        if let Some(state) = e.response_body.get("state").and_then(Value::as_i64)
            && [3, 6, 7, 8].contains(&state)
        {
            ended.insert(id, (state, e.seq, Vec::new()));
        }
    }
    if judged.is_empty() {
        return Outcome::NotApplicable("no app2app stateRequest in the journal");
    }
    let mut ids: Vec<&str> = judged.into_iter().collect();
    ids.sort_unstable();
    let out = ids
        .into_iter()
        .map(|id| match ended.get(id) {
            Some((state, at, after)) if !after.is_empty() => {
                let mut seqs = vec![*at];
                seqs.extend(after);
                let what = if *state == 3 {
                    "3 (INIT_ERROR, repeatable: send transactionRequestV2 again or register a new id)".to_owned()
                } else {
                    format!("{state}, a final state")
                };
                let note = format!(
                    "{id}: {} more stateRequest{} after #{at} answered {what}",
                    after.len(),
                    if after.len() == 1 { "" } else { "s" }
                );
                if *state != 3 && after.len() == 1 {
                    Finding::warn(seqs, note)
                } else {
                    Finding::fail(seqs, note)
                }
            }
            Some((state, at, _)) => Finding::pass(
                vec![*at],
                format!("{id}: stateRequest stopped at state {state} (#{at})"),
            ),
            None => Finding::pass(Vec::new(), format!("{id}: no final state asked for")),
        })
        .collect();
    Outcome::Judged(out)
}

/// The mock's warnings on an app2app request entity (values Gson drops, wrong-case field names).
const A2A_ENTITY_WARNINGS: &[&str] = &["dropped silently by Gson", "is ignored:", "is ignored by"];

/// A2A-FIELD-NAMES: transactionRequestV2 entities use the AIDL field names and enum values (Gson drops a
/// lower-case `preferableReceiptType` or a `clientInfo` without `contact` without a word).
pub(crate) fn a2a_field_names(entries: &[Entry]) -> Outcome {
    let out: Vec<Finding> = entries
        .iter()
        .filter(|e| is_transaction_request(e))
        .map(|e| {
            let said: Vec<&str> = e
                .warnings
                .iter()
                .filter(|w| A2A_ENTITY_WARNINGS.iter().any(|m| w.contains(m)))
                .map(String::as_str)
                .collect();
            if said.is_empty() {
                Finding::pass(
                    vec![e.seq],
                    format!("#{} transactionRequestV2: documented fields", e.seq),
                )
            } else {
                Finding::fail(
                    vec![e.seq],
                    format!("#{} transactionRequestV2: {}", e.seq, said.join("; ")),
                )
            }
        })
        .collect();
    if out.is_empty() {
        return Outcome::NotApplicable("no app2app transactionRequestV2 in the journal");
    }
    Outcome::Judged(out)
}

/// Records a final TransactionResultV2 of a completed transaction (it names the transaction it produced).
fn note_result<'a>(e: &'a Entry, completed: &mut HashMap<&'a str, u64>) {
    let body = &e.response_body;
    if e.status == 200
        && body.get("error").is_none_or(Value::is_null)
        && body
            .get("externalTransactionID")
            .and_then(Value::as_str)
            .is_some()
        && let Some(id) = body.get("transactionID").and_then(Value::as_str)
    {
        completed.entry(id).or_insert(e.seq);
    }
}
