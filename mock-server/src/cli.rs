//! Command line of `gptom-mock` (clap derive). Each flag has a `GPTOM_MOCK_*` environment variable; flags win.
//! Raw values only — checked in [`Cli::into_config`], no I/O here.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::Parser;

use crate::clock::Timestamp;
use crate::config::{ClockMode, Config};
use crate::engine::Profiles;

const EXAMPLES: &str = "\
Examples:
  gptom-mock                                   # 127.0.0.1:8080, realistic latency, real clock
  gptom-mock --port 0 --seed 7                 # a free port (printed), reproducible ids
  gptom-mock --clock manual --latency instant  # time moves only via POST /__admin/clock/advance
  gptom-mock --profile strict,task-not-found-403
  gptom-mock --fixtures ./fixtures             # your own accounts.yaml / latency.yaml / outcomes.yaml / cards.yaml

Default login: client atom:ashfuf4e5fa (HTTP Basic), user jan.novak@example.com / ABCDEFGHIJKL,
tid 999888, apiKey 333W212J3. Amounts 1111 approve, 1122 decline, 1123 timeout, 1124 exception.";

/// A stateful, deterministic mock of the GP tom Cloud API.
#[derive(Debug, Parser)]
#[command(name = "gptom-mock", version, about, after_help = EXAMPLES)]
pub struct Cli {
    /// Address to listen on.
    #[arg(long, env = "GPTOM_MOCK_BIND", default_value = "127.0.0.1")]
    pub bind: IpAddr,

    /// Port to listen on; 0 picks a free one (printed at start).
    #[arg(long, env = "GPTOM_MOCK_PORT", default_value_t = 8080)]
    pub port: u16,

    /// Behaviour profiles, comma-separated: lenient (default), strict, task-not-found-403, ttl-cancelled.
    #[arg(long, env = "GPTOM_MOCK_PROFILE", default_value = "lenient")]
    pub profile: String,

    /// Latency profile: instant, realistic, or a name from fixtures/latency.yaml.
    #[arg(long, env = "GPTOM_MOCK_LATENCY", default_value = "realistic")]
    pub latency: String,

    /// Clock: real (follows the wall clock) or manual (moves only through /__admin/clock).
    #[arg(long, env = "GPTOM_MOCK_CLOCK", default_value = "real")]
    pub clock: String,

    /// Start time of the clock, RFC 3339 (manual default: 2026-01-01T00:00:00Z; real default: now).
    #[arg(long, env = "GPTOM_MOCK_CLOCK_START")]
    pub clock_start: Option<String>,

    /// Seed for ids, exception ids and card data; random (and printed) when absent.
    #[arg(long, env = "GPTOM_MOCK_SEED")]
    pub seed: Option<u64>,

    /// HS256 secret for tokens; derived from the seed when absent.
    #[arg(long, env = "GPTOM_MOCK_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// Directory with YAML fixtures replacing the built-in ones (accounts, latency, outcomes, cards).
    #[arg(long, env = "GPTOM_MOCK_FIXTURES")]
    pub fixtures: Option<PathBuf>,
}

impl Cli {
    /// Checks the raw values and builds the config; `random_seed` is used when `--seed` is absent.
    pub fn into_config(self, random_seed: u64) -> Result<Config, String> {
        let profiles = Profiles::parse(&self.profile).map_err(|e| format!("--profile: {e}"))?;
        let clock = ClockMode::parse(&self.clock)?;
        let clock_start = self
            .clock_start
            .as_deref()
            .map(Timestamp::parse)
            .transpose()
            .map_err(|e| format!("--clock-start: {e}"))?;
        if self.jwt_secret.as_deref() == Some("") {
            return Err("--jwt-secret: must not be empty".into());
        }
        Ok(Config {
            bind: self.bind,
            port: self.port,
            profiles,
            latency: self.latency,
            clock,
            clock_start,
            seed: self.seed.unwrap_or(random_seed),
            jwt_secret: self.jwt_secret,
            fixtures: self.fixtures,
            ..Config::default()
        })
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
    }
}
