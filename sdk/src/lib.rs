//! `vmomi`: a Rust SDK for the VMware vSphere API (vim25).
//!
//! The wire types, methods and managed-object views are generated from the
//! vSphere WSDL by `vmomi-codegen` and live in the `vmomi-bindings` crate,
//! re-exported here so that hand-written code rebuilds quickly.

pub use vmomi_bindings::*;

pub mod cassette;
