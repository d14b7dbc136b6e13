//! Criterion micro-benchmarks of the mock's hot paths, without HTTP: what `GET /v1/tasks/{id}` and
//! `POST /v1/tasks/TRANSACTION` spend inside the process.
//!
//! - `token/*`: bearer-token checks — the full HS256 verification of a token never seen before, and the
//!   cached `authenticate` of a token seen before (every `/v1` call after the first).
//! - `engine/*`: the engine calls behind the routes — reading a task (final and still pending), reading a
//!   transaction, creating a SALE task (validation, queueing, settling, eviction).
//! - `json/*`: the wire side — parsing a SALE request body, and the DTO conversion plus `serde_json::to_vec`
//!   of a task and of a transaction.
//!
//! Run with `make bench-micro` (that is `cargo bench -p mock-server --bench hot_paths`); add `-- --quick`
//! for a fast pass, or `-- engine/` to run one group.
#![allow(
    clippy::expect_used,
    reason = "a benchmark's setup failing is a bug; panicking says where"
)]

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use mock_server::engine::Engine;
use mock_server::engine::body::Json;
use mock_server::engine::task::TaskStatus;
use mock_server::engine::terminal::Directory;
use mock_server::engine::token::{TokenPath, TokenTtls, Tokens, Who};
use mock_server::http::dto::{TaskDto, TransactionDto};
use mock_server::http::extract::parse_task_body;
use mock_server::rng::MockRng;
use mock_server::{Config, Timestamp};
use serde_json::{Value, json};

const USER: &str = "jan.novak@example.com";
const PASSWORD: &str = "ABCDEFGHIJKL";
const TID: &str = "999888";
const SECRET: &[u8] = b"hot-paths-bench-secret";
const NOW: Timestamp = Timestamp::DEFAULT_START;
/// The request body of `POST /v1/tasks/TRANSACTION`, as sent.
const SALE_BODY: &str = r#"{"apiKey":"333W212J3","Tid":"999888","initiator":"bench","title":"bench sale","amount":1111,"transactionOperation":"SALE","transactionType":"CARD","currencyCode":"CZK"}"#;

