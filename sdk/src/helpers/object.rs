//! Helpers on every managed-object view: reading its properties.

use super::property::retrieve_one;
use crate::rt::{FromAny, PropertyPath};
use crate::{Error, ObjectView};
use std::future::Future;

/// Reads of one object's properties, on any view (`mo::VirtualMachine`,
/// `mo::HostSystem`, ...), through the session the view holds.
///
/// ```no_run
/// # async fn run(vm: vmomi::mo::VirtualMachine) -> Result<(), vmomi::Error> {
/// use vmomi::mo::VirtualMachine;
/// use vmomi::prelude::*;
/// let name: Option<String> = vm.get(VirtualMachine::NAME).await?;
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
}

impl<V: ObjectView> ObjectExt for V {}
