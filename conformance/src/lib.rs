//! # gptom-conformance
//!
//! Replays named GP tom certification scenarios against the embedded mock or a real gateway (issue 4).
//! This crate is a compiling skeleton until the runner lands.
