//! `vmomi-bindings`: the vim25 wire types, methods and managed-object views
//! generated from the vSphere WSDL by `vmomi-codegen`, plus the hand-written
//! streaming XML runtime ([`xml`]) and call glue ([`rt`]) they are built on.
//!
//! Most users depend on `vmomi`, which re-exports this crate.
//!
//! ```
//! use vmomi_bindings::types::{AnyVirtualDevice, VirtualDisk};
//! let mut disk = VirtualDisk::default();
//! disk.capacity_in_kb = 1024;
//! disk.key = 2000; // inherited from VirtualDevice
//! let dev = AnyVirtualDevice::from(disk);
//! match &dev {
//!     AnyVirtualDevice::VirtualDisk(d) => assert_eq!(d.capacity_in_kb, 1024),
//!     _ => unreachable!(),
//! }
//! assert_eq!(dev.key, 2000); // base fields through Deref
//! ```
#![warn(missing_docs)]

pub mod error;
mod generated;
pub mod rt;
pub mod xml;

pub use error::{Error, Fault};

/// Every wire type: data objects, faults, enums, polymorphic
/// `Any*` enums and the `anyType` value, under their WSDL names.
pub mod types {
    pub use crate::generated::any::{AnyArray, AnyEnum, DataObject};
    pub use crate::generated::data::*;
    pub use crate::generated::enums::*;
    pub use crate::generated::faults::*;
    pub use crate::generated::pbm::*;
    pub use crate::generated::poly::*;
    pub use crate::rt::{Any, UnknownValue};
    pub use crate::xml::{DateTime, Extra, ManagedObjectReference};
    /// The string type of every `xsd:string` and `xsd:anyURI` field: up to
    /// 24 bytes inline, longer ones on the heap; derefs to `&str`.
    pub use compact_str::CompactString;
}
