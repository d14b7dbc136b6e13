//! POST /v1/tasks/{class} and GET /v1/tasks/{id}: shapes, access rules, validation, error bodies.

use serde_json::{Value, json};

use crate::support::*;

#[tokio::test]
async fn a_created_task_has_the_documented_fields_in_order() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let body = with(
        with(sale(1111), "originReferenceNum", json!("FD123456")),
        "unknownField",
        json!(1),
    );
    let r = app.create(&token, &body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("content-type"), "application/json");
    insta::assert_json_snapshot!("created_sale", r.json);
    let t = app.task(&token, r.json["taskId"].as_str().unwrap()).await;
    assert_eq!(
        t.json, r.json,
        "reading it at the same instant gives the same task"
    );
}

#[tokio::test]
async fn malformed_bodies_are_400_with_the_vendor_error_body() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    for raw in [
        "{not json",
        "[1,2]",
        "\"SALE\"",
        r#"{"amount":1111,"amount":1122}"#,
        r#"{"apiKey":"333W212J3","Tid":"999888","initiator":"i","title":"t","transactionOperation":"SALE","transactionType":"CARD","amount":{"value":1}}"#,
        "",
    ] {
        let req = app
            .http
            .post(app.url("/v1/tasks/TRANSACTION"))
            .bearer_auth(&token)
            .header("Content-Type", "application/json")
            .body(raw);
        let r = app.send(req).await;
        r.assert_vendor_error(400, "MALFORMED_REQUEST");
        assert!(
            r.json["message"].as_str().unwrap().len() > 10,
            "{raw}: {}",
            r.text
        );
    }
}

#[tokio::test]
async fn a_body_that_is_not_json_is_415_and_a_huge_one_413() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let r = app
        .send(
            app.http
                .post(app.url("/v1/tasks/TRANSACTION"))
                .bearer_auth(&token)
                .form(&[("amount", "1111")]),
        )
        .await;
    r.assert_vendor_error(415, "UNSUPPORTED_MEDIA_TYPE");
    let big = with(sale(1111), "title", json!("x".repeat(65 * 1024)));
    app.create(&token, &big)
        .await
        .assert_vendor_error(413, "PAYLOAD_TOO_LARGE");
    // nothing was stored by either
    let state = app.admin(reqwest::Method::GET, "/state", json!(null)).await;
    assert_eq!(state.json["tasks"], json!([]));
}

