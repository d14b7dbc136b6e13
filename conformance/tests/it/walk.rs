//! The interactive walk-through (`certify-client` without `--judge`) driven end to end: the walk arms an
//! embedded mock (manual clock, realistic latency), and a scripted POS in another task does what each item
//! asks as soon as the item starts; an operator line skips one item. Nothing sleeps: the POS moves the mock
//! clock, and the walk reads the journal every few milliseconds.

use std::time::Duration;

use conformance::certify::{self as walk, Event, ItemVerdict, ListVersion, WalkOptions};
use conformance::report::{Outcome, html, json, junit};
use conformance::target::Credentials;
use serde_json::json;
use tokio::sync::mpsc;

use super::pos::{API_KEY, Pos, TID, sale};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scripted_pos_walks_through_list_v3() {
    let mut pos = Pos::start().await;
    pos.login().await;
    let base = pos.mock.base_url().to_owned();
    let (item_tx, mut item_rx) = mpsc::unbounded_channel::<&'static str>();
    let (line_tx, mut lines) = mpsc::unbounded_channel::<String>();
    let script = tokio::spawn(async move {
        let mut first_txn = String::new();
        while let Some(key) = item_rx.recv().await {
            pos.wait(5.0);
            match key {
                "sale" => first_txn = pos.good_sale(&sale(1111)).await,
                "declined" => {
                    pos.good_sale(&sale(1122)).await;
                }
                "timeout" => {
                    let task = pos.created("TRANSACTION", &sale(1123)).await;
                    assert_eq!(pos.poll_to_final(&task, 2.0).await["status"], "ERROR");
                    pos.wait(60.0); // the operator checks the terminal before anything else
                }
                "exception" => {
                    // this POS polls ten times a second: the item fails on CLIENT-POLL-RATE
                    let task = pos.created("TRANSACTION", &sale(1124)).await;
                    assert_eq!(pos.poll_to_final(&task, 0.1).await["status"], "ERROR");
                    pos.wait(60.0);
                }
                "void" => {
                    pos.good_sale(&sale(1500)).await;
                    let mut last = sale(1500);
                    last["transactionOperation"] = json!("VOID");
                    last["cancelMode"] = json!("LAST_TRANSACTION");
                    let task = pos.created("TRANSACTION", &last).await;
                    assert_eq!(pos.poll_to_final(&task, 1.0).await["status"], "COMPLETED");
                    let mut older = sale(1111);
                    older["transactionOperation"] = json!("VOID");
                    older["cancelMode"] = json!("OLDER_TRANSACTION");
                    older["originTransactionId"] = json!(first_txn);
                    let task = pos.created("TRANSACTION", &older).await;
                    assert_eq!(pos.poll_to_final(&task, 1.0).await["status"], "COMPLETED");
                }
                "batch" => {
                    let batch = json!({"apiKey": API_KEY, "Tid": TID, "initiator": "POS 1", "title": "Day close"});
                    let task = pos.created("BATCH", &batch).await;
                    assert_eq!(pos.poll_to_final(&task, 1.0).await["status"], "COMPLETED");
                }
                "receipt" => line_tx.send("s".into()).expect("the walk listens"),
                other => panic!("unexpected item {other}"),
            }
        }
        pos // the mock lives until the walk is over
    });

    let opts = WalkOptions {
        base,
        admin_token: None,
        ca: None,
        credentials: Credentials::default(),
        list: ListVersion::V3,
        only: [
            "sale",
            "declined",
            "timeout",
            "exception",
            "void",
            "batch",
            "receipt",
        ]
        .map(String::from)
        .to_vec(),
        timeout: Duration::from_secs(60),
        poll: Duration::from_millis(5),
    };
    let mut shown = Vec::new();
    let w = walk::walk(&opts, &mut lines, |e| match e {
        Event::Configure { base, credentials } => {
            shown.push(format!("configure {base} {}", credentials.tid));
        }
        Event::Start { item, label, .. } => {
            shown.push(format!("start {label} {}", item.instruction));
            item_tx.send(item.key).expect("the POS listens");
        }
        Event::Done(r) => shown.push(format!("done {} {}", r.label, r.verdict.label())),
    })
    .await
    .expect("the walk runs");
    drop(item_tx);
    let pos = script.await.expect("the POS script ran");

    let verdicts: Vec<(&str, ItemVerdict)> = w.items.iter().map(|i| (i.key, i.verdict)).collect();
    assert_eq!(
        verdicts,
        [
            ("sale", ItemVerdict::Pass),
            ("declined", ItemVerdict::Pass),
            ("timeout", ItemVerdict::Pass),
            ("exception", ItemVerdict::Fail),
            ("void", ItemVerdict::Pass),
            ("batch", ItemVerdict::Pass),
            ("receipt", ItemVerdict::Skipped),
        ],
        "{:#?}",
        w.items
    );
    let exception = &w.items[3];
    assert!(
        exception.summary.contains("CLIENT-POLL-RATE"),
        "{}",
        exception.summary
    );
    assert!(!w.items[0].evidence.is_empty());
    assert_eq!(w.exit_code(), 1);
    assert!(
        shown[0].starts_with("configure http://127.0.0.1:"),
        "{shown:?}"
    );
    assert!(
        shown.iter().any(|l| l.starts_with(
            "start cert-c:4 Make a card sale of 11.22 CZK — the mock will decline it"
        )),
        "{shown:?}"
    );

    let page = html::render(Outcome::Walk(&w));
    assert_eq!(page.matches("<tr class=\"item\"").count(), 7);
    assert!(page.contains("Certification items (list cert-c)"));
    let doc: serde_json::Value =
        serde_json::from_str(&json::render(Outcome::Walk(&w))).expect("json");
    assert_eq!(doc["items"][3]["verdict"], "fail");
    assert_eq!(doc["summary"]["exit_code"], 1);
    let xml = junit::render(Outcome::Walk(&w));
    assert!(xml.contains("cert-c:2 Successful sale"), "{xml}");
    assert!(xml.contains("client-checks"), "{xml}");
    drop(pos);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_standard_input_closed_every_item_is_skipped_at_once() {
    let pos = Pos::start().await;
    let (line_tx, mut lines) = mpsc::unbounded_channel::<String>();
    drop(line_tx); // `… < /dev/null`: nobody at the keyboard
    let opts = WalkOptions {
        base: pos.mock.base_url().to_owned(),
        admin_token: None,
        ca: None,
        credentials: Credentials::default(),
        list: ListVersion::V1,
        only: Vec::new(),
        timeout: Duration::from_secs(3600),
        poll: Duration::from_millis(5),
    };
    // an hour per item if the walk waited: the guard only fires when it does
    let w = tokio::time::timeout(
        Duration::from_secs(60),
        walk::walk(&opts, &mut lines, |_| {}),
    )
    .await
    .expect("the walk does not wait for input that cannot come")
    .expect("the walk runs");
    assert!(!w.items.is_empty());
    for item in &w.items {
        assert_eq!(item.verdict, ItemVerdict::Skipped, "{item:?}");
    }
    assert!(
        w.items
            .iter()
            .any(|i| i.summary == "skipped: no operator (standard input is closed)"),
        "{:#?}",
        w.items
    );
}
