//! The documented answers, as the proxy checks them: for each GP tom call of the mock's OpenAPI document (the
//! one `/openapi.json` serves, made from the handlers), the statuses it lists and a JSON Schema validator per
//! status. Object schemas are made closed (`additionalProperties: false`) here, so a field the document does
//! not name — a misspelling like `contextID`, or an extra key — is a divergence, not silently accepted.

use jsonschema::Validator;
use serde_json::{Value, json};

/// At most this many schema errors are reported per answer (the first ones say what is wrong).
const ERRORS_PER_ANSWER: usize = 5;

struct Operation {
    method: String,
    /// `/v1/tasks/{taskId}` split at `/`.
    segments: Vec<String>,
    /// Documented statuses; each with its body schema's name and validator when the document gives one.
    responses: Vec<(u16, Option<(String, Validator)>)>,
}

/// The documented operations of the GP tom Cloud API and its token paths.
pub struct Schemas {
    operations: Vec<Operation>,
}

impl Schemas {
    /// From an OpenAPI document (the mock's own, as JSON).
    pub fn from_document(doc: &Value) -> Self {
        let mut components = doc
            .pointer("/components/schemas")
            .cloned()
            .unwrap_or_default();
        close(&mut components);
        let mut operations = Vec::new();
        let paths = doc.get("paths").and_then(Value::as_object);
        for (path, ops) in paths.into_iter().flatten() {
            if !(path.starts_with("/v1/") || path.ends_with("/oauth/token")) {
                continue;
            }
            for (method, op) in ops.as_object().into_iter().flatten() {
                let mut responses = Vec::new();
                let documented = op.get("responses").and_then(Value::as_object);
                for (status, response) in documented.into_iter().flatten() {
                    let Ok(status) = status.parse::<u16>() else {
                        continue;
                    };
                    let reference = response
                        .pointer("/content/application~1json/schema/$ref")
                        .and_then(Value::as_str);
                    let validator = reference.and_then(|r| {
                        let name = r.rsplit('/').next().unwrap_or(r).to_owned();
                        let schema = json!({"$ref": r, "components": {"schemas": components}});
                        let v = jsonschema::options()
                            .with_draft(jsonschema::Draft::Draft202012)
                            .build(&schema)
                            .ok()?;
                        Some((name, v))
                    });
                    responses.push((status, validator));
                }
                responses.sort_by_key(|(s, _)| *s);
                operations.push(Operation {
                    method: method.to_ascii_uppercase(),
                    segments: path.split('/').map(str::to_owned).collect(),
                    responses,
                });
            }
        }
        Schemas { operations }
    }

    /// The documented operation of a call: a literal path (`/v1/tasks/TRANSACTION`) before a template.
    fn operation(&self, method: &str, path: &str) -> Option<&Operation> {
        let segments: Vec<&str> = path.split('/').collect();
        let fits = |op: &&Operation, literal: bool| {
            op.method == method
                && op.segments.len() == segments.len()
                && op
                    .segments
                    .iter()
                    .zip(&segments)
                    .all(|(t, s)| t == s || (!literal && t.starts_with('{') && !s.is_empty()))
        };
        let ops = || self.operations.iter();
        ops()
            .find(|op| fits(op, true))
            .or_else(|| ops().find(|op| fits(op, false)))
    }

    /// `Err((upstream, mock))` when the status is not one the document lists for the call.
    pub fn status(&self, method: &str, path: &str, status: u16) -> Result<(), (String, String)> {
        let Some(op) = self.operation(method, path) else {
            return Ok(());
        };
        if op.responses.iter().any(|(s, _)| *s == status) {
            return Ok(());
        }
        let listed: Vec<String> = op.responses.iter().map(|(s, _)| s.to_string()).collect();
        Err((
            format!("HTTP {status}"),
            format!("one of {}", listed.join(", ")),
        ))
    }

    /// `(upstream, mock)` for each way the body breaks the documented schema of this call and status.
    pub fn body(
        &self,
        method: &str,
        path: &str,
        status: u16,
        body: &Value,
    ) -> Vec<(String, String)> {
        let Some((name, validator)) = self
            .operation(method, path)
            .and_then(|op| op.responses.iter().find(|(s, _)| *s == status))
            .and_then(|(_, v)| v.as_ref())
        else {
            return Vec::new();
        };
        validator
            .iter_errors(body)
            .take(ERRORS_PER_ANSWER)
            .map(|e| {
                let at = e.instance_path().as_str();
                let at = if at.is_empty() { "/" } else { at };
                (
                    format!("{at}: {e}"),
                    format!(
                        "the documented {name} (schema {})",
                        e.schema_path().as_str()
                    ),
                )
            })
            .collect()
    }
}

/// Closes every object schema that names its properties: a field the document does not list is an error.
fn close(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if m.contains_key("properties") && !m.contains_key("additionalProperties") {
                m.insert("additionalProperties".into(), Value::Bool(false));
            }
            for x in m.values_mut() {
                close(x);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(close),
        _ => {}
    }
}
