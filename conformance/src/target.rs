//! Where scenarios are sent: an embedded mock booted per scenario, or a remote URL (STYLE §2.9). Both are reached
//! over HTTP through one reqwest client (no proxy, no redirects, no retries, explicit timeouts). The mock-server
//! crate is used only to boot the embedded mock.

use std::time::Duration;

use mock_server::{ManualClock, MockServer, Timestamp};
use serde_json::Value;

/// The embedded mock's fixed seed: same seed + same clock start + same requests ⇒ same transcript.
pub const EMBEDDED_SEED: u64 = 42;

pub use crate::account::{Credentials, DEFAULT_CLIENT};
use crate::admin::{AdminApi, path};
use crate::sandbox::Sandbox;

/// Which target a run uses, before anything is started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetSpec {
    /// A fresh mock per scenario, in-process, on 127.0.0.1:0.
    Embedded,
    /// A gateway (or a deployed gptom-mock) at this base URL.
    Remote(String),
}

/// Why a remote target cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProbeError {
    /// No answer (exit 3).
    #[error("{0}")]
    Unreachable(String),
    /// A gptom-mock refused the `--admin-token` given (a usage error, exit 2).
    #[error("{0}")]
    TokenRefused(String),
}

/// What a remote target turned out to be, from its answer to `GET /__admin/health`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoteKind {
    /// A gptom-mock whose admin API answered (open, or the `--admin-token` given was right).
    MockWithAdmin,
    /// A gptom-mock whose admin API refused the call (`401` with the mock's realm): it was started with
    /// `--admin-token` and none, or another, was given. Its device channels and accounts are there.
    MockWithoutAdmin,
    /// Anything else: an integrator's gateway, GP tom's own environment. Only GP tom's API.
    Gateway,
}

