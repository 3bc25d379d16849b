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
