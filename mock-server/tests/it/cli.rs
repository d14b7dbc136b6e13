//! The `gptom-mock` binary: --help, start-up errors, the "listening" line, SIGTERM.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_gptom-mock");

#[test]
fn help_lists_every_flag_with_its_env_var() {
    let out = std::process::Command::new(BIN)
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--bind",
        "--port",
        "--profile",
        "--latency",
        "--clock",
        "--clock-start",
        "--seed",
        "--jwt-secret",
        "--fixtures",
        "--state",
        "GPTOM_MOCK_STATE",
    ] {
        assert!(help.contains(flag), "{flag} missing from --help");
    }
    assert!(
        help.contains("GPTOM_MOCK_PORT") && help.contains("Examples:"),
        "{help}"
    );
}

#[test]
fn bad_flags_and_bad_fixtures_fail_before_listening() {
    let out = std::process::Command::new(BIN)
        .args(["--port", "0", "--profile", "relaxed"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown profile \"relaxed\""));

    let dir = std::env::temp_dir().join(format!("gptom-cli-fixtures-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("latency.yaml"),
        "profiles:\n  quick:\n    pushMs: fast\n",
    )
    .unwrap();
    let out = std::process::Command::new(BIN)
        .args(["--port", "0", "--fixtures"])
        .arg(&dir)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("latency.yaml:3:"), "file and line: {err}");
    assert!(out.stdout.is_empty(), "nothing was announced");

    let out = std::process::Command::new(BIN)
        .args(["--port", "0", "--latency", "warp"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("instant, operator, realistic"));
}

#[tokio::test]
async fn port_zero_prints_where_it_listens_and_sigterm_stops_it() {
    let log = serve_once_and_stop(Command::new(BIN)).await;
    assert!(log.contains("async runtime: "), "{log}");
}

/// The first CPU this process may run on (`Cpus_allowed_list: 2-3,6` → `2`): a cpuset need not hold CPU 0.
fn first_allowed_cpu() -> String {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let list = status
        .lines()
        .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
        .expect("Cpus_allowed_list in /proc/self/status");
    let first = list.trim().split([',', '-']).next().unwrap_or_default();
    assert!(
        !first.is_empty() && first.bytes().all(|b| b.is_ascii_digit()),
        "{list:?}"
    );
    first.to_owned()
}

/// On one CPU (`taskset -c N`, as a container limited to one CPU) the mock runs tokio's single-threaded
/// scheduler, and serves and drains the same.
#[tokio::test]
async fn on_one_cpu_it_runs_single_threaded_and_serves_the_same() {
    let mut pinned = Command::new("taskset");
    pinned
        .args(["-c", &first_allowed_cpu(), BIN])
        .env_remove("TOKIO_WORKER_THREADS");
    let log = serve_once_and_stop(pinned).await;
    assert!(
        log.contains("async runtime: single-threaded (one CPU available)"),
        "{log}"
    );
}

/// Starts the mock (`cmd`) on port 0, reads where it listens, asks its health, stops it with SIGTERM and
/// returns its log.
async fn serve_once_and_stop(mut cmd: Command) -> String {
    let mut child = cmd
        .args(["--port", "0", "--seed", "5", "--clock", "manual"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(
        line.starts_with("gptom-mock listening on http://127.0.0.1:"),
        "{line}"
    );
    assert!(
        line.contains("seed 5") && line.contains("jan.novak@example.com"),
        "{line}"
    );
    let url = line.split_whitespace().nth(3).unwrap();
    let health: serde_json::Value = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(format!("{url}/__admin/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["seed"], 5);
    let pid = child.id().unwrap().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let out = tokio::time::timeout(Duration::from_secs(10), child.wait_with_output())
        .await
        .expect("exits within 10 s")
        .unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    // logs into a pipe (a file, a CI log) carry no colour codes
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("stopping"), "{log}");
    assert!(
        !log.contains('\u{1b}'),
        "escape codes in a non-terminal log: {log:?}"
    );
    log.into_owned()
}

#[test]
fn a_bad_faults_file_fails_start_up_with_file_and_line() {
    let dir = std::env::temp_dir().join(format!("gptom-cli-faults-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("faults.yaml");
    std::fs::write(&file, "- action: {drop: true}\n- match: {tid: \"999888\"}\n  action: {respond: {status: 200, type: X}}\n").unwrap();
    let out = std::process::Command::new(BIN)
        .args(["--port", "0", "--faults"])
        .arg(&file)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("faults.yaml:2:") && err.contains("action.respond.status"),
        "{err}"
    );
}

#[test]
fn print_config_shows_the_merged_configuration() {
    let out = std::process::Command::new(BIN)
        .args(["--print-config", "--port", "9123", "--jwt-secret", "hidden"])
        .env("GPTOM_MOCK_LATENCY", "instant")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let yaml = String::from_utf8(out.stdout).unwrap();
    assert!(
        yaml.contains("port: 9123") && yaml.contains("latency: instant"),
        "{yaml}"
    );
    assert!(
        !yaml.contains("hidden"),
        "secrets are never printed: {yaml}"
    );
}

#[test]
fn the_proxy_refuses_a_bad_upstream_before_listening() {
    let run = |args: &[&str]| {
        let out = std::process::Command::new(BIN).args(args).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            out.stdout.is_empty(),
        )
    };
    let (code, err, quiet) = run(&["proxy", "--upstream", "ftp://example.com", "--port", "0"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("--upstream \"ftp://example.com\": must be an http:// or https:// URL"),
        "{err}"
    );
    assert!(quiet, "nothing was announced");
    let (code, err, _) = run(&[
        "proxy",
        "--upstream",
        "https://example.com",
        "--upstream-ca",
        "/nonexistent.pem",
        "--port",
        "0",
    ]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("--upstream-ca /nonexistent.pem: cannot read"),
        "{err}"
    );
    let (code, err, _) = run(&["proxy", "--port", "0"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("--upstream <UPSTREAM>"),
        "clap names the missing flag: {err}"
    );
    let help = std::process::Command::new(BIN)
        .args(["proxy", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for flag in [
        "--upstream",
        "--upstream-ca",
        "--upstream-timeout",
        "--admin-token",
        "--journal-cap",
        "--body-limit",
        "--port",
    ] {
        assert!(help.contains(flag), "{flag} in proxy --help:\n{help}");
    }
}

#[tokio::test]
async fn health_says_whether_a_mock_is_up_for_container_health_checks() {
    let mock = super::support::TestApp::spawn().await;
    let up = Command::new(BIN)
        .args(["health", mock.mock.base_url()])
        .output()
        .await
        .unwrap();
    assert_eq!(
        up.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&up.stderr)
    );
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    // a mock on HTTPS, probed by the container's health check (same flags or GPTOM_MOCK_* variables, no URL)
    let tls = mock_server::MockServer::builder()
        .tls(mock_server::Tls::Auto {
            dir: None,
            sans: Vec::new(),
        })
        .start()
        .await
        .unwrap();
    let port = tls.addr().port().to_string();
    let probe = Command::new(BIN)
        .args(["health", "--port", &port])
        .env("GPTOM_MOCK_TLS", "auto")
        .output()
        .await
        .unwrap();
    assert_eq!(
        probe.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&probe.stderr)
    );
    let plain = Command::new(BIN)
        .args(["health", "--port", &port])
        .env_remove("GPTOM_MOCK_TLS")
        .output()
        .await
        .unwrap();
    assert_eq!(
        plain.status.code(),
        Some(1),
        "plain HTTP to an HTTPS port is no answer"
    );
    let down = Command::new(BIN)
        .args(["health", &closed])
        .output()
        .await
        .unwrap();
    assert_eq!(down.status.code(), Some(1));
    let said = String::from_utf8_lossy(&down.stderr);
    assert!(said.contains(&closed) && said.contains("refused"), "{said}");
}

#[test]
fn completions_and_the_man_page_come_from_the_command_line_itself() {
    let run = |args: &[&str]| {
        let out = std::process::Command::new(BIN).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let bash = run(&["completions", "bash"]);
    assert!(
        bash.contains("gptom-mock") && bash.contains("--tls-san") && bash.contains("proxy"),
        "{bash}"
    );
    let man = run(&["man"]);
    assert!(
        man.starts_with(".ie") && man.contains(".TH gptom-mock 1"),
        "{man}"
    );
    assert!(man.contains("tls\\-cert"), "every flag is in the page");
}
