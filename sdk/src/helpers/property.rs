//! Reading properties through the PropertyCollector.
//!
//! * **Typed sets**: a struct of the properties wanted, derived with
//!   [`PropertySet`](derive@crate::PropertySet), read for every object of its
//!   type under a container as a [`Stream`] ([`retrieve`], or
//!   `folder.retrieve::<T>()` on a view), through a ContainerView destroyed
//!   afterwards and `RetrievePropertiesEx` + `ContinueRetrievePropertiesEx`.
//!   Objects are decoded one by one as each page's body arrives, so memory
//!   stays at one object plus one network chunk, whatever the page's size.
//! * **One object**: `vm.get(VirtualMachine::RUNTIME)` and
//!   `vm.get_set::<T>()` ([`crate::ObjectExt`]).
//! * **By name**: [`retrieve_all`] and [`retrieve_under`] with paths as text.
//!
//! Every path is checked against the bindings' tables before any request:
//! a path the managed object does not have is refused, naming it.
//!
//! ```no_run
//! # async fn run(client: vmomi::Client) -> Result<(), vmomi::Error> {
//! use futures_util::TryStreamExt;
//! use vmomi::PropertySet;
//! use vmomi::types::{AnyVirtualDevice, VirtualMachinePowerState};
//!
//! #[derive(PropertySet)]
//! #[property_set(VirtualMachine)]
//! struct Vm {
//!     name: String,
//!     #[property(runtime.power_state)]
//!     power: VirtualMachinePowerState,
//!     #[property(config.hardware.device)]
//!     devices: Vec<AnyVirtualDevice>,
//!     #[property(guest.ip_address)]
//!     ip: Option<String>,
//! }
//!
//! let mut vms = vmomi::property::retrieve::<Vm>(&client, client.root_folder().reference());
//! while let Some(vm) = vms.try_next().await? {
//!     println!("{} {:?} {} devices {:?}", vm.name, vm.power, vm.devices.len(), vm.ip);
//! }
//! # Ok(()) }
//! ```

use super::owned::{Kind, Owned};
use super::pages::Page;
use super::service_content;
use crate::Client;
use crate::Error;
use crate::ObjectView;
use crate::rt::{FromAny, PropertyPath, RoundTripper, SoapRequest};
use crate::types::{
    AnySelectionSpec, CancelRetrievePropertiesExRequestType, CompactString,
    ContinueRetrievePropertiesExRequestType, ManagedObjectReference, MissingProperty,
    ObjectContent, ObjectSpec, PropertyFilterSpec, PropertySpec, RetrieveOptions,
    RetrievePropertiesExRequestType, SelectionSpec, TraversalSpec,
};
use futures_core::Stream;
use std::borrow::Cow;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// Derives [`PropertySet`](trait@PropertySet) (see the module documentation).
pub use vmomi_derive::PropertySet;

/// A set of properties of one managed object type, decoded into a struct.
/// Derive it ([`derive@crate::PropertySet`]) rather than writing it by hand.
pub trait PropertySet: Sized + Send + 'static {
    /// The managed object type (`"VirtualMachine"`).
    const TYPE_NAME: &'static str;

    /// The paths to request, in wire form (`runtime.powerState`).
    fn paths() -> Vec<Cow<'static, str>>;

    /// Refuses a typed path joined deeper than [`crate::rt::MAX_DEPTH`]
    /// parts (its text would be cut short); the derive checks each one.
    fn check_depth() -> Result<(), Error> {
        Ok(())
    }

    /// Builds one value from a retrieved object; `client` makes the views.
    fn from_object(client: &Arc<dyn RoundTripper>, object: ObjectContent) -> Result<Self, Error>;
}

/// The properties of one retrieved object, taken out field by field by a
/// derived [`PropertySet`].
pub struct Props {
    object: ObjectContent,
}

impl Props {
    /// Wraps one object of a `RetrievePropertiesEx` answer.
    pub fn new(object: ObjectContent) -> Self {
        Self { object }
    }

    /// The object's reference.
    pub fn reference(&self) -> ManagedObjectReference {
        self.object.obj.clone()
    }

    /// The object's view, on `client`'s session.
    pub fn view<V: ObjectView>(&self, client: &Arc<dyn RoundTripper>) -> V {
        V::from_reference(client.clone(), self.object.obj.clone())
    }

    /// The value of `path`; `None` when the server sent none (unset).
    ///
    /// The value converts into the field's type `U` (a `CompactString` path
    /// into a `String` field); into the path's own type it is moved as is.
    pub fn optional<T: FromAny, U: From<T>>(
        &mut self,
        path: PropertyPath<T>,
    ) -> Result<Option<U>, Error> {
        Ok(self.object.take(path)?.map(U::from))
    }

