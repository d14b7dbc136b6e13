//! Token endpoint: grants, client check, Spring-OAuth errors, lifetimes, strict paths.

use crate::support::*;
use base64::Engine as _;

fn claims(jwt: &str) -> serde_json::Value {
    let part = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn terminal_login_returns_the_documented_fields_in_order() {
    let app = TestApp::spawn().await;
    let t = app.login_as(USER, Some(TID)).await;
    let keys: Vec<&str> = t.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "access_token",
            "token_type",
            "refresh_token",
            "expires_in",
            "scope",
            "tid",
            "jti"
        ]
    );
    assert_eq!(
        (t["token_type"].as_str(), t["scope"].as_str()),
        (Some("bearer"), Some("read write"))
    );
    assert_eq!(
        (t["expires_in"].as_i64(), t["tid"].as_str()),
        (Some(3600), Some(TID))
    );
    let header = t["access_token"]
        .as_str()
        .unwrap()
        .split('.')
        .next()
        .unwrap();
    let header: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(header)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["alg"], "HS256");
    let c = claims(t["access_token"].as_str().unwrap());
    assert_eq!(c["user_name"], USER);
    assert_eq!(c["tid"], TID);
    assert_eq!(c["client_id"], "atom");
    assert_eq!(c["authorities"][0], "ROLE_TERMINAL");
    assert_eq!(c["scope"], serde_json::json!(["read", "write"]));
    assert_eq!(
        c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(),
        3600
    );
    assert_eq!(
        c["iat"].as_i64().unwrap(),
        app.now().unix_seconds(),
        "iat comes from the mock clock"
    );
    assert_eq!(c["jti"], t["jti"]);
    let r = claims(t["refresh_token"].as_str().unwrap());
    assert_eq!(r["ati"], t["jti"]);
    assert_eq!(
        r["exp"].as_i64().unwrap() - r["iat"].as_i64().unwrap(),
        90 * 86_400
    );
}

#[tokio::test]
async fn master_login_has_null_tid_and_a_day_lifetime() {
    let app = TestApp::spawn().await;
    let t = app.login_as(MASTER, Some("ignored")).await;
    assert!(t["tid"].is_null());
    assert_eq!(t["expires_in"], 86_399);
    let c = claims(t["access_token"].as_str().unwrap());
    assert!(c["tid"].is_null());
    assert_eq!(c["authorities"][0], "ROLE_MASTER");
}

#[tokio::test]
async fn client_credentials_are_checked_first() {
    let app = TestApp::spawn().await;
    let form = [
        ("grant_type", "password"),
        ("username", USER),
        ("password", PASSWORD),
        ("tid", TID),
    ];
    let none = app
        .send(app.http.post(app.url("/cloud/oauth/token")).form(&form))
        .await;
    let wrong = app
        .send(
            app.http
                .post(app.url("/cloud/oauth/token"))
                .basic_auth("atom", Some("nope"))
                .form(&form),
        )
        .await;
    let garbage = app
        .send(
            app.http
                .post(app.url("/cloud/oauth/token"))
                .header("Authorization", "Basic !!!")
                .form(&form),
        )
        .await;
    for r in [none, wrong, garbage] {
        assert_eq!(r.status, 401, "{}", r.text);
        assert_eq!(
            r.json,
            serde_json::json!({"error": "invalid_client", "error_description": "Bad client credentials"})
        );
        assert_eq!(
            r.header("www-authenticate"),
            "Basic realm=\"oauth2/client\""
        );
    }
}

