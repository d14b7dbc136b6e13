//! Results → stable, redacted text, and the `<ID>.snap` files beside the scenarios (insta's file format, read
//! and written here without insta's macros, which panic and need a Cargo workspace).
//!
//! Redaction replaces volatile values by placeholders numbered by first appearance, after checking the shape:
//! JWTs (`eyJ…` with three segments) → `[jwt-1]`, UUIDs → `[uuid-1]`, task ids (10 base62 chars, seen as a
//! `taskId` value) → `[taskId-1]`, exception ids (6 chars, seen as an `exceptionId` value) → `[exceptionId-1]`.
//! Reuse of one id stays visible as the same placeholder. Loopback ports (`127.0.0.1:41793`, e.g. a `host` header in a
//! journal reply) become `127.0.0.1:[port]`.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::result::{StepResult, Verdict};

mod shape;
pub use shape::{shape, shape_diff};

/// The header insta writes for a snapshot; the CLI writes the same so `cargo insta` and the CLI agree.
const SNAP_SOURCE: &str = "conformance/tests/it/scenarios.rs";

/// The redacted transcript of a scenario's steps.
pub fn transcript(id: &str, title: &str, steps: &[StepResult]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{id}: {title}");
    for step in steps {
        let _ = write!(out, "\n== {}. {}", step.index, step.kind);
        if let Some(name) = &step.name {
            let _ = write!(out, " ({name})");
        }
        out.push('\n');
        for x in &step.exchanges {
            let _ = writeln!(out, "{} {}", x.method, x.path);
            for (k, v) in &x.request_headers {
                let _ = writeln!(out, "{k}: {v}");
            }
            if let Some(body) = &x.request_body {
                let _ = writeln!(out, "{body}");
            }
            if let Some(pending) = &x.pending {
                let _ = writeln!(out, "({pending})");
            }
            match (&x.error, x.status) {
                (Some(e), 0) => {
                    let _ = writeln!(out, "-> no response: {e}");
                    continue;
                }
                (Some(e), status) => {
                    let _ = writeln!(out, "-> {status}, then the body failed: {e}");
                    continue;
                }
                (None, _) => {}
            }
            let _ = writeln!(out, "-> {}", x.status);
            for (k, v) in &x.response_headers {
                let _ = writeln!(out, "{k}: {v}");
            }
            if !x.response_body.is_empty() {
                let _ = writeln!(out, "{}", x.response_body);
            }
        }
        for note in &step.notes {
            let _ = writeln!(out, "{note}");
        }
        for c in &step.checks {
            if c.what == "time" {
                continue; // wall time is not stable
            }
            let mark = if c.ok { "ok" } else { "FAILED" };
            let _ = write!(out, "{mark} {} {}", c.what, c.expected);
            if !c.ok {
                let _ = write!(out, " (got {})", c.actual);
            }
            out.push('\n');
        }
        match &step.verdict {
            Verdict::Passed | Verdict::Partial(_) => {}
            Verdict::Skipped(r) => {
                let _ = writeln!(out, "skipped: {r}");
            }
            Verdict::Failed(r) | Verdict::Errored(r) => {
                let _ = writeln!(out, "{}: {r}", step.verdict.label());
            }
        }
    }
    redact(&out, &known_ids(steps))
}

/// Ids seen in response bodies, by kind.
#[derive(Debug, Default)]
pub struct KnownIds {
    task_ids: Vec<String>,
    exception_ids: Vec<String>,
}

impl KnownIds {
    /// The ids found in any JSON document (`taskId` and `exceptionId` values of the right shape).
    pub fn from_json(v: &Value) -> Self {
        let mut ids = Self::default();
        walk(v, &mut ids);
        ids
    }
}

fn known_ids(steps: &[StepResult]) -> KnownIds {
    let mut ids = KnownIds::default();
    for x in steps.iter().flat_map(|s| &s.exchanges) {
        if let Ok(v) = serde_json::from_str::<Value>(&x.response_body) {
            walk(&v, &mut ids);
        }
    }
    ids
}

