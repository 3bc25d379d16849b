//! The error of the SDK: one type to match, whether a call failed on the
//! wire (a fault, a body that does not decode) or in the client (HTTP, TLS,
//! a timeout, the configuration, a cassette).
//!
//! Generated methods return [`CallError`] (`vmomi_bindings::Error`), which
//! knows only the wire and carries the client's failures boxed;
//! [`Error::from`] (or `?` in a function returning [`Error`]) unboxes them,
//! so nothing is wrapped twice.

use crate::types::AnyMethodFault;
use crate::xml::DecodeError;

/// The error generated methods return; [`Error::from`] turns it into the
/// one to match on.
pub use vmomi_bindings::error::Error as CallError;
pub use vmomi_bindings::error::Fault;

/// Why a call or a helper failed.
///
/// Generated methods return [`CallError`]; `?` in a function returning this
/// type converts it, and `vmomi::Error::from(e)` does so explicitly, so
/// there is one type to match on:
///
/// ```no_run
/// use vmomi::prelude::*;
///
/// async fn power_on(vm: vmomi::mo::VirtualMachine) -> Result<(), vmomi::Error> {
///     vm.power_on_vm_task(None).await?.wait().await?;
///     Ok(())
/// }
///
/// # async fn run(vm: vmomi::mo::VirtualMachine) {
/// match power_on(vm.clone()).await {
///     Ok(()) => {}
///     Err(e) if e.is_not_authenticated() => eprintln!("log in again"),
///     Err(vmomi::Error::Timeout { elapsed, .. }) => eprintln!("gave up after {elapsed:?}"),
///     Err(e) => eprintln!("{e}"),
/// }
/// // A generated method's own error, made matchable:
/// if let Err(e) = vm.power_off_vm_task().await {
///     if let vmomi::Error::Transport { kind, .. } = vmomi::Error::from(e) {
///         eprintln!("{kind}");
///     }
/// }
/// # }
/// ```
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
    /// environment variable, a property path too deep); the message names
    /// the setting.
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
    /// An ESXCLI command could not be run, or failed on the host: the
    /// command and what went wrong.
    #[error("esxcli {command}: {problem}")]
    Esxcli {
        /// The command as given (`network ip interface ipv4 get`).
        command: String,
        /// What went wrong.
        problem: Box<EsxcliProblem>,
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

/// What went wrong with an ESXCLI command (see [`Error::Esxcli`]).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum EsxcliProblem {
    /// The host has no such command; `available` lists what it has where
    /// the words stopped matching (namespaces or commands).
    UnknownCommand {
        /// The words that matched nothing, from the first unknown one.
        unknown: String,
        /// What the host offers at that point.
        available: Vec<String>,
    },
    /// The command has no such argument.
    UnknownArgument {
        /// The argument as given.
        argument: String,
        /// The command's arguments.
        known: Vec<String>,
    },
    /// An argument's value is not of its type, or a required one is missing.
    BadArgument {
        /// The argument.
        argument: String,
        /// What is wrong.
        problem: String,
    },
    /// The command ran and failed on the host (its executer's fault, such
    /// as `vim.EsxCLI.CLIFault`), with the host's messages.
    Failed {
        /// The fault's type.
        fault: String,
        /// The host's messages (`errMsg`), or the fault's summary.
        messages: Vec<String>,
    },
    /// The host's answer could not be read.
    Answer(String),
}

impl std::fmt::Display for EsxcliProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EsxcliProblem::UnknownCommand { unknown, available } => write!(
                f,
                "unknown command {unknown:?}; the host has: {}",
                available.join(", ")
            ),
            EsxcliProblem::UnknownArgument { argument, known } => {
                if known.is_empty() {
                    write!(f, "unknown argument {argument:?}; the command takes none")
                } else {
                    write!(
                        f,
                        "unknown argument {argument:?}; the command takes: {}",
                        known.join(", ")
                    )
                }
            }
            EsxcliProblem::BadArgument { argument, problem } => {
                write!(f, "argument {argument:?}: {problem}")
            }
            EsxcliProblem::Failed { fault, messages } => {
                write!(f, "failed on the host ({fault}): {}", messages.join("; "))
            }
            EsxcliProblem::Answer(why) => write!(f, "the host's answer cannot be read: {why}"),
        }
    }
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
    /// Anything else, including the failure of a round-tripper that is not
    /// this crate's.
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

    /// A round-tripper's error that is neither ours nor the bindings': a
    /// transport failure of no known kind, its chain in the message as
    /// [`Error::Transport`] promises.
    fn foreign(cause: Box<dyn std::error::Error + Send + Sync + 'static>) -> Self {
        let mut message = cause.to_string();
        let mut next = cause.source();
        while let Some(e) = next {
            message.push_str(": ");
            message.push_str(&e.to_string());
            next = e.source();
        }
        Error::Transport {
            kind: TransportKind::Other,
            message,
            cause,
        }
    }
}

