//! Client certification: judges a POS from the mock's request journal (certification.md §2, "Client checks"),
//! including its iOS deep links and app2app calls through the mock's device bridges (`judge/device.rs`).
//! Pure: journal entries in, a [`Judgement`] out (checks with a verdict, evidence and what to fix, plus a
//! status timeline per task). No HTTP, no I/O, no printing. It lives in the mock so that the console
//! (`GET /__admin/judgement`) judges live; gptom-conformance's `certify-client` fetches a journal and renders the
//! same judgement in its reports.
//!
//! One POS is assumed per journal (or per `--tid` filter): "the next request" means the next entry in `seq`
//! order. Times are the mock clock's (`time`), so a POS paced by a manual clock is judged as if it had waited.
//! The journal redacts `Authorization` but records the `jti` of the bearer token each call carried
//! (`tokenJti`), and a grant's answer holds the issued token, so which token a call used is known exactly.
//! Older journals without `tokenJti` fall back to inferring it from the token requests in between (a call after
//! a 401 with no token request before it used the same token). A journal whose ring evicted entries
//! (`evicted > 0`) may lack evidence: the judgement carries a warning.

mod device;
mod journal;
mod polling;
mod requests;
mod tasks;
mod tokens;

use serde::Serialize;

pub use journal::{Entry, Journal, JournalError, parse_time};
pub use tasks::{Band, Marker, Timeline};

/// A check's verdict. Ordered: a check is as bad as its worst finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckVerdict {
    /// The journal had nothing this check judges.
    NotApplicable,
    /// Behaved as certification expects.
    Pass,
    /// Works, but will be questioned at certification.
    Warn,
    /// Would fail certification.
    Fail,
}

impl CheckVerdict {
    /// `pass`, `warn`, `fail`, `n/a`.
    pub fn label(self) -> &'static str {
        match self {
            Self::NotApplicable => "n/a",
            Self::Pass => "pass",
            Self::Warn => "warn",
            Self::Fail => "fail",
        }
    }
}

/// Journal entries backing a finding, with what they show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// Journal `seq` numbers.
    pub seqs: Vec<u64>,
    /// One line: what these requests show.
    pub note: String,
}

/// One check's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    /// Stable id, e.g. `CLIENT-POLL-RATE`.
    pub id: &'static str,
    /// What is checked.
    pub title: &'static str,
    /// The verdict.
    pub verdict: CheckVerdict,
    /// One line: why this verdict.
    pub summary: String,
    /// The requests behind the verdict (for warn/fail the offending ones; for pass the ones judged).
    pub evidence: Vec<Evidence>,
    /// What to change in the POS (warn and fail only).
    pub fix: Option<&'static str>,
}

/// Everything the judge found in one journal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Judgement {
    /// How many entries were judged.
    pub entries: usize,
    /// Time of the first entry.
    pub from: Option<String>,
    /// Time of the last entry.
    pub to: Option<String>,
    /// One result per check, in catalogue order.
    pub checks: Vec<CheckResult>,
    /// One timeline per task the POS created.
    pub tasks: Vec<Timeline>,
    /// Entries the mock's journal ring dropped before this judgement: evidence may be missing.
    pub evicted: u64,
    /// Caveats about the judgement itself (shown above the checks in every report).
    pub warnings: Vec<String>,
}

impl Judgement {
    /// How many checks ended with `v`.
    pub fn count(&self, v: CheckVerdict) -> usize {
        self.checks.iter().filter(|c| c.verdict == v).count()
    }

    /// Exit code: 0 when no check failed (warnings allowed), 1 otherwise; 2 for an empty journal (a wrong
    /// `--since` or `--tid` is a mistake, never a pass).
    pub fn exit_code(&self) -> u8 {
        if self.entries == 0 {
            USAGE
        } else if self.count(CheckVerdict::Fail) > 0 {
            FAILED
        } else {
            PASSED
        }
    }
}

/// Exit code of a judgement in which no check failed (gptom-conformance's exit codes are these).
pub const PASSED: u8 = 0;
/// Exit code of a judgement in which a check failed.
pub const FAILED: u8 = 1;
/// Exit code of a judgement of nothing: an empty journal is a mistake (a wrong window), never a pass.
pub const USAGE: u8 = 2;

