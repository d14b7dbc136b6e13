//! `gptom-conformance`: parse → load → run → reports → exit code (STYLE §2.10). Thin on purpose.
#![allow(clippy::print_stdout)]

use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use conformance::cli::{Cli, Command, RunArgs, Select, SnapshotsCommand};
use conformance::report::console;
use conformance::result::{RUNTIME, USAGE};
use conformance::scenario::{self, Scenario};
use conformance::target::{Credentials, TargetSpec};
use conformance::{RunOptions, SnapshotMode, exit_code, selected};

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
    };
    ExitCode::from(code)
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
        ..RunOptions::default()
    };
    if let Some(j) = args.jobs {
        opts.jobs = usize::from(j);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            console::print_usage_error(&format!("cannot start the async runtime: {e}"));
            return RUNTIME;
        }
    };
    let results = runtime.block_on(conformance::run(&scenarios, &opts));
    console::print_results(&results);
    console::print_summary(&results);
    let mut code = exit_code(&results);
    for report in &args.reports {
        if let Err(e) = report.write(&results) {
            console::print_usage_error(&format!("cannot write the report {report:?}: {e}"));
            code = code.max(RUNTIME);
        }
    }
    code
}
