//! What a running step has — the target, its client, the scenario's variables, the waits — and the calls
//! every kind makes through it: send a request and record the exchange, check and capture an answer, call
//! the admin API, let time pass. Nothing here knows a step kind.

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Map, Value};

use mock_server::contract::admin::AdvanceBody;

use crate::admin::path;
use crate::assert;
use crate::result::{Exchange, StepResult, Verdict, Wait};
use crate::runner::{Waits, millis};
use crate::sandbox::Way;
use crate::scenario::Expect;
use crate::scenario::vars::{Vars, as_text, substitute, substitute_value};
use crate::target::{Credentials, Target, error_chain};

/// A response as the checks see it.
pub(crate) struct Response {
    /// 0 when no response came.
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) json: Option<Value>,
    pub(crate) elapsed_ms: u64,
    /// The whole transport error chain when no (complete) response came.
    pub(crate) transport_error: Option<String>,
}

/// A request body.
pub(crate) enum Body {
    None,
    Json(Value),
    Form(Vec<(String, String)>),
    Raw(String),
}

impl Body {
    /// The bytes to send and what the transcript shows (secrets hidden, a long raw body cut short); sets the
    /// content type when the caller gave none.
    fn encode(self, headers: &mut Vec<(String, String)>) -> (Option<String>, Option<String>) {
        let has_ct = headers.iter().any(|(k, _)| k == "content-type");
        match self {
            Body::None => (None, None),
            Body::Json(v) => {
                if !has_ct {
                    headers.push(("content-type".into(), "application/json".into()));
                }
                let text = serde_json::to_string(&v).unwrap_or_default();
                let mut shown = v;
                mock_server::journal::hide_secrets_as(&mut shown, "REDACTED");
                let shown = serde_json::to_string_pretty(&shown).unwrap_or_default();
                (Some(text), Some(shown))
            }
            Body::Form(pairs) => {
                if !has_ct {
                    headers.push((
                        "content-type".into(),
                        "application/x-www-form-urlencoded".into(),
                    ));
                }
                let text = serde_urlencoded::to_string(&pairs).unwrap_or_default();
                let shown_pairs: Vec<(String, String)> = pairs
                    .iter()
                    .map(|(k, v)| {
                        let v = if k == "password" {
                            "REDACTED".to_owned()
                        } else {
                            v.clone()
                        };
                        (k.clone(), v)
                    })
                    .collect();
                let shown = serde_urlencoded::to_string(&shown_pairs).unwrap_or_default();
                (Some(text), Some(shown))
            }
            Body::Raw(text) => {
                let shown = if text.len() > 2048 {
                    let head: String = text.chars().take(40).collect(); // never inside a character
                    format!("({} bytes: {head}…)", text.len())
                } else {
                    text.clone()
                };
                (Some(text), Some(shown))
            }
        }
    }
}

/// What a running step has.
pub(crate) struct Ctx<'a> {
    pub(crate) client: &'a reqwest::Client,
    pub(crate) target: &'a Target,
    pub(crate) creds: &'a Credentials,
    pub(crate) scenario_id: &'a str,
    pub(crate) vars: Vars,
    /// How real time passes, and who is told about a wait.
    pub(crate) clock: &'a Waits,
    /// The step running (1-based index and kind), for wait notices.
    pub(crate) at: (usize, &'static str),
    /// On a remote mock: the journal's `lastSeq` when the scenario began (its `get_journal` reads only since).
    pub(crate) journal_after: Option<u64>,
    /// Fault rules this scenario added (a remote mock's `remove_faults` and clean-up remove only these).
    pub(crate) added_faults: Vec<String>,
    /// Whether a request on a connection found dead is sent again (not when the step expects a transport
    /// error: a fault that drops the connection must stay visible).
    pub(crate) retry_stale: bool,
}

/// A step's run: its verdict when it cannot go on (checks that fail go into the result instead).
pub(crate) type StepOutcome = Result<(), Verdict>;

/// `text` with its `{{var}}`s replaced; an unknown one errs the step.
pub(crate) fn sub(text: &str, vars: &Vars) -> Result<String, Verdict> {
    substitute(text, vars).map_err(Verdict::Errored)
}