#[tokio::test]
async fn field_rules_are_406_naming_the_field() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let cases = [
        (
            with(sale(1111), "amount", json!(11.5)),
            "[amount]:{must be an integer between 1 and 99999999}",
        ),
        (
            with(sale(1111), "transactionType", json!("card")),
            "[transactionType]:{must be one of CASH, CARD}",
        ),
        (
            with(sale(1111), "currencyCode", json!("EUR")),
            "[currencyCode]:{must be the terminal's currency CZK}",
        ),
        (
            with(sale(1111), "timeToLive", json!(0)),
            "[timeToLive]:{must be an integer between 1 and 86400 (seconds)}",
        ),
        (
            with(sale(1111), "initiator", json!("")),
            "[initiator]:{must not be empty}",
        ),
        (
            with(void_last(1111), "cancelMode", json!(null)),
            "[cancelMode]:{is required}",
        ),
    ];
    for (body, context) in cases {
        let r = app.create(&token, &body).await;
        r.assert_vendor_error(406, "VALIDATION_EXCEPTION");
        assert_eq!(r.json["context"], context);
    }
    // Field names are case-sensitive; the message says what was probably meant.
    let mut lower = sale(1111);
    let tid = lower.as_object_mut().unwrap().remove("Tid").unwrap();
    lower["tid"] = tid;
    let r = app.create(&token, &lower).await;
    r.assert_vendor_error(406, "VALIDATION_EXCEPTION");
    assert_eq!(r.json["context"], "[Tid]:{is required}");
    assert!(
        r.json["message"].as_str().unwrap().contains("\"tid\""),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn numeric_strings_are_coerced_in_lenient_and_refused_in_strict() {
    let lenient = TestApp::spawn().await;
    let token = lenient.token().await;
    let body = with(
        with(sale(1111), "amount", json!("1111")),
        "printByPaymentApp",
        json!("false"),
    );
    let r = lenient.create(&token, &body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (
            r.json["payload"]["amount"].as_i64(),
            r.json["payload"]["printByPaymentApp"].as_bool()
        ),
        (Some(1111), Some(false))
    );

    let strict = TestApp::with_profiles("strict").await;
    let token = strict.token().await;
    let r = strict.create(&token, &body).await;
    r.assert_vendor_error(406, "VALIDATION_EXCEPTION");
    assert!(r.json["context"].as_str().unwrap().starts_with("[amount]"));
    let r = strict
        .create(&token, &with(sale(1111), "extra", json!(1)))
        .await;
    assert_eq!(
        r.json["context"],
        "[extra]:{unknown field (strict profile)}"
    );
}

#[tokio::test]
async fn access_rules_are_403_terminal_access_denied() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let other_tid = sale_on(&POKLADNA, 1111);
    let r = app.create(&token, &other_tid).await;
    r.assert_vendor_error(403, "TERMINAL_ACCESS_DENIED");
    assert_eq!(
        r.json["context"],
        "[Tid]:{the token is bound to TID 999888}"
    );
    let r = app
        .create(&token, &with(sale(1111), "apiKey", json!("WRONGKEY1")))
        .await;
    r.assert_vendor_error(403, "TERMINAL_ACCESS_DENIED");
    assert_eq!(
        r.json["context"],
        "[apiKey]:{not the API key of TID 999888}"
    );
    // A master token reaches its company's TIDs only.
    let master = app.login_as(MASTER, None).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let foreign = with(
        with(sale(1111), "Tid", json!("777001")),
        "apiKey",
        json!("OTHERC0MP"),
    );
    app.create(&master, &foreign)
        .await
        .assert_vendor_error(403, "TERMINAL_ACCESS_DENIED");
    // 403 comes before field rules: the amount is also wrong here.
    let both = with(
        with(sale(1111), "apiKey", json!("WRONGKEY1")),
        "amount",
        json!(0),
    );
    app.create(&token, &both)
        .await
        .assert_vendor_error(403, "TERMINAL_ACCESS_DENIED");
}

#[tokio::test]
async fn a_master_token_creates_and_reads_tasks_for_its_terminals() {
    let app = TestApp::instant().await;
    let master = app.login_as(MASTER, None).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = sale_on(&POKLADNA, 1111);
    let id = app.create_ok(&master, &body).await;
    let t = app.task(&master, &id).await;
    assert_eq!(t.json["status"], "COMPLETED");
    let txn = app
        .get(
            &master,
            &format!("/v1/transactions/{}", t.json["contextId"].as_str().unwrap()),
        )
        .await;
    assert_eq!(
        (txn.status.as_u16(), txn.json["Tid"].as_str()),
        (200, Some("483590"))
    );
    // The terminal token of 999888 does not see it.
    let token = app.token().await;
    app.task(&token, &id)
        .await
        .assert_vendor_error(404, "TASK_NOT_FOUND");
}

#[tokio::test]
async fn unknown_or_foreign_tasks_are_404_or_403_under_the_profile() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let r = app.task(&token, "NoSuchTask").await;
    r.assert_vendor_error(404, "TASK_NOT_FOUND");
    assert_eq!(
        r.json["message"],
        "cloud job not found for current terminal"
    );
    let other = app.token_of(&POKLADNA).await;
    let body = sale_on(&POKLADNA, 1111);
    let id = app.create_ok(&other, &body).await;
    app.task(&token, &id)
        .await
        .assert_vendor_error(404, "TASK_NOT_FOUND");

    let app = TestApp::with_profiles("task-not-found-403").await;
    let token = app.token().await;
    app.task(&token, "NoSuchTask")
        .await
        .assert_vendor_error(403, "TASK_NOT_FOUND");
}

