//! The error type of every call.

use crate::types::AnyMethodFault;
use crate::xml::{DecodeError, soap::SoapFault};

/// A SOAP fault with its typed detail (`InvalidLogin`, `NotAuthenticated`, ...).
pub type Fault = SoapFault<AnyMethodFault>;

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with a SOAP fault.
    #[error("{} fault: {}", fault_name(.0), .0.string)]
    Fault(Box<Fault>),
    /// The response could not be decoded.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The server answered with an HTTP status that carries no SOAP fault.
    #[error("HTTP status {status} from {url}: {message}")]
    Http {
        /// The status code.
        status: u16,
        /// Where the request went.
        url: String,
        /// The reason phrase or the start of the body.
        message: String,
    },
    /// Connecting, sending or receiving failed.
    #[error("transport error: {0}")]
    Transport(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The TLS handshake or certificate check failed.
    #[error("TLS error: {0}")]
    Tls(String),
    /// The call did not finish in time.
    #[error("request timed out after {0:?}")]
    Timeout(std::time::Duration),
    /// The client was configured wrongly (a bad URL, thumbprint, CA file or
    /// environment variable); the message names the setting.
    #[error("client configuration: {0}")]
    Config(String),
    /// No API release both sides support could be agreed on.
    #[error("API release negotiation: {0}")]
    Negotiation(String),
    /// The request uses a method, field, type or enum value the server's
    /// release lacks; it was not sent. The violation names the item, where it
    /// is in the request and the release that introduced it.
    #[error(transparent)]
    Release(Box<crate::rt::release::ReleaseViolation>),
    /// Replaying a cassette, no recorded interaction matched the request;
    /// the message shows the request, the closest recorded one and the
    /// difference.
    #[error("cassette replay: {0}")]
    Replay(String),
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
