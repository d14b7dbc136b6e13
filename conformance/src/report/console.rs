//! The console: the only module (with `main.rs`) that prints. Colour through anstream, which honours `NO_COLOR`,
//! `CLICOLOR` and whether stdout is a terminal. While a run goes, one line per scenario as it finishes
//! ([`Progress`], with an indicatif bar below the lines only when stdout and stderr are terminals); then the
//! details of what did not pass and the summary, in the scenarios' order ([`print_details`], [`print_summary`]).
#![allow(clippy::print_stdout)]

use std::io::IsTerminal as _;
use std::time::Duration;

use anstream::{eprintln, println};
use anstyle::{AnsiColor, Style};
use indicatif::{ProgressBar, ProgressStyle};

use crate::certify::judge::{CheckVerdict, Judgement};
use crate::certify::outcome::{Event, ItemVerdict, Walk};
use crate::result::{ScenarioResult, SnapshotStatus, Totals, Verdict, items};
use crate::scenario::{LoadError, Scenario};

const GREEN: Style = AnsiColor::Green.on_default();
const RED: Style = AnsiColor::Red.on_default();
const YELLOW: Style = AnsiColor::Yellow.on_default();
const CYAN: Style = AnsiColor::Cyan.on_default();
const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();

/// Live progress: a line per finished scenario, and on a terminal a bar with the count below them.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Progress for `total` scenarios; the bar only when stdout and stderr are terminals (never in CI logs).
    pub fn new(total: usize) -> Self {
        let tty = std::io::stdout().is_terminal() && std::io::stderr().is_terminal();
        let bar = tty.then(|| {
            let bar = ProgressBar::new(u64::try_from(total).unwrap_or(u64::MAX));
            if let Ok(style) = ProgressStyle::with_template(
                "{spinner} {pos}/{len} scenarios {bar:20} {elapsed} {wide_msg}",
            ) {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Self { bar }
    }

    /// Prints the finished scenario's line (above the bar, if any).
    pub fn done(&self, r: &ScenarioResult) {
        match &self.bar {
            Some(bar) => {
                bar.suspend(|| print_line(r));
                bar.set_message("");
                bar.inc(1);
            }
            None => print_line(r),
        }
    }

    /// What to call before a real-time wait: on a terminal the bar says what is being waited for; otherwise a
    /// line is printed when a step starts waiting (not for every poll).
    pub fn waits(&self) -> crate::result::WaitNotice {
        let bar = self.bar.clone();
        std::sync::Arc::new(move |w: &crate::result::Wait<'_>| {
            let what = format!(
                "{} step {} {}: waiting in real time ({:.0} of at most {:.0} s)",
                w.scenario, w.step, w.kind, w.waited, w.bound
            );
            match &bar {
                Some(bar) => bar.set_message(what),
                None if w.waited == 0.0 => println!("  {DIM}… {what}{DIM:#}"),
                None => {}
            }
        })
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// One scenario's line: mark, id, time, title; for a skipped or partly run scenario a second line says why.
pub fn print_line(r: &ScenarioResult) {
    let (mark, style) = match r.verdict {
        Verdict::Passed => ("✓", GREEN),
        Verdict::Partial(_) => ("◐", CYAN),
        Verdict::Failed(_) => ("✗", RED),
        Verdict::Errored(_) => ("!", RED),
        Verdict::Skipped(_) => ("-", YELLOW),
    };
    println!(
        "{style}{mark}{style:#} {:<28} {:>6} ms  {DIM}{}{DIM:#}",
        r.id, r.duration_ms, r.title
    );
    match &r.verdict {
        Verdict::Partial(why) => {
            let skipped = r
                .steps
                .iter()
                .filter(|s| matches!(s.verdict, Verdict::Skipped(_)))
                .count();
            println!("    {style}partial, {skipped} steps skipped:{style:#} {DIM}{why}{DIM:#}");
        }
        Verdict::Skipped(why) => println!("    {style}skipped:{style:#} {DIM}{why}{DIM:#}"),
        _ => {}
    }
}

/// What the target is, before a remote run.
pub fn print_target(text: &str) {
    println!("{BOLD}target{BOLD:#} {text}");
}

/// The details of every scenario that failed or errored, in the given order.
pub fn print_details(results: &[ScenarioResult]) {
    for r in results {
        let Some(reason) = r.verdict.reason() else {
            continue;
        };
        if r.verdict.is_ok() {
            continue; // skipped and partial runs said why on their line
        }
        println!();
        println!("{BOLD}{} ({}){BOLD:#}: {RED}{reason}{RED:#}", r.id, r.file);
        if let SnapshotStatus::Differs(diff) = &r.snapshot {
            for line in diff.lines() {
                let style = if line.starts_with('+') && !line.starts_with("+++") {
                    GREEN
                } else if line.starts_with('-') && !line.starts_with("---") {
                    RED
                } else {
                    DIM
                };
                println!("{style}{line}{style:#}");
            }
        } else if let Some(step) = r.steps.last().filter(|s| s.verdict != Verdict::Passed) {
            for c in step.checks.iter().filter(|c| !c.ok) {
                println!(
                    "  {RED}{} expected {}, got {}{RED:#}",
                    c.what, c.expected, c.actual
                );
            }
            if let Some(x) = step.exchanges.last() {
                println!(
                    "  {DIM}{} {} -> {}\n{}{DIM:#}",
                    x.method,
                    x.path,
                    x.status,
                    indent(&x.response_body)
                );
            }
        }
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .take(40)
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Totals and the certification items: an item passes when a scenario covering it ran (wholly or partly)
/// and none failed; it is "not run" when every scenario covering it was skipped.
pub fn print_summary(results: &[ScenarioResult]) {
    let rows = items(results);
    if !rows.is_empty() {
        println!();
        println!("{BOLD}certification items{BOLD:#}");
        let mut line = String::new();
        for (i, row) in rows.iter().enumerate() {
            let (mark, style) = match row.label() {
                "pass" => ("✓", GREEN),
                "fail" => ("✗", RED),
                _ => ("-", YELLOW),
            };
            line.push_str(&format!("{style}{mark} {:<9}{style:#} ", row.item));
            if i % 6 == 5 {
                println!("  {line}");
                line.clear();
            }
        }
        if !line.is_empty() {
            println!("  {line}");
        }
    }
    let t = Totals::of(results);
    let total: u64 = results.iter().map(|r| r.duration_ms).sum();
    let style = if t.failed + t.errored == 0 {
        GREEN
    } else {
        RED
    };
    let partial = if t.partial > 0 {
        format!(" ({} partially)", t.partial)
    } else {
        String::new()
    };
    println!();
    println!(
        "{style}{} passed{partial}, {} failed{style:#}, {} errored, {} skipped ({} scenarios, {total} ms of scenario time)",
        t.passed + t.partial,
        t.failed,
        t.errored,
        t.skipped,
        results.len()
    );
    let written = results
        .iter()
        .filter(|r| r.snapshot == SnapshotStatus::Written)
        .count();
    if written > 0 {
        println!("{written} snapshots written");
    }
}

/// Scenario files that cannot be used.
pub fn print_load_errors(errors: &[LoadError]) {
    for e in errors {
        eprintln!("{RED}error{RED:#}: {e}");
    }
}

/// `list`: id, title, tags.
pub fn print_list(scenarios: &[&Scenario]) {
    for s in scenarios {
        println!(
            "{BOLD}{:<28}{BOLD:#} {}  {DIM}[{}]{DIM:#}",
            s.id(),
            s.title,
            s.tags.join(", ")
        );
    }
    println!("{} scenarios", scenarios.len());
}

/// A usage problem (exit 2).
pub fn print_usage_error(message: &str) {
    eprintln!("{RED}error{RED:#}: {message}");
}

/// Something the user should know that changes no result.
pub fn print_warning(message: &str) {
    eprintln!("{YELLOW}warning{YELLOW:#}: {message}");
}

/// `certify-client --judge`: one line per check; evidence and the fix under each warn/fail; the totals.
pub fn print_judgement(j: &Judgement) {
    for c in &j.checks {
        let (mark, style) = match c.verdict {
            CheckVerdict::Pass => ("✓", GREEN),
            CheckVerdict::Warn => ("!", YELLOW),
            CheckVerdict::Fail => ("✗", RED),
            CheckVerdict::NotApplicable => ("-", DIM),
        };
        println!(
            "{style}{mark} {:<30} {:<4}{style:#}  {}",
            c.id,
            c.verdict.label(),
            c.summary
        );
        if c.verdict >= CheckVerdict::Warn {
            for e in &c.evidence {
                let note = if e.note == c.summary { "" } else { &e.note };
                println!(
                    "    {DIM}requests {} {note}{DIM:#}",
                    super::seq_list(&e.seqs)
                );
            }
            if let Some(fix) = c.fix {
                println!("    {BOLD}fix:{BOLD:#} {fix}");
            }
        }
    }
    let style = if j.count(CheckVerdict::Fail) == 0 {
        GREEN
    } else {
        RED
    };
    println!();
    println!(
        "{style}{} passed, {} warned, {} failed{style:#}, {} not applicable ({} checks, {} journal entries, {} tasks, mock time {} → {})",
        j.count(CheckVerdict::Pass),
        j.count(CheckVerdict::Warn),
        j.count(CheckVerdict::Fail),
        j.count(CheckVerdict::NotApplicable),
        j.checks.len(),
        j.entries,
        j.tasks.len(),
        j.from.as_deref().unwrap_or("-"),
        j.to.as_deref().unwrap_or("-"),
    );
    for w in &j.warnings {
        println!("{YELLOW}warning:{YELLOW:#} {w}");
    }
}

/// The walk-through as it goes: what to configure, what to do per item, each item's verdict with evidence.
pub fn print_walk_event(event: Event<'_>) {
    match event {
        Event::Configure { base, credentials } => {
            let (client, secret) = credentials
                .client
                .split_once(':')
                .unwrap_or((&credentials.client, ""));
            println!("{BOLD}Configure the POS with these GP tom Cloud settings:{BOLD:#}");
            println!("  base URL        {base}");
            println!("  OAuth client    {client} (secret {secret}, HTTP Basic)");
            println!("  user            {}", credentials.username);
            println!("  password        {}", credentials.password);
            println!("  TID             {}", credentials.tid);
            println!("  apiKey          {}", credentials.api_key);
            println!("Then follow each step. Press Enter (or s + Enter) to skip a step.");
        }
        Event::Start {
            item,
            label,
            timeout,
        } => {
            println!();
            println!("{BOLD}[{label}] {}{BOLD:#}", item.title);
            println!("  {}", item.instruction);
            println!(
                "  {DIM}waiting for the POS (up to {} s; Enter or s + Enter skips)…{DIM:#}",
                timeout.as_secs()
            );
        }
        Event::Done(r) => {
            let (mark, style) = match r.verdict {
                ItemVerdict::Pass => ("✓", GREEN),
                ItemVerdict::Warn => ("!", YELLOW),
                ItemVerdict::Skipped => ("-", DIM),
                ItemVerdict::Fail => ("✗", RED),
            };
            println!(
                "  {style}{mark} {} {}{style:#}  {}",
                r.label,
                r.verdict.label(),
                r.summary
            );
            if !r.evidence.is_empty() {
                println!("    {DIM}requests {}{DIM:#}", super::seq_list(&r.evidence));
            }
            for c in r.checks.iter().filter(|c| c.verdict >= CheckVerdict::Warn) {
                println!("    {} {}: {}", c.verdict.label(), c.id, c.summary);
                if let Some(fix) = c.fix {
                    println!("    {BOLD}fix:{BOLD:#} {fix}");
                }
            }
        }
    }
}

/// The verdict per certification item at the end of a walk-through, then the checks over the session.
pub fn print_walk(w: &Walk) {
    println!();
    println!("{BOLD}certification items (list {}){BOLD:#}", w.list.tag());
    for r in &w.items {
        let style = match r.verdict {
            ItemVerdict::Pass => GREEN,
            ItemVerdict::Warn => YELLOW,
            ItemVerdict::Skipped => DIM,
            ItemVerdict::Fail => RED,
        };
        println!(
            "  {style}{:<7}{style:#} {:<12} {}",
            r.verdict.label(),
            r.label,
            r.title
        );
    }
    println!();
    println!("{BOLD}checks over the whole session{BOLD:#}");
    print_judgement(&w.judgement);
}

/// `record`: what was written, what was left out, and whether the embedded mock agreed with the recording.
pub fn print_recording(
    out: &std::path::Path,
    r: &crate::record::Recording,
    embedded: &ScenarioResult,
) {
    println!(
        "{GREEN}recorded{GREEN:#} {} steps to {}",
        r.steps,
        out.display()
    );
    for l in &r.left_out {
        println!("  left out: {l}");
    }
    match (&embedded.verdict, &embedded.snapshot) {
        (Verdict::Passed, SnapshotStatus::Written) => println!(
            "snapshot {} written from the embedded mock (it answers as the recording did)",
            crate::transcript::snap_path(out, &embedded.id).display()
        ),
        (verdict, _) => {
            let why = match verdict {
                Verdict::Failed(w)
                | Verdict::Errored(w)
                | Verdict::Partial(w)
                | Verdict::Skipped(w) => w.as_str(),
                Verdict::Passed => "the snapshot could not be written",
            };
            eprintln!(
                "{YELLOW}no snapshot{YELLOW:#}: the embedded mock answers unlike the recording — {why}\n  \
                 the scenario replays against the recorded server with `gptom-conformance run --target URL {}`; \
                 if GP tom answered this way, the mock is wrong there: see the README on reporting a divergence",
                out.display()
            );
        }
    }
}
