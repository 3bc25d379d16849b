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
    /// Connecting, sending or receiving failed. The message is one line:
    /// what was being done, the cause in words, and the chain of underlying
    /// errors (refused, reset, closed, name not resolved, ...). The
    /// underlying error is kept in `cause` but, because the message already
    /// carries its chain, not returned by `Error::source`, so reporters that
    /// walk the chain do not print it twice.
    #[error("{message}")]
    Transport {
        /// What kind of failure this was.
        kind: TransportKind,
        /// The whole story in one line.
        message: String,
        /// The underlying error (usually a `reqwest::Error`).
        cause: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The TLS handshake or certificate check failed.
    #[error("TLS error: {0}")]
    Tls(String),
    /// The call did not finish in time.
    #[error("{call} timed out after {} (the limit is {}; raise it with VSPHERE_TIMEOUT or ClientBuilder::timeout)", seconds(.elapsed), seconds(.limit))]
    Timeout {
        /// The call: `RetrievePropertiesEx on https://vc/sdk`.
        call: String,
        /// How long it ran.
        elapsed: std::time::Duration,
        /// The configured limit.
        limit: std::time::Duration,
    },
    /// A response was larger than the configured limit; it was not read
    /// further.
    #[error("the response to {call} exceeds the limit of {limit} bytes{}; raise it with VSPHERE_MAX_RESPONSE_MB or ClientBuilder::max_response_bytes", .announced.map(|n| format!(" (it announced {n} bytes)")).unwrap_or_default())]
    ResponseTooLarge {
        /// The call: `RetrievePropertiesEx on https://vc/sdk`.
        call: String,
        /// The configured limit in bytes.
        limit: u64,
        /// The size the server announced in `Content-Length`, if it did.
        announced: Option<u64>,
    },
    /// The client was configured wrongly (a bad URL, thumbprint, CA file or
    /// environment variable); the message names the setting.
    #[error("client configuration: {0}")]
    Config(String),
    /// The server's data lack something the client needs: its
    /// ServiceContent names no `ViewManager`, `SearchIndex`, `EventManager`
    /// or `SessionManager` (a host agent or a trimmed endpoint may leave
    /// them out). Not a configuration error: no client setting fixes it.
    #[error("the server provides no {what}")]
    ServerData {
        /// What is missing and where it was looked for, e.g.
        /// `ViewManager (ServiceContent.viewManager)`.
        what: String,
    },
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
    /// An inventory path (or pattern) matched nothing: `deepest` is the
    /// longest leading part that exists, `missing` the part after it that
    /// did not match.
    #[error("inventory path {path:?} not found: {deepest:?} has no child matching {missing:?}")]
    NotFound {
        /// The path asked for.
        path: String,
        /// The longest leading part that exists (`/` at least).
        deepest: String,
        /// The first part that matched nothing.
        missing: String,
    },
    /// A cassette could not be written.
    #[error("cassette: {0}")]
    Cassette(String),
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
}

/// The kind of an [`Error::Transport`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// Nothing listens at the address (connection refused).
    Refused,
    /// The host name did not resolve.
    Dns,
    /// Opening the connection took longer than the connect timeout.
    ConnectTimeout,
    /// The connection was reset by the peer.
    Reset,
    /// The server closed the connection before the response was complete.
    Closed,
    /// The peer did not speak HTTP (or broke the protocol).
    Protocol,
    /// Anything else.
    Other,
}

impl std::fmt::Display for TransportKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TransportKind::Refused => "connection refused",
            TransportKind::Dns => "host name not resolved",
            TransportKind::ConnectTimeout => "connect timed out",
            TransportKind::Reset => "connection reset",
            TransportKind::Closed => "connection closed early",
            TransportKind::Protocol => "HTTP protocol error",
            TransportKind::Other => "transport failure",
        })
    }
}

/// `0.5 s`, `1 s`, `300 s`: whole seconds when the duration is one.
fn seconds(d: &std::time::Duration) -> String {
    let s = d.as_secs_f64();
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{s:.1} s")
    }
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
