//! `vmomi`: a Rust SDK for the VMware vSphere API (vim25).
//!
//! The wire types (`vmomi-bindings`) and the request types, methods and
//! managed-object views (`vmomi-methods`) are generated from the vSphere WSDL
//! by `vmomi-codegen` and re-exported here, so hand-written code rebuilds
//! quickly.
//!
//! ```
//! use vmomi::types::{AnyVirtualDevice, PowerOnVMRequestType, VirtualDisk};
//! let dev = AnyVirtualDevice::from(VirtualDisk { capacity_in_kb: 1024, ..Default::default() });
//! assert_eq!(dev.type_name(), "VirtualDisk");
//! let _req = PowerOnVMRequestType::default();
//! ```

pub mod cassette;
pub mod client;
pub mod property;
pub mod redact;
pub mod soap;
pub mod task;
pub mod tls;
pub mod version;

pub use client::{Client, ClientBuilder};

pub use vmomi_bindings::{Error, Fault, TransportKind, error, rt, xml};
pub use vmomi_methods::{Decoded, decode_response, methods, mo, types};
