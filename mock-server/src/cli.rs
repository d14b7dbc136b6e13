//! Command line of `gptom-mock` (clap derive). Every flag has a `GPTOM_MOCK_*` environment variable and a key
//! in the `--config` YAML file; precedence is flag > env > file > built-in default. Raw values only here;
//! [`Cli::into_config`] checks them once, with messages that say what is expected.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Parser;

use crate::clock::Timestamp;
use crate::config::{ClockMode, Config, ConfigFile};
use crate::engine::Profiles;
use crate::engine::token::TokenTtls;

const EXAMPLES: &str = "\
Examples:
  gptom-mock                                   # 127.0.0.1:8080, realistic latency, real clock
  gptom-mock --port 0 --seed 7                 # a free port (printed), reproducible ids
  gptom-mock --clock manual --latency instant  # time moves only via POST /__admin/clock/advance
  gptom-mock --profile strict,task-not-found-403
  gptom-mock --fixtures ./fixtures             # your own accounts.yaml / latency.yaml / outcomes.yaml / cards.yaml
  gptom-mock --faults faults.yaml              # fault rules from the start (same shape as POST /__admin/faults)
  gptom-mock --config mock.yaml --print-config # the effective configuration, as a config file

Precedence: flag > GPTOM_MOCK_* environment variable > --config file > default.
Default login: client atom:ashfuf4e5fa (HTTP Basic), user jan.novak@example.com / ABCDEFGHIJKL,
tid 999888, apiKey 333W212J3. Amounts 1111 approve, 1122 decline, 1123 timeout, 1124 exception.";

/// A stateful, deterministic mock of the GP tom Cloud API.
#[derive(Debug, Parser)]
#[command(name = "gptom-mock", version, about, after_help = EXAMPLES)]
pub struct Cli {
    /// Instead of the mock: a proxy in front of a real GP tom, or a one-shot helper.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// YAML config file holding any of the settings below (see --print-config for its shape).
    #[arg(long, global = true, env = "GPTOM_MOCK_CONFIG")]
    pub config: Option<PathBuf>,

    /// Print the effective configuration as YAML and exit.
    #[arg(long, global = true)]
    pub print_config: bool,

    /// Address to listen on [default: 127.0.0.1].
    #[arg(long, global = true, env = "GPTOM_MOCK_BIND")]
    pub bind: Option<IpAddr>,

    /// Port to listen on; 0 picks a free one (printed at start) [default: 8080].
    #[arg(long, global = true, env = "GPTOM_MOCK_PORT")]
    pub port: Option<u16>,

    /// Behaviour profiles, comma-separated: lenient, strict, task-not-found-403, ttl-cancelled, receiptless-success,
    /// a2a-date-ddmmyy
    /// [default: lenient].
    #[arg(long, global = true, env = "GPTOM_MOCK_PROFILE")]
    pub profile: Option<String>,

    /// Latency profile: instant, realistic, or a name from fixtures/latency.yaml [default: realistic].
    #[arg(long, global = true, env = "GPTOM_MOCK_LATENCY")]
    pub latency: Option<String>,

    /// Clock: real (follows the wall clock) or manual (moves only through /__admin/clock) [default: real].
    #[arg(long, global = true, env = "GPTOM_MOCK_CLOCK")]
    pub clock: Option<String>,

    /// Start time of the clock, RFC 3339 (manual default: 2026-01-01T00:00:00Z; real default: now).
    #[arg(long, global = true, env = "GPTOM_MOCK_CLOCK_START")]
    pub clock_start: Option<String>,

    /// Seed for ids, exception ids, card data and fault dice; random (and printed) when absent.
    #[arg(long, global = true, env = "GPTOM_MOCK_SEED")]
    pub seed: Option<u64>,

