//! The journal as the judge reads it: the entries of `GET /__admin/journal` (a mock's or a proxy's), their
//! times parsed, filtered by time and terminal.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

/// One journal entry as `GET /__admin/journal` returns it. Unknown fields are ignored and missing optional
/// ones default, so a newer mock's journal still loads.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// 1, 2, … in arrival order.
    pub seq: u64,
    /// Mock-clock time of arrival, RFC 3339.
    pub time: String,
    /// Milliseconds since the epoch, parsed from `time` by [`Journal::from_entries`].
    #[serde(skip)]
    pub ms: i64,
    /// HTTP method.
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// Query string.
    #[serde(default)]
    pub query: Option<String>,
    /// Request headers, lower-case names (Authorization redacted to the scheme).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// JSON body, or the form/text body as a string, or null.
    #[serde(default)]
    pub request_body: Value,
    /// HTTP status; 0 when a fault dropped the connection.
    pub status: u16,
    /// Response body.
    #[serde(default)]
    pub response_body: Value,
    /// The task created or read.
    #[serde(default)]
    pub task_id: Option<String>,
    /// The TID the call was about.
    #[serde(default)]
    pub tid: Option<String>,
    /// The task status the client was told.
    #[serde(default)]
    pub task_status: Option<String>,
    /// The fault rule that shaped the answer.
    #[serde(default)]
    pub fault: Option<String>,
    /// Likely client bugs the mock noticed.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// `cloud`, `ios`, `app2app` or `admin`.
    #[serde(default)]
    pub channel: String,
    /// The `jti` of the bearer token the call carried (absent in journals of older mocks).
    #[serde(default)]
    pub token_jti: Option<String>,
}

impl Entry {
    /// A lower-case header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    /// `POST …/oauth/token`.
    pub fn is_token(&self) -> bool {
        self.method == "POST" && self.path.ends_with("/oauth/token")
    }

    /// A call of the Cloud API proper (`/v1/…`).
    pub fn is_v1(&self) -> bool {
        self.path.starts_with("/v1/")
    }

    /// `POST /v1/tasks/{class}`.
    pub fn is_create(&self) -> bool {
        self.method == "POST" && self.path.starts_with("/v1/tasks/")
    }

    /// `POST /v1/tasks/TRANSACTION`.
    pub fn is_transaction_create(&self) -> bool {
        self.method == "POST" && self.path == "/v1/tasks/TRANSACTION"
    }

    /// `GET /v1/tasks/{id}`.
    pub fn is_poll(&self) -> bool {
        self.method == "GET" && self.path.starts_with("/v1/tasks/")
    }

    /// The id of `GET /v1/transactions/{id}`.
    pub fn transaction_fetch(&self) -> Option<&str> {
        (self.method == "GET")
            .then(|| self.path.strip_prefix("/v1/transactions/"))
            .flatten()
    }

    /// The `jti` of the access token a successful grant issued (read from the answer's `access_token`).
    pub fn issued_jti(&self) -> Option<String> {
        use base64::Engine as _;
        if !(self.is_token() && self.status == 200) {
            return None;
        }
        let token = self.response_body.get("access_token")?.as_str()?;
        let payload = token.split('.').nth(1)?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .ok()?;
        let claims: Value = serde_json::from_slice(&bytes).ok()?;
        match claims.get("jti")? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// A form body's pairs (token requests).
    pub fn form(&self) -> Vec<(String, String)> {
        match &self.request_body {
            Value::String(s) => serde_urlencoded::from_str(s).unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// A form field.
    pub fn form_field(&self, name: &str) -> Option<String> {
        self.form()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// A string field of the JSON request body.
    pub fn body_str(&self, name: &str) -> Option<&str> {
        self.request_body.get(name).and_then(Value::as_str)
    }

    /// The vendor error `type` of the response, if any.
    pub fn error_type(&self) -> Option<&str> {
        self.response_body.get("type").and_then(Value::as_str)
    }

    /// `#12 POST /v1/tasks/TRANSACTION → 502` for evidence lines.
    pub fn label(&self) -> String {
        let status = if self.status == 0 {
            "dropped".to_owned()
        } else {
            self.status.to_string()
        };
        format!("#{} {} {} → {status}", self.seq, self.method, self.path)
    }
}

/// A journal ready to judge: entries in `seq` order with parsed times.
#[derive(Debug, Clone, Default)]
pub struct Journal {
    /// The entries, oldest first.
    pub entries: Vec<Entry>,
    /// Entries the mock's ring dropped since its journal was last cleared (`evicted`; 0 when absent).
    pub evicted: u64,
}

/// Why a journal could not be read.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// Not the JSON of `GET /__admin/journal`.
    #[error(
        "not a gptom-mock journal: {0} (expected the JSON of GET /__admin/journal: {{\"entries\": [...]}})"
    )]
    Shape(String),
    /// An entry's `time` is not RFC 3339.
    #[error("entry #{seq}: time {time:?} is not RFC 3339")]
    Time {
        /// The entry.
        seq: u64,
        /// Its time.
        time: String,
    },
}

impl Journal {
    /// Parses `{"entries": [...]}` (or a bare array of entries).
    pub fn parse(text: &str) -> Result<Self, JournalError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| JournalError::Shape(e.to_string()))?;
        Self::from_value(value)
    }

    /// From the parsed JSON.
    pub fn from_value(value: Value) -> Result<Self, JournalError> {
        let mut evicted = 0;
        let list = match value {
            Value::Object(mut m) => {
                evicted = m.get("evicted").and_then(Value::as_u64).unwrap_or(0);
                m.remove("entries")
                    .ok_or_else(|| JournalError::Shape("no \"entries\" field".to_owned()))?
            }
            v @ Value::Array(_) => v,
            _ => {
                return Err(JournalError::Shape(
                    "neither an object nor an array".to_owned(),
                ));
            }
        };
        let entries: Vec<Entry> =
            serde_json::from_value(list).map_err(|e| JournalError::Shape(e.to_string()))?;
        let mut journal = Self::from_entries(entries)?;
        journal.evicted = evicted;
        Ok(journal)
    }

    /// Parses the times and sorts by `seq`.
    pub fn from_entries(mut entries: Vec<Entry>) -> Result<Self, JournalError> {
        for e in &mut entries {
            e.ms = parse_time(&e.time).ok_or_else(|| JournalError::Time {
                seq: e.seq,
                time: e.time.clone(),
            })?;
        }
        entries.sort_by_key(|e| e.seq);
        Ok(Self {
            entries,
            evicted: 0,
        })
    }

    /// Only the entries at or after `since` (ms) and of `tid`.
    pub fn filtered(mut self, since: Option<i64>, tid: Option<&str>) -> Self {
        self.entries.retain(|e| {
            since.is_none_or(|s| e.ms >= s) && tid.is_none_or(|t| e.tid.as_deref() == Some(t))
        });
        self
    }
}

/// RFC 3339 → milliseconds since the epoch.
pub fn parse_time(text: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.timestamp_millis())
}