/// The catalogue: id, title, what to fix. Order = report order.
pub const CHECKS: &[(&str, &str, &str)] = &[
    (
        "CLIENT-TOKEN-BASIC",
        "Token requests use the published Basic client, a form body and `tid`",
        "POST the token request as application/x-www-form-urlencoded with `Authorization: Basic` of the published client atom:ashfuf4e5fa, and send `tid` with the password grant of a terminal login.",
    ),
    (
        "CLIENT-TOKEN-REUSE",
        "One access token is reused until near its expiry",
        "Keep the access token and reuse it for every /v1 call until shortly before `expires_in` runs out (or a 401); do not log in again per call.",
    ),
    (
        "CLIENT-REFRESH-ON-401",
        "A 401 is answered with a refresh grant and one retry",
        "On a 401 from /v1, get a new access token with the refresh grant (grant_type=refresh_token&refresh_token=…), then retry the failed call once with the new token.",
    ),
    (
        "CLIENT-POLL-TO-FINAL",
        "Every created task is polled until a final status",
        "Keep polling GET /v1/tasks/{taskId} until COMPLETED, CANCELLED, ERROR or INIT_ERROR; a card payment can take a minute or more (device timeout).",
    ),
    (
        "CLIENT-POLL-RATE",
        "Polling interval ≥ 1 s per task, ≤ 10 requests/s per TID",
        "Poll a task at most once per second (every 1–2 s is right) and keep each terminal below 10 requests per second.",
    ),
    (
        "CLIENT-TXN-AFTER-COMPLETED",
        "The transaction is fetched only after COMPLETED, with the task's contextId",
        "Call GET /v1/transactions/{id} only after the task reached COMPLETED, with the task's `contextId` as the id (not the taskId).",
    ),
    (
        "CLIENT-NO-BLIND-RETRY",
        "403/404/406 answers are not retried unchanged",
        "403, 404 and 406 are final answers: show the error (`type`, `context`) and correct the request; never resend the same body.",
    ),
    (
        "CLIENT-NO-DUPLICATE-AFTER-502",
        "No duplicate task after a 502 or a dropped connection",
        "After a 502 or a lost connection do not resend automatically: let the operator check the terminal or confirm, then create the task once.",
    ),
    (
        "CLIENT-CANCELLED-MEANS-NEW",
        "A CANCELLED task is left alone; a retry is a new task",
        "CANCELLED is final and has no transaction: stop polling the task, do not fetch a transaction, and create a new task if the payment is retried.",
    ),
    (
        "CLIENT-VOID-SAME-TID",
        "VOIDs use the origin's TID, a valid cancelMode and the origin id for OLDER",
        "Send a VOID with the same `Tid` as the original sale, `cancelMode` LAST_TRANSACTION or OLDER_TRANSACTION, and for OLDER_TRANSACTION the original's transaction id (its task's contextId) in `originTransactionId`.",
    ),
    (
        "CLIENT-AMOUNT-MINOR-UNITS",
        "Amounts are integers in minor units",
        "Send `amount` and `tipAmount` as JSON integers in minor units: 11.00 CZK is 1100, never 11 or 11.00.",
    ),
    (
        "CLIENT-REFERENCE-RULES",
        "originReferenceNum: at most 20 ASCII letters and digits",
        "Limit `originReferenceNum` to at most 20 ASCII letters and digits: strip diacritics, spaces and punctuation.",
    ),
    (
        "CLIENT-FIELD-NAMES",
        "Task bodies use the documented field names",
        "Use the documented, case-sensitive names (`Tid`, `apiKey`, `initiator`, `title`, `transactionOperation`, `transactionType`, `amount`, …) and send every required field.",
    ),
    (
        "CLIENT-TIMEOUT-RECONCILE",
        "No automatic new sale after an ERROR/TIMEOUT",
        "After ERROR/TIMEOUT the payment's fate is unknown: have the operator check the terminal before any new sale; never create one automatically.",
    ),
    (
        "IOS-REDIRECT-PATH",
        "iOS deep links: redirectUrl contains the operation path",
        "Build each deep link's `redirectUrl` with the operation path the iOS SDK matches results by (`myapp://gptom/transaction/create` for gptom://transaction/create, …/transaction/refund, …/transaction/cancel, …/batch/close, `appStatus` for status).",
    ),
    (
        "IOS-FIELD-NAMES",
        "iOS deep links use the SDK's parameter names and receipt types",
        "Use the SDK's case-sensitive parameter names (`requestID`, not `requestId`) and `preferableReceiptType` values SMS, EMAIL, QR or PRINT (upper case; PHONE is app2app's name, iOS says SMS).",
    ),
    (
        "IOS-AMOUNT-MINOR-UNITS",
        "iOS deep-link amounts are integers in minor units",
        "Send `amount` and `tipAmount` in deep links as digits in minor units (11.11 CZK is amount=1111); a decimal amount is answered `invalidAmount`.",
    ),
    (
        "IOS-VOID-AMSID",
        "iOS voids name the sale by its receipt's amsID",
        "Send gptom://transaction/cancel with `amsID` = the `amsID` of the sale's receipt, also to void the last sale: the iOS link has no \"last transaction\" mode.",
    ),
    (
        "IOS-REDIRECT-WAIT",
        "iOS: the POS waits for a payment's redirect before the next payment link",
        "Wait for GP tom's redirect after a payment, void or batch-close link — it comes when the device is done, after the 60 s device timeout at worst: give the redirect more time than that, and check the result (transaction/detail with your requestID) before starting anything new.",
    ),
    (
        "A2A-REGISTER-BEFORE-REQUEST",
        "app2app: every transactionRequestV2 uses a freshly registered transactionID",
        "Call transactionRegisterV2 before every transactionRequestV2 and send the `transactionId` it returned as `transactionID`; reuse an id only when stateRequest answered `isRepeatable: true`.",
    ),
    (
        "A2A-STATE-POLL-RATE",
        "app2app: stateRequest at most every 500 ms per transaction",
        "Ask stateRequest again no sooner than 500 ms after the previous answer (the documented interval), until state 6, 7 or 8.",
    ),
    (
        "A2A-STATE-AFTER-FINAL",
        "app2app: stateRequest stops at a final state and at INIT_ERROR",
        "Stop calling stateRequest once it answered 6, 7 or 8 (final); on 3 (INIT_ERROR, `isRepeatable`) send transactionRequestV2 again with the same id or register a new one instead of asking for the state again.",
    ),
    (
        "A2A-FIELD-NAMES",
        "app2app: request entities use the AIDL field names and enum values",
        "Use the entity's case-sensitive field names (`transactionID`, `originTransactionID`, `clientID`), `preferableReceiptType` EMAIL, PHONE, QR or PRINT (upper case), and `clientInfo: {\"contact\": {\"email\", \"phone\"}}`: Gson drops anything else silently.",
    ),
    (
        "A2A-INQUIRE-AFTER-COMPLETED",
        "app2app: TransactionInquire only after state 6 (COMPLETED)",
        "Call TransactionInquire only once stateRequest answered state 6 (COMPLETED); states 7 and 8 have no transaction to inquire.",
    ),
];

