//! Watches: a stream of property changes of a set of objects, from a
//! PropertyCollector made for the watch (one filter on the objects and
//! paths), read with `WaitForUpdatesEx` and its version tokens.
//!
//! * The first answer carries the current value of every watched property
//!   ([`Change::initial`]); later ones carry what changed since.
//! * A `truncated` answer is followed at once with its version, so no
//!   update is dropped however large the burst.
//! * When the session is replaced (the client logs in again after
//!   `NotAuthenticated`), the old collector is gone with the old session:
//!   the watch makes a new collector and filter and starts again from
//!   version `""`. The consumer then sees the current values again (marked
//!   [`Change::initial`]), never a gap; a value may come twice.
//! * The collector (and so its filter) is destroyed when the stream is
//!   dropped, also after an error or during a panic, by a call spawned on
//!   the runtime: `Drop` never blocks.
//!
//! ```no_run
//! # async fn run(vm: vmomi::mo::VirtualMachine) -> Result<(), vmomi::Error> {
//! use futures_util::StreamExt;
//! use vmomi::prelude::*;
//! use vmomi::rt::PropertyPath;
//! use vmomi::types::VirtualMachinePowerState;
//! const POWER: PropertyPath<VirtualMachinePowerState> = PropertyPath::new("runtime.powerState");
//! let mut changes = vm.watch([POWER]).await?;
//! while let Some(change) = changes.next().await {
//!     if let Some(state) = change?.get(POWER)? {
//!         println!("{} is {state:?}", vm.reference().value);
//!     }
//! }
//! # Ok(()) }
//! ```

use super::owned::{Kind, Owned};
use crate::rt::{FromAny, PropertyPath, RoundTripper};
use crate::types::{
    Any, AnyMethodFault, CompactString, CreateFilterRequestType,
    CreatePropertyCollectorRequestType, LocalizedMethodFault, ManagedObjectReference, ObjectSpec,
    ObjectUpdateKind, PropertyChangeOp, PropertyFilterSpec, PropertySpec, UpdateSet,
    WaitForUpdatesExRequestType, WaitOptions,
};
use crate::{Client, Error, ObjectView, methods};
use futures_core::Stream;
use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

/// Server-side wait of one `WaitForUpdatesEx` by default. Fixed, so a
/// recorded watch replays, and well below the client's default call limit.
const DEFAULT_WAIT: Duration = Duration::from_secs(60);

/// Collectors made anew in a row, with no answer in between, before the
/// watch gives up: a server that keeps losing them would otherwise loop.
const MAX_RESTARTS_IN_A_ROW: u32 = 3;

/// A property path to watch: a typed constant (`VirtualMachine::RUNTIME`)
/// or a string, nested ones too (`"runtime.powerState"`).
///
/// ```
/// use vmomi::mo::VirtualMachine;
/// use vmomi::watch::WatchPath;
/// let typed = WatchPath::from(VirtualMachine::RUNTIME);
/// let plain = WatchPath::from("runtime.powerState");
/// assert_eq!(typed.as_str(), "runtime");
/// assert_eq!(plain.as_str(), "runtime.powerState");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatchPath(CompactString);

impl WatchPath {
    /// The dotted path.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<T> From<PropertyPath<T>> for WatchPath {
    fn from(p: PropertyPath<T>) -> Self {
        Self(p.path().into())
    }
}

impl From<&str> for WatchPath {
    fn from(p: &str) -> Self {
        Self(p.into())
    }
}

impl From<String> for WatchPath {
    fn from(p: String) -> Self {
        Self(p.into())
    }
}

impl From<&String> for WatchPath {
    fn from(p: &String) -> Self {
        Self(p.as_str().into())
    }
}

impl From<CompactString> for WatchPath {
    fn from(p: CompactString) -> Self {
        Self(p)
    }
}

