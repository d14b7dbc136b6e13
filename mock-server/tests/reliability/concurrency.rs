//! Concurrency (issue 8 §5): 64 clients × 40 operations on shared and separate TIDs while another task moves
//! the clock → every task ends in exactly one final status that never changes, no transaction is voided
//! twice, every batch's totals equal the sum of its transactions; and 64 parallel identical VOIDs of one sale
//! give exactly one success.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use futures_lite_free::join_all;
use mock_server::Clock;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use super::support::{self, PASSWORD};

/// (user, TID, apiKey) of the automatic, reachable terminals.
const TERMINALS: [(&str, &str, &str); 4] = [
    ("jan.novak@example.com", "999888", "333W212J3"),
    ("pokladna@example.com", "483590", "K7Q2M9X4A"),
    ("eur@example.com", "700100", "EUR0TERM1"),
    ("other@example.org", "777001", "OTHERC0MP"),
];

/// `join_all` without a futures dependency: spawn each and await in order.
mod futures_lite_free {
    pub async fn join_all<T: Send + 'static>(
        futures: Vec<impl std::future::Future<Output = T> + Send + 'static>,
    ) -> Vec<T> {
        let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
        let mut out = Vec::with_capacity(handles.len());
        for h in handles {
            out.push(h.await.expect("client task did not panic"));
        }
        out
    }
}

struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
    tid: &'static str,
    key: &'static str,
}

