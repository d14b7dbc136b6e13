//! Checks on a response: status, headers, JSON paths, response time → [`Check`] values. Pure functions.
//!
//! JSON paths are a small, explicit subset: `$` (the body), `$.a.b`, `a.b`, `a[0].b`, `a.0.b`, and from the end
//! `a.-1` / `a[-1]` (the last element).

use base64::Engine as _;
use serde_json::Value;

use crate::result::Check;
use crate::scenario::vars::{Vars, substitute_value};
use crate::scenario::{JsonCheck, JsonType};

/// The value at `path` in `body`, if present.
pub fn lookup<'a>(body: &'a Value, path: &str) -> Option<&'a Value> {
    let path = path.trim();
    let path = path.strip_prefix('$').unwrap_or(path);
    let mut cur = body;
    for segment in path.split('.').filter(|s| !s.is_empty()) {
        let (key, indexes) = match segment.find('[') {
            Some(i) => (&segment[..i], &segment[i..]),
            None => (segment, ""),
        };
        if !key.is_empty() {
            cur = match cur {
                Value::Object(m) => m.get(key)?,
                Value::Array(a) => element(a, key)?,
                _ => return None,
            };
        }
        for idx in indexes.split('[').filter(|s| !s.is_empty()) {
            cur = element(cur.as_array()?, idx.strip_suffix(']')?)?;
        }
    }
    Some(cur)
}

/// `a.0` is the first element, `a.-1` the last (a terminal that is not fresh has older batches before the
/// one a scenario closed).
fn element<'a>(a: &'a [Value], index: &str) -> Option<&'a Value> {
    match index.strip_prefix('-') {
        Some(back) => {
            let n: usize = back.parse().ok()?;
            a.len()
                .checked_sub(n)
                .filter(|_| n > 0)
                .and_then(|i| a.get(i))
        }
        None => a.get(index.parse::<usize>().ok()?),
    }
}

fn show(v: Option<&Value>) -> String {
    v.map_or_else(|| "(absent)".to_owned(), Value::to_string)
}

/// The status check.
pub fn status(expected: u16, actual: u16) -> Check {
    Check {
        what: "status".to_owned(),
        expected: expected.to_string(),
        actual: actual.to_string(),
        ok: expected == actual,
    }
}

/// The `transport_error: true` check: no (complete) response may have come. `status` is what came, if anything.
pub fn transport_error(happened: bool, status: u16) -> Check {
    let actual = match (happened, status) {
        (true, _) => "no response".to_owned(),
        (false, s) => format!("HTTP {s}"),
    };
    Check {
        what: "transport_error".to_owned(),
        expected: "true".to_owned(),
        actual,
        ok: happened,
    }
}

/// A header check (`actual` = the response header's value, if any): `true` = present, `false` = absent, a
/// string = equal.
pub fn header(name: &str, expected: &Value, actual: Option<&str>) -> Check {
    let (shown, ok) = match expected {
        Value::Bool(true) => ("(present)".to_owned(), actual.is_some()),
        Value::Bool(false) => ("(absent)".to_owned(), actual.is_none()),
        other => {
            let want = crate::scenario::vars::as_text(other);
            let ok = actual == Some(want.as_str());
            (want, ok)
        }
    };
    Check {
        what: format!("header {}", name.to_ascii_lowercase()),
        expected: shown,
        actual: actual.unwrap_or("(absent)").to_owned(),
        ok,
    }
}

/// The response-time bound.
pub fn time(max_ms: u64, elapsed_ms: u64) -> Check {
    Check {
        what: "time".to_owned(),
        expected: format!("≤ {max_ms} ms"),
        actual: format!("{elapsed_ms} ms"),
        ok: elapsed_ms <= max_ms,
    }
}