/// What to watch: objects, the paths of each, and how each
/// `WaitForUpdatesEx` waits. Every path is watched on every object.
///
/// ```no_run
/// # async fn run(client: vmomi::Client, vm: vmomi::types::ManagedObjectReference) -> Result<(), vmomi::Error> {
/// use std::time::Duration;
/// use vmomi::mo::VirtualMachine;
/// use vmomi::watch::Watch;
/// let changes = Watch::new()
///     .object(&vm)
///     .path(VirtualMachine::RUNTIME)
///     .path("summary.quickStats.overallCpuUsage")
///     .max_wait(Duration::from_secs(30))
///     .max_object_updates(100)
///     .start(&client)
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct Watch {
    objects: Vec<ManagedObjectReference>,
    paths: Vec<WatchPath>,
    max_wait: Duration,
    max_object_updates: Option<u32>,
}

impl Default for Watch {
    fn default() -> Self {
        Self {
            objects: Vec::new(),
            paths: Vec::new(),
            max_wait: DEFAULT_WAIT,
            max_object_updates: None,
        }
    }
}

impl Watch {
    /// Nothing watched yet; each call waits up to 60 s on the server.
    ///
    /// ```
    /// let w = vmomi::watch::Watch::new();
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Also watch `obj`.
    ///
    /// ```
    /// use vmomi::types::ManagedObjectReference;
    /// let w = vmomi::watch::Watch::new().object(&ManagedObjectReference::new("VirtualMachine", "vm-42"));
    /// ```
    pub fn object(mut self, obj: &ManagedObjectReference) -> Self {
        self.objects.push(obj.clone());
        self
    }

