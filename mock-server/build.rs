//! The `gptom-mock` binary is linked as a fixed-address executable (not PIE) on Linux: a PIE binary this size
//! carries ~800 KB of relocations that the loader applies at every start, dirtying ~500 KB of pointer tables
//! (`.data.rel.ro`) into private memory; without them the mock starts sooner and idles in less memory
//! (issue 19). The objects are still position-independent, so nothing else changes; other targets keep their
//! defaults.
fn main() {
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    let gnu_like = std::env::var("CARGO_CFG_TARGET_ENV").is_ok_and(|env| env == "gnu");
    if linux && gnu_like {
        println!("cargo::rustc-link-arg-bin=gptom-mock=-no-pie");
    }
    println!("cargo::rerun-if-changed=build.rs");
}