/// One observation a check makes.
#[derive(Debug, Clone)]
pub(crate) struct Finding {
    pub verdict: CheckVerdict,
    pub seqs: Vec<u64>,
    pub note: String,
}

impl Finding {
    pub fn new(verdict: CheckVerdict, seqs: Vec<u64>, note: impl Into<String>) -> Self {
        Self {
            verdict,
            seqs,
            note: note.into(),
        }
    }
    pub fn pass(seqs: Vec<u64>, note: impl Into<String>) -> Self {
        Self::new(CheckVerdict::Pass, seqs, note)
    }
    pub fn warn(seqs: Vec<u64>, note: impl Into<String>) -> Self {
        Self::new(CheckVerdict::Warn, seqs, note)
    }
    pub fn fail(seqs: Vec<u64>, note: impl Into<String>) -> Self {
        Self::new(CheckVerdict::Fail, seqs, note)
    }
}

/// What a check function returns: its findings, or why nothing applied.
pub(crate) enum Outcome {
    NotApplicable(&'static str),
    Judged(Vec<Finding>),
}

/// Most evidence lines kept per check.
const MAX_EVIDENCE: usize = 12;

fn conclude(id: &'static str, outcome: Outcome) -> CheckResult {
    let (title, fix) = CHECKS
        .iter()
        .find(|(i, _, _)| *i == id)
        .map_or(("", ""), |(_, t, f)| (*t, *f));
    let findings = match outcome {
        Outcome::NotApplicable(why) => {
            return CheckResult {
                id,
                title,
                verdict: CheckVerdict::NotApplicable,
                summary: why.to_owned(),
                evidence: Vec::new(),
                fix: None,
            };
        }
        Outcome::Judged(f) if f.is_empty() => {
            return conclude(
                id,
                Outcome::NotApplicable("nothing in the journal to judge"),
            );
        }
        Outcome::Judged(f) => f,
    };
    let verdict = findings
        .iter()
        .map(|f| f.verdict)
        .max()
        .unwrap_or(CheckVerdict::NotApplicable);
    let worst: Vec<&Finding> = findings.iter().filter(|f| f.verdict == verdict).collect();
    let summary = match verdict {
        CheckVerdict::Pass => format!(
            "{} judged, all as expected",
            plural(findings.len(), "case", "cases")
        ),
        _ => {
            let first = &worst[0].note;
            if worst.len() == 1 {
                first.clone()
            } else {
                format!("{first} (and {} more)", worst.len() - 1)
            }
        }
    };
    let mut evidence: Vec<Evidence> = Vec::new();
    for f in worst.iter().take(MAX_EVIDENCE) {
        let mut seqs = f.seqs.clone();
        seqs.sort_unstable();
        seqs.dedup();
        let e = Evidence {
            seqs,
            note: f.note.clone(),
        };
        if !evidence.contains(&e) {
            evidence.push(e);
        }
    }
    if worst.len() > MAX_EVIDENCE {
        evidence.push(Evidence {
            seqs: Vec::new(),
            note: format!("… and {} more", worst.len() - MAX_EVIDENCE),
        });
    }
    CheckResult {
        id,
        title,
        verdict,
        summary,
        evidence,
        fix: (verdict >= CheckVerdict::Warn).then_some(fix),
    }
}

pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Seconds between two times in ms, for notes (`1.5 s`).
pub(crate) fn secs(from: i64, to: i64) -> String {
    let ms = to - from;
    if ms % 1000 == 0 {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.1} s", ms as f64 / 1000.0)
    }
}