    /// Also watch each of `objs`.
    ///
    /// ```
    /// use vmomi::types::ManagedObjectReference;
    /// let vms = [ManagedObjectReference::new("VirtualMachine", "vm-1"), ManagedObjectReference::new("VirtualMachine", "vm-2")];
    /// let w = vmomi::watch::Watch::new().objects(&vms);
    /// ```
    pub fn objects<'a>(
        mut self,
        objs: impl IntoIterator<Item = &'a ManagedObjectReference>,
    ) -> Self {
        self.objects.extend(objs.into_iter().cloned());
        self
    }

    /// Also watch `path` (typed constant or string).
    ///
    /// ```
    /// use vmomi::mo::VirtualMachine;
    /// let w = vmomi::watch::Watch::new().path(VirtualMachine::NAME).path("runtime.powerState");
    /// ```
    pub fn path(mut self, path: impl Into<WatchPath>) -> Self {
        self.paths.push(path.into());
        self
    }

    /// Also watch each of `paths`.
    ///
    /// ```
    /// let w = vmomi::watch::Watch::new().paths(["name", "runtime.powerState"]);
    /// ```
    pub fn paths<P: Into<WatchPath>>(mut self, paths: impl IntoIterator<Item = P>) -> Self {
        self.paths.extend(paths.into_iter().map(Into::into));
        self
    }

    /// How long one `WaitForUpdatesEx` waits on the server when nothing
    /// changes (whole seconds, at least 1; 60 s by default). Keep it below
    /// the client's call time limit, or each quiet wait ends in a timeout.
    ///
    /// ```
    /// let w = vmomi::watch::Watch::new().max_wait(std::time::Duration::from_secs(30));
    /// ```
    pub fn max_wait(mut self, wait: Duration) -> Self {
        self.max_wait = wait;
        self
    }

    /// At most `n` object updates per answer (`maxObjectUpdates`): the
    /// server sets `truncated` and the watch asks for the rest at once.
    ///
    /// ```
    /// let w = vmomi::watch::Watch::new().max_object_updates(50);
    /// ```
    pub fn max_object_updates(mut self, n: u32) -> Self {
        self.max_object_updates = Some(n);
        self
    }

    /// Makes the collector and its filter on `client`'s session; the stream
    /// yields the changes. A path the server does not know fails here.
    ///
    /// ```no_run
    /// # async fn run(client: vmomi::Client, vm: vmomi::types::ManagedObjectReference) -> Result<(), vmomi::Error> {
    /// let changes = vmomi::watch::Watch::new().object(&vm).path("name").start(&client).await?;
    /// # Ok(()) }
    /// ```
    pub async fn start(self, client: &Client) -> Result<Changes, Error> {
        self.start_on(client.shared()).await
    }

    /// [`start`](Self::start) on any session handle (a view's
    /// `client_arc()`).
    ///
    /// ```no_run
    /// # async fn run(vm: vmomi::mo::VirtualMachine) -> Result<(), vmomi::Error> {
    /// use vmomi::prelude::*;
    /// let changes = vmomi::watch::Watch::new()
    ///     .object(vm.reference())
    ///     .path("name")
    ///     .start_on(vm.client_arc().clone())
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn start_on(self, client: Arc<dyn RoundTripper>) -> Result<Changes, Error> {
        let options = self.options()?;
        let spec = self.spec()?;
        let status = Arc::new(Status::default());
        let mut state = State {
            client,
            spec,
            options,
            version: CompactString::default(),
            initial: true,
            queue: VecDeque::new(),
            status: status.clone(),
            restarts_in_a_row: 0,
            done: false,
        };
        state.create().await?;
        let stream = futures_util::stream::unfold(state, |mut state| async move {
            let item = state.next().await?;
            Some((item, state))
        });
        Ok(Changes {
            inner: Box::pin(stream),
            status,
        })
    }

    fn options(&self) -> Result<WaitOptions, Error> {
        let secs = self.max_wait.as_secs();
        // 0 would make the server answer at once, every time: a busy loop.
        if secs == 0 {
            return Err(Error::Config(format!(
                "watch: max_wait {:?} is under one second; the server waits in whole seconds",
                self.max_wait
            )));
        }
        let max_object_updates = match self.max_object_updates {
            None => None,
            Some(0) => {
                return Err(Error::Config(
                    "watch: max_object_updates 0 would never return an update".into(),
                ));
            }
            Some(n) => Some(i32::try_from(n).unwrap_or(i32::MAX)),
        };
        Ok(WaitOptions {
            max_wait_seconds: Some(i32::try_from(secs).unwrap_or(i32::MAX)),
            max_object_updates,
            ..Default::default()
        })
    }

    fn spec(&self) -> Result<PropertyFilterSpec, Error> {
        if self.objects.is_empty() {
            return Err(Error::Config(
                "watch: no object to watch; add one with .object(..)".into(),
            ));
        }
        if self.paths.is_empty() {
            return Err(Error::Config(
                "watch: no property path to watch; add one with .path(..)".into(),
            ));
        }
        if let Some(bad) = self
            .paths
            .iter()
            .find(|p| p.0.is_empty() || p.0.split('.').any(str::is_empty))
        {
            return Err(Error::Config(format!(
                "watch: {:?} is not a property path (dotted names, none empty)",
                bad.0
            )));
        }
        if let Some(bad) = self
            .objects
            .iter()
            .find(|o| o.r#type.is_empty() || o.value.is_empty())
        {
            return Err(Error::Config(format!(
                "watch: object {bad:?} has no type or no value"
            )));
        }
        // One PropertySpec per type: the server matches specs by type.
        let mut types: BTreeMap<&str, ()> = BTreeMap::new();
        for o in &self.objects {
            types.insert(&o.r#type, ());
        }
        let mut paths: Vec<CompactString> = Vec::new();
        for p in &self.paths {
            if !paths.contains(&p.0) {
                paths.push(p.0.clone());
            }
        }
        Ok(PropertyFilterSpec {
            prop_set: types
                .keys()
                .map(|t| PropertySpec {
                    r#type: (*t).into(),
                    all: Some(false),
                    path_set: paths.clone(),
                    ..Default::default()
                })
                .collect(),
            object_set: self
                .objects
                .iter()
                .map(|o| ObjectSpec {
                    obj: o.clone(),
                    skip: Some(false),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        })
    }
}

/// One change of one property of one watched object.
///
/// An object update without any property in it (an object that left, or
/// entered with every watched property unset) comes as one `Change` with an
/// empty [`path`](Self::path), so such updates are never lost. A property
/// the server could not read (a `MissingProperty`) comes with its
/// [`fault`](Self::fault) and no value.
///
/// ```
/// use vmomi::mo::VirtualMachine;
/// use vmomi::types::{Any, ManagedObjectReference, ObjectUpdateKind, PropertyChangeOp};
/// use vmomi::watch::Change;
/// let c = Change {
///     obj: ManagedObjectReference::new("VirtualMachine", "vm-42"),
///     kind: ObjectUpdateKind::Modify,
///     path: "name".into(),
///     op: PropertyChangeOp::Assign,
///     value: Some(Any::String("build-01".into())),
///     fault: None,
///     initial: false,
/// };
/// assert_eq!(c.get(VirtualMachine::NAME).unwrap().as_deref(), Some("build-01"));
/// assert_eq!(c.get(VirtualMachine::RUNTIME).unwrap(), None);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// The object.
    pub obj: ManagedObjectReference,
    /// `Enter` (first seen: current values), `Modify` or `Leave` (gone).
    pub kind: ObjectUpdateKind,
    /// The property path as watched (`"runtime.powerState"`); empty for an
    /// object update that names no property.
    pub path: CompactString,
    /// `Assign`, `Add`, `Remove` or `IndirectRemove`.
    pub op: PropertyChangeOp,
    /// The new value; `None` when removed or unset.
    pub value: Option<Any>,
    /// Why the server could not read the property, or the object.
    pub fault: Option<LocalizedMethodFault>,
    /// Part of a collector's first answer: the current value, at the start
    /// of the watch or after it was made anew on a new session.
    pub initial: bool,
}

impl Change {
    /// Whether this change is of `path`.
    ///
    /// ```
    /// # use vmomi::types::*;
    /// # let c = vmomi::watch::Change { obj: ManagedObjectReference::new("VirtualMachine", "vm-1"), kind: ObjectUpdateKind::Modify, path: "name".into(), op: PropertyChangeOp::Assign, value: None, fault: None, initial: false };
    /// assert!(c.is(vmomi::mo::VirtualMachine::NAME));
    /// ```
    pub fn is<T>(&self, path: PropertyPath<T>) -> bool {
        self.path == path.path()
    }

    /// The value typed as `path` says, when this change is of `path` and
    /// has a value; `Ok(None)` otherwise; an error if the value has another
    /// type.
    ///
    /// ```
    /// # use vmomi::types::*;
    /// # let c = vmomi::watch::Change { obj: ManagedObjectReference::new("VirtualMachine", "vm-1"), kind: ObjectUpdateKind::Modify, path: "name".into(), op: PropertyChangeOp::Assign, value: Some(Any::Int(3)), fault: None, initial: false };
    /// assert!(c.get(vmomi::mo::VirtualMachine::NAME).is_err());
    /// ```
    pub fn get<T: FromAny>(&self, path: PropertyPath<T>) -> Result<Option<T>, Error> {
        match &self.value {
            Some(v) if self.is(path) => Ok(Some(path.decode(v.clone())?)),
            _ => Ok(None),
        }
    }

    /// Like [`get`](Self::get), taking the value instead of copying it.
    ///
    /// ```
    /// # use vmomi::types::*;
    /// # let c = vmomi::watch::Change { obj: ManagedObjectReference::new("VirtualMachine", "vm-1"), kind: ObjectUpdateKind::Modify, path: "name".into(), op: PropertyChangeOp::Assign, value: Some(Any::String("a".into())), fault: None, initial: false };
    /// assert_eq!(c.into_value(vmomi::mo::VirtualMachine::NAME).unwrap().as_deref(), Some("a"));
    /// ```
    pub fn into_value<T: FromAny>(self, path: PropertyPath<T>) -> Result<Option<T>, Error> {
        match self.value {
            Some(v) if self.path == path.path() => Ok(Some(path.decode(v)?)),
            _ => Ok(None),
        }
    }
}

/// What a running watch shares with its [`Changes`]: the collector in use
/// (so `close` can destroy it), the version, the restarts.
#[derive(Default)]
struct Status {
    live: Mutex<Option<Live>>,
    version: Mutex<CompactString>,
    restarts: AtomicU64,
}

/// The stream of a watch's changes (a [`futures_core::Stream`]); dropping
/// it destroys the watch's collector.
///
/// After an error it ends: start a new watch to go on (the first answer
/// then gives the current values).
///
/// ```no_run
/// # async fn run(client: vmomi::Client, vm: vmomi::types::ManagedObjectReference) -> Result<(), vmomi::Error> {
/// use futures_util::StreamExt;
/// let mut changes = vmomi::watch::Watch::new().object(&vm).path("name").start(&client).await?;
/// let first = changes.next().await.transpose()?;
/// println!("at version {:?}: {first:?}", changes.version());
/// # Ok(()) }
/// ```
pub struct Changes {
    inner: Pin<Box<dyn Stream<Item = Result<Change, Error>> + Send>>,
    status: Arc<Status>,
}

impl std::fmt::Debug for Changes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Changes")
            .field("collector", &self.collector())
            .field("version", &self.version())
            .field("restarts", &self.restarts())
            .finish_non_exhaustive()
    }
}

