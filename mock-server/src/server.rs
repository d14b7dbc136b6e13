//! Booting a mock: [`MockServer::builder`] → [`MockServer`] handle (`base_url()`, dropped = stopped). Tests,
//! the conformance runner's embedded target and `main.rs` share this one boot path. Connections are served by
//! our own hyper accept loop so that a header-read timeout (slowloris) and a bounded graceful drain apply.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::clock::{Clock, ManualClock, SystemClock, Timestamp};
use crate::config::{ClockMode, Config};
use crate::engine::{Engine, Profiles, Settings};
use crate::fixtures::{self, FixtureError};
use crate::http::faults::DropConnection;
use crate::state::AppState;

/// How long a graceful stop waits for in-flight requests.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a mock could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A fixture file is wrong.
    #[error("bad fixture: {0}")]
    Fixture(#[from] FixtureError),
    /// A config value is wrong.
    #[error("{0}")]
    Config(String),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
}

/// The service error that makes hyper close a connection without answering (fault action `drop`).
#[derive(Debug)]
struct ConnectionDropped;

impl std::fmt::Display for ConnectionDropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by a fault rule")
    }
}

impl std::error::Error for ConnectionDropped {}

/// A running mock server. Dropping it stops the server.
pub struct MockServer {
    addr: SocketAddr,
    base_url: String,
    ca_file: Option<PathBuf>,
    tls_names: Vec<String>,
    replayed: u64,
    state: AppState,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// Configures a [`MockServer`]; defaults to 127.0.0.1 on a free port, seed 0, real clock, realistic latency.
#[derive(Default)]
pub struct MockServerBuilder {
    config: Option<Config>,
    seed: Option<u64>,
    clock: Option<Arc<dyn Clock>>,
    latency: Option<String>,
    profiles: Option<String>,
    fixtures: Option<PathBuf>,
    upstream: Option<crate::config::Upstream>,
    tls: Option<crate::config::Tls>,
    state: Option<PathBuf>,
}

impl MockServerBuilder {
    /// Starts from a full config (its `port` is used as given; the builder's default is port 0).
    pub fn config(mut self, config: Config) -> Self {
        self.config = Some(config);
        self
    }
    /// The RNG seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }
    /// A clock the caller keeps a handle on (tests move it).
    pub fn clock(mut self, clock: ManualClock) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }
    /// The default latency profile (`instant`, `realistic`, …).
    pub fn latency(mut self, name: &str) -> Self {
        self.latency = Some(name.to_owned());
        self
    }
    /// Behaviour profiles by name, comma-separated as `--profile` takes them (`strict,receiptless-success`).
    pub fn profiles(mut self, names: &str) -> Self {
        self.profiles = Some(names.to_owned());
        self
    }
    /// Proxy mode: forward the GP tom routes to `upstream` and check its answers (`gptom-mock proxy`).
    pub fn upstream(mut self, upstream: crate::config::Upstream) -> Self {
        self.upstream = Some(upstream);
        self
    }
    /// HTTPS (`--tls-cert`/`--tls-key`, or `--tls auto`).
    pub fn tls(mut self, tls: crate::config::Tls) -> Self {
        self.tls = Some(tls);
        self
    }
    /// A fixtures directory.
    pub fn fixtures(mut self, dir: impl Into<PathBuf>) -> Self {
        self.fixtures = Some(dir.into());
        self
    }
    /// `--state DIR`: keep the state there across restarts.
    pub fn state(mut self, dir: impl Into<PathBuf>) -> Self {
        self.state = Some(dir.into());
        self
    }

    /// Binds and starts serving.
    pub async fn start(self) -> Result<MockServer, StartError> {
        let mut config = self.config.unwrap_or_else(|| Config {
            port: 0,
            ..Config::default()
        });
        if let Some(seed) = self.seed {
            config.seed = seed;
        }
        if let Some(l) = self.latency {
            config.latency = l;
        }
        if let Some(names) = self.profiles {
            config.profiles = Profiles::parse(&names)
                .map_err(|e| StartError::Config(format!("--profile: {e}")))?;
        }
        if let Some(f) = self.fixtures {
            config.fixtures = Some(f);
        }
        if let Some(up) = self.upstream {
            config.upstream = Some(up);
        }
        if let Some(tls) = self.tls {
            config.tls = Some(tls);
        }
        if let Some(dir) = self.state {
            config.state = Some(dir);
        }
        let clock = self.clock.unwrap_or_else(|| clock_for(&config));
        MockServer::start(config, clock).await
    }
}

/// The clock a config asks for.
pub fn clock_for(config: &Config) -> Arc<dyn Clock> {
    match config.clock {
        ClockMode::Manual => Arc::new(ManualClock::at(
            config.clock_start.unwrap_or(Timestamp::DEFAULT_START),
        )),
        ClockMode::Real => Arc::new(SystemClock::starting_at(config.clock_start)),
    }
}

