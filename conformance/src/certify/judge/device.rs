//! Device-channel checks, judged from the mock's iOS (`/ios/deeplink`) and app2app (`/app2app/*`) bridge
//! entries: IOS-REDIRECT-PATH, IOS-FIELD-NAMES, IOS-AMOUNT-MINOR-UNITS (reference.md §5),
//! A2A-REGISTER-BEFORE-REQUEST, A2A-STATE-POLL-RATE, A2A-INQUIRE-AFTER-COMPLETED (reference.md §4.2–4.6).
//!
//! The deep link's URL is re-read here rather than trusting only the mock's `warnings`: a deep link that was
//! still running (`202 {"pending"}`) carries its warnings on the later `GET /ios/deeplink/{id}` instead. The
//! mock's warnings still count as evidence (they know every URI's parameter list).

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::{Entry, Finding, Outcome, secs};

/// The documented stateRequest interval (reference.md §4.5: "ask again, e.g. every 500 ms").
const STATE_INTERVAL_MS: i64 = 500;
/// Below this the POS polls clearly faster than documented; between it and 500 ms: timer jitter (warn).
const STATE_FAIL_BELOW_MS: i64 = 400;

/// The iOS SDK's receipt types (`preferableReceiptType`).
const IOS_RECEIPT_TYPES: &[&str] = &["SMS", "EMAIL", "QR", "PRINT"];

/// The mock's warning for a `redirectUrl` without the operation path.
const REDIRECT_WARNING: &str = "does not contain the operation path";
/// The mock's warning for a wrong-case parameter name.
const WRONG_CASE_WARNING: &str = "is ignored by GP tom: the SDK reads";
/// The mock's warnings for a receipt type the SDK does not know.
const RECEIPT_TYPE_WARNING: &str = "preferableReceiptType";
/// The mock's warning for a parameter no URI knows.
const UNKNOWN_PARAM_WARNING: &str = "unknown parameter";

/// A `POST /ios/deeplink`, parsed: the URI path (`transaction/create`) and its decoded parameters.
struct DeepLink<'a> {
    entry: &'a Entry,
    op: String,
    params: Vec<(String, String)>,
}

impl DeepLink<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `#3 gptom://transaction/create`.
    fn label(&self) -> String {
        format!("#{} gptom://{}", self.entry.seq, self.op)
    }

    /// The `error` of the result GP tom returned (`invalidAmount`, …).
    fn result_error(&self) -> Option<&str> {
        self.entry
            .response_body
            .pointer("/result/error")
            .and_then(Value::as_str)
    }
}

fn deep_links(entries: &[Entry]) -> Vec<DeepLink<'_>> {
    entries
        .iter()
        .filter(|e| e.method == "POST" && e.path == "/ios/deeplink")
        .filter_map(|e| {
            let url = e.request_body.get("url")?.as_str()?;
            let rest = url.strip_prefix("gptom://")?;
            let (op, query) = rest.split_once('?').unwrap_or((rest, ""));
            // keep `+` as iOS leaves it: decode only percent escapes
            let params =
                serde_urlencoded::from_str::<Vec<(String, String)>>(&query.replace('+', "%2B"))
                    .unwrap_or_default();
            Some(DeepLink {
                entry: e,
                op: op.trim_end_matches('/').to_owned(),
                params,
            })
        })
        .collect()
}

/// The path a deep link's `redirectUrl` must contain for the iOS SDK to know which result it is
/// (`None`: any; `detail` results are matched by id).
fn redirect_path(op: &str) -> Option<&'static str> {
    Some(match op {
        "transaction/create" => "transaction/create",
        "transaction/refund" => "transaction/refund",
        "transaction/cancel" => "transaction/cancel",
        "batch/close" => "batch/close",
        "login" => "login",
        "logout" => "logout",
        "change-password" => "change-password",
        // a status answer carries `appStatus=`, which is what the SDK routes on: any redirect works
        _ => return None,
    })
}

fn warned<'a>(e: &'a Entry, marker: &str) -> Vec<&'a str> {
    e.warnings
        .iter()
        .filter(|w| w.contains(marker))
        .map(String::as_str)
        .collect()
}