/// A live target.
pub enum Target {
    /// Booted on 127.0.0.1:0, kept alive by the handle; manual clock.
    Embedded(MockServer),
    /// A remote base URL.
    Remote {
        /// Base URL without a trailing slash.
        base: String,
        /// What answered.
        kind: RemoteKind,
        /// Whether its clock is manual (known only with the admin API): the runner then moves it, since
        /// nothing else does; a real clock is never moved (other users share it), waits take real time.
        manual_clock: bool,
        /// Sent as `Authorization: Bearer` on admin calls.
        admin_token: Option<String>,
        /// A gptom-mock with its admin API: the run's own terminals and logins, when it took a sandbox.
        sandbox: Option<Sandbox>,
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
    /// there; a `401` carrying the mock's realm means a gptom-mock whose admin API needs a token. A connection
    /// failure is an error (the target is unreachable), and so is a token the mock refuses.
    pub async fn remote(
        client: &reqwest::Client,
        base: &str,
        admin_token: Option<&str>,
        take_sandbox: bool,
    ) -> Result<Self, ProbeError> {
        let base = base.trim_end_matches('/').to_owned();
        let api = AdminApi::new(client, &base, admin_token);
        let health = api
            .request(reqwest::Method::GET, path::HEALTH)
            .send()
            .await
            .map_err(|e| {
                ProbeError::Unreachable(format!(
                    "target {base} is unreachable: {}",
                    error_chain(&e)
                ))
            })?;
        let status = health.status().as_u16();
        let realm = health
            .headers()
            .get(reqwest::header::WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("gptom-mock"));
        let body: Option<Value> = if health.status().is_success() {
            health.json().await.ok()
        } else {
            None
        };
        let named = body
            .as_ref()
            .and_then(|b| b.get("name"))
            .and_then(Value::as_str)
            == Some("gptom-mock");
        let kind = match (status, named, realm) {
            (200..=299, true, _) => RemoteKind::MockWithAdmin,
            (401, _, true) if admin_token.is_some() => {
                return Err(ProbeError::TokenRefused(format!(
                    "target {base} is a gptom-mock that refused the admin token given (--admin-token / \
                     GPTOM_ADMIN_TOKEN): give the token it was started with, or none to run without its admin API"
                )));
            }
            (401, _, true) => RemoteKind::MockWithoutAdmin,
            _ => RemoteKind::Gateway,
        };
        let mut manual_clock = false;
        if kind == RemoteKind::MockWithAdmin {
            let req = api.request(reqwest::Method::GET, path::CLOCK);
            let clock: Option<Value> = match req.send().await {
                Ok(r) => r.json().await.ok(),
                Err(_) => None,
            };
            manual_clock = clock
                .as_ref()
                .and_then(|c| c.get("mode"))
                .and_then(Value::as_str)
                == Some("manual");
        }
        let sandbox = if kind == RemoteKind::MockWithAdmin && take_sandbox {
            let label = format!("gptom-conformance run (pid {})", std::process::id());
            let body = serde_json::json!({ "label": label });
            let reply = api
                .ok("POST", path::SANDBOXES, Some(&body))
                .await
                .map_err(|e| {
                    ProbeError::Unreachable(format!(
                        "target {base}: cannot take a sandbox ({e}); an older gptom-mock has none: run with \
                         --no-sandbox to use its own terminals"
                    ))
                })?;
            Some(Sandbox::from_reply(&reply).map_err(ProbeError::Unreachable)?)
        } else {
            None
        };
        Ok(Self::Remote {
            base,
            kind,
            manual_clock,
            admin_token: admin_token.map(str::to_owned),
            sandbox,
        })
    }

    /// The run's sandbox on a shared mock, if it took one.
    pub fn sandbox(&self) -> Option<&Sandbox> {
        match self {
            Self::Remote { sandbox, .. } => sandbox.as_ref(),
            Self::Embedded(_) => None,
        }
    }

    /// Gives the sandbox back (its terminals, logins and everything done on them go); nothing without one.
    pub async fn release(&self, client: &reqwest::Client) -> Result<(), String> {
        let Some(s) = self.sandbox() else {
            return Ok(());
        };
        AdminApi::new(client, self.base_url(), self.admin_token())
            .ok(
                "DELETE",
                &format!("{}/{}", path::SANDBOXES, s.id),
                crate::admin::NO_BODY,
            )
            .await
            .map(|_| ())
    }

    /// The target's admin API (a gptom-mock's `/__admin`), with its token.
    pub fn admin<'a>(&'a self, client: &'a reqwest::Client) -> AdminApi<'a> {
        AdminApi::new(client, self.base_url(), self.admin_token()).in_sandbox(self.sandbox())
    }

    /// `http://127.0.0.1:PORT` or the remote base URL.
    pub fn base_url(&self) -> &str {
        match self {
            Self::Embedded(m) => m.base_url(),
            Self::Remote { base, .. } => base,
        }
    }

    /// Whether the target is the embedded mock (transcripts are then compared exactly).
    pub fn is_embedded(&self) -> bool {
        matches!(self, Self::Embedded(_))
    }

    /// Mock-only steps run only where this is true.
    pub fn has_admin(&self) -> bool {
        matches!(
            self,
            Self::Embedded(_)
                | Self::Remote {
                    kind: RemoteKind::MockWithAdmin,
                    ..
                }
        )
    }

    /// Whether the target is a gptom-mock (its device channels and built-in accounts are there).
    pub fn is_mock(&self) -> bool {
        !matches!(
            self,
            Self::Remote {
                kind: RemoteKind::Gateway,
                ..
            }
        )
    }

    /// Whether waits move the mock clock instead of taking real time.
    pub fn manual_clock(&self) -> bool {
        matches!(
            self,
            Self::Embedded(_)
                | Self::Remote {
                    manual_clock: true,
                    kind: RemoteKind::MockWithAdmin,
                    ..
                }
        )
    }

    /// The admin token to send, if any.
    pub fn admin_token(&self) -> Option<&str> {
        match self {
            Self::Embedded(_) => None,
            Self::Remote { admin_token, .. } => admin_token.as_deref(),
        }
    }

    /// One line saying what the target is and what the run will do to it (printed before a remote run).
    pub fn describe(&self) -> String {
        match self {
            Self::Embedded(_) => "an embedded gptom-mock per scenario".to_owned(),
            Self::Remote {
                base,
                kind: RemoteKind::MockWithAdmin,
                manual_clock,
                sandbox: Some(sandbox),
                ..
            } => {
                let clock = if *manual_clock {
                    "manual clock: waits move the sandbox's clock only"
                } else {
                    "real clock: waits take real time, it is never moved"
                };
                format!(
                    "{base} is a gptom-mock with its admin API ({clock}). The run has its own sandbox {}: copies of \
                     the fixture terminals and logins under new TIDs, apiKeys and usernames, given back at the end; \
                     nothing else on the mock is touched",
                    sandbox.id
                )
            }
            Self::Remote {
                base,
                kind: RemoteKind::MockWithAdmin,
                manual_clock,
                ..
            } => {
                let clock = if *manual_clock {
                    "manual clock: waits move it"
                } else {
                    "real clock: waits take real time, it is never moved"
                };
                format!(
                    "{base} is a gptom-mock with its admin API ({clock}). Scenarios run one at a time and touch only \
                     the terminals they use: their latency is set for the scenario and restored, the fault rules \
                     they add are removed; nothing is reset"
                )
            }
            Self::Remote {
                base,
                kind: RemoteKind::MockWithoutAdmin,
                ..
            } => format!(
                "{base} is a gptom-mock whose admin API needs a token (--admin-token or GPTOM_ADMIN_TOKEN): \
                 without it, sections that need the admin API are skipped; waits take real time"
            ),
            Self::Remote {
                base,
                kind: RemoteKind::Gateway,
                ..
            } => format!(
                "{base} is a gateway (no gptom-mock admin API): sections that need the mock's admin API, its \
                 device channels or its built-in accounts are skipped; waits take real time"
            ),
        }
    }
}

/// The one HTTP client: no proxy (loopback must not go through one), no redirects, no automatic retries (they
/// would hide duplicate submissions; the runner retries an idempotent request found on a dead pooled
/// connection itself, and says so), explicit timeouts. rustls for https gateways.
pub fn http_client(ca: Option<&std::path::Path>) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder();
    if let Some(ca) = ca {
        // a target behind a private CA (a gptom-mock on --tls auto, a test gateway)
        builder = builder.tls_certs_merge(mock_server::tls::extra_roots(ca, "--ca")?);
    }
    builder
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .retry(reqwest::retry::never())
        .connect_timeout(Duration::from_secs(5))
        // below the idle timeouts servers commonly use (60–75 s): a pooled connection is dropped before the
        // server closes it under a request
        .pool_idle_timeout(Duration::from_secs(50))
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

/// A reqwest error with its causes ("error sending request: connection refused").
pub use mock_server::error::chain as error_chain;