fn is_base62(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn walk(v: &Value, ids: &mut KnownIds) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                match (k.as_str(), v) {
                    ("taskId", Value::String(s)) if is_base62(s, 10) => {
                        ids.task_ids.push(s.clone());
                    }
                    ("exceptionId", Value::String(s)) if is_base62(s, 6) => {
                        ids.exception_ids.push(s.clone());
                    }
                    _ => walk(v, ids),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| walk(v, ids)),
        _ => {}
    }
}

/// Replaces volatile values in `text` by numbered placeholders (see the module doc).
pub fn redact(text: &str, ids: &KnownIds) -> String {
    let jwt = regex_lite::Regex::new(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")
        .expect("static regex");
    let uuid = regex_lite::Regex::new(
        r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b",
    )
    .expect("static regex");
    let text = replace_numbered(text, "jwt", |t| {
        jwt.find_iter(t).map(|m| (m.start(), m.end())).collect()
    });
    let text = replace_numbered(&text, "uuid", |t| {
        uuid.find_iter(t).map(|m| (m.start(), m.end())).collect()
    });
    let text = replace_numbered(&text, "taskId", |t| words(t, &ids.task_ids));
    let text = replace_numbered(&text, "exceptionId", |t| words(t, &ids.exception_ids));
    let port =
        regex_lite::Regex::new(r"\b(127\.0\.0\.1|localhost):[0-9]{1,5}\b").expect("static regex");
    port.replace_all(&text, "$1:[port]").into_owned()
}

/// Positions of whole-word occurrences of any of `needles` in `text`, in order.
fn words(text: &str, needles: &[String]) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let boundary = |i: usize| i >= bytes.len() || !bytes[i].is_ascii_alphanumeric();
    let mut hits = Vec::new();
    for n in needles {
        let mut from = 0;
        while let Some(i) = text[from..].find(n.as_str()) {
            let (s, e) = (from + i, from + i + n.len());
            if (s == 0 || boundary(s - 1)) && boundary(e) {
                hits.push((s, e));
            }
            from = e;
        }
    }
    hits.sort_unstable();
    hits.dedup();
    hits
}

fn replace_numbered(text: &str, kind: &str, find: impl Fn(&str) -> Vec<(usize, usize)>) -> String {
    let mut seen: Vec<&str> = Vec::new();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (s, e) in find(text) {
        if s < last {
            continue;
        }
        let value = &text[s..e];
        let n = match seen.iter().position(|v| *v == value) {
            Some(i) => i + 1,
            None => {
                seen.push(value);
                seen.len()
            }
        };
        out.push_str(&text[last..s]);
        let _ = write!(out, "[{kind}-{n}]");
        last = e;
    }
    out.push_str(&text[last..]);
    out
}

/// `<dir>/<ID>.snap` beside the scenario file.
pub fn snap_path(scenario_file: &Path, id: &str) -> PathBuf {
    scenario_file
        .parent()
        .unwrap_or_else(|| Path::new("."))
        .join(format!("{id}.snap"))
}

/// The snapshot's text (header stripped, trailing whitespace trimmed), `None` when the file does not exist.
pub fn read_snapshot(path: &Path) -> io::Result<Option<String>> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let text = text.replace("\r\n", "\n");
    let body = match text.strip_prefix("---\n") {
        Some(rest) => match rest.find("\n---\n") {
            Some(i) => &rest[i + 5..],
            None => rest,
        },
        None => &text,
    };
    Ok(Some(body.trim_end().to_owned()))
}

/// Writes a snapshot in insta's format. `input_file` is the scenario's path from its `scenarios` folder on, as
/// insta writes it (relative to the workspace root).
pub fn write_snapshot(path: &Path, scenario_file: &Path, text: &str) -> io::Result<()> {
    let parts: Vec<String> = scenario_file
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let from = parts
        .iter()
        .rposition(|c| c == "scenarios")
        .unwrap_or(parts.len().saturating_sub(1));
    let input = parts[from..].join("/");
    let body = format!(
        "---\nsource: {SNAP_SOURCE}\nexpression: text\ninput_file: {input}\n---\n{}\n",
        text.trim_end()
    );
    fs::write(path, body)
}

