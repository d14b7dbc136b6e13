//! `gptom-conformance record`: a journal (the proxy's, so GP tom's answers, or a mock's) becomes a scenario file.
//! Pure: journal entries in, YAML text out; `main.rs` writes it and makes its snapshot on the embedded mock.
//!
//! - A token request becomes a `token` step, a task creation a `create_task` (its body minus what the target's
//!   credentials supply), consecutive reads of one task one `poll_task` (or a `get_task` when the client stopped
//!   before a final status), a transaction read a `get_transaction`; anything else a raw `request`.
//! - Answers become shape expectations: the status code, each top-level key's JSON type, and the values that
//!   describe behaviour rather than identity (`status`, `result`, `type`, amounts …). Ids are captured
//!   (`task1`, `transaction1`) and used by the steps that follow; times are never written down.
//! - Calls that are not GP tom's Cloud API (device channels, the admin API) and answers shaped by a fault rule
//!   or by the proxy's own failure are left out, each named in the file's header.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use crate::certify::judge::{Entry, Journal};

/// Keys whose values describe behaviour (kept as `equals`); every other key is checked by its JSON type only.
const STABLE: &[&str] = &[
    "status",
    "result",
    "type",
    "error",
    "token_type",
    "transactionOperation",
    "transactionType",
    "currencyCode",
    "amount",
    "tipAmount",
];

/// What `create_task` fills in from the target's credentials (`false`: only for TRANSACTION).
const DEFAULTS: &[(&str, bool)] = &[
    ("apiKey", true),
    ("Tid", true),
    ("initiator", true),
    ("title", true),
    ("transactionOperation", false),
    ("transactionType", false),
];

/// What to record.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The scenario id (also the snapshot's name).
    pub id: &'a str,
    /// Its title.
    pub title: &'a str,
    /// Where the journal came from, for the header.
    pub source: &'a str,
}

/// A recorded scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recording {
    /// The scenario file's text.
    pub yaml: String,
    /// Steps written.
    pub steps: usize,
    /// Journal entries left out, each with the reason.
    pub left_out: Vec<String>,
}

/// Why nothing could be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// The id cannot name a scenario.
    #[error("--id {0:?}: use letters, digits, '-' and '_' only (it names the .snap file)")]
    BadId(String),
    /// No Cloud API call to record.
    #[error(
        "the journal holds no GP tom Cloud API call to record (token, /v1/tasks, /v1/transactions){0}"
    )]
    Empty(String),
    /// More than one terminal: a scenario runs against one.
    #[error("the journal holds calls for more than one terminal ({0}): pick one with --tid")]
    ManyTerminals(String),
}

/// One exchange with its request and answer as the steps need them.
struct Call<'a> {
    e: &'a Entry,
    /// The path with its query.
    target: String,
}

/// Ids seen in answers, by the variable a step captured them in.
#[derive(Default)]
struct Names {
    vars: HashMap<String, String>,
    tasks: usize,
    transactions: usize,
}

impl Names {
    fn task(&mut self, id: &str) -> String {
        self.tasks += 1;
        let var = format!("task{}", self.tasks);
        self.vars.insert(id.to_owned(), var.clone());
        var
    }

    fn transaction(&mut self, id: &str) -> Option<String> {
        if self.vars.contains_key(id) {
            return None;
        }
        self.transactions += 1;
        let var = format!("transaction{}", self.transactions);
        self.vars.insert(id.to_owned(), var.clone());
        Some(var)
    }

    /// `text` with every recorded id in it replaced by its `{{var}}`.
    fn text(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (id, var) in &self.vars {
            if !id.is_empty() && out.contains(id.as_str()) {
                out = out.replace(id.as_str(), &format!("{{{{{var}}}}}"));
            }
        }
        out
    }

    /// The same in every string of a JSON value.
    fn value(&self, v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.text(s)),
            Value::Array(items) => Value::Array(items.iter().map(|i| self.value(i)).collect()),
            Value::Object(m) => {
                Value::Object(m.iter().map(|(k, v)| (k.clone(), self.value(v))).collect())
            }
            other => other.clone(),
        }
    }
}