/// IOS-REDIRECT-PATH: every deep link's `redirectUrl` contains its operation path.
pub(crate) fn ios_redirect_path(entries: &[Entry]) -> Outcome {
    let links = deep_links(entries);
    if links.is_empty() {
        return Outcome::NotApplicable("no iOS deep links in the journal");
    }
    let out = links
        .iter()
        .map(|l| {
            let seqs = vec![l.entry.seq];
            let need = redirect_path(&l.op);
            match l.get("redirectUrl").filter(|r| !r.is_empty()) {
                None if need.is_some() => Finding::warn(
                    seqs,
                    format!(
                        "{} has no redirectUrl: GP tom cannot return the result to the app",
                        l.label()
                    ),
                ),
                None => Finding::pass(seqs, format!("{}: no redirect needed", l.label())),
                Some(r)
                    if need.is_some_and(|p| !r.contains(p))
                        || !warned(l.entry, REDIRECT_WARNING).is_empty() =>
                {
                    Finding::fail(
                        seqs,
                        format!(
                            "{}: redirectUrl {r:?} does not contain \"{}\"",
                            l.label(),
                            need.unwrap_or("the operation path")
                        ),
                    )
                }
                Some(r) => Finding::pass(seqs, format!("{}: redirectUrl {r:?}", l.label())),
            }
        })
        .collect();
    Outcome::Judged(out)
}

/// IOS-FIELD-NAMES: the SDK's case-sensitive names (`requestID`) and receipt types (`QR`, `SMS`).
pub(crate) fn ios_field_names(entries: &[Entry]) -> Outcome {
    let links = deep_links(entries);
    if links.is_empty() {
        return Outcome::NotApplicable("no iOS deep links in the journal");
    }
    let mut out = Vec::new();
    for l in &links {
        let seqs = vec![l.entry.seq];
        let mut fails: Vec<String> = Vec::new();
        for (k, _) in &l.params {
            if k != "requestID" && k.eq_ignore_ascii_case("requestID") {
                fails.push(format!("\"{k}\" instead of \"requestID\""));
            }
        }
        if let Some(t) = l.get("preferableReceiptType")
            && !IOS_RECEIPT_TYPES.contains(&t)
        {
            let hint = if t == "PHONE" {
                "SMS".to_owned()
            } else {
                t.to_uppercase()
            };
            fails.push(format!(
                "preferableReceiptType \"{t}\" (the SDK knows {hint})"
            ));
        }
        let mock_says: Vec<&str> = warned(l.entry, WRONG_CASE_WARNING)
            .into_iter()
            .chain(warned(l.entry, RECEIPT_TYPE_WARNING))
            .collect();
        if fails.is_empty() && !mock_says.is_empty() {
            fails.extend(mock_says.iter().map(|w| (*w).to_owned()));
        }
        let unknown = warned(l.entry, UNKNOWN_PARAM_WARNING);
        out.push(if !fails.is_empty() {
            Finding::fail(
                seqs,
                format!("{}: {} — GP tom ignores it", l.label(), fails.join("; ")),
            )
        } else if !unknown.is_empty() {
            Finding::warn(seqs, format!("{}: {}", l.label(), unknown.join("; ")))
        } else {
            Finding::pass(seqs, format!("{}: documented names", l.label()))
        });
    }
    Outcome::Judged(out)
}

/// IOS-AMOUNT-MINOR-UNITS: `amount` and `tipAmount` are digits in minor units, never decimals.
pub(crate) fn ios_amount_minor_units(entries: &[Entry]) -> Outcome {
    let mut out = Vec::new();
    for l in deep_links(entries) {
        for name in ["amount", "tipAmount"] {
            let Some(v) = l.get(name) else { continue };
            let seqs = vec![l.entry.seq];
            let answered = match l.result_error() {
                Some(err) => format!(" (GP tom answered {err})"),
                None => String::new(),
            };
            out.push(if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
                Finding::pass(seqs, format!("{}: {name}={v}", l.label()))
            } else if v.contains(['.', ',']) {
                let minor = v.replace([',', '.'], "");
                Finding::fail(
                    seqs,
                    format!(
                        "{}: {name}={v} is a decimal amount{answered}; in minor units it is {minor}",
                        l.label()
                    ),
                )
            } else {
                Finding::fail(
                    seqs,
                    format!(
                        "{}: {name}={v:?} is not an integer in minor units{answered}",
                        l.label()
                    ),
                )
            });
        }
    }
    if out.is_empty() {
        return Outcome::NotApplicable("no iOS deep links with an amount in the journal");
    }
    Outcome::Judged(out)
}

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

