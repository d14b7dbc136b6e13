//! Task lifecycle computed from the clock: realistic and instant latency, outcomes by amount, the FIFO
//! queue, timeToLive, the device timeout.

use serde_json::{Value, json};

use crate::support::*;

/// Statuses of task `id` read at each offset (seconds from now, increasing).
async fn timeline(app: &TestApp, token: &str, id: &str, at: &[f64]) -> Vec<String> {
    let mut out = Vec::new();
    let mut elapsed = 0.0;
    for t in at {
        app.advance(t - elapsed);
        elapsed = *t;
        out.push(app.status(token, id).await);
    }
    out
}

#[tokio::test]
async fn realistic_card_sale_moves_through_every_status() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let id = app.create_ok(&token, &sale(1111)).await;
    let seen = timeline(
        &app,
        &token,
        &id,
        &[0.0, 0.999, 1.0, 1.5, 2.0, 4.999, 5.0, 500.0],
    )
    .await;
    assert_eq!(
        seen,
        [
            "CREATED",
            "CREATED",
            "STARTED",
            "INIT_OK",
            "IN_PROGRESS",
            "IN_PROGRESS",
            "COMPLETED",
            "COMPLETED"
        ]
    );
}

#[tokio::test]
async fn cash_and_batch_are_faster_than_card() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let cash = app
        .create_ok(&token, &with(sale(5000), "transactionType", json!("CASH")))
        .await;
    assert_eq!(
        timeline(&app, &token, &cash, &[2.499, 2.5]).await,
        ["IN_PROGRESS", "COMPLETED"]
    );
    let batch = app.create_class_ok("BATCH", &token, &batch()).await;
    assert_eq!(
        timeline(&app, &token, &batch, &[3.999, 4.0]).await,
        ["IN_PROGRESS", "COMPLETED"]
    );
}

#[tokio::test]
async fn every_latency_answers_a_create_with_created_and_instant_is_final_by_the_first_poll() {
    for app in [TestApp::instant().await, TestApp::spawn().await] {
        let token = app.token().await;
        for amount in [1111, 1124, 1126] {
            let r = app.create(&token, &sale(amount)).await;
            assert_eq!(r.json["status"], "CREATED", "{}", r.text);
            assert_eq!(r.json["contextId"], Value::Null, "{}", r.text);
            assert!(r.json.get("exceptionId").is_none(), "{}", r.text);
        }
    }
    // instant: the same instant's first poll is final, with its transaction
    let app = TestApp::instant().await;
    let token = app.token().await;
    let id = app.create_ok(&token, &sale(1111)).await;
    let r = app.task(&token, &id).await;
    assert_eq!(r.json["status"], "COMPLETED", "{}", r.text);
    let txn = r.json["contextId"].as_str().expect("contextId");
    assert_eq!(
        app.get(&token, &format!("/v1/transactions/{txn}"))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn each_simulator_amount_has_its_outcome() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    // (amount, final status, error type, transaction result)
    let rows = [
        (1111, "COMPLETED", None, Some("ACCEPTED")),
        (1122, "COMPLETED", None, Some("DECLINED")),
        (1123, "ERROR", Some("TIMEOUT"), None),
        (1124, "ERROR", Some("PAYMENT_EXCEPTION"), None),
        (1125, "CANCELLED", None, None),
        (1126, "INIT_ERROR", Some("INIT_FAILED"), None),
        (1127, "COMPLETED", None, Some("CANCELLED")),
        (9991, "COMPLETED", None, Some("ACCEPTED")),
        (9992, "COMPLETED", None, Some("ACCEPTED")),
        (4242, "COMPLETED", None, Some("ACCEPTED")),
    ];
    for (amount, status, error, result) in rows {
        let t = app.run_to_end(&token, &sale(amount)).await;
        assert_eq!(t["status"], status, "{amount}: {t}");
        assert_eq!(t["type"].as_str(), error, "{amount}: {t}");
        match error {
            Some(_) => {
                assert!(
                    t["exceptionId"].as_str().is_some_and(|s| s.len() == 6),
                    "{t}"
                );
                assert!(
                    t["message"].is_string() && t.get("context").is_some(),
                    "{t}"
                );
            }
            None => assert!(
                t.get("exceptionId").is_none() && t.get("type").is_none(),
                "{amount}: {t}"
            ),
        }
        match result {
            Some(result) => {
                let txn = app
                    .get(
                        &token,
                        &format!("/v1/transactions/{}", t["contextId"].as_str().unwrap()),
                    )
                    .await;
                assert_eq!(txn.json["result"], result, "{amount}: {}", txn.text);
                assert_eq!(
                    txn.json.get("dccData").is_some(),
                    (9991..=9992).contains(&amount),
                    "{amount}"
                );
            }
            None => assert!(
                t["contextId"].is_null(),
                "{amount}: no transaction, so no contextId: {t}"
            ),
        }
    }
}

#[tokio::test]
async fn cash_always_approves_whatever_the_amount() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let t = app
        .run_to_end(&token, &with(sale(1122), "transactionType", json!("CASH")))
        .await;
    let txn = app
        .get(
            &token,
            &format!("/v1/transactions/{}", t["contextId"].as_str().unwrap()),
        )
        .await;
    assert_eq!(txn.json["result"], "ACCEPTED");
}