/// Judges a journal: every check of the catalogue, in order, and a timeline per task.
pub fn judge(journal: &Journal) -> Judgement {
    let e = &journal.entries;
    let model = tasks::Model::build(e);
    let results = vec![
        conclude("CLIENT-TOKEN-BASIC", tokens::token_basic(e)),
        conclude("CLIENT-TOKEN-REUSE", tokens::token_reuse(e)),
        conclude("CLIENT-REFRESH-ON-401", tokens::refresh_on_401(e)),
        conclude("CLIENT-POLL-TO-FINAL", polling::poll_to_final(e, &model)),
        conclude("CLIENT-POLL-RATE", polling::poll_rate(e, &model)),
        conclude(
            "CLIENT-TXN-AFTER-COMPLETED",
            polling::txn_after_completed(e, &model),
        ),
        conclude("CLIENT-NO-BLIND-RETRY", requests::no_blind_retry(e)),
        conclude(
            "CLIENT-NO-DUPLICATE-AFTER-502",
            requests::no_duplicate_after_502(e),
        ),
        conclude(
            "CLIENT-CANCELLED-MEANS-NEW",
            polling::cancelled_means_new(e, &model),
        ),
        conclude("CLIENT-VOID-SAME-TID", requests::void_same_tid(e, &model)),
        conclude("CLIENT-AMOUNT-MINOR-UNITS", requests::amount_minor_units(e)),
        conclude("CLIENT-REFERENCE-RULES", requests::reference_rules(e)),
        conclude("CLIENT-FIELD-NAMES", requests::field_names(e)),
        conclude(
            "CLIENT-TIMEOUT-RECONCILE",
            polling::timeout_reconcile(e, &model),
        ),
        conclude("IOS-REDIRECT-PATH", device::ios::ios_redirect_path(e)),
        conclude("IOS-FIELD-NAMES", device::ios::ios_field_names(e)),
        conclude(
            "IOS-AMOUNT-MINOR-UNITS",
            device::ios::ios_amount_minor_units(e),
        ),
        conclude("IOS-VOID-AMSID", device::ios::ios_void_amsid(e)),
        conclude("IOS-REDIRECT-WAIT", device::ios::ios_redirect_wait(e)),
        conclude(
            "A2A-REGISTER-BEFORE-REQUEST",
            device::app2app::a2a_register_before_request(e),
        ),
        conclude(
            "A2A-STATE-POLL-RATE",
            device::app2app::a2a_state_poll_rate(e),
        ),
        conclude(
            "A2A-STATE-AFTER-FINAL",
            device::app2app::a2a_state_after_final(e),
        ),
        conclude("A2A-FIELD-NAMES", device::app2app::a2a_field_names(e)),
        conclude(
            "A2A-INQUIRE-AFTER-COMPLETED",
            device::app2app::a2a_inquire_after_completed(e),
        ),
    ];
    let mut warnings = Vec::new();
    if journal.evicted > 0 {
        warnings.push(format!(
            "the mock's journal dropped {} older {} (its ring is full): evidence may be missing and checks may be \
             wrong; clear the journal (DELETE /__admin/journal) before the session or start the mock with a larger \
             --journal-size",
            journal.evicted,
            if journal.evicted == 1 { "entry" } else { "entries" }
        ));
    }
    Judgement {
        entries: e.len(),
        from: e.first().map(|x| x.time.clone()),
        to: e.last().map(|x| x.time.clone()),
        checks: results,
        tasks: model.timelines(e),
        evicted: journal.evicted,
        warnings,
    }
}