impl Changes {
    /// The collector the watch uses now (`None` once it ended).
    ///
    /// ```no_run
    /// # fn f(changes: &vmomi::watch::Changes) {
    /// println!("{:?}", changes.collector().map(|c| c.value));
    /// # }
    /// ```
    pub fn collector(&self) -> Option<ManagedObjectReference> {
        lock(&self.status.live).as_ref().map(|l| l.obj.clone())
    }

    /// The version of the last answer (`""` before the first).
    ///
    /// ```no_run
    /// # fn f(changes: &vmomi::watch::Changes) {
    /// println!("{}", changes.version());
    /// # }
    /// ```
    pub fn version(&self) -> CompactString {
        lock(&self.status.version).clone()
    }

    /// How many times the collector was made anew after its session ended.
    ///
    /// ```no_run
    /// # fn f(changes: &vmomi::watch::Changes) {
    /// assert_eq!(changes.restarts(), 0);
    /// # }
    /// ```
    pub fn restarts(&self) -> u64 {
        self.status.restarts.load(Ordering::SeqCst)
    }

    /// Ends the watch now, destroying its collector and reporting the
    /// server's answer (dropping the stream does the same in the
    /// background, without a report).
    ///
    /// ```no_run
    /// # async fn run(changes: vmomi::watch::Changes) -> Result<(), vmomi::Error> {
    /// changes.close().await?;
    /// # Ok(()) }
    /// ```
    pub async fn close(self) -> Result<(), Error> {
        let Changes { inner, status } = self;
        // The stream first: a wait it has in flight is given up.
        drop(inner);
        let live = lock(&status.live).take();
        match live {
            Some(live) => live.owned.destroy().await,
            None => Ok(()),
        }
    }
}