fn password_form() -> Vec<(String, String)> {
    [
        ("grant_type", "password"),
        ("username", USER),
        ("password", PASSWORD),
        ("tid", TID),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

fn sale_body() -> Value {
    json!({"apiKey": "333W212J3", "Tid": TID, "initiator": "bench", "title": "bench sale",
           "amount": 1111, "transactionOperation": "SALE", "transactionType": "CARD", "currencyCode": "CZK"})
}

/// An engine over the built-in fixtures with latency profile `latency`, as the server builds it.
fn engine(latency: &str) -> Engine {
    let config = Config {
        latency: latency.into(),
        seed: 7,
        jwt_secret: Some(String::from_utf8_lossy(SECRET).into_owned()),
        ..Config::default()
    };
    mock_server::server::engine_for(&config).expect("built-in fixtures load")
}

/// Who the token of the terminal login of TID 999888 speaks for, through the engine's own grant and authentication.
fn terminal_who(engine: &mut Engine) -> Who {
    let grant = engine
        .token(&password_form(), TokenPath::Cloud, NOW)
        .expect("password grant");
    engine
        .authenticate(Some(grant.access_token.as_bytes()), NOW)
        .expect("granted token authenticates")
}

fn token_benches(c: &mut Criterion) {
    let dir: Directory = mock_server::fixtures::load(None)
        .expect("built-in fixtures")
        .directory;
    let mut tokens = Tokens::new(SECRET, TokenTtls::default());
    let mut rng = MockRng::new(3);
    let access = tokens
        .grant(
            &dir,
            &password_form(),
            TokenPath::Cloud,
            false,
            NOW,
            &mut rng,
        )
        .expect("password grant")
        .access_token;

    let mut g = c.benchmark_group("token");
    g.throughput(Throughput::Elements(1));
    // `verify` remembers nothing: every call decodes the header, checks the HMAC and decodes the claims.
    g.bench_function("verify_first_time", |b| {
        b.iter(|| {
            tokens
                .verify(black_box(&access), black_box(NOW))
                .expect("valid")
        });
    });
    // `authenticate` on a fresh verifier: the full check plus remembering the token.
    g.bench_function("authenticate_first_time", |b| {
        b.iter_batched_ref(
            || Tokens::new(SECRET, TokenTtls::default()),
            |fresh| {
                fresh
                    .authenticate(&dir, Some(black_box(access.as_bytes())), black_box(NOW))
                    .expect("valid")
            },
            BatchSize::SmallInput,
        );
    });
    tokens
        .authenticate(&dir, Some(access.as_bytes()), NOW)
        .expect("valid");
    // Seen before: a map lookup, the time check and the account check.
    g.bench_function("authenticate_cached", |b| {
        b.iter(|| {
            tokens
                .authenticate(&dir, Some(black_box(access.as_bytes())), black_box(NOW))
                .expect("valid")
        });
    });
    g.finish();
}

fn engine_benches(c: &mut Criterion) {
    let value = sale_body();
    let body = Json::from_value(&value);
    let mut g = c.benchmark_group("engine");
    g.throughput(Throughput::Elements(1));

    // GET of a final task: with latency `instant` the SALE is COMPLETED from its first read on (its creation
    // answers CREATED, as GP tom's does).
    let mut done = engine("instant");
    let who = terminal_who(&mut done);
    let created = done
        .create_task(&who, "TRANSACTION", &body, NOW)
        .expect("sale created");
    let view = done.task(&who, &created.task_id, NOW).expect("read");
    assert_eq!(view.status, TaskStatus::Completed, "instant latency");
    let task_id = view.task_id;
    let txn_id = view.context_id.expect("a COMPLETED task has a contextId");
    g.bench_function("get_task", |b| {
        b.iter(|| {
            done.task(&who, black_box(&task_id), black_box(NOW))
                .expect("found")
        });
    });
    g.bench_function("get_transaction", |b| {
        b.iter(|| {
            done.transaction(&who, black_box(&txn_id), black_box(NOW))
                .expect("found")
        });
    });

    // GET of a task still on its way (latency `realistic`: CREATED for the first second).
    let mut pending = engine("realistic");
    let who_p = terminal_who(&mut pending);
    let pending_id = pending
        .create_task(&who_p, "TRANSACTION", &body, NOW)
        .expect("sale created")
        .task_id;
    let at = NOW.plus_ms(500);
    let status = pending.task(&who_p, &pending_id, at).expect("found").status;
    assert!(!status.is_final(), "pending at +500 ms, got {status:?}");
    g.bench_function("get_task_pending", |b| {
        b.iter(|| {
            pending
                .task(&who_p, black_box(&pending_id), black_box(at))
                .expect("found")
        });
    });

    // POST: a new SALE each iteration, the clock 1 ms further each time. Every task completes at once and
    // the engine evicts the oldest final tasks and transactions beyond its caps (100 000 each), so the store
    // stays bounded however many iterations criterion runs.
    let mut fresh = engine("instant");
    let who_c = terminal_who(&mut fresh);
    let mut now = NOW;
    g.bench_function("create_task", |b| {
        b.iter(|| {
            now = now.plus_ms(1);
            fresh
                .create_task(&who_c, "TRANSACTION", black_box(&body), now)
                .expect("sale created")
        });
    });
    g.finish();
}

fn json_benches(c: &mut Criterion) {
    let mut e = engine("instant");
    let who = terminal_who(&mut e);
    let created = e
        .create_task(&who, "TRANSACTION", &Json::from_value(&sale_body()), NOW)
        .expect("sale created");
    let view = e.task(&who, &created.task_id, NOW).expect("read");
    let txn_id = view.context_id.expect("COMPLETED has a contextId");
    let txn = e.transaction(&who, &txn_id, NOW).expect("transaction");

    let mut g = c.benchmark_group("json");
    g.throughput(Throughput::Elements(1));
    // The POST body as the route parses it (strict: duplicate keys refused).
    g.bench_function("parse_sale_body", |b| {
        b.iter(|| parse_task_body(black_box(SALE_BODY.as_bytes())).is_ok());
    });
    // The engine's view → DTO → bytes, as `GET /v1/tasks/{id}` answers (the clone of the view is not timed).
    g.bench_function("task", |b| {
        b.iter_batched(
            || view.clone(),
            |v| serde_json::to_vec(&TaskDto::from(v)).expect("serialises"),
            BatchSize::SmallInput,
        );
    });
    // The transaction → DTO → bytes, as `GET /v1/transactions/{id}` answers.
    g.bench_function("transaction", |b| {
        b.iter_batched(
            || txn.clone(),
            |t| serde_json::to_vec(&TransactionDto::from(t)).expect("serialises"),
            BatchSize::SmallInput,
        );
    });
    g.finish();
}

criterion_group!(benches, token_benches, engine_benches, json_benches);
criterion_main!(benches);
