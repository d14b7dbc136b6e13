//! Reading scenario files: parse (serde-saphyr), then static checks — unknown variables, bad statuses and
//! regular expressions, duplicate ids — each reported as `file:line:column: message` before anything is sent.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use serde_saphyr::Location;

use super::{JsonCheck, Scenario};

/// Variables every scenario has: the target's credentials.
pub const BUILTIN_VARS: [&str; 4] = ["username", "password", "tid", "api_key"];

/// A scenario file that cannot be used, with the position of the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The file.
    pub file: PathBuf,
    /// 1-based line (0 when unknown).
    pub line: u64,
    /// 1-based column (0 when unknown).
    pub column: u64,
    /// What is wrong and what to do.
    pub message: String,
}

impl LoadError {
    fn at(file: &Path, loc: Location, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            line: loc.line(),
            column: loc.column(),
            message: message.into(),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

impl std::error::Error for LoadError {}

/// Reads and checks one scenario file.
pub fn load(path: &Path) -> Result<Scenario, LoadError> {
    let text = fs::read_to_string(path).map_err(|e| LoadError {
        file: path.to_owned(),
        line: 0,
        column: 0,
        message: format!("cannot read the file: {e}"),
    })?;
    load_str(&text, path)
}

/// Parses and checks scenario text; `path` is used for messages and stored in the scenario.
pub fn load_str(text: &str, path: &Path) -> Result<Scenario, LoadError> {
    let mut scenario: Scenario = serde_saphyr::from_str(text).map_err(|e| {
        let loc = e.location().unwrap_or(Location::UNKNOWN);
        let message = e.without_snippet().to_string();
        // serde-saphyr appends " at line L column C"; the prefix already says where.
        let message = match message.rfind(" at line ") {
            Some(i) => message[..i].to_owned(),
            None => message,
        };
        // A `{` or `[` left open is noticed only on a later line: point at the bracket instead.
        match unclosed_flow(text, loc.line()) {
            Some((line, column, open)) => LoadError {
                file: path.to_owned(),
                line,
                column,
                message: format!(
                    "this `{open}` is never closed (the parser stopped at line {}: {message})",
                    loc.line()
                ),
            },
            None => LoadError::at(path, loc, message),
        }
    })?;
    scenario.file = path.to_owned();
    check(&scenario)?;
    Ok(scenario)
}

/// The innermost flow bracket (`{` or `[`) still open at the start of line `error_line` (1-based) and opened on
/// an earlier line: its line, column and character. Quotes and comments are skipped.
fn unclosed_flow(text: &str, error_line: u64) -> Option<(u64, u64, char)> {
    let mut open: Vec<(u64, u64, char)> = Vec::new();
    for (n, line) in (1_u64..).zip(text.lines()) {
        if n >= error_line {
            break;
        }
        let mut quote: Option<char> = None;
        let mut prev = ' ';
        for (col, c) in (1_u64..).zip(line.chars()) {
            match (quote, c) {
                (Some(q), c) if c == q && prev != '\\' => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') if prev == ' ' || col == 1 => break,
                (None, '{' | '[') => open.push((n, col, c)),
                (None, '}' | ']') => {
                    open.pop();
                }
                _ => {}
            }
            prev = c;
        }
    }
    open.pop()
}

/// Loads every `*.yaml` under the given files and directories (recursively, sorted), skipping none: each
/// unusable file is one error. Duplicate ids are errors at the second file's `id`.
pub fn load_all(paths: &[PathBuf]) -> (Vec<Scenario>, Vec<LoadError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        if p.is_dir() {
            collect(p, &mut files, &mut errors);
        } else if p.exists() {
            files.push(p.clone());
        } else {
            errors.push(LoadError {
                file: p.clone(),
                line: 0,
                column: 0,
                message: "no such file or directory".to_owned(),
            });
        }
    }
    let mut scenarios = Vec::new();
    let mut seen: BTreeMap<String, (PathBuf, Location)> = BTreeMap::new();
    for f in files {
        match load(&f) {
            Ok(s) => {
                if let Some((first, loc)) = seen.get(s.id()) {
                    errors.push(LoadError::at(
                        &f,
                        s.id.referenced,
                        format!(
                            "duplicate id {:?}: already used by {}:{}:{}",
                            s.id(),
                            first.display(),
                            loc.line(),
                            loc.column()
                        ),
                    ));
                } else {
                    seen.insert(s.id().to_owned(), (f.clone(), s.id.referenced));
                    scenarios.push(s);
                }
            }
            Err(e) => errors.push(e),
        }
    }
    (scenarios, errors)
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<LoadError>) {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(LoadError {
                file: dir.to_owned(),
                line: 0,
                column: 0,
                message: format!("cannot read the directory: {e}"),
            });
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            collect(&p, files, errors);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            files.push(p);
        }
    }
}

