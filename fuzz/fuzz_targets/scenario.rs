//! Fuzzes the conformance scenario parser (`conformance::scenario::load::load_str`): any UTF-8 text must
//! parse or fail with a `LoadError` carrying a position — never panic, hang or blow the stack.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = conformance::scenario::load::load_str(text, Path::new("fuzz.yaml"));
    }
});
