//! The error of every generated call: what the wire gave (a fault, a body
//! that does not decode, a property that does not fit) and, boxed, whatever
//! the round-tripper underneath failed with.

use crate::types::AnyMethodFault;
use crate::xml::{DecodeError, soap::SoapFault};

/// A SOAP fault with its typed detail (`InvalidLogin`, `NotAuthenticated`, ...).
pub type Fault = SoapFault<AnyMethodFault>;

/// Why a generated call failed.
///
/// This crate knows the wire only; a round-tripper's own failure (HTTP,
/// TLS, timeouts, cassettes: the `vmomi` crate's `Error`) travels boxed in
/// [`Error::RoundTrip`]. `vmomi::Error::from(e)` unboxes it again and is the
/// type to match on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with a SOAP fault.
    #[error("{} fault: {}", fault_name(.0), .0.string)]
    Fault(Box<Fault>),
    /// The response could not be decoded.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The request uses a method, field, type or enum value the server's
    /// release lacks; it was not sent. The violation names the item, where it
    /// is in the request and the release that introduced it.
    #[error(transparent)]
    Release(Box<crate::rt::release::ReleaseViolation>),
    /// A property value did not have the type its path promises.
    #[error("property {path}: expected {expected}, the server sent {found}")]
    PropertyType {
        /// The property path.
        path: String,
        /// The Rust type the path promises.
        expected: &'static str,
        /// The `xsi:type` that arrived.
        found: String,
    },
    /// A property path the managed object type does not have; refused
    /// before any request is sent.
    #[error("{type_name} has no property {path}: {problem}")]
    PropertyPath {
        /// The managed object type (`VirtualMachine`).
        type_name: String,
        /// The path as given (`runtime.powerStat`).
        path: String,
        /// Which part is wrong and why.
        problem: String,
    },
    /// A property a typed set requires is not in the server's answer
    /// (unset, or not readable: the reason names the server's fault).
    #[error("property {path} of {object} is missing{}", reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default())]
    PropertyMissing {
        /// The object (`vm-42`).
        object: String,
        /// The property path.
        path: String,
        /// The fault of the server's `missingSet` entry, when it gave one.
        reason: Option<String>,
    },
    /// A property path joined deeper than [`MAX_DEPTH`](crate::rt::MAX_DEPTH)
    /// parts: it cannot be held whole, so it is refused, not truncated.
    #[error(
        "client configuration: property path {path}... is deeper than {} parts",
        crate::rt::MAX_DEPTH
    )]
    PathTooDeep {
        /// The parts that fit, joined with dots.
        path: String,
    },
    /// The round-tripper the call went through failed for a reason of its
    /// own (connecting, TLS, a timeout, a cassette, ...). The message and
    /// the source chain are the inner error's.
    #[error(transparent)]
    RoundTrip(Box<dyn std::error::Error + Send + Sync + 'static>),
}

fn fault_name(f: &Fault) -> &str {
    f.detail
        .as_ref()
        .map(|d| d.type_name())
        .unwrap_or(f.code.as_str())
}

impl Error {
    /// The typed fault, when the server sent one.
    pub fn fault(&self) -> Option<&AnyMethodFault> {
        match self {
            Error::Fault(f) => f.detail.as_ref(),
            _ => None,
        }
    }

    /// Whether this is a `NotAuthenticated` fault (expired or missing session).
    pub fn is_not_authenticated(&self) -> bool {
        matches!(self.fault(), Some(AnyMethodFault::NotAuthenticated(_)))
    }
}
