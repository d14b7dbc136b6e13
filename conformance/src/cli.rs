//! Command-line syntax (clap derive): raw values only, no I/O. Every flag can come from a `GPTOM_…` variable.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::report::ReportFile;

const EXAMPLES: &str = "\
Examples:
  gptom-conformance                                  run scenarios/ against the embedded mock
  gptom-conformance run scenarios/cloud --tag cert-a  only the items of certification list A
  gptom-conformance run --id CLOUD-SALE-APPROVED --report junit=target/conformance.xml
  gptom-conformance run --tag mock-only --fail-fast --jobs 1
  gptom-conformance run --target https://gateway.example --username pos@example.com --tid 123456
  gptom-conformance run --target https://gateway.example --tag cert-c --interactive
  gptom-conformance run --target http://mock.ci:8080 --admin-token s3cret   a deployed gptom-mock
  gptom-conformance list --tag mandatory
  gptom-conformance snapshots accept --id CLOUD-VOID-RULES
  gptom-conformance schema > scenarios/schema.json
  gptom-conformance certify-client --judge --mock http://127.0.0.1:8080 --report html=target/pos.html

Exit codes: 0 all passed, 1 a scenario failed, 2 usage error / bad scenario file / nothing matched,
3 target unreachable or runtime error, 130 / 143 stopped by Ctrl-C / SIGTERM (a run's sandbox is given back).";

/// Replays GP tom certification scenarios against the embedded gptom-mock or a real gateway.
#[derive(Debug, Parser)]
#[command(name = "gptom-conformance", version, about, after_help = EXAMPLES)]
pub struct Cli {
    /// What to do (default: `run` over the scenarios directory).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run scenarios and compare their transcripts with the committed snapshots.
    #[command(after_help = EXAMPLES)]
    Run(RunArgs),
    /// List scenarios (id, title, tags) without running them.
    List(Select),
    /// Print the JSON Schema of scenario files (what scenarios/schema.json holds).
    Schema,
    /// Manage transcript snapshots.
    #[command(subcommand)]
    Snapshots(SnapshotsCommand),
    /// Judge a POS from what it sent to gptom-mock (client certification checks).
    ///
    /// Reads the mock's request journal and evaluates the client checks of certification.md §2, each
    /// pass / warn / fail / n/a with the evidence requests and what to fix.
    #[command(after_help = CERTIFY_EXAMPLES)]
    CertifyClient(CertifyClientArgs),
    /// Turn a journal into a scenario file and its snapshot.
    ///
    /// The journal of a `gptom-mock proxy` in front of GP tom (or of a gptom-mock) becomes a scenario: requests
    /// become steps, answers become shape expectations (ids captured, never written down), polls of one task one
    /// `poll_task`. Its snapshot comes from a run on the embedded mock; where the recorded server answered
    /// unlike the mock, no snapshot is written and the step that differs is named.
    #[command(after_help = RECORD_EXAMPLES)]
    Record(RecordArgs),
    /// Print a shell completion script, e.g. `gptom-conformance completions bash`.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
}

const RECORD_EXAMPLES: &str = "\
Examples:
  gptom-conformance record --journal http://127.0.0.1:8080 --id DEV-SALE --out scenarios/recorded/DEV-SALE.yaml
  gptom-conformance record --journal journal.json --tid 999888 --id POS-DAY --out recorded/POS-DAY.yaml
  gptom-conformance run --target https://cloud-api-dev.gptom.com recorded/POS-DAY.yaml --tid … --api-key …

Exit codes: 0 scenario and snapshot written, 1 scenario written but the embedded mock answers differently (no
snapshot), 2 usage error / unreadable journal / nothing to record, 3 journal URL unreachable.";

/// `record`.
#[derive(Debug, Clone, Args)]
pub struct RecordArgs {
    /// The journal: a running gptom-mock or proxy (`http://HOST:PORT`, its `/__admin/journal` is read) or a file
    /// saved from `GET /__admin/journal`.
    #[arg(long, value_name = "FILE|URL")]
    pub journal: String,
    /// The scenario's id (letters, digits, '-' and '_'; it names the .snap file).
    #[arg(long)]
    pub id: String,
    /// The scenario file to write; its snapshot goes beside it.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// The scenario's title (default: where it was recorded from).
    #[arg(long)]
    pub title: Option<String>,
    /// Only requests at or after this mock-clock time (RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only requests about this terminal (needed when the journal holds several).
    #[arg(long)]
    pub tid: Option<String>,
    /// The admin token of the mock or proxy, if it was started with `--admin-token`.
    #[arg(long, env = "GPTOM_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// A PEM file of CA certificates to trust besides the system's, for an `https://` journal URL behind a private
    /// CA (e.g. a gptom-mock on `--tls auto`: the CA it prints, or its /__admin/ca.pem).
    #[arg(long, env = "GPTOM_CA", value_name = "FILE")]
    pub ca: Option<PathBuf>,
    /// Replace --out (and its snapshot) if it exists.
    #[arg(long)]
    pub force: bool,
}

const CERTIFY_EXAMPLES: &str = "\
Examples:
  gptom-conformance certify-client                   walk through list v3 with an embedded mock on :8080
  gptom-conformance certify-client --list v1 --only sale,declined --timeout 120 --report html=target/cert.html
  gptom-conformance certify-client --mock http://mock.ci:8080
  gptom-conformance certify-client --judge --mock http://127.0.0.1:8080
  gptom-conformance certify-client --judge --mock http://127.0.0.1:8080 --since 2026-01-01T10:00:00Z --tid 999888
  curl -s http://127.0.0.1:8080/__admin/journal > journal.json
  gptom-conformance certify-client --judge --journal journal.json --report html=target/pos.html --report junit=target/pos.xml

Exit codes: 0 no check failed (warnings allowed), 1 a check failed, 2 usage error / unreadable journal file /
empty journal, 3 mock unreachable.";

/// `certify-client`.
#[derive(Debug, Clone, Default, Args)]
pub struct CertifyClientArgs {
    /// Judge the journal without prompting (without it: the interactive walk-through of the certification items).
    #[arg(long, env = "GPTOM_JUDGE")]
    pub judge: bool,
    /// Base URL of a running gptom-mock (walk-through: default an embedded mock on --port; --judge: whose
    /// journal is judged).
    #[arg(
        long,
        env = "GPTOM_MOCK",
        value_name = "URL",
        conflicts_with = "journal"
    )]
    pub mock: Option<String>,
    /// A journal saved from `GET /__admin/journal` (JSON).
    #[arg(long, env = "GPTOM_JOURNAL", value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// Only requests at or after this mock-clock time (RFC 3339).
    #[arg(long, env = "GPTOM_SINCE", value_name = "TIME")]
    pub since: Option<String>,
    /// Only requests about this terminal.
    #[arg(long, env = "GPTOM_TID")]
    pub tid: Option<String>,
    /// The mock's admin token, if it was started with `--admin-token`.
    #[arg(long, env = "GPTOM_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// A PEM file of CA certificates to trust besides the system's, for an `https://` mock behind a private
    /// CA (e.g. a gptom-mock on `--tls auto`: the CA it prints, or its /__admin/ca.pem).
    #[arg(long, env = "GPTOM_CA", value_name = "FILE")]
    pub ca: Option<PathBuf>,
    /// Write a report: junit=FILE, json=FILE or html=FILE; repeatable.
    #[arg(long = "report", env = "GPTOM_REPORTS", value_delimiter = ',', value_parser = ReportFile::parse, value_name = "KIND=FILE")]
    pub reports: Vec<ReportFile>,
    /// Walk-through: the version of GP tom's certification list (v1 = A, v2 = B, v3 = C).
    #[arg(long, env = "GPTOM_LIST", default_value = "v3", value_parser = crate::certify::ListVersion::parse)]
    pub list: crate::certify::ListVersion,
    /// Walk-through: only these items (keys such as `declined`, or numbers of the chosen list); repeatable.
    #[arg(long, env = "GPTOM_ONLY", value_delimiter = ',', value_name = "ITEM")]
    pub only: Vec<String>,
    /// Walk-through: seconds to wait for the POS per item.
    #[arg(
        long,
        env = "GPTOM_TIMEOUT",
        default_value_t = 300,
        value_name = "SECS"
    )]
    pub timeout: u64,
    /// Walk-through: port of the embedded mock (the POS is configured with it).
    #[arg(
        long,
        env = "GPTOM_PORT",
        default_value_t = 8080,
        conflicts_with = "mock"
    )]
    pub port: u16,
}

