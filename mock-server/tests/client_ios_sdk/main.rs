//! Client-derived tests: the official GP tom iOS SDK is the oracle for the mock's iOS deep-link channel.
//!
//! * Client: `GPtomSDK`, github.com/GP-tom/tom-ios-sdk @ 08f1318260c005006a36a36f66acdc1d4cfe9e2e
//!   ("Revert \"test\"", 2026-06-10), and the vendor's example app github.com/GP-tom/tom-ios-sdk-example @
//!   fa7903e62360a7cf4e8a1846a343e9602fcfc704 ("Update sdk", 2026-05-12; it pins SDK 1.12.0 = 32a48e0, whose
//!   result-side files are the same as at 08f1318).
//! * [`swift`]: the Swift/Foundation semantics the SDK relies on (JSONDecoder without coercion, Decimal,
//!   ISO8601DateFormatter, URL/URLComponents and percent encoding), from swiftlang/swift-foundation @ 767ff1c2.
//! * [`sdk`]: the SDK's `DeeplinkResult.from(url:)` and every decoder it reaches, and GP tom's request parser
//!   `Deeplink.from(url:)`, each function citing the Swift file:line it mirrors.
//! * [`example_app`]: the example app's `buildDeeplink` and forms, byte for byte.
//! * [`check`]: what every flow asserts about an answer (routed, nothing lost, payloads equal to the mock's).
//! * [`flows`]: the ten URIs as the example app builds them; [`outcomes`]: the outcomes by amount;
//!   [`negative`]: literal controls proving the transliteration is as strict as Swift.
//!
//! Every test drives the mock through `POST /ios/deeplink` (the shared [`device`] helper: port 0, manual clock,
//! pending answers waited out by moving the clock — nothing sleeps).

#[path = "../clients/device.rs"]
mod device;

mod check;
mod example_app;
mod flows;
mod negative;
mod outcomes;
mod sdk;
mod swift;
