//! `gptom-conformance`: skeleton until the runner lands (issue 4).

use clap::Parser;

/// Replays GP tom certification scenarios (not implemented yet).
#[derive(Parser)]
#[command(name = "gptom-conformance", version, about)]
struct Cli {}

fn main() -> std::process::ExitCode {
    let _ = Cli::parse();
    eprintln!("gptom-conformance: the scenario runner is not implemented yet (see issue 4)");
    std::process::ExitCode::from(2)
}
