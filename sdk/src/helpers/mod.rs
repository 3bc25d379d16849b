//! The helper layer: what people use every day on top of a session,
//! reading properties and waiting for tasks. A new helper (finder, watch,
//! events) goes here, builds on [`crate::session`] only, and is re-exported
//! at the crate root.

pub mod esxcli;
pub mod event;
pub mod find;
pub mod host;
pub mod object;
mod owned;
mod pages;
pub mod pbm;
pub mod property;
pub mod task;
pub mod watch;

/// The ServiceContent behind a session handle. A handle that has none (a
/// bare transport, a test's own round-tripper) is the caller's set-up, so
/// the error is `Config`, naming what was being done.
pub(crate) fn service_content(
    client: &dyn crate::rt::RoundTripper,
    doing: impl FnOnce() -> String,
) -> Result<&crate::types::ServiceContent, crate::Error> {
    client.service_content().ok_or_else(|| {
        crate::Error::Config(format!(
            "{}: the handle is not a session (no ServiceContent)",
            doing()
        ))
    })
}

pub use event::EventsExt;
pub use object::ObjectExt;
pub use task::TaskExt;
pub use watch::WatchExt;