/// IOS-VOID-AMSID: every `transaction/cancel` names the sale by its receipt's `amsID` (void of the last sale
/// included: the SDK's `CancelTransactionParams` has no "last" mode, GP tom refuses a cancel without it).
pub(crate) fn ios_void_amsid(entries: &[Entry]) -> Outcome {
    let out: Vec<Finding> = deep_links(entries)
        .iter()
        .filter(|l| l.op == "transaction/cancel")
        .map(|l| {
            let seqs = vec![l.entry.seq];
            match l.get("amsID").filter(|a| !a.is_empty()) {
                Some(a) => Finding::pass(seqs, format!("{}: amsID={a}", l.label())),
                None => Finding::fail(
                    seqs,
                    format!(
                        "{}: no amsID — GP tom cannot tell which sale to void (answered {})",
                        l.label(),
                        l.result_error().unwrap_or("an error")
                    ),
                ),
            }
        })
        .collect();
    if out.is_empty() {
        return Outcome::NotApplicable("no iOS transaction/cancel in the journal");
    }
    Outcome::Judged(out)
}

/// The deep links that start something on the device and whose answer comes back later.
const DEVICE_WORK: &[&str] = &[
    "transaction/create",
    "transaction/refund",
    "transaction/cancel",
    "batch/close",
];

