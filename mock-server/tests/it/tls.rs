//! HTTPS: a given certificate (`--tls-cert`/`--tls-key`) and `--tls auto` (a local CA, printed, served at
//! `/__admin/ca.pem`, reused from `--tls-dir`). A client trusting the CA connects; one trusting nothing is
//! refused; bad files stop start-up with the file and the problem named.

use std::path::Path;

use mock_server::{MockServer, Tls};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};

/// A client that trusts the system's roots and the CA in `ca` (if any).
fn client(ca: Option<&Path>) -> reqwest::Client {
    let mut b = reqwest::Client::builder().no_proxy();
    if let Some(ca) = ca {
        b = b.tls_certs_merge(mock_server::tls::extra_roots(ca, "ca").unwrap());
    }
    b.build().unwrap()
}

/// `GET /__admin/health` over `url`: the status, or the transport error's chain.
async fn health(client: &reqwest::Client, base: &str) -> Result<u16, String> {
    client
        .get(format!("{base}/__admin/health"))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .map_err(|e| mock_server::error::chain(&e))
}

/// The mock's URL by name (`localhost`), which is what the certificate is for.
fn by_name(mock: &MockServer) -> String {
    format!("https://localhost:{}", mock.addr().port())
}

/// A private CA and a `localhost` certificate it signs: (CA PEM, chain PEM, key PEM).
fn issued() -> (String, String, String) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    (ca.pem(), cert.pem(), key.serialize_pem())
}

#[tokio::test]
async fn a_given_certificate_is_served_and_trusted_through_its_ca() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = issued();
    for (name, text) in [("ca.pem", &ca), ("cert.pem", &cert), ("key.pem", &key)] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let mock = MockServer::builder()
        .tls(Tls::Files {
            cert: dir.path().join("cert.pem"),
            key: dir.path().join("key.pem"),
        })
        .start()
        .await
        .unwrap();
    assert!(
        mock.base_url().starts_with("https://"),
        "{}",
        mock.base_url()
    );
    assert_eq!(mock.ca_file(), None, "the CA is the caller's");
    let url = by_name(&mock);
    let trusting = client(Some(&dir.path().join("ca.pem")));
    assert_eq!(health(&trusting, &url).await, Ok(200));
    // a token over HTTPS, as a POS gets it
    let token = trusting
        .post(format!("{url}/cloud/oauth/token"))
        .basic_auth("atom", Some("ashfuf4e5fa"))
        .form(&[
            ("grant_type", "password"),
            ("username", "jan.novak@example.com"),
            ("password", "ABCDEFGHIJKL"),
            ("tid", "999888"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(token.status().as_u16(), 200);
    let refused = health(&client(None), &url).await.unwrap_err();
    assert!(
        refused.to_ascii_lowercase().contains("certificate"),
        "{refused}"
    );
    // plain HTTP on the HTTPS port gets nothing a client could take for an answer
    let plain = health(
        &client(None),
        &format!("http://127.0.0.1:{}", mock.addr().port()),
    )
    .await;
    assert!(plain.is_err(), "{plain:?}");
    // the CA is served only under --tls auto
    let r = trusting
        .get(format!("{url}/__admin/ca.pem"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
}

#[tokio::test]
async fn tls_auto_makes_a_ca_to_trust_and_reuses_it_from_its_directory() {
    let dir = tempfile::tempdir().unwrap();
    let auto = Tls::Auto {
        dir: Some(dir.path().to_owned()),
        sans: vec!["pos.lan".into()],
    };
    let first_pem;
    {
        let config = mock_server::Config {
            port: 0,
            admin_token: Some("secret".into()),
            ..mock_server::Config::default()
        };
        let mock = MockServer::builder()
            .config(config)
            .tls(auto.clone())
            .start()
            .await
            .unwrap();
        let ca = mock.ca_file().expect("a CA file").to_owned();
        assert_eq!(ca, dir.path().join("ca.pem"));
        assert!(
            mock.tls_names().contains(&"pos.lan".to_owned()),
            "{:?}",
            mock.tls_names()
        );
        first_pem = std::fs::read_to_string(&ca).unwrap();
        let url = by_name(&mock);
        assert_eq!(
            health(&client(Some(&ca)), &url).await,
            Ok(401),
            "admin token still asked"
        );
        // the CA is public: no admin token needed to fetch it
        let served = client(Some(&ca))
            .get(format!("{url}/__admin/ca.pem"))
            .send()
            .await
            .unwrap();
        assert_eq!(served.status().as_u16(), 200);
        assert_eq!(served.text().await.unwrap(), first_pem);
        let refused = health(&client(None), &url).await.unwrap_err();
        assert!(
            refused.to_ascii_lowercase().contains("certificate"),
            "{refused}"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("ca-key.pem"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "the CA key is the owner's only: {mode:o}");
        }
    }
    // a restart with the same directory keeps the CA devices already trust
    let mock = MockServer::builder().tls(auto).start().await.unwrap();
    let ca = mock.ca_file().unwrap().to_owned();
    assert_eq!(std::fs::read_to_string(&ca).unwrap(), first_pem);
    assert_eq!(health(&client(Some(&ca)), &by_name(&mock)).await, Ok(200));
}

#[tokio::test]
async fn bad_tls_files_stop_start_up_naming_the_file_and_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let (_, cert, key) = issued();
    let (_, _, other_key) = issued();
    let file = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let cert = file("cert.pem", &cert);
    let key = file("key.pem", &key);
    let other = file("other-key.pem", &other_key);
    let not_pem = file("notes.txt", "hello");
    let missing = dir.path().join("missing.pem");
    let start = |cert: &Path, key: &Path| {
        MockServer::builder().tls(Tls::Files {
            cert: cert.to_owned(),
            key: key.to_owned(),
        })
    };
    for (c, k, says) in [
        (&missing, &key, "--tls-cert"),
        (&not_pem, &key, "no PEM certificate"),
        (&cert, &not_pem, "no PEM private key"),
        (&cert, &other, "does not match the certificate"),
    ] {
        let e = match start(c, k).start().await {
            Ok(_) => panic!("{} + {} started", c.display(), k.display()),
            Err(e) => e.to_string(),
        };
        assert!(e.contains(says), "{e}");
        assert!(
            e.contains(&c.display().to_string()) || e.contains(&k.display().to_string()),
            "{e}"
        );
    }
}
