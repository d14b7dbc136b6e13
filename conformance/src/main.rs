//! `gptom-conformance`: parse → load → run → reports → exit code (STYLE §2.10). Thin on purpose.
#![allow(clippy::print_stdout)]

use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use conformance::certify::{self, Window};
use conformance::certify::{WalkError, WalkOptions, walk};
use conformance::cli::{
    CertifyClientArgs, Cli, Command, RecordArgs, RunArgs, Select, SnapshotsCommand,
};
use conformance::report::Outcome;
use conformance::report::console;
use conformance::result::{INTERRUPTED, RUNTIME, TERMINATED, USAGE};
use conformance::runner::operator::Operator;
use conformance::scenario::{self, Scenario};
use conformance::target::{Credentials, ProbeError, TargetSpec};
use conformance::{RunOptions, SnapshotMode, selected};

fn main() -> ExitCode {
    let cli = Cli::parse(); // usage errors exit 2
    let code = match cli.command.unwrap_or(Command::Run(RunArgs::default())) {
        Command::Schema => {
            print!("{}", scenario::schema_json());
            0
        }
        Command::List(sel) => match load(&sel) {
            Ok(list) => {
                console::print_list(&list.iter().map(Arc::as_ref).collect::<Vec<_>>());
                0
            }
            Err(code) => code,
        },
        Command::Run(args) => {
            let mode = if args.accept {
                SnapshotMode::Accept
            } else {
                SnapshotMode::Compare
            };
            run(&args, mode)
        }
        Command::Snapshots(SnapshotsCommand::Accept(select)) => {
            let args = RunArgs {
                select,
                ..RunArgs::default()
            };
            run(&args, SnapshotMode::Accept)
        }
        Command::CertifyClient(args) => certify_client(&args),
        Command::Record(args) => record(&args),
        Command::Completions { shell } => docs(Some(shell)),
        Command::Man => docs(None),
    };
    ExitCode::from(code)
}

/// `completions SHELL` (`Some`) or `man` (`None`).
fn docs(shell: Option<clap_complete::Shell>) -> u8 {
    use clap::CommandFactory as _;
    match mock_server::cli::print_docs(Cli::command(), shell) {
        Ok(()) => 0,
        Err(e) => {
            console::print_usage_error(&e.to_string());
            RUNTIME
        }
    }
}

/// Loads and selects scenarios; a bad file or an empty selection is exit 2.
fn load(sel: &Select) -> Result<Vec<Arc<Scenario>>, u8> {
    let paths = if sel.paths.is_empty() {
        vec![conformance::default_scenarios_dir()]
    } else {
        sel.paths.clone()
    };
    let (scenarios, errors) = scenario::load_all(&paths);
    if !errors.is_empty() {
        console::print_load_errors(&errors);
        return Err(USAGE);
    }
    if let Some(message) = unknown_ids(&scenarios, sel) {
        console::print_usage_error(&message);
        return Err(USAGE);
    }
    let chosen: Vec<Arc<Scenario>> = scenarios
        .into_iter()
        .filter(|s| selected(s, sel))
        .map(Arc::new)
        .collect();
    if chosen.is_empty() {
        console::print_usage_error("no scenario matched the paths and filters given");
        return Err(USAGE);
    }
    Ok(chosen)
}

/// `--id` values that name no scenario in the paths given, each with the nearest id when one is close.
fn unknown_ids(scenarios: &[Scenario], sel: &Select) -> Option<String> {
    let unknown: Vec<String> = sel
        .ids
        .iter()
        .filter(|id| !scenarios.iter().any(|s| s.id().eq_ignore_ascii_case(id)))
        .map(|id| {
            let wanted = id.to_ascii_uppercase();
            let near = scenarios
                .iter()
                .map(|s| (strsim::jaro_winkler(&wanted, s.id()), s.id()))
                .filter(|(score, _)| *score > 0.8)
                .max_by(|a, b| a.0.total_cmp(&b.0));
            match near {
                Some((_, best)) => format!("{id:?} (did you mean {best}?)"),
                None => format!("{id:?}"),
            }
        })
        .collect();
    (!unknown.is_empty()).then(|| {
        format!(
            "no scenario has the id {} (`gptom-conformance list` shows them; a scenario outside ./scenarios \
             needs its file or folder as a path)",
            unknown.join(", ")
        )
    })
}

