//! Fuzzes the YAML fixture and fault-rule loaders (`mock_server::fixtures`): any bytes, written as one of
//! accounts.yaml / latency.yaml / outcomes.yaml / cards.yaml (the others built-in) or as a `--faults` file,
//! must load or fail with a `FixtureError` — never panic, hang or blow the stack.
#![no_main]

use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;

const FILES: [&str; 5] = [
    "accounts.yaml",
    "latency.yaml",
    "outcomes.yaml",
    "cards.yaml",
    "faults.yaml",
];

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gptom-fuzz-fixtures-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, text)) = data.split_first() else {
        return;
    };
    let dir = scratch();
    for f in FILES {
        let _ = std::fs::remove_file(dir.join(f));
    }
    let file = FILES[usize::from(which) % FILES.len()];
    let path = dir.join(file);
    if std::fs::write(&path, text).is_err() {
        return;
    }
    if file == "faults.yaml" {
        let _ = mock_server::fixtures::load_faults(&path);
    } else {
        let _ = mock_server::fixtures::load(Some(&dir));
    }
});
