//! Helpers: paths in the repository and running the built CLI.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (the workspace).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("conformance/ has a parent")
        .to_path_buf()
}

/// Runs `gptom-conformance` with `args` from the repository root, colour off.
pub fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gptom-conformance"))
        .args(args)
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .env_remove("GPTOM_TARGET")
        .env_remove("GPTOM_TAGS")
        .env_remove("GPTOM_IDS")
        .output()
        .expect("the CLI runs")
}

/// stdout + stderr as text.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
