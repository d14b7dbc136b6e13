//! The iOS deep-link checks: IOS-REDIRECT-PATH, IOS-FIELD-NAMES, IOS-AMOUNT-MINOR-UNITS, IOS-VOID-AMSID,
//! IOS-REDIRECT-WAIT (reference.md §5), from the mock's `/ios/deeplink` entries.

use serde_json::Value;

use super::super::{Entry, Finding, Outcome, secs};

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
