//! Host-scoped stubs: calls that a managed ESXi host executes, sent with
//! that host's own release.
//!
//! A vCenter hands some calls to the host they concern (ESXCLI, a host's
//! internal managers). A host older than its vCenter refuses a request of a
//! release it does not know, which is what breaks clients that send every
//! call with the vCenter's release (pyVmomi issue 180). [`Client::for_host`]
//! learns the host's release once per session (`summary.config.product.apiVersion`)
//! and gives a stub of the same session that sends with it and checks
//! requests against it.

use crate::mo::HostSystem;
use crate::types::ManagedObjectReference;
use crate::{Client, Error};

impl Client {
    /// A stub on this session for calls that `host` executes: its requests
    /// carry the host's own release (the vCenter's when the host reports a
    /// newer one, which vCenter does not support), and the release check
    /// holds them to it. The host's release is read once per session.
    ///
    /// ```no_run
    /// # async fn run(client: vmomi::Client, host: vmomi::types::ManagedObjectReference) -> Result<(), vmomi::Error> {
    /// let on_host = client.for_host(&host).await?;
    /// println!("{} speaks {}", host.value, on_host.release());
    /// # Ok(()) }
    /// ```
    pub async fn for_host(&self, host: &ManagedObjectReference) -> Result<Client, Error> {
        let release = self.learn_host_release(host).await?;
        let release = release.min(self.release().clone());
        self.at_release(release.as_str())
    }

    /// The host's own API release, as it reports it (remembered per session).
    async fn learn_host_release(
        &self,
        host: &ManagedObjectReference,
    ) -> Result<crate::release::Release, Error> {
        if let Some(r) = self.host_release(&host.value) {
            return Ok(r);
        }
        let path = HostSystem::SUMMARY.config().product().api_version();
        let text = super::property::retrieve_one(self, host, path)
            .await?
            .ok_or_else(|| Error::ServerData {
                what: format!(
                    "release of host {} (summary.config.product.apiVersion)",
                    host.value
                ),
            })?;
        let release: crate::release::Release = text.parse().map_err(|e| Error::ServerData {
            what: format!(
                "release of host {} that parses (summary.config.product.apiVersion is {text:?}: {e})",
                host.value
            ),
        })?;
        self.remember_host_release(&host.value, release.clone());
        Ok(release)
    }
}
