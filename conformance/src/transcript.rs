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

/// The shape of a transcript, for remote targets whose values and timing differ from the mock's: per step,
/// each request (method and path, ids as `{id}`), its status code, the JSON keys and value types of the response
/// body, one `$.path: type` line each, and for a poll the status it ended on (the statuses seen must keep the
/// lifecycle's order; which intermediate ones a poll saw is timing). `/__admin` exchanges (mock-only steps) are
/// left out, so a run where they were skipped or done by an operator compares with a snapshot where they ran;
/// so are pending answers (`202 {pending}` then a fetch is one exchange, answered at once or later).
pub fn shape(text: &str) -> String {
    shape_steps(text)
        .into_iter()
        .flat_map(|(_, lines)| lines)
        .map(|l| l + "\n")
        .collect()
}

/// [`shape`] per step: `(step index, lines)`, the `== N. kind` header first (index 0 for anything before the
/// first step).
fn shape_steps(text: &str) -> Vec<(usize, Vec<String>)> {
    #[derive(PartialEq)]
    enum At {
        Outside,
        Request,
        Response,
    }
    let mut steps: Vec<(usize, Vec<String>)> = Vec::new();
    let mut at = At::Outside;
    let mut admin = false;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some(header) = line.strip_prefix("== ") {
            at = At::Outside;
            let index = header
                .split('.')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            steps.push((index, vec![line.to_owned()]));
            continue;
        }
        if steps.is_empty() {
            continue; // the title line
        }
        let out = &mut steps.last_mut().expect("a step").1;
        if let Some((method, path)) = request_line(line) {
            at = At::Request;
            admin = path.starts_with(crate::admin::path::PREFIX);
            if !admin {
                out.push(format!("{method} {}", shape_path(method, path)));
            }
            continue;
        }
        if at == At::Outside
            && let Some(seen) = line.strip_prefix("statuses: ")
        {
            out.push(statuses_shape(seen));
            continue;
        }
        match at {
            At::Outside => {}
            At::Request => {
                if let Some(status) = line.strip_prefix("-> ") {
                    at = At::Response;
                    if !admin {
                        let status = status.split(',').next().unwrap_or(status);
                        let status = if status.starts_with("no response") {
                            "no response"
                        } else {
                            status
                        };
                        out.push(format!("-> {status}"));
                    }
                }
            }
            At::Response => {
                if line.starts_with('{') || line.starts_with('[') {
                    let mut body = line.to_owned();
                    if line != "{}" && line != "[]" {
                        for next in lines.by_ref() {
                            body.push('\n');
                            body.push_str(next);
                            if next == "}" || next == "]" {
                                break;
                            }
                        }
                    }
                    if !admin {
                        match serde_json::from_str::<Value>(&body) {
                            Ok(v) => json_shape(&v, "$", out),
                            Err(_) => out.push("(body is not JSON)".to_owned()),
                        }
                    }
                    at = At::Outside;
                } else if !is_header_line(line) {
                    at = At::Outside;
                }
            }
        }
    }
    steps
}

/// Task statuses in the order the lifecycle allows them (any final one last).
fn lifecycle_rank(status: &str) -> usize {
    match status {
        "CREATED" => 0,
        "STARTED" => 1,
        "INIT_OK" => 2,
        "IN_PROGRESS" => 3,
        _ => 4,
    }
}

/// `CREATED -> STARTED -> COMPLETED (polled …)` → `statuses: … -> COMPLETED`, or the whole sequence when it
/// breaks the lifecycle's order (which no snapshot does).
fn statuses_shape(line: &str) -> String {
    let seen = line.split(" (").next().unwrap_or(line);
    let list: Vec<&str> = seen.split(" -> ").collect();
    let ordered = list
        .windows(2)
        .all(|w| lifecycle_rank(w[0]) < lifecycle_rank(w[1]));
    match (ordered, list.last()) {
        (true, Some(last)) => format!("statuses: … -> {last}"),
        _ => format!("statuses out of the lifecycle's order: {seen}"),
    }
}

fn request_line(line: &str) -> Option<(&str, &str)> {
    let (method, path) = line.split_once(' ')?;
    let known = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
    (known.contains(&method) && path.starts_with('/') && !path.contains(' '))
        .then_some((method, path))
}

fn is_header_line(line: &str) -> bool {
    line.split_once(": ").is_some_and(|(name, _)| {
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    })
}

