//! `gptom-mock`: CLI → Config → tracing → MockServer::start → wait for Ctrl-C/SIGTERM → graceful stop.

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser;
use mock_server::MockServer;
use mock_server::cli::{Cli, Command};
use mock_server::server::clock_for;
use tracing_subscriber::EnvFilter;

/// mimalloc: every request makes and frees many small objects; with glibc's allocator GET ran at 0.77× the
/// bench baseline instead of about 0.9×.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The async runtime: tokio's single-threaded scheduler when the process may use one CPU only (`taskset`, a
/// container limited to one CPU: `available_parallelism` reads the affinity mask and the cgroup quota), else the
/// multi-threaded one (`TOKIO_WORKER_THREADS` sets its workers, and setting it keeps it even on one CPU). On one
/// CPU a multi-threaded runtime has one worker anyway and pays for what lets workers steal from each other: task
/// creation on one core, 32 connections, ran 4 % faster single-threaded (8 alternating rounds) and a request cost
/// ~700 fewer instructions (callgrind). Nothing in the server blocks its thread longer than a request.
fn main() -> ExitCode {
    use tokio::runtime::Builder;
    let one_cpu = std::thread::available_parallelism().is_ok_and(|n| n.get() == 1)
        && std::env::var_os("TOKIO_WORKER_THREADS").is_none();
    let (mut builder, runtime) = if one_cpu {
        (
            Builder::new_current_thread(),
            "single-threaded (one CPU available)",
        )
    } else {
        (Builder::new_multi_thread(), "multi-threaded")
    };
    match builder.enable_all().build() {
        Ok(rt) => rt.block_on(run(runtime)),
        Err(e) => {
            eprintln!("gptom-mock: cannot start the async runtime: {e}");
            ExitCode::from(1)
        }
    }
}