/// IOS-REDIRECT-WAIT: after a payment, void or batch-close link, the POS waits for its redirect (GP tom answers
/// when the device is done, up to the 60 s device timeout and more) before it opens the next such link.
/// Seen in the journal as a new link while the earlier one was still pending (`202 {"pending"}`, no final
/// answer yet): the POS gave up on the redirect too early and the two operations overlap on the terminal.
pub(crate) fn ios_redirect_wait(entries: &[Entry]) -> Outcome {
    let mut pending: Vec<(String, &Entry)> = Vec::new();
    let mut out = Vec::new();
    for e in entries {
        if let Some(id) = e.path.strip_prefix("/ios/deeplink/") {
            if e.status == 200 {
                pending.retain(|(p, _)| p != id);
            }
            continue;
        }
        let Some(l) = deep_links(std::slice::from_ref(e)).into_iter().next() else {
            continue;
        };
        if !DEVICE_WORK.contains(&l.op.as_str()) {
            continue;
        }
        let same_device: Vec<&(String, &Entry)> =
            pending.iter().filter(|(_, p)| p.tid == e.tid).collect();
        out.push(match same_device.first() {
            Some((_, earlier)) => Finding::fail(
                vec![earlier.seq, e.seq],
                format!(
                    "{} opened {} after #{}, whose answer had not come back yet: the POS stopped waiting for the redirect (GP tom answers when the device is done, up to its 60 s timeout)",
                    l.label(),
                    secs(earlier.ms, e.ms),
                    earlier.seq
                ),
            ),
            None => Finding::pass(vec![e.seq], format!("{}: nothing else pending", l.label())),
        });
        if e.status == 202
            && let Some(id) = e.response_body.get("pending").and_then(Value::as_str)
        {
            pending.push((id.to_owned(), e));
        }
    }
    if out.is_empty() {
        return Outcome::NotApplicable("no iOS payment, void or batch-close links in the journal");
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

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::super::CheckVerdict;
    use super::super::fixture::J;

    fn deeplink(j: &mut J, at: f64, url: &str, result: Value, warnings: &[&str]) {
        let e = j.push(
            at,
            "POST",
            "/ios/deeplink",
            json!({"url": url}),
            200,
            json!({"redirect": "myapp://", "result": result, "warnings": warnings}),
        );
        e.channel = "ios".into();
        e.headers.clear();
        e.warnings = warnings.iter().map(|w| (*w).to_owned()).collect();
    }

    fn a2a(j: &mut J, at: f64, method: &str, path: &str, body: Value, response: Value) {
        let e = j.push(at, method, path, body, 200, response);
        e.channel = "app2app".into();
        e.headers.clear();
    }

    fn register(j: &mut J, at: f64, id: &str) {
        a2a(
            j,
            at,
            "POST",
            "/app2app/register",
            json!({}),
            json!({"resultCode": 0, "transactionId": id, "clientID": "c", "responseMessage": "OK", "error": null}),
        );
    }

    fn request(j: &mut J, at: f64, id: &str, response: Value) {
        a2a(
            j,
            at,
            "POST",
            "/app2app/transaction",
            json!({"transactionID": id, "transactionType": 1, "amount": 1111}),
            response,
        );
    }

    fn state(j: &mut J, at: f64, id: &str, state: i64) {
        a2a(
            j,
            at,
            "GET",
            &format!("/app2app/state/{id}"),
            Value::Null,
            json!({"resultCode": 0, "transactionId": id, "state": state, "isRepeatable": state == 3}),
        );
    }

    fn inquire(j: &mut J, at: f64, id: &str) {
        a2a(
            j,
            at,
            "GET",
            &format!("/app2app/inquire/{id}"),
            Value::Null,
            json!({"result": 0, "trasanctionID": id}),
        );
    }

    const GOOD_CREATE: &str = "gptom://transaction/create?amount=1111&requestID=r1&redirectUrl=myapp%3A%2F%2Fgptom%2Ftransaction%2Fcreate";

    #[test]
    fn ios_redirect_path_needs_the_operation_path() {
        let mut good = J::new();
        deeplink(
            &mut good,
            0.0,
            GOOD_CREATE,
            json!({"status": "COMPLETED"}),
            &[],
        );
        deeplink(
            &mut good,
            5.0,
            "gptom://status?redirectUrl=myapp://appStatus",
            json!({}),
            &[],
        );
        assert_eq!(good.verdict("IOS-REDIRECT-PATH"), CheckVerdict::Pass);

        let mut bad = J::new();
        deeplink(
            &mut bad,
            0.0,
            "gptom://transaction/create?amount=1111&redirectUrl=myapp://done",
            json!({"status": "COMPLETED"}),
            &[
                "redirectUrl \"myapp://done\" does not contain the operation path: the iOS SDK cannot tell which result it is",
            ],
        );
        let r = bad.result("IOS-REDIRECT-PATH");
        assert_eq!(r.verdict, CheckVerdict::Fail);
        assert_eq!(r.evidence[0].seqs, [1]);
        assert!(
            r.summary.contains("\"transaction/create\""),
            "{}",
            r.summary
        );
        assert!(r.fix.is_some());
        assert_eq!(
            J::new().verdict("IOS-REDIRECT-PATH"),
            CheckVerdict::NotApplicable
        );
    }

    #[test]
    fn ios_field_names_catch_request_id_and_receipt_types() {
        let mut good = J::new();
        deeplink(
            &mut good,
            0.0,
            &format!("{GOOD_CREATE}&preferableReceiptType=QR"),
            json!({"status": "COMPLETED"}),
            &[],
        );
        assert_eq!(good.verdict("IOS-FIELD-NAMES"), CheckVerdict::Pass);

        let mut bad = J::new();
        deeplink(
            &mut bad,
            0.0,
            "gptom://transaction/create?amount=1111&requestId=r1&preferableReceiptType=qr&redirectUrl=myapp://gptom/transaction/create",
            json!({"status": "COMPLETED"}),
            &[],
        );
        deeplink(
            &mut bad,
            9.0,
            "gptom://transaction/create?amount=1111&preferableReceiptType=PHONE&redirectUrl=myapp://gptom/transaction/create",
            json!({"status": "COMPLETED"}),
            &[],
        );
        let r = bad.result("IOS-FIELD-NAMES");
        assert_eq!(r.verdict, CheckVerdict::Fail);
        assert!(
            r.summary.contains("\"requestId\" instead of \"requestID\""),
            "{}",
            r.summary
        );
        assert!(
            r.summary.contains("\"qr\" (the SDK knows QR)"),
            "{}",
            r.summary
        );
        assert!(
            r.evidence[1].note.contains("the SDK knows SMS"),
            "{:?}",
            r.evidence
        );

        let mut unknown = J::new();
        deeplink(
            &mut unknown,
            0.0,
            &format!("{GOOD_CREATE}&foo=1"),
            json!({"status": "COMPLETED"}),
            &["unknown parameter \"foo\" is ignored by GP tom"],
        );
        assert_eq!(unknown.verdict("IOS-FIELD-NAMES"), CheckVerdict::Warn);
    }

    #[test]
    fn ios_amounts_are_minor_units() {
        let mut good = J::new();
        deeplink(
            &mut good,
            0.0,
            GOOD_CREATE,
            json!({"status": "COMPLETED"}),
            &[],
        );
        assert_eq!(good.verdict("IOS-AMOUNT-MINOR-UNITS"), CheckVerdict::Pass);

        let mut bad = J::new();
        deeplink(
            &mut bad,
            0.0,
            "gptom://transaction/create?amount=11.11&redirectUrl=myapp://gptom/transaction/create",
            json!({"status": "ERROR", "error": "invalidAmount"}),
            &[],
        );
        let r = bad.result("IOS-AMOUNT-MINOR-UNITS");
        assert_eq!(r.verdict, CheckVerdict::Fail);
        assert!(
            r.summary.contains("amount=11.11 is a decimal amount (GP tom answered invalidAmount); in minor units it is 1111"),
            "{}",
            r.summary
        );
    }

    #[test]
    fn a2a_ids_are_registered_and_not_reused_unless_repeatable() {
        let done = json!({"result": 0, "transactionID": "id-1", "externalTransactionID": "x-1", "error": null});
        let mut good = J::new();
        register(&mut good, 0.0, "id-1");
        request(&mut good, 1.0, "id-1", json!({"pending": "id-1"}));
        state(&mut good, 2.0, "id-1", 3);
        request(&mut good, 3.0, "id-1", done.clone()); // INIT_ERROR is repeatable
        register(&mut good, 10.0, "id-2");
        request(&mut good, 11.0, "id-2", done.clone());
        assert_eq!(
            good.verdict("A2A-REGISTER-BEFORE-REQUEST"),
            CheckVerdict::Pass
        );

        let mut bad = J::new();
        register(&mut bad, 0.0, "id-1");
        request(&mut bad, 1.0, "id-1", done.clone());
        state(&mut bad, 2.0, "id-1", 6);
        request(
            &mut bad,
            10.0,
            "id-1",
            json!({"result": -2, "responseMessage": "transactionID already used; register a new one"}),
        );
        request(&mut bad, 20.0, "never", json!({"result": -2}));
        let r = bad.result("A2A-REGISTER-BEFORE-REQUEST");
        assert_eq!(r.verdict, CheckVerdict::Fail);
        assert!(
            r.summary
                .contains("#4 reuses transactionID id-1 (already sent at #2)"),
            "{}",
            r.summary
        );
        assert_eq!(r.evidence[0].seqs, [2, 4]);
        assert!(
            r.evidence[1].note.contains("never registered"),
            "{:?}",
            r.evidence
        );
    }

    #[test]
    fn a2a_state_requests_are_at_least_500_ms_apart() {
        let mut good = J::new();
        register(&mut good, 0.0, "id-1");
        request(&mut good, 0.1, "id-1", json!({"pending": "id-1"}));
        for i in 0..6 {
            state(
                &mut good,
                0.5 + f64::from(i) * 0.5,
                "id-1",
                if i < 5 { 5 } else { 6 },
            );
        }
        assert_eq!(good.verdict("A2A-STATE-POLL-RATE"), CheckVerdict::Pass);

        let mut bad = J::new();
        register(&mut bad, 0.0, "id-1");
        request(&mut bad, 0.1, "id-1", json!({"pending": "id-1"}));
        for i in 0..6 {
            state(
                &mut bad,
                0.5 + f64::from(i) * 0.1,
                "id-1",
                if i < 5 { 5 } else { 6 },
            );
        }
        let r = bad.result("A2A-STATE-POLL-RATE");
        assert_eq!(r.verdict, CheckVerdict::Fail);
        assert!(
            r.summary
                .contains("0.1 s apart (#3 → #4): faster than the documented 500 ms"),
            "{}",
            r.summary
        );

        let mut jitter = J::new();
        state(&mut jitter, 0.0, "id-1", 5);
        state(&mut jitter, 0.45, "id-1", 6);
        assert_eq!(jitter.verdict("A2A-STATE-POLL-RATE"), CheckVerdict::Warn);
    }

    #[test]
    fn a2a_inquire_waits_for_state_6() {
        let mut good = J::new();
        register(&mut good, 0.0, "id-1");
        request(&mut good, 0.1, "id-1", json!({"pending": "id-1"}));
        state(&mut good, 1.0, "id-1", 5);
        state(&mut good, 1.5, "id-1", 6);
        inquire(&mut good, 2.0, "id-1");
        inquire(&mut good, 3.0, "some-older-transaction"); // not started here: not judged
        assert_eq!(
            good.verdict("A2A-INQUIRE-AFTER-COMPLETED"),
            CheckVerdict::Pass
        );

        let mut bad = J::new();
        register(&mut bad, 0.0, "id-1");
        request(&mut bad, 0.1, "id-1", json!({"pending": "id-1"}));
        state(&mut bad, 1.0, "id-1", 5);
        inquire(&mut bad, 1.5, "id-1");
        let r = bad.result("A2A-INQUIRE-AFTER-COMPLETED");
        assert_eq!(r.verdict, CheckVerdict::Fail);
        assert!(
            r.summary.contains("answered state 5, not 6"),
            "{}",
            r.summary
        );
        assert_eq!(r.evidence[0].seqs, [3, 4]);
    }
}