    /// The value of `path`, which must be there; converts like [`optional`](Self::optional).
    pub fn required<T: FromAny, U: From<T>>(&mut self, path: PropertyPath<T>) -> Result<U, Error> {
        match self.object.take(path)? {
            Some(v) => Ok(U::from(v)),
            None => Err(self.missing(&path.path())),
        }
    }

    /// The array at `path`; empty when the server sent none (vSphere leaves
    /// out empty arrays), an error when it could not read it. Items convert
    /// like [`optional`](Self::optional)'s value; into their own type the
    /// collect reuses the array in place.
    pub fn array<T, U: From<T>>(&mut self, path: PropertyPath<Vec<T>>) -> Result<Vec<U>, Error>
    where
        Vec<T>: FromAny,
    {
        match self.object.take(path)? {
            Some(v) => Ok(v.into_iter().map(U::from).collect()),
            None if self.missing_entry(&path.path()).is_some() => Err(self.missing(&path.path())),
            None => Ok(Vec::new()),
        }
    }

    fn missing_entry(&self, path: &str) -> Option<&MissingProperty> {
        self.object.missing_set.iter().find(|m| m.path == path)
    }

    fn missing(&self, path: &str) -> Error {
        let reason = self.missing_entry(path).map(|m| {
            let fault = m.fault.fault.type_name();
            match &m.fault.localized_message {
                Some(msg) if !msg.is_empty() => format!("{fault}: {msg}"),
                _ => fault.to_string(),
            }
        });
        Error::PropertyMissing {
            object: self.object.obj.value.to_string(),
            path: path.to_string(),
            reason,
        }
    }
}

/// Refuses a property path that `type_name` does not have, naming the part
/// that is wrong; nothing is sent. Walks the bindings' tables: every part
/// but the last must be a data object; a keyed index (`extraConfig["a"]`)
/// is allowed on the last part.
///
/// ```
/// use vmomi::property::check_path;
/// assert!(check_path("VirtualMachine", "runtime.powerState").is_ok());
/// let err = check_path("VirtualMachine", "runtime.powerStat").unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "VirtualMachine has no property runtime.powerStat: VirtualMachineRuntimeInfo has no field powerStat"
/// );
/// ```
pub fn check_path(type_name: &str, path: &str) -> Result<(), Error> {
    use crate::rt::release::{field_type, is_complex_type};
    let refuse = |problem: String| Error::PropertyPath {
        type_name: type_name.to_string(),
        path: path.to_string(),
        problem,
    };
    if !is_complex_type(type_name) {
        return Err(refuse(format!(
            "{type_name} is not a type these bindings know"
        )));
    }
    let mut ty: &str = type_name;
    // A key may hold dots (`extraConfig["guestinfo.ip"]`): split outside brackets.
    let mut parts = split_path(path).into_iter().peekable();
    while let Some(part) = parts.next() {
        let last = parts.peek().is_none();
        let (name, keyed) = match part.split_once('[') {
            Some((n, _)) if last && part.ends_with(']') => (n, true),
            Some(_) => {
                return Err(refuse(format!(
                    "an index is only allowed at the end, in {part}"
                )));
            }
            None => (part, false),
        };
        if name.is_empty() {
            return Err(refuse("an empty part".into()));
        }
        let Some(next) = field_type(ty, name) else {
            return Err(refuse(format!("{ty} has no field {name}")));
        };
        if !last && (keyed || !is_complex_type(next)) {
            return Err(refuse(format!(
                "{ty}.{name} is a {next}, which has no fields"
            )));
        }
        ty = next;
    }
    Ok(())
}