/// Every predicate of one JSON check against `body` (`None` = the body is not JSON).
pub fn json(c: &JsonCheck, body: Option<&Value>, vars: &Vars) -> Vec<Check> {
    let found = body.and_then(|b| lookup(b, &c.path));
    let actual = show(found);
    let mut out = Vec::new();
    let mut push = |predicate: &str, expected: String, ok: bool| {
        out.push(Check {
            what: format!("{} {predicate}", c.path),
            expected,
            actual: actual.clone(),
            ok,
        });
    };
    let resolve = |v: &Value| substitute_value(v, vars).unwrap_or_else(|_| v.clone());
    if let Some(e) = &c.equals {
        let e = resolve(e);
        push("equals", e.to_string(), found == Some(&e));
    }
    if let Some(e) = &c.not_equals {
        let e = resolve(e);
        push("not_equals", e.to_string(), found != Some(&e));
    }
    if let Some(re) = &c.matches {
        let ok = match (found, regex_lite::Regex::new(re)) {
            (Some(Value::String(s)), Ok(r)) => r.is_match(s),
            (Some(v @ Value::Number(_)), Ok(r)) => r.is_match(&v.to_string()),
            _ => false,
        };
        push("matches", re.clone(), ok);
    }
    if let Some(want) = c.exists {
        push("exists", want.to_string(), found.is_some() == want);
    }
    if let Some(want) = c.absent {
        push("absent", want.to_string(), found.is_none() == want);
    }
    if let Some(options) = &c.one_of {
        let options: Vec<Value> = options.iter().map(resolve).collect();
        let ok = found.is_some_and(|f| options.contains(f));
        push("one_of", Value::Array(options).to_string(), ok);
    }
    if let Some(kind) = c.kind {
        let ok = found.is_some_and(|f| has_type(f, kind));
        push("type", format!("{kind:?}").to_lowercase(), ok);
    }
    if let Some(keys) = &c.keys {
        let got: Option<Vec<&str>> = found
            .and_then(Value::as_object)
            .map(|m| m.keys().map(String::as_str).collect());
        let ok = got.as_ref().is_some_and(|g| g == keys);
        out.push(Check {
            what: format!("{} keys", c.path),
            expected: keys.join(", "),
            actual: got.map_or_else(|| "(not an object)".to_owned(), |g| g.join(", ")),
            ok,
        });
    }
    if let Some(want) = &c.jwt_header {
        let header = found.and_then(Value::as_str).and_then(jwt_header);
        let ok = header.as_ref().is_some_and(|h| {
            want.iter()
                .all(|(k, v)| h.get(k).is_some_and(|got| *got == resolve(v)))
        });
        out.push(Check {
            what: format!("{} jwt_header", c.path),
            expected: Value::Object(want.clone()).to_string(),
            actual: header.map_or_else(|| "(not a JWT)".to_owned(), |h| h.to_string()),
            ok,
        });
    }
    out
}

fn has_type(v: &Value, kind: JsonType) -> bool {
    match kind {
        JsonType::String => v.is_string(),
        JsonType::Number => v.is_number(),
        JsonType::Integer => v.is_i64() || v.is_u64(),
        JsonType::Boolean => v.is_boolean(),
        JsonType::Null => v.is_null(),
        JsonType::Object => v.is_object(),
        JsonType::Array => v.is_array(),
    }
}

/// The decoded header of a JWT (`xxx.yyy.zzz`), if `token` is one.
pub fn jwt_header(token: &str) -> Option<Value> {
    let mut parts = token.split('.');
    let (head, _, _) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(head.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_in_both_spellings() {
        let body = json!({"a": {"b": [10, {"c": "x"}]}});
        assert_eq!(lookup(&body, "$.a.b[1].c"), Some(&json!("x")));
        assert_eq!(lookup(&body, "a.b.0"), Some(&json!(10)));
        assert_eq!(lookup(&body, "$"), Some(&body));
        assert_eq!(lookup(&body, "a.zz"), None);
        assert_eq!(lookup(&body, "a.b.-1.c"), Some(&json!("x")));
        assert_eq!(lookup(&body, "$.a.b[-2]"), Some(&json!(10)));
        assert_eq!(lookup(&body, "a.b.-3"), None);
        assert_eq!(lookup(&body, "a.b.-0"), None);
    }

    #[test]
    fn predicates_report_expected_and_actual() {
        let body = json!({"status": "COMPLETED", "n": 3, "tid": null});
        let c = JsonCheck {
            path: "status".into(),
            equals: Some(json!("COMPLETED")),
            one_of: Some(vec![json!("ERROR")]),
            matches: Some("^COMP".into()),
            ..JsonCheck::default()
        };
        let checks = json(&c, Some(&body), &Vars::new());
        assert_eq!(
            checks.iter().map(|c| c.ok).collect::<Vec<_>>(),
            [true, true, false]
        );
        let c = JsonCheck {
            path: "tid".into(),
            exists: Some(true),
            kind: Some(JsonType::Null),
            ..JsonCheck::default()
        };
        assert!(json(&c, Some(&body), &Vars::new()).iter().all(|c| c.ok));
        let c = JsonCheck {
            path: "gone".into(),
            absent: Some(true),
            ..JsonCheck::default()
        };
        assert!(json(&c, Some(&body), &Vars::new())[0].ok);
    }

    #[test]
    fn jwt_header_is_decoded() {
        // {"alg":"HS256","typ":"JWT"}
        let h = jwt_header("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.sig");
        assert_eq!(h, Some(json!({"alg": "HS256", "typ": "JWT"})));
        assert_eq!(jwt_header("nope"), None);
    }
}