/// Static checks that serde cannot express.
fn check(s: &Scenario) -> Result<(), LoadError> {
    let file = &s.file;
    let id = s.id();
    let id_ok = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !id_ok {
        return Err(LoadError::at(
            file,
            s.id.referenced,
            format!("id {id:?}: use letters, digits, '-' and '_' only (it names the .snap file)"),
        ));
    }
    let mut defined: BTreeSet<String> = BUILTIN_VARS.iter().map(|v| (*v).to_owned()).collect();
    defined.extend(s.vars.keys().cloned());
    for spanned in &s.steps {
        let step = &spanned.value;
        let loc = spanned.referenced;
        let kind = step.kind();
        let err = |message: String| LoadError::at(file, loc, format!("{kind}: {message}"));
        for name in step.used_vars() {
            if !defined.contains(name) {
                let hint = match name {
                    "access_token" | "refresh_token" => " (add a `token` step before it)",
                    "taskId" => " (add a `create_task` step before it)",
                    "contextId" => " (add a `poll_task` or `get_task` step before it)",
                    "transactionId" => {
                        " (add an `app2app: {call: register}` step before it, or give `id`)"
                    }
                    _ => " (define it in `vars` or `capture` it in an earlier step)",
                };
                return Err(err(format!(
                    "unknown variable {{{{{name}}}}}: no earlier step captures it{hint}"
                )));
            }
        }
        step.unit().check().map_err(err)?;
        if let Some(p) = step.poll() {
            crate::step::check_polling(p.every, p.within).map_err(|_| {
                err("poll: every must be > 0 and within ≥ every (seconds)".to_owned())
            })?;
        }
        if step.unit().waits_out_pending() && step.expect().and_then(|e| e.status) == Some(202) {
            return Err(err(
                "expect.status 202: the step waits until the answer is final; add `wait: false` to check the pending answer"
                    .to_owned(),
            ));
        }
        if let Some(expect) = step.expect()
            && expect.transport_error
            && (expect.status.is_some()
                || !expect.headers.is_empty()
                || !expect.json.is_empty()
                || expect.max_ms.is_some())
        {
            return Err(err(
                "expect.transport_error: true means no response at all; drop status, headers, json and max_ms"
                    .to_owned(),
            ));
        }
        if let Some(expect) = step.expect() {
            for c in &expect.json {
                check_json(c).map_err(|m| err(format!("expect.json path {:?}: {m}", c.path)))?;
            }
        }
        for (name, path) in step.captures().into_iter().flatten() {
            if !path.is_string() {
                return Err(err(format!(
                    "capture {name}: the value must be a JSON path string, e.g. \"$.taskId\""
                )));
            }
            defined.insert(name.clone());
        }
        defined.extend(step.implicit_captures().iter().map(|v| (*v).to_owned()));
    }
    Ok(())
}

