//! Reading properties through the PropertyCollector: every object of a type
//! under a container (via a ContainerView, paged with
//! `ContinueRetrievePropertiesEx`), or one property of one object.
//!
//! ```no_run
//! # async fn run(client: vmomi::Client) -> Result<(), vmomi::Error> {
//! use vmomi::mo::VirtualMachine;
//! use vmomi::property::{Objects, retrieve_all};
//! let vms = retrieve_all(&client, VirtualMachine::TYPE_NAME, &["name"]).await?;
//! for mut vm in vms {
//!     let name = vm.take(VirtualMachine::NAME)?;
//!     println!("{} {:?}", vm.obj.value, name);
//! }
//! # Ok(()) }
//! ```

use super::owned::{Kind, Owned};
use crate::Client;
use crate::Error;
use crate::rt::{FromAny, PropertyPath, RoundTripper};
use crate::types::{
    AnySelectionSpec, ManagedObjectReference, ObjectContent, ObjectSpec, PropertyFilterSpec,
    PropertySpec, RetrieveOptions, RetrievePropertiesExRequestType, SelectionSpec, TraversalSpec,
};

/// Typed access to the properties of one retrieved object.
pub trait Objects {
    /// Removes the value of `path` and converts it to the path's type;
    /// `Ok(None)` when the server sent no value (unset, or not requested).
    fn take<T: FromAny>(&mut self, path: PropertyPath<T>) -> Result<Option<T>, Error>;
}

impl Objects for ObjectContent {
    fn take<T: FromAny>(&mut self, path: PropertyPath<T>) -> Result<Option<T>, Error> {
        match self.prop_set.iter().position(|p| p.name == path.path()) {
            Some(i) => path.decode(self.prop_set.swap_remove(i).val).map(Some),
            None => Ok(None),
        }
    }
}

/// Page size asked of the server; it may return fewer per page.
const PAGE: i32 = 1000;

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
    let views = crate::mo::ViewManager::new(client.shared(), vm_ref);
    let view = views
        .create_container_view(container.clone(), vec![type_name.to_string()], true)
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
    let spec = PropertyFilterSpec {
        prop_set: vec![PropertySpec {
            r#type: type_name.into(),
            all: Some(false),
            path_set: paths.iter().map(|p| p.to_string()).collect(),
            ..Default::default()
        }],
        object_set: vec![ObjectSpec {
            obj: view.clone(),
            skip: Some(true),
            select_set: vec![AnySelectionSpec::from(traverse)],
            ..Default::default()
        }],
        ..Default::default()
    };
    retrieve_pages(client, spec, Some(PAGE)).await
}

/// Every object `spec` selects, page after page
/// (`ContinueRetrievePropertiesEx` while the server hands out a token).
pub(crate) async fn retrieve_pages(
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
    let pc = client
        .service_content()
        .ok_or_else(|| {
            Error::Config(format!(
                "reading {} of {}: the handle is not a session (no ServiceContent)",
                path.path(),
                obj.value
            ))
        })?
        .property_collector
        .clone();
    let spec = PropertyFilterSpec {
        prop_set: vec![PropertySpec {
            r#type: obj.r#type.clone(),
            all: Some(false),
            path_set: vec![path.path().to_string()],
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
    match result.and_then(|r| r.objects.into_iter().next()) {
        Some(mut oc) => oc.take(path),
        None => Ok(None),
    }
}