#[tokio::test]
async fn grant_errors_are_spring_oauth_shaped() {
    let app = TestApp::spawn().await;
    type Form<'a> = Vec<(&'a str, &'a str)>;
    let cases: Vec<(Form, &str, &str)> = vec![
        (
            vec![("username", USER)],
            "invalid_request",
            "Missing grant type",
        ),
        (
            vec![("grant_type", "client_credentials")],
            "unsupported_grant_type",
            "Unsupported grant type: client_credentials",
        ),
        (
            vec![
                ("grant_type", "password"),
                ("username", USER),
                ("password", "wrong"),
                ("tid", TID),
            ],
            "invalid_grant",
            "Bad credentials",
        ),
        (
            vec![
                ("grant_type", "password"),
                ("username", "nobody@example.com"),
                ("password", PASSWORD),
            ],
            "invalid_grant",
            "Bad credentials",
        ),
        (
            vec![("grant_type", "password"), ("password", PASSWORD)],
            "invalid_grant",
            "Bad credentials",
        ),
        (
            vec![
                ("grant_type", "password"),
                ("username", USER),
                ("password", PASSWORD),
                ("tid", "483590"),
            ],
            "invalid_grant",
            "TID 483590 is not assigned to this user",
        ),
        (
            vec![
                ("grant_type", "password"),
                ("username", USER),
                ("password", PASSWORD),
            ],
            "invalid_grant",
            "TID (missing) is not assigned to this user",
        ),
        (
            vec![
                ("grant_type", "refresh_token"),
                ("refresh_token", "not-a-jwt"),
            ],
            "invalid_grant",
            "Invalid refresh token",
        ),
    ];
    for (form, error, description) in cases {
        let r = app.token_form("/cloud/oauth/token", &form).await;
        assert_eq!(r.status, 400, "{form:?}: {}", r.text);
        assert_eq!(
            r.json,
            serde_json::json!({"error": error, "error_description": description}),
            "{form:?}"
        );
    }
}

#[tokio::test]
async fn a_body_that_is_not_form_encoded_is_invalid_request() {
    let app = TestApp::spawn().await;
    let r = app
        .send(
            app.http
                .post(app.url("/cloud/oauth/token"))
                .basic_auth(CLIENT.0, Some(CLIENT.1))
                .json(&serde_json::json!({"grant_type": "password"})),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json["error"], "invalid_request");
}

#[tokio::test]
async fn refresh_returns_a_new_access_token_and_the_same_refresh_token() {
    let app = TestApp::spawn().await;
    let first = app.login_as(USER, Some(TID)).await;
    let refresh = first["refresh_token"].as_str().unwrap();
    app.advance(3601.0); // the access token has expired
    let old = first["access_token"].as_str().unwrap();
    assert_eq!(app.task(old, "abc").await.status, 401);
    // Both paths accept both grants in the default (lenient) profile.
    for path in ["/api/oauth/token", "/cloud/oauth/token"] {
        let r = app
            .token_form(
                path,
                &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
            )
            .await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        assert_eq!(r.json["refresh_token"], refresh);
        assert_eq!(r.json["tid"], TID);
        assert_ne!(r.json["access_token"], first["access_token"]);
        let fresh = r.json["access_token"].as_str().unwrap();
        assert_eq!(
            app.task(fresh, "abc").await.status,
            404,
            "the new token is accepted"
        );
    }
}

#[tokio::test]
async fn an_access_token_or_an_expired_refresh_token_is_not_a_refresh_token() {
    let app = TestApp::spawn().await;
    let t = app.login_as(USER, Some(TID)).await;
    let r = app
        .token_form(
            "/api/oauth/token",
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", t["access_token"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.json["error_description"].as_str()),
        (400, Some("Invalid refresh token"))
    );
    app.advance(90.0 * 86_400.0);
    let r = app
        .token_form(
            "/api/oauth/token",
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", t["refresh_token"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.json["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn strict_profile_binds_each_grant_to_its_documented_path() {
    let app = TestApp::with_profiles("strict").await;
    let login = [
        ("grant_type", "password"),
        ("username", USER),
        ("password", PASSWORD),
        ("tid", TID),
    ];
    let r = app.token_form("/api/oauth/token", &login).await;
    assert_eq!(
        (r.status.as_u16(), r.json["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
    let ok = app.token_form("/cloud/oauth/token", &login).await;
    assert_eq!(ok.status, 200);
    let refresh = [
        ("grant_type", "refresh_token"),
        ("refresh_token", ok.json["refresh_token"].as_str().unwrap()),
    ];
    let r = app.token_form("/cloud/oauth/token", &refresh).await;
    assert_eq!(
        (r.status.as_u16(), r.json["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
    assert_eq!(
        app.token_form("/api/oauth/token", &refresh).await.status,
        200
    );
}