    /// HS256 secret for tokens; derived from the seed when absent.
    #[arg(
        long,
        global = true,
        env = "GPTOM_MOCK_JWT_SECRET",
        hide_env_values = true
    )]
    pub jwt_secret: Option<String>,

    /// Directory with YAML fixtures replacing the built-in ones (accounts, latency, outcomes, cards).
    #[arg(long, global = true, env = "GPTOM_MOCK_FIXTURES")]
    pub fixtures: Option<PathBuf>,

    /// YAML file of fault rules loaded at start (a list, each as POST /__admin/faults takes it).
    #[arg(long, global = true, env = "GPTOM_MOCK_FAULTS")]
    pub faults: Option<PathBuf>,

    /// Require `Authorization: Bearer TOKEN` on every /__admin call.
    #[arg(
        long,
        global = true,
        env = "GPTOM_MOCK_ADMIN_TOKEN",
        hide_env_values = true
    )]
    pub admin_token: Option<String>,

    /// Serve HTTPS with this certificate chain (PEM, leaf first); needs --tls-key.
    #[arg(
        long,
        global = true,
        env = "GPTOM_MOCK_TLS_CERT",
        value_name = "FILE",
        requires = "tls_key",
        conflicts_with = "tls"
    )]
    pub tls_cert: Option<PathBuf>,

    /// The private key of --tls-cert (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(
        long,
        global = true,
        env = "GPTOM_MOCK_TLS_KEY",
        value_name = "FILE",
        requires = "tls_cert"
    )]
    pub tls_key: Option<PathBuf>,

    /// `auto`: serve HTTPS with a certificate from a local CA made at start, for localhost, this host's name
    /// and addresses and every --tls-san; the CA's file is printed and served at /__admin/ca.pem.
    #[arg(long, global = true, env = "GPTOM_MOCK_TLS", value_parser = ["auto"])]
    pub tls: Option<String>,

    /// With --tls auto: another name or address the certificate is for (repeatable), e.g. the name phones use.
    #[arg(
        long = "tls-san",
        global = true,
        env = "GPTOM_MOCK_TLS_SAN",
        value_delimiter = ',',
        value_name = "NAME",
        requires = "tls"
    )]
    pub tls_sans: Vec<String>,

    /// With --tls auto: keep the CA here and reuse it across restarts (trust it once) [default: a new CA each
    /// start, in a temp file].
    #[arg(
        long,
        global = true,
        env = "GPTOM_MOCK_TLS_DIR",
        value_name = "DIR",
        requires = "tls"
    )]
    pub tls_dir: Option<PathBuf>,

    /// Keep terminals, tasks, transactions, batches, fault rules, sandboxes, the journal and the clock in
    /// DIR/state.sqlite, each request written before it is answered, so a restart (or kill -9) loses nothing;
    /// with --tls auto the CA is kept there too [default: in memory only].
    #[arg(long, global = true, env = "GPTOM_MOCK_STATE", value_name = "DIR")]
    pub state: Option<PathBuf>,

    /// Journal /__admin calls too (they are left out by default).
    #[arg(long, global = true, env = "GPTOM_MOCK_JOURNAL_ADMIN")]
    pub journal_admin: bool,

    /// Journal entries kept; the oldest go first [default: 10000].
    #[arg(long, global = true, env = "GPTOM_MOCK_JOURNAL_CAP", value_parser = clap::value_parser!(u64).range(1..))]
    pub journal_cap: Option<u64>,

    /// Lifetime of a terminal login's access token, seconds [default: 3600].
    #[arg(long, global = true, env = "GPTOM_MOCK_TOKEN_TERMINAL_TTL", value_parser = clap::value_parser!(i64).range(1..))]
    pub token_terminal_ttl: Option<i64>,

    /// Lifetime of a master login's access token, seconds [default: 86399].
    #[arg(long, global = true, env = "GPTOM_MOCK_TOKEN_MASTER_TTL", value_parser = clap::value_parser!(i64).range(1..))]
    pub token_master_ttl: Option<i64>,

    /// Lifetime of refresh tokens, seconds [default: 7776000 = 90 days].
    #[arg(long, global = true, env = "GPTOM_MOCK_TOKEN_REFRESH_TTL", value_parser = clap::value_parser!(i64).range(1..))]
    pub token_refresh_ttl: Option<i64>,

    /// Largest accepted request body in bytes; larger → 413 [default: 65536].
    #[arg(long, global = true, env = "GPTOM_MOCK_BODY_LIMIT", value_parser = clap::value_parser!(u64).range(1..))]
    pub body_limit: Option<u64>,

    /// Seconds a client may take to send a request's headers, from its first byte (slow clients are cut off)
    /// [default: 10].
    #[arg(long, global = true, env = "GPTOM_MOCK_HEADER_READ_TIMEOUT")]
    pub header_read_timeout: Option<f64>,

    /// Seconds a persistent connection may stay idle between requests (advertised as `Keep-Alive: timeout=`)
    /// [default: 75].
    #[arg(long, global = true, env = "GPTOM_MOCK_KEEP_ALIVE_TIMEOUT")]
    pub keep_alive_timeout: Option<f64>,

    /// Tasks kept; beyond it the oldest final tasks are evicted [default: 100000].
    #[arg(long, global = true, env = "GPTOM_MOCK_MAX_TASKS", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_tasks: Option<u64>,

    /// Transactions kept; beyond it the oldest are evicted [default: 100000].
    #[arg(long, global = true, env = "GPTOM_MOCK_MAX_TRANSACTIONS", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_transactions: Option<u64>,

    /// Unfinished tasks one terminal may queue; beyond it a new task is 406 TERMINAL_BUSY [default: 10000].
    #[arg(long, global = true, env = "GPTOM_MOCK_MAX_QUEUE", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_queue: Option<u64>,
}