fn run(args: &RunArgs, snapshots: SnapshotMode) -> u8 {
    let scenarios = match load(&args.select) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let defaults = Credentials::default();
    let credentials = Credentials {
        username: args.username.clone().unwrap_or(defaults.username),
        password: args.password.clone().unwrap_or(defaults.password),
        tid: args.tid.clone().unwrap_or(defaults.tid),
        api_key: args.api_key.clone().unwrap_or(defaults.api_key),
        client: defaults.client,
    };
    let mut opts = RunOptions {
        target: args
            .target
            .clone()
            .map_or(TargetSpec::Embedded, TargetSpec::Remote),
        credentials,
        snapshots,
        fail_fast: args.fail_fast,
        operator: args.interactive.then(|| {
            Arc::new(Operator::new(
                std::io::BufReader::new(std::io::stdin()),
                std::io::stdout(),
            ))
        }),
        admin_token: args.admin_token.clone(),
        ca: args.ca.clone(),
        max_wait: args
            .max_wait
            .unwrap_or(conformance::runner::DEFAULT_MAX_WAIT),
        sandbox: !args.no_sandbox,
        ..RunOptions::default()
    };
    if let Some(j) = args.jobs {
        opts.jobs = usize::from(j);
    }
    let Some(runtime) = runtime() else {
        return RUNTIME;
    };
    // listened for before a sandbox is taken: from here on, Ctrl-C or SIGTERM ends the run without leaving one behind
    let stop = interrupt(&runtime);
    let connected = match runtime.block_on(conformance::runner::connect(&opts)) {
        Ok(c) => c,
        Err(e) => {
            console::print_usage_error(&e.to_string());
            return match e {
                ProbeError::TokenRefused(_) => USAGE,
                ProbeError::Unreachable(_) => RUNTIME,
            };
        }
    };
    if let Some(text) = connected.describe() {
        console::print_target(&text);
    }
    let progress = console::Progress::new(scenarios.len());
    opts.waits.notice = Some(progress.waits());
    // Ctrl-C or SIGTERM stops the run where it is, but still gives the sandbox back: on a shared mock an abandoned
    // one would keep its terminals, tasks and journal entries until someone deletes it
    let results = runtime.block_on(async {
        tokio::select! {
            results = conformance::runner::run_connected(&connected, &scenarios, &opts, |r| progress.done(r)) => {
                Ok(results)
            }
            stop = stop => Err(stop),
        }
    });
    progress.finish();
    if let Err(e) = runtime.block_on(connected.release()) {
        console::print_warning(&format!("the run's sandbox was not given back: {e}"));
    }
    let results = match results {
        Ok(results) => results,
        Err(stop) => {
            let sandbox = connected.sandbox_id().map_or(String::new(), |id| {
                format!("; its sandbox {id} was given back")
            });
            console::print_usage_error(&format!(
                "interrupted ({}): no report written{sandbox}",
                stop.name()
            ));
            return stop.exit_code();
        }
    };
    console::print_details(&results);
    console::print_summary(&results);
    write_reports(&args.reports, Outcome::Scenarios(&results))
}