/// Builds the engine of a config: fixtures loaded and checked, latency profile known.
pub fn engine_for(config: &Config) -> Result<Engine, StartError> {
    let world = fixtures::load(config.fixtures.as_deref())?;
    if !world.latency.contains_key(&config.latency) {
        let known: Vec<&str> = world.latency.keys().map(String::as_str).collect();
        return Err(StartError::Config(format!(
            "--latency {:?}: no such latency profile; known: {}",
            config.latency,
            known.join(", ")
        )));
    }
    let settings = Settings {
        profiles: config.profiles,
        latency: config.latency.clone(),
        token_ttls: config.token_ttls,
        jwt_secret: config.secret(),
        seed: config.seed,
        max_tasks: config.max_tasks,
        max_transactions: config.max_transactions,
        max_queue: config.max_queue,
    };
    let mut engine = Engine::new(world, settings);
    for spec in &config.inline_faults {
        engine
            .add_fault(spec.clone())
            .map_err(|(field, why)| StartError::Config(format!("config faults: {field}: {why}")))?;
    }
    if let Some(path) = &config.faults {
        for spec in fixtures::load_faults(path)? {
            engine.add_fault(spec).map_err(|(field, why)| {
                StartError::Config(format!("{}: {field}: {why}", path.display()))
            })?;
        }
    }
    Ok(engine)
}

/// What a `--state` log was made under: every setting that changes what the same requests do. Files count by
/// content; the version counts since another build's engine may answer otherwise. Where the mock listens, its
/// TLS, timeouts and admin token do not count.
fn identity(config: &Config) -> Result<serde_json::Map<String, serde_json::Value>, StartError> {
    use crate::store::fingerprint;
    let read = |path: &std::path::Path| {
        std::fs::read(path).map_err(|e| {
            StartError::Config(format!("--state: cannot read {}: {e}", path.display()))
        })
    };
    let fixtures = match &config.fixtures {
        None => "built-in".to_owned(),
        Some(dir) => {
            let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
                .map_err(|e| StartError::Config(format!("--fixtures {}: {e}", dir.display())))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            files.sort();
            let mut parts = Vec::new();
            for f in &files {
                parts.push(
                    f.file_name()
                        .unwrap_or_default()
                        .as_encoded_bytes()
                        .to_vec(),
                );
                parts.push(read(f)?);
            }
            fingerprint(&parts.iter().map(Vec::as_slice).collect::<Vec<_>>())
        }
    };
    let faults = match &config.faults {
        Some(path) => fingerprint(&[&read(path)?]),
        None => "none".to_owned(),
    };
    let inline = serde_json::to_string(&config.inline_faults).unwrap_or_default();
    let mut m = serde_json::json!({
        "version": env!("CARGO_PKG_VERSION"),
        "seed": config.seed,
        "jwtSecret": fingerprint(&[&config.secret()]),
        "fixtures": fixtures,
        "faultsFile": faults,
        "configFaults": fingerprint(&[inline.as_bytes()]),
        "profile": config.profiles,
        "latency": config.latency,
        "clock": config.clock,
        "tokenTtls": config.token_ttls,
        "bodyLimit": config.body_limit,
        "journalAdmin": config.journal_admin,
        "journalCap": config.journal_cap,
        "maxTasks": config.max_tasks,
        "maxTransactions": config.max_transactions,
        "maxQueue": config.max_queue,
    })
    .as_object()
    .cloned()
    .unwrap_or_default();
    m.retain(|_, v| !v.is_null());
    Ok(m)
}