impl Ctx<'_> {
    /// Captures from a mock-only step's admin reply.
    pub(crate) fn capture_from(
        &mut self,
        reply: &Value,
        capture: &Map<String, Value>,
    ) -> StepOutcome {
        for (name, path) in capture {
            let path = path.as_str().unwrap_or_default();
            match assert::lookup(reply, path) {
                Some(v) => {
                    self.vars.insert(name.clone(), v.clone());
                }
                None => {
                    return Err(Verdict::Failed(format!(
                        "capture {name}: {path} is not in the reply {reply}"
                    )));
                }
            }
        }
        Ok(())
    }

    pub(crate) fn bearer(&self, token: Option<&str>) -> Result<String, Verdict> {
        match token {
            Some(t) => sub(t, &self.vars),
            None => sub("{{access_token}}", &self.vars),
        }
    }

    pub(crate) fn tid_or_default(&self, tid: Option<&str>) -> Result<String, Verdict> {
        match tid {
            Some(t) => sub(t, &self.vars),
            None => Ok(self.creds.tid.clone()),
        }
    }

    /// Lets `seconds` pass within a wait of at most `bound` seconds of which `waited` are gone: on a manual
    /// clock the runner moves it (returns the mock's new time); on a real clock it waits (never moving a clock
    /// other users share) and says so to whoever watches.
    pub(crate) async fn pass_time(
        &self,
        seconds: f64,
        bound: f64,
    ) -> Result<Option<String>, Verdict> {
        self.pass_time_from(seconds, 0.0, bound).await
    }

    /// [`Ctx::pass_time`] inside a poll that has already waited `waited` seconds.
    pub(crate) async fn wait(&self, seconds: f64, waited: f64, bound: f64) -> Result<(), Verdict> {
        self.pass_time_from(seconds, waited, bound)
            .await
            .map(|_| ())
    }

    async fn pass_time_from(
        &self,
        seconds: f64,
        waited: f64,
        bound: f64,
    ) -> Result<Option<String>, Verdict> {
        if self.target.manual_clock() {
            let now = self
                .admin_call(
                    "POST",
                    path::CLOCK_ADVANCE,
                    to_json(&AdvanceBody { seconds })?,
                )
                .await?;
            return Ok(Some(now.get("now").map(as_text).unwrap_or_default()));
        }
        self.clock.notify(&Wait {
            scenario: self.scenario_id,
            step: self.at.0,
            kind: self.at.1,
            seconds,
            waited,
            bound,
        });
        self.clock
            .pacer
            .pass(Duration::from_secs_f64(seconds))
            .await;
        Ok(None)
    }

    /// A mock-only admin call that must succeed; its reply is returned.
    pub(crate) async fn admin_call(
        &self,
        method: &str,
        path: &str,
        body: Value,
    ) -> Result<Value, Verdict> {
        let body = (!body.is_null()).then_some(&body);
        let (status, reply) = self
            .target
            .admin(self.client)
            .call(method, path, body)
            .await
            .map_err(Verdict::Errored)?;
        if !(200..300).contains(&status) {
            return Err(Verdict::Failed(format!(
                "{method} {path} answered {status}: {reply}"
            )));
        }
        Ok(reply)
    }

    /// The request headers as reqwest takes them; a protected mock's admin calls carry its token (the transcript
    /// does not show it).
    fn header_map(&self, path: &str, headers: &[(String, String)]) -> Result<HeaderMap, Verdict> {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            let name = HeaderName::from_bytes(k.as_bytes())
                .map_err(|_| Verdict::Errored(format!("bad header name {k:?}")))?;
            let value = HeaderValue::from_str(v)
                .map_err(|_| Verdict::Errored(format!("bad header value for {k}")))?;
            map.append(name, value);
        }
        // A protected mock's admin calls carry its token; the transcript does not show it.
        if let Some(token) = self.target.admin_token()
            && path.starts_with(crate::admin::path::PREFIX)
            && !map.contains_key(reqwest::header::AUTHORIZATION)
            && let Ok(v) = HeaderValue::from_str(&format!("Bearer {token}"))
        {
            map.insert(reqwest::header::AUTHORIZATION, v);
        }
        Ok(map)
    }

    /// Sends one request and records the exchange.
    pub(crate) async fn send(
        &mut self,
        r: &mut StepResult,
        method: &str,
        path: &str,
        mut headers: Vec<(String, String)>,
        body: Body,
    ) -> Result<Response, Verdict> {
        let sandbox = self.target.sandbox();
        // in a sandbox the request goes out with the sandbox's values (the transcript keeps the fixture's)
        let sent_path = sandbox.map_or_else(|| path.to_owned(), |s| s.path(path));
        let url = format!("{}{sent_path}", self.target.base_url());
        let m = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| Verdict::Errored(format!("bad HTTP method {method:?}")))?;
        let (bytes, shown) = body.encode(&mut headers);
        let mut map = self.header_map(path, &headers)?;
        let mut req = self.client.request(m, &url);
        if let Some(s) = sandbox {
            for value in map.values_mut() {
                if let Some(v) = value.to_str().ok().and_then(|v| s.text(v, Way::Out))
                    && let Ok(v) = HeaderValue::from_str(&v)
                {
                    *value = v;
                }
            }
            req = req.header(crate::sandbox::HEADER, &s.id);
        }
        req = req.headers(map);
        if let Some(b) = bytes {
            req = match sandbox {
                Some(s) => req.body(s.body(b.into_bytes())),
                None => req.body(b),
            };
        }
        let t0 = Instant::now();
        let again = req.try_clone();
        let mut sent = req.send().await;
        // A pooled connection the server closed while it sat idle fails before any answer: an idempotent
        // request is sent once more (on another connection; the dead one has left the pool).
        if let (Err(e), Some(again)) = (&sent, again)
            && self.retry_stale
            && idempotent(method)
            && stale(e)
        {
            r.notes.push(format!(
                "{method} {path}: retried once on a fresh connection ({})",
                root_cause(e)
            ));
            sent = again.send().await;
        }
        let elapsed_ms = millis(t0.elapsed());
        let mut x = Exchange {
            method: method.to_owned(),
            path: path.to_owned(),
            request_headers: headers,
            request_body: shown,
            status: 0,
            error: None,
            response_headers: Vec::new(),
            response_body: String::new(),
            pending: None,
            elapsed_ms,
        };
        let no_response = |x: Exchange, r: &mut StepResult, e: &reqwest::Error, what: &str| {
            let resp = Response {
                status: x.status,
                headers: HeaderMap::new(),
                json: None,
                elapsed_ms,
                transport_error: Some(format!("{method} {url}: {what}{}", error_chain(e))),
            };
            r.exchanges.push(Exchange {
                error: Some(root_cause(e)),
                ..x
            });
            Ok(resp)
        };
        let resp = match sent {
            Ok(resp) => resp,
            Err(e) => return no_response(x, r, &e, ""),
        };
        let status = resp.status().as_u16();
        let resp_headers = resp.headers().clone();
        x.status = status;
        let text = match resp.text().await {
            Ok(t) => t,
            Err(e) => return no_response(x, r, &e, "reading the body: "),
        };
        let mut json: Option<Value> = serde_json::from_str(&text).ok();
        if let (Some(s), Some(j)) = (sandbox, json.as_mut()) {
            s.json(j, Way::Back);
        }
        for name in ["content-type", "www-authenticate", "allow"] {
            if let Some(v) = resp_headers.get(name).and_then(|v| v.to_str().ok()) {
                x.response_headers.push((name.to_owned(), v.to_owned()));
            }
        }
        x.response_body = match &json {
            Some(v) => serde_json::to_string_pretty(v).unwrap_or_default(),
            None => text,
        };
        r.exchanges.push(x);
        Ok(Response {
            status,
            headers: resp_headers,
            json,
            elapsed_ms,
            transport_error: None,
        })
    }

    /// Runs the checks of `expect`, then explicit and implicit captures.
    pub(crate) fn finish(
        &mut self,
        r: &mut StepResult,
        resp: &Response,
        expect: &Expect,
        capture: &Map<String, Value>,
        implicit: &[(&str, &str)],
    ) -> StepOutcome {
        if expect.transport_error {
            r.checks.push(assert::transport_error(
                resp.transport_error.is_some(),
                resp.status,
            ));
            return Ok(()); // nothing to capture from a response that did not come
        }
        if let Some(why) = &resp.transport_error {
            return Err(Verdict::Errored(why.clone()));
        }
        r.checks
            .push(assert::status(expect.status.unwrap_or(200), resp.status));
        for (name, want) in &expect.headers {
            let want = substitute_value(want, &self.vars).map_err(Verdict::Errored)?;
            let got = resp
                .headers
                .get(name.as_str())
                .and_then(|v| v.to_str().ok());
            r.checks.push(assert::header(name, &want, got));
        }
        for c in &expect.json {
            r.checks
                .extend(assert::json(c, resp.json.as_ref(), &self.vars));
        }
        if let Some(max) = expect.max_ms {
            r.checks.push(assert::time(max, resp.elapsed_ms));
        }
        if r.checks.iter().any(|c| !c.ok) {
            return Ok(()); // the caller turns the first failed check into the verdict
        }
        for (name, path) in capture {
            let path = path.as_str().unwrap_or_default();
            match resp.json.as_ref().and_then(|j| assert::lookup(j, path)) {
                Some(v) => {
                    self.vars.insert(name.clone(), v.clone());
                }
                None => {
                    return Err(Verdict::Failed(format!(
                        "capture {name}: {path} is not in the response"
                    )));
                }
            }
        }
        if (200..300).contains(&resp.status) {
            for (name, path) in implicit {
                if let Some(v) = resp.json.as_ref().and_then(|j| assert::lookup(j, path)) {
                    self.vars.insert((*name).to_owned(), v.clone());
                }
            }
        }
        Ok(())
    }
}

