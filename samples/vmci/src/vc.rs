//! The vCenter side: the policy's places resolved to objects, the facts the
//! judge needs, and the build VMs as vCenter holds them. Every read is one
//! typed property retrieval over a ContainerView (no per-VM round trips).

use crate::labels;
use crate::model::{BuildVm, Facts, Labels, Policy, Spec, StorageFact};
use futures_util::TryStreamExt;
use vmomi::find::Finder;
use vmomi::types::{
    AnyOptionValue, AnyVirtualDevice, ManagedObjectReference, PbmPlacementCompatibilityResult,
    VirtualMachinePowerState,
};
use vmomi::{Client, Error};

/// A VM's name and whether it is a template, for looking templates up.
#[derive(vmomi::PropertySet)]
#[property_set(VirtualMachine)]
struct VmName {
    #[property(reference)]
    obj: ManagedObjectReference,
    name: Option<String>,
    #[property(config.template)]
    template: Option<bool>,
}

#[derive(vmomi::PropertySet)]
#[property_set(Network)]
struct NetName {
    #[property(reference)]
    obj: ManagedObjectReference,
    name: Option<String>,
}

#[derive(vmomi::PropertySet)]
#[property_set(Datastore)]
struct DsName {
    #[property(reference)]
    obj: ManagedObjectReference,
    name: Option<String>,
}

/// What `vmci` reads of each VM in the build folder.
#[derive(vmomi::PropertySet)]
#[property_set(VirtualMachine)]
struct VmState {
    #[property(reference)]
    obj: ManagedObjectReference,
    name: Option<String>,
    #[property(config.extra_config)]
    extra: Vec<AnyOptionValue>,
    #[property(config.hardware.num_cpu)]
    cpus: Option<i32>,
    #[property(config.hardware.memory_mb)]
    memory_mb: Option<i32>,
    #[property(runtime.power_state)]
    power: Option<VirtualMachinePowerState>,
    #[property(guest.ip_address)]
    ip: Option<String>,
    #[property(summary.storage.committed)]
    storage: Option<i64>,
}

/// A VM of the build folder, labelled by `vmci` or not.
#[derive(Clone, Debug, PartialEq)]
pub struct Existing {
    pub obj: ManagedObjectReference,
    pub name: String,
    /// With the creation time; `None` for a VM `vmci` did not make.
    pub labels: Option<(Labels, i64)>,
    pub cpus: u32,
    pub memory_mb: u64,
    pub powered_on: bool,
    pub ip: Option<String>,
    /// Bytes the VM takes on its datastores.
    pub storage: u64,
}

impl Existing {
    /// The VM as the judge counts it, when `vmci` made it.
    pub fn as_build_vm(&self) -> Option<BuildVm> {
        self.labels.as_ref().map(|(l, _)| BuildVm {
            name: self.name.clone(),
            labels: l.clone(),
            cpus: self.cpus,
            memory_mb: self.memory_mb,
        })
    }
}

/// The policy's places, resolved.
#[derive(Clone, Debug)]
pub struct Site {
    pub datacenter: Option<ManagedObjectReference>,
    pub datacenter_name: String,
    pub folder: Option<ManagedObjectReference>,
    pub pool: Option<ManagedObjectReference>,
    pub datastore: Option<ManagedObjectReference>,
    /// Template name to the object (a template before a VM of that name).
    pub templates: Vec<(String, ManagedObjectReference)>,
    /// Network name to the object.
    pub networks: Vec<(String, ManagedObjectReference)>,
    pub datastores: Vec<(String, ManagedObjectReference)>,
}

impl Site {
    pub fn template(&self, name: &str) -> Option<&ManagedObjectReference> {
        self.templates
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, r)| r)
    }
    pub fn network(&self, name: &str) -> Option<&ManagedObjectReference> {
        self.networks
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, r)| r)
    }
}