/// Turns `journal` into a scenario.
pub fn record(journal: &Journal, req: &Request<'_>) -> Result<Recording, RecordError> {
    let id_ok = !req.id.is_empty()
        && req
            .id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !id_ok {
        return Err(RecordError::BadId(req.id.to_owned()));
    }
    let mut left_out = Vec::new();
    let mut calls = Vec::new();
    for e in &journal.entries {
        let why = if !is_cloud(&e.path) {
            Some("not a Cloud API call".to_owned())
        } else if let Some(f) = &e.fault {
            Some(format!("answer shaped by {f:?}, not by the server"))
        } else if e.status == 0 {
            Some("no answer".to_owned())
        } else {
            None
        };
        match why {
            Some(why) => left_out.push(format!("seq {} {} {}: {why}", e.seq, e.method, e.path)),
            None => calls.push(Call {
                e,
                target: match &e.query {
                    Some(q) if !q.is_empty() => format!("{}?{q}", e.path),
                    _ => e.path.clone(),
                },
            }),
        }
    }
    if calls.is_empty() {
        let hint = if journal.entries.is_empty() {
            " (the journal is empty: check --since and --tid)".to_owned()
        } else {
            format!(" ({} entries left out)", left_out.len())
        };
        return Err(RecordError::Empty(hint));
    }
    let tids: BTreeSet<&str> = calls.iter().filter_map(|c| c.e.tid.as_deref()).collect();
    if tids.len() > 1 {
        return Err(RecordError::ManyTerminals(
            tids.into_iter().collect::<Vec<_>>().join(", "),
        ));
    }
    let mut names = Names::default();
    let mut steps: Vec<(String, String)> = Vec::new(); // (comment, step)
    if !starts_with_login(calls[0].e) {
        // a window that begins after the client's login: the steps after it need a token
        steps.push((
            "added: the recording begins after the client logged in".to_owned(),
            "token: {}".to_owned(),
        ));
    }
    let mut waited = false;
    let mut i = 0;
    while i < calls.len() {
        let c = &calls[i];
        let task_read = task_read(c.e);
        // consecutive 200 reads of one task are one poll
        let mut j = i + 1;
        if task_read.is_some() {
            while j < calls.len()
                && calls[j].e.path == c.e.path
                && calls[j].e.method == "GET"
                && calls[j - 1].e.status == 200
            {
                j += 1;
            }
        }
        let run = &calls[i..j];
        let last = run[run.len() - 1].e;
        let comment = if run.len() == 1 {
            format!(
                "seq {}: {} {} -> {}",
                c.e.seq, c.e.method, c.target, c.e.status
            )
        } else {
            format!(
                "seq {}..{}: GET {} x{} -> {}",
                c.e.seq,
                last.seq,
                c.target,
                run.len(),
                statuses(run)
            )
        };
        let step = match (task_read, run.len()) {
            (Some(_), n) if n > 1 || is_final_task(last) => {
                waited |= n > 1;
                poll_task(run, &mut names)
            }
            (Some(task), _) => get_task(last, task, &mut names),
            (None, _) => one_call(c, &mut names),
        };
        steps.push((comment, step));
        i = j;
    }
    let first = calls[0].e.seq;
    let last = calls[calls.len() - 1].e.seq;
    let mut yaml = String::new();
    let _ = writeln!(
        yaml,
        "# Recorded by `gptom-conformance record` from {} (journal seq {first}..{last}).",
        req.source
    );
    if let Some(tid) = tids.iter().next() {
        let _ = writeln!(
            yaml,
            "# Recorded on TID {tid}; it replays with the target's credentials (run --tid/--api-key/--username/--password)."
        );
    }
    yaml.push_str(
        "# Expectations are the answers' shapes: status codes, JSON types, and the values that describe behaviour.\n",
    );
    for l in &left_out {
        let _ = writeln!(yaml, "# left out: {l}");
    }
    let _ = writeln!(yaml, "id: {}", json!(req.id));
    let _ = writeln!(yaml, "title: {}", json!(req.title));
    yaml.push_str("tags: [recorded]\n");
    // tasks that were seen running need a target that takes time, and the embedded mock then takes realistic time
    if waited {
        yaml.push_str("latency: realistic\n");
    }
    yaml.push_str("steps:\n");
    for (comment, step) in &steps {
        let _ = writeln!(yaml, "  # {comment}\n  - {step}");
    }
    Ok(Recording {
        yaml,
        steps: steps.len(),
        left_out,
    })
}

/// Whether the call is a password login (what every later call's token comes from).
fn starts_with_login(e: &Entry) -> bool {
    e.method == "POST" && form_field(e, "grant_type").as_deref() == Some("password")
}

/// The form body of a token request, decoded.
fn form(e: &Entry) -> Option<Vec<(String, String)>> {
    serde_urlencoded::from_str(e.request_body.as_str()?).ok()
}