/// `snapshots …`.
#[derive(Debug, Subcommand)]
pub enum SnapshotsCommand {
    /// Run the selected scenarios against the embedded mock and rewrite their `<ID>.snap` files.
    Accept(Select),
}

/// Which scenarios.
#[derive(Debug, Clone, Default, Args)]
pub struct Select {
    /// Scenario files or directories (default: ./scenarios).
    pub paths: Vec<PathBuf>,
    /// Only scenarios with this tag (`cert-a:2`; `cert-a` matches every `cert-a:N`); repeatable, any matches.
    #[arg(long = "tag", env = "GPTOM_TAGS", value_delimiter = ',')]
    pub tags: Vec<String>,
    /// Only these scenario ids; repeatable.
    #[arg(long = "id", env = "GPTOM_IDS", value_delimiter = ',')]
    pub ids: Vec<String>,
    /// Only ids containing this text (case-insensitive).
    #[arg(long, env = "GPTOM_FILTER")]
    pub filter: Option<String>,
}

/// `run`.
#[derive(Debug, Clone, Default, Args)]
pub struct RunArgs {
    /// Which scenarios.
    #[command(flatten)]
    pub select: Select,
    /// Base URL of a gateway or a deployed gptom-mock (default: an embedded mock per scenario).
    #[arg(long, env = "GPTOM_TARGET", value_name = "URL")]
    pub target: Option<String>,
    /// Username for the password grant (default: the mock's jan.novak@example.com).
    #[arg(long, env = "GPTOM_USERNAME")]
    pub username: Option<String>,
    /// Password.
    #[arg(long, env = "GPTOM_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// Terminal id (`Tid`).
    #[arg(long, env = "GPTOM_TID")]
    pub tid: Option<String>,
    /// The terminal's apiKey.
    #[arg(long, env = "GPTOM_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// Write a report: junit=FILE, json=FILE or html=FILE; repeatable.
    #[arg(long = "report", env = "GPTOM_REPORTS", value_delimiter = ',', value_parser = ReportFile::parse, value_name = "KIND=FILE")]
    pub reports: Vec<ReportFile>,
    /// Scenarios run at once against the embedded mock (default: number of cores); a remote target runs one at a time.
    #[arg(long, env = "GPTOM_JOBS", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Rewrite the snapshots of passing scenarios instead of comparing them.
    #[arg(long, env = "GPTOM_ACCEPT")]
    pub accept: bool,
    /// Stop after the first scenario that fails or errors (the rest are reported as skipped).
    #[arg(long, env = "GPTOM_FAIL_FAST")]
    pub fail_fast: bool,
    /// On a deployed gptom-mock with its admin API, use its own fixture terminals instead of taking a sandbox
    /// (copies of them under new TIDs, given back at the end). Runs at once on one mock then disturb each other.
    #[arg(long, env = "GPTOM_NO_SANDBOX")]
    pub no_sandbox: bool,
    /// With --target and no mock admin API: prompt for mock-only steps instead of skipping them ("Enter amount
    /// 11.22 on the terminal so that it is declined, then press Enter"; `s` + Enter skips one).
    #[arg(long, env = "GPTOM_INTERACTIVE")]
    pub interactive: bool,
    /// With --target: the admin token of a gptom-mock started with `--admin-token` (without it, sections that
    /// need its admin API are skipped).
    #[arg(long, env = "GPTOM_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// A PEM file of CA certificates to trust besides the system's, for an `https://` target behind a private
    /// CA (e.g. a gptom-mock on `--tls auto`: the CA it prints, or its /__admin/ca.pem).
    #[arg(long, env = "GPTOM_CA", value_name = "FILE")]
    pub ca: Option<PathBuf>,
    /// With --target: the longest a section may wait in real time, in seconds; a section that could wait
    /// longer (a token's hour of life, 93 days) is skipped with the reason. Waits on a manual-clock mock move
    /// its clock instead and take no time. [default: 300]
    #[arg(long, env = "GPTOM_MAX_WAIT", value_name = "SECS", value_parser = seconds)]
    pub max_wait: Option<f64>,
}

/// A number of seconds ≥ 0.
fn seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v >= 0.0 && v.is_finite() => Ok(v),
        _ => Err(format!("{s:?}: expected a number of seconds ≥ 0, e.g. 300")),
    }
}
