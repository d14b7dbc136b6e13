//! Token hardening (cloud-mock.md §3–§4): forged bearer tokens are refused — `alg: none`, HS256 under another
//! key, RS/HS confusion, HS384/HS512, expired, not yet valid, tampered claims, refresh ↔ access swaps,
//! truncations and 10 000 seeded random mutations of a valid token. Each family has a *control* that the same
//! forging code, used honestly, produces an accepted token — so a rejection proves the check, not a typo.
//!
//! `keys/test-rsa-*.pem` is a throw-away RSA key pair made for these tests (`openssl genpkey`); it protects
//! nothing.

use std::cell::RefCell;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use mock_server::Timestamp;
use mock_server::engine::terminal::Directory;
use mock_server::engine::token::{TokenPath, TokenTtls, Tokens};
use mock_server::rng::MockRng;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use super::support::{self, SECRET, TID, USER};

const RSA_PRIVATE: &[u8] = include_bytes!("keys/test-rsa-private.pem");
const RSA_PUBLIC: &[u8] = include_bytes!("keys/test-rsa-public.pem");
const NOW: Timestamp = Timestamp::DEFAULT_START;

struct Kit {
    /// A cell: `authenticate` remembers verified tokens, so it takes `&mut`.
    tokens: RefCell<Tokens>,
    dir: Directory,
    access: String,
    refresh: String,
}

fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn kit() -> Kit {
    let dir = mock_server::fixtures::load(None)
        .expect("built-in fixtures")
        .directory;
    let tokens = Tokens::new(SECRET.as_bytes(), TokenTtls::default());
    let mut rng = MockRng::new(3);
    let f = form(&[
        ("grant_type", "password"),
        ("username", USER),
        ("password", support::PASSWORD),
        ("tid", TID),
    ]);
    let grant = tokens
        .grant(&dir, &f, TokenPath::Cloud, false, NOW, &mut rng)
        .expect("password grant");
    Kit {
        tokens: RefCell::new(tokens),
        dir,
        access: grant.access_token,
        refresh: grant.refresh_token,
    }
}

impl Kit {
    fn accepts(&self, token: &str) -> bool {
        self.tokens
            .borrow_mut()
            .authenticate(&self.dir, Some(token.as_bytes()), NOW)
            .is_ok()
    }
}

/// Claims of a valid terminal access token at [`NOW`].
fn claims() -> Value {
    let iat = NOW.unix_seconds();
    json!({"user_name": USER, "tid": TID, "client_id": "atom", "scope": ["read", "write"],
           "authorities": ["ROLE_TERMINAL"], "iat": iat, "exp": iat + 3600, "jti": "forged-jti"})
}

/// The test RSA key (PKCS#1 PEM → DER: the crate's PEM parser is a feature the workspace leaves off).
fn rsa_key() -> EncodingKey {
    let body: String = std::str::from_utf8(RSA_PRIVATE)
        .expect("PEM is text")
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("PEM body is base64");
    EncodingKey::from_rsa_der(&der)
}

fn sign(alg: Algorithm, claims: &Value, key: &EncodingKey) -> String {
    jsonwebtoken::encode(&Header::new(alg), claims, key).expect("signs")
}

fn hs256(claims: &Value, secret: &[u8]) -> String {
    sign(Algorithm::HS256, claims, &EncodingKey::from_secret(secret))
}

/// A token assembled by hand: any header, any claims, any signature text.
fn raw(header: &Value, claims: &Value, signature: &str) -> String {
    format!(
        "{}.{}.{signature}",
        B64.encode(header.to_string()),
        B64.encode(claims.to_string())
    )
}

fn payload(token: &str) -> Value {
    let part = token.split('.').nth(1).expect("payload segment");
    serde_json::from_slice(&B64.decode(part).expect("base64url")).expect("JSON")
}