/// `Ok(None)` for a path that names nothing, other errors as they are.
async fn by_path(finder: &Finder, path: &str) -> Result<Option<ManagedObjectReference>, Error> {
    match finder.by_path(path).await {
        Ok(found) => Ok(Some(found.obj)),
        Err(Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Resolves the policy's folder, pool, datastore, templates and networks.
pub async fn site(client: &Client, policy: &Policy) -> Result<Site, Error> {
    let finder = Finder::new(client);
    let dc_name = policy
        .folder
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let datacenter = by_path(&finder, &format!("/{dc_name}")).await?;
    let folder = by_path(&finder, &policy.folder).await?;
    let pool = by_path(&finder, &policy.resource_pool).await?;
    let root = client.service_content().root_folder.clone();
    let under = datacenter.clone().unwrap_or(root);

    let mut vms: Vec<VmName> = vmomi::property::retrieve::<VmName>(client, &under)
        .try_collect()
        .await?;
    // Templates first, so a template wins over a VM of the same name.
    vms.sort_by_key(|v| !v.template.unwrap_or(false));
    let templates = vms
        .into_iter()
        .filter_map(|v| v.name.map(|n| (n, v.obj)))
        .collect();
    let networks: Vec<NetName> = vmomi::property::retrieve::<NetName>(client, &under)
        .try_collect()
        .await?;
    let datastores: Vec<DsName> = vmomi::property::retrieve::<DsName>(client, &under)
        .try_collect()
        .await?;
    let datastores: Vec<(String, ManagedObjectReference)> = datastores
        .into_iter()
        .filter_map(|d| d.name.map(|n| (n, d.obj)))
        .collect();
    let datastore = policy.datastore.as_ref().and_then(|want| {
        datastores
            .iter()
            .find(|(n, _)| n == want)
            .map(|(_, r)| r.clone())
    });
    Ok(Site {
        datacenter,
        datacenter_name: dc_name,
        folder,
        pool,
        datastore,
        templates,
        networks: networks
            .into_iter()
            .filter_map(|n| n.name.map(|name| (name, n.obj)))
            .collect(),
        datastores,
    })
}

/// Every VM in the build folder (and below it).
pub async fn existing(
    client: &Client,
    folder: &ManagedObjectReference,
) -> Result<Vec<Existing>, Error> {
    let vms: Vec<VmState> = vmomi::property::retrieve::<VmState>(client, folder)
        .try_collect()
        .await?;
    let mut out: Vec<Existing> = vms.into_iter().map(Existing::from).collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// One VM as [`existing`] reads it, in one retrieval.
pub async fn one(client: &Client, vm: &ManagedObjectReference) -> Result<Existing, Error> {
    use vmomi::prelude::*;
    let state: VmState = client
        .view::<vmomi::mo::VirtualMachine>(vm.clone())
        .get_set()
        .await?;
    Ok(state.into())
}

impl From<VmState> for Existing {
    fn from(v: VmState) -> Self {
        Existing {
            labels: labels::decode(&v.extra),
            name: v.name.unwrap_or_default(),
            cpus: v.cpus.unwrap_or_default().max(0) as u32,
            memory_mb: v.memory_mb.unwrap_or_default().max(0) as u64,
            powered_on: v.power == Some(VirtualMachinePowerState::PoweredOn),
            ip: v.ip.filter(|ip| !ip.is_empty()),
            storage: v.storage.unwrap_or_default().max(0) as u64,
            obj: v.obj,
        }
    }
}

/// The facts the judge needs for `repository`, but for storage policies
/// (see [`storage_facts`]).
pub fn facts(site: &Site, existing: &[Existing], repository: &str) -> Facts {
    Facts {
        templates: site.templates.iter().map(|(n, _)| n.clone()).collect(),
        networks: site.networks.iter().map(|(n, _)| n.clone()).collect(),
        datastores: site.datastores.iter().map(|(n, _)| n.clone()).collect(),
        folder_exists: site.folder.is_some(),
        resource_pool_exists: site.pool.is_some(),
        storage: Vec::new(),
        running: existing
            .iter()
            .filter_map(Existing::as_build_vm)
            .filter(|v| v.labels.repository == repository)
            .collect(),
    }
}

/// What PBM says of each storage policy the spec names, for each template
/// it is asked with: nothing is asked of PBM when the spec names none, so a
/// vCenter without the storage policy service serves every other spec.
///
/// The datastore asked about is the one the clones go to: the policy's
/// `datastore`, or the template's first datastore when it names none. Only
/// policies the operator allows are looked up.
pub async fn storage_facts(
    client: &Client,
    site: &Site,
    policy: &Policy,
    spec: &Spec,
) -> Result<Vec<StorageFact>, Error> {
    let mut asked: Vec<(&str, &str)> = Vec::new();
    for req in &spec.vms {
        for d in &req.disks {
            if let Some(name) = &d.storage_policy
                && policy.storage_policies.contains(name)
                && !asked.contains(&(name.as_str(), req.template.as_str()))
            {
                asked.push((name.as_str(), req.template.as_str()));
            }
        }
    }
    if asked.is_empty() {
        return Ok(Vec::new());
    }
    let pbm = client.pbm().await?;
    let profiles = pbm.storage_profiles().await?;
    let name_of = |ds: &ManagedObjectReference| {
        site.datastores
            .iter()
            .find(|(_, r)| r == ds)
            .map_or_else(|| ds.value.to_string(), |(n, _)| n.clone())
    };
    let mut out = Vec::new();
    for (name, template) in asked {
        let id = profiles
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.profile_id.clone());
        let datastore = match (&site.datastore, site.template(template)) {
            (Some(ds), _) => Some(ds.clone()),
            (None, Some(t)) => {
                use vmomi::prelude::*;
                client
                    .view::<vmomi::mo::VirtualMachine>(t.clone())
                    .get(vmomi::mo::VirtualMachine::DATASTORE)
                    .await?
                    .and_then(|d| d.into_iter().next())
            }
            (None, None) => None,
        };
        let incompatible = match (&id, &datastore) {
            (Some(id), Some(ds)) => {
                let results = pbm
                    .check_compatibility(id, std::slice::from_ref(ds))
                    .await?;
                incompatibility(&results, ds)
            }
            _ => None,
        };
        out.push(StorageFact {
            policy: name.to_string(),
            template: template.to_string(),
            id: id.map(|i| i.unique_id.into()),
            datastore: datastore.as_ref().map(name_of),
            incompatible,
        });
    }
    Ok(out)
}

/// Why PBM finds `datastore` incompatible, from its compatibility results;
/// `None` when it is compatible.
fn incompatibility(
    results: &[PbmPlacementCompatibilityResult],
    datastore: &ManagedObjectReference,
) -> Option<String> {
    let Some(r) = results.iter().find(|r| r.hub.hub_id == datastore.value) else {
        return Some("PBM gave no result for it".into());
    };
    if r.error.is_empty() {
        return None;
    }
    let why: Vec<String> = r
        .error
        .iter()
        .map(|e| {
            e.localized_message
                .as_deref()
                .map_or_else(|| e.fault.type_name().to_string(), String::from)
        })
        .collect();
    Some(why.join("; "))
}

/// The first virtual disk and the first network card of a template's
/// hardware, which `up` resizes and connects.
pub fn first_disk_and_nic(
    devices: &[AnyVirtualDevice],
) -> (Option<AnyVirtualDevice>, Option<AnyVirtualDevice>) {
    let disk = devices
        .iter()
        .find(|d| matches!(d, AnyVirtualDevice::VirtualDisk(_)))
        .cloned();
    let nic = devices
        .iter()
        .find(|d| vmomi_samples::devices::nic(d).is_some())
        .cloned();
    (disk, nic)
}