/// `certify-client --judge`: journal (from the mock or a file) → judgement → console + reports → exit code.
fn certify_client(args: &CertifyClientArgs) -> u8 {
    if !args.judge {
        if args.journal.is_some() || args.since.is_some() {
            console::print_usage_error(
                "--journal and --since judge a recorded session: add --judge (without it certify-client walks \
                 through the certification items live)",
            );
            return USAGE;
        }
        return walk_through(args);
    }
    let window = Window {
        since: args.since.clone(),
        tid: args.tid.clone(),
    };
    let journal = match (&args.mock, &args.journal) {
        (Some(url), None) => {
            let Some(runtime) = runtime() else {
                return RUNTIME;
            };
            runtime.block_on(certify::fetch_journal(
                url,
                &window,
                args.admin_token.as_deref(),
                args.ca.as_deref(),
            ))
        }
        (None, Some(path)) => certify::read_journal(path, &window),
        _ => {
            console::print_usage_error(
                "certify-client --judge needs the journal: --mock URL (a running gptom-mock) or --journal FILE",
            );
            return USAGE;
        }
    };
    let journal = match journal {
        Ok(j) => j,
        Err(e) => {
            console::print_usage_error(&e.to_string());
            return e.exit_code();
        }
    };
    let judgement = certify::judge::judge(&journal);
    if judgement.entries == 0 {
        console::print_usage_error(
            "the journal has no entries to judge (is the POS pointed at this mock? check --since and --tid)",
        );
    } else {
        console::print_judgement(&judgement);
    }
    write_reports(&args.reports, Outcome::Judgement(&judgement))
}

/// `certify-client` without `--judge`: an embedded mock on `--port` (or `--mock URL`), then the walk-through.
fn walk_through(args: &CertifyClientArgs) -> u8 {
    let Some(runtime) = runtime() else {
        return RUNTIME;
    };
    runtime.block_on(async {
        let mut _embedded = None; // kept alive until the walk ends
        let base = match &args.mock {
            Some(url) => url.clone(),
            None => {
                let config = mock_server::Config {
                    port: args.port,
                    ..mock_server::Config::default() // real clock, realistic latency
                };
                match mock_server::MockServer::builder().config(config).start().await {
                    Ok(m) => _embedded.insert(m).base_url().to_owned(),
                    Err(e) => {
                        console::print_usage_error(&format!(
                            "cannot start the mock on port {}: {e} (choose another with --port, or use --mock URL)",
                            args.port
                        ));
                        return RUNTIME;
                    }
                }
            }
        };
        // operator lines from stdin, read on their own thread (a blocked read never holds the walk)
        let (tx, mut lines) = tokio::sync::mpsc::unbounded_channel();
        std::thread::spawn(move || {
            for line in std::io::stdin().lines() {
                let Ok(l) = line else { break };
                if tx.send(l).is_err() {
                    break;
                }
            }
        });
        let opts = WalkOptions {
            base,
            admin_token: args.admin_token.clone(),
            ca: args.ca.clone(),
            credentials: Credentials {
                tid: args.tid.clone().unwrap_or_else(|| Credentials::default().tid),
                ..Credentials::default()
            },
            list: args.list,
            only: args.only.clone(),
            timeout: std::time::Duration::from_secs(args.timeout),
            poll: std::time::Duration::from_millis(500),
        };
        let w = match walk(&opts, &mut lines, console::print_walk_event).await {
            Ok(w) => w,
            Err(e) => {
                console::print_usage_error(&e.to_string());
                return match e {
                    WalkError::Usage(_) => USAGE,
                    WalkError::Mock(_) => RUNTIME,
                };
            }
        };
        console::print_walk(&w);
        write_reports(&args.reports, Outcome::Walk(&w))
    })
}

/// Writes every requested report and returns the outcome's exit code; a report that cannot be written raises
/// it to RUNTIME.
fn write_reports(reports: &[conformance::report::ReportFile], outcome: Outcome<'_>) -> u8 {
    let mut code = outcome.exit_code();
    for report in reports {
        if let Err(e) = report.write(outcome) {
            console::print_usage_error(&format!("cannot write the report {report:?}: {e}"));
            code = code.max(RUNTIME);
        }
    }
    code
}