impl MockServer {
    /// A builder.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// Starts a server for `config` with `clock`; the config is checked first ([`Config::validate`]).
    pub async fn start(config: Config, clock: Arc<dyn Clock>) -> Result<MockServer, StartError> {
        config.validate().map_err(StartError::Config)?;
        let engine = engine_for(&config)?;
        let store = match &config.state {
            Some(_) if config.upstream.is_some() => {
                return Err(StartError::Config(
                    "--state: the proxy keeps no state of its own (GP tom keeps it); start it without --state"
                        .into(),
                ));
            }
            Some(dir) => Some(
                crate::store::Store::open(dir, &identity(&config)?).map_err(StartError::Config)?,
            ),
            None => None,
        };
        let tls = config
            .tls
            .as_ref()
            .map(|t| crate::tls::load(t, config.bind))
            .transpose()
            .map_err(StartError::Config)?;
        let forwarder = config
            .upstream
            .as_ref()
            .map(crate::http::proxy::Forwarder::new)
            .transpose()
            .map_err(StartError::Config)?;
        let addr = SocketAddr::new(config.bind, config.port);
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| StartError::Bind { addr, source })?;
        let timeouts = crate::conn::Timeouts {
            keep_alive: config.keep_alive_timeout,
            header: config.header_read_timeout,
        };
        let ca = tls.as_ref().and_then(|t| t.ca.clone());
        let state = AppState::new(
            config,
            clock,
            engine,
            ca.as_ref().map(|(pem, _)| pem.clone()),
            store,
        );
        let app = match forwarder {
            Some(f) => crate::http::proxy::router(state.clone(), f),
            None => crate::http::router(state.clone()),
        };
        let replayed = crate::http::persist::replay(&state, &app)
            .await
            .map_err(StartError::Config)?;
        let (stop, stopped) = oneshot::channel();
        let acceptor = tls.as_ref().map(|t| t.acceptor.clone());
        let task = tokio::spawn(serve(listener, app, timeouts, acceptor, stopped));
        let host = if addr.ip().is_unspecified() {
            "127.0.0.1".to_owned()
        } else {
            addr.ip().to_string()
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let base_url = match addr {
            SocketAddr::V6(_) if !addr.ip().is_unspecified() => {
                format!("{scheme}://[{host}]:{}", addr.port())
            }
            _ => format!("{scheme}://{host}:{}", addr.port()),
        };
        Ok(MockServer {
            addr,
            base_url,
            ca_file: ca.map(|(_, file)| file),
            tls_names: tls.map(|t| t.names).unwrap_or_default(),
            replayed,
            state,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT` (`https://` with TLS).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `--tls auto`: the file holding the CA clients must trust.
    pub fn ca_file(&self) -> Option<&std::path::Path> {
        self.ca_file.as_deref()
    }

    /// `--tls auto`: the names and addresses the certificate is for.
    pub fn tls_names(&self) -> &[String] {
        &self.tls_names
    }

    /// `--state`: how many logged requests the start replayed.
    pub fn replayed(&self) -> u64 {
        self.replayed
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The seed in use.
    pub fn seed(&self) -> u64 {
        self.state.config().seed
    }

    /// The server's state (an embedding program's view: events, the engine through its doors).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The server's clock (advance it in tests, or use `/__admin/clock`).
    pub fn clock(&self) -> &dyn Clock {
        self.state.clock()
    }

    /// Stops accepting, lets in-flight requests finish (at most [`DRAIN_TIMEOUT`]) and returns.
    pub async fn shutdown(mut self) {
        self.state.stop();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.state.stop();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn serve(
    listener: TcpListener,
    app: crate::http::journal::Served,
    timeouts: crate::conn::Timeouts,
    tls: Option<tokio_rustls::TlsAcceptor>,
    mut stop: oneshot::Receiver<()>,
) {
    let graceful = GracefulShutdown::new();
    // Advertised on every answer, so that a client's pool closes an idle connection before the mock does.
    let keep_alive =
        hyper::header::HeaderValue::from_str(&format!("timeout={}", timeouts.keep_alive.as_secs()))
            .unwrap_or(hyper::header::HeaderValue::from_static("timeout=75"));
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let tcp = match accepted {
                    Ok((tcp, _)) => tcp,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(20)).await; // e.g. out of file descriptors
                        continue;
                    }
                };
                let _ = tcp.set_nodelay(true);
                let (tcp, timer) = crate::conn::watch(tcp, timeouts);
                let mut http = hyper::server::conn::http1::Builder::new();
                // the deadline itself comes from `timeouts` (crate::conn): idle, then headers from the first byte
                http.timer(timer).header_read_timeout(timeouts.header);
                let app = app.clone();
                let keep_alive = keep_alive.clone();
                let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let app = app.clone();
                    let keep_alive = keep_alive.clone();
                    async move {
                        // Boxed: the router's future is large, and every layer that holds it inline copies it again.
                        let mut res = Box::pin(app.answer(req.map(axum::body::Body::new))).await;
                        // A fault rule asked to drop the connection: an error makes hyper close it unanswered.
                        match res.extensions().get::<DropConnection>() {
                            Some(_) => Err(ConnectionDropped),
                            None => {
                                res.headers_mut().insert(hyper::header::HeaderName::from_static("keep-alive"), keep_alive);
                                Ok(res)
                            }
                        }
                    }
                });
                let Some(acceptor) = tls.clone() else {
                    let conn = graceful.watch(http.serve_connection(TokioIo::new(tcp), service));
                    tokio::spawn(async move {
                        if let Err(e) = conn.await {
                            tracing::debug!(error = %e, "connection ended with an error");
                        }
                    });
                    continue;
                };
                // the handshake runs in the connection's task (a slow client holds up nobody), within the
                // header-read timeout
                let watcher = graceful.watcher();
                tokio::spawn(async move {
                    let tls = match tokio::time::timeout(timeouts.header, acceptor.accept(tcp)).await {
                        Ok(Ok(tls)) => tls,
                        Ok(Err(e)) => return tracing::debug!(error = %e, "TLS handshake failed"),
                        Err(_) => return tracing::debug!("TLS handshake timed out"),
                    };
                    let conn = watcher.watch(http.serve_connection(TokioIo::new(tls), service));
                    if let Err(e) = conn.await {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                });
            }
            _ = &mut stop => break,
        }
    }
    drop(listener);
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("gave up waiting for in-flight requests after {DRAIN_TIMEOUT:?}");
    }
}
