//! Integration tests of gptom-mock: every test boots a real server on 127.0.0.1:0 and talks HTTP to it.
//! Time moves only through the test's ManualClock — nothing sleeps.

mod admin;
mod app2app;
mod auth;
mod batch;
mod cli;
mod console;
mod contract;
mod determinism;
mod faults;
mod ios;
mod journal;
mod lifecycle;
mod oauth;
mod proxy;
mod sandbox;
mod state;
mod support;
mod tasks;
mod tls;
mod transactions;
mod void;
