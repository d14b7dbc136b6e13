//! Bearer authentication of /v1/*: 401 for every kind of bad token.

use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

use crate::support::*;

fn b64(v: &serde_json::Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

fn payload(app_now: i64, refresh: bool) -> serde_json::Value {
    let mut c = json!({"user_name": USER, "tid": TID, "client_id": "atom", "scope": ["read", "write"],
                       "authorities": ["ROLE_TERMINAL"], "iat": app_now, "exp": app_now + 3600, "jti": "x"});
    if refresh {
        c["ati"] = json!("y");
    }
    c
}

async fn assert_invalid_token(app: &TestApp, token: &str, why: &str) {
    let r = app.task(token, "abcdefghij").await;
    assert_eq!(r.status, 401, "{why}: {}", r.text);
    assert_eq!(r.json["error"], "invalid_token", "{why}");
    assert!(
        r.header("www-authenticate")
            .starts_with("Bearer error=\"invalid_token\""),
        "{why}"
    );
    assert!(r.json.get("taskId").is_none());
}

#[tokio::test]
async fn no_bearer_token_is_unauthorized() {
    let app = TestApp::spawn().await;
    for req in [
        app.http.get(app.url("/v1/tasks/abc")),
        app.http
            .get(app.url("/v1/tasks/abc"))
            .basic_auth("atom", Some("ashfuf4e5fa")),
        app.http
            .post(app.url("/v1/tasks/TRANSACTION"))
            .json(&sale(1111)),
        app.http
            .get(app.url("/v1/transactions/abc"))
            .header("Authorization", "Bearer "),
        app.http
            .get(app.url("/v1/tasks/abc"))
            .header("Authorization", "Bearer"),
        app.http
            .get(app.url("/v1/tasks/abc"))
            .header("Authorization", "Token abc.def.ghi"),
    ] {
        let r = app.send(req).await;
        assert_eq!(r.status, 401, "{}", r.text);
        assert_eq!(
            r.json,
            json!({"error": "unauthorized", "error_description": "Full authentication is required to access this resource"})
        );
    }
}

#[tokio::test]
async fn forged_malformed_and_expired_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let now = app.now().unix_seconds();
    let good = app.token().await;
    let other_key = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &payload(now, false),
        &EncodingKey::from_secret(b"other"),
    )
    .unwrap();
    let alg_none = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT"})),
        b64(&payload(now, false))
    );
    let hs512 = {
        // right claims, a valid signature with another algorithm: refused (alg must be HS256)
        let secret = format!("gptom-mock-secret-{}", 1);
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &payload(now, false),
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    };
    let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    let mut tampered_claims = payload(now, false);
    tampered_claims["tid"] = json!("483590");
    parts[1] = b64(&tampered_claims);
    let tampered = parts.join(".");
    let refresh = app.login_as(USER, Some(TID)).await["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    for (token, why) in [
        ("not-a-jwt", "garbage"),
        (&good[..good.len() - 3], "truncated signature"),
        (other_key.as_str(), "signed with another key"),
        (alg_none.as_str(), "alg none"),
        (hs512.as_str(), "alg HS512"),
        (tampered.as_str(), "tid swapped"),
        (refresh.as_str(), "refresh token used as access token"),
    ] {
        assert_invalid_token(&app, token, why).await;
    }
    assert_eq!(
        app.task(&good, "abcdefghij").await.status,
        404,
        "the genuine token still works"
    );
    app.advance(3599.0);
    assert_eq!(
        app.task(&good, "abcdefghij").await.status,
        404,
        "valid until exp"
    );
    app.advance(1.0);
    assert_invalid_token(&app, &good, "expired at exp (no leeway)").await;
}

#[tokio::test]
async fn a_token_from_another_seed_is_refused() {
    let other = TestApp::spawn_with(|b| b.seed(2)).await;
    let foreign = other.token().await;
    let app = TestApp::spawn().await;
    assert_invalid_token(&app, &foreign, "signed with another server's secret").await;
}

#[tokio::test]
async fn the_scheme_is_read_in_any_case_and_a_non_ascii_header_is_named() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    // `bearer`, any case, and spaces around the token: the token is what counts
    let r = app
        .send(
            app.http
                .get(app.url("/v1/tasks/abcdefghij"))
                .header("Authorization", format!("bEaReR   {token}  ")),
        )
        .await;
    r.assert_vendor_error(404, "TASK_NOT_FOUND");
    // a byte above 0x7f (allowed in an HTTP header value, never in a token)
    let mut value = format!("Bearer {token}").into_bytes();
    value.push(0xE9);
    let value =
        reqwest::header::HeaderValue::from_bytes(&value).expect("obs-text is a legal header byte");
    let r = app
        .send(
            app.http
                .get(app.url("/v1/tasks/abcdefghij"))
                .header("Authorization", value),
        )
        .await;
    assert_eq!(r.status, 401, "{}", r.text);
    assert_eq!(r.json["error"], "invalid_token", "{}", r.text);
    assert!(
        r.text.contains("Authorization header is not ASCII"),
        "{}",
        r.text
    );
}