impl Stream for Changes {
    type Item = Result<Change, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The collector in use: its reference, and the guard that destroys it.
struct Live {
    obj: ManagedObjectReference,
    owned: Owned,
}

struct State {
    client: Arc<dyn RoundTripper>,
    spec: PropertyFilterSpec,
    options: WaitOptions,
    version: CompactString,
    /// The next answer is (part of) a collector's first one.
    initial: bool,
    queue: VecDeque<Change>,
    status: Arc<Status>,
    restarts_in_a_row: u32,
    done: bool,
}

impl State {
    /// A collector and its filter; the version starts again at `""`.
    async fn create(&mut self) -> Result<(), Error> {
        let pc = super::service_content(&*self.client, || "watch".into())?
            .property_collector
            .clone();
        let obj = methods::create_property_collector(
            &*self.client,
            &CreatePropertyCollectorRequestType {
                this: pc,
                ..Default::default()
            },
        )
        .await?;
        // Owned before the filter is made: a failing CreateFilter or a
        // dropped future still destroys the collector.
        let owned = Owned::new(self.client.clone(), obj.clone(), Kind::PropertyCollector);
        methods::create_filter(
            &*self.client,
            &CreateFilterRequestType {
                this: obj.clone(),
                spec: self.spec.clone(),
                partial_updates: false,
                ..Default::default()
            },
        )
        .await?;
        *lock(&self.status.live) = Some(Live { obj, owned });
        self.version.clear();
        self.initial = true;
        Ok(())
    }

