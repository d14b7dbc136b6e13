//! The validated configuration of one mock server, built by the CLI (`cli.rs`) or by the
//! [`MockServer`](crate::MockServer) builder. [`Config::validate`] checks the values here, once, for both
//! (the server refuses to start on a bad one), with messages that say what is expected.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::clock::Timestamp;
use crate::engine::Profiles;
use crate::engine::token::TokenTtls;

/// Where time comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClockMode {
    /// Follows the wall clock (from `clock_start` when given).
    #[default]
    Real,
    /// Frozen at `clock_start`; moved only through `/__admin/clock` (or a test's handle).
    Manual,
}

impl ClockMode {
    /// Parses `real` / `manual`.
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "real" => Ok(ClockMode::Real),
            "manual" => Ok(ClockMode::Manual),
            other => Err(format!("--clock {other:?}: expected real or manual")),
        }
    }
}

/// Everything a mock server needs to start.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Config {
    /// Address to bind (default 127.0.0.1).
    pub bind: IpAddr,
    /// Port (0 picks a free one).
    pub port: u16,
    /// Behaviour profiles.
    pub profiles: Profiles,
    /// Default latency profile name (`instant`, `realistic` or one from `fixtures/latency.yaml`).
    pub latency: String,
    /// Real or manual clock.
    pub clock: ClockMode,
    /// Start time of the clock (manual default 2026-01-01T00:00:00Z; real default: now).
    pub clock_start: Option<Timestamp>,
    /// RNG seed (ids, exception ids, card data, JWT secret when none is given).
    pub seed: u64,
    /// HS256 secret; derived from the seed when absent.
    #[serde(skip_serializing)]
    pub jwt_secret: Option<String>,
    /// Directory of YAML fixtures replacing the built-in ones.
    pub fixtures: Option<PathBuf>,
    /// Token lifetimes.
    pub token_ttls: TokenTtls,
    /// Largest accepted request body, bytes (413 above).
    pub body_limit: usize,
    /// How long a client may take to send its request headers, from the request's first byte.
    #[serde(serialize_with = "seconds")]
    pub header_read_timeout: Duration,
    /// How long a persistent connection may stay idle between requests before the mock closes it (advertised
    /// as `Keep-Alive: timeout=`).
    #[serde(serialize_with = "seconds")]
    pub keep_alive_timeout: Duration,
    /// Fault rules loaded at start (YAML list).
    pub faults: Option<PathBuf>,
    /// Fault rules from the config file.
    #[serde(skip)]
    pub inline_faults: Vec<crate::engine::fault::FaultSpec>,
    /// Bearer token `/__admin` calls must carry; open when absent.
    #[serde(skip_serializing)]
    pub admin_token: Option<String>,
    /// Journal admin calls too.
    pub journal_admin: bool,
    /// Journal entries kept (oldest dropped first).
    pub journal_cap: usize,
    /// Tasks kept; beyond it the oldest final tasks are evicted.
    pub max_tasks: usize,
    /// Transactions kept; beyond it the oldest are evicted.
    pub max_transactions: usize,
    /// Unfinished tasks one terminal may queue; beyond it a new task is 406 `TERMINAL_BUSY` [assumption].
    pub max_queue: usize,
    /// Proxy mode (`gptom-mock proxy`): forward the GP tom routes to this upstream instead of answering them.
    #[serde(skip)]
    pub upstream: Option<Upstream>,
    /// HTTPS instead of HTTP (`--tls-cert`/`--tls-key`, or `--tls auto`); `None`: plain HTTP.
    pub tls: Option<Tls>,
    /// `--state DIR`: keep the state in `DIR/state.sqlite` across restarts; `None`: in memory only.
    pub state: Option<PathBuf>,
}

/// Where the HTTPS certificate comes from.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum Tls {
    /// A certificate chain and its private key, PEM files (`--tls-cert`, `--tls-key`).
    Files {
        /// The certificate chain, leaf first.
        cert: PathBuf,
        /// Its private key (PKCS#8, PKCS#1 or SEC1).
        key: PathBuf,
    },
    /// `--tls auto`: a local CA made at start (kept in `dir` and reused when given) signs a certificate for
    /// `localhost`, the loopback and host addresses, the host's name and `sans`.
    Auto {
        /// Where the CA lives across restarts (`--tls-dir`); `None`: a new CA each start, written to a temp file.
        #[serde(default)]
        dir: Option<PathBuf>,
        /// Extra names or addresses the certificate is for (`--tls-san`).
        #[serde(default)]
        sans: Vec<String>,
    },
}

