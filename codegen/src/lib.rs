//! `vmomi-codegen`: reads the vim25 WSDL set and the VMODL managed-object model
//! and writes the typed Rust bindings of `vmomi-bindings`.
//!
//! ```no_run
//! let model = vmomi_codegen::load(
//!     std::path::Path::new("../shared/wsdl/vim25-7.0"),
//!     std::path::Path::new("../shared/vmodl/vmodl.json"),
//! ).unwrap();
//! let files = vmomi_codegen::generate(&model).unwrap();
//! assert!(files.contains_key("bindings/src/generated/mod.rs"));
//! ```

pub mod emit;
pub mod model;
pub mod names;
pub mod releases;
pub mod schema;
pub mod summary;
pub mod vmodl;
pub mod wsdl;
pub mod xmltree;

use std::path::Path;

/// Loads the WSDL set in `wsdl_dir` and merges `vmodl_json` into it.
pub fn load(wsdl_dir: &Path, vmodl_json: &Path) -> Result<model::Model, String> {
    let mut m = wsdl::load(wsdl_dir)?;
    vmodl::merge(&mut m, vmodl_json)?;
    Ok(m)
}

/// Loads the old WSDL set in `old_wsdl_dir` (released as `old_release`, a wire
/// name of `versions.json`) and records in `m` the release of every item from
/// `since.json`, `versions.json` and the difference between the two sets.
pub fn load_releases(
    m: &mut model::Model,
    old_wsdl_dir: &Path,
    old_release: &str,
    versions_json: &Path,
    since_json: &Path,
) -> Result<(), String> {
    let old = wsdl::load(old_wsdl_dir)?;
    let read = |p: &Path| {
        std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))
    };
    m.releases = releases::compute(
        m,
        &old,
        old_release,
        &read(versions_json)?,
        &read(since_json)?,
    )?;
    Ok(())
}

/// Generates every file (unformatted) for a model, keyed by relative path.
pub fn generate(m: &model::Model) -> Result<emit::Files, String> {
    let ctx = emit::Ctx::new(m)?;
    let summary = summary::render(&ctx);
    Ok(emit::emit(&ctx, &summary))
}

/// The summary text for a model.
pub fn summary(m: &model::Model) -> Result<String, String> {
    Ok(summary::render(&emit::Ctx::new(m)?))
}