#[test]
fn controls_the_forging_helpers_make_acceptable_tokens() {
    let k = kit();
    assert!(k.accepts(&k.access), "the granted token");
    assert!(
        k.accepts(&hs256(&claims(), SECRET.as_bytes())),
        "re-signed claims"
    );
    let mut c = claims();
    c["nbf"] = json!(NOW.unix_seconds());
    assert!(k.accepts(&hs256(&c, SECRET.as_bytes())), "nbf = now");
    c["exp"] = json!(NOW.unix_seconds() + 1);
    assert!(k.accepts(&hs256(&c, SECRET.as_bytes())), "exp = now + 1 s");
}

#[test]
fn alg_none_in_every_spelling_is_refused() {
    let k = kit();
    let sig = k.access.rsplit('.').next().expect("signature").to_owned();
    for alg in ["none", "None", "NONE", "nOnE", ""] {
        let header = json!({"alg": alg, "typ": "JWT"});
        for s in ["", sig.as_str()] {
            let t = raw(&header, &claims(), s);
            assert!(!k.accepts(&t), "alg {alg:?} sig {s:?}");
        }
    }
    // A header with no alg at all, and an unsigned two-segment token.
    assert!(!k.accepts(&raw(&json!({"typ": "JWT"}), &claims(), &sig)));
    let two = format!(
        "{}.{}",
        B64.encode(r#"{"alg":"none"}"#),
        B64.encode(claims().to_string())
    );
    assert!(!k.accepts(&two));
}

#[test]
fn other_keys_and_algorithms_are_refused() {
    let k = kit();
    let c = claims();
    assert!(
        !k.accepts(&hs256(&c, b"another-secret")),
        "HS256, other key"
    );
    assert!(!k.accepts(&hs256(&c, b"")), "HS256, empty key");
    let rsa = rsa_key();
    assert!(!k.accepts(&sign(Algorithm::RS256, &c, &rsa)), "RS256");
    assert!(!k.accepts(&sign(Algorithm::PS256, &c, &rsa)), "PS256");
    // RS/HS confusion: HS256 keyed with the public key's bytes, as a naive verifier holding an RSA key would.
    assert!(
        !k.accepts(&hs256(&c, RSA_PUBLIC)),
        "HS256 keyed with a public key"
    );
    // An RS256 header over a genuine HS256 signature.
    let genuine = hs256(&c, SECRET.as_bytes());
    let sig = genuine.rsplit('.').next().expect("signature");
    let swapped = raw(&json!({"alg": "RS256", "typ": "JWT"}), &c, sig);
    assert!(!k.accepts(&swapped), "RS256 header, HS256 signature");
    // Right key, stronger HMACs: the spec admits HS256 only.
    let right = EncodingKey::from_secret(SECRET.as_bytes());
    assert!(!k.accepts(&sign(Algorithm::HS384, &c, &right)), "HS384");
    assert!(!k.accepts(&sign(Algorithm::HS512, &c, &right)), "HS512");
}

#[test]
fn expired_not_yet_valid_and_missing_claims_are_refused() {
    let k = kit();
    let now_s = NOW.unix_seconds();
    let key = SECRET.as_bytes();
    for exp in [now_s - 1, now_s, 0, i64::MIN / 2] {
        let mut c = claims();
        c["exp"] = json!(exp);
        assert!(!k.accepts(&hs256(&c, key)), "exp {exp} (now {now_s})");
    }
    for nbf in [now_s + 1, now_s + 3600, i64::MAX / 2] {
        let mut c = claims();
        c["nbf"] = json!(nbf);
        assert!(!k.accepts(&hs256(&c, key)), "nbf {nbf}");
    }
    for field in ["exp", "user_name", "jti", "scope", "client_id"] {
        let mut c = claims();
        c.as_object_mut().expect("object").remove(field);
        assert!(!k.accepts(&hs256(&c, key)), "without {field}");
    }
    let mut c = claims();
    c["exp"] = json!((now_s + 3600).to_string());
    assert!(!k.accepts(&hs256(&c, key)), "exp as a string");
    // The mock's own grant, accepted (and remembered) now, refused once the clock has passed its expiry.
    assert!(k.accepts(&k.access));
    let later = Timestamp(NOW.0 + 3600 * 1000);
    assert!(
        k.tokens
            .borrow_mut()
            .authenticate(&k.dir, Some(k.access.as_bytes()), later)
            .is_err()
    );
}

#[test]
fn tampered_claims_are_refused() {
    let k = kit();
    // Accepted once first, so the forgeries below carry the signature of a token the verifier remembers.
    assert!(k.accepts(&k.access), "the granted token");
    let sig = k.access.rsplit('.').next().expect("signature").to_owned();
    let header: Value = serde_json::from_slice(
        &B64.decode(k.access.split('.').next().expect("header"))
            .expect("b64"),
    )
    .expect("JSON");
    for (field, value) in [
        ("tid", json!("483590")),
        ("tid", Value::Null),
        ("user_name", json!(support::MASTER)),
        ("authorities", json!(["ROLE_MASTER"])),
        ("exp", json!(NOW.unix_seconds() + 10 * 365 * 86_400)),
    ] {
        let mut c = payload(&k.access);
        c[field] = value.clone();
        assert!(
            !k.accepts(&raw(&header, &c, &sig)),
            "{field} = {value} with the original signature"
        );
    }
    // Correctly signed (the secret leaked), but the login does not own that TID: still refused.
    let mut c = claims();
    c["tid"] = json!("483590");
    assert!(!k.accepts(&hs256(&c, SECRET.as_bytes())), "foreign TID");
    c["user_name"] = json!("nobody@example.com");
    assert!(!k.accepts(&hs256(&c, SECRET.as_bytes())), "unknown user");
}

#[test]
fn refresh_and_access_tokens_cannot_stand_in_for_each_other() {
    let k = kit();
    assert!(!k.accepts(&k.refresh), "refresh token as access token");
    let mut rng = MockRng::new(4);
    let as_refresh = form(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", &k.access),
    ]);
    let e = k
        .tokens
        .borrow()
        .grant(&k.dir, &as_refresh, TokenPath::Api, false, NOW, &mut rng)
        .expect_err("access token as refresh token");
    assert_eq!(e.error, "invalid_grant");
    // Control: the refresh token does refresh.
    let ok = form(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", &k.refresh),
    ]);
    assert!(
        k.tokens
            .borrow()
            .grant(&k.dir, &ok, TokenPath::Api, false, NOW, &mut rng)
            .is_ok()
    );
}

