//! Load soak (ignored, `make reliability` in release): 1 000 000 `GET /v1/tasks/{id}` over 256 concurrent
//! keep-alive connections on loopback against a spawned `gptom-mock` → 0 transport errors, 0 non-2xx; bounded
//! by a 10-minute timeout so it always stops by itself. `SOAK_REQUESTS` changes the count.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::Value;
use tokio::time::timeout;

use super::connections::Binary;
use super::support::{self, API_KEY, TID};

#[tokio::test(flavor = "multi_thread")]
#[ignore = "slow: run by `make reliability` (release)"]
async fn a_million_gets_at_256_connections() {
    let total: u64 = std::env::var("SOAK_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let conns = 256u64;
    let mock = Binary::start(&["--latency", "instant"]).await;
    let http = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(conns as usize)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let token = support::token(&http, &mock.base).await;
    let created: Value = http
        .post(format!("{}/v1/tasks/TRANSACTION", mock.base))
        .bearer_auth(&token)
        .json(&support::sale_body(TID, API_KEY, 1111, false))
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("JSON");
    let url = Arc::new(format!(
        "{}/v1/tasks/{}",
        mock.base,
        created["taskId"].as_str().expect("id")
    ));
    let token = Arc::new(token);
    let (errors, non_2xx, ok) = (
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
    );
    #[allow(clippy::disallowed_methods)] // the figure printed for the README, not a decision
    let started = std::time::Instant::now();
    let workers: Vec<_> = (0..conns)
        .map(|w| {
            let (http, url, token) = (http.clone(), url.clone(), token.clone());
            let (errors, non_2xx, ok) = (errors.clone(), non_2xx.clone(), ok.clone());
            let n = total / conns + u64::from(w < total % conns);
            tokio::spawn(async move {
                for _ in 0..n {
                    match http
                        .get(url.as_str())
                        .bearer_auth(token.as_str())
                        .send()
                        .await
                    {
                        Ok(res) if res.status().is_success() => {
                            let _ = res.bytes().await;
                            ok.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(_) => {
                            non_2xx.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(_) => {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            })
        })
        .collect();
    timeout(Duration::from_secs(600), async {
        for w in workers {
            w.await.expect("worker");
        }
    })
    .await
    .expect("the soak finishes within 10 minutes");
    let secs = started.elapsed().as_secs_f64();
    let rss = support::rss_of(&mock.pid()).unwrap_or(0);
    let (ok, non_2xx, errors) = (
        ok.load(Ordering::Relaxed),
        non_2xx.load(Ordering::Relaxed),
        errors.load(Ordering::Relaxed),
    );
    eprintln!(
        "soak: {ok} × 2xx, {non_2xx} non-2xx, {errors} errors in {secs:.1} s ({:.0} req/s) at {conns} connections; mock RSS {} MiB",
        ok as f64 / secs,
        rss / 1024
    );
    assert_eq!((non_2xx, errors), (0, 0));
    assert_eq!(ok, total);
}