/// Other jobs of the same binary: the proxy, and one-shot helpers that run the engine in-process.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// A recording, checking proxy in front of a real GP tom (e.g. its dev environment).
    ///
    /// Forwards the GP tom Cloud API (`/cloud/oauth/token`, `/api/oauth/token`, `/v1/**`) to the upstream,
    /// journals every exchange like the mock does (GET /__admin/journal, for `gptom-conformance certify-client
    /// --judge`) and lists where its answers break the mock's model (GET /__admin/divergences). Takes the
    /// mock's --port, --bind, --admin-token, --journal-*, --body-limit and --profile (the model the answers are
    /// checked against). Example: gptom-mock proxy --upstream https://cloud-api-dev.gptom.com --port 8080
    Proxy(ProxyArgs),
    /// Answer one iOS deep link like GP tom would and print the redirect URL it opens (instant latency,
    /// engine in-process). Example: gptom-mock deeplink 'gptom://transaction/create?amount=1111&redirectUrl=myapp://transaction/create'
    Deeplink {
        /// The `gptom://…` URL.
        url: String,
        /// The terminal whose simulated device answers [default: the first terminal of the fixtures].
        #[arg(long)]
        tid: Option<String>,
        /// Print the whole answer (redirect, parsed result, warnings) as JSON instead of the redirect URL.
        #[arg(long)]
        json: bool,
    },
    /// Print a shell completion script, e.g. `gptom-mock completions bash > /etc/bash_completion.d/gptom-mock`.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `gptom-mock man > /usr/local/share/man/man1/gptom-mock.1`.
    Man,
    /// Ask a running mock whether it is up (`GET /__admin/health`): exit 0 when it answers 200, 1 otherwise.
    /// For container health checks, which need no shell or curl. Example: gptom-mock health http://127.0.0.1:8080
    Health {
        /// The mock's base URL [default: this host's mock on --port, https with --tls (its certificate then
        /// unchecked: a liveness probe of itself)].
        url: Option<String>,
        /// With an `https://` URL: trust this CA too (a mock on --tls auto: its ca.pem).
        #[arg(long, value_name = "FILE")]
        ca: Option<PathBuf>,
    },
}

