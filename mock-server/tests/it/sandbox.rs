//! Sandboxes on a shared mock: `POST /__admin/sandboxes` makes a copy of every fixture terminal and login with
//! new TIDs, apiKeys and usernames; what happens there never touches the fixtures' terminals or another
//! sandbox; a full reset keeps sandboxes; `DELETE` removes them, their logins' tokens included.

use reqwest::Method;
use serde_json::{Value, json};

use super::support::{API_KEY, PASSWORD, TID, TestApp, USER, sale, with};

/// The sandbox's copy of the default terminal and its login: (tid, apiKey, username).
fn copy_of_default(sandbox: &Value) -> (String, String, String) {
    let terminal = sandbox["terminals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["copyOf"] == TID)
        .expect("a copy of the default terminal");
    let account = sandbox["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["copyOf"] == USER)
        .expect("a copy of the default login");
    let s = |v: &Value| v.as_str().unwrap().to_owned();
    (
        s(&terminal["tid"]),
        s(&terminal["apiKey"]),
        s(&account["username"]),
    )
}

async fn token_for(app: &TestApp, user: &str, tid: &str) -> String {
    app.login_as(user, Some(tid)).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_sandbox_is_a_copy_of_the_fixtures_that_nobody_else_touches() {
    let app = TestApp::instant().await;
    let made = app
        .admin(Method::POST, "/sandboxes", json!({"label": "ci-1"}))
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    assert_eq!(
        (made.json["id"].as_str(), made.json["label"].as_str()),
        (Some("sb1"), Some("ci-1"))
    );
    let (tid, api_key, user) = copy_of_default(&made.json);
    assert_ne!(tid, TID);
    assert_eq!(tid.len(), 8, "{tid}");
    assert_ne!(api_key, API_KEY);
    assert_eq!(user, "jan.novak+sb1@example.com");
    assert_eq!(made.json["accounts"][0]["password"], PASSWORD);

    // a sale in the sandbox, with its own credentials
    let token = token_for(&app, &user, &tid).await;
    let body = with(
        with(sale(1111), "Tid", json!(tid)),
        "apiKey",
        json!(api_key),
    );
    let done = app.run_to_end(&token, &body).await;
    assert_eq!(done["status"], "COMPLETED", "{done}");
    // the fixture's apiKey is not the sandbox terminal's
    let wrong = app
        .create(&token, &with(body.clone(), "apiKey", json!(API_KEY)))
        .await;
    assert!(wrong.status.is_client_error(), "{}", wrong.text);
    // the fixture terminal saw nothing, and the fixture login cannot reach the sandbox terminal
    let state = app
        .admin(Method::GET, &format!("/state?tid={TID}"), Value::Null)
        .await;
    assert_eq!(state.json["tasks"], json!([]), "{}", state.text);
    let foreign = app
        .token_form(
            "/cloud/oauth/token",
            &[
                ("grant_type", "password"),
                ("username", USER),
                ("password", PASSWORD),
                ("tid", &tid),
            ],
        )
        .await;
    assert!(foreign.status.is_client_error(), "{}", foreign.text);

    // a second sandbox has terminals of its own
    let other = app.admin(Method::POST, "/sandboxes", Value::Null).await;
    assert_eq!(other.json["id"], "sb2");
    let (other_tid, _, _) = copy_of_default(&other.json);
    assert_ne!(other_tid, tid);
    let list = app.admin(Method::GET, "/sandboxes", Value::Null).await;
    let ids: Vec<&str> = list.json["sandboxes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["sb1", "sb2"]);

    // a full reset clears what happened but keeps the sandboxes and their logins
    assert_eq!(
        app.admin(Method::POST, "/reset", Value::Null).await.status,
        200
    );
    let after = app
        .admin(Method::GET, &format!("/state?tid={tid}"), Value::Null)
        .await;
    assert_eq!(after.json["tasks"], json!([]), "{}", after.text);
    let again = token_for(&app, &user, &tid).await;
    // used once: its login's grant is remembered with it (and must not outlive the login)
    assert_eq!(app.get(&again, "/v1/tasks/x").await.status, 404);

    // deleted: its login and its tokens stop working, its terminal is gone
    let gone = app
        .admin(Method::DELETE, "/sandboxes/sb1", Value::Null)
        .await;
    assert_eq!(gone.status, 200, "{}", gone.text);
    assert!(gone.json["tids"].as_array().unwrap().contains(&json!(tid)));
    let refused = app
        .token_form(
            "/cloud/oauth/token",
            &[
                ("grant_type", "password"),
                ("username", &user),
                ("password", PASSWORD),
                ("tid", &tid),
            ],
        )
        .await;
    assert!(refused.status.is_client_error(), "{}", refused.text);
    let stale = app.get(&again, "/v1/tasks/x").await;
    assert_eq!(stale.status, 401, "{}", stale.text);
    assert!(stale.text.contains("no longer exists"), "{}", stale.text);
    let state = app
        .admin(Method::GET, &format!("/state?tid={tid}"), Value::Null)
        .await;
    // its terminal is gone: the mock no longer knows the TID
    assert_eq!(state.status, 404, "{}", state.text);
    assert!(state.text.contains(&tid), "{}", state.text);
    // the other sandbox is untouched
    let (_, _, other_user) = copy_of_default(&other.json);
    token_for(&app, &other_user, &other_tid).await;
}

#[tokio::test]
async fn bad_sandbox_calls_say_what_is_wrong() {
    let app = TestApp::instant().await;
    let typo = app
        .admin(Method::POST, "/sandboxes", json!({"labl": "x"}))
        .await;
    assert_eq!(typo.status, 400, "{}", typo.text);
    assert!(typo.text.contains("labl"), "{}", typo.text);
    let unknown = app
        .admin(Method::DELETE, "/sandboxes/sb9", Value::Null)
        .await;
    assert_eq!(unknown.status, 404, "{}", unknown.text);
    assert!(unknown.text.contains("sb9"), "{}", unknown.text);
    assert_eq!(
        app.admin(Method::GET, "/sandboxes", Value::Null).await.json,
        json!({"sandboxes": []})
    );
    // in a sandbox, the state of a terminal outside it is not there to see
    let made = app.admin(Method::POST, "/sandboxes", json!({})).await;
    let (own, _, _) = copy_of_default(&made.json);
    let outside = format!("/state?tid={TID}");
    let r = in_sandbox(&app, "sb1", Method::GET, &outside, Value::Null).await;
    assert_eq!(r.status, 404, "{}", r.text);
    assert!(
        r.text
            .contains(&format!("no terminal with TID {TID} in sandbox sb1")),
        "{}",
        r.text
    );
    let inside = format!("/state?tid={own}");
    let r = in_sandbox(&app, "sb1", Method::GET, &inside, Value::Null).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["terminals"][0]["tid"].as_str(), Some(own.as_str()));
}

/// An admin call sent for a sandbox (`X-Gptom-Sandbox`).
async fn in_sandbox(
    app: &TestApp,
    id: &str,
    method: Method,
    path: &str,
    body: Value,
) -> super::support::Reply {
    let mut req = app
        .http
        .request(method, app.url(&format!("/__admin{path}")))
        .header("x-gptom-sandbox", id);
    if !body.is_null() {
        req = req.json(&body);
    }
    app.send(req).await
}

/// A task created by a POS of sandbox sb1 that says so.
async fn create_in_sb1(app: &TestApp, token: &str, body: &Value) -> super::support::Reply {
    let req = app
        .http
        .post(app.url("/v1/tasks/TRANSACTION"))
        .bearer_auth(token)
        .header("x-gptom-sandbox", "sb1")
        .json(body);
    app.send(req).await
}

#[tokio::test]
async fn a_sandbox_has_its_own_clock_fault_rules_and_journal() {
    let app = TestApp::instant().await;
    let made = app.admin(Method::POST, "/sandboxes", json!({})).await;
    let (tid, api_key, user) = copy_of_default(&made.json);
    let start = app.now();

    // its clock moves alone; the mock's and everyone else's stay
    let moved = in_sandbox(
        &app,
        "sb1",
        Method::POST,
        "/clock/advance",
        json!({"seconds": 600}),
    )
    .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.json["now"], start.plus_ms(600_000).to_rfc3339());
    assert_eq!(moved.json["sandboxOffsetMs"], 600_000);
    assert_eq!(
        app.admin(Method::GET, "/clock", json!(null)).await.json["now"],
        start.to_rfc3339()
    );
    let set = in_sandbox(
        &app,
        "sb1",
        Method::PUT,
        "/clock",
        json!({"now": start.plus_ms(60_000).to_rfc3339()}),
    )
    .await;
    assert_eq!(set.status, 400, "never backwards: {}", set.text);
    let gone = in_sandbox(
        &app,
        "sb9",
        Method::POST,
        "/clock/advance",
        json!({"seconds": 1}),
    )
    .await;
    assert_eq!(gone.status, 404, "{}", gone.text);
    assert!(
        gone.json["error"].as_str().unwrap().contains("sb9"),
        "{}",
        gone.text
    );

    // a task created in the sandbox carries its time
    let token = token_for(&app, &user, &tid).await;
    let body = with(
        with(sale(1111), "Tid", json!(tid)),
        "apiKey",
        json!(api_key),
    );
    let created = create_in_sb1(&app, &token, &body).await;
    assert_eq!(created.status, 200, "{}", created.text);
    assert_eq!(created.json["created"], start.plus_ms(600_000).to_rfc3339());

    // a rule added for the sandbox faults its requests only, and only it sees the rule
    let rule = json!({"match": {"path": "/v1/tasks/*", "method": "POST"}, "action": {"respond": {"status": 503, "type": "BUSY"}}});
    let added = in_sandbox(&app, "sb1", Method::POST, "/faults", rule).await;
    assert_eq!(added.status, 200, "{}", added.text);
    let mine = in_sandbox(&app, "sb1", Method::GET, "/faults", json!(null)).await;
    assert_eq!(
        mine.json["faults"][0]["match"]["sandbox"], "sb1",
        "{}",
        mine.text
    );
    let theirs = app.token().await;
    let outside = app.create(&theirs, &sale(1111)).await;
    assert_eq!(
        outside.status, 200,
        "another user's request is not faulted: {}",
        outside.text
    );
    let inside = create_in_sb1(&app, &token, &body).await;
    inside.assert_vendor_error(503, "BUSY");
    let other = app.admin(Method::POST, "/sandboxes", json!({})).await;
    assert_eq!(other.json["id"], "sb2");
    let none = in_sandbox(&app, "sb2", Method::GET, "/faults", json!(null)).await;
    assert_eq!(none.json["faults"], json!([]));
    let cleared = in_sandbox(&app, "sb2", Method::DELETE, "/faults", json!(null)).await;
    assert_eq!(cleared.status, 200);
    assert_eq!(
        app.admin(Method::GET, "/faults", json!(null)).await.json["faults"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "sb2 removed none of sb1's"
    );

    // its state dump shows its own terminals only, on its own clock
    let dump = in_sandbox(&app, "sb1", Method::GET, "/state", json!(null)).await;
    assert_eq!(dump.status, 200, "{}", dump.text);
    let shown: Vec<&str> = dump.json["terminals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tid"].as_str().unwrap())
        .collect();
    assert!(
        shown.contains(&tid.as_str()) && !shown.contains(&TID),
        "{shown:?}"
    );
    assert_eq!(dump.json["now"], start.plus_ms(600_000).to_rfc3339());

    // its journal holds its own requests only; deleting it removes them, those without a TID included
    let journal = in_sandbox(&app, "sb1", Method::GET, "/journal", json!(null)).await;
    let seen: Vec<&Value> = journal.json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["status"])
        .collect();
    assert_eq!(seen, [&json!(200), &json!(503)], "{}", journal.text);
    let deleted = app
        .admin(Method::DELETE, "/sandboxes/sb1", json!(null))
        .await;
    assert_eq!(deleted.status, 200);
    let left = app.admin(Method::GET, "/journal", json!(null)).await;
    assert!(
        left.json["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["headers"].get("x-gptom-sandbox").is_none()),
        "{}",
        left.text
    );
}
