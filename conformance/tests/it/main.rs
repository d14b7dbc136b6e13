//! The conformance crate's one integration test binary: every scenario against its snapshot, the loader's error
//! positions, the committed schema, and the CLI's exit codes and help.

mod certify;
mod cli;
mod gateway;
mod pos;
mod record;
mod remote;
mod scenarios;
mod support;
mod walk;
