//! Client-derived tests for AppsDevTeam/flutter-gptom (https://github.com/AppsDevTeam/flutter-gptom), commit
//! 11c1772c9e97fc929321bb5b8cc2dc841199867b (plugin v1.3.0, AIDL library `gptom-library-1.28.0.aar`, iOS SDK copy
//! = GP-tom/tom-ios-sdk 7f6e963): the plugin is the oracle. Its decoding is transliterated — Gson on the AAR 1.28.0
//! entities (`gson.rs`, `entities.rs`), the Kotlin mappers and plugin (`mappers.rs`, `plugin.rs`), the Dart models
//! (`dart.rs`), the iOS SDK copy and the plugin's deep-link glue (`ios_sdk.rs`, `ios.rs`) — and its flows are
//! driven against the mock (`android_flows.rs`, `android_queries.rs`, `ios_flows.rs`); `controls.rs` proves the
//! transliteration strict on literal JSON.
//!
//! Marker: `// CLIENT BUG:` = the plugin is wrong and the test documents what it does with the mock's answer (the
//! mock is not bent to it).

#[path = "../clients/device.rs"]
mod device;

mod android_flows;
mod android_queries;
mod controls;
mod dart;
mod entities;
mod gson;
mod ios;
mod ios_flows;
mod ios_sdk;
mod mappers;
mod plugin;
