//! Helpers on every managed-object view: reading its properties.

use super::property::{
    PropertySet, PropertyStream, check_path, retrieve, retrieve_object, retrieve_one,
};
use crate::rt::{FromAny, PropertyPath};
use crate::types::CompactString;
use crate::{Error, ObjectView};
use std::future::Future;

/// Reads of one object's properties, on any view (`mo::VirtualMachine`,
/// `mo::HostSystem`, ...), through the session the view holds.
///
/// ```no_run
/// # async fn run(vm: vmomi::mo::VirtualMachine) -> Result<(), vmomi::Error> {
/// use vmomi::mo::VirtualMachine;
/// use vmomi::prelude::*;
/// let name: Option<vmomi::types::CompactString> = vm.get(VirtualMachine::NAME).await?;
/// let runtime = vm.get(VirtualMachine::RUNTIME).await?;
/// # Ok(()) }
/// ```
pub trait ObjectExt: ObjectView {
    /// The value of `path` (`None` when the server has none), typed as the
    /// path says.
    fn get<T: FromAny + Send + 'static>(
        &self,
        path: PropertyPath<T>,
    ) -> impl Future<Output = Result<Option<T>, Error>> + Send + '_
    where
        Self: Sync,
    {
        async move { retrieve_one(&**self.client_arc(), self.reference(), path).await }
    }

    /// A typed property set of this one object (see
    /// [`crate::property`]), in one `RetrievePropertiesEx`.
    ///
    /// ```no_run
    /// # async fn run(vm: vmomi::mo::VirtualMachine) -> Result<(), vmomi::Error> {
    /// use vmomi::prelude::*;
    /// #[derive(vmomi::PropertySet)]
    /// #[property_set(VirtualMachine)]
    /// struct Power {
    ///     name: String,
    ///     #[property(runtime.power_state)]
    ///     state: vmomi::types::VirtualMachinePowerState,
    /// }
    /// let p: Power = vm.get_set().await?;
    /// # Ok(()) }
    /// ```
    fn get_set<T: PropertySet>(&self) -> impl Future<Output = Result<T, Error>> + Send + '_
    where
        Self: Sync,
    {
        async move {
            let obj = self.reference();
            T::check_depth()?;
            let paths = T::paths();
            for p in &paths {
                check_path(&obj.r#type, p)?;
            }
            let client = self.client_arc();
            let doing = || format!("reading properties of {}", obj.value);
            let wanted = paths.iter().map(|p| CompactString::from(&**p)).collect();
            let object = retrieve_object(&**client, obj, wanted, doing)
                .await?
                .ok_or_else(|| Error::PropertyMissing {
                    object: obj.value.to_string(),
                    path: paths.join(", "),
                    reason: Some("the server returned no such object".into()),
                })?;
            T::from_object(client, object)
        }
    }

    /// A typed property set of every object of `T`'s type below this one (a
    /// Folder, Datacenter, ComputeResource, ResourcePool or HostSystem), as
    /// a stream; see [`crate::property::retrieve`].
    ///
    /// ```no_run
    /// # async fn run(client: vmomi::Client) -> Result<(), vmomi::Error> {
    /// use futures_util::TryStreamExt;
    /// use vmomi::prelude::*;
    /// #[derive(vmomi::PropertySet)]
    /// #[property_set(VirtualMachine)]
    /// struct Name { name: String }
    /// let names: Vec<Name> = client.root_folder().retrieve::<Name>().try_collect().await?;
    /// # Ok(()) }
    /// ```
    fn retrieve<T: PropertySet>(&self) -> PropertyStream<T> {
        retrieve(self.client_arc(), self.reference())
    }
}

impl<V: ObjectView> ObjectExt for V {}
