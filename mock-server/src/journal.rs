//! The request journal: a bounded ring of what crossed the wire (bytes only, nothing parsed on the request's
//! path), read back as [`Entry`]s with their labels (task, TID, status told, warnings) for `/__admin/journal`
//! and the judge. Secrets never leave it. Filled by the HTTP layer (`http::journal::record`); free of axum.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, header};
use serde::Serialize;
use serde_json::Value;

use crate::clock::Timestamp;
use crate::engine::validate::likely_mistakes;
use crate::facts::{bearer_claim, facts_of};

/// How many of the newest entries a new one shares equal parts with ([`Journal::push`]).
const RECENT: usize = 4;

/// Equal bytes (the same buffer, or the last ones looked at first: headers that differ mostly differ in the bearer
/// token's signature, at the end, after a long prefix that every token of a user shares).
fn same(a: &[u8], b: &[u8]) -> bool {
    let tail = a.len().min(16);
    a.len() == b.len()
        && (a.as_ptr() == b.as_ptr() || (a[a.len() - tail..] == b[b.len() - tail..] && a == b))
}

/// The headers as `name: value` lines in one buffer that owns its bytes (see [`Record::head`]).
pub(crate) fn own_head(headers: &HeaderMap) -> Vec<u8> {
    let mut head = Vec::with_capacity(
        headers
            .iter()
            .map(|(k, v)| k.as_str().len() + v.len() + 3)
            .sum(),
    );
    for (name, value) in headers {
        head.extend_from_slice(name.as_str().as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.push(b'\n');
    }
    head
}

/// The last bytes of a header value: where two bearer tokens of one user differ.
fn tail(v: &HeaderValue) -> &[u8] {
    let v = v.as_bytes();
    &v[v.len() - v.len().min(15)..]
}

/// Whether `head` holds exactly `headers` as [`own_head`] writes them (`name: value` lines).
fn head_is(head: &[u8], headers: &HeaderMap) -> bool {
    let mut rest = head;
    for (name, value) in headers {
        let (n, v) = (name.as_str().as_bytes(), value.as_bytes());
        let Some((line, more)) = rest.split_at_checked(n.len() + v.len() + 3) else {
            return false;
        };
        let (ln, lv) = line.split_at(n.len());
        if ln != n || lv[..2] != *b": " || lv[2..lv.len() - 1] != *v || lv[lv.len() - 1] != b'\n' {
            return false;
        }
        rest = more;
    }
    rest.is_empty()
}

/// Largest body kept per entry; longer ones are cut.
const BODY_KEEP: usize = 16 * 1024;

/// One request and its answer, as served to `/__admin/journal`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// 1, 2, … in arrival order.
    pub seq: u64,
    /// Mock-clock time of arrival.
    pub time: Timestamp,
    /// HTTP method.
    pub method: String,
    /// Path.
    pub path: String,
    /// Query string, if any.
    pub query: Option<String>,
    /// Request headers (Authorization redacted).
    pub headers: BTreeMap<String, String>,
    /// Request body: JSON when it parses, else text, else null.
    pub request_body: Value,
    /// HTTP status (0 when the connection was dropped by a fault).
    pub status: u16,
    /// Response body.
    pub response_body: Value,
    /// The task the call created or read.
    pub task_id: Option<String>,
    /// The TID the call was about.
    pub tid: Option<String>,
    /// Task status the client was told, if any.
    pub task_status: Option<String>,
    /// The fault rule that shaped the answer.
    pub fault: Option<String>,
    /// Likely client bugs seen in the request.
    pub warnings: Vec<String>,
    /// `cloud`, `ios` or `app2app`.
    pub channel: &'static str,
    /// `jti` of the bearer token the call carried (which token a client reused), if any.
    pub token_jti: Option<String>,
}