/// The async runtime the subcommands run on; None (reported) if the OS refuses one.
/// `record`: journal → scenario file, then its snapshot from a run on the embedded mock.
fn record(args: &RecordArgs) -> u8 {
    let window = Window {
        since: args.since.clone(),
        tid: args.tid.clone(),
    };
    let Some(runtime) = runtime() else {
        return RUNTIME;
    };
    let is_url = args.journal.starts_with("http://") || args.journal.starts_with("https://");
    let journal = if is_url {
        let base = args.journal.trim_end_matches('/');
        let base = base.strip_suffix("/__admin/journal").unwrap_or(base);
        runtime.block_on(certify::fetch_journal(
            base,
            &window,
            args.admin_token.as_deref(),
            args.ca.as_deref(),
        ))
    } else {
        certify::read_journal(args.journal.as_ref(), &window)
    };
    let journal = match journal {
        Ok(j) => j,
        Err(e) => {
            console::print_usage_error(&e.to_string());
            return e.exit_code();
        }
    };
    let title = args
        .title
        .clone()
        .unwrap_or_else(|| format!("Recorded from {}", args.journal));
    let request = conformance::record::Request {
        id: &args.id,
        title: &title,
        source: &args.journal,
    };
    let recording = match conformance::record::record(&journal, &request) {
        Ok(r) => r,
        Err(e) => {
            console::print_usage_error(&e.to_string());
            return USAGE;
        }
    };
    let snap = conformance::transcript::snap_path(&args.out, &args.id);
    if !args.force && (args.out.exists() || snap.exists()) {
        console::print_usage_error(&format!(
            "{} or {} exists: pass --force to replace them",
            args.out.display(),
            snap.display()
        ));
        return USAGE;
    }
    let written = args
        .out
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(&args.out, &recording.yaml))
        .and_then(|()| match std::fs::remove_file(&snap) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        });
    if let Err(e) = written {
        console::print_usage_error(&format!("cannot write {}: {e}", args.out.display()));
        return USAGE;
    }
    // what was written must load like any scenario (a failure here is the recorder's bug, said as such)
    let scenario = match scenario::load(&args.out) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            console::print_usage_error(&format!("the recorded scenario does not load: {e}"));
            return RUNTIME;
        }
    };
    let opts = RunOptions {
        snapshots: SnapshotMode::Accept,
        jobs: 1,
        ..RunOptions::default()
    };
    let results = runtime.block_on(conformance::run(&[scenario], &opts));
    let Some(embedded) = results.first() else {
        return RUNTIME;
    };
    console::print_recording(&args.out, &recording, embedded);
    if embedded.snapshot == conformance::result::SnapshotStatus::Written {
        0
    } else {
        1
    }
}

/// A stop asked of the run: Ctrl-C (SIGINT), or SIGTERM (what CI services and `docker stop` send to cancel a job).
#[derive(Clone, Copy, Debug)]
enum Stop {
    Interrupt,
    Terminate,
}

impl Stop {
    fn name(self) -> &'static str {
        match self {
            Stop::Interrupt => "Ctrl-C",
            Stop::Terminate => "SIGTERM",
        }
    }

    /// 128 + the signal's number, as shells report a process the signal ended.
    fn exit_code(self) -> u8 {
        match self {
            Stop::Interrupt => INTERRUPTED,
            Stop::Terminate => TERMINATED,
        }
    }
}

/// The first stop asked for, listened for from the moment this returns: on Unix the handlers are in place at once,
/// so a signal that comes before the run waits for it is neither lost nor fatal.
fn interrupt(runtime: &tokio::runtime::Runtime) -> impl Future<Output = Stop> + use<> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{Signal, SignalKind, signal};
        let _inside = runtime.enter();
        let mut sigint = signal(SignalKind::interrupt()).ok();
        let mut sigterm = signal(SignalKind::terminate()).ok();
        async fn next(s: Option<&mut Signal>) {
            match s {
                Some(s) => {
                    s.recv().await;
                }
                None => std::future::pending().await,
            }
        }
        async move {
            tokio::select! {
                () = next(sigint.as_mut()) => Stop::Interrupt,
                () = next(sigterm.as_mut()) => Stop::Terminate,
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = runtime;
        async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
            Stop::Interrupt
        }
    }
}

fn runtime() -> Option<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| console::print_usage_error(&format!("cannot start the async runtime: {e}")))
        .ok()
}
