//! Wire contracts defined once: pure serde types (no axum, no engine) that the engine and `http/` deserialize
//! into and that other tools embed (the conformance runner's scenario steps). With the `schema` feature they
//! also derive a JSON Schema.

pub mod admin;
pub mod fault;
pub mod fields;
pub mod profile;
pub mod status;