/// `/v1/tasks/[taskId-1]` and `/v1/tasks/AbCdEfGhIj` (GET) → `/v1/tasks/{id}`; likewise transactions, and any
/// segment that looks generated (8+ letters and digits mixing lower case with upper case or digits, e.g. an iOS
/// deep-link id).
fn shape_path(method: &str, path: &str) -> String {
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path, None),
    };
    let segments: Vec<&str> = path.split('/').collect();
    let mut out: Vec<String> = Vec::with_capacity(segments.len());
    for (i, seg) in segments.iter().enumerate() {
        let parent = if i > 0 { segments[i - 1] } else { "" };
        let mixed = seg.len() >= 8
            && seg.bytes().all(|b| b.is_ascii_alphanumeric())
            && seg.bytes().any(|b| b.is_ascii_lowercase())
            && seg
                .bytes()
                .any(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        let is_id = mixed
            || (seg.starts_with('[') && seg.ends_with(']'))
            || (i == 3 && parent == "tasks" && method == "GET")
            || (i == 3 && parent == "transactions");
        out.push(if is_id && !seg.is_empty() {
            "{id}".to_owned()
        } else {
            (*seg).to_owned()
        });
    }
    let mut text = out.join("/");
    if let Some(q) = query {
        let keys: Vec<&str> = q
            .split('&')
            .map(|kv| kv.split('=').next().unwrap_or(kv))
            .collect();
        text.push('?');
        text.push_str(&keys.join("&"));
    }
    text
}

/// `$.a: string`, `$.items[]: object`, `$.items[].id: integer`, … (array elements merged, sorted, unique).
fn json_shape(v: &Value, at: &str, out: &mut Vec<String>) {
    let kind = match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        // 100 and 95.5 are both the decimal a batch total is: a whole value is no other type (minor-unit
        // integers are checked by the scenarios themselves)
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let line = format!("{at}: {kind}");
    if !out.contains(&line) {
        out.push(line);
    }
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            for k in keys {
                json_shape(&m[k.as_str()], &format!("{at}.{k}"), out);
            }
        }
        Value::Array(a) => {
            for x in a {
                json_shape(x, &format!("{at}[]"), out);
            }
        }
        _ => {}
    }
}

/// Compares the shapes of the snapshot and of this run over the steps that ran (`ran`: 1-based step
/// indexes): `None` when they agree, else a unified diff of the shapes (see [`shape`]). A value that is `null`
/// on one side may be anything on the other (a task read before it is final has no `contextId` yet).
pub fn shape_diff(expected: &str, actual: &str, name: &str, ran: &[usize]) -> Option<String> {
    let pick = |text: &str| -> Vec<(usize, Vec<String>)> {
        shape_steps(text)
            .into_iter()
            .filter(|(i, _)| ran.contains(i))
            .collect()
    };
    let (mut old, mut new) = (pick(expected), pick(actual));
    for (o, n) in old.iter_mut().zip(new.iter_mut()) {
        if o.0 == n.0 {
            reconcile_nulls(&mut o.1, &mut n.1);
        }
    }
    let join = |steps: Vec<(usize, Vec<String>)>| -> String {
        steps
            .into_iter()
            .flat_map(|(_, l)| l)
            .map(|l| l + "\n")
            .collect()
    };
    let (old, new) = (join(old), join(new));
    if old == new {
        return None;
    }
    Some(
        similar::TextDiff::from_lines(&old, &new)
            .unified_diff()
            .context_radius(3)
            .header(
                &format!("{name} (snapshot shape)"),
                &format!("{name} (this run's shape)"),
            )
            .to_string(),
    )
}

/// Where one side says `P: null` and the other `P: T`, both become `P: null or a value` and the lines under
/// `P` go.
fn reconcile_nulls(a: &mut Vec<String>, b: &mut Vec<String>) {
    fn typed(l: &str) -> Option<(&str, &str)> {
        l.starts_with('$').then(|| l.split_once(": ")).flatten()
    }
    let types = |side: &[String]| -> Vec<(String, String)> {
        side.iter()
            .filter_map(|l| typed(l).map(|(p, t)| (p.to_owned(), t.to_owned())))
            .collect()
    };
    let (ta, tb) = (types(a), types(b));
    let loose: Vec<String> = ta
        .iter()
        .filter(|(p, t)| {
            tb.iter()
                .any(|(q, u)| q == p && t != u && (t == "null" || u == "null"))
        })
        .map(|(p, _)| p.clone())
        .collect();
    for side in [a, b] {
        for p in &loose {
            side.retain(|l| {
                !l.strip_prefix(p.as_str())
                    .is_some_and(|rest| rest.starts_with('.') || rest.starts_with("[]"))
            });
            for l in side.iter_mut() {
                if typed(l).is_some_and(|(q, _)| q == p) {
                    *l = format!("{p}: null or a value");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
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