fn check_json(c: &JsonCheck) -> Result<(), String> {
    let any = c.equals.is_some()
        || c.not_equals.is_some()
        || c.matches.is_some()
        || c.exists.is_some()
        || c.absent.is_some()
        || c.one_of.is_some()
        || c.kind.is_some()
        || c.keys.is_some()
        || c.jwt_header.is_some();
    if !any {
        return Err(
            "give a predicate: equals, not_equals, matches, exists, absent, one_of, type, keys or jwt_header"
                .to_owned(),
        );
    }
    if let Some(re) = &c.matches {
        regex_lite::Regex::new(re).map_err(|e| format!("bad regular expression: {e}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scenario_takes_every_profile_the_mock_takes() {
        for name in mock_server::contract::profile::NAMES {
            let p: crate::scenario::ProfileName =
                serde_saphyr::from_str(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(p.as_str(), name);
        }
    }

    fn err(text: &str) -> String {
        load_str(text, Path::new("s.yaml"))
            .map(|_| ())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn a_minimal_file_loads() {
        let s = load_str(
            "id: X\ntitle: t\nsteps:\n  - token: {}\n  - create_task: {body: {amount: 1111}}\n",
            Path::new("x.yaml"),
        );
        assert!(s.is_ok(), "{s:?}");
    }

    #[test]
    fn unknown_field_points_at_it() {
        let e = err("id: X\ntitle: t\nsteps:\n  - token: {}\n  - create_task:\n      ammount: 1\n");
        assert!(e.starts_with("s.yaml:6:7: unknown field `ammount`"), "{e}");
    }

    #[test]
    fn an_unclosed_bracket_is_pointed_at_not_the_line_after() {
        let e = err(
            "id: X\ntitle: t\nsteps:\n  - token: {}\n  - create_task: {body: {amount: 1111}\n  - poll_task: {}\n",
        );
        assert!(
            e.starts_with("s.yaml:5:18: this `{` is never closed (the parser stopped at line 6:"),
            "{e}"
        );
        // a bracket inside quotes or a comment opens nothing; a wrong indentation stays where it is
        let e = err("id: X\ntitle: \"a { b\" # [\n  bad: indent\nsteps: []\n");
        assert!(e.starts_with("s.yaml:3:"), "{e}");
        assert!(!e.contains("never closed"), "{e}");
    }

    #[test]
    fn a_terminal_mode_is_checked_at_load() {
        let ok = "id: X\ntitle: t\nsteps:\n  - set_terminal: {mode: semi-integrated}\n";
        assert!(load_str(ok, Path::new("s.yaml")).is_ok());
        let e = err("id: X\ntitle: t\nsteps:\n  - set_terminal:\n      mode: semi\n");
        assert!(e.starts_with("s.yaml:5:"), "{e}");
        assert!(e.contains("semi-integrated"), "{e}");
    }

    #[test]
    fn unknown_step_kind_is_named() {
        let e = err("id: X\ntitle: t\nsteps:\n  - tokn: {}\n");
        assert!(e.starts_with("s.yaml:4:"), "{e}");
        assert!(e.contains("tokn"), "{e}");
    }

    #[test]
    fn unknown_variable_points_at_the_step() {
        let e =
            err("id: X\ntitle: t\nsteps:\n  - token: {}\n  - get_transaction: {id: \"{{txn}}\"}\n");
        assert!(
            e.starts_with("s.yaml:5:5: get_transaction: unknown variable {{txn}}"),
            "{e}"
        );
    }

    #[test]
    fn task_steps_need_a_token_first() {
        let e = err("id: X\ntitle: t\nsteps:\n  - create_task: {}\n");
        assert!(e.contains("unknown variable {{access_token}}"), "{e}");
        assert!(e.contains("add a `token` step"), "{e}");
    }

    #[test]
    fn bad_status_and_regex_are_rejected() {
        let e = err(
            "id: X\ntitle: t\nsteps:\n  - token: {}\n  - create_task: {}\n  - poll_task: {until: DONE}\n",
        );
        assert!(e.contains("until \"DONE\""), "{e}");
        let e = err(
            "id: X\ntitle: t\nsteps:\n  - token:\n      expect: {json: [{path: a, matches: \"(\"}]}\n",
        );
        assert!(e.contains("bad regular expression"), "{e}");
    }

    #[test]
    fn transport_error_cannot_go_with_response_checks() {
        let e = err(
            "id: X\ntitle: t\nsteps:\n  - token: {}\n  - create_task:\n      expect: {transport_error: true, status: 200}\n",
        );
        assert!(
            e.starts_with(
                "s.yaml:5:5: create_task: expect.transport_error: true means no response"
            ),
            "{e}"
        );
    }

    #[test]
    fn fault_rules_are_checked_before_anything_is_sent() {
        let rule = |r: &str| err(&format!("id: X\ntitle: t\nsteps:\n  - add_fault: {r}\n"));
        let e = rule("{action: {respond: {status: 200, type: X}}}");
        assert!(
            e.starts_with("s.yaml:4:5: add_fault: action.respond.status 200: must be 400–599"),
            "{e}"
        );
        assert!(
            rule("{action: {drop: false}}").contains("action.drop must be true"),
            "drop"
        );
        assert!(
            rule("{action: {delay_ms: [5, 1]}, times: 1}").contains("min must not exceed max"),
            "range"
        );
        assert!(
            rule("{action: {delay_ms: 1}, times: 0}").contains("times must be at least 1"),
            "times"
        );
        assert!(
            rule("{action: {delay_ms: 1}, probability: 2}").contains("between 0 and 1"),
            "probability"
        );
        let e = rule("{action: {explode: true}}");
        assert!(e.starts_with("s.yaml:4:"), "{e}");
        assert!(e.contains("explode"), "{e}");
        let e = rule("{match: {tid: \"{{nope}}\"}, action: {drop: true}}");
        assert!(e.contains("unknown variable {{nope}}"), "{e}");
        let ok = load_str(
            "id: X\ntitle: t\nsteps:\n  - add_fault: {match: {tid: \"{{tid}}\", taskClass: BATCH}, action: {delay_ms: [1, 2]}, capture: {rule: id}}\n  - remove_faults: {id: \"{{rule}}\"}\n  - get_journal: {tid: \"{{tid}}\"}\n  - get_state: {}\n",
            Path::new("x.yaml"),
        );
        assert!(ok.is_ok(), "{ok:?}");
    }

    #[test]
    fn device_steps_load() {
        let s = load_str(
            "id: X\ntitle: t\nsteps:\n  - deeplink: {url: \"gptom://status\", tid: \"{{tid}}\", interval: 30, capture: {s: result.status}}\n  - app2app: {call: register}\n  - app2app: {call: transaction, body: {transactionType: 1, amount: 1111}}\n  - app2app: {call: state, expect: {json: [{path: state, equals: 6}]}}\n  - app2app: {call: change-password, body: {oldPass: a, newPass: b}}\n  - app2app: {call: transaction, wait: false, body: {transactionID: \"{{s}}\"}, expect: {status: 202}}\n",
            Path::new("x.yaml"),
        );
        assert!(s.is_ok(), "{s:?}");
    }

    #[test]
    fn unknown_app2app_call_points_at_it() {
        let e = err("id: X\ntitle: t\nsteps:\n  - app2app:\n      call: pay\n");
        assert!(e.starts_with("s.yaml:5:13: "), "{e}");
        assert!(e.contains("pay"), "{e}");
        assert!(e.contains("change-password"), "{e}");
    }

    #[test]
    fn app2app_fields_must_fit_the_call() {
        let e = err("id: X\ntitle: t\nsteps:\n  - app2app: {call: info, id: abc}\n");
        assert!(
            e.starts_with("s.yaml:4:5: app2app: call info takes no id"),
            "{e}"
        );
        let e = err("id: X\ntitle: t\nsteps:\n  - app2app: {call: state, id: a, body: {}}\n");
        assert!(e.contains("call state is a GET: drop body"), "{e}");
        let e = err(
            "id: X\ntitle: t\nsteps:\n  - app2app: {call: transaction, id: a, body: {transactionID: b}}\n",
        );
        assert!(e.contains("give the transaction id once"), "{e}");
        let e = err("id: X\ntitle: t\nsteps:\n  - app2app: {call: inquire}\n");
        assert!(e.contains("unknown variable {{transactionId}}"), "{e}");
        assert!(e.contains("call: register"), "{e}");
    }

    #[test]
    fn waiting_steps_cannot_expect_the_pending_answer() {
        let e = err(
            "id: X\ntitle: t\nsteps:\n  - deeplink: {url: \"gptom://status\", expect: {status: 202}}\n",
        );
        assert!(
            e.starts_with("s.yaml:4:5: deeplink: expect.status 202: the step waits"),
            "{e}"
        );
        let e = err("id: X\ntitle: t\nsteps:\n  - deeplink: {url: u, interval: 0}\n");
        assert!(e.contains("interval must be > 0"), "{e}");
        let e = err("id: X\ntitle: t\nsteps:\n  - deeplink: {url: u, redirect: x}\n");
        assert!(e.starts_with("s.yaml:4:"), "{e}");
        assert!(e.contains("unknown field `redirect`"), "{e}");
    }

    #[test]
    fn duplicate_ids_are_reported_with_both_places() {
        let dir = std::env::temp_dir().join(format!("conf-dup-{}", std::process::id()));
        let _ = fs::create_dir_all(&dir);
        let body = "id: SAME\ntitle: t\nsteps: []\n";
        let _ = fs::write(dir.join("a.yaml"), body);
        let _ = fs::write(dir.join("b.yaml"), body);
        let (ok, errors) = load_all(std::slice::from_ref(&dir));
        let _ = fs::remove_dir_all(&dir);
        assert_eq!(ok.len(), 1);
        assert_eq!(errors.len(), 1);
        let e = errors[0].to_string();
        assert!(e.contains("b.yaml:1:5: duplicate id \"SAME\""), "{e}");
        assert!(e.contains("a.yaml:1:5"), "{e}");
    }
}