/// The GP tom the proxy forwards to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upstream {
    /// Base URL, `http://` or `https://` (a path prefix is kept: `https://host/prefix` + `/v1/tasks/…`).
    pub url: String,
    /// PEM file of extra root certificates trusted besides the system's (a private CA in front of a test GP tom).
    pub ca: Option<PathBuf>,
    /// How long one upstream exchange may take before the proxy answers 502.
    pub timeout: Duration,
}

impl Upstream {
    /// How long an upstream exchange may take by default.
    pub const TIMEOUT: Duration = Duration::from_secs(30);

    /// An upstream at `url` with the default timeout and the system's roots only.
    pub fn new(url: impl Into<String>) -> Self {
        Upstream {
            url: url.into(),
            ca: None,
            timeout: Self::TIMEOUT,
        }
    }
}

fn seconds<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: IpAddr::from([127, 0, 0, 1]),
            port: 8080,
            profiles: Profiles::default(),
            latency: "realistic".into(),
            clock: ClockMode::Real,
            clock_start: None,
            seed: 0,
            jwt_secret: None,
            fixtures: None,
            token_ttls: TokenTtls::default(),
            body_limit: 64 * 1024,
            header_read_timeout: Duration::from_secs(10),
            keep_alive_timeout: Duration::from_secs(75),
            faults: None,
            inline_faults: Vec::new(),
            admin_token: None,
            journal_admin: false,
            journal_cap: 10_000,
            max_tasks: 100_000,
            max_transactions: 100_000,
            max_queue: 10_000,
            upstream: None,
            tls: None,
            state: None,
        }
    }
}

impl Config {
    /// Checks the values a config may hold wrong, whoever built it (the CLI merging flags, env and a config
    /// file, or an embedding program): the first problem, with what is expected.
    pub fn validate(&self) -> Result<(), String> {
        if self.jwt_secret.as_deref() == Some("") {
            return Err("--jwt-secret: must not be empty".into());
        }
        let header = self.header_read_timeout.as_secs_f64();
        if !(0.1..=3600.0).contains(&header) {
            return Err(format!(
                "--header-read-timeout {header}: must be 0.1–3600 seconds"
            ));
        }
        let keep_alive = self.keep_alive_timeout.as_secs_f64();
        if !(1.0..=86_400.0).contains(&keep_alive) {
            return Err(format!(
                "--keep-alive-timeout {keep_alive}: must be 1–86400 seconds"
            ));
        }
        let ttls = &self.token_ttls;
        for (name, n) in [
            ("terminal_ttl", ttls.terminal),
            ("master_ttl", ttls.master),
            ("refresh_ttl", ttls.refresh),
        ] {
            if n < 1 {
                return Err(format!("token {name} {n}: must be at least 1 second"));
            }
        }
        for (name, n) in [
            ("body_limit", self.body_limit),
            ("journal cap", self.journal_cap),
            ("max_tasks", self.max_tasks),
            ("max_transactions", self.max_transactions),
            ("max_queue", self.max_queue),
        ] {
            if n == 0 {
                return Err(format!("{name}: must be at least 1"));
            }
        }
        if self.admin_token.as_deref() == Some("") {
            return Err(
                "--admin-token: must not be empty (leave it out for an open admin API)".into(),
            );
        }
        if let Some(up) = &self.upstream {
            let url = reqwest::Url::parse(&up.url).ok();
            if !url.as_ref().is_some_and(|u| {
                matches!(u.scheme(), "http" | "https")
                    && u.host_str().is_some_and(|h| !h.is_empty())
            }) {
                return Err(format!(
                    "--upstream {:?}: must be an http:// or https:// URL, e.g. https://cloud-api-dev.gptom.com",
                    up.url
                ));
            }
            if url.is_some_and(|u| u.query().is_some() || u.fragment().is_some()) {
                return Err(format!(
                    "--upstream {:?}: must not carry a query or fragment (the client's are forwarded)",
                    up.url
                ));
            }
            let t = up.timeout.as_secs_f64();
            if !(0.1..=3600.0).contains(&t) {
                return Err(format!("--upstream-timeout {t}: must be 0.1–3600 seconds"));
            }
        }
        Ok(())
    }

    /// The HS256 secret in force.
    pub fn secret(&self) -> Vec<u8> {
        match &self.jwt_secret {
            Some(s) => s.as_bytes().to_vec(),
            None => format!("gptom-mock-secret-{}", self.seed).into_bytes(),
        }
    }
}