async fn run(runtime: &str) -> ExitCode {
    let mut cli = Cli::parse();
    let command = cli.command.take();
    let docs = match &command {
        Some(Command::Completions { shell }) => Some(Some(*shell)),
        Some(Command::Man) => Some(None),
        _ => None,
    };
    if let Some(shell) = docs {
        use clap::CommandFactory as _;
        return match mock_server::cli::print_docs(Cli::command(), shell) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("gptom-mock: {e}");
                ExitCode::from(1)
            }
        };
    }
    let print_config = cli.print_config;
    let mut config = match cli.into_config(mock_server::rng::random_seed()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("gptom-mock: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(Command::Deeplink { url, tid, json }) = command {
        return deeplink(config, &url, tid.as_deref(), json);
    }
    if let Some(Command::Health { url, ca }) = command {
        // without a URL: this host's own mock, on the configured port and scheme; its certificate is not checked
        // (a liveness probe of itself, e.g. the container's HEALTHCHECK with --tls)
        let (url, own) = match url {
            Some(u) => (u, false),
            None if config.tls.is_some() => (format!("https://127.0.0.1:{}", config.port), true),
            None => (format!("http://127.0.0.1:{}", config.port), true),
        };
        return health(&url, ca.as_deref(), own, config.admin_token.as_deref()).await;
    }
    if let Some(Command::Proxy(args)) = &command {
        match args.upstream() {
            Ok(up) => config.upstream = Some(up),
            Err(e) => {
                eprintln!("gptom-mock: {e}");
                return ExitCode::from(2);
            }
        }
    }
    if print_config {
        return match serde_saphyr::to_string(&config.to_file()) {
            #[allow(clippy::print_stdout)] // the requested output
            Ok(yaml) => {
                print!("{yaml}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("gptom-mock: {e}");
                ExitCode::from(1)
            }
        };
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        // colour only for a person at a terminal: not into a file or a CI log, never with NO_COLOR set
        .with_ansi(
            std::io::IsTerminal::is_terminal(&std::io::stderr())
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        )
        .init();
    tracing::info!("async runtime: {runtime}");
    // Handlers go in before the port opens: a SIGTERM sent as soon as the mock answers must drain, not kill.
    let stop = shutdown_signal();
    let clock = clock_for(&config);
    let proxy = config.upstream.as_ref().map(|u| u.url.clone());
    let summary = format!(
        "seed {}, clock {} at {}, latency {}",
        config.seed,
        clock.kind(),
        clock.now(),
        config.latency
    );
    let state = config.state.clone();
    let mock = match MockServer::start(config, clock).await {
        Ok(m) => m,
        Err(e) => {
            eprintln!("gptom-mock: {e}");
            return ExitCode::from(1);
        }
    };
    if let Some(dir) = state {
        eprintln!(
            "state kept in {}: {} logged requests replayed; clock {} at {}",
            dir.join(mock_server::store::FILE).display(),
            mock.replayed(),
            mock.clock().kind(),
            mock.clock().now()
        );
    }
    #[allow(clippy::print_stdout)] // the one line a user (or a script) reads to find the server
    if let Some(upstream) = proxy {
        println!(
            "gptom-mock proxy listening on {} (upstream {upstream}; journal at /__admin/journal, divergences at /__admin/divergences)",
            mock.base_url()
        );
    } else {
        println!(
            "gptom-mock listening on {} ({summary}); login: client atom:ashfuf4e5fa, user jan.novak@example.com / ABCDEFGHIJKL, tid 999888, apiKey 333W212J3",
            mock.base_url()
        );
    }
    #[allow(clippy::print_stdout)]
    if let Some(ca) = mock.ca_file() {
        println!(
            "HTTPS certificate for {} from a local CA: trust {} (also at {}/__admin/ca.pem) on the devices that connect",
            mock.tls_names().join(", "),
            ca.display(),
            mock.base_url()
        );
    }
    stop.await;
    tracing::info!("stopping: finishing in-flight requests");
    mock.shutdown().await;
    ExitCode::SUCCESS
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM. On Unix both handlers are registered when this is called, not
/// when it is first awaited.
#[cfg(unix)]
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{SignalKind, signal};
    let (int, term) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    );
    async move {
        let wait = |s: std::io::Result<tokio::signal::unix::Signal>| async move {
            match s {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! { () = wait(int) => {}, () = wait(term) => {} }
    }
}

/// Resolves on Ctrl-C.
#[cfg(not(unix))]
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// `gptom-mock health [URL]`: 0 when the mock answers `GET /__admin/health` with 200, else 1 with the reason.
async fn health(
    url: &str,
    ca: Option<&std::path::Path>,
    own: bool,
    admin_token: Option<&str>,
) -> ExitCode {
    let mut builder = reqwest::Client::builder()
        .no_proxy()
        .tls_danger_accept_invalid_certs(own)
        .timeout(std::time::Duration::from_secs(5));
    if let Some(ca) = ca {
        match mock_server::tls::extra_roots(ca, "--ca") {
            Ok(certs) => builder = builder.tls_certs_merge(certs),
            Err(e) => {
                eprintln!("gptom-mock: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let client = match builder.build() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("gptom-mock: {e}");
            return ExitCode::from(2);
        }
    };
    let mut req = client.get(format!("{}/__admin/health", url.trim_end_matches('/')));
    if let Some(token) = admin_token {
        req = req.bearer_auth(token);
    }
    match req.send().await {
        Ok(r) if r.status().is_success() => ExitCode::SUCCESS,
        Ok(r) => {
            eprintln!("gptom-mock: {url} answered {}", r.status());
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("gptom-mock: {url}: {}", mock_server::error::chain(&e));
            ExitCode::from(1)
        }
    }
}

/// `gptom-mock deeplink URL`: one deep link against an in-process engine (instant latency, manual clock).
#[allow(clippy::print_stdout)] // the requested output
fn deeplink(mut config: mock_server::Config, url: &str, tid: Option<&str>, json: bool) -> ExitCode {
    config.latency = "instant".into();
    let mut engine = match mock_server::server::engine_for(&config) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("gptom-mock: {e}");
            return ExitCode::from(1);
        }
    };
    let now = config
        .clock_start
        .unwrap_or(mock_server::Timestamp::DEFAULT_START);
    let mut devices = mock_server::device::Devices::default();
    let mut layer = mock_server::device::Layer {
        engine: &mut engine,
        devices: &mut devices,
    };
    let reply = layer.deeplink_once(url, tid, now);
    match reply {
        Ok(mock_server::device::ios::Reply::Done {
            redirect,
            result,
            warnings,
        }) => {
            for w in &warnings {
                eprintln!("warning: {w}");
            }
            let line = if json || redirect.is_none() {
                serde_json::json!({"redirect": redirect, "result": result, "warnings": warnings})
                    .to_string()
            } else {
                redirect.unwrap_or_default()
            };
            // a closed pipe (`| head`) is the reader's choice, not a crash
            let _ = writeln!(std::io::stdout(), "{line}");
            ExitCode::SUCCESS
        }
        Ok(mock_server::device::ios::Reply::Pending(id)) => {
            eprintln!(
                "gptom-mock: deep link {id} is still running (a timeout outcome waits for the device timeout)"
            );
            ExitCode::from(1)
        }
        Err(why) => {
            eprintln!("gptom-mock: {why}");
            ExitCode::from(2)
        }
    }
}