#[tokio::test]
async fn an_unreachable_terminal_is_502_and_no_task_is_created() {
    let app = TestApp::spawn().await;
    let token = app.token_of(&OFFLINE).await;
    let body = sale_on(&OFFLINE, 1111);
    let r = app.create(&token, &body).await;
    r.assert_vendor_error(502, "PUSH_NOTIFICATION_FAILED");
    let state = app.admin(reqwest::Method::GET, "/state", json!(null)).await;
    assert_eq!(state.json["tasks"], json!([]));
    // Validation still comes first: a bad amount on the unreachable terminal is a 406.
    app.create(&token, &with(body, "amount", json!(0)))
        .await
        .assert_vendor_error(406, "VALIDATION_EXCEPTION");
}

#[tokio::test]
async fn a_semi_integrated_terminal_refuses_a_second_unfinished_task() {
    let app = TestApp::spawn().await;
    let token = app.token_of(&SEMI).await;
    let body = sale_on(&SEMI, 1111);
    app.create_ok(&token, &body).await;
    app.create(&token, &body)
        .await
        .assert_vendor_error(406, "TERMINAL_BUSY");
    app.advance(5.0);
    app.create_ok(&token, &body).await; // the first one is COMPLETED now
}

#[tokio::test]
async fn unsupported_task_classes_unknown_routes_and_wrong_methods() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let r = app.post_json(&token, "/v1/tasks/DUMMY", &sale(1111)).await;
    r.assert_vendor_error(406, "VALIDATION_EXCEPTION");
    assert_eq!(r.json["context"], "[taskClass]:{unsupported}");
    let r = app.get(&token, "/v1/nothing/here").await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.json,
        json!({"status": 404, "error": "Not Found", "path": "/v1/nothing/here"})
    );
    let r = app
        .send(
            app.http
                .delete(app.url("/v1/tasks/abc"))
                .bearer_auth(&token),
        )
        .await;
    assert_eq!(r.status, 405);
    assert!(r.header("allow").contains("GET"), "{:?}", r.headers);
    assert_eq!(r.json["error"], "Method Not Allowed");
}

#[tokio::test]
async fn an_undecodable_path_segment_is_a_400_with_the_vendor_body() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    app.task(&token, "%FF%FE")
        .await
        .assert_vendor_error(400, "MALFORMED_REQUEST");
    app.get(&token, "/v1/transactions/%C0")
        .await
        .assert_vendor_error(400, "MALFORMED_REQUEST");
}

#[tokio::test]
async fn a_terminal_queues_at_most_max_queue_unfinished_tasks() {
    let config = mock_server::Config {
        port: 0,
        max_queue: 3,
        ..Default::default()
    };
    let app = TestApp::spawn_with(|b| b.config(config)).await;
    let token = app.token().await;
    for _ in 0..3 {
        app.create_ok(&token, &sale(1111)).await;
    }
    let r = app.create(&token, &sale(1111)).await;
    r.assert_vendor_error(406, "TERMINAL_BUSY");
    assert!(
        r.json["message"].as_str().unwrap().contains("--max-queue"),
        "{}",
        r.text
    );
    let other = app.token_of(&POKLADNA).await;
    app.create_ok(&other, &sale_on(&POKLADNA, 1111)).await; // other terminals are not affected
    app.advance(5.0); // the first task is done: room for one more
    app.create_ok(&token, &sale(1111)).await;
}