/// What the journal keeps of an exchange: the bytes as they crossed the wire, nothing parsed. Recording is on
/// every request's path, reading is rare, so bodies, token claims and labels are worked out when an [`Entry`]
/// is read (the hot path stays free of JSON parsing and JWT decoding).
#[derive(Clone, Debug)]
pub(crate) struct Record {
    pub(crate) seq: u64,
    pub(crate) time: Timestamp,
    pub(crate) method: Method,
    /// Path and query, as sent.
    pub(crate) target: Arc<str>,
    /// The request headers, `name: value` per line (the buffer [`own_head`] filled, kept as is).
    pub(crate) head: Bytes,
    pub(crate) request: Bytes,
    pub(crate) status: u16,
    pub(crate) response: Bytes,
    pub(crate) fault: Option<String>,
    /// Warnings a handler attached (device channels).
    pub(crate) noticed: Vec<String>,
}

impl Record {
    /// Path, and query if any.
    fn path_and_query(&self) -> (&str, Option<&str>) {
        match self.target.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (&self.target, None),
        }
    }

    /// The request headers back as a map (header values cannot hold a newline, names cannot hold `:`).
    fn headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for line in self.head.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            let Some(colon) = line.iter().position(|b| *b == b':') else {
                continue;
            };
            let value = line[colon + 1..]
                .strip_prefix(b" ")
                .unwrap_or(&line[colon + 1..]);
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(&line[..colon]),
                HeaderValue::from_bytes(value),
            ) {
                headers.append(name, value);
            }
        }
        headers
    }

    /// The entry as it is read back, tokens sealed when `sealed` (proxy mode).
    fn shown(&self, sealed: bool) -> Entry {
        let mut e = self.entry();
        if sealed {
            seal(&mut e.request_body);
            seal(&mut e.response_body);
        }
        e
    }

    fn entry(&self) -> Entry {
        let (path, query) = self.path_and_query();
        let headers = self.headers();
        let facts = facts_of(&self.method, path, &headers, &self.request);
        let request_body = body_value(&self.request);
        let mut warnings = match (&request_body, facts.task_class.is_some()) {
            (Value::Object(m), true) => likely_mistakes(m),
            _ => Vec::new(),
        };
        if path.starts_with("/v1/") && !headers.contains_key(header::AUTHORIZATION) {
            warnings.push(
                "no Authorization header: every /v1 call needs `Authorization: Bearer <access_token>`"
                    .into(),
            );
        }
        warnings.extend(self.noticed.iter().cloned());
        let response_body = body_value(&self.response);
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
        let task_id = text(response_body.get("taskId")).or_else(|| {
            path.strip_prefix("/v1/tasks/")
                .filter(|_| self.method == Method::GET)
                .map(str::to_owned)
        });
        let tid = facts
            .tid
            .or_else(|| text(response_body.pointer("/payload/Tid")));
        let task_status = text(response_body.get("taskId").and(response_body.get("status")));
        let channel = match path.split('/').nth(1) {
            Some("ios") => "ios",
            Some("app2app") => "app2app",
            Some("__admin") => "admin",
            _ => "cloud",
        };
        Entry {
            seq: self.seq,
            time: self.time,
            method: self.method.to_string(),
            path: path.to_owned(),
            query: query.map(str::to_owned),
            headers: headers
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_owned(),
                        redact(k.as_str(), &String::from_utf8_lossy(v.as_bytes())),
                    )
                })
                .collect(),
            request_body,
            status: self.status,
            response_body,
            task_id,
            tid,
            task_status,
            fault: self.fault.clone(),
            warnings,
            channel,
            token_jti: bearer_claim(&headers, "jti"),
        }
    }
}

/// A bounded ring of entries.
#[derive(Debug)]
pub struct Journal {
    entries: VecDeque<Record>,
    cap: usize,
    next_seq: u64,
    evicted: u64,
    seal_tokens: bool,
}

/// Filters of `GET /__admin/journal`.
#[derive(Debug, Default)]
pub struct Filter {
    /// Only this TID.
    pub tid: Option<String>,
    /// Path prefix, or a glob when it contains `*`.
    pub path: Option<String>,
    /// Entries at or after this time.
    pub since: Option<Timestamp>,
    /// Entries recorded after this sequence number (a client that noted `lastSeq` reads only what came since).
    pub after: Option<u64>,
    /// At most this many entries: the newest that match.
    pub limit: Option<usize>,
    /// Only requests sent with `X-Gptom-Sandbox: <this>`.
    pub sandbox: Option<String>,
}

