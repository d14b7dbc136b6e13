//! The shape of a transcript, compared on a remote target: requests, status codes, JSON keys and value types, the
//! status a poll ended on — never values or timing.

use serde_json::Value;

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
pub(super) fn shape_path(method: &str, path: &str) -> String {
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