/// One field of a token request's form.
fn form_field(e: &Entry, name: &str) -> Option<String> {
    form(e)?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// GP tom's Cloud API paths (what the proxy forwards).
fn is_cloud(path: &str) -> bool {
    matches!(path, "/cloud/oauth/token" | "/api/oauth/token") || path.starts_with("/v1/")
}

/// The task id of a `GET /v1/tasks/{id}` with a bearer token.
fn task_read(e: &Entry) -> Option<&str> {
    let id = e.path.strip_prefix("/v1/tasks/")?;
    (e.method == "GET" && !id.is_empty() && !id.contains('/') && bearer(e) && e.query.is_none())
        .then_some(id)
}

/// Whether the request carried `Authorization: Bearer …`.
fn bearer(e: &Entry) -> bool {
    e.headers
        .get("authorization")
        .is_some_and(|a| a.starts_with("Bearer "))
}

fn task_status(e: &Entry) -> Option<&str> {
    e.response_body.get("status").and_then(Value::as_str)
}

fn is_final_task(e: &Entry) -> bool {
    e.status == 200 && task_status(e).is_some_and(mock_server::contract::status::is_final)
}

/// `CREATED -> IN_PROGRESS -> COMPLETED` (the distinct statuses, in order).
fn statuses(run: &[Call<'_>]) -> String {
    let mut seen: Vec<String> = Vec::new();
    for c in run {
        let s = match (c.e.status, task_status(c.e)) {
            (200, Some(s)) => s.to_owned(),
            (status, _) => format!("HTTP {status}"),
        };
        if seen.last() != Some(&s) {
            seen.push(s);
        }
    }
    seen.join(" -> ")
}

/// A step as one line of YAML (flow style: JSON is YAML).
fn line(kind: &str, fields: Map<String, Value>) -> String {
    format!("{kind}: {}", Value::Object(fields))
}

/// What the answer must look like: its status, and per top-level key its value (behaviour) or its type.
fn expect(e: &Entry, names: &Names) -> Value {
    expect_loose(e, names, &[])
}

/// [`expect`], with the keys in `loose` checked by type only (values that depend on when the client asked).
fn expect_loose(e: &Entry, names: &Names, loose: &[&str]) -> Value {
    let mut checks = Vec::new();
    if let Value::Object(body) = &e.response_body {
        for (k, v) in body {
            let check = match v {
                Value::String(_) | Value::Number(_) | Value::Bool(_)
                    if STABLE.contains(&k.as_str()) && !loose.contains(&k.as_str()) =>
                {
                    json!({"path": k, "equals": names.value(v)})
                }
                _ => json!({"path": k, "type": type_name(v)}),
            };
            checks.push(check);
        }
    }
    let mut out = Map::new();
    out.insert("status".into(), json!(e.status));
    if !checks.is_empty() {
        out.insert("json".into(), Value::Array(checks));
    }
    Value::Object(out)
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A token request, a task creation, a transaction read, or else a raw request.
fn one_call(c: &Call<'_>, names: &mut Names) -> String {
    let e = c.e;
    if e.method == "POST"
        && matches!(e.path.as_str(), "/cloud/oauth/token" | "/api/oauth/token")
        && let Some(step) = token(e, names)
    {
        return step;
    }
    if e.method == "POST"
        && let Some(class) = e.path.strip_prefix("/v1/tasks/")
        && !class.is_empty()
        && !class.contains('/')
        && bearer(e)
        && e.query.is_none()
        && let Value::Object(body) = &e.request_body
    {
        return create_task(e, class, body, names);
    }
    if e.method == "GET"
        && let Some(id) = e.path.strip_prefix("/v1/transactions/")
        && !id.is_empty()
        && bearer(e)
        && e.query.is_none()
    {
        let mut f = Map::new();
        f.insert("id".into(), json!(names.text(id)));
        f.insert("expect".into(), expect(e, names));
        return line("get_transaction", f);
    }
    request(c, names)
}

/// `token`: the target's credentials replace the recorded ones (the journal hides the password).
fn token(e: &Entry, names: &Names) -> Option<String> {
    let form = form(e)?;
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let mut f = Map::new();
    let grant = get("grant_type").unwrap_or_default();
    let default_path = match grant {
        "refresh_token" => {
            f.insert("grant".into(), json!("refresh"));
            "/api/oauth/token"
        }
        "password" => "/cloud/oauth/token",
        other => {
            f.insert("grant_type".into(), json!(other));
            "/cloud/oauth/token"
        }
    };
    if e.path != default_path {
        f.insert("path".into(), json!(e.path));
    }
    if grant == "password" && (e.status == 400 || e.status == 401) {
        // refused credentials: the hidden password was not the account's, so neither is this one
        f.insert("password".into(), json!("not-the-password"));
    }
    if grant == "password" && get("tid").is_none() {
        f.insert("user".into(), json!("{{username}}"));
    }
    f.insert("expect".into(), expect(e, names));
    Some(line("token", f))
}

/// `create_task`: the recorded body over the target's defaults (its own `apiKey` and `Tid`); a default the
/// client did not send is removed with `null`.
fn create_task(e: &Entry, class: &str, body: &Map<String, Value>, names: &mut Names) -> String {
    let mut sent = Map::new();
    for (k, v) in body {
        if k != "apiKey" && k != "Tid" {
            sent.insert(k.clone(), names.value(v));
        }
    }
    for (k, always) in DEFAULTS {
        if (*always || class == "TRANSACTION") && !body.contains_key(*k) {
            sent.insert((*k).to_owned(), Value::Null);
        }
    }
    let mut f = Map::new();
    if class != "TRANSACTION" {
        f.insert("class".into(), json!(class));
    }
    f.insert("body".into(), Value::Object(sent));
    f.insert("expect".into(), expect(e, names));
    if let Some(id) = e.response_body.get("taskId").and_then(Value::as_str)
        && e.status == 200
    {
        let var = names.task(id);
        f.insert("capture".into(), json!({var: "taskId"}));
    }
    line("create_task", f)
}

/// Polls of one task until its final status: `interval` as the client paced them.
fn poll_task(run: &[Call<'_>], names: &mut Names) -> String {
    let last = run[run.len() - 1].e;
    let task = task_read(last).unwrap_or_default();
    let gaps: Vec<i64> = run.windows(2).map(|w| w[1].e.ms - w[0].e.ms).collect();
    let interval = median(gaps).map_or(1.0, |ms| (ms.max(100) as f64 / 100.0).round() / 10.0);
    let span = (last.ms - run[0].e.ms) as f64 / 1000.0;
    let mut f = Map::new();
    // the captured id, or the recorded one (an unknown task stays unknown)
    f.insert("task".into(), json!(names.text(task)));
    f.insert("interval".into(), json!(interval));
    f.insert("timeout".into(), json!((span * 2.0).max(120.0).ceil()));
    f.insert("expect".into(), expect(last, names));
    if let Some(ctx) = last.response_body.get("contextId").and_then(Value::as_str)
        && let Some(var) = names.transaction(ctx)
    {
        f.insert("capture".into(), json!({var: "contextId"}));
    }
    line("poll_task", f)
}

/// One read of a task the client left before it was final (or that failed): the status code and shape only,
/// since the status it saw depends on when it asked.
fn get_task(e: &Entry, task: &str, names: &mut Names) -> String {
    let loose: &[&str] = if e.status == 200 { &["status"] } else { &[] };
    let shape = expect_loose(e, names, loose);
    let mut f = Map::new();
    // the captured id, or the recorded one (an unknown task stays unknown)
    f.insert("task".into(), json!(names.text(task)));
    f.insert("expect".into(), shape);
    line("get_task", f)
}

/// Anything else, sent as it was (the bearer token is the stored one).
fn request(c: &Call<'_>, names: &Names) -> String {
    let e = c.e;
    let mut f = Map::new();
    f.insert("method".into(), json!(e.method));
    f.insert("path".into(), json!(names.text(&c.target)));
    let mut headers = Map::new();
    if let Some(auth) = e.headers.get("authorization") {
        let value = match auth.split(' ').next() {
            Some("Bearer") => "Bearer {{access_token}}".to_owned(),
            _ => auth.clone(), // kept as the journal shows it (hidden)
        };
        headers.insert("Authorization".into(), json!(value));
    }
    if let Some(ct) = e.headers.get("content-type") {
        headers.insert("Content-Type".into(), json!(ct));
    }
    if !headers.is_empty() {
        f.insert("headers".into(), Value::Object(headers));
    }
    match &e.request_body {
        Value::Null => {}
        Value::String(s) => {
            f.insert("raw".into(), json!(names.text(s)));
        }
        other => {
            f.insert("json".into(), names.value(other));
        }
    }
    f.insert("expect".into(), expect(e, names));
    line("request", f)
}

fn median(mut v: Vec<i64>) -> Option<i64> {
    v.sort_unstable();
    v.get(v.len() / 2).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: u64, method: &str, path: &str, status: u16, response: Value) -> Value {
        json!({"seq": seq, "time": format!("2026-01-01T00:00:{:02}Z", seq), "method": method, "path": path,
               "headers": {"authorization": "Bearer [redacted]"}, "requestBody": null, "status": status,
               "responseBody": response, "tid": "999888"})
    }

    fn recorded(entries: Vec<Value>) -> Result<Recording, RecordError> {
        let text = json!({"entries": entries}).to_string();
        let journal = Journal::parse(&text).expect("a journal");
        record(
            &journal,
            &Request {
                id: "R",
                title: "t",
                source: "test",
            },
        )
    }

    #[test]
    fn only_the_cloud_api_as_the_server_answered_is_recorded() {
        let mut faulted = entry(3, "GET", "/v1/tasks/a", 502, json!({"type": "X"}));
        faulted["fault"] = json!("f1");
        let r = recorded(vec![
            entry(1, "POST", "/ios/deeplink", 200, json!({})),
            entry(
                2,
                "GET",
                "/v1/tasks/a",
                404,
                json!({"type": "TASK_NOT_FOUND"}),
            ),
            faulted,
        ])
        .expect("recorded");
        assert_eq!(r.steps, 2, "a login first, then the read");
        assert!(
            r.yaml.contains(
                "  # added: the recording begins after the client logged in\n  - token: {}"
            )
        );
        assert_eq!(r.left_out.len(), 2, "{:?}", r.left_out);
        assert!(
            r.left_out[0].contains("not a Cloud API call"),
            "{:?}",
            r.left_out
        );
        assert!(r.left_out[1].contains("\"f1\""), "{:?}", r.left_out);
        assert!(
            r.yaml
                .contains(r#"- get_task: {"task":"a","expect":{"status":404"#),
            "{}",
            r.yaml
        );
        assert!(
            r.yaml.contains("# left out: seq 1 POST /ios/deeplink"),
            "{}",
            r.yaml
        );
    }

    #[test]
    fn polls_of_one_task_become_one_poll_task_paced_like_the_client() {
        let r = recorded(vec![
            entry(1, "GET", "/v1/tasks/a", 200, json!({"status": "CREATED"})),
            entry(
                3,
                "GET",
                "/v1/tasks/a",
                200,
                json!({"status": "IN_PROGRESS"}),
            ),
            entry(
                5,
                "GET",
                "/v1/tasks/a",
                200,
                json!({"status": "COMPLETED", "contextId": "c"}),
            ),
            entry(
                6,
                "GET",
                "/v1/transactions/c",
                200,
                json!({"result": "ACCEPTED"}),
            ),
        ])
        .expect("recorded");
        assert_eq!(r.steps, 3, "{}", r.yaml);
        assert!(
            r.yaml.contains("x3 -> CREATED -> IN_PROGRESS -> COMPLETED"),
            "{}",
            r.yaml
        );
        assert!(r.yaml.contains(r#""interval":2.0"#), "{}", r.yaml);
        assert!(
            r.yaml.contains(r#""capture":{"transaction1":"contextId"}"#),
            "{}",
            r.yaml
        );
        assert!(
            r.yaml
                .contains(r#"- get_transaction: {"id":"{{transaction1}}""#),
            "{}",
            r.yaml
        );
        assert!(r.yaml.contains("latency: realistic"), "{}", r.yaml);
    }

    #[test]
    fn a_task_left_before_its_end_is_read_once_and_its_status_checked_by_type() {
        let r = recorded(vec![entry(
            1,
            "GET",
            "/v1/tasks/a",
            200,
            json!({"status": "IN_PROGRESS", "amount": 5}),
        )])
        .expect("recorded");
        assert!(
            r.yaml.contains(r#"- get_task: {"task":"a","expect":{"status":200,"json":[{"path":"status","type":"string"},{"path":"amount","equals":5}]}}"#),
            "{}",
            r.yaml
        );
    }

    #[test]
    fn a_refresh_and_several_terminals() {
        let mut refresh = entry(
            1,
            "POST",
            "/api/oauth/token",
            200,
            json!({"token_type": "bearer"}),
        );
        refresh["requestBody"] = json!("grant_type=refresh_token&refresh_token=%5Bredacted%5D");
        let r = recorded(vec![refresh]).expect("recorded");
        assert!(
            r.yaml.contains(r#"- token: {"grant":"refresh","expect""#),
            "{}",
            r.yaml
        );
        let mut other = entry(2, "GET", "/v1/tasks/b", 404, json!({}));
        other["tid"] = json!("483590");
        let many = recorded(vec![entry(1, "GET", "/v1/tasks/a", 404, json!({})), other]);
        assert_eq!(
            many,
            Err(RecordError::ManyTerminals("483590, 999888".into()))
        );
        assert!(matches!(recorded(vec![]), Err(RecordError::Empty(_))));
    }
}