fn split_path(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut depth) = (0, 0usize);
    for (i, c) in path.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '.' if depth == 0 => {
                out.push(&path[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&path[start..]);
    out
}

/// Page size asked of the server; it may return fewer per page.
const PAGE: i32 = 1000;

/// Every object of `T`'s type under `container` (a Folder, Datacenter,
/// ComputeResource, ResourcePool or HostSystem; recursively), as a stream
/// of `T`. The ContainerView is destroyed when the stream ends or is
/// dropped; a retrieval left unfinished is cancelled.
///
/// An object that cannot become a `T` (a required property missing) is an
/// `Err` item and the stream goes on; an error of the call or the page ends
/// it.
pub fn retrieve<T: PropertySet>(
    client: &dyn AsSession,
    container: &ManagedObjectReference,
) -> PropertyStream<T> {
    retrieve_paged(client, container, PAGE)
}

/// Like [`retrieve`], asking the server for pages of `page_size` objects.
pub fn retrieve_paged<T: PropertySet>(
    client: &dyn AsSession,
    container: &ManagedObjectReference,
    page_size: i32,
) -> PropertyStream<T> {
    let state = State {
        client: client.session_arc(),
        container: container.clone(),
        page_size,
        reading: None,
        done: false,
    };
    let stream = futures_util::stream::unfold(state, |mut s| async move {
        let item = s.step::<T>().await?;
        Some((item, s))
    });
    PropertyStream {
        inner: Box::pin(stream),
    }
}

/// What a session handle is given as: a [`Client`] or a view's handle.
pub trait AsSession {
    /// The shared session handle.
    fn session_arc(&self) -> Arc<dyn RoundTripper>;
}

impl AsSession for Client {
    fn session_arc(&self) -> Arc<dyn RoundTripper> {
        self.shared()
    }
}

impl AsSession for Arc<dyn RoundTripper> {
    fn session_arc(&self) -> Arc<dyn RoundTripper> {
        self.clone()
    }
}

/// The stream [`retrieve`] returns.
#[must_use = "a stream does nothing until polled"]
pub struct PropertyStream<T> {
    inner: Pin<Box<dyn Stream<Item = Result<T, Error>> + Send>>,
}

impl<T> Stream for PropertyStream<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl<T> std::fmt::Debug for PropertyStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PropertyStream")
    }
}

struct State {
    client: Arc<dyn RoundTripper>,
    container: ManagedObjectReference,
    page_size: i32,
    reading: Option<Reading>,
    done: bool,
}

/// A retrieval under way: the view it reads and the page being read.
struct Reading {
    client: Arc<dyn RoundTripper>,
    view: Option<Owned>,
    page: Page,
    collector: ManagedObjectReference,
}

impl Drop for Reading {
    fn drop(&mut self) {
        // Given up before the last page: the server would keep the rest of
        // the result for the session's life.
        let Some(token) = self.page.token().map(CompactString::from) else {
            return;
        };
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (client, this) = (self.client.clone(), self.collector.clone());
        rt.spawn(async move {
            let req = CancelRetrievePropertiesExRequestType {
                this,
                token,
                ..Default::default()
            };
            if let Err(e) = crate::methods::cancel_retrieve_properties_ex(&*client, &req).await {
                tracing::debug!(error = %e, "cancelling an abandoned property retrieval");
            }
        });
    }
}

impl State {
    /// The next item, or `None` once done.
    async fn step<T: PropertySet>(&mut self) -> Option<Result<T, Error>> {
        if self.done {
            return None;
        }
        match self.advance::<T>().await {
            Ok(Some(object)) => Some(T::from_object(&self.client, object)),
            Ok(None) => {
                self.done = true;
                let view = self.reading.as_mut().and_then(|r| r.view.take());
                self.reading = None;
                match view {
                    Some(v) => v.destroy().await.err().map(Err),
                    None => None,
                }
            }
            Err(e) => {
                self.done = true;
                // Destroyed before the error is handed on, so a caller that
                // looks at the server next finds nothing of ours.
                if let Some(v) = self.reading.as_mut().and_then(|r| r.view.take()) {
                    let _ = v.destroy().await;
                }
                self.reading = None;
                Some(Err(e))
            }
        }
    }

    async fn advance<T: PropertySet>(&mut self) -> Result<Option<ObjectContent>, Error> {
        if self.reading.is_none() {
            self.reading = Some(self.start::<T>().await?);
        }
        loop {
            let reading = self.reading.as_mut().expect("started above");
            if let Some(object) = reading.page.next().await? {
                return Ok(Some(object));
            }
            let Some(token) = reading.page.token().map(CompactString::from) else {
                return Ok(None);
            };
            let req = ContinueRetrievePropertiesExRequestType {
                this: reading.collector.clone(),
                token,
                ..Default::default()
            };
            let resp = streamed(
                &*self.client,
                "ContinueRetrievePropertiesEx",
                &req.this,
                &req,
            )
            .await?;
            reading.page = Page::new(resp)?;
        }
    }

