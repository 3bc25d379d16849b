//! `vmci`: build VMs for CI on vSphere, from a spec kept in the application's
//! repository (`.vsphere-ci.yml`) judged against the operator's policy.
//!
//! vCenter holds all state: every VM `vmci` makes carries its labels
//! (repository, build, role, spec digest, expiry) from the clone on, names
//! are deterministic per repository and build, and nothing is kept locally,
//! so any number of CI runners use it at once.

pub mod error;
pub mod judge;
pub mod labels;
pub mod model;
pub mod ops;
pub mod policy;
pub mod progress;
pub mod spec;
pub mod vc;
