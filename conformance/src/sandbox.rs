//! A run's own sandbox on a shared gptom-mock (`POST /__admin/sandboxes`): a copy of every fixture terminal and
//! login under new TIDs, apiKeys and usernames. Scenarios keep naming the fixtures (`999888`, `333W212J3`,
//! `jan.novak@example.com`); on the way out every whole value that is a fixture's — a path segment, a query
//! value, a JSON string, a form value, a value inside a URL — becomes the sandbox's, and on the way back the
//! sandbox's becomes the fixture's again, so expectations and transcripts read as on the embedded mock. Every
//! request carries `X-Gptom-Sandbox`, so clock moves, fault rules and journal reads concern the run alone.

use std::collections::HashMap;

use mock_server::contract::admin::SANDBOX_HEADER;
use serde_json::Value;

/// The header every request of a run in a sandbox carries.
pub const HEADER: &str = SANDBOX_HEADER;

/// A sandbox and its two-way map of values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sandbox {
    /// `sb1`, …
    pub id: String,
    out: HashMap<String, String>,
    back: HashMap<String, String>,
}

/// Which way a value goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    /// Fixture → sandbox (requests).
    Out,
    /// Sandbox → fixture (answers).
    Back,
}

impl Sandbox {
    /// The sandbox `POST /__admin/sandboxes` answered.
    pub fn from_reply(reply: &Value) -> Result<Self, String> {
        let id = reply
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("POST /__admin/sandboxes answered without an id: {reply}"))?;
        let mut sandbox = Sandbox {
            id: id.to_owned(),
            ..Sandbox::default()
        };
        // (list, the sandbox's field, the fixture's field)
        for (list, own, fixture) in [
            ("terminals", "tid", "copyOf"),
            ("terminals", "apiKey", "copyOfApiKey"),
            ("accounts", "username", "copyOf"),
        ] {
            for item in reply
                .get(list)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let text = |k: &str| item.get(k).and_then(Value::as_str).map(str::to_owned);
                if let (Some(own), Some(fixture)) = (text(own), text(fixture)) {
                    sandbox.pair(fixture, own);
                }
            }
        }
        Ok(sandbox)
    }

    /// Adds a pair of values (fixture, sandbox's).
    pub fn pair(&mut self, fixture: String, own: String) {
        self.back.insert(own.clone(), fixture.clone());
        self.out.insert(fixture, own);
    }

    fn map(&self, way: Way) -> &HashMap<String, String> {
        match way {
            Way::Out => &self.out,
            Way::Back => &self.back,
        }
    }

    /// A text value: a whole value that is mapped, else each word of it that is (a word: letters, digits and
    /// `.@+_-`), on the way out only inside a URL or a path (a title that happens to hold a fixture TID is the
    /// scenario's own), on the way back anywhere (a message naming the sandbox's TID names the fixture's).
    /// `None` when nothing changes.
    pub fn text(&self, text: &str, way: Way) -> Option<String> {
        let map = self.map(way);
        if let Some(v) = map.get(text) {
            return Some(v.clone());
        }
        if way == Way::Out && !(text.contains("://") || text.starts_with('/')) {
            return None;
        }
        let word = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '@' | '+' | '_' | '-');
        let mut out = String::with_capacity(text.len());
        let mut changed = false;
        let mut rest = text;
        while !rest.is_empty() {
            let end = rest.find(|c: char| !word(c)).unwrap_or(rest.len());
            let (token, after) = rest.split_at(end);
            match map.get(token) {
                Some(v) => {
                    out.push_str(v);
                    changed = true;
                }
                None => out.push_str(token),
            }
            let gap = after.find(word).unwrap_or(after.len());
            out.push_str(&after[..gap]);
            rest = &after[gap..];
        }
        changed.then_some(out)
    }

    /// Every string in a JSON value, in place.
    pub fn json(&self, value: &mut Value, way: Way) {
        match value {
            Value::String(s) => {
                if let Some(v) = self.text(s, way) {
                    *s = v;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.json(v, way)),
            Value::Object(m) => m.values_mut().for_each(|v| self.json(v, way)),
            _ => {}
        }
    }

    /// A path with its query, on the way out.
    pub fn path(&self, path: &str) -> String {
        self.text(path, Way::Out).unwrap_or_else(|| path.to_owned())
    }

    /// A request body on the way out, byte for byte but for the values mapped: each JSON string literal that is
    /// a whole mapped value (without parsing, so a deliberately broken or duplicate-key body stays as it was),
    /// or each form value.
    pub fn body(&self, bytes: Vec<u8>) -> Vec<u8> {
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => return e.into_bytes(),
        };
        if text.contains('"') {
            return self.literals(&text).into_bytes();
        }
        match serde_urlencoded::from_str::<Vec<(String, String)>>(&text) {
            Ok(form) if form.iter().any(|(_, v)| self.out.contains_key(v)) => {
                let form: Vec<(String, String)> = form
                    .into_iter()
                    .map(|(k, v)| {
                        let v = self.out.get(&v).cloned().unwrap_or(v);
                        (k, v)
                    })
                    .collect();
                serde_urlencoded::to_string(&form)
                    .unwrap_or(text)
                    .into_bytes()
            }
            _ => text.into_bytes(),
        }
    }

    /// `text` with each `"…"` literal whose content is a mapped value (or a URL holding one) replaced.
    fn literals(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find('"') {
            out.push_str(&rest[..=open]);
            rest = &rest[open + 1..];
            let mut close = None;
            let mut escaped = false;
            for (i, c) in rest.char_indices() {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => {
                        close = Some(i);
                        break;
                    }
                    _ => escaped = false,
                }
            }
            let Some(close) = close else {
                break;
            };
            let content = &rest[..close];
            match self.text(content, Way::Out) {
                Some(v) if !content.contains('\\') => out.push_str(&v),
                _ => out.push_str(content),
            }
            out.push('"');
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sandbox() -> Sandbox {
        let reply = json!({"id": "sb1",
            "terminals": [{"tid": "12345678", "apiKey": "NEWKEY123", "copyOf": "999888", "copyOfApiKey": "333W212J3"}],
            "accounts": [{"username": "jan.novak+sb1@example.com", "copyOf": "jan.novak@example.com"}]});
        Sandbox::from_reply(&reply).unwrap()
    }

    #[test]
    fn whole_values_go_out_and_come_back() {
        let s = sandbox();
        assert_eq!(
            s.path("/__admin/terminals/999888/next-outcome"),
            "/__admin/terminals/12345678/next-outcome"
        );
        assert_eq!(
            s.path("/__admin/journal?tid=999888&limit=0"),
            "/__admin/journal?tid=12345678&limit=0"
        );
        assert_eq!(
            s.path("/v1/tasks/9998880"),
            "/v1/tasks/9998880",
            "only whole values"
        );
        let body = s.body(br#"{"apiKey":"333W212J3","Tid":"999888","title":"999888 x"}"#.to_vec());
        assert_eq!(
            serde_json::from_slice::<Value>(&body).unwrap(),
            json!({"apiKey": "NEWKEY123", "Tid": "12345678", "title": "999888 x"})
        );
        let form =
            s.body(b"grant_type=password&username=jan.novak%40example.com&tid=999888".to_vec());
        assert_eq!(
            String::from_utf8(form).unwrap(),
            "grant_type=password&username=jan.novak%2Bsb1%40example.com&tid=12345678"
        );
        assert_eq!(s.body(b"{not json".to_vec()), b"{not json");
        let twice = br#"{"Tid": "999888", "Tid" : "999888", "x": "a\"999888"}"#;
        assert_eq!(
            String::from_utf8(s.body(twice.to_vec())).unwrap(),
            r#"{"Tid": "12345678", "Tid" : "12345678", "x": "a\"999888"}"#,
            "byte for byte but the values"
        );
        let mut reply = json!({"tid": "12345678", "url": "pos://done?tid=12345678&x=1", "n": 12345678,
                               "error_description": "TID 12345678 is not assigned to this user"});
        s.json(&mut reply, Way::Back);
        assert_eq!(
            reply,
            json!({"tid": "999888", "url": "pos://done?tid=999888&x=1", "n": 12345678,
                   "error_description": "TID 999888 is not assigned to this user"})
        );
        assert_eq!(
            s.text("Invoice 999888", Way::Out),
            None,
            "a scenario's own text"
        );
    }
}