#[tokio::test]
async fn a_timeout_stays_in_progress_for_the_device_timeout() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let id = app.create_ok(&token, &sale(1123)).await;
    // IN_PROGRESS from 2 s; the device gives up 60 s later.
    let seen = timeline(&app, &token, &id, &[2.0, 30.0, 61.999, 62.0]).await;
    assert_eq!(seen, ["IN_PROGRESS", "IN_PROGRESS", "IN_PROGRESS", "ERROR"]);
}

#[tokio::test]
async fn init_error_follows_started_and_customer_cancel_follows_in_progress() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let init = app.create_ok(&token, &sale(1126)).await;
    assert_eq!(
        timeline(&app, &token, &init, &[1.0, 1.5]).await,
        ["STARTED", "INIT_ERROR"]
    );
    let cancel = app.create_ok(&token, &sale(1125)).await;
    assert_eq!(
        timeline(&app, &token, &cancel, &[2.0, 4.999, 5.0]).await,
        ["IN_PROGRESS", "IN_PROGRESS", "CANCELLED"]
    );
}

#[tokio::test]
async fn tasks_of_one_terminal_run_one_at_a_time_in_order() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let a = app.create_ok(&token, &sale(1111)).await;
    let b = app.create_ok(&token, &sale(1111)).await;
    let c = app.create_ok(&token, &sale(1111)).await;
    app.advance(1.0); // t = 1
    // a: 0–5 s, b: 5–10 s, c: 10–15 s
    assert_eq!(app.status(&token, &a).await, "STARTED");
    assert_eq!(app.status(&token, &b).await, "CREATED");
    app.advance(4.0); // t = 5
    assert_eq!(
        [
            app.status(&token, &a).await,
            app.status(&token, &b).await,
            app.status(&token, &c).await
        ],
        ["COMPLETED", "CREATED", "CREATED"]
    );
    app.advance(1.0); // t = 6
    assert_eq!(
        [app.status(&token, &b).await, app.status(&token, &c).await],
        ["STARTED", "CREATED"]
    );
    app.advance(4.0); // t = 10
    assert_eq!(
        [app.status(&token, &b).await, app.status(&token, &c).await],
        ["COMPLETED", "CREATED"]
    );
    app.advance(5.0); // t = 15
    assert_eq!(app.status(&token, &c).await, "COMPLETED");
    // Other terminals are not held up by this queue.
    let other = app.token_of(&POKLADNA).await;
    let body = sale_on(&POKLADNA, 1111);
    let d = app.create_ok(&other, &body).await;
    app.advance(5.0);
    assert_eq!(app.status(&other, &d).await, "COMPLETED");
}

#[tokio::test]
async fn a_task_not_started_within_its_time_to_live_expires() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let busy = app.create_ok(&token, &sale(1123)).await; // holds the terminal for 62 s
    let late = app
        .create_ok(&token, &with(sale(1111), "timeToLive", json!(10)))
        .await;
    let after = app.create_ok(&token, &sale(1111)).await;
    app.advance(9.999);
    assert_eq!(app.status(&token, &late).await, "CREATED");
    app.advance(0.001);
    let t = app.task(&token, &late).await.json;
    assert_eq!(
        (t["status"].as_str(), t["type"].as_str()),
        (Some("ERROR"), Some("TASK_EXPIRED")),
        "{t}"
    );
    // The expired task does not occupy the terminal: `after` starts when `busy` ends.
    app.advance(52.0); // t = 62
    assert_eq!(app.status(&token, &busy).await, "ERROR");
    app.advance(5.0); // t = 67
    assert_eq!(app.status(&token, &after).await, "COMPLETED");
    // A task that starts in time is not affected by its TTL.
    let prompt = app
        .create_ok(&token, &with(sale(1111), "timeToLive", json!(1)))
        .await;
    app.advance(5.0);
    assert_eq!(app.status(&token, &prompt).await, "COMPLETED");
}

#[tokio::test]
async fn ttl_cancelled_profile_ends_expired_tasks_cancelled() {
    let app = TestApp::with_profiles("ttl-cancelled").await;
    let token = app.token().await;
    app.create_ok(&token, &sale(1123)).await;
    let late = app
        .create_ok(&token, &with(sale(1111), "timeToLive", json!(10)))
        .await;
    app.advance(10.0);
    let t = app.task(&token, &late).await.json;
    assert_eq!(t["status"], "CANCELLED");
    assert!(t.get("type").is_none(), "{t}");
}

#[tokio::test]
async fn the_builder_checks_the_config_like_the_cli_does() {
    let refused = |config: mock_server::Config| async {
        match mock_server::MockServer::builder()
            .config(config)
            .start()
            .await
        {
            Err(mock_server::StartError::Config(why)) => why,
            Err(other) => panic!("expected a config error, got {other}"),
            Ok(m) => panic!("started on {} with a bad config", m.base_url()),
        }
    };
    let base = || mock_server::Config {
        port: 0,
        ..mock_server::Config::default()
    };
    let why = refused(mock_server::Config {
        journal_cap: 0,
        ..base()
    })
    .await;
    assert_eq!(why, "journal cap: must be at least 1");
    let why = refused(mock_server::Config {
        keep_alive_timeout: std::time::Duration::ZERO,
        ..base()
    })
    .await;
    assert!(why.starts_with("--keep-alive-timeout 0:"), "{why}");
    match mock_server::MockServer::builder()
        .profiles("strict,relaxed")
        .start()
        .await
    {
        Err(mock_server::StartError::Config(why)) => {
            assert!(why.contains("relaxed") && why.contains("strict"), "{why}")
        }
        _ => panic!("an unknown profile name must not start"),
    }
}
