//! `{{name}}` substitution. A string that is exactly `{{name}}` becomes the variable's JSON value (so a captured
//! number stays a number); inside a longer string the value is spliced in as text. Pure functions, no I/O.

use serde_json::{Map, Value};

/// Variables of one scenario run: `vars`, credentials and captures.
pub type Vars = Map<String, Value>;

/// Names referenced as `{{name}}` in `text`, in order.
pub fn references(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                out.push(after[..end].trim());
                rest = &after[end + 2..];
            }
            None => break,
        }
    }
    out
}

/// Every name referenced in any string inside `value`.
pub fn references_in(value: &Value) -> Vec<&str> {
    match value {
        Value::String(s) => references(s),
        Value::Array(items) => items.iter().flat_map(references_in).collect(),
        Value::Object(m) => m.values().flat_map(references_in).collect(),
        _ => Vec::new(),
    }
}

/// The text form of a variable (strings without quotes, other values as JSON).
pub fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `text` with every `{{name}}` replaced; an unknown name is an error naming it.
pub fn substitute(text: &str, vars: &Vars) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let name = after[..end].trim();
        let value = vars
            .get(name)
            .ok_or_else(|| format!("variable {{{{{name}}}}} is not set"))?;
        out.push_str(&as_text(value));
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `value` with variables substituted in every string; `"{{name}}"` alone keeps the variable's JSON type.
pub fn substitute_value(value: &Value, vars: &Vars) -> Result<Value, String> {
    Ok(match value {
        Value::String(s) => {
            let trimmed = s.trim();
            let refs = references(trimmed);
            if refs.len() == 1 && trimmed.starts_with("{{") && trimmed.ends_with("}}") {
                let name = refs[0];
                vars.get(name)
                    .cloned()
                    .ok_or_else(|| format!("variable {{{{{name}}}}} is not set"))?
            } else {
                Value::String(substitute(s, vars)?)
            }
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| substitute_value(v, vars))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| Ok((k.clone(), substitute_value(v, vars)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vars() -> Vars {
        json!({"taskId": "abc", "amount": 1111})
            .as_object()
            .cloned()
            .unwrap_or_default()
    }

    #[test]
    fn references_are_found_in_order() {
        assert_eq!(references("/v1/{{a}}/{{ b }}"), vec!["a", "b"]);
        assert!(references("no vars {{").is_empty());
    }

    #[test]
    fn whole_string_keeps_the_json_type() {
        let v = substitute_value(
            &json!({"amount": "{{amount}}", "t": "id {{taskId}}"}),
            &vars(),
        );
        assert_eq!(v, Ok(json!({"amount": 1111, "t": "id abc"})));
    }

    #[test]
    fn unknown_variable_is_an_error() {
        assert_eq!(
            substitute("/v1/tasks/{{nope}}", &vars()),
            Err("variable {{nope}} is not set".to_owned())
        );
    }
}