    async fn start<T: PropertySet>(&mut self) -> Result<Reading, Error> {
        T::check_depth()?;
        let paths = T::paths();
        for p in &paths {
            check_path(T::TYPE_NAME, p)?;
        }
        let sc = service_content(&*self.client, || {
            format!("reading {} properties", T::TYPE_NAME)
        })?;
        let view_manager = sc.view_manager.clone().ok_or_else(|| Error::ServerData {
            what: "ViewManager (ServiceContent.viewManager)".into(),
        })?;
        let collector = sc.property_collector.clone();
        let views = crate::mo::ViewManager::new(self.client.clone(), view_manager);
        let view = views
            .create_container_view(self.container.clone(), vec![T::TYPE_NAME.into()], true)
            .await?;
        let owned = Owned::new(self.client.clone(), view.clone(), Kind::View);
        let req = RetrievePropertiesExRequestType {
            this: collector.clone(),
            spec_set: vec![container_view_spec(
                &view,
                T::TYPE_NAME,
                paths.iter().map(|p| CompactString::from(&**p)).collect(),
            )],
            options: RetrieveOptions {
                max_objects: Some(self.page_size),
                ..Default::default()
            },
            ..Default::default()
        };
        let resp = match streamed(&*self.client, "RetrievePropertiesEx", &collector, &req).await {
            Ok(r) => r,
            Err(e) => {
                let _ = owned.destroy().await;
                return Err(e);
            }
        };
        let page = match Page::new(resp) {
            Ok(p) => p,
            Err(e) => {
                let _ = owned.destroy().await;
                return Err(e);
            }
        };
        Ok(Reading {
            client: self.client.clone(),
            view: Some(owned),
            page,
            collector,
        })
    }
}

async fn streamed<B: crate::xml::EncodeFields>(
    client: &dyn RoundTripper,
    operation: &'static str,
    this: &ManagedObjectReference,
    body: &B,
) -> Result<crate::rt::Streamed, Error> {
    client
        .round_trip_streamed(SoapRequest {
            operation,
            this: this.clone(),
            body: crate::xml::soap::request_envelope(operation, body),
            service: crate::rt::Service::Vim25,
        })
        .await
        .map_err(Error::from)
}