/// `completions SHELL` and `man` for a command line (both binaries use them), written whole to stdout; a reader
/// that stops early (`| head`) is its choice, not an error.
pub fn print_docs(cmd: clap::Command, shell: Option<clap_complete::Shell>) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut text = Vec::new();
    match shell {
        Some(shell) => {
            let mut cmd = cmd;
            let name = cmd.get_name().to_owned();
            clap_complete::generate(shell, &mut cmd, name, &mut text);
        }
        None => clap_mangen::Man::new(cmd).render(&mut text)?,
    }
    match std::io::stdout().lock().write_all(&text) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// `gptom-mock proxy`.
#[derive(Debug, clap::Args)]
pub struct ProxyArgs {
    /// Base URL of the GP tom to forward to, e.g. https://cloud-api-dev.gptom.com.
    #[arg(long, env = "GPTOM_MOCK_UPSTREAM")]
    pub upstream: String,
    /// PEM file of root certificates trusted besides the system's (a private CA in front of the upstream).
    #[arg(long, env = "GPTOM_MOCK_UPSTREAM_CA")]
    pub upstream_ca: Option<PathBuf>,
    /// Seconds one upstream exchange may take before the proxy answers 502.
    #[arg(long, env = "GPTOM_MOCK_UPSTREAM_TIMEOUT", default_value_t = crate::config::Upstream::TIMEOUT.as_secs_f64())]
    pub upstream_timeout: f64,
}

impl ProxyArgs {
    /// The upstream these flags describe.
    pub fn upstream(&self) -> Result<crate::config::Upstream, String> {
        Ok(crate::config::Upstream {
            url: self.upstream.clone(),
            ca: self.upstream_ca.clone(),
            timeout: seconds("--upstream-timeout", self.upstream_timeout)?,
        })
    }
}

/// Reads a `--config` file; errors name the file, line and column.
pub fn read_config_file(path: &Path) -> Result<ConfigFile, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("--config {}: cannot read: {e}", path.display()))?;
    serde_saphyr::from_str(&text).map_err(|e| {
        let at = e
            .location()
            .map(|l| format!(":{}:{}", l.line(), l.column()))
            .unwrap_or_default();
        format!("{}{at}: {}", path.display(), e.without_snippet())
    })
}

/// A number of seconds as a duration; its range is checked with the rest in `Config::validate`.
fn seconds(flag: &str, v: f64) -> Result<Duration, String> {
    Duration::try_from_secs_f64(v)
        .map_err(|_| format!("{flag} {v}: must be a number of seconds ≥ 0"))
}

fn size(v: Option<u64>) -> Option<usize> {
    v.map(|n| usize::try_from(n).unwrap_or(usize::MAX))
}

