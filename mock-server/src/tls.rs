//! HTTPS: the certificate the mock serves, from PEM files (`--tls-cert`, `--tls-key`) or made at start by a local
//! CA (`--tls auto`), and the rustls acceptor that wraps each connection. Phones (App Transport Security,
//! Android's cleartext block) and many POS builds accept only `https://` base URLs.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, UdpSocket};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::config::Tls;

/// The CA's file names in a `--tls-dir`.
const CA_CERT: &str = "ca.pem";
const CA_KEY: &str = "ca-key.pem";

/// What the server serves HTTPS with.
#[derive(Clone)]
pub struct Served {
    /// Wraps each accepted connection.
    pub acceptor: TlsAcceptor,
    /// `--tls auto`: the CA to trust, PEM (served at `/__admin/ca.pem`) and the file it was written to.
    pub ca: Option<(String, PathBuf)>,
    /// The names and addresses the certificate is for (`--tls auto`).
    pub names: Vec<String>,
}

/// Loads or makes the certificate; `bind` is the address the server listens on (a specific one is a name too).
pub fn load(tls: &Tls, bind: IpAddr) -> Result<Served, String> {
    match tls {
        Tls::Files { cert, key } => {
            let chain = read_chain(cert)?;
            let key_der = read_key(key)?;
            let config = server_config(chain, key_der).map_err(|e| {
                format!(
                    "--tls-key {}: does not match the certificate in {} ({e})",
                    key.display(),
                    cert.display()
                )
            })?;
            Ok(Served {
                acceptor: TlsAcceptor::from(Arc::new(config)),
                ca: None,
                names: Vec::new(),
            })
        }
        Tls::Auto { dir, sans } => auto(dir.as_deref(), sans, bind),
    }
}

fn read(path: &Path, flag: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{flag} {}: cannot read it: {e}", path.display()))
}

fn read_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let bytes = read(path, "--tls-cert")?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("--tls-cert {}: not PEM: {e}", path.display()))?;
    if chain.is_empty() {
        return Err(format!(
            "--tls-cert {}: no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)",
            path.display()
        ));
    }
    Ok(chain)
}

fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, String> {
    let bytes = read(path, "--tls-key")?;
    PrivateKeyDer::from_pem_slice(&bytes).map_err(|e| {
        format!(
            "--tls-key {}: no PEM private key in it (expected -----BEGIN PRIVATE KEY-----): {e}",
            path.display()
        )
    })
}

fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<ServerConfig, tokio_rustls::rustls::Error> {
    let mut config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// The CA's subject: the same every time, so a CA key kept in `--tls-dir` signs for the CA certificate clients
/// already trust.
fn ca_params() -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "gptom-mock");
    dn.push(DnType::CommonName, "gptom-mock local CA");
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = rcgen::date_time_ymd(2025, 1, 1);
    params.not_after = rcgen::date_time_ymd(2045, 1, 1);
    params
}

/// `--tls auto: what: why`.
fn auto_err(what: &str, e: &dyn std::fmt::Display) -> String {
    format!("--tls auto: {what}: {e}")
}

/// A text file of the CA's, or why not.
fn read_ca_file(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path)
        .map_err(|e| auto_err(&format!("cannot read {}", path.display()), &e))
}

/// The CA kept in `dir` by an earlier start: its key, its certificate (PEM) and that file.
fn kept_ca(dir: &Path) -> Result<(KeyPair, String, PathBuf), String> {
    let key_file = dir.join(CA_KEY);
    let key = KeyPair::from_pem(&read_ca_file(&key_file)?)
        .map_err(|e| auto_err(&format!("{} is not a PEM key", key_file.display()), &e))?;
    let cert_file = dir.join(CA_CERT);
    Ok((key, read_ca_file(&cert_file)?, cert_file))
}

