//! Where scenarios are sent: an embedded mock booted per scenario, or a remote URL (STYLE §2.9). Both are reached
//! over HTTP through one reqwest client (no proxy, no redirects, no retries, explicit timeouts). The mock-server
//! crate is used only to boot the embedded mock.

use std::time::Duration;

use mock_server::{ManualClock, MockServer, Profiles, Timestamp};
use serde_json::Value;

/// The embedded mock's fixed seed: same seed + same clock start + same requests ⇒ same transcript.
pub const EMBEDDED_SEED: u64 = 42;

/// The published OAuth client everybody uses (cloud-mock.md §2).
pub const DEFAULT_CLIENT: &str = "atom:ashfuf4e5fa";

/// Login and terminal credentials the steps default to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// GP tom username.
    pub username: String,
    /// Its password.
    pub password: String,
    /// The terminal id (`Tid`).
    pub tid: String,
    /// The terminal's `apiKey`.
    pub api_key: String,
    /// HTTP Basic OAuth client as `id:secret`.
    pub client: String,
}

impl Default for Credentials {
    /// The mock's default terminal account (`jan.novak@example.com`, TID 999888).
    fn default() -> Self {
        Self {
            username: "jan.novak@example.com".to_owned(),
            password: "ABCDEFGHIJKL".to_owned(),
            tid: "999888".to_owned(),
            api_key: "333W212J3".to_owned(),
            client: DEFAULT_CLIENT.to_owned(),
        }
    }
}

/// Which target a run uses, before anything is started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetSpec {
    /// A fresh mock per scenario, in-process, on 127.0.0.1:0.
    Embedded,
    /// A gateway (or a deployed gptom-mock) at this base URL.
    Remote(String),
}

/// A live target.
pub enum Target {
    /// Booted on 127.0.0.1:0, kept alive by the handle; manual clock.
    Embedded(MockServer),
    /// A remote base URL; `mock_admin` when `GET /__admin/health` answers as gptom-mock; `manual_clock` when its
    /// clock is manual (polls then advance it instead of waiting).
    Remote {
        /// Base URL without a trailing slash.
        base: String,
        /// Whether the admin API is there.
        mock_admin: bool,
        /// Whether its clock is manual.
        manual_clock: bool,
    },
}

impl Target {
    /// Boots an embedded mock with a manual clock at the default start, the fixed seed, `latency` and `profiles`
    /// (comma-separated; empty = lenient).
    pub async fn embedded(latency: &str, profiles: &str) -> Result<Self, String> {
        let profiles = if profiles.is_empty() {
            "lenient"
        } else {
            profiles
        };
        let profiles = Profiles::parse(profiles)?;
        let mock = MockServer::builder()
            .seed(EMBEDDED_SEED)
            .clock(ManualClock::at(Timestamp::DEFAULT_START))
            .latency(latency)
            .profiles(profiles)
            .start()
            .await
            .map_err(|e| format!("cannot start the embedded mock: {e}"))?;
        Ok(Self::Embedded(mock))
    }

    /// Probes a remote target: `GET /__admin/health` answered with `"name":"gptom-mock"` means the admin API is
    /// there. A connection failure is an error (the target is unreachable).
    pub async fn remote(client: &reqwest::Client, base: &str) -> Result<Self, String> {
        let base = base.trim_end_matches('/').to_owned();
        let health = client
            .get(format!("{base}/__admin/health"))
            .send()
            .await
            .map_err(|e| format!("target {base} is unreachable: {}", error_chain(&e)))?;
        let body: Option<Value> = if health.status().is_success() {
            health.json().await.ok()
        } else {
            None
        };
        let mock_admin = body
            .as_ref()
            .and_then(|b| b.get("name"))
            .and_then(Value::as_str)
            == Some("gptom-mock");
        let mut manual_clock = false;
        if mock_admin {
            let clock: Option<Value> =
                match client.get(format!("{base}/__admin/clock")).send().await {
                    Ok(r) => r.json().await.ok(),
                    Err(_) => None,
                };
            manual_clock = clock
                .as_ref()
                .and_then(|c| c.get("mode"))
                .and_then(Value::as_str)
                == Some("manual");
        }
        Ok(Self::Remote {
            base,
            mock_admin,
            manual_clock,
        })
    }

    /// `http://127.0.0.1:PORT` or the remote base URL.
    pub fn base_url(&self) -> &str {
        match self {
            Self::Embedded(m) => m.base_url(),
            Self::Remote { base, .. } => base,
        }
    }

    /// Mock-only steps run only where this is true.
    pub fn has_admin(&self) -> bool {
        matches!(
            self,
            Self::Embedded(_)
                | Self::Remote {
                    mock_admin: true,
                    ..
                }
        )
    }

    /// Whether polls advance the mock clock instead of waiting.
    pub fn manual_clock(&self) -> bool {
        matches!(
            self,
            Self::Embedded(_)
                | Self::Remote {
                    manual_clock: true,
                    ..
                }
        )
    }
}

/// The one HTTP client: no proxy (loopback must not go through one), no redirects, no retries (they would hide
/// duplicate submissions), explicit timeouts. rustls for https gateways.
pub fn http_client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .retry(reqwest::retry::never())
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

/// A reqwest error with its causes ("error sending request: connection refused").
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}