impl Client {
    async fn post(&self, class: &str, body: &Value) -> (u16, Value) {
        let res = self
            .http
            .post(format!("{}/v1/tasks/{class}", self.base))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .expect("answers");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("answers");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    fn body(&self, op: &str, amount: i64) -> Value {
        let mut b = support::sale_body(self.tid, self.key, amount, false);
        b["transactionOperation"] = json!(op);
        b
    }
}

async fn login(http: &reqwest::Client, base: &str, user: &str, tid: &str) -> String {
    let res = http
        .post(format!("{base}/cloud/oauth/token"))
        .basic_auth(support::CLIENT.0, Some(support::CLIENT.1))
        .form(&[
            ("grant_type", "password"),
            ("username", user),
            ("password", PASSWORD),
            ("tid", tid),
        ])
        .send()
        .await
        .expect("token");
    let v: Value = res.json().await.expect("JSON");
    v["access_token"].as_str().expect("access_token").to_owned()
}

/// One client's run: returns the ids of the tasks it created.
async fn run_client(c: Client, seed: u64, ops: usize) -> Vec<String> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut created = Vec::new();
    let mut sales: Vec<(String, i64)> = Vec::new(); // (taskId, amount)
    for _ in 0..ops {
        let roll = rng.random_range(0..100u32);
        let (status, body) = if roll < 45 {
            let amount =
                [1111, 1122, 1124, 1125, 1126, 1127, 9991, 2000, 1123][rng.random_range(0..9usize)];
            let mut b = c.body("SALE", amount);
            if rng.random_bool(0.3) {
                b["transactionType"] = json!("CASH");
            }
            let r = c.post("TRANSACTION", &b).await;
            if r.0 == 200 {
                sales.push((
                    r.1["taskId"].as_str().unwrap_or_default().to_owned(),
                    amount,
                ));
            }
            r
        } else if roll < 60 && !sales.is_empty() {
            // VOID OLDER of one of our sales, when its transaction exists.
            let (task, amount) = sales[rng.random_range(0..sales.len())].clone();
            let (_, t) = c.get(&format!("/v1/tasks/{task}")).await;
            match t["contextId"].as_str() {
                Some(txn) => {
                    let mut b = c.body("VOID", amount);
                    b["cancelMode"] = json!("OLDER_TRANSACTION");
                    b["originTransactionId"] = json!(txn);
                    c.post("TRANSACTION", &b).await
                }
                None => (0, Value::Null),
            }
        } else if roll < 70 {
            let amount = sales.last().map_or(1111, |s| s.1);
            let mut b = c.body("VOID", amount);
            b["cancelMode"] = json!("LAST_TRANSACTION");
            c.post("TRANSACTION", &b).await
        } else if roll < 78 {
            let b = support::batch_body(c.tid, c.key);
            c.post("BATCH", &b).await
        } else if !created.is_empty() {
            let id: &String = &created[rng.random_range(0..created.len())];
            let (s, t) = c.get(&format!("/v1/tasks/{id}")).await;
            assert_eq!(s, 200, "reading our own task {id}: {t}");
            (0, Value::Null)
        } else {
            (0, Value::Null)
        };
        match status {
            0 => {}
            200 => created.push(body["taskId"].as_str().expect("taskId").to_owned()),
            406 => assert!(body["type"].is_string(), "{body}"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    created
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_clients_leave_a_consistent_ledger() {
    let (mock, clock) = support::spawn(|_| {}).await;
    let http = support::client();
    let base = mock.base_url().to_owned();
    let mut tokens = BTreeMap::new();
    for (user, tid, _) in TERMINALS {
        tokens.insert(tid, login(&http, &base, user, tid).await);
    }
    let mut clients = Vec::new();
    for i in 0..64u64 {
        let (_, tid, key) = TERMINALS[i as usize % TERMINALS.len()];
        let c = Client {
            http: http.clone(),
            base: base.clone(),
            token: tokens[tid].clone(),
            tid,
            key,
        };
        clients.push(run_client(c, 1000 + i, 40));
    }
    // The clock moves while the clients run (timeouts end, queues drain).
    let ticker = {
        let clock = clock.clone();
        tokio::spawn(async move {
            for _ in 0..200 {
                clock.advance(Duration::from_millis(700));
                tokio::task::yield_now().await;
            }
        })
    };
    let created: Vec<String> = join_all(clients).await.into_iter().flatten().collect();
    ticker.await.expect("ticker");
    clock.advance(Duration::from_secs(86_400)); // everything still running ends
    for (user, tid, _) in TERMINALS {
        tokens.insert(tid, login(&http, &base, user, tid).await); // the old ones expired a day ago
    }

    let unique: BTreeSet<&String> = created.iter().collect();
    assert_eq!(unique.len(), created.len(), "task ids are unique");
    let state: Value = http
        .get(format!("{base}/__admin/state"))
        .send()
        .await
        .expect("state")
        .json()
        .await
        .expect("JSON");
    let tasks = state["tasks"].as_array().expect("tasks");
    let finals = ["COMPLETED", "CANCELLED", "ERROR", "INIT_ERROR"];
    let by_id: BTreeMap<&str, &Value> = tasks
        .iter()
        .map(|t| (t["taskId"].as_str().expect("id"), t))
        .collect();
    assert_eq!(by_id.len(), tasks.len(), "each task listed once");
    assert_eq!(
        by_id.len(),
        created.len(),
        "the ledger has exactly the tasks created"
    );
    for t in tasks {
        let status = t["status"].as_str().expect("status");
        assert!(finals.contains(&status), "not final: {t}");
    }
    // Final statuses never change: read every task again over the API.
    let mut status_counts = BTreeMap::<String, u32>::new();
    for id in &created {
        let tid = by_id[id.as_str()]["tid"].as_str().expect("tid");
        let c = Client {
            http: http.clone(),
            base: base.clone(),
            token: tokens[tid].clone(),
            tid: "",
            key: "",
        };
        let (s, v) = c.get(&format!("/v1/tasks/{id}")).await;
        assert_eq!(s, 200);
        assert_eq!(v["status"], by_id[id.as_str()]["status"], "{id}");
        *status_counts
            .entry(v["status"].as_str().unwrap_or("?").to_owned())
            .or_default() += 1;
    }

    // No transaction voided twice; `voided` matches the accepted VOIDs.
    let txns = state["transactions"].as_array().expect("transactions");
    let txn_by_task: BTreeMap<&str, &Value> = txns
        .iter()
        .map(|t| (t["taskId"].as_str().expect("taskId"), t))
        .collect();
    let mut voids_of: BTreeMap<&str, u32> = BTreeMap::new();
    for t in tasks {
        if let (Some(origin), Some(txn)) = (
            t["voidOrigin"].as_str(),
            txn_by_task.get(t["taskId"].as_str().expect("id")),
        ) && txn["result"] == "ACCEPTED"
        {
            *voids_of.entry(origin).or_default() += 1;
        }
    }
    for (origin, n) in &voids_of {
        assert_eq!(*n, 1, "transaction {origin} voided {n} times");
    }
    for t in txns {
        let id = t["transactionId"].as_str().expect("id");
        assert_eq!(
            t["voided"].as_bool(),
            Some(voids_of.contains_key(id)),
            "voided flag of {id}"
        );
    }

    // Batch totals = the sum of their transactions.
    for term in state["terminals"].as_array().expect("terminals") {
        let tid = term["tid"].as_str().expect("tid");
        let mut sums: BTreeMap<u64, BTreeMap<String, (u64, i64)>> = BTreeMap::new();
        for t in txns
            .iter()
            .filter(|t| t["tid"] == tid && t["result"] == "ACCEPTED")
        {
            let n = t["batchNumber"].as_u64().expect("batchNumber");
            let amount = t["amount"].as_i64().expect("amount");
            let e = sums.entry(n).or_default();
            for k in [
                t["operation"].as_str().expect("op").to_lowercase(),
                t["type"].as_str().expect("type").to_lowercase(),
            ] {
                let s = e.entry(k).or_default();
                s.0 += 1;
                s.1 += amount;
            }
        }
        let mut batches: Vec<(u64, Value)> = term["batches"]
            .as_array()
            .expect("batches")
            .iter()
            .map(|b| (b["number"].as_u64().expect("n"), b["totals"].clone()))
            .collect();
        batches.push((
            term["openBatch"]["number"].as_u64().expect("open"),
            term["openBatch"]["totals"].clone(),
        ));
        for (n, totals) in batches {
            let expect = sums.remove(&n).unwrap_or_default();
            for k in ["sale", "void", "refund", "card", "cash"] {
                let (count, amount) = expect.get(k).copied().unwrap_or_default();
                assert_eq!(
                    (totals[k]["count"].as_u64(), totals[k]["amount"].as_i64()),
                    (Some(count), Some(amount)),
                    "TID {tid} batch {n} {k}"
                );
            }
        }
        assert!(
            sums.is_empty(),
            "TID {tid}: transactions in unknown batches {sums:?}"
        );
    }
    eprintln!(
        "concurrency: 64 clients, {} tasks, {} transactions, {} accepted voids; final statuses {status_counts:?}",
        created.len(),
        txns.len(),
        voids_of.len()
    );
    assert!(
        voids_of.len() >= 5 && created.len() >= 1000,
        "the run exercised voids and volume"
    );
}

async fn parallel_voids(latency: &'static str, mode: &'static str) {
    let (mock, clock) = support::spawn(move |c| c.latency = latency.into()).await;
    let http = support::client();
    let base = mock.base_url().to_owned();
    let token = login(&http, &base, TERMINALS[0].0, TERMINALS[0].1).await;
    let c = Arc::new(Client {
        http: http.clone(),
        base,
        token,
        tid: TERMINALS[0].1,
        key: TERMINALS[0].2,
    });
    for round in 0..5 {
        let amount = 1000 + round;
        let (s, sale) = c.post("TRANSACTION", &c.body("SALE", amount)).await;
        assert_eq!(s, 200);
        clock.advance(Duration::from_secs(10));
        let (_, t) = c
            .get(&format!(
                "/v1/tasks/{}",
                sale["taskId"].as_str().expect("id")
            ))
            .await;
        assert_eq!(t["status"], "COMPLETED", "{t}");
        let mut void = c.body("VOID", amount);
        void["cancelMode"] = json!(mode);
        void["originTransactionId"] = t["contextId"].clone();
        let void = Arc::new(void);
        let attempts: Vec<_> = (0..64)
            .map(|_| {
                let (c, void) = (c.clone(), void.clone());
                async move { c.post("TRANSACTION", &void).await }
            })
            .collect();
        let results = join_all(attempts).await;
        let ok = results.iter().filter(|(s, _)| *s == 200).count();
        let kinds: BTreeSet<String> = results
            .iter()
            .filter(|(s, _)| *s != 200)
            .map(|(s, b)| format!("{s} {}", b["type"].as_str().unwrap_or("?")))
            .collect();
        assert_eq!(
            ok, 1,
            "{latency} {mode} round {round}: {ok} successes; refusals {kinds:?}"
        );
        for k in &kinds {
            assert!(
                k == "406 TRANSACTION_ALREADY_VOIDED" || k == "406 TRANSACTION_NOT_VOIDABLE",
                "{k}"
            );
        }
        clock.advance(Duration::from_secs(10));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_identical_voids_give_exactly_one_success() {
    for latency in ["instant", "realistic"] {
        for mode in ["OLDER_TRANSACTION", "LAST_TRANSACTION"] {
            parallel_voids(latency, mode).await;
        }
    }
}
