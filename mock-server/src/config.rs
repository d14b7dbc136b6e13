//! The validated configuration of one mock server, built by the CLI (`cli.rs`) or by the
//! [`MockServer`](crate::MockServer) builder. Raw flag values are checked here, once, with messages that say
//! what is expected.

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
    /// How long a client may take to send its request headers.
    pub header_read_timeout: Duration,
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
        }
    }
}

impl Config {
    /// The HS256 secret in force.
    pub fn secret(&self) -> Vec<u8> {
        match &self.jwt_secret {
            Some(s) => s.as_bytes().to_vec(),
            None => format!("gptom-mock-secret-{}", self.seed).into_bytes(),
        }
    }
}
