//! `run --interactive`: against a target without the gptom-mock admin API, a mock-only step becomes a prompt to
//! the person at the terminal ("Enter amount 11.22 on the terminal so that it is declined, then press Enter").
//! The prompt text is composed here from the step (pure); the [`Operator`] owns the two streams, so tests feed it
//! a byte slice instead of stdin. Reads block: callers run [`Operator::ask`] on a blocking thread.

use std::io::{BufRead, Write};
use std::sync::{Mutex, PoisonError};

/// Outcome names of the mock's amount table (`fixtures/outcomes.yaml`) → (amount in minor units, what happens).
/// A unit test keeps this in step with the fixture.
pub const OUTCOME_AMOUNTS: &[(&str, i64, &str)] = &[
    ("approve", 1111, "approved"),
    ("decline", 1122, "declined"),
    ("timeout", 1123, "timed out by the device"),
    ("exception", 1124, "ended by an exception"),
    ("customer-cancel", 1125, "cancelled by the customer"),
    ("init-error", 1126, "refused at start (init error)"),
    ("cardholder-abort", 1127, "aborted by the cardholder"),
    ("dcc-3-decimals", 9991, "paid with DCC (3 decimals)"),
    ("dcc-no-decimals", 9992, "paid with DCC (no decimals)"),
];

/// `1122` → `11.22`.
pub fn major(amount: i64) -> String {
    format!("{}.{:02}", amount / 100, amount % 100)
}

/// What the operator answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Enter: done.
    Done,
    /// `s` + Enter: skip the step.
    Skip,
    /// The input ended (or failed): nobody is there.
    NoInput,
}

/// The person at the terminal: a prompt goes to `output`, the answer comes from `input`.
pub struct Operator {
    io: Mutex<(Box<dyn BufRead + Send>, Box<dyn Write + Send>)>,
}

impl std::fmt::Debug for Operator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Operator")
    }
}

impl Operator {
    /// An operator reading answers from `input` and writing prompts to `output`.
    pub fn new(input: impl BufRead + Send + 'static, output: impl Write + Send + 'static) -> Self {
        Self {
            io: Mutex::new((Box::new(input), Box::new(output))),
        }
    }

    /// Shows `prompt` and waits for a line (blocking): empty = done, `s`/`skip` = skip; end of input = nobody.
    pub fn ask(&self, prompt: &str) -> Answer {
        let mut io = self.io.lock().unwrap_or_else(PoisonError::into_inner);
        let (input, output) = &mut *io;
        let _ = write!(
            output,
            "\n>> {prompt}\n   [Enter = done, s + Enter = skip] "
        );
        let _ = output.flush();
        let mut line = String::new();
        match input.read_line(&mut line) {
            Ok(0) | Err(_) => Answer::NoInput,
            Ok(_) => match line.trim().to_ascii_lowercase().as_str() {
                "s" | "skip" => Answer::Skip,
                _ => Answer::Done,
            },
        }
    }

    /// Shows a line without waiting for an answer.
    pub fn tell(&self, text: &str) {
        let mut io = self.io.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = writeln!(io.1, "{text}");
        let _ = io.1.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The prompt for a step written in YAML, on default terminal `tid`.
    fn prompt_for(yaml: &str, tid: &str) -> Option<String> {
        let step: crate::scenario::Step = serde_saphyr::from_str(yaml).expect("a step");
        step.unit().prompt(tid)
    }

    #[test]
    fn prompts_name_the_amount_the_wait_and_the_skip_key() {
        assert_eq!(
            prompt_for("set_outcome: {outcome: decline}", "999888").as_deref(),
            Some("Enter amount 11.22 on terminal 999888 so that it is declined, then press Enter")
        );
        // time passes by itself on a real gateway: the runner waits, nobody is asked
        assert_eq!(prompt_for("advance_clock: {seconds: 65}", "1"), None);
        let fault = prompt_for(
            "add_fault: {match: {path: /v1/tasks/TRANSACTION}, action: {drop: true}}",
            "1",
        )
        .expect("a prompt");
        assert!(fault.contains("drop the connection"), "{fault}");
        assert_eq!(prompt_for("get_journal: {}", "1"), None);
    }

    #[test]
    fn answers_come_from_the_injected_reader() {
        let out = std::sync::Arc::new(Mutex::new(Vec::new()));
        struct Shared(std::sync::Arc<Mutex<Vec<u8>>>);
        impl Write for Shared {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let op = Operator::new(&b"\n s \nskip\n"[..], Shared(out.clone()));
        assert_eq!(op.ask("one"), Answer::Done);
        assert_eq!(op.ask("two"), Answer::Skip);
        assert_eq!(op.ask("three"), Answer::Skip);
        assert_eq!(op.ask("four"), Answer::NoInput);
        let shown = String::from_utf8(out.lock().unwrap().clone()).unwrap();
        assert!(
            shown.contains(">> one\n   [Enter = done, s + Enter = skip]"),
            "{shown}"
        );
    }

    #[test]
    fn the_amount_table_matches_the_fixture() {
        let text = include_str!("../../../fixtures/outcomes.yaml");
        for (name, amount, _) in OUTCOME_AMOUNTS {
            assert!(
                text.contains(&format!("{amount}: {name}")),
                "fixtures/outcomes.yaml has no `{amount}: {name}`"
            );
        }
    }
}