/// The task routes' requests, right and wrong, as `(method, path, token?, content type, body)`.
fn task_requests(
    id: &str,
) -> Vec<(
    reqwest::Method,
    String,
    Option<&'static str>,
    &'static str,
    String,
)> {
    use reqwest::Method;
    let sale = sale(1111).to_string();
    let json = "application/json";
    vec![
        (
            Method::POST,
            "/v1/tasks/TRANSACTION".into(),
            Some("ok"),
            json,
            sale.clone(),
        ),
        (
            Method::GET,
            format!("/v1/tasks/{id}"),
            Some("ok"),
            "",
            String::new(),
        ),
        (
            Method::GET,
            "/v1/tasks/TRANSACTION".into(),
            Some("ok"),
            "",
            String::new(),
        ),
        (
            Method::GET,
            "/v1/tasks/BATCH".into(),
            Some("ok"),
            "",
            String::new(),
        ),
        (
            Method::GET,
            "/v1/tasks/unknown123".into(),
            Some("ok"),
            "",
            String::new(),
        ),
        (
            Method::GET,
            format!("/v1/tasks/{id}?x=1"),
            Some("ok"),
            "",
            String::new(),
        ),
        (
            Method::GET,
            format!("/v1/tasks/{id}/"),
            Some("ok"),
            "",
            String::new(),
        ),
        (
            Method::GET,
            "/v1/tasks/ab%20c".into(),
            Some("ok"),
            "",
            String::new(),
        ),
        (
            Method::HEAD,
            format!("/v1/tasks/{id}"),
            Some("ok"),
            "",
            String::new(),
        ),
        (
            Method::GET,
            format!("/v1/tasks/{id}"),
            None,
            "",
            String::new(),
        ),
        (
            Method::GET,
            format!("/v1/tasks/{id}"),
            Some("bad"),
            "",
            String::new(),
        ),
        (
            Method::POST,
            "/v1/tasks/TRANSACTION".into(),
            Some("basic"),
            json,
            sale.clone(),
        ),
        // the token is judged first: before the content type and the body (the hot path verifies it in the
        // engine call, after reading both)
        (
            Method::POST,
            "/v1/tasks/TRANSACTION".into(),
            Some("bad"),
            "text/plain",
            "{\"amount\": ".into(),
        ),
        (
            Method::POST,
            "/v1/tasks/TRANSACTION".into(),
            None,
            json,
            "{\"amount\": ".into(),
        ),
        (
            Method::POST,
            "/v1/tasks/TRANSACTION".into(),
            Some("ok"),
            "text/plain",
            sale.clone(),
        ),
        (
            Method::POST,
            "/v1/tasks/TRANSACTION".into(),
            Some("ok"),
            "",
            sale.clone(),
        ),
        (
            Method::POST,
            "/v1/tasks/TRANSACTION".into(),
            Some("ok"),
            "application/json; charset=UTF-8",
            sale.clone(),
        ),
        (
            Method::POST,
            "/v1/tasks/TRANSACTION".into(),
            Some("ok"),
            json,
            "{\"amount\": ".into(),
        ),
        (
            Method::POST,
            "/v1/tasks/TRANSACTION".into(),
            Some("ok"),
            json,
            "{\"a\": 1, \"a\": 2}".into(),
        ),
        (
            Method::POST,
            "/v1/tasks/TRANSACTION".into(),
            Some("ok"),
            json,
            "[1]".into(),
        ),
        (
            Method::POST,
            "/v1/tasks/TRANSACTION".into(),
            Some("ok"),
            json,
            "{\"Tid\": \"999888\"}".into(),
        ),
        (
            Method::POST,
            "/v1/tasks/DUMMY".into(),
            Some("ok"),
            json,
            sale.clone(),
        ),
        (
            Method::POST,
            "/v1/tasks/DUMMY".into(),
            Some("ok"),
            "text/plain",
            "x".into(),
        ),
        (
            Method::POST,
            "/v1/tasks/BATCH".into(),
            Some("ok"),
            json,
            batch().to_string(),
        ),
        (
            Method::POST,
            "/v1/tasks/%42ATCH".into(),
            Some("ok"),
            json,
            batch().to_string(),
        ),
        (
            Method::PUT,
            "/v1/tasks/TRANSACTION".into(),
            Some("ok"),
            json,
            sale,
        ),
    ]
}

/// Every answer of the task routes, as the client sees it (status, headers but `date`, body).
async fn task_answers(app: &TestApp) -> Vec<String> {
    let token = app.token().await;
    let id = app.create_ok(&token, &sale(2222)).await;
    app.advance(3.0);
    let mut seen = Vec::new();
    for (method, path, auth, content_type, body) in task_requests(&id) {
        let mut req = app.http.request(method.clone(), app.url(&path));
        req = match auth {
            Some("ok") => req.bearer_auth(&token),
            Some("bad") => req.bearer_auth("not.a.token"),
            Some(_) => req.basic_auth(CLIENT.0, Some(CLIENT.1)),
            None => req,
        };
        if !content_type.is_empty() {
            req = req.header("content-type", content_type);
        }
        if !body.is_empty() {
            req = req.body(body);
        }
        let r = app.send(req).await;
        let mut headers: Vec<String> = r
            .headers
            .iter()
            .filter(|(k, _)| *k != "date")
            .map(|(k, v)| format!("{k}: {}", v.to_str().unwrap_or("?")))
            .collect();
        headers.sort();
        seen.push(format!(
            "{method} {path}\n{}\n{}\n{}",
            r.status,
            headers.join("\n"),
            r.text
        ));
        app.advance(1.0);
    }
    let journal = app
        .admin(reqwest::Method::GET, "/journal", json!(null))
        .await;
    // the same but for the port each mock listens on
    seen.push(journal.text.replace(&app.mock.addr().to_string(), "HOST"));
    seen
}