/// Methods whose repetition changes nothing on the server.
fn idempotent(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS")
}

/// Whether the request died on a connection the server had already closed: no status came, and the cause is
/// the peer's close or reset (not a refused connection or a timeout).
fn stale(e: &reqwest::Error) -> bool {
    if e.is_connect() || e.is_timeout() || e.status().is_some() {
        return false;
    }
    let cause = root_cause(e).to_ascii_lowercase();
    [
        "connection closed",
        "connection reset",
        "broken pipe",
        "unexpected eof",
    ]
    .iter()
    .any(|c| cause.contains(c))
}

/// The innermost cause of a transport error: stable text without the URL (`connection closed before message
/// completed`, `Connection refused (os error 111)`).
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// An admin body as the JSON the call sends.
pub(crate) fn to_json(body: &impl serde::Serialize) -> Result<Value, Verdict> {
    serde_json::to_value(body).map_err(|e| Verdict::Errored(e.to_string()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn a_long_raw_body_is_shown_short_whatever_its_characters() {
        let text = format!("a{}{}", "é".repeat(30), "x".repeat(3000)); // byte 40 falls inside an 'é'
        let mut headers = Vec::new();
        let (sent, shown) = super::Body::Raw(text.clone()).encode(&mut headers);
        assert_eq!(sent.as_deref(), Some(text.as_str()));
        let shown = shown.unwrap();
        assert!(
            shown.starts_with(&format!("({} bytes: aéé", text.len())),
            "{shown}"
        );
        assert!(shown.chars().count() < 100, "{shown}");
        let (_, form) =
            super::Body::Form(vec![("password".into(), "p".into())]).encode(&mut headers);
        assert_eq!(form.as_deref(), Some("password=REDACTED"));
        assert!(
            headers
                .iter()
                .any(|(k, v)| k == "content-type" && v.starts_with("application/x-www"))
        );
    }

    #[test]
    fn secrets_never_reach_a_transcript() {
        let mut v = json!({"url": "gptom://login?username=a@b&password=p%26w&tid=1", "password": "x",
                           "nested": [{"newPass": "y", "ok": "password-less"}]});
        mock_server::journal::hide_secrets_as(&mut v, "REDACTED");
        assert_eq!(
            v,
            json!({"url": "gptom://login?username=a@b&password=REDACTED&tid=1", "password": "REDACTED",
                   "nested": [{"newPass": "REDACTED", "ok": "password-less"}]})
        );
        let mut first = json!("gptom://change-password?password=a&newPassword=b");
        mock_server::journal::hide_secrets_as(&mut first, "REDACTED");
        assert_eq!(
            first,
            json!("gptom://change-password?password=REDACTED&newPassword=REDACTED")
        );
    }
}