    /// The next change, waiting on the server as long as needed; `None`
    /// once the watch ended.
    async fn next(&mut self) -> Option<Result<Change, Error>> {
        loop {
            if let Some(c) = self.queue.pop_front() {
                return Some(Ok(c));
            }
            if self.done {
                return None;
            }
            let collector = lock(&self.status.live).as_ref().map(|l| l.obj.clone())?;
            let asked = methods::wait_for_updates_ex(
                &*self.client,
                &WaitForUpdatesExRequestType {
                    this: collector.clone(),
                    version: Some(self.version.clone()),
                    options: Some(self.options.clone()),
                    ..Default::default()
                },
            )
            .await
            .map_err(Error::from);
            match asked {
                // Nothing changed within the server's wait: ask again.
                Ok(None) => self.restarts_in_a_row = 0,
                Ok(Some(set)) => {
                    self.restarts_in_a_row = 0;
                    self.take(set);
                }
                Err(e) if session_gone(&e, &collector) => {
                    if self.restarts_in_a_row >= MAX_RESTARTS_IN_A_ROW {
                        return Some(Err(self.fail(e).await));
                    }
                    self.restarts_in_a_row += 1;
                    tracing::info!(collector = %collector.value, error = %e,
                        "watch: the collector went with its session; making it anew from version \"\"");
                    // Gone with the old session: nothing to destroy.
                    let old = lock(&self.status.live).take();
                    if let Some(old) = old {
                        old.owned.forget();
                    }
                    if let Err(e) = self.create().await {
                        return Some(Err(self.fail(e).await));
                    }
                    self.status.restarts.fetch_add(1, Ordering::SeqCst);
                }
                Err(e) => return Some(Err(self.fail(e).await)),
            }
        }
    }

    /// Ends the watch on `e`: the collector is destroyed before the error
    /// is handed out (its own failure only logged: `e` is what matters).
    async fn fail(&mut self, e: Error) -> Error {
        self.done = true;
        let live = lock(&self.status.live).take();
        if let Some(live) = live {
            if let Err(d) = live.owned.destroy().await {
                tracing::debug!(collector = %live.obj.value, error = %d, "watch: destroying the collector after an error");
            }
        }
        e
    }

    /// Queues every change of an answer, in the server's order.
    fn take(&mut self, set: UpdateSet) {
        let initial = self.initial;
        // The rest of a truncated first answer is still the current state.
        self.initial = initial && set.truncated.unwrap_or(false);
        self.version = set.version;
        *lock(&self.status.version) = self.version.clone();
        for f in set.filter_set {
            for m in f.missing_set {
                self.queue.push_back(Change {
                    obj: m.obj,
                    kind: ObjectUpdateKind::Leave,
                    path: CompactString::default(),
                    op: PropertyChangeOp::Remove,
                    value: None,
                    fault: Some(m.fault),
                    initial,
                });
            }
            for o in f.object_set {
                let before = self.queue.len();
                for c in o.change_set {
                    self.queue.push_back(Change {
                        obj: o.obj.clone(),
                        kind: o.kind.clone(),
                        path: c.name,
                        op: c.op,
                        value: c.val,
                        fault: None,
                        initial,
                    });
                }
                for m in o.missing_set {
                    self.queue.push_back(Change {
                        obj: o.obj.clone(),
                        kind: o.kind.clone(),
                        path: m.path,
                        op: PropertyChangeOp::Assign,
                        value: None,
                        fault: Some(m.fault),
                        initial,
                    });
                }
                if self.queue.len() == before {
                    let op = match o.kind {
                        ObjectUpdateKind::Leave => PropertyChangeOp::Remove,
                        _ => PropertyChangeOp::Assign,
                    };
                    self.queue.push_back(Change {
                        obj: o.obj,
                        kind: o.kind,
                        path: CompactString::default(),
                        op,
                        value: None,
                        fault: None,
                        initial,
                    });
                }
            }
        }
    }
}

/// Whether `e` says the collector went with its session: the server no
/// longer knows it (after a re-login), or the session itself is gone.
fn session_gone(e: &Error, collector: &ManagedObjectReference) -> bool {
    match e.fault() {
        Some(AnyMethodFault::ManagedObjectNotFound(f)) => {
            f.obj.value.is_empty()
                || (f.obj.r#type == collector.r#type
                    && unscoped(&f.obj.value) == unscoped(&collector.value))
        }
        Some(AnyMethodFault::NotAuthenticated(_)) => true,
        _ => false,
    }
}

/// A session-scoped id without its `session[<key>]` prefix: the key is
/// redacted in faults, the rest names the object.
fn unscoped(value: &str) -> &str {
    match value
        .strip_prefix("session[")
        .and_then(|r| r.split_once(']'))
    {
        Some((_, rest)) => rest,
        None => value,
    }
}

/// Watches on every managed-object view.
///
/// ```no_run
/// # async fn run(vm: vmomi::mo::VirtualMachine) -> Result<(), vmomi::Error> {
/// use futures_util::StreamExt;
/// use vmomi::mo::VirtualMachine;
/// use vmomi::prelude::*;
/// let mut changes = vm.watch([VirtualMachine::RUNTIME]).await?;
/// if let Some(change) = changes.next().await {
///     let runtime = change?.get(VirtualMachine::RUNTIME)?;
/// }
/// # Ok(()) }
/// ```
pub trait WatchExt: ObjectView {
    /// Watches `paths` of this object (see [`Watch`]).
    fn watch<P: Into<WatchPath>>(
        &self,
        paths: impl IntoIterator<Item = P>,
    ) -> impl Future<Output = Result<Changes, Error>> + Send + '_
    where
        Self: Sync,
    {
        let watch = Watch::new().object(self.reference()).paths(paths);
        watch.start_on(self.client_arc().clone())
    }
}

impl<V: ObjectView> WatchExt for V {}

#[cfg(test)]
mod tests {
    use super::*;