/// The filter spec for `paths` of every object of `type_name` in a
/// ContainerView (`view`), as the helpers of this module send it; for a
/// caller that makes the calls itself.
///
/// ```
/// use vmomi::types::ManagedObjectReference;
/// let view = ManagedObjectReference::new("ContainerView", "session[...]52");
/// let spec = vmomi::property::container_view_spec(&view, "VirtualMachine", vec!["name".into()]);
/// assert_eq!(spec.prop_set[0].path_set, ["name"]);
/// ```
pub fn container_view_spec(
    view: &ManagedObjectReference,
    type_name: &str,
    paths: Vec<CompactString>,
) -> PropertyFilterSpec {
    let traverse = TraversalSpec {
        base: SelectionSpec {
            name: Some("view".into()),
            ..Default::default()
        },
        r#type: "ContainerView".into(),
        path: "view".into(),
        skip: Some(false),
        ..Default::default()
    };
    PropertyFilterSpec {
        prop_set: vec![PropertySpec {
            r#type: type_name.into(),
            all: Some(false),
            path_set: paths,
            ..Default::default()
        }],
        object_set: vec![ObjectSpec {
            obj: view.clone(),
            skip: Some(true),
            select_set: vec![AnySelectionSpec::from(traverse)],
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// Typed access to the properties of one retrieved object.
pub trait Objects {
    /// Removes the value of `path` and converts it to the path's type;
    /// `Ok(None)` when the server sent no value (unset, or not requested).
    fn take<T: FromAny>(&mut self, path: PropertyPath<T>) -> Result<Option<T>, Error>;
}

impl Objects for ObjectContent {
    fn take<T: FromAny>(&mut self, path: PropertyPath<T>) -> Result<Option<T>, Error> {
        match self.prop_set.iter().position(|p| path.is(&p.name)) {
            Some(i) => Ok(Some(path.decode(self.prop_set.swap_remove(i).val)?)),
            None => Ok(None),
        }
    }
}

/// Retrieves `paths` of every object of `type_name` (`"VirtualMachine"`)
/// anywhere under the root folder. The view is destroyed afterwards, also
/// when reading fails.
pub async fn retrieve_all(
    client: &Client,
    type_name: &str,
    paths: &[&str],
) -> Result<Vec<ObjectContent>, Error> {
    let root = client.service_content().root_folder.clone();
    retrieve_under(client, &root, type_name, paths).await
}

/// Like [`retrieve_all`], below `container` (a Folder, Datacenter,
/// ComputeResource, ResourcePool or HostSystem).
pub async fn retrieve_under(
    client: &Client,
    container: &ManagedObjectReference,
    type_name: &str,
    paths: &[&str],
) -> Result<Vec<ObjectContent>, Error> {
    let vm_ref = client
        .service_content()
        .view_manager
        .clone()
        .ok_or_else(|| Error::ServerData {
            what: "ViewManager (ServiceContent.viewManager)".into(),
        })?;
    for p in paths {
        check_path(type_name, p)?;
    }
    let views = crate::mo::ViewManager::new(client.shared(), vm_ref);
    let view = views
        .create_container_view(container.clone(), vec![type_name.into()], true)
        .await?;
    // Destroyed when this returns, and also if the future is dropped first.
    let owned = Owned::new(client.shared(), view.clone(), Kind::View);
    let result = read_view(client, &view, type_name, paths).await;
    let destroyed = owned.destroy().await;
    let objects = result?;
    destroyed?;
    Ok(objects)
}

async fn read_view(
    client: &Client,
    view: &ManagedObjectReference,
    type_name: &str,
    paths: &[&str],
) -> Result<Vec<ObjectContent>, Error> {
    let spec = container_view_spec(view, type_name, paths.iter().map(|&p| p.into()).collect());
    retrieve_pages(client, spec, Some(PAGE)).await
}

/// Every object `spec` selects, page after page
/// (`ContinueRetrievePropertiesEx` while the server hands out a token), at
/// most `page_size` objects a page (`None`: the server's choice). For a
/// filter of your own, such as named properties of a list of objects of
/// several types; a typed set over a container is [`retrieve`].
///
/// ```no_run
/// # async fn run(client: vmomi::Client, net: vmomi::types::ManagedObjectReference) -> Result<(), vmomi::Error> {
/// use vmomi::types::{ObjectSpec, PropertyFilterSpec, PropertySpec};
/// let spec = PropertyFilterSpec {
///     prop_set: vec![PropertySpec {
///         r#type: "Network".into(),
///         path_set: vec!["name".into()],
///         ..Default::default()
///     }],
///     object_set: vec![ObjectSpec { obj: net, ..Default::default() }],
///     ..Default::default()
/// };
/// for o in vmomi::property::retrieve_pages(&client, spec, None).await? {
///     println!("{}", o.obj.value);
/// }
/// # Ok(()) }
/// ```
pub async fn retrieve_pages(
    client: &Client,
    spec: PropertyFilterSpec,
    page_size: Option<i32>,
) -> Result<Vec<ObjectContent>, Error> {
    let pc = client.property_collector();
    let mut out = Vec::new();
    let mut page = pc
        .retrieve_properties_ex(
            vec![spec],
            RetrieveOptions {
                max_objects: page_size,
                ..Default::default()
            },
        )
        .await?;
    while let Some(result) = page {
        out.extend(result.objects);
        page = match result.token {
            Some(token) => Some(pc.continue_retrieve_properties_ex(token).await?),
            None => None,
        };
    }
    Ok(out)
}

/// Reads one property of one object (`Ok(None)` when it is unset).
///
/// ```no_run
/// # async fn run(client: vmomi::Client) -> Result<(), vmomi::Error> {
/// use vmomi::mo::SessionManager;
/// let sm = client.service_content().session_manager.clone().unwrap();
/// let me = vmomi::property::retrieve_one(&client, &sm, SessionManager::CURRENT_SESSION).await?;
/// # Ok(()) }
/// ```
pub async fn retrieve_one<T: FromAny>(
    client: &dyn RoundTripper,
    obj: &ManagedObjectReference,
    path: PropertyPath<T>,
) -> Result<Option<T>, Error> {
    let doing = || format!("reading {} of {}", path.path(), obj.value);
    match retrieve_object(client, obj, vec![path.path().into()], doing).await? {
        Some(mut oc) => oc.take(path),
        None => Ok(None),
    }
}

/// `paths` of one object in one `RetrievePropertiesEx`; `None` when the
/// server returned no such object.
pub(crate) async fn retrieve_object(
    client: &dyn RoundTripper,
    obj: &ManagedObjectReference,
    paths: Vec<CompactString>,
    doing: impl FnOnce() -> String,
) -> Result<Option<ObjectContent>, Error> {
    let pc = service_content(client, doing)?.property_collector.clone();
    let spec = PropertyFilterSpec {
        prop_set: vec![PropertySpec {
            r#type: obj.r#type.clone(),
            all: Some(false),
            path_set: paths,
            ..Default::default()
        }],
        object_set: vec![ObjectSpec {
            obj: obj.clone(),
            skip: Some(false),
            ..Default::default()
        }],
        ..Default::default()
    };
    let result = crate::methods::retrieve_properties_ex(
        client,
        &RetrievePropertiesExRequestType {
            this: pc,
            spec_set: vec![spec],
            options: RetrieveOptions::default(),
            ..Default::default()
        },
    )
    .await?;
    Ok(result.and_then(|r| r.objects.into_iter().next()))
}