/// Makes a generated call's error matchable: the wire's variants map to
/// their namesakes, and a boxed [`Error`] (what this crate's round-trippers
/// fail with) comes back out as itself, not wrapped.
impl From<CallError> for Error {
    fn from(e: CallError) -> Self {
        match e {
            CallError::Fault(f) => Error::Fault(f),
            CallError::Decode(d) => Error::Decode(d),
            CallError::Release(v) => Error::Release(v),
            CallError::PropertyType {
                path,
                expected,
                found,
            } => Error::PropertyType {
                path,
                expected,
                found,
            },
            CallError::PropertyPath {
                type_name,
                path,
                problem,
            } => Error::PropertyPath {
                type_name,
                path,
                problem,
            },
            CallError::PropertyMissing {
                object,
                path,
                reason,
            } => Error::PropertyMissing {
                object,
                path,
                reason,
            },
            // The same words as the bindings' message, after the prefix
            // `Config` adds.
            e @ CallError::PathTooDeep { .. } => {
                let text = e.to_string();
                let text = text.strip_prefix("client configuration: ").unwrap_or(&text);
                Error::Config(text.to_string())
            }
            CallError::RoundTrip(inner) => match inner.downcast::<Error>() {
                Ok(ours) => *ours,
                Err(inner) => match inner.downcast::<CallError>() {
                    Ok(call) => Error::from(*call),
                    Err(other) => Error::foreign(other),
                },
            },
            // The bindings may grow variants (the enum is non-exhaustive);
            // until they are mirrored here they keep their message.
            other => Error::foreign(Box::new(other)),
        }
    }
}

/// Hands an error to a generated call (what a [`RoundTripper`] returns): the
/// wire's variants go back to their namesakes, so the call and its caller
/// still see a fault as a fault; the client's own are boxed in
/// [`CallError::RoundTrip`], and [`Error::from`] unboxes them.
///
/// [`RoundTripper`]: crate::rt::RoundTripper
impl From<Error> for CallError {
    fn from(e: Error) -> Self {
        match e {
            Error::Fault(f) => CallError::Fault(f),
            Error::Decode(d) => CallError::Decode(d),
            Error::Release(v) => CallError::Release(v),
            Error::PropertyType {
                path,
                expected,
                found,
            } => CallError::PropertyType {
                path,
                expected,
                found,
            },
            Error::PropertyPath {
                type_name,
                path,
                problem,
            } => CallError::PropertyPath {
                type_name,
                path,
                problem,
            },
            Error::PropertyMissing {
                object,
                path,
                reason,
            } => CallError::PropertyMissing {
                object,
                path,
                reason,
            },
            other => CallError::RoundTrip(Box::new(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::soap::SoapFault;
    use std::error::Error as _;

    fn not_authenticated() -> Error {
        Error::Fault(Box::new(SoapFault {
            code: "ServerFaultCode".into(),
            string: "The session is not authenticated.".into(),
            detail: Some(AnyMethodFault::NotAuthenticated(Default::default())),
            ..Default::default()
        }))
    }

    #[test]
    fn a_client_error_crosses_the_bindings_and_comes_back_unwrapped() {
        let e = Error::Timeout {
            call: "RetrieveServiceContent on https://vc/sdk".into(),
            elapsed: std::time::Duration::from_millis(1500),
            limit: std::time::Duration::from_secs(1),
        };
        let text = e.to_string();
        let call = CallError::from(e);
        assert!(matches!(call, CallError::RoundTrip(_)));
        assert_eq!(call.to_string(), text, "the message passes through");
        assert!(call.source().is_none(), "no chain printed twice");
        let back = Error::from(call);
        assert!(matches!(back, Error::Timeout { .. }), "{back:?}");
        assert_eq!(back.to_string(), text);
    }

    #[test]
    fn a_fault_stays_a_fault_both_ways() {
        let call = CallError::from(not_authenticated());
        assert!(call.is_not_authenticated());
        let back = Error::from(call);
        assert!(back.is_not_authenticated());
        assert!(matches!(back, Error::Fault(_)));
    }

    #[test]
    fn a_foreign_round_trip_error_is_a_transport_error_with_its_text() {
        let io = std::io::Error::other("pipe gone");
        let e = Error::from(CallError::RoundTrip(Box::new(io)));
        match &e {
            Error::Transport { kind, message, .. } => {
                assert_eq!(*kind, TransportKind::Other);
                assert_eq!(message, "pipe gone");
            }
            other => panic!("{other:?}"),
        }
        // A bindings error boxed by someone else is unboxed too.
        let nested = CallError::RoundTrip(Box::new(CallError::from(not_authenticated())));
        assert!(Error::from(nested).is_not_authenticated());
    }

    #[test]
    fn a_path_too_deep_keeps_its_message_as_a_config_error() {
        let call = CallError::PathTooDeep { path: "a.b".into() };
        let text = call.to_string();
        let e = Error::from(call);
        assert!(matches!(e, Error::Config(_)), "{e:?}");
        assert_eq!(e.to_string(), text);
    }
}
