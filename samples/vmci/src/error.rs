//! `vmci`'s one error type: every failure a command reports, with what was
//! wrong and where.

use crate::model::{ConfigError, Refusal};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A spec or policy that cannot be read; every error found.
    #[error("{}", lines(.0))]
    Config(Vec<ConfigError>),
    /// The policy cannot serve the spec; every reason.
    #[error("{0}")]
    Refused(Box<Refusal>),
    /// Something the command line or environment must say (no spec found,
    /// no build id, ...).
    #[error("{0}")]
    Usage(String),
    /// One VM could not be brought to (or out of) its state.
    #[error("{vm}: {message}")]
    Vm { vm: String, message: String },
    /// Several VMs failed; each says why.
    #[error("{}", lines(.0))]
    Several(Vec<Error>),
    #[error(transparent)]
    Vmomi(#[from] vmomi::Error),
}

fn lines<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

impl From<vmomi::error::CallError> for Error {
    fn from(e: vmomi::error::CallError) -> Self {
        Error::Vmomi(vmomi::Error::from(e))
    }
}

impl From<Vec<ConfigError>> for Error {
    fn from(e: Vec<ConfigError>) -> Self {
        Error::Config(e)
    }
}
