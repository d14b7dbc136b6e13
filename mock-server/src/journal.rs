//! The request journal: a bounded ring of what crossed the wire (bytes only, nothing parsed on the request's
//! path), read back as [`Entry`]s with their labels (task, TID, status told, warnings) for `/__admin/journal`
//! and the judge. Secrets never leave it. Filled by the HTTP layer (`http::journal::record`); free of axum.

use std::collections::{BTreeMap, VecDeque};
use std::hash::BuildHasher;

use bytes::{Bytes, BytesMut};
use http::{HeaderMap, HeaderName, HeaderValue, Method, header};
use serde::Serialize;
use serde_json::Value;

use crate::clock::Timestamp;
use crate::engine::validate::likely_mistakes;
use crate::facts::{bearer_claim, facts_of};

/// Equal bytes (the same buffer, or the last ones looked at first: answers that differ mostly differ near the end).
fn same(a: &[u8], b: &[u8]) -> bool {
    let tail = a.len().min(16);
    a.len() == b.len()
        && (a.as_ptr() == b.as_ptr() || (a[a.len() - tail..] == b[b.len() - tail..] && a == b))
}

/// Writes the headers as `name: value` lines (see [`Record::head`]).
fn write_head(head: &mut Vec<u8>, headers: &HeaderMap) {
    for (name, value) in headers {
        head.extend_from_slice(name.as_str().as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.push(b'\n');
    }
}

/// The headers as `name: value` lines in one buffer that owns its bytes (see [`Record::head`]).
pub(crate) fn own_head(headers: &HeaderMap) -> Vec<u8> {
    let len = headers.iter().map(|(k, v)| k.as_str().len() + v.len() + 3);
    let mut head = Vec::with_capacity(len.sum());
    write_head(&mut head, headers);
    head
}

/// Buffers in one set of the [`Shelf`].
const WAYS: usize = 4;
/// Largest buffer put on the [`Shelf`]: bigger ones are rare and would make what it holds unbounded in practice.
const SHELVED_MAX: usize = 2048;

/// The answers the journal keeps, found again by their bytes. A poll's answer repeats once its task is final: it is
/// kept once and shared by every entry that holds it, so a ring of polls (10 000 entries by default) holds little
/// more than the records themselves. Found by content, not among the newest entries only, so that it holds for
/// 1 000 terminals polling in turn as for one. (What requests sent is not looked up here but copied, see
/// [`Copies`].)
///
/// A set-associative table (a slot number from the bytes' hash, [`WAYS`] buffers a set, the least recently used
/// one replaced) that grows with the ring up to as many slots as the ring has entries (8 192 at most): it never
/// holds much that the ring does not, and an idle mock's is tiny. Which buffer is shared is never seen from
/// outside (equal bytes), so the hash's seed does not matter; it is fixed anyway.
///
/// Only buffers no one else holds come here ([`Journal::push`]): one the engine holds too (a poll's answer it kept
/// for its terminal: `engine::kept`) is already shared by every poll that repeats it, and is taken as it is, not
/// hashed and compared again. (Before, such buffers were looked up by address in a direct-mapped table; over 1 000
/// terminals polling in turn a quarter of the lookups collided and hashed the whole answer, a cold read.)
#[derive(Debug)]
struct Shelf {
    /// `(hash, buffer)`, most recently used first within each set; an empty buffer is a free slot.
    slots: Box<[(u64, Bytes)]>,
    /// How many slots it may grow to.
    most: usize,
}

impl Shelf {
    fn new(cap: usize) -> Self {
        Shelf {
            slots: Self::empty(4 * WAYS),
            most: cap.next_power_of_two().clamp(4 * WAYS, 8192),
        }
    }

    fn empty(slots: usize) -> Box<[(u64, Bytes)]> {
        vec![(0, Bytes::new()); slots].into()
    }

    /// Twice as many slots while the ring holds more entries than there are slots (and `most` allows).
    fn fit(&mut self, entries: usize) {
        if self.slots.len() >= entries.min(self.most) {
            return;
        }
        while self.slots.len() < entries.min(self.most) {
            let twice = Self::empty(2 * self.slots.len());
            let old = std::mem::replace(&mut self.slots, twice);
            for (hash, b) in old.into_vec().into_iter().rev() {
                if !b.is_empty() {
                    self.put(hash, b);
                }
            }
        }
    }

    fn set(&mut self, hash: u64) -> &mut [(u64, Bytes)] {
        let first = (hash as usize & (self.slots.len() / WAYS - 1)) * WAYS;
        &mut self.slots[first..first + WAYS]
    }

    /// Keeps `b` first in its set, the set's least recently used buffer making way.
    fn put(&mut self, hash: u64, b: Bytes) {
        let set = self.set(hash);
        set.rotate_right(1);
        set[0] = (hash, b);
    }

    /// The buffer holding `bytes`, else the one `make` gives (which must hold them), kept from now on.
    fn get_or(&mut self, bytes: &[u8], make: impl FnOnce() -> Bytes) -> Bytes {
        if bytes.is_empty() || bytes.len() > SHELVED_MAX {
            return make();
        }
        let hash = foldhash::fast::FixedState::with_seed(0).hash_one(bytes);
        let set = self.set(hash);
        if let Some(i) = set.iter().position(|(h, b)| *h == hash && same(b, bytes)) {
            set[..=i].rotate_right(1);
            return set[0].1.clone();
        }
        let made = make();
        self.put(hash, made.clone());
        made
    }

    /// `b`, or the buffer holding the same bytes.
    fn share(&mut self, b: Bytes) -> Bytes {
        let bytes: &[u8] = &b;
        self.get_or(bytes, || b.clone())
    }
}

/// Size of the blocks [`Copies`] writes into.
const BLOCK: usize = 64 * 1024;

/// Where the journal copies what a request sent (target, headers, body): each copy right after the previous one in
/// a block, as a `Bytes` that shares the block, and a new block when one is full (a copy larger than a sixteenth of
/// a block gets its own buffer). A block is freed with the last entry holding a part of it, and the ring drops its
/// entries oldest first, so blocks go in the order they came: the copies of a full ring take what it holds, in a
/// few dozen blocks.
///
/// Copied, not looked up among the buffers already kept: finding equal bytes means reading the kept copy, wherever
/// it lies, and over a thousand clients in turn (each its own token in its headers) that copy is cold — about a
/// dozen cache misses a call, a fifth of a task creation's — while writing on where the last copy ended is what
/// memory does fastest. Copies, not slices: hyper's read buffer backs the parsed URI, headers and body, and a slice
/// kept in the journal would keep that whole buffer alive.
#[derive(Debug, Default)]
struct Copies {
    /// The rest of the current block (empty until the first copy).
    block: BytesMut,
}

impl Copies {
    /// `bytes` in the current block (or a new one).
    fn copy(&mut self, bytes: &[u8]) -> Bytes {
        if bytes.is_empty() {
            return Bytes::new();
        }
        if bytes.len() > BLOCK / 16 {
            return Bytes::copy_from_slice(bytes);
        }
        if self.block.capacity() < bytes.len() {
            self.block = BytesMut::with_capacity(BLOCK);
        }
        self.block.extend_from_slice(bytes);
        self.block.split().freeze()
    }
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
    /// Path and query, as sent (text: it came from a `&str`).
    pub(crate) target: Bytes,
    /// The request headers, `name: value` per line (as [`own_head`] writes them).
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
        let target = std::str::from_utf8(&self.target).unwrap_or_default();
        match target.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (target, None),
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
    /// Answers shared between entries.
    shelf: Shelf,
    /// What requests sent, copied.
    copies: Copies,
    /// Where a request's headers are written before they are copied (one warm buffer, reused).
    scratch: Vec<u8>,
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
            shelf: Shelf::new(cap),
            copies: Copies::default(),
            scratch: Vec::new(),
        }
    }

    /// Tokens are real credentials in proxy mode: entries show them without their signature
    /// ([`unsigned`]), which keeps their claims readable (a judge links calls to grants by `jti`) and makes
    /// them useless to whoever reads the journal.
    pub fn sealing_tokens(mut self, seal: bool) -> Self {
        self.seal_tokens = seal;
        self
    }

    /// A request's target, headers (as `name: value` lines) and body as the journal keeps them (see [`Copies`]).
    pub(crate) fn copy_request(
        &mut self,
        target: &str,
        headers: &HeaderMap,
        body: &[u8],
    ) -> (Bytes, Bytes, Bytes) {
        let Journal {
            copies, scratch, ..
        } = self;
        scratch.clear();
        write_head(scratch, headers);
        (
            copies.copy(target.as_bytes()),
            copies.copy(scratch),
            copies.copy(body),
        )
    }

    /// Records an exchange whose target, headers and body [`Journal::copy_request`] gave. `held`: whether its answer's
    /// buffer was held elsewhere too before the journal took it (`Bytes::is_unique`), as a poll's answer the engine
    /// keeps for its terminal is: that buffer is taken as it is.
    pub(crate) fn push(&mut self, mut e: Record, held: bool) {
        // The answer is shared too, to reads only: a poll's answer repeats, a creation's is new each time and would
        // only crowd out what repeats.
        if e.method == Method::GET && !held {
            e.response = self.shelf.share(std::mem::take(&mut e.response));
        }
        e.seq = self.next_seq;
        self.next_seq += 1;
        if self.entries.len() == self.cap {
            self.entries.pop_front();
            self.evicted += 1;
        }
        self.entries.push_back(e);
        self.shelf.fit(self.entries.len());
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
                self.shelf = Shelf::new(self.cap);
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
            target: Bytes::from_static(b"/v1/tasks/a"),
            head: Bytes::copy_from_slice(head.as_bytes()),
            request: Bytes::new(),
            status: 200,
            response: Bytes::copy_from_slice(response.as_bytes()),
            fault: None,
            noticed: Vec::new(),
        }
    }

    /// A call as the HTTP layer journals it: the request's buffers copied, then the record. Returns the answer as
    /// the journal keeps it.
    fn journaled(j: &mut Journal, method: Method, headers: &HeaderMap, response: &str) -> Bytes {
        let (target, head, request) = j.copy_request("/v1/tasks/a", headers, b"");
        let record = Record {
            method,
            target,
            head,
            request,
            ..poll("", response)
        };
        j.push(record, false);
        j.entries.back().unwrap().response.clone()
    }

    #[test]
    fn a_request_is_copied_whole_each_copy_after_the_last_in_one_block() {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", HeaderValue::from_static("Bearer t"));
        headers.append("accept", HeaderValue::from_static("*/*"));
        let mut j = Journal::new(10);
        let (target, head, body) = j.copy_request("/v1/tasks/a", &headers, br#"{"amount":1}"#);
        assert_eq!(&*target, b"/v1/tasks/a");
        assert_eq!(&*head, b"authorization: Bearer t\naccept: */*\n");
        assert_eq!(head, own_head(&headers));
        assert_eq!(&*body, br#"{"amount":1}"#);
        // one after the other in the same block
        let end = |b: &Bytes| b.as_ptr() as usize + b.len();
        assert_eq!(head.as_ptr() as usize, end(&target));
        assert_eq!(body.as_ptr() as usize, end(&head));
        // any headers, as they came (a value, a name, a header more or less, another order)
        let mut other = headers.clone();
        other.insert("authorization", HeaderValue::from_static("Bearer u"));
        let mut more = headers.clone();
        more.append("accept", HeaderValue::from_static("text/plain"));
        let mut reordered = HeaderMap::new();
        reordered.insert("accept", HeaderValue::from_static("*/*"));
        reordered.insert("authorization", HeaderValue::from_static("Bearer t"));
        for h in [other, more, reordered, HeaderMap::new()] {
            let (_, made, none) = j.copy_request("/", &h, b"");
            assert_eq!(made, own_head(&h), "{h:?}");
            assert!(none.is_empty());
        }
        // a large body gets its own buffer; the block goes on after it
        let large = vec![b'x'; BLOCK / 16 + 1];
        let (small, _, own) = j.copy_request("/a", &HeaderMap::new(), &large);
        assert_eq!(own, large);
        assert_eq!(j.copies.block.as_ptr() as usize, end(&small));
        // a full block: the next copy starts a new one, and what the old one holds stays
        let mut copies = Vec::new();
        while copies.len() < 200 {
            copies.push(j.copy_request(
                &format!("/v1/tasks/{}", copies.len()),
                &headers,
                &[b'b'; 700],
            ));
        }
        let parts: Vec<&Bytes> = copies.iter().flat_map(|(t, h, b)| [t, h, b]).collect();
        let starts = parts
            .windows(2)
            .filter(|w| w[1].as_ptr() as usize != end(w[0]))
            .count();
        assert!(
            (2..=3).contains(&starts),
            "200 copies of ~750 bytes fill two or three more 64 KiB blocks, one after another: {starts}"
        );
        for (n, (target, head, body)) in copies.iter().enumerate() {
            assert_eq!(target, format!("/v1/tasks/{n}").as_bytes());
            assert_eq!(head, &own_head(&headers));
            assert_eq!(body, &[b'b'; 700][..]);
        }
        // copies outlive the journal that made them
        drop(j);
        assert_eq!(&*copies[0].0, b"/v1/tasks/0");
    }

    #[test]
    fn a_thousand_clients_in_turn_share_their_answers_and_the_shelf_stays_bounded() {
        let client = |n: usize| {
            let mut h = HeaderMap::new();
            let v = format!("Bearer eyJhbGciOiJIUzI1NiJ9.{n:0>40}");
            h.insert("authorization", HeaderValue::from_str(&v).unwrap());
            h
        };
        let answer = |n: usize| format!(r#"{{"taskId":"{n:0>20}","status":"COMPLETED"}}"#);
        let call = |j: &mut Journal, n: usize| journaled(j, Method::GET, &client(n), &answer(n));
        let mut j = Journal::new(10_000);
        for _ in 0..10_000 {
            j.push(poll("", "{}"), false);
        }
        assert_eq!(
            j.shelf.slots.len(),
            8192,
            "grown with the ring, to its most"
        );
        let answers: Vec<Bytes> = (0..1000).map(|n| call(&mut j, n)).collect();
        let found = (0..1000)
            .filter(|&n| call(&mut j, n).as_ptr() == answers[n].as_ptr())
            .count();
        // a set of the table may get more than its four ways' share of the 1 000
        assert!(found >= 990, "{found} of 1 000 found again");
        // a small journal has a small shelf: the least recently used buffers make way
        let mut small = Journal::new(1);
        let oldest = call(&mut small, 0);
        for n in 1..100 {
            call(&mut small, n);
        }
        assert_eq!(small.shelf.slots.len(), 16);
        assert_ne!(call(&mut small, 0).as_ptr(), oldest.as_ptr());
        // growing keeps what the shelf holds
        let mut shelf = Shelf::new(100);
        let made: Vec<Bytes> = (0..16)
            .map(|n| shelf.share(Bytes::from(format!("buffer {n}"))))
            .collect();
        let held = |shelf: &Shelf| {
            made.iter()
                .filter(|m| shelf.slots.iter().any(|(_, b)| b.as_ptr() == m.as_ptr()))
                .count()
        };
        let before = held(&shelf);
        assert!(before > 0);
        shelf.fit(100);
        assert_eq!(shelf.slots.len(), 128, "the ring's size, in slots");
        assert_eq!(held(&shelf), before);
    }

    #[test]
    fn a_buffer_held_elsewhere_is_taken_as_it_is_and_equal_bytes_are_shared_by_content() {
        let mut j = Journal::new(100);
        let answer = |response: &Bytes| Record {
            response: response.clone(),
            ..poll("", "")
        };
        let kept = Bytes::from(r#"{"status":"COMPLETED"}"#.to_owned());
        let push = |j: &mut Journal, b: &Bytes| {
            let held = !b.is_unique(); // before the record's clone, as the HTTP layer asks
            j.push(answer(b), held);
            j.entries.back().unwrap().response.clone()
        };
        // held elsewhere (an answer the engine kept): itself each time, and not shelved
        let engine = kept.clone();
        for _ in 0..3 {
            assert_eq!(push(&mut j, &engine).as_ptr(), kept.as_ptr());
        }
        assert!(
            !j.shelf
                .slots
                .iter()
                .any(|(_, b)| b.as_ptr() == kept.as_ptr())
        );
        // equal bytes in buffers no one else holds: the first is shelved, the next get it
        let first = Bytes::from(r#"{"status":"COMPLETED"}"#.to_owned());
        let shelved = first.as_ptr();
        assert_eq!(push(&mut j, &first).as_ptr(), shelved);
        drop(first);
        let copy = Bytes::from(r#"{"status":"COMPLETED"}"#.to_owned());
        assert_eq!(push(&mut j, &copy).as_ptr(), shelved);
        // other bytes, and a part of a buffer (same address, shorter): not the shelved buffer
        let part = Bytes::from(r#"{"status":"COMPLETED"}"#.to_owned()).slice(..10);
        assert_eq!(&*push(&mut j, &part), br#"{"status":"#);
        assert_ne!(push(&mut j, &part).as_ptr(), shelved);
        // a large answer is not shelved (it would keep a large buffer alive)
        let large = Bytes::from(vec![b'x'; SHELVED_MAX + 1]);
        let large_at = large.as_ptr();
        assert_eq!(push(&mut j, &large).as_ptr(), large_at);
        assert!(!j.shelf.slots.iter().any(|(_, b)| b.as_ptr() == large_at));
        // only reads are shelved: a creation's answer is new each time
        let created = Bytes::from(r#"{"taskId":"a"}"#.to_owned());
        j.push(
            Record {
                method: Method::POST,
                ..answer(&created)
            },
            false,
        );
        assert!(
            !j.shelf
                .slots
                .iter()
                .any(|(_, b)| &**b == br#"{"taskId":"a"}"#)
        );
    }

    #[test]
    fn repeated_polls_are_kept_once_and_read_back_whole() {
        let mut j = Journal::new(10);
        let call = |j: &mut Journal, method: Method, head: &str, response: &str| {
            let mut headers = HeaderMap::new();
            for line in head.lines() {
                let (name, value) = line.split_once(": ").unwrap();
                headers.append(
                    HeaderName::from_bytes(name.as_bytes()).unwrap(),
                    HeaderValue::from_str(value).unwrap(),
                );
            }
            journaled(j, method, &headers, response);
        };
        let (created, completed) = (r#"{"status":"CREATED"}"#, r#"{"status":"COMPLETED"}"#);
        for (head, answer) in [
            ("authorization: Bearer t\n", created),
            ("authorization: Bearer t\n", created),
            ("authorization: Bearer u\n", completed),
        ] {
            call(&mut j, Method::GET, head, answer);
        }
        let kept: Vec<&Record> = j.entries.iter().collect();
        assert_eq!(
            kept[0].head, kept[1].head,
            "the same headers, each call its copy"
        );
        assert_eq!(
            kept[0].response.as_ptr(),
            kept[1].response.as_ptr(),
            "the same answer is shared"
        );
        assert_eq!(kept[0].target, kept[2].target);
        assert_ne!(kept[1].head, kept[2].head);
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
        // the same ending is not enough for an answer
        let ending = r#"{"x":1,"status":"COMPLETED"}"#;
        for head in ["x-a: 1\n", "x-b: 1\n"] {
            call(&mut j, Method::GET, head, completed);
        }
        call(&mut j, Method::GET, "x-b: 1\n", ending);
        let kept: Vec<&Record> = j.entries.iter().collect();
        assert_eq!(kept[3].response.as_ptr(), kept[4].response.as_ptr());
        assert_ne!(kept[4].response.as_ptr(), kept[5].response.as_ptr());
        assert_eq!(&*kept[4].head, b"x-b: 1\n");
        assert_eq!(&*kept[5].response, ending.as_bytes());
        // a creation's answer is its own (it is new each time: kept off the shelf)
        call(&mut j, Method::POST, "x-b: 1\n", r#"{"taskId":"a"}"#);
        call(&mut j, Method::POST, "x-b: 1\n", r#"{"taskId":"a"}"#);
        let kept: Vec<&Record> = j.entries.iter().collect();
        assert_ne!(kept[6].response.as_ptr(), kept[7].response.as_ptr());
        assert_eq!(kept[6].head, kept[7].head);
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
