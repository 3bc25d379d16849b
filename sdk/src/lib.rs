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

//! # Layers
//!
//! Arrows point one way: each layer uses only those listed before it.
//!
//! | layer | module | what it holds |
//! | --- | --- | --- |
//! | wire types, methods, views | [`types`], [`methods`], [`mo`] (`vmomi-bindings`, `vmomi-methods`) | generated from the WSDL |
//! | errors | [`error`] | [`Error`], the one type to match, and its conversions from and to the generated calls' error |
//! | transport | [`transport`] ([`tls`], [`redact`]) | HTTP exchanges, TLS, limits, errors, the redacted wire log |
//! | cassettes | [`cassette`] | record (wraps the network) and replay (replaces it) |
//! | session | [`session`] | [`Client`], its builder, release negotiation, login, keep-alive |
//! | helpers | [`helpers`] ([`property`], [`task`], [`watch`], [`pbm`], ...) | property reads, task waits, watches, storage policies |

pub mod cassette;
pub mod error;
pub mod helpers;
pub mod session;
pub mod transport;

pub use helpers::{
    EventsExt, ObjectExt, TaskExt, WatchExt, esxcli, event, find, property, task, watch,
};

/// The traits that put helpers on the views: `use vmomi::prelude::*;`.
pub mod prelude {
    pub use crate::helpers::{EventsExt, ObjectExt, TaskExt, WatchExt};
    pub use crate::rt::RoundTripper;
    pub use vmomi_methods::ObjectView;
}
/// A struct of typed properties of one managed object type, and its derive
/// (see [`property`]).
pub use helpers::property::PropertySet;
pub use session::{Client, ClientBuilder, release};
pub use transport::{redact, tls};

pub use error::{Error, Fault, TransportKind};
pub use vmomi_bindings::{rt, xml};
pub use vmomi_methods::{
    Decoded, ObjectView, decode_response, decode_response_in, methods, mo, types,
};

/// The PBM storage-policy service: the [`pbm::Pbm`] helper, and the
/// generated methods and views (`vmomi::pbm::mo::PbmPlacementSolver`).
pub mod pbm {
    pub use crate::helpers::pbm::*;
    pub use vmomi_methods::pbm::{methods, mo};
}
