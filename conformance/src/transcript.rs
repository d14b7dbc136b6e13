//! Results → stable, redacted text, and the `<ID>.snap` files beside the scenarios (insta's file format, read
//! and written here without insta's macros, which panic and need a Cargo workspace).
//!
//! Redaction replaces volatile values by placeholders numbered by first appearance, after checking the shape:
//! JWTs (`eyJ…` with three segments) → `[jwt-1]`, UUIDs → `[uuid-1]`, task ids (10 base62 chars, seen as a
//! `taskId` value) → `[taskId-1]`, exception ids (6 chars, seen as an `exceptionId` value) → `[exceptionId-1]`.
//! Reuse of one id stays visible as the same placeholder.

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
            if x.status == 0 {
                let _ = writeln!(out, "-> no response");
                continue;
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
            Verdict::Passed => {}
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
    replace_numbered(&text, "exceptionId", |t| words(t, &ids.exception_ids))
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
    use super::*;

    #[test]
    fn redaction_numbers_by_first_appearance_and_keeps_reuse_visible() {
        let ids = KnownIds {
            task_ids: vec!["AbCdEfGhIj".into(), "ZZZZZZZZZ1".into()],
            exception_ids: vec!["Qx12ab".into()],
        };
        let text = "ZZZZZZZZZ1 AbCdEfGhIj /v1/tasks/ZZZZZZZZZ1 xAbCdEfGhIj \
                    3fa85f64-5717-4562-b3fc-2c963f66afa6 eyJa.eyJb.c Qx12ab";
        assert_eq!(
            redact(text, &ids),
            "[taskId-1] [taskId-2] /v1/tasks/[taskId-1] xAbCdEfGhIj [uuid-1] [jwt-1] [exceptionId-1]"
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
}