/// A new CA, written to `dir` (key and certificate, to be reused) or to a temp file (certificate only).
fn new_ca(dir: Option<&Path>) -> Result<(KeyPair, String, PathBuf), String> {
    let key = KeyPair::generate().map_err(|e| auto_err("cannot make a key", &e))?;
    let pem = ca_params()
        .self_signed(&key)
        .map_err(|e| auto_err("cannot make the CA", &e))?
        .pem();
    let file = match dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| auto_err(&format!("cannot create {}", dir.display()), &e))?;
            let key_file = dir.join(CA_KEY);
            write_private(&key_file, &key.serialize_pem())
                .map_err(|e| auto_err(&format!("cannot write {}", key_file.display()), &e))?;
            dir.join(CA_CERT)
        }
        None => std::env::temp_dir().join(format!("gptom-mock-ca-{}.pem", std::process::id())),
    };
    std::fs::write(&file, &pem)
        .map_err(|e| auto_err(&format!("cannot write {}", file.display()), &e))?;
    Ok((key, pem, file))
}

/// `--tls auto`: the CA (kept in `dir` when given), and a certificate it signs for this host.
fn auto(dir: Option<&Path>, sans: &[String], bind: IpAddr) -> Result<Served, String> {
    let err = auto_err;
    let (ca_key, ca_pem, ca_file) = match dir {
        Some(dir) if dir.join(CA_KEY).is_file() => kept_ca(dir)?,
        _ => new_ca(dir)?,
    };
    let issuer = Issuer::new(ca_params(), ca_key);
    let names = names(sans, bind);
    let mut params = CertificateParams::new(names.clone())
        .map_err(|e| err("a --tls-san is not a DNS name or an IP address", &e))?;
    params
        .distinguished_name
        .push(DnType::CommonName, "gptom-mock");
    // made at each start; Apple platforms refuse server certificates valid for more than 825 days
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(800);
    let key = KeyPair::generate().map_err(|e| err("cannot make a key", &e))?;
    let cert = params
        .signed_by(&key, &issuer)
        .map_err(|e| err("cannot sign the certificate", &e))?;
    let key_der = PrivateKeyDer::try_from(key.serialize_der()).map_err(|e| err("key", &e))?;
    let config =
        server_config(vec![cert.der().clone()], key_der).map_err(|e| err("the certificate", &e))?;
    Ok(Served {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        ca: Some((ca_pem, ca_file)),
        names,
    })
}

/// Writes a private key readable by its owner only.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(text.as_bytes())
}

/// `localhost`, the loopback addresses, the host's name and main address, a specific bind address, `sans`.
fn names(sans: &[String], bind: IpAddr) -> Vec<String> {
    let mut out: Vec<String> = vec![
        "localhost".into(),
        Ipv4Addr::LOCALHOST.to_string(),
        Ipv6Addr::LOCALHOST.to_string(),
    ];
    if let Ok(host) = std::fs::read_to_string("/proc/sys/kernel/hostname") {
        out.push(host.trim().to_owned());
    }
    // the address other machines reach this one by (no packet is sent: a UDP "connect" only picks the route)
    if let Ok(s) = UdpSocket::bind("0.0.0.0:0")
        && s.connect("192.0.2.1:9").is_ok()
        && let Ok(a) = s.local_addr()
    {
        out.push(a.ip().to_string());
    }
    if !bind.is_unspecified() {
        out.push(bind.to_string());
    }
    out.extend(sans.iter().cloned());
    out.retain(|n| !n.is_empty());
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|n| seen.insert(n.clone()));
    out
}

/// The certificates of a PEM bundle a client trusts besides the system's roots (`--upstream-ca`, the runner's
/// `--ca`); `flag` names the option in the message.
pub fn extra_roots(path: &Path, flag: &str) -> Result<Vec<reqwest::Certificate>, String> {
    let pem =
        std::fs::read(path).map_err(|e| format!("{flag} {}: cannot read: {e}", path.display()))?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|e| format!("{flag} {}: not PEM certificates: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!(
            "{flag} {}: no certificate in the file",
            path.display()
        ));
    }
    Ok(certs)
}