/// Whether `actual` equals the snapshot text (both compared without trailing whitespace).
pub fn same(expected: &str, actual: &str) -> bool {
    expected.trim_end() == actual.trim_end()
}

/// A unified diff from the snapshot to the new transcript.
pub fn diff(expected: &str, actual: &str, name: &str) -> String {
    let (old, new) = (
        format!("{}\n", expected.trim_end()),
        format!("{}\n", actual.trim_end()),
    );
    similar::TextDiff::from_lines(&old, &new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("{name} (snapshot)"), &format!("{name} (this run)"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::shape::shape_path;
    use super::*;

    #[test]
    fn redaction_numbers_by_first_appearance_and_keeps_reuse_visible() {
        let ids = KnownIds {
            task_ids: vec!["AbCdEfGhIj".into(), "ZZZZZZZZZ1".into()],
            exception_ids: vec!["Qx12ab".into()],
        };
        let text = "ZZZZZZZZZ1 AbCdEfGhIj /v1/tasks/ZZZZZZZZZ1 xAbCdEfGhIj \
                    3fa85f64-5717-4562-b3fc-2c963f66afa6 eyJa.eyJb.c Qx12ab 127.0.0.1:41793";
        assert_eq!(
            redact(text, &ids),
            "[taskId-1] [taskId-2] /v1/tasks/[taskId-1] xAbCdEfGhIj [uuid-1] [jwt-1] [exceptionId-1] \
             127.0.0.1:[port]"
        );
    }

    #[test]
    fn snapshot_round_trip() {
        let dir = std::env::temp_dir().join(format!("conf-snap-{}", std::process::id()));
        let _ = fs::create_dir_all(&dir);
        let p = dir.join("X.snap");
        assert!(matches!(read_snapshot(&p), Ok(None)));
        write_snapshot(&p, &dir.join("X.yaml"), "a\nb\n").unwrap();
        assert_eq!(read_snapshot(&p).unwrap().as_deref(), Some("a\nb"));
        let _ = fs::remove_dir_all(&dir);
        assert!(diff("a\nb", "a\nc", "X").contains("-b\n+c"));
    }

    const SNAP: &str = r#"X: t

== 1. token
POST /cloud/oauth/token
authorization: Basic YXRvbQ==
grant_type=password&username=u
-> 200
content-type: application/json
{
  "access_token": "[jwt-1]",
  "expires_in": 3600
}

== 2. set_outcome
next outcome on 999888: {}

== 3. poll_task
GET /v1/tasks/[taskId-1]
authorization: Bearer [jwt-1]
-> 200
content-type: application/json
{
  "contextId": null,
  "items": [
    {
      "a": 1
    }
  ],
  "status": "ERROR"
}
statuses: CREATED -> ERROR (polled 3 times, clock advanced 2s)
ok status 200
"#;

    const ALL: &[usize] = &[1, 2, 3];

    #[test]
    fn shape_keeps_requests_statuses_keys_and_types_only() {
        assert_eq!(
            shape(SNAP),
            "== 1. token\nPOST /cloud/oauth/token\n-> 200\n$: object\n$.access_token: string\n\
             $.expires_in: number\n== 2. set_outcome\n== 3. poll_task\nGET /v1/tasks/{id}\n-> 200\n$: object\n\
             $.contextId: null\n$.items: array\n$.items[]: object\n$.items[].a: number\n$.status: string\n\
             statuses: … -> ERROR\n"
        );
        // other values, ids of another shape, an admin exchange: same shape
        let other = SNAP
            .replace("3600", "7200")
            .replace("\"ERROR\"", "\"COMPLETED\"")
            .replace("[taskId-1]", "f00-long-gateway-id")
            .replace(
                "next outcome on 999888: {}",
                "POST /__admin/faults\n-> 201\n{\n  \"id\": \"f1\"\n}",
            );
        assert_eq!(shape_diff(SNAP, &other, "X", ALL), None);
    }

    #[test]
    fn timing_is_not_shape_but_the_lifecycle_order_and_the_end_are() {
        // another target's polls saw other intermediate statuses, fewer polls, real waits: the same shape
        let slow = SNAP.replace(
            "statuses: CREATED -> ERROR (polled 3 times, clock advanced 2s)",
            "statuses: CREATED -> STARTED -> IN_PROGRESS -> ERROR (polled 9 times, waited 64s)",
        );
        assert_eq!(shape_diff(SNAP, &slow, "X", ALL), None);
        // a status that goes back, or a different end, is a difference
        let back = SNAP.replace(
            "statuses: CREATED -> ERROR (",
            "statuses: IN_PROGRESS -> CREATED -> ERROR (",
        );
        let d = shape_diff(SNAP, &back, "X", ALL).expect("differs");
        assert!(
            d.contains("+statuses out of the lifecycle's order: IN_PROGRESS -> CREATED -> ERROR"),
            "{d}"
        );
        let other_end = SNAP.replace("CREATED -> ERROR (", "CREATED -> COMPLETED (");
        assert!(shape_diff(SNAP, &other_end, "X", ALL).is_some());
        // a pending answer fetched later is the same logical exchange
        let pending = SNAP.replace(
            "authorization: Bearer [jwt-1]\n-> 200",
            "authorization: Bearer [jwt-1]\n(202 pending x; GET /ios/deeplink/x polled 2 times, waited 2s)\n-> 200",
        );
        assert_ne!(pending, SNAP);
        assert_eq!(shape_diff(SNAP, &pending, "X", ALL), None);
    }

    #[test]
    fn only_the_steps_that_ran_are_compared_and_null_may_be_a_value() {
        let changed = SNAP.replace("\"expires_in\": 3600", "\"expires_in\": \"3600\"");
        assert!(shape_diff(SNAP, &changed, "X", ALL).is_some());
        assert_eq!(
            shape_diff(SNAP, &changed, "X", &[2, 3]),
            None,
            "step 1 did not run"
        );
        // a task read before it is final: contextId null here, a string (or an object) there
        let later = SNAP.replace("\"contextId\": null", "\"contextId\": {\"id\": \"c-1\"}");
        assert_eq!(shape_diff(SNAP, &later, "X", ALL), None);
        assert_eq!(shape_diff(&later, SNAP, "X", ALL), None);
    }

    #[test]
    fn generated_path_segments_become_ids() {
        assert_eq!(
            shape_path("POST", "/v1/tasks/TRANSACTION"),
            "/v1/tasks/TRANSACTION"
        );
        assert_eq!(
            shape_path("GET", "/v1/transactions/[uuid-1]"),
            "/v1/transactions/{id}"
        );
        assert_eq!(
            shape_path("GET", "/ios/deeplink/Dg9wlQLcjH?status=ok&x=1"),
            "/ios/deeplink/{id}?status&x"
        );
        assert_eq!(shape_path("GET", "/ios/deeplink"), "/ios/deeplink");
    }

    #[test]
    fn a_shape_difference_is_a_readable_diff() {
        let other = SNAP
            .replace("\"status\": \"ERROR\"", "\"status\": 8")
            .replace("\"expires_in\": 3600", "\"expiresIn\": 3600")
            .replace(
                "-> 200\ncontent-type: application/json\n{\n  \"contextId",
                "-> 404\ncontent-type: application/json\n{\n  \"contextId",
            );
        let d = shape_diff(SNAP, &other, "X", ALL).expect("differs");
        assert!(
            d.contains("-$.expires_in: number\n+$.expiresIn: number"),
            "{d}"
        );
        assert!(d.contains("--> 200\n+-> 404"), "{d}");
        assert!(d.contains("-$.status: string\n+$.status: number"), "{d}");
        assert!(d.contains("X (snapshot shape)"), "{d}");
    }
}
