//! The helper layer: what people use every day on top of a session,
//! reading properties and waiting for tasks. A new helper (finder, watch,
//! events) goes here, builds on [`crate::session`] only, and is re-exported
//! at the crate root.

pub mod event;
pub mod find;
pub mod object;
mod owned;
mod pages;
pub mod property;
pub mod task;
pub mod watch;

pub use event::EventsExt;
pub use object::ObjectExt;
pub use task::TaskExt;
pub use watch::WatchExt;
