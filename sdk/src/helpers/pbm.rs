//! The PBM storage-policy service (`/pbm/sdk`) on a vim25 session: its
//! ServiceContent, its managed objects, and the reads people need every day
//! (storage profiles by name, datastore compatibility).
//!
//! PBM has no session of its own. Its calls travel on the vim25 session:
//! the session cookie, and its value again in a `vcSessionCookie` SOAP
//! header, which the transport adds to every PBM request. So a PBM call
//! whose session expired logs in again on vim25 and is sent once more, like
//! any other call; a recording of the session records its PBM calls too
//! (at `/pbm/sdk`, the header scrubbed like the cookie).
//!
//! ```no_run
//! # async fn run(client: vmomi::Client, datastore: vmomi::types::ManagedObjectReference) -> Result<(), vmomi::Error> {
//! let pbm = client.pbm().await?;
//! let gold = pbm.profile_by_name("Gold").await?.expect("a policy named Gold");
//! let fits = pbm.compatible(&gold.profile_id, &[datastore.clone()]).await?;
//! assert_eq!(fits, vec![datastore]);
//! # Ok(()) }
//! ```

use crate::rt::RoundTripper;
use crate::types::{
    AnyPbmProfile, ManagedObjectReference, PbmPlacementCompatibilityResult, PbmPlacementHub,
    PbmProfileId, PbmProfileResourceType, PbmServiceInstanceContent,
};
use crate::{Client, Error};
use std::sync::Arc;
use vmomi_methods::pbm::mo::{
    PbmComplianceManager, PbmPlacementSolver, PbmProfileProfileManager, PbmServiceInstance,
};

/// The `_this` of `PbmRetrieveServiceContent`, as vCenter names it.
fn service_instance_ref() -> ManagedObjectReference {
    ManagedObjectReference::new("PbmServiceInstance", "ServiceInstance")
}

/// A PBM handle on a vim25 session: the service's content, read once, and
/// its views.
#[derive(Clone)]
pub struct Pbm {
    client: Arc<dyn RoundTripper>,
    content: PbmServiceInstanceContent,
}

impl std::fmt::Debug for Pbm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pbm")
            .field("about", &self.content.about_info)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// The PBM storage-policy service of this vCenter, on this session (see
    /// [`crate::pbm`]): one `PbmRetrieveServiceContent`.
    pub async fn pbm(&self) -> Result<Pbm, Error> {
        Pbm::connect(self.shared()).await
    }
}

impl Pbm {
    /// Reads the service's content through `client` (a session handle).
    pub async fn connect(client: Arc<dyn RoundTripper>) -> Result<Self, Error> {
        let si = PbmServiceInstance::new(client.clone(), service_instance_ref());
        let content = si.pbm_retrieve_service_content().await?;
        Ok(Self { client, content })
    }

    /// What `PbmRetrieveServiceContent` answered: the service's about info
    /// and managed objects.
    pub fn content(&self) -> &PbmServiceInstanceContent {
        &self.content
    }

    /// The `PbmServiceInstance` view.
    pub fn service_instance(&self) -> PbmServiceInstance {
        PbmServiceInstance::new(self.client.clone(), service_instance_ref())
    }

    /// The profile manager view: storage profiles, their content and
    /// associations.
    pub fn profile_manager(&self) -> PbmProfileProfileManager {
        PbmProfileProfileManager::new(self.client.clone(), self.content.profile_manager.clone())
    }

    /// The placement solver view: which hubs (datastores, storage pods)
    /// satisfy a profile.
    pub fn placement_solver(&self) -> PbmPlacementSolver {
        PbmPlacementSolver::new(self.client.clone(), self.content.placement_solver.clone())
    }

    /// The compliance manager view.
    pub fn compliance_manager(&self) -> PbmComplianceManager {
        PbmComplianceManager::new(self.client.clone(), self.content.compliance_manager.clone())
    }

    /// Every storage profile (resource type `STORAGE`) with its content:
    /// `PbmQueryProfile`, then `PbmRetrieveContent` for the ids (none when
    /// there are none).
    pub async fn storage_profiles(&self) -> Result<Vec<AnyPbmProfile>, Error> {
        let pm = self.profile_manager();
        let ids = pm
            .pbm_query_profile(
                PbmProfileResourceType {
                    resource_type: "STORAGE".into(),
                    ..Default::default()
                },
                None,
            )
            .await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(pm.pbm_retrieve_content(ids).await?)
    }

    /// The storage profile called `name` (names are unique in vCenter), if
    /// there is one.
    pub async fn profile_by_name(&self, name: &str) -> Result<Option<AnyPbmProfile>, Error> {
        Ok(self
            .storage_profiles()
            .await?
            .into_iter()
            .find(|p| p.name == name))
    }

    /// One compatibility result per datastore of `datastores` for `profile`
    /// (`PbmCheckCompatibility`); a result with an `error` is incompatible,
    /// and the error says why.
    pub async fn check_compatibility(
        &self,
        profile: &PbmProfileId,
        datastores: &[ManagedObjectReference],
    ) -> Result<Vec<PbmPlacementCompatibilityResult>, Error> {
        let hubs = datastores.iter().map(datastore_hub).collect();
        Ok(self
            .placement_solver()
            .pbm_check_compatibility(hubs, profile.clone())
            .await?)
    }

    /// Those of `datastores` that `profile` can place storage on, in the
    /// order given.
    pub async fn compatible(
        &self,
        profile: &PbmProfileId,
        datastores: &[ManagedObjectReference],
    ) -> Result<Vec<ManagedObjectReference>, Error> {
        let results = self.check_compatibility(profile, datastores).await?;
        Ok(datastores
            .iter()
            .filter(|ds| {
                results
                    .iter()
                    .any(|r| r.hub.hub_id == ds.value && r.error.is_empty())
            })
            .cloned()
            .collect())
    }
}

/// The placement hub of a datastore (`hubType` `Datastore`, `hubId` its id).
pub fn datastore_hub(datastore: &ManagedObjectReference) -> PbmPlacementHub {
    PbmPlacementHub {
        hub_type: "Datastore".into(),
        hub_id: datastore.value.clone(),
        ..Default::default()
    }
}
