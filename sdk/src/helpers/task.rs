//! Waiting for tasks: `*_Task` view methods return the task's view; waiting
//! watches its `info` through the PropertyCollector (`WaitForUpdatesEx` on a
//! collector made for the wait and destroyed after it), never by polling
//! with sleeps, and reports progress, the typed result or the task's typed
//! fault, with an optional deadline that can cancel the task.
//!
//! ```no_run
//! # async fn run(vm: vmomi::mo::VirtualMachine) -> Result<(), vmomi::Error> {
//! use std::time::Duration;
//! use vmomi::prelude::*;
//! use vmomi::task::TaskWait;
//! let task = vm.power_off_vm_task().await?;
//! let info = task
//!     .wait_with(
//!         TaskWait::new()
//!             .deadline(Duration::from_secs(600))
//!             .cancel_at_deadline(true)
//!             .progress(|info| eprintln!("{:?}% {:?}", info.progress, info.state)),
//!     )
//!     .await?;
//! println!("done: {:?}", info.state);
//! # Ok(()) }
//! ```

use super::owned::{Kind, Owned};
use crate::mo::Task;
use crate::rt::{PropertyPath, RoundTripper};
use crate::types::{
    CancelTaskRequestType, CompactString, CreateFilterRequestType,
    CreatePropertyCollectorRequestType, ManagedObjectReference, ObjectSpec, PropertyFilterSpec,
    PropertySpec, TaskInfo, TaskInfoState, WaitForUpdatesExRequestType, WaitOptions,
};
use crate::{Client, Error, Fault, ObjectView, methods};
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long one `WaitForUpdatesEx` may wait on the server before it answers
/// "no change" (and the wait asks again). Fixed, so recorded waits replay.
const SERVER_WAIT_SECONDS: i32 = 60;

/// How a wait goes: an overall deadline, whether reaching it cancels the
/// task, and a progress callback.
#[derive(Default)]
#[must_use]
pub struct TaskWait<'p> {
    deadline: Option<Duration>,
    cancel_at_deadline: bool,
    progress: Option<Progress<'p>>,
}

/// A progress callback.
type Progress<'p> = Box<dyn FnMut(&TaskInfo) + Send + 'p>;

impl std::fmt::Debug for TaskWait<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskWait")
            .field("deadline", &self.deadline)
            .field("cancel_at_deadline", &self.cancel_at_deadline)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl<'p> TaskWait<'p> {
    /// Wait as long as the task takes, without progress reports.
    pub fn new() -> Self {
        Self::default()
    }

    /// Give up after `limit`: the wait fails with [`Error::Timeout`] (the
    /// task goes on unless [`cancel_at_deadline`](Self::cancel_at_deadline)).
    pub fn deadline(mut self, limit: Duration) -> Self {
        self.deadline = Some(limit);
        self
    }

    /// At the deadline, ask the server to cancel the task (`CancelTask`)
    /// before failing.
    pub fn cancel_at_deadline(mut self, cancel: bool) -> Self {
        self.cancel_at_deadline = cancel;
        self
    }

    /// Called with the task's `info` at every change while it is queued or
    /// running (`progress` is the percentage, `description` what it does).
    /// It runs inside the wait: keep it short, never block in it.
    pub fn progress(mut self, report: impl FnMut(&TaskInfo) + Send + 'p) -> Self {
        self.progress = Some(Box::new(report));
        self
    }
}

/// Waits for `task` until it succeeds (its `TaskInfo`, whose `result` holds
/// what the task made) or fails (the task's fault as [`Error::Fault`], typed
/// like a call's fault).
pub async fn wait(client: &Client, task: &ManagedObjectReference) -> Result<TaskInfo, Error> {
    wait_on(client.shared(), task, TaskWait::new()).await
}

/// [`wait`] with a deadline, cancellation and progress reports.
pub async fn wait_with(
    client: &Client,
    task: &ManagedObjectReference,
    how: TaskWait<'_>,
) -> Result<TaskInfo, Error> {
    wait_on(client.shared(), task, how).await
}

async fn wait_on(
    client: Arc<dyn RoundTripper>,
    task: &ManagedObjectReference,
    mut how: TaskWait<'_>,
) -> Result<TaskInfo, Error> {
    let started = Instant::now();
    let sc = super::service_content(&*client, || format!("waiting for {}", task.value))?;
    let collector = methods::create_property_collector(
        &*client,
        &CreatePropertyCollectorRequestType {
            this: sc.property_collector.clone(),
            ..Default::default()
        },
    )
    .await?;
    let guard = Owned::new(client.clone(), collector.clone(), Kind::PropertyCollector);
    let (deadline, cancel_at_deadline) = (how.deadline, how.cancel_at_deadline);
    let watched = watch(&*client, &collector, task, &mut how);
    let outcome = match deadline {
        None => watched.await,
        Some(limit) => match tokio::time::timeout(limit, watched).await {
            Ok(r) => r,
            Err(_) => {
                if cancel_at_deadline {
                    let req = CancelTaskRequestType {
                        this: task.clone(),
                        ..Default::default()
                    };
                    if let Err(e) = methods::cancel_task(&*client, &req).await {
                        tracing::warn!(task = %task.value, error = %e, "cancelling the task at the deadline failed");
                    }
                }
                Err(Error::Timeout {
                    call: format!("waiting for task {}", task.value),
                    elapsed: started.elapsed(),
                    limit,
                })
            }
        },
    };
    let destroyed = guard.destroy().await;
    let info = outcome?;
    destroyed?;
    Ok(info)
}

