//! Helpers shared by the integration tests.

pub mod faultsrv;
pub mod synth;
pub mod tape;
pub mod vcsim;

use std::path::PathBuf;

/// `../shared` beside the repository root.
pub fn shared() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared"))
}

/// The codegen's model of the 7.0 WSDL set with the VMODL merged.
pub fn model() -> vmomi_codegen::model::Model {
    let s = shared();
    vmomi_codegen::load(&s.join("wsdl/vim25-7.0"), &s.join("vmodl/vmodl.json"))
        .expect("the shared WSDL set loads")
}

/// A `kB` field of this process's `/proc/self/status` (`VmHWM:`, `VmRSS:`),
/// for the memory benchmarks.
pub fn proc_status_kb(field: &str) -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    s.lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"))
}
