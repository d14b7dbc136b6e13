//! # gptom-mock
//!
//! A stateful, deterministic mock of the GP tom Cloud API (Global Payments' SoftPOS/terminal app): OAuth2
//! tokens, payment *tasks* whose status moves CREATED → STARTED → INIT_OK → IN_PROGRESS → final as the mock
//! clock advances, *transactions* with receipt data, batches, the vendor's error bodies — plus a control plane
//! under `/__admin`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use mock_server::{ManualClock, MockServer, Timestamp, Clock};
//! let clock = ManualClock::at(Timestamp::DEFAULT_START);
//! let mock = MockServer::builder().seed(7).clock(clock.clone()).latency("instant").start().await?;
//! println!("{}", mock.base_url()); // http://127.0.0.1:41793
//! clock.advance(std::time::Duration::from_secs(5)); // tasks move on; nothing sleeps
//! # Ok(()) }
//! ```
//!
//! **State model.** One [`engine::Engine`] behind one mutex holds terminals, tasks, transactions and batches. A
//! task's status is computed from the clock when read (never by timers); its effects (the transaction, a
//! closed batch, a voided sale) are applied the first time the engine sees it final.
//!
//! **Determinism.** All randomness comes from one ChaCha8 stream seeded by `--seed`; all time from the
//! [`Clock`]. Same seed + same clock start + same requests ⇒ byte-identical responses.
#![warn(clippy::unwrap_used)]
#![warn(missing_docs)]

pub mod cli;
pub mod clock;
pub mod config;
pub mod conn;
pub mod contract;
pub mod device;
pub mod divergence;
pub mod engine;
pub mod error;
pub mod facts;
pub mod fixtures;
pub mod http;
pub mod journal;
pub mod judge;
pub mod rng;
pub mod server;
pub mod state;
pub mod store;
pub mod tls;

pub use clock::{Clock, ManualClock, SystemClock, Timestamp};
pub use config::{ClockMode, Config, Tls, Upstream};
pub use engine::Profiles;
pub use server::{MockServer, MockServerBuilder, StartError};