/// The change loop: a filter on the task's `info`, then `WaitForUpdatesEx`
/// until the state is final.
async fn watch(
    client: &dyn RoundTripper,
    collector: &ManagedObjectReference,
    task: &ManagedObjectReference,
    how: &mut TaskWait<'_>,
) -> Result<TaskInfo, Error> {
    methods::create_filter(
        client,
        &CreateFilterRequestType {
            this: collector.clone(),
            spec: PropertyFilterSpec {
                prop_set: vec![PropertySpec {
                    r#type: task.r#type.clone(),
                    all: Some(false),
                    path_set: vec!["info".into()],
                    ..Default::default()
                }],
                object_set: vec![ObjectSpec {
                    obj: task.clone(),
                    skip: Some(false),
                    ..Default::default()
                }],
                ..Default::default()
            },
            partial_updates: false,
            ..Default::default()
        },
    )
    .await?;
    const INFO: PropertyPath<TaskInfo> = Task::INFO;
    let mut version = CompactString::default();
    loop {
        let update = methods::wait_for_updates_ex(
            client,
            &WaitForUpdatesExRequestType {
                this: collector.clone(),
                version: Some(version.clone()),
                options: Some(WaitOptions {
                    max_wait_seconds: Some(SERVER_WAIT_SECONDS),
                    ..Default::default()
                }),
                ..Default::default()
            },
        )
        .await?;
        // `None`: nothing changed within the server's wait; ask again.
        let Some(update) = update else { continue };
        version = update.version;
        let mut latest = None;
        for change in update
            .filter_set
            .into_iter()
            .flat_map(|f| f.object_set)
            .filter(|o| o.obj == *task)
            .flat_map(|o| o.change_set)
        {
            if change.name == INFO.path() {
                if let Some(val) = change.val {
                    latest = Some(INFO.decode(val)?);
                }
            }
        }
        let Some(info) = latest else { continue };
        match info.state {
            TaskInfoState::Success => return Ok(info),
            TaskInfoState::Error => return Err(task_fault(task, info)),
            TaskInfoState::Queued | TaskInfoState::Running | TaskInfoState::Unrecognized(_) => {
                if let Some(report) = how.progress.as_mut() {
                    report(&info);
                }
            }
        }
    }
}

/// The fault of a failed task, typed like a call's.
fn task_fault(task: &ManagedObjectReference, info: TaskInfo) -> Error {
    let (detail, string) = match info.error {
        Some(e) => {
            let msg = e
                .localized_message
                .clone()
                .map(String::from)
                .unwrap_or_else(|| e.fault.type_name().to_string());
            (Some(e.fault), msg)
        }
        None => (None, format!("task {} failed", task.value)),
    };
    Error::Fault(Box::new(Fault {
        code: "ServerFaultCode".into(),
        string,
        detail,
        raw_detail: None,
    }))
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

    /// [`wait`](Self::wait) with a deadline, cancellation and progress.
    fn wait_with<'a>(
        &'a self,
        how: TaskWait<'a>,
    ) -> impl Future<Output = Result<TaskInfo, Error>> + Send + 'a;

    /// Asks the server to cancel the task (`CancelTask`); waiting then ends
    /// with its `RequestCanceled` fault.
    fn cancel(&self) -> impl Future<Output = Result<(), Error>> + Send + '_;
}

impl TaskExt for Task {
    fn wait(&self) -> impl Future<Output = Result<TaskInfo, Error>> + Send + '_ {
        wait_on(
            self.client_arc().clone(),
            ObjectView::reference(self),
            TaskWait::new(),
        )
    }

    fn wait_with<'a>(
        &'a self,
        how: TaskWait<'a>,
    ) -> impl Future<Output = Result<TaskInfo, Error>> + Send + 'a {
        wait_on(self.client_arc().clone(), ObjectView::reference(self), how)
    }

    async fn cancel(&self) -> Result<(), Error> {
        Ok(self.cancel_task().await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_settings_show_without_the_callback() {
        let w = TaskWait::new()
            .deadline(Duration::from_secs(5))
            .cancel_at_deadline(true)
            .progress(|_| {});
        let d = format!("{w:?}");
        assert!(d.contains("5s") && d.contains("progress: true"), "{d}");
    }
}
