//! Waiting for tasks: `*_Task` methods return a `Task` reference; its `info`
//! tells when the work is done and how it ended.
//!
//! ```no_run
//! # async fn run(client: vmomi::Client, vm: vmomi::types::ManagedObjectReference) -> Result<(), vmomi::Error> {
//! let task = vmomi::mo::VirtualMachine::new(client.shared(), vm).power_off_vm_task().await?;
//! let info = vmomi::task::wait(&client, task.reference()).await?;
//! println!("done: {:?}", info.state);
//! # Ok(()) }
//! ```

use super::property::retrieve_one;
use crate::mo::Task;
use crate::rt::RoundTripper;
use crate::types::{ManagedObjectReference, TaskInfo, TaskInfoState};
use crate::{Error, Fault, ObjectView};
use std::future::Future;
use std::time::Duration;

/// First pause between polls; it doubles up to [`MAX_POLL`].
const FIRST_POLL: Duration = Duration::from_millis(100);
/// Longest pause between polls.
const MAX_POLL: Duration = Duration::from_secs(2);

/// Polls the task's `info` until it succeeds (its `TaskInfo`) or fails (the
/// task's fault as [`Error::Fault`], typed like a call's fault). A client
/// replaying a cassette polls without pausing, so recorded waits cost nothing.
pub async fn wait(
    client: &dyn RoundTripper,
    task: &ManagedObjectReference,
) -> Result<TaskInfo, Error> {
    let mut pause = FIRST_POLL;
    loop {
        let info = retrieve_one(client, task, crate::mo::Task::INFO)
            .await?
            .ok_or_else(|| Error::Config(format!("task {} has no info", task.value)))?;
        match info.state {
            TaskInfoState::Success => return Ok(info),
            TaskInfoState::Error => {
                let (detail, string) = match info.error {
                    Some(e) => {
                        let msg = e
                            .localized_message
                            .clone()
                            .unwrap_or_else(|| e.fault.type_name().to_string());
                        (Some(e.fault), msg)
                    }
                    None => (None, format!("task {} failed", task.value)),
                };
                return Err(Error::Fault(Box::new(Fault {
                    code: "ServerFaultCode".into(),
                    string,
                    detail,
                    raw_detail: None,
                })));
            }
            TaskInfoState::Queued | TaskInfoState::Running | TaskInfoState::Unrecognized(_) => {
                if !client.is_replay() {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(MAX_POLL);
                }
            }
        }
    }
}

/// Helpers on a task's view, the one every `*_Task` method returns.
///
/// ```no_run
/// # async fn run(vm: vmomi::mo::VirtualMachine) -> Result<(), vmomi::Error> {
/// use vmomi::prelude::*;
/// let info = vm.power_off_vm_task().await?.wait().await?;
/// println!("done: {:?}", info.state);
/// # Ok(()) }
/// ```
pub trait TaskExt {
    /// Waits for the task (see [`wait`]): its `TaskInfo` on success, its
    /// typed fault as [`Error::Fault`] on failure.
    fn wait(&self) -> impl Future<Output = Result<TaskInfo, Error>> + Send + '_;
}

impl TaskExt for Task {
    fn wait(&self) -> impl Future<Output = Result<TaskInfo, Error>> + Send + '_ {
        wait(&**self.client_arc(), ObjectView::reference(self))
    }
}
