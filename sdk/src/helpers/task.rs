//! Waiting for tasks: `*_Task` methods return a `Task` reference; its `info`
//! tells when the work is done and how it ended.
//!
//! ```no_run
//! # async fn run(client: vmomi::Client, vm: vmomi::types::ManagedObjectReference) -> Result<(), vmomi::Error> {
//! let task = vmomi::mo::VirtualMachine::new(client.shared(), vm).power_off_vm_task().await?;
//! let info = vmomi::task::wait(&client, &task).await?;
//! println!("done: {:?}", info.state);
//! # Ok(()) }
//! ```

use super::property::retrieve_one;
use crate::types::{ManagedObjectReference, TaskInfo, TaskInfoState};
use crate::{Client, Error, Fault};
use std::time::Duration;

/// First pause between polls; it doubles up to [`MAX_POLL`].
const FIRST_POLL: Duration = Duration::from_millis(100);
/// Longest pause between polls.
const MAX_POLL: Duration = Duration::from_secs(2);

/// Polls the task's `info` until it succeeds (its `TaskInfo`) or fails (the
/// task's fault as [`Error::Fault`], typed like a call's fault). A client
/// replaying a cassette polls without pausing, so recorded waits cost nothing.
pub async fn wait(client: &Client, task: &ManagedObjectReference) -> Result<TaskInfo, Error> {
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