/// Hand-made journals for the unit tests (here and gptom-conformance's).
#[doc(hidden)]
pub mod fixture {
    use serde_json::{Value, json};

    use super::{Entry, Journal, judge};

    /// Builds a journal entry by entry; `at` is seconds after 2026-01-01T00:00:00Z.
    #[derive(Default)]
    pub struct J {
        entries: Vec<Entry>,
    }

    impl J {
        pub fn new() -> Self {
            Self::default()
        }

        /// A raw entry.
        pub fn push(
            &mut self,
            at: f64,
            method: &str,
            path: &str,
            body: Value,
            status: u16,
            response: Value,
        ) -> &mut Entry {
            let seq = self.entries.len() as u64 + 1;
            let ms = 1_767_225_600_000 + (at * 1000.0).round() as i64;
            let time = chrono::DateTime::from_timestamp_millis(ms)
                .expect("time")
                .format("%Y-%m-%dT%H:%M:%S%.3fZ")
                .to_string();
            let mut headers = std::collections::BTreeMap::new();
            if path.starts_with("/v1/") {
                headers.insert("authorization".into(), "Bearer [redacted]".into());
                headers.insert("content-type".into(), "application/json".into());
            } else {
                headers.insert("authorization".into(), "Basic [redacted]".into());
                headers.insert(
                    "content-type".into(),
                    "application/x-www-form-urlencoded".into(),
                );
            }
            let task_id = response
                .get("taskId")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .or_else(|| {
                    path.strip_prefix("/v1/tasks/")
                        .filter(|_| method == "GET")
                        .map(str::to_owned)
                });
            let task_status = response
                .get("taskId")
                .and(response.get("status"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            let tid = body
                .get("Tid")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .or_else(|| Some("999888".to_owned()));
            self.entries.push(Entry {
                seq,
                time,
                ms,
                method: method.into(),
                path: path.into(),
                query: None,
                headers,
                request_body: body,
                status,
                response_body: response,
                task_id,
                tid,
                task_status,
                fault: None,
                warnings: Vec::new(),
                channel: "cloud".into(),
                token_jti: None,
            });
            self.entries.last_mut().expect("just pushed")
        }

        /// A password grant answered 200.
        pub fn token(&mut self, at: f64) -> &mut Self {
            self.push(
                at,
                "POST",
                "/cloud/oauth/token",
                json!("grant_type=password&username=jan.novak%40example.com&password=[redacted]&tid=999888"),
                200,
                json!({"access_token": "a", "refresh_token": "r", "expires_in": 3600, "tid": "999888"}),
            );
            self
        }

        /// A refresh grant answered 200.
        pub fn refresh(&mut self, at: f64) -> &mut Self {
            self.push(
                at,
                "POST",
                "/api/oauth/token",
                json!("grant_type=refresh_token&refresh_token=r"),
                200,
                json!({"access_token": "b", "refresh_token": "r", "expires_in": 3600, "tid": "999888"}),
            );
            self
        }

        /// A sale body.
        pub fn sale_body(amount: i64) -> Value {
            json!({"apiKey": "333W212J3", "Tid": "999888", "initiator": "POS 1", "title": "Order 1",
                   "transactionOperation": "SALE", "transactionType": "CARD", "amount": amount})
        }

        /// A create answered 200 with `status`.
        pub fn create(&mut self, at: f64, body: Value, task: &str, status: &str) -> &mut Self {
            let response = json!({"title": "Order 1", "taskId": task, "taskClass": "TRANSACTION",
                                  "status": status, "contextId": null, "payload": body.clone()});
            self.push(at, "POST", "/v1/tasks/TRANSACTION", body, 200, response);
            self
        }

        /// A create answered with an error.
        pub fn create_err(&mut self, at: f64, body: Value, status: u16, kind: &str) -> &mut Self {
            self.push(
                at,
                "POST",
                "/v1/tasks/TRANSACTION",
                body,
                status,
                json!({"exceptionId": "abc123", "type": kind, "message": "m", "context": null}),
            );
            self
        }

        /// A poll answered 200 with `status` (and `context` once COMPLETED, or the error type).
        pub fn poll(
            &mut self,
            at: f64,
            task: &str,
            status: &str,
            context: Option<&str>,
        ) -> &mut Self {
            let mut response = json!({"title": "Order 1", "taskId": task, "taskClass": "TRANSACTION",
                                      "status": status, "contextId": context});
            if status == "ERROR" {
                response["type"] = json!(context.unwrap_or("TIMEOUT"));
                response["contextId"] = Value::Null;
            }
            self.push(
                at,
                "GET",
                &format!("/v1/tasks/{task}"),
                Value::Null,
                200,
                response,
            );
            self
        }

        /// A transaction fetch.
        pub fn txn(&mut self, at: f64, id: &str, status: u16) -> &mut Self {
            self.push(
                at,
                "GET",
                &format!("/v1/transactions/{id}"),
                Value::Null,
                status,
                json!({}),
            );
            self
        }

        /// Polls `task` every `every` seconds from `from` through the realistic lifecycle to COMPLETED
        /// (5 s); returns the time after the last poll.
        pub fn poll_to_completed(&mut self, from: f64, every: f64, task: &str, ctx: &str) -> f64 {
            let mut t = from;
            loop {
                let status = match t - from {
                    x if x < 1.0 => "CREATED",
                    x if x < 2.0 => "STARTED",
                    x if x < 5.0 => "IN_PROGRESS",
                    _ => "COMPLETED",
                };
                self.poll(t, task, status, (status == "COMPLETED").then_some(ctx));
                if status == "COMPLETED" {
                    return t;
                }
                t += every;
            }
        }

        pub fn journal(&self) -> Journal {
            Journal {
                entries: self.entries.clone(),
                evicted: 0,
            }
        }

        /// Records `tokenJti` on every entry: /v1 calls carry the jti of the last token granted before them
        /// (or `override_at` for the given seqs), grants issue `jti-<seq>` in a real JWT.
        pub fn with_jtis(&mut self, overrides: &[(u64, &str)]) -> &mut Self {
            use base64::Engine as _;
            let mut current: Option<String> = None;
            for e in &mut self.entries {
                if e.is_token() && e.status == 200 {
                    let jti = format!("jti-{}", e.seq);
                    let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
                        .encode(format!("{{\"jti\":\"{jti}\"}}"));
                    e.response_body["access_token"] =
                        json!(format!("eyJhbGciOiJIUzI1NiJ9.{claims}.sig"));
                    current = Some(jti);
                } else if e.is_v1() {
                    e.token_jti = overrides
                        .iter()
                        .find(|(s, _)| *s == e.seq)
                        .map(|(_, j)| (*j).to_owned())
                        .or_else(|| current.clone());
                }
            }
            self
        }

        /// The verdict of one check.
        pub fn verdict(&self, id: &str) -> super::CheckVerdict {
            let j = judge(&self.journal());
            let c = j.checks.iter().find(|c| c.id == id).expect("known check");
            c.verdict
        }

        /// The result of one check.
        pub fn result(&self, id: &str) -> super::CheckResult {
            let j = judge(&self.journal());
            j.checks
                .into_iter()
                .find(|c| c.id == id)
                .expect("known check")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixture::J;
    use super::*;

    #[test]
    fn a_clean_sale_passes_or_is_not_applicable_everywhere() {
        let mut j = J::new();
        j.token(0.0)
            .create(1.0, J::sale_body(1111), "T000000001", "CREATED");
        let end = j.poll_to_completed(2.0, 1.0, "T000000001", "c-1");
        j.txn(end + 1.0, "c-1", 200);
        let judgement = judge(&j.journal());
        for c in &judgement.checks {
            assert!(
                c.verdict <= CheckVerdict::Pass,
                "{}: {:?} {}",
                c.id,
                c.verdict,
                c.summary
            );
        }
        assert_eq!(judgement.checks.len(), CHECKS.len());
        assert_eq!(judgement.tasks.len(), 1);
        assert_eq!(judgement.exit_code(), 0);
    }

    #[test]
    fn an_empty_journal_is_a_usage_error_not_a_pass() {
        let judgement = judge(&Journal::default());
        assert_eq!(judgement.exit_code(), USAGE);
        assert!(
            judgement
                .checks
                .iter()
                .all(|c| c.verdict == CheckVerdict::NotApplicable)
        );
    }

    #[test]
    fn the_journal_json_loads_with_unknown_fields_and_bad_times_are_reported() {
        let text = r#"{"entries":[{"seq":2,"time":"2026-01-01T00:00:01.500Z","method":"GET","path":"/v1/tasks/x","status":200,"newField":1},
                                  {"seq":1,"time":"2026-01-01T00:00:00.000Z","method":"POST","path":"/cloud/oauth/token","status":200}]}"#;
        let j = Journal::parse(text).expect("loads");
        assert_eq!(j.entries[0].seq, 1);
        assert_eq!(j.entries[1].ms - j.entries[0].ms, 1500);
        let bad = r#"[{"seq":1,"time":"yesterday","method":"GET","path":"/","status":200}]"#;
        assert!(
            Journal::parse(bad)
                .unwrap_err()
                .to_string()
                .contains("yesterday")
        );
        assert!(Journal::parse("{}").is_err());
    }

    #[test]
    fn evicted_entries_are_read_and_become_a_warning() {
        let text = r#"{"entries":[{"seq":7,"time":"2026-01-01T00:00:00.000Z","method":"POST","path":"/cloud/oauth/token","status":200,"tokenJti":null}],"evicted":6}"#;
        let j = Journal::parse(text).expect("loads");
        assert_eq!(j.evicted, 6);
        let judgement = judge(&j);
        assert_eq!(judgement.evicted, 6);
        assert!(
            judgement.warnings[0].contains("dropped 6 older entries"),
            "{:?}",
            judgement.warnings
        );
        let fresh = judge(&Journal::parse(r#"{"entries":[],"evicted":0}"#).expect("loads"));
        assert!(fresh.warnings.is_empty());
    }

    #[test]
    fn a_grant_names_the_jti_it_issued() {
        let mut j = fixture::J::new();
        j.token(0.0)
            .create(1.0, fixture::J::sale_body(1111), "T000000001", "CREATED");
        j.with_jtis(&[]);
        let journal = j.journal();
        assert_eq!(journal.entries[0].issued_jti().as_deref(), Some("jti-1"));
        assert_eq!(journal.entries[1].token_jti.as_deref(), Some("jti-1"));
        assert_eq!(journal.entries[1].issued_jti(), None);
    }
}