impl Journal {
    /// An empty journal keeping at most `cap` entries.
    pub fn new(cap: usize) -> Self {
        Journal {
            // Sized up front so that the ring never reallocates on a request's path.
            entries: VecDeque::with_capacity(cap.clamp(1, 1 << 16)),
            cap: cap.max(1),
            next_seq: 1,
            evicted: 0,
            seal_tokens: false,
        }
    }

    /// Tokens are real credentials in proxy mode: entries show them without their signature
    /// ([`unsigned`]), which keeps their claims readable (a judge links calls to grants by `jti`) and makes
    /// them useless to whoever reads the journal.
    pub fn sealing_tokens(mut self, seal: bool) -> Self {
        self.seal_tokens = seal;
        self
    }

    /// The header buffer and the request body of the newest entries that hold the same headers / body: a client
    /// repeats its headers (and a poll its empty body) call after call, and sharing what is there saves writing
    /// a new copy (into memory the ring last used 10 000 requests ago) only for [`Journal::push`] to find it equal.
    pub(crate) fn reusable(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> (Option<Bytes>, Option<Bytes>) {
        let recent = || self.entries.iter().rev().take(RECENT);
        // Before walking every line, what a head holding exactly `headers` must have: their total length, and the
        // last bytes of the longest value (a bearer token's signature, what tells two clients apart) where that
        // value ends.
        let (mut len, mut longest) = (0, None::<(usize, &HeaderValue)>);
        for (name, value) in headers {
            len += name.as_str().len() + 2 + value.len();
            if longest.is_none_or(|(_, l)| value.len() > l.len()) {
                longest = Some((len, value));
            }
            len += 1;
        }
        let alike = |head: &[u8]| {
            head.len() == len
                && longest.is_none_or(|(end, value)| {
                    let tail = tail(value);
                    head.get(end - tail.len()..end) == Some(tail)
                })
        };
        (
            recent()
                .find(|r| alike(&r.head) && head_is(&r.head, headers))
                .map(|r| r.head.clone()),
            recent()
                .find(|r| *r.request == *body)
                .map(|r| r.request.clone()),
        )
    }

    pub(crate) fn push(&mut self, mut e: Record) {
        // A POS polling a task sends the same request and gets the same answer many times over: what equals one of
        // the most recent entries' is kept once, shared. A full ring (10 000 entries by default) then holds little
        // more than the records themselves, so recording a poll touches few cold cache lines.
        let recent = || self.entries.iter().rev().take(RECENT);
        // Headers and body usually come shared already ([`Journal::reusable`], before the request ran; `same` is
        // then a pointer check); looked at again for an equal entry pushed while this request ran.
        if let Some(r) = recent().find(|r| same(&r.head, &e.head)) {
            e.head = r.head.clone();
        }
        if let Some(r) = recent().find(|r| r.target == e.target) {
            e.target = Arc::clone(&r.target);
        }
        if let Some(r) = recent().find(|r| r.request == e.request) {
            e.request = r.request.clone();
        }
        if let Some(r) = recent().find(|r| same(&r.response, &e.response)) {
            e.response = r.response.clone();
        }
        e.seq = self.next_seq;
        self.next_seq += 1;
        if self.entries.len() == self.cap {
            self.entries.pop_front();
            self.evicted += 1;
        }
        self.entries.push_back(e);
    }

    /// Entries matching `f`, oldest first.
    pub fn select(&self, f: &Filter) -> Vec<Entry> {
        // Sequence numbers grow along the ring, so `after` is a cut, not a scan.
        let from = f
            .after
            .map_or(0, |a| self.entries.partition_point(|e| e.seq <= a));
        let mut out: Vec<Entry> = self
            .entries
            .range(from..)
            .filter(|e| {
                f.path.as_ref().is_none_or(|p| {
                    let (path, _) = e.path_and_query();
                    if p.contains('*') {
                        crate::contract::fault::glob(p, path)
                    } else {
                        path.starts_with(p.as_str())
                    }
                })
            })
            .filter(|e| f.since.is_none_or(|s| e.time >= s))
            .map(|r| r.shown(self.seal_tokens))
            .filter(|e| f.tid.as_ref().is_none_or(|t| e.tid.as_ref() == Some(t)))
            .filter(|e| {
                f.sandbox.as_ref().is_none_or(|s| {
                    e.headers.get(crate::contract::admin::SANDBOX_HEADER) == Some(s)
                })
            })
            .collect();
        if let Some(n) = f.limit {
            out.drain(..out.len().saturating_sub(n));
        }
        out
    }

    /// The newest record as the live stream will show it: a copy of the raw exchange (cheap: the bodies are
    /// shared), turned into its entry only when a reader takes it, off the request's path.
    pub fn newest(&self) -> Option<Live> {
        self.entries.back().map(|r| Live {
            record: r.clone(),
            sealed: self.seal_tokens,
        })
    }

    /// The sequence number of the newest entry ever recorded (0 before the first), kept across clears.
    pub fn last_seq(&self) -> u64 {
        self.next_seq - 1
    }

    /// How many entries the cap has pushed out since the last clear (evidence a judge no longer sees).
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Forgets everything (or one TID's entries).
    pub fn clear(&mut self, tid: Option<&str>) {
        match tid {
            None => {
                self.entries.clear();
                self.evicted = 0;
            }
            Some(t) => self.entries.retain(|e| e.entry().tid.as_deref() != Some(t)),
        }
    }

    /// Drops the entries of requests sent for a sandbox (`X-Gptom-Sandbox`), those without a TID included.
    pub fn clear_sandbox(&mut self, id: &str) {
        let line = format!("{}: {id}", crate::contract::admin::SANDBOX_HEADER);
        self.entries
            .retain(|e| !e.head.split(|b| *b == b'\n').any(|l| l == line.as_bytes()));
    }
}

/// A journal record on its way to a live reader ([`Journal::newest`]).
#[derive(Debug)]
pub struct Live {
    record: Record,
    sealed: bool,
}

impl Live {
    /// The entry's JSON, as `GET /__admin/journal` shows it.
    pub fn json(&self) -> String {
        serde_json::to_string(&self.record.shown(self.sealed)).unwrap_or_default()
    }
}

/// Names whose values never reach the journal (passwords in token forms, app2app and iOS login URLs).
const SECRETS: &[&str] = &["password", "newPassword", "oldPass", "newPass"];

fn body_value(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    if let Ok(mut v) = serde_json::from_slice::<Value>(bytes) {
        hide_secrets(&mut v);
        return v;
    }
    let cut = &bytes[..bytes.len().min(BODY_KEEP)];
    Value::String(hide_in_query(&String::from_utf8_lossy(cut)))
}

/// Replaces secret fields of a JSON body, and secret parameters inside string values (deep-link URLs).
fn hide_secrets(v: &mut Value) {
    hide_secrets_as(v, "[redacted]");
}

/// [`hide_secrets`] with the text a secret becomes (`gptom-conformance` transcripts write `REDACTED`): fields
/// named `password`, `newPassword`, `oldPass`, `newPass`, and the same names as parameters of a query or form
/// held in a string.
pub fn hide_secrets_as(v: &mut Value, mark: &str) {
    rewrite(v, SECRETS, &|_| Some(mark.to_owned()));
}

/// `a=1&password=x&b=2` → `a=1&password=[redacted]&b=2` (form bodies and URL queries).
fn hide_in_query(text: &str) -> String {
    rewrite_params(text, SECRETS, &|_| Some("[redacted]".to_owned()))
}

/// The token names whose values [`seal`] unsigns.
const TOKENS: &[&str] = &["access_token", "refresh_token"];

/// Unsigns the tokens of a body: JSON fields, or form parameters in a text body.
fn seal(v: &mut Value) {
    rewrite(v, TOKENS, &|token| token.map(unsigned));
}

/// What becomes of a named value: given its text (`None` for a JSON value that is not a string), its
/// replacement, or `None` to leave it.
type Replace<'a> = &'a dyn Fn(Option<&str>) -> Option<String>;

/// Replaces the values named in `names` wherever a body holds them: JSON fields at any depth (a field left as
/// it is is looked into), and the parameters of a query or form held in a string.
fn rewrite(v: &mut Value, names: &[&str], to: Replace<'_>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                match names
                    .contains(&k.as_str())
                    .then(|| to(x.as_str()))
                    .flatten()
                {
                    Some(new) => *x = Value::String(new),
                    None => rewrite(x, names, to),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| rewrite(x, names, to)),
        Value::String(s) if s.contains('=') => *s = rewrite_params(s, names, to),
        _ => {}
    }
}

/// `head?a=1&name=x` (or a bare `a=1&name=x`) with the named parameters replaced.
fn rewrite_params(text: &str, names: &[&str], to: Replace<'_>) -> String {
    let (head, query) = match text.split_once('?') {
        Some((h, q)) => (format!("{h}?"), q),
        None => (String::new(), text),
    };
    let parts: Vec<String> = query
        .split('&')
        .map(|p| match p.split_once('=') {
            Some((k, value)) if names.contains(&k) => match to(Some(value)) {
                Some(new) => format!("{k}={new}"),
                None => p.to_owned(),
            },
            _ => p.to_owned(),
        })
        .collect();
    format!("{head}{}", parts.join("&"))
}

/// `header.payload.signature` → `header.payload.[redacted]`; anything else → `[redacted]`.
pub fn unsigned(token: &str) -> String {
    match token.rsplit_once('.') {
        Some((signed, _)) if signed.contains('.') => format!("{signed}.[redacted]"),
        _ => "[redacted]".to_owned(),
    }
}

fn redact(name: &str, value: &str) -> String {
    if name == "authorization" {
        let scheme = value.split_whitespace().next().unwrap_or("");
        return format!("{scheme} [redacted]");
    }
    value.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poll(head: &str, response: &str) -> Record {
        Record {
            seq: 0,
            time: Timestamp(0),
            method: Method::GET,
            target: Arc::from("/v1/tasks/a"),
            head: Bytes::copy_from_slice(head.as_bytes()),
            request: Bytes::new(),
            status: 200,
            response: Bytes::copy_from_slice(response.as_bytes()),
            fault: None,
            noticed: Vec::new(),
        }
    }

    #[test]
    fn a_request_like_a_recent_one_shares_its_buffers() {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", HeaderValue::from_static("Bearer t"));
        headers.append("accept", HeaderValue::from_static("*/*"));
        let head = |h: &HeaderMap, j: &Journal| j.reusable(h, b"").0;
        let mut j = Journal::new(10);
        assert_eq!(
            j.reusable(&headers, b""),
            (None, None),
            "nothing to share yet"
        );
        let mut first = poll("authorization: Bearer t\naccept: */*\n", "{}");
        first.request = Bytes::from_static(br#"{"amount":1}"#);
        j.push(first);
        let (shared, body) = j.reusable(&headers, br#"{"amount":1}"#);
        assert_eq!(
            shared.expect("the same headers").as_ptr(),
            j.entries[0].head.as_ptr()
        );
        assert_eq!(
            body.expect("the same body").as_ptr(),
            j.entries[0].request.as_ptr()
        );
        assert!(
            j.reusable(&headers, br#"{"amount":2}"#).1.is_none(),
            "another body"
        );
        // any difference: a value, a name, a header more or less, another order
        let mut other = headers.clone();
        other.insert("authorization", HeaderValue::from_static("Bearer u"));
        assert!(head(&other, &j).is_none());
        let mut more = headers.clone();
        more.append("accept", HeaderValue::from_static("text/plain"));
        assert!(head(&more, &j).is_none());
        let mut fewer = HeaderMap::new();
        fewer.insert("authorization", HeaderValue::from_static("Bearer t"));
        assert!(head(&fewer, &j).is_none());
        let mut reordered = HeaderMap::new();
        reordered.insert("accept", HeaderValue::from_static("*/*"));
        reordered.insert("authorization", HeaderValue::from_static("Bearer t"));
        assert!(head(&reordered, &j).is_none());
        // as long, the same last line, another value before it
        let mut same_end = HeaderMap::new();
        same_end.insert("authorization", HeaderValue::from_static("Bearer x"));
        same_end.append("accept", HeaderValue::from_static("*/*"));
        assert!(head(&same_end, &j).is_none());
        // the longest value the same in the bytes looked at first, different before them: the walk decides
        let long = |first: &str| {
            let mut h = HeaderMap::new();
            let v = format!("{first}-0123456789abcdefghij");
            h.insert("authorization", HeaderValue::from_str(&v).unwrap());
            h
        };
        let mut k = Journal::new(10);
        k.push(poll("authorization: a-0123456789abcdefghij\n", "{}"));
        assert!(head(&long("a"), &k).is_some());
        assert!(head(&long("b"), &k).is_none());
        // no headers at all: only an empty head is the same
        assert!(head(&HeaderMap::new(), &k).is_none());
        k.push(poll("", "{}"));
        assert!(head(&HeaderMap::new(), &k).is_some());
        // only the newest entries are looked at
        for n in 0..RECENT {
            j.push(poll(&format!("x: {n}\n"), "{}"));
        }
        assert!(head(&headers, &j).is_none());
    }

    #[test]
    fn repeated_polls_are_kept_once_and_read_back_whole() {
        let mut j = Journal::new(10);
        j.push(poll("authorization: Bearer t\n", r#"{"status":"CREATED"}"#));
        j.push(poll("authorization: Bearer t\n", r#"{"status":"CREATED"}"#));
        j.push(poll(
            "authorization: Bearer u\n",
            r#"{"status":"COMPLETED"}"#,
        ));
        let kept: Vec<&Record> = j.entries.iter().collect();
        assert_eq!(
            kept[0].head.as_ptr(),
            kept[1].head.as_ptr(),
            "the same headers are shared"
        );
        assert_eq!(
            kept[0].response.as_ptr(),
            kept[1].response.as_ptr(),
            "the same answer is shared"
        );
        assert!(Arc::ptr_eq(&kept[0].target, &kept[2].target));
        assert_ne!(
            kept[1].head.as_ptr(),
            kept[2].head.as_ptr(),
            "other headers are their own"
        );
        assert_ne!(kept[1].response, kept[2].response);
        let read = j.select(&Filter::default());
        assert_eq!(read.len(), 3);
        assert_eq!(
            read[1].response_body,
            serde_json::json!({"status": "CREATED"})
        );
        assert_eq!(
            read[2].response_body,
            serde_json::json!({"status": "COMPLETED"})
        );
        assert_eq!(
            read[2].headers.get("authorization").map(String::as_str),
            Some("Bearer [redacted]")
        );
        // the same ending is not enough
        j.push(poll(
            "x-a: 1\nauthorization: Bearer u\n",
            r#"{"status":"COMPLETED"}"#,
        ));
        j.push(poll(
            "x-b: 1\nauthorization: Bearer u\n",
            r#"{"status":"COMPLETED"}"#,
        ));
        let kept: Vec<&Record> = j.entries.iter().collect();
        assert_ne!(kept[3].head.as_ptr(), kept[4].head.as_ptr());
        assert_eq!(&*kept[4].head, b"x-b: 1\nauthorization: Bearer u\n");
    }

    #[test]
    fn sealed_tokens_keep_their_claims_and_lose_their_signature() {
        let mut body =
            serde_json::json!({"access_token": "h.p.sig", "refresh_token": "opaque", "jti": "j"});
        seal(&mut body);
        assert_eq!(
            body,
            serde_json::json!({"access_token": "h.p.[redacted]", "refresh_token": "[redacted]", "jti": "j"})
        );
        let mut form = Value::String("grant_type=refresh_token&refresh_token=a.b.c&x=1".into());
        seal(&mut form);
        assert_eq!(
            form,
            "grant_type=refresh_token&refresh_token=a.b.[redacted]&x=1"
        );
    }

    #[test]
    fn passwords_never_reach_the_journal() {
        let form = body_value(b"grant_type=password&username=u&password=ABCDEFGHIJKL&tid=1");
        assert_eq!(
            form,
            Value::String("grant_type=password&username=u&password=[redacted]&tid=1".into())
        );
        let json = body_value(br#"{"username":"u","password":"p","nested":{"newPass":"n"}}"#);
        assert_eq!(
            json,
            serde_json::json!({"username":"u","password":"[redacted]","nested":{"newPass":"[redacted]"}})
        );
        let url = body_value(br#"{"url":"gptom://login?username=u&password=secret&tid=1"}"#);
        assert_eq!(
            url["url"],
            "gptom://login?username=u&password=[redacted]&tid=1"
        );
    }
}
