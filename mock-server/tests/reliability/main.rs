//! Reliability and security tests of gptom-mock (issue 8): a state-machine property test against a reference
//! model, forged-token rejection, input fuzzing as property tests, concurrency, connection abuse — and, behind
//! `#[ignore]` (run by `make reliability` in release), the memory bound, 1 000 idle connections and the load
//! soak. Time moves only through a ManualClock or the `now` handed to the engine; nothing sleeps. Every random
//! input comes from a fixed seed (override with `PROPTEST_RNG_SEED`; more cases with `PROPTEST_CASES`).

mod concurrency;
mod connections;
mod inputs;
mod load;
mod memory;
mod model;
mod support;
mod tokens;
