//! Client-derived tests for mhmmdlkts/gptom_aidl_plugin (https://github.com/mhmmdlkts/gptom_aidl_plugin), commit
//! a6c8d6f5faf7f3256744e88828fa4dc416f8e66e (Flutter plugin, AIDL library `aidl-1.29.0.aar`): the plugin is the
//! oracle. Its decoding is transliterated — the Dart runtime it relies on (`dart.rs`), the Java pass-through and
//! the plugin's own Gson step for the inquiry (`gson.rs`), the Dart models (`models.rs`), the Android request
//! building and channel glue (`plugin.rs`), the iOS URL builders and redirect parsers (`ios.rs`) — and its flows
//! are driven against the mock's Android app2app channel (`android_flows.rs`) and iOS deep-link channel
//! (`ios_flows.rs`). `controls.rs` proves the transliteration strict on literal JSON; `client_bugs.rs` documents
//! the client's own bugs against the mock.
//!
//! Markers: `// CLIENT BUG:` = the plugin is wrong and the test shows what it does with the mock's answer (the
//! mock is not bent to it); `Found by this test (fixed)` = the mock's answer was wrong; the test asserts the right one.

#[path = "../clients/device.rs"]
mod device;

mod android_flows;
mod client_bugs;
mod controls;
mod dart;
mod gson;
mod ios;
mod ios_flows;
mod models;
mod plugin;