/// The YAML of `--config FILE` — every flag, plus inline fault rules. `--print-config` prints the effective
/// configuration in this same shape, so its output can be saved and used as a config file.
#[derive(Clone, Debug, Default, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// `--bind`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bind: Option<IpAddr>,
    /// `--port`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// `--profile` (comma-separated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// `--latency`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<String>,
    /// `--clock`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<String>,
    /// `--clock-start`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_start: Option<String>,
    /// `--seed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// `--jwt-secret` (never printed).
    #[serde(default, skip_serializing)]
    pub jwt_secret: Option<String>,
    /// `--fixtures`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixtures: Option<PathBuf>,
    /// `--faults` (a YAML file of rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faults_file: Option<PathBuf>,
    /// Fault rules written inline.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<crate::engine::fault::FaultSpec>,
    /// `--admin-token` (never printed).
    #[serde(default, skip_serializing)]
    pub admin_token: Option<String>,
    /// Token lifetimes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<TokenFile>,
    /// Journal settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal: Option<JournalFile>,
    /// Limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<LimitsFile>,
    /// HTTPS: `{files: {cert, key}}` (`--tls-cert`, `--tls-key`) or `{auto: {dir, sans}}` (`--tls auto`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<Tls>,
    /// `--state`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<PathBuf>,
}

/// `token:` of the config file (seconds).
#[derive(Clone, Copy, Debug, Default, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct TokenFile {
    /// Terminal login access token.
    pub terminal_ttl: Option<i64>,
    /// Master login access token.
    pub master_ttl: Option<i64>,
    /// Refresh token.
    pub refresh_ttl: Option<i64>,
}

/// `journal:` of the config file.
#[derive(Clone, Copy, Debug, Default, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct JournalFile {
    /// Also journal `/__admin` calls.
    pub admin: Option<bool>,
    /// Entries kept.
    pub cap: Option<usize>,
}

/// `limits:` of the config file.
#[derive(Clone, Copy, Debug, Default, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsFile {
    /// Largest request body, bytes.
    pub body_limit: Option<usize>,
    /// Seconds a client may take to send its headers.
    pub header_read_timeout: Option<f64>,
    /// Seconds a persistent connection may stay idle between requests.
    pub keep_alive_timeout: Option<f64>,
    /// Tasks kept.
    pub max_tasks: Option<usize>,
    /// Transactions kept.
    pub max_transactions: Option<usize>,
    /// Unfinished tasks per terminal.
    pub max_queue: Option<usize>,
}

impl Config {
    /// This config in the shape of a config file (secrets left out).
    pub fn to_file(&self) -> ConfigFile {
        let profiles = self.profiles;
        let mut names = vec![if profiles.strict { "strict" } else { "lenient" }];
        if profiles.task_not_found_403 {
            names.push("task-not-found-403");
        }
        if profiles.ttl_cancelled {
            names.push("ttl-cancelled");
        }
        if profiles.receiptless_success {
            names.push("receiptless-success");
        }
        if profiles.a2a_date_ddmmyy {
            names.push("a2a-date-ddmmyy");
        }
        ConfigFile {
            bind: Some(self.bind),
            port: Some(self.port),
            profile: Some(names.join(",")),
            latency: Some(self.latency.clone()),
            clock: Some(match self.clock {
                ClockMode::Real => "real".into(),
                ClockMode::Manual => "manual".into(),
            }),
            clock_start: self.clock_start.map(|t| t.to_rfc3339()),
            seed: Some(self.seed),
            jwt_secret: None,
            fixtures: self.fixtures.clone(),
            faults_file: self.faults.clone(),
            faults: self.inline_faults.clone(),
            admin_token: None,
            token: Some(TokenFile {
                terminal_ttl: Some(self.token_ttls.terminal),
                master_ttl: Some(self.token_ttls.master),
                refresh_ttl: Some(self.token_ttls.refresh),
            }),
            journal: Some(JournalFile {
                admin: Some(self.journal_admin),
                cap: Some(self.journal_cap),
            }),
            limits: Some(LimitsFile {
                body_limit: Some(self.body_limit),
                header_read_timeout: Some(self.header_read_timeout.as_secs_f64()),
                keep_alive_timeout: Some(self.keep_alive_timeout.as_secs_f64()),
                max_tasks: Some(self.max_tasks),
                max_transactions: Some(self.max_transactions),
                max_queue: Some(self.max_queue),
            }),
            tls: self.tls.clone(),
            state: self.state.clone(),
        }
    }
}
