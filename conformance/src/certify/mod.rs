//! Client certification (`certify-client`): judging a real POS from what it sent to the mock.
//!
//! - [`source`] — where the journal comes from (`GET /__admin/journal` of a running mock, or a saved file);
//! - [`judge`] — the client checks (`CLIENT-*`, `IOS-*`, `A2A-*`) over a journal, pure;
//! - [`list`] — GP tom's certification list: versions, items, what each item waits for;
//! - [`goals`] — pure "is this item done?" functions over the journal since it started, and its verdict;
//! - [`outcome`] — the walk-through's plain result data (what reports read);
//! - [`walk`] — the interactive walk-through loop (arms the mock, waits on its journal, judges each item).
//!
//! The checks live in the mock (`mock_server::judge`, so that its console judges live); adding one is a function in
//! the `mock-server/src/judge/` file of its family, its catalogue line in `judge::CHECKS` and its `conclude` line
//! in `judge::judge` — see `docs/ARCHITECTURE.md`.

pub mod goals;
/// The client checks live in the mock (its console judges live); certify-client uses the same.
pub use mock_server::judge;
pub mod list;
pub mod outcome;
pub mod source;
pub mod walk;

pub use list::ListVersion;
pub use outcome::{Event, ItemResult, ItemVerdict, Walk};
pub use source::{SourceError, Window, fetch_journal, read_journal};
pub use walk::{WalkError, WalkOptions, walk};