#[test]
fn every_truncation_is_refused() {
    let k = kit();
    let t = &k.access;
    let mut tried = 0;
    for len in 0..t.len() {
        assert!(!k.accepts(&t[..len]), "prefix of {len} chars");
        assert!(!k.accepts(&t[t.len() - len..]), "suffix of {len} chars");
        tried += 2;
    }
    let mut parts = t.split('.');
    let (h, p) = (parts.next().expect("h"), parts.next().expect("p"));
    for forged in [
        format!("{h}.{p}."),
        format!("{h}.{p}"),
        format!(".{p}."),
        p.to_owned(),
    ] {
        assert!(!k.accepts(&forged), "{forged}");
        tried += 1;
    }
    eprintln!("token truncations: {tried} tried, 0 accepted");
}

/// One random edit of a token.
fn mutate(rng: &mut ChaCha8Rng, token: &str) -> String {
    const ALPHABET: &[u8] =
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ %\0\xff";
    let mut bytes = token.as_bytes().to_vec();
    let edits = 1 + rng.random_range(0..3usize);
    for _ in 0..edits {
        let len = bytes.len().max(1);
        let at = rng.random_range(0..len);
        let ch = ALPHABET[rng.random_range(0..ALPHABET.len())];
        let i = at.min(bytes.len().saturating_sub(1));
        match rng.random_range(0..7u8) {
            0 | 1 if !bytes.is_empty() => bytes[i] = ch,
            2 if !bytes.is_empty() => {
                bytes.remove(i);
            }
            3 => bytes.insert(at.min(bytes.len()), ch),
            4 if !bytes.is_empty() => {
                let b = bytes[i];
                bytes[i] = if b.is_ascii_lowercase() {
                    b.to_ascii_uppercase()
                } else {
                    b.to_ascii_lowercase()
                };
            }
            5 => {
                // Swap two segments.
                let s = String::from_utf8_lossy(&bytes).into_owned();
                let mut seg: Vec<&str> = s.split('.').collect();
                let (a, b) = (
                    rng.random_range(0..seg.len()),
                    rng.random_range(0..seg.len()),
                );
                seg.swap(a, b);
                bytes = seg.join(".").into_bytes();
            }
            _ => {
                // Flip one bit of one character.
                if !bytes.is_empty() {
                    bytes[i] ^= 1 << rng.random_range(0..8u32);
                }
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn ten_thousand_random_mutations_are_all_refused() {
    let k = kit();
    assert!(
        k.accepts(&k.access),
        "the granted token (now remembered as verified)"
    );
    let mut rng = ChaCha8Rng::seed_from_u64(0x6d75_7461_7465);
    let (mut generated, mut accepted) = (0u32, Vec::new());
    let mut sources = [k.access.clone(), k.refresh.clone()].into_iter().cycle();
    while generated < 10_000 {
        let source = sources.next().expect("cycle");
        let m = mutate(&mut rng, &source);
        if m == source {
            continue;
        }
        generated += 1;
        if k.accepts(&m) {
            accepted.push(m);
        }
    }
    eprintln!(
        "token mutations: {generated} generated, {} accepted",
        accepted.len()
    );
    assert!(accepted.is_empty(), "accepted mutants: {accepted:?}");
}

#[tokio::test]
async fn forged_tokens_over_http_get_401_invalid_token() {
    let (mock, _clock) = support::spawn(|_| {}).await;
    let http = support::client();
    let base = mock.base_url().to_owned();
    let grant = support::login(&http, &base, USER, Some(TID)).await;
    let access = grant["access_token"].as_str().expect("access").to_owned();
    let refresh = grant["refresh_token"].as_str().expect("refresh").to_owned();
    let sig = access.rsplit('.').next().expect("sig").to_owned();
    let mut expired = claims();
    expired["exp"] = json!(NOW.unix_seconds());
    let mut swapped = payload(&access);
    swapped["tid"] = json!("483590");
    let rsa = rsa_key();
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let mut forged = vec![
        ("alg none", raw(&json!({"alg": "none"}), &claims(), "")),
        ("other key", hs256(&claims(), b"another-secret")),
        ("RS256", sign(Algorithm::RS256, &claims(), &rsa)),
        (
            "HS256 keyed with a public key",
            hs256(&claims(), RSA_PUBLIC),
        ),
        ("expired", hs256(&expired, SECRET.as_bytes())),
        (
            "tid swapped",
            raw(&json!({"alg": "HS256", "typ": "JWT"}), &swapped, &sig),
        ),
        ("refresh as access", refresh.clone()),
        ("truncated", access[..access.len() - 5].to_owned()),
    ];
    for _ in 0..20 {
        forged.push(("mutant", mutate(&mut rng, &access)));
    }
    forged.retain(|(_, t)| *t != access);
    // Control: the genuine token passes authentication (and finds no such task).
    let res = http
        .get(format!("{base}/v1/tasks/NOSUCHTASK"))
        .bearer_auth(&access)
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 404);
    for (what, token) in &forged {
        let Ok(value) = reqwest::header::HeaderValue::from_str(&format!("Bearer {token}")) else {
            continue; // not even a valid header value: the client cannot send it
        };
        let res = http
            .get(format!("{base}/v1/tasks/NOSUCHTASK"))
            .header(reqwest::header::AUTHORIZATION, value)
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status(), 401, "{what}: {token}");
        assert!(
            res.headers()
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("Bearer")),
            "{what}"
        );
        let body: Value = res.json().await.expect("JSON body");
        assert!(
            matches!(
                body["error"].as_str(),
                Some("invalid_token" | "unauthorized")
            ),
            "{what}: {body}"
        );
    }
    // An access token on the refresh grant.
    let res = http
        .post(format!("{base}/api/oauth/token"))
        .basic_auth(support::CLIENT.0, Some(support::CLIENT.1))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", access.as_str()),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.expect("JSON");
    assert_eq!(body["error"], "invalid_grant");
}