    fn vm() -> ManagedObjectReference {
        ManagedObjectReference::new("VirtualMachine", "vm-1")
    }

    #[test]
    fn bad_settings_are_config_errors() {
        let cases = [
            (Watch::new().path("name"), "no object"),
            (Watch::new().object(&vm()), "no property path"),
            (Watch::new().object(&vm()).path(""), "not a property path"),
            (
                Watch::new().object(&vm()).path("runtime..powerState"),
                "not a property path",
            ),
            (
                Watch::new()
                    .object(&ManagedObjectReference::new("", "x"))
                    .path("name"),
                "no type",
            ),
        ];
        for (w, want) in cases {
            let e = w.spec().unwrap_err();
            assert!(
                matches!(e, Error::Config(_)) && e.to_string().contains(want),
                "{e}"
            );
        }
        let e = Watch::new()
            .max_wait(Duration::from_millis(500))
            .options()
            .unwrap_err();
        assert!(e.to_string().contains("under one second"), "{e}");
        let e = Watch::new().max_object_updates(0).options().unwrap_err();
        assert!(e.to_string().contains("max_object_updates"), "{e}");
    }

    #[test]
    fn one_spec_per_type_and_paths_once() {
        let host = ManagedObjectReference::new("HostSystem", "host-1");
        let spec = Watch::new()
            .objects([&vm(), &host])
            .path("name")
            .path(crate::mo::VirtualMachine::NAME)
            .spec()
            .unwrap();
        let types: Vec<&str> = spec.prop_set.iter().map(|p| p.r#type.as_str()).collect();
        assert_eq!(types, ["HostSystem", "VirtualMachine"]);
        assert_eq!(spec.prop_set[0].path_set, ["name"]);
        assert_eq!(spec.object_set.len(), 2);
        let o = Watch::new()
            .max_wait(Duration::from_secs(5))
            .max_object_updates(7)
            .options()
            .unwrap();
        assert_eq!(
            (o.max_wait_seconds, o.max_object_updates),
            (Some(5), Some(7))
        );
    }

    #[test]
    fn only_our_collector_missing_means_a_new_session() {
        use crate::types::ManagedObjectNotFound;
        let pc = ManagedObjectReference::new("PropertyCollector", "session[1]pc");
        let fault = |obj: ManagedObjectReference| {
            Error::Fault(Box::new(crate::Fault {
                code: "ServerFaultCode".into(),
                string: "gone".into(),
                detail: Some(AnyMethodFault::from(ManagedObjectNotFound {
                    obj,
                    ..Default::default()
                })),
                raw_detail: None,
            }))
        };
        assert!(session_gone(&fault(pc.clone()), &pc));
        // Faults carry the session key redacted.
        let redacted = ManagedObjectReference::new("PropertyCollector", "session[(redacted)]pc");
        assert!(session_gone(&fault(redacted), &pc));
        let other = ManagedObjectReference::new("PropertyCollector", "session[(redacted)]pc2");
        assert!(!session_gone(&fault(other), &pc));
        assert!(!session_gone(&fault(vm()), &pc));
        assert!(!session_gone(&Error::Config("x".into()), &pc));
    }
}