/// Polls and task creations skip the router when nothing could fault them (`http::hot`); a mock with a fault
/// rule in force (one that matches nothing) takes every request through the router and the fault layer. Both
/// must answer and journal alike, byte for byte, the errors included.
#[tokio::test]
async fn the_task_routes_answer_alike_with_and_without_the_router() {
    let direct = TestApp::spawn().await;
    let routed = TestApp::spawn().await;
    let rule = json!({"match": {"tid": "000000"}, "action": {"respond": {"status": 500, "type": "INTERNAL_ERROR"}}});
    let r = routed.admin(reqwest::Method::POST, "/faults", rule).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (a, b) = (task_answers(&direct).await, task_answers(&routed).await);
    assert_eq!(a.len(), b.len());
    for (a, b) in a.iter().zip(&b) {
        assert_eq!(
            a, b,
            "the direct answer (left) differs from the routed one (right)"
        );
    }
    assert!(
        a[0].starts_with("POST /v1/tasks/TRANSACTION\n200 OK"),
        "{}",
        a[0]
    );
    assert!(a[1].contains("\n200 OK\n"), "{}", a[1]);
    let refused = |token: &str| {
        a.iter()
            .filter(|seen| seen.starts_with("POST /v1/tasks/TRANSACTION\n401"))
            .filter(|seen| seen.contains(token))
            .count()
    };
    assert_eq!(refused("invalid_token"), 1, "a bad token before a bad body");
    assert_eq!(
        refused("Full authentication is required"),
        2,
        "Basic credentials, and no token before a bad body"
    );
}

/// Polls are answered from the bytes kept for the terminal's last poll while nothing changed (engine::kept): two
/// tasks of one terminal polled in turn, across their status changes, each get their own answer, and an answer read
/// again is byte for byte what it was.
#[tokio::test]
async fn tasks_polled_in_turn_each_get_their_own_answer_as_it_changes() {
    let app = TestApp::spawn().await; // realistic: a card sale takes 5 s, the next one queues behind it
    let token = app.token().await;
    let a = app.create_ok(&token, &sale(1111)).await;
    let b = app.create_ok(&token, &sale(2222)).await;
    let mut seen = Vec::new();
    for step in [0.0, 1.0, 4.0, 1.0, 5.0] {
        app.advance(step);
        for id in [&a, &b, &a, &b] {
            let r = app.task(&token, id).await;
            assert_eq!(r.status, 200, "{}", r.text);
            assert_eq!(r.json["taskId"], json!(id), "{}", r.text);
            seen.push((id.clone(), r.text));
        }
    }
    for pair in seen.chunks(4) {
        assert_eq!(pair[0], pair[2], "the same task read twice at one time");
        assert_eq!(pair[1], pair[3]);
        assert_ne!(pair[0].1, pair[1].1);
    }
    let status = |text: &str| serde_json::from_str::<Value>(text).unwrap()["status"].clone();
    let of = |i: usize| (status(&seen[4 * i].1), status(&seen[4 * i + 1].1));
    assert_eq!(of(0), (json!("CREATED"), json!("CREATED")));
    assert_eq!(of(1), (json!("STARTED"), json!("CREATED")));
    assert_eq!(
        of(2),
        (json!("COMPLETED"), json!("CREATED")),
        "b waits for a"
    );
    assert_eq!(of(4), (json!("COMPLETED"), json!("COMPLETED")));
    assert_eq!(seen[8].1, seen[12].1, "a's final answer does not change");
    let amount =
        |text: &str| serde_json::from_str::<Value>(text).unwrap()["payload"]["amount"].clone();
    assert_eq!(amount(&seen[16].1), json!(1111));
    assert_eq!(amount(&seen[17].1), json!(2222));
}