impl Cli {
    /// Merges flags/env, the config file and the defaults, and checks the values; `random_seed` is used when
    /// no seed is given anywhere.
    pub fn into_config(self, random_seed: u64) -> Result<Config, String> {
        let file = match &self.config {
            Some(p) => read_config_file(p)?,
            None => ConfigFile::default(),
        };
        let d = Config::default();
        let (token, journal, limits) = (
            file.token.unwrap_or_default(),
            file.journal.unwrap_or_default(),
            file.limits.unwrap_or_default(),
        );
        let profile = self
            .profile
            .or(file.profile)
            .unwrap_or_else(|| "lenient".into());
        let profiles = Profiles::parse(&profile).map_err(|e| format!("--profile: {e}"))?;
        let clock = ClockMode::parse(&self.clock.or(file.clock).unwrap_or_else(|| "real".into()))?;
        let clock_start = self
            .clock_start
            .or(file.clock_start)
            .as_deref()
            .map(Timestamp::parse)
            .transpose()
            .map_err(|e| format!("--clock-start: {e}"))?;
        let jwt_secret = self.jwt_secret.or(file.jwt_secret);
        let header_read_timeout = seconds(
            "--header-read-timeout",
            self.header_read_timeout
                .or(limits.header_read_timeout)
                .unwrap_or(10.0),
        )?;
        let keep_alive_timeout = seconds(
            "--keep-alive-timeout",
            self.keep_alive_timeout
                .or(limits.keep_alive_timeout)
                .unwrap_or(d.keep_alive_timeout.as_secs_f64()),
        )?;
        let state = self.state.or(file.state);
        let tls = match (self.tls_cert, self.tls_key, self.tls) {
            (Some(cert), Some(key), _) => Some(crate::config::Tls::Files { cert, key }),
            (_, _, Some(_)) => Some(crate::config::Tls::Auto {
                dir: self.tls_dir,
                sans: self.tls_sans,
            }),
            _ => file.tls,
        };
        // --tls auto keeps its CA in the state directory unless told otherwise: one directory to keep.
        let tls = match tls {
            Some(crate::config::Tls::Auto { dir: None, sans }) => Some(crate::config::Tls::Auto {
                dir: state.as_ref().map(|s| s.join("tls")),
                sans,
            }),
            other => other,
        };
        // Without a seed anywhere, a state directory's own seed: a restart must not draw a new one.
        let seed = self
            .seed
            .or(file.seed)
            .or_else(|| state.as_deref().and_then(crate::store::kept_seed))
            .unwrap_or(random_seed);
        let config = Config {
            upstream: None,
            tls,
            state,
            bind: self.bind.or(file.bind).unwrap_or(d.bind),
            port: self.port.or(file.port).unwrap_or(d.port),
            profiles,
            latency: self.latency.or(file.latency).unwrap_or(d.latency),
            clock,
            clock_start,
            seed,
            jwt_secret,
            fixtures: self.fixtures.or(file.fixtures),
            token_ttls: TokenTtls {
                terminal: self
                    .token_terminal_ttl
                    .or(token.terminal_ttl)
                    .unwrap_or(d.token_ttls.terminal),
                master: self
                    .token_master_ttl
                    .or(token.master_ttl)
                    .unwrap_or(d.token_ttls.master),
                refresh: self
                    .token_refresh_ttl
                    .or(token.refresh_ttl)
                    .unwrap_or(d.token_ttls.refresh),
            },
            body_limit: size(self.body_limit)
                .or(limits.body_limit)
                .unwrap_or(d.body_limit),
            header_read_timeout,
            keep_alive_timeout,
            faults: self.faults.or(file.faults_file),
            inline_faults: file.faults,
            admin_token: self
                .admin_token
                .or(file.admin_token)
                .filter(|t| !t.is_empty()),
            journal_admin: self.journal_admin || journal.admin.unwrap_or(false),
            journal_cap: size(self.journal_cap)
                .or(journal.cap)
                .unwrap_or(d.journal_cap),
            max_tasks: size(self.max_tasks)
                .or(limits.max_tasks)
                .unwrap_or(d.max_tasks),
            max_transactions: size(self.max_transactions)
                .or(limits.max_transactions)
                .unwrap_or(d.max_transactions),
            max_queue: size(self.max_queue)
                .or(limits.max_queue)
                .unwrap_or(d.max_queue),
        };
        config.validate()?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Config, String> {
        let cli = Cli::try_parse_from(std::iter::once("gptom-mock").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?;
        cli.into_config(99)
    }

    fn file(text: &str) -> PathBuf {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let p = std::env::temp_dir().join(format!("gptom-cli-{}-{n}.yaml", std::process::id()));
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn defaults_and_overrides() {
        let c = parse(&[]).unwrap();
        assert_eq!(
            (c.port, c.seed, c.latency.as_str(), c.clock),
            (8080, 99, "realistic", ClockMode::Real)
        );
        let c = parse(&[
            "--port",
            "0",
            "--seed",
            "7",
            "--clock",
            "manual",
            "--profile",
            "strict,ttl-cancelled",
        ])
        .unwrap();
        assert_eq!((c.port, c.seed, c.clock), (0, 7, ClockMode::Manual));
        assert!(c.profiles.strict && c.profiles.ttl_cancelled && !c.profiles.task_not_found_403);
        let c = parse(&["--token-terminal-ttl", "60"]).unwrap();
        assert_eq!((c.token_ttls.terminal, c.token_ttls.master), (60, 86_399));
    }

    #[test]
    fn a_state_directory_keeps_the_tls_ca_and_its_seed() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap();
        let c = parse(&["--state", d, "--tls", "auto"]).unwrap();
        assert_eq!(
            c.tls,
            Some(crate::config::Tls::Auto {
                dir: Some(dir.path().join("tls")),
                sans: vec![]
            })
        );
        assert_eq!(c.seed, 99, "a new directory: the random seed");
        let mut identity = serde_json::Map::new();
        identity.insert("seed".into(), 5.into());
        drop(crate::store::Store::open(dir.path(), &identity).unwrap());
        assert_eq!(
            parse(&["--state", d]).unwrap().seed,
            5,
            "the directory's seed, not a new one"
        );
        assert_eq!(
            parse(&["--state", d, "--seed", "6"]).unwrap().seed,
            6,
            "a given seed is kept (and refused at start)"
        );
    }

    #[test]
    fn flags_win_over_the_config_file_which_wins_over_defaults() {
        let p = file(
            "port: 9000\nseed: 3\nlatency: instant\ntoken:\n  terminal_ttl: 120\nlimits:\n  max_tasks: 50\njournal:\n  admin: true\nfaults:\n  - action: {drop: true}\n    times: 1\n",
        );
        let c = parse(&["--config", p.to_str().unwrap(), "--port", "9100"]).unwrap();
        assert_eq!((c.port, c.seed, c.latency.as_str()), (9100, 3, "instant"));
        assert_eq!(
            (c.token_ttls.terminal, c.max_tasks, c.journal_admin),
            (120, 50, true)
        );
        assert_eq!(c.inline_faults.len(), 1);
        // What --print-config shows reads back as the same config.
        let printed = serde_saphyr::to_string(&c.to_file()).unwrap();
        let again = parse(&["--config", file(&printed).to_str().unwrap()]).unwrap();
        assert_eq!(serde_saphyr::to_string(&again.to_file()).unwrap(), printed);
    }

    #[test]
    fn bad_values_say_what_is_expected() {
        assert!(parse(&["--port", "70000"]).unwrap_err().contains("65535"));
        assert!(
            parse(&["--profile", "relaxed"])
                .unwrap_err()
                .contains("strict")
        );
        assert!(
            parse(&["--clock", "fast"])
                .unwrap_err()
                .contains("real or manual")
        );
        assert!(
            parse(&["--clock-start", "noon"])
                .unwrap_err()
                .contains("RFC 3339")
        );
        assert!(parse(&["--token-terminal-ttl", "0"]).is_err());
        let p = file("token:\n  refresh_ttl: 0\n");
        let e = parse(&["--config", p.to_str().unwrap()]).unwrap_err();
        assert!(
            e.contains("refresh_ttl 0: must be at least 1 second"),
            "{e}"
        );
        let e = parse(&["--header-read-timeout", "0.05"]).unwrap_err();
        assert!(e.contains("0.1–3600"), "{e}");
        let e = parse(&["--keep-alive-timeout=-3"]).unwrap_err();
        assert!(e.contains("--keep-alive-timeout -3"), "{e}");
        let p = file("port: 1\nprot: 2\n");
        let e = parse(&["--config", p.to_str().unwrap()]).unwrap_err();
        assert!(e.contains(":2:") && e.contains("prot"), "{e}");
    }
}
