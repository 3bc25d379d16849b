//! `list-devices`: the virtual hardware of one VM (or of every VM) as a tree
//! under its controllers, as a table or as JSON.
//!
//! What is read, and in how many round trips, whatever the number of VMs:
//!
//! 1. The VM the argument names ([`find_vm`]): an argument holding `/` is an
//!    inventory path (the [`Finder`]); otherwise it is a name, looked up in
//!    one retrieval of every VM's name (the Finder walks paths and has no
//!    name index, and a VM may sit in any folder); failing that, an argument
//!    shaped like a UUID is a BIOS UUID, then an instance UUID (the
//!    SearchIndex). A name wins over a UUID, so a VM named like a UUID is
//!    still found by its name. With no argument, every VM.
//! 2. One typed property set ([`derive@vmomi::PropertySet`]) per VM, or one
//!    retrieval for all of them: `name`, `config.hardware.device`, `network`
//!    and `datastore`.
//! 3. One more retrieval for the names of every network, distributed port
//!    group (with its `key`, which a distributed port backing names),
//!    opaque network and datastore any of those VMs refers to ([`Names`]).
//!
//! The tree is built from the decoded devices alone ([`build`]): a device
//! hangs under the device its `controllerKey` names (or the controller whose
//! `device` list holds it), so SCSI controllers sit under the PCI
//! controller, disks under their SCSI controller, keyboard and mouse under
//! the PS/2 controller. A device whose controller is not there is shown at
//! the top, and so is one of a controller loop. A device of a type these
//! bindings do not know is kept (as a `VirtualDevice` with the type's name)
//! and shown by its label.

use crate::output::or_dash;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use vmomi::find::Finder;
use vmomi::mo;
use vmomi::property::Objects;
use vmomi::types::{
    AnyNetworkSummary, AnyVirtualDevice, AnyVirtualDeviceBackingInfo, CompactString,
    ManagedObjectReference, ObjectSpec, PropertyFilterSpec, PropertySpec, VirtualController,
    VirtualDeviceFileBackingInfo,
};

/// One VM's virtual hardware, as a tree under its controllers.
#[derive(Clone, Debug, PartialEq)]
pub struct VmDevices {
    /// The managed object id (`vm-42`).
    pub id: String,
    /// The inventory name.
    pub name: String,
    /// The devices no other device holds (the PCI, IDE and PS/2 controllers
    /// on a real VM), each with the devices under it.
    pub devices: Vec<Device>,
}

/// One virtual device, with the devices it controls.
#[derive(Clone, Debug, PartialEq)]
pub struct Device {
    /// The device's key, unique within the VM (`2000`).
    pub key: i32,
    /// The WSDL type (`VirtualDisk`), or for a type these bindings do not
    /// know, the name the server sent.
    pub type_name: String,
    /// Whether these bindings know [`type_name`](Self::type_name); a device
    /// of an unknown type is kept and listed by its label.
    pub known_type: bool,
    /// `deviceInfo.label` (`Hard disk 1`), without surrounding spaces.
    pub label: Option<String>,
    /// `deviceInfo.summary` (`1,048,576 KB`), without surrounding spaces.
    pub summary: Option<String>,
    /// The key of the controller the device is attached to.
    pub controller_key: Option<i32>,
    /// The device's unit number on its controller.
    pub unit_number: Option<i32>,
    /// `connectable.connected`, for a device that can be disconnected.
    pub connected: Option<bool>,
    /// The type of the device's backing (`VirtualDiskFlatVer2BackingInfo`).
    pub backing: Option<String>,
    /// What this kind of device adds.
    pub info: Info,
    /// The devices attached to this one, by unit number.
    pub devices: Vec<Device>,
}

/// What a device adds to the fields every device has, by kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Info {
    /// A controller: `controller_type` is `pvscsi`, `lsilogic`, `ide`,
    /// `pci`, `ps2`, `sata`, `nvme`, `usb-xhci`, ...
    Controller {
        /// The controller's type, short (`pvscsi`).
        controller_type: String,
        /// Its bus number.
        bus_number: i32,
    },
    /// A virtual disk.
    Disk(Disk),
    /// A network adapter.
    Nic(Nic),
    /// A CD/DVD drive.
    Cdrom {
        /// The ISO file or the host device it reads, when there is one.
        media: Option<String>,
    },
    /// A USB device passed through to the VM.
    Usb {
        /// The host's device path or the remote host it comes from.
        device: Option<String>,
    },
    /// Anything else: known by its label.
    Other,
}

/// A virtual disk's capacity and backing.
#[derive(Clone, Debug, PartialEq)]
pub struct Disk {
    /// The capacity in bytes (`capacityInBytes`, else `capacityInKB` × 1024).
    pub capacity_bytes: i64,
    /// The backing file (`[datastore1] web/web.vmdk`).
    pub file: Option<String>,
    /// The datastore's name: from the backing's `datastore`, else the
    /// `[name]` that starts the file name.
    pub datastore: Option<String>,
    /// How the disk's space is allocated.
    pub provisioning: Option<Provisioning>,
    /// `persistent`, `independent_persistent`, `nonpersistent`, ...
    pub disk_mode: Option<String>,
}

/// How a disk's space is allocated, named as vSphere's `VirtualDiskType`
/// names it where it has a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Provisioning {
    /// Allocated as written (`thinProvisioned`).
    Thin,
    /// Allocated at creation, zeroed on first write (lazy zeroed).
    Thick,
    /// Allocated and zeroed at creation (`eagerlyScrub`).
    EagerZeroedThick,
    /// A sparse (hosted) disk.
    Sparse,
    /// A space-efficient sparse disk.
    SeSparse,
    /// A raw device mapping in virtual compatibility mode.
    Rdm,
    /// A raw device mapping in physical compatibility mode.
    Rdmp,
    /// A raw host disk or partition.
    Raw,
    /// Persistent memory.
    Pmem,
}

impl Provisioning {
    /// The name shown and written to JSON (`thin`, `thick`, `eagerZeroedThick`, ...).
    pub fn as_str(&self) -> &'static str {
        match self {
            Provisioning::Thin => "thin",
            Provisioning::Thick => "thick",
            Provisioning::EagerZeroedThick => "eagerZeroedThick",
            Provisioning::Sparse => "sparse",
            Provisioning::SeSparse => "seSparse",
            Provisioning::Rdm => "rdm",
            Provisioning::Rdmp => "rdmp",
            Provisioning::Raw => "raw",
            Provisioning::Pmem => "pmem",
        }
    }
}

/// A network adapter's type, address and network.
#[derive(Clone, Debug, PartialEq)]
pub struct Nic {
    /// `vmxnet3`, `e1000`, `e1000e`, `vmxnet2`, `vmxnet`, `pcnet32`,
    /// `vmxnet3vrdma`, `sriov`.
    pub adapter: String,
    /// The MAC address (`00:50:56:8a:0b:1c`).
    pub mac_address: Option<String>,
    /// `assigned`, `generated`, `manual`.
    pub address_type: Option<String>,
    /// The network's or distributed port group's name.
    pub network: Option<String>,
    /// For a distributed port backing, the port group's key.
    pub portgroup_key: Option<String>,
}

/// The names of the objects devices refer to: networks and datastores by
/// reference, distributed port groups by key, opaque networks by id. Filled
/// by [`list_devices`] in one retrieval, or by hand for tests.
#[derive(Clone, Debug, Default)]
pub struct Names {
    objects: HashMap<ManagedObjectReference, String>,
    portgroups: HashMap<String, String>,
    opaque_networks: HashMap<String, String>,
}

impl Names {
    /// Records the name of a network, port group, datastore, ...
    pub fn insert(&mut self, obj: ManagedObjectReference, name: impl Into<String>) {
        self.objects.insert(obj, name.into());
    }

    /// Records the name of the distributed port group with this key.
    pub fn insert_portgroup(&mut self, key: impl Into<String>, name: impl Into<String>) {
        self.portgroups.insert(key.into(), name.into());
    }

    /// Records the name of the opaque network with this id.
    pub fn insert_opaque_network(&mut self, id: impl Into<String>, name: impl Into<String>) {
        self.opaque_networks.insert(id.into(), name.into());
    }

    fn object(&self, obj: &ManagedObjectReference) -> Option<String> {
        self.objects.get(obj).cloned()
    }
}

/// Why the argument names no single virtual machine (the exit status is 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LookupError {
    /// Nothing has this name (nor, when `uuid` is set, this BIOS or
    /// instance UUID).
    NotFound {
        /// The argument.
        asked: String,
        /// Whether it was also looked up as a UUID.
        uuid: bool,
    },
    /// More than one VM has this name.
    Ambiguous {
        /// The argument.
        name: String,
        /// The ids of the VMs that have it.
        ids: Vec<String>,
    },
    /// The inventory path names something that is not a VM.
    NotAVm {
        /// The path found.
        path: String,
        /// What it is (`Folder`).
        type_name: String,
    },
}

impl std::fmt::Display for LookupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LookupError::NotFound { asked, uuid: false } => {
                write!(f, "no virtual machine is named {asked:?}")
            }
            LookupError::NotFound { asked, uuid: true } => write!(
                f,
                "no virtual machine is named {asked:?} or has it as BIOS or instance UUID"
            ),
            LookupError::Ambiguous { name, ids } => write!(
                f,
                "{} virtual machines are named {name:?} ({}): give an inventory path or a UUID",
                ids.len(),
                ids.join(", ")
            ),
            LookupError::NotAVm { path, type_name } => {
                write!(f, "{path} is a {type_name}, not a virtual machine")
            }
        }
    }
}

impl std::error::Error for LookupError {}

/// What `list-devices` reads of each VM: one typed property set.
#[derive(vmomi::PropertySet)]
#[property_set(VirtualMachine)]
struct Hardware {
    #[property(reference)]
    obj: ManagedObjectReference,
    name: Option<String>,
    #[property(config.hardware.device)]
    devices: Vec<AnyVirtualDevice>,
    network: Vec<ManagedObjectReference>,
    datastore: Vec<ManagedObjectReference>,
}

/// Only the name, to find a VM by it.
#[derive(vmomi::PropertySet)]
#[property_set(VirtualMachine)]
struct Named {
    #[property(reference)]
    obj: ManagedObjectReference,
    name: Option<String>,
}

/// Whether `s` has the form of a UUID (`564d1c6b-8e0f-4a2b-9c3d-1e2f3a4b5c6d`).
pub fn looks_like_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// The virtual machine `arg` names: an inventory path if it holds `/`
/// (a path that matches nothing is an [`vmomi::Error::NotFound`] naming the
/// part that is missing), else a VM name (anywhere in the inventory), else,
/// if it has the form of a UUID, a BIOS UUID and then an instance UUID.
/// The inner error says why `arg` names no single VM.
pub async fn find_vm(
    client: &vmomi::Client,
    arg: &str,
) -> Result<Result<ManagedObjectReference, LookupError>, vmomi::Error> {
    use futures_util::TryStreamExt;
    let finder = Finder::new(client);
    if arg.contains('/') {
        let found = finder.by_path(arg).await?;
        if found.obj.r#type != mo::VirtualMachine::TYPE_NAME {
            return Ok(Err(LookupError::NotAVm {
                path: found.path,
                type_name: found.obj.r#type.to_string(),
            }));
        }
        return Ok(Ok(found.obj));
    }
    let root = client.service_content().root_folder.clone();
    let named: Vec<Named> = vmomi::property::retrieve::<Named>(client, &root)
        .try_collect()
        .await?;
    let mut matches: Vec<ManagedObjectReference> = named
        .into_iter()
        .filter(|v| v.name.as_deref() == Some(arg))
        .map(|v| v.obj)
        .collect();
    match matches.len() {
        1 => return Ok(Ok(matches.remove(0))),
        0 => {}
        _ => {
            matches.sort();
            return Ok(Err(LookupError::Ambiguous {
                name: arg.to_string(),
                ids: matches.into_iter().map(|m| m.value.into()).collect(),
            }));
        }
    }
    let uuid = looks_like_uuid(arg);
    if uuid {
        if let Some(vm) = finder.vm_by_uuid(arg, false).await? {
            return Ok(Ok(vm));
        }
        // A server without instance UUIDs may refuse the question: that is
        // a "no" too.
        match finder.vm_by_uuid(arg, true).await {
            Ok(Some(vm)) => return Ok(Ok(vm)),
            Ok(None) | Err(vmomi::Error::Fault(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Err(LookupError::NotFound {
        asked: arg.to_string(),
        uuid,
    }))
}

/// The devices of the VM `vm` names ([`find_vm`]), or of every VM when it
/// is `None`, sorted by name; the inner error says why `vm` names no
/// single VM.
pub async fn list_devices(
    client: &vmomi::Client,
    vm: Option<&str>,
) -> Result<Result<Vec<VmDevices>, LookupError>, vmomi::Error> {
    use futures_util::TryStreamExt;
    use vmomi::prelude::*;
    let hardware: Vec<Hardware> = match vm {
        None => {
            let root = client.service_content().root_folder.clone();
            vmomi::property::retrieve::<Hardware>(client, &root)
                .try_collect()
                .await?
        }
        Some(arg) => match find_vm(client, arg).await? {
            Ok(obj) => vec![client.view::<mo::VirtualMachine>(obj).get_set().await?],
            Err(e) => return Ok(Err(e)),
        },
    };
    let names = read_names(client, &hardware).await?;
    let mut vms: Vec<VmDevices> = hardware
        .into_iter()
        .map(|h| {
            build(
                h.obj.value.to_string(),
                h.name.unwrap_or_default(),
                &h.devices,
                &names,
            )
        })
        .collect();
    vms.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
    Ok(Ok(vms))
}

/// The names of every network, port group and datastore the VMs refer to,
/// in one `RetrievePropertiesEx` (and its continuations).
async fn read_names(client: &vmomi::Client, vms: &[Hardware]) -> Result<Names, vmomi::Error> {
    // Ordered, so the request is the same from run to run (cassettes
    // match request bodies).
    let mut refs: BTreeSet<ManagedObjectReference> = BTreeSet::new();
    for vm in vms {
        refs.extend(vm.network.iter().cloned());
        refs.extend(vm.datastore.iter().cloned());
        for d in &vm.devices {
            if let Some(b) = &d.backing {
                refs.extend(backing_refs(b));
            }
        }
    }
    let mut names = Names::default();
    if refs.is_empty() {
        return Ok(names);
    }
    let name_path: CompactString = mo::ManagedEntity::NAME.path().into();
    let mut by_type: BTreeMap<&str, Vec<CompactString>> = BTreeMap::new();
    for r in &refs {
        by_type.entry(r.r#type.as_str()).or_insert_with(|| {
            let mut paths = vec![name_path.clone()];
            match r.r#type.as_str() {
                "DistributedVirtualPortgroup" => {
                    paths.push(mo::DistributedVirtualPortgroup::KEY.path().into())
                }
                "OpaqueNetwork" => paths.push(mo::OpaqueNetwork::SUMMARY.path().into()),
                _ => {}
            }
            paths
        });
    }
    let spec = PropertyFilterSpec {
        prop_set: by_type
            .iter()
            .map(|(t, paths)| PropertySpec {
                r#type: (*t).into(),
                all: Some(false),
                path_set: paths.clone(),
                ..Default::default()
            })
            .collect(),
        object_set: refs
            .iter()
            .map(|r| ObjectSpec {
                obj: r.clone(),
                skip: Some(false),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    };
    for mut oc in vmomi::property::retrieve_pages(client, spec, None).await? {
        let Some(name) = oc.take(mo::ManagedEntity::NAME)? else {
            continue;
        };
        match oc.obj.r#type.as_str() {
            "DistributedVirtualPortgroup" => {
                if let Some(key) = oc.take(mo::DistributedVirtualPortgroup::KEY)? {
                    names.insert_portgroup(key, name.clone());
                }
            }
            "OpaqueNetwork" => {
                if let Some(AnyNetworkSummary::OpaqueNetworkSummary(s)) =
                    oc.take(mo::OpaqueNetwork::SUMMARY)?
                {
                    names.insert_opaque_network(s.opaque_network_id.clone(), name.clone());
                }
            }
            _ => {}
        }
        names.insert(oc.obj, name);
    }
    Ok(names)
}

/// The objects a backing refers to by reference (a network, a datastore).
fn backing_refs(b: &AnyVirtualDeviceBackingInfo) -> Vec<ManagedObjectReference> {
    let mut out = Vec::new();
    if let AnyVirtualDeviceBackingInfo::VirtualEthernetCardNetworkBackingInfo(n) = b {
        out.extend(n.network.clone());
    }
    if let Some(f) = file_backing(b) {
        out.extend(f.datastore.clone());
    }
    out
}

/// The file part of a backing that has one.
fn file_backing(b: &AnyVirtualDeviceBackingInfo) -> Option<&VirtualDeviceFileBackingInfo> {
    use AnyVirtualDeviceBackingInfo as B;
    Some(match b {
        B::VirtualDeviceFileBackingInfo(f) => f,
        B::VirtualCdromIsoBackingInfo(f) => f,
        B::VirtualDiskFlatVer1BackingInfo(f) => f,
        B::VirtualDiskFlatVer2BackingInfo(f) => f,
        B::VirtualDiskLocalPMemBackingInfo(f) => f,
        B::VirtualDiskRawDiskMappingVer1BackingInfo(f) => f,
        B::VirtualDiskSeSparseBackingInfo(f) => f,
        B::VirtualDiskSparseVer1BackingInfo(f) => f,
        B::VirtualDiskSparseVer2BackingInfo(f) => f,
        B::VirtualFloppyImageBackingInfo(f) => f,
        B::VirtualNVDIMMBackingInfo(f) => f,
        B::VirtualParallelPortFileBackingInfo(f) => f,
        B::VirtualSerialPortFileBackingInfo(f) => f,
        _ => return None,
    })
}

/// The host device a backing names, if it names one.
fn device_name(b: &AnyVirtualDeviceBackingInfo) -> Option<String> {
    use AnyVirtualDeviceBackingInfo as B;
    let name = match b {
        B::VirtualCdromAtapiBackingInfo(d) => &d.device_name,
        B::VirtualCdromPassthroughBackingInfo(d) => &d.device_name,
        B::VirtualCdromRemoteAtapiBackingInfo(d) => &d.device_name,
        B::VirtualCdromRemotePassthroughBackingInfo(d) => &d.device_name,
        B::VirtualDeviceDeviceBackingInfo(d) => &d.device_name,
        B::VirtualDeviceRemoteDeviceBackingInfo(d) => &d.device_name,
        B::VirtualUSBUSBBackingInfo(d) => &d.device_name,
        B::VirtualUSBRemoteHostBackingInfo(d) => &d.hostname,
        B::VirtualUSBRemoteClientBackingInfo(d) => &d.hostname,
        _ => return None,
    };
    non_empty(name)
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// `ds` of a `[ds] path` file name.
fn datastore_of_file(file: &str) -> Option<String> {
    let rest = file.strip_prefix('[')?;
    let (ds, _) = rest.split_once(']')?;
    non_empty(ds)
}

/// The type of the controller, short, for one of the controller variants.
fn controller(d: &AnyVirtualDevice) -> Option<(&VirtualController, &'static str)> {
    use AnyVirtualDevice as D;
    Some(match d {
        D::ParaVirtualSCSIController(c) => (c, "pvscsi"),
        D::VirtualBusLogicController(c) => (c, "buslogic"),
        D::VirtualLsiLogicController(c) => (c, "lsilogic"),
        D::VirtualLsiLogicSASController(c) => (c, "lsilogic-sas"),
        D::VirtualSCSIController(c) => (c, "scsi"),
        D::VirtualAHCIController(c) => (c, "ahci"),
        D::VirtualSATAController(c) => (c, "sata"),
        D::VirtualIDEController(c) => (c, "ide"),
        D::VirtualNVMEController(c) => (c, "nvme"),
        D::VirtualNVDIMMController(c) => (c, "nvdimm"),
        D::VirtualPCIController(c) => (c, "pci"),
        D::VirtualPS2Controller(c) => (c, "ps2"),
        D::VirtualSIOController(c) => (c, "sio"),
        D::VirtualUSBController(c) => (c, "usb"),
        D::VirtualUSBXHCIController(c) => (c, "usb-xhci"),
        D::VirtualController(c) => (c, "controller"),
        _ => return None,
    })
}

/// The short name the TYPE column shows for a device that is not a
/// controller, disk, NIC, CD/DVD drive or USB device.
fn other_kind(type_name: &str) -> &str {
    match type_name {
        "VirtualKeyboard" => "keyboard",
        "VirtualPointingDevice" => "pointing",
        "VirtualMachineVideoCard" => "video",
        "VirtualMachineVMCIDevice" => "vmci",
        "VirtualMachineVMIROM" => "vmirom",
        "VirtualFloppy" => "floppy",
        "VirtualSerialPort" => "serial",
        "VirtualParallelPort" => "parallel",
        "VirtualSoundCard"
        | "VirtualEnsoniq1371"
        | "VirtualSoundBlaster16"
        | "VirtualHdAudioCard" => "sound",
        "VirtualTPM" => "tpm",
        "VirtualWDT" => "watchdog",
        "VirtualPrecisionClock" => "clock",
        "VirtualPCIPassthrough" => "pci-passthrough",
        "VirtualSCSIPassthrough" => "scsi-passthrough",
        "VirtualNVDIMM" => "nvdimm",
        other => other,
    }
}

fn disk_info(d: &vmomi::types::VirtualDisk, names: &Names) -> Disk {
    use AnyVirtualDeviceBackingInfo as B;
    let capacity_bytes = d
        .capacity_in_bytes
        .unwrap_or(d.capacity_in_kb.saturating_mul(1024));
    let (mut file, mut provisioning, mut disk_mode, mut ds_ref) = (None, None, None, None);
    if let Some(b) = &d.backing {
        if let Some(f) = file_backing(b) {
            file = non_empty(&f.file_name);
            ds_ref = f.datastore.clone();
        }
        (provisioning, disk_mode) = match b {
            B::VirtualDiskFlatVer2BackingInfo(f) => (
                Some(if f.thin_provisioned == Some(true) {
                    Provisioning::Thin
                } else if f.eagerly_scrub == Some(true) {
                    Provisioning::EagerZeroedThick
                } else {
                    Provisioning::Thick
                }),
                non_empty(&f.disk_mode),
            ),
            B::VirtualDiskFlatVer1BackingInfo(f) => {
                (Some(Provisioning::Thick), non_empty(&f.disk_mode))
            }
            B::VirtualDiskSparseVer1BackingInfo(f) => {
                (Some(Provisioning::Sparse), non_empty(&f.disk_mode))
            }
            B::VirtualDiskSparseVer2BackingInfo(f) => {
                (Some(Provisioning::Sparse), non_empty(&f.disk_mode))
            }
            B::VirtualDiskSeSparseBackingInfo(f) => {
                (Some(Provisioning::SeSparse), non_empty(&f.disk_mode))
            }
            B::VirtualDiskRawDiskMappingVer1BackingInfo(f) => (
                Some(if f.compatibility_mode.as_deref() == Some("physicalMode") {
                    Provisioning::Rdmp
                } else {
                    Provisioning::Rdm
                }),
                f.disk_mode.as_deref().map(String::from),
            ),
            B::VirtualDiskLocalPMemBackingInfo(f) => {
                (Some(Provisioning::Pmem), non_empty(&f.disk_mode))
            }
            B::VirtualDiskRawDiskVer2BackingInfo(f) => {
                file = non_empty(&f.descriptor_file_name);
                (Some(Provisioning::Raw), None)
            }
            B::VirtualDiskPartitionedRawDiskVer2BackingInfo(f) => {
                file = non_empty(&f.descriptor_file_name);
                (Some(Provisioning::Raw), None)
            }
            _ => (None, None),
        };
    }
    let datastore = ds_ref
        .and_then(|r| names.object(&r))
        .or_else(|| file.as_deref().and_then(datastore_of_file));
    Disk {
        capacity_bytes,
        file,
        datastore,
        provisioning,
        disk_mode,
    }
}

fn nic_info(card: &vmomi::types::VirtualEthernetCard, adapter: &str, names: &Names) -> Nic {
    use AnyVirtualDeviceBackingInfo as B;
    let (mut network, mut portgroup_key) = (None, None);
    match &card.backing {
        Some(B::VirtualEthernetCardNetworkBackingInfo(n)) => {
            network = n
                .network
                .as_ref()
                .and_then(|r| names.object(r))
                .or_else(|| non_empty(&n.device_name));
        }
        Some(B::VirtualEthernetCardLegacyNetworkBackingInfo(n)) => {
            network = non_empty(&n.device_name);
        }
        Some(B::VirtualEthernetCardDistributedVirtualPortBackingInfo(p)) => {
            portgroup_key = p.port.portgroup_key.as_deref().map(String::from);
            network = portgroup_key
                .as_ref()
                .and_then(|k| names.portgroups.get(k).cloned());
        }
        Some(B::VirtualEthernetCardOpaqueNetworkBackingInfo(o)) => {
            network = names
                .opaque_networks
                .get(o.opaque_network_id.as_str())
                .cloned();
        }
        _ => {}
    }
    Nic {
        adapter: adapter.to_string(),
        mac_address: card.mac_address.as_deref().map(String::from),
        address_type: card.address_type.as_deref().map(String::from),
        network,
        portgroup_key,
    }
}

/// One device without the devices under it.
/// A network card's `VirtualEthernetCard` part and adapter name (`e1000`,
/// `vmxnet3`, ...); `None` for any other device.
///
/// ```
/// use vmomi::types::{AnyVirtualDevice, VirtualDisk, VirtualVmxnet3};
/// let card = AnyVirtualDevice::from(VirtualVmxnet3::default());
/// assert_eq!(vmomi_samples::devices::nic(&card).map(|(_, a)| a), Some("vmxnet3"));
/// assert!(vmomi_samples::devices::nic(&AnyVirtualDevice::from(VirtualDisk::default())).is_none());
/// ```
pub fn nic(d: &AnyVirtualDevice) -> Option<(&vmomi::types::VirtualEthernetCard, &'static str)> {
    use AnyVirtualDevice as D;
    Some(match d {
        D::VirtualE1000(n) => (n, "e1000"),
        D::VirtualE1000e(n) => (n, "e1000e"),
        D::VirtualPCNet32(n) => (n, "pcnet32"),
        D::VirtualVmxnet(n) => (n, "vmxnet"),
        D::VirtualVmxnet2(n) => (n, "vmxnet2"),
        D::VirtualVmxnet3(n) => (n, "vmxnet3"),
        D::VirtualVmxnet3Vrdma(n) => (n, "vmxnet3vrdma"),
        D::VirtualSriovEthernetCard(n) => (n, "sriov"),
        D::VirtualEthernetCard(n) => (n, "ethernet"),
        _ => return None,
    })
}

fn device(d: &AnyVirtualDevice, names: &Names) -> Device {
    use AnyVirtualDevice as D;
    let base = d.as_base();
    let unknown = base.base.extra.unknown_type();
    let type_name = unknown.unwrap_or(d.type_name()).to_string();
    let info = if let Some((c, kind)) = controller(d) {
        Info::Controller {
            controller_type: kind.to_string(),
            bus_number: c.bus_number,
        }
    } else if let Some((card, adapter)) = nic(d) {
        Info::Nic(nic_info(card, adapter, names))
    } else {
        match d {
            D::VirtualDisk(disk) => Info::Disk(disk_info(disk, names)),
            D::VirtualCdrom(c) => Info::Cdrom {
                media: c.backing.as_ref().and_then(|b| {
                    file_backing(b)
                        .and_then(|f| non_empty(&f.file_name))
                        .or_else(|| device_name(b))
                }),
            },
            D::VirtualUSB(u) => Info::Usb {
                device: u.backing.as_ref().and_then(device_name),
            },
            _ => Info::Other,
        }
    };
    let connected = match d {
        // A USB device says whether it is connected in a field of its own.
        D::VirtualUSB(u) => Some(u.connected),
        _ => base.connectable.as_ref().map(|c| c.connected),
    };
    Device {
        key: base.key,
        known_type: unknown.is_none(),
        type_name,
        label: base
            .device_info
            .as_ref()
            .and_then(|i| non_empty(i.label.trim())),
        summary: base
            .device_info
            .as_ref()
            .and_then(|i| non_empty(i.summary.trim())),
        controller_key: base.controller_key,
        unit_number: base.unit_number,
        connected,
        backing: base.backing.as_ref().map(|b| {
            b.as_base()
                .base
                .extra
                .unknown_type()
                .unwrap_or(b.type_name())
                .to_string()
        }),
        info,
        devices: Vec::new(),
    }
}

/// One VM's devices as a tree: each device under the device its
/// `controllerKey` names (or the controller whose `device` list holds it),
/// children by unit number; a device whose controller is missing, or that
/// is part of a loop of controllers, is shown at the top. Names of networks,
/// port groups and datastores come from `names`.
pub fn build(id: String, name: String, devices: &[AnyVirtualDevice], names: &Names) -> VmDevices {
    let mut index: HashMap<i32, usize> = HashMap::new();
    for (i, d) in devices.iter().enumerate() {
        index.entry(d.key).or_insert(i);
    }
    // A controller's own list of the devices on it, for a device that does
    // not name its controller.
    let mut listed_on: HashMap<i32, usize> = HashMap::new();
    for (i, d) in devices.iter().enumerate() {
        if let Some((c, _)) = controller(d) {
            for k in &c.device {
                listed_on.entry(*k).or_insert(i);
            }
        }
    }
    let parent: Vec<Option<usize>> = devices
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let by_key = d.controller_key.and_then(|k| index.get(&k).copied());
            by_key
                .or_else(|| listed_on.get(&d.key).copied())
                .filter(|&p| p != i)
        })
        .collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); devices.len()];
    for (i, p) in parent.iter().enumerate() {
        if let Some(p) = p {
            children[*p].push(i);
        }
    }
    for c in &mut children {
        c.sort_by_key(|&i| (devices[i].unit_number.is_none(), devices[i].unit_number, i));
    }
    let mut nodes: Vec<Option<Device>> = devices.iter().map(|d| Some(device(d, names))).collect();
    fn take(i: usize, nodes: &mut [Option<Device>], children: &[Vec<usize>]) -> Option<Device> {
        let mut node = nodes[i].take()?;
        node.devices = children[i]
            .iter()
            .filter_map(|&c| take(c, nodes, children))
            .collect();
        Some(node)
    }
    let mut top: Vec<Device> = Vec::new();
    for (i, p) in parent.iter().enumerate() {
        if p.is_none() {
            top.extend(take(i, &mut nodes, &children));
        }
    }
    // What is left hangs in a loop of controllers: shown from the first one.
    for i in 0..devices.len() {
        top.extend(take(i, &mut nodes, &children));
    }
    VmDevices {
        id,
        name,
        devices: top,
    }
}

/// A capacity in binary units (`1 MiB`, `40 GiB`, `1.5 TiB`).
pub fn format_bytes(bytes: i64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut unit = 0;
    let mut v = bytes as f64;
    while v.abs() >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    let rounded = (v * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0} {}", UNITS[unit])
    } else {
        format!("{rounded:.1} {}", UNITS[unit])
    }
}

impl Device {
    /// What the TYPE column shows: the controller's type, `disk`, the NIC's
    /// adapter type, `cdrom`, `usb`, or a short name of the device type.
    pub fn kind(&self) -> &str {
        match &self.info {
            Info::Controller {
                controller_type, ..
            } => controller_type,
            Info::Disk(_) => "disk",
            Info::Nic(n) => &n.adapter,
            Info::Cdrom { .. } => "cdrom",
            Info::Usb { .. } => "usb",
            Info::Other => other_kind(&self.type_name),
        }
    }

    /// The DETAILS column: capacity, provisioning, mode, datastore and file
    /// of a disk; MAC, network and connection of a NIC; and so on.
    pub fn details(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        match &self.info {
            Info::Controller { .. } => {}
            Info::Disk(d) => {
                parts.push(format_bytes(d.capacity_bytes));
                parts.extend(d.provisioning.as_ref().map(|p| p.as_str().to_string()));
                parts.extend(d.disk_mode.clone());
                parts.extend(d.datastore.as_ref().map(|ds| format!("datastore {ds}")));
                parts.extend(d.file.clone());
            }
            Info::Nic(n) => {
                parts.push(or_dash(n.mac_address.as_deref()));
                match (&n.network, &n.portgroup_key) {
                    (Some(net), _) => parts.push(format!("network {net}")),
                    (None, Some(key)) => parts.push(format!("port group key {key}")),
                    (None, None) => {}
                }
            }
            Info::Cdrom { media } | Info::Usb { device: media } => parts.extend(media.clone()),
            Info::Other => {
                if !self.known_type {
                    parts.push("type unknown to these bindings".into());
                }
                if self.summary.is_some() && self.summary != self.label {
                    parts.extend(self.summary.clone());
                }
            }
        }
        parts.extend(
            self.connected
                .map(|c| if c { "connected" } else { "disconnected" }.to_string()),
        );
        parts.join(", ")
    }

    /// The device and the devices under it as a JSON object: the fields
    /// every device has (`key`, `type`, `known_type`, `kind`, `label`,
    /// `summary`, `controller_key`, `unit_number`, `connected`, `backing`),
    /// those of its kind (`controller_type` and `bus_number`;
    /// `capacity_bytes`, `file`, `datastore`, `provisioning`, `thin` and
    /// `disk_mode`; `adapter`, `mac_address`, `address_type`, `network` and
    /// `portgroup_key`; `media`; `device`), and `devices`. Absent values
    /// are `null`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut o = serde_json::json!({
            "key": self.key,
            "type": self.type_name,
            "known_type": self.known_type,
            "kind": match self.info {
                Info::Controller { .. } => "controller",
                Info::Disk(_) => "disk",
                Info::Nic(_) => "nic",
                Info::Cdrom { .. } => "cdrom",
                Info::Usb { .. } => "usb",
                Info::Other => "other",
            },
            "label": self.label,
            "summary": self.summary,
            "controller_key": self.controller_key,
            "unit_number": self.unit_number,
            "connected": self.connected,
            "backing": self.backing,
        });
        let extra = match &self.info {
            Info::Controller {
                controller_type,
                bus_number,
            } => serde_json::json!({
                "controller_type": controller_type,
                "bus_number": bus_number,
            }),
            Info::Disk(d) => serde_json::json!({
                "capacity_bytes": d.capacity_bytes,
                "file": d.file,
                "datastore": d.datastore,
                "provisioning": d.provisioning.as_ref().map(Provisioning::as_str),
                "thin": d.provisioning.as_ref().and_then(|p| match p {
                    Provisioning::Thin | Provisioning::Sparse | Provisioning::SeSparse => Some(true),
                    Provisioning::Thick | Provisioning::EagerZeroedThick => Some(false),
                    _ => None,
                }),
                "disk_mode": d.disk_mode,
            }),
            Info::Nic(n) => serde_json::json!({
                "adapter": n.adapter,
                "mac_address": n.mac_address,
                "address_type": n.address_type,
                "network": n.network,
                "portgroup_key": n.portgroup_key,
            }),
            Info::Cdrom { media } => serde_json::json!({ "media": media }),
            Info::Usb { device } => serde_json::json!({ "device": device }),
            Info::Other => serde_json::json!({}),
        };
        let map = o.as_object_mut().expect("an object");
        if let serde_json::Value::Object(extra) = extra {
            map.extend(extra);
        }
        map.insert(
            "devices".into(),
            serde_json::Value::Array(self.devices.iter().map(Device::to_json).collect()),
        );
        o
    }
}

impl VmDevices {
    /// The VM as a JSON object: `id`, `name` and `devices`, each device
    /// with the devices under it ([`Device::to_json`]).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "name": self.name,
            "devices": self.devices.iter().map(Device::to_json).collect::<Vec<_>>(),
        })
    }

    /// Every device of the tree, parents before their children.
    pub fn flatten(&self) -> Vec<&Device> {
        fn walk<'a>(d: &'a Device, out: &mut Vec<&'a Device>) {
            out.push(d);
            for c in &d.devices {
                walk(c, out);
            }
        }
        let mut out = Vec::new();
        for d in &self.devices {
            walk(d, &mut out);
        }
        out
    }
}

/// Formats VMs as a heading line each (`name (id)`) over a table of their
/// devices, the tree drawn in the DEVICE column; VMs are a blank line
/// apart, and a VM with no devices says so.
pub fn render(vms: &[VmDevices]) -> String {
    let header = ["DEVICE", "TYPE", "KEY", "BUS", "UNIT", "DETAILS"];
    let mut out = String::new();
    for (i, vm) in vms.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("{} ({})\n", vm.name, vm.id));
        if vm.devices.is_empty() {
            out.push_str("(no devices)\n");
            continue;
        }
        let mut rows = Vec::new();
        for d in &vm.devices {
            rows_of(d, "", None, &mut rows);
        }
        out.push_str(&crate::output::render_table(&header, &rows));
    }
    out
}

/// The rows of `d` and the devices under it; `last` is whether `d` is the
/// last of its siblings (`None` at the top, drawn without a branch).
fn rows_of(d: &Device, prefix: &str, last: Option<bool>, rows: &mut Vec<Vec<String>>) {
    let (branch, child_prefix) = match last {
        None => (String::new(), String::new()),
        Some(false) => (format!("{prefix}├─ "), format!("{prefix}│  ")),
        Some(true) => (format!("{prefix}└─ "), format!("{prefix}   ")),
    };
    let label = d.label.clone().unwrap_or_else(|| d.type_name.clone());
    let bus = match &d.info {
        Info::Controller { bus_number, .. } => bus_number.to_string(),
        _ => "-".into(),
    };
    rows.push(vec![
        format!("{branch}{label}"),
        d.kind().to_string(),
        d.key.to_string(),
        bus,
        or_dash(d.unit_number),
        d.details(),
    ]);
    for (i, c) in d.devices.iter().enumerate() {
        rows_of(c, &child_prefix, Some(i + 1 == d.devices.len()), rows);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vmomi::types::{
        Description, DistributedVirtualSwitchPortConnection, ParaVirtualSCSIController,
        VirtualDevice, VirtualDeviceConnectInfo, VirtualDisk, VirtualDiskFlatVer2BackingInfo,
        VirtualE1000, VirtualEthernetCard, VirtualEthernetCardDistributedVirtualPortBackingInfo,
        VirtualEthernetCardNetworkBackingInfo, VirtualPCIController, VirtualVmxnet3,
    };

    fn base(
        key: i32,
        label: &str,
        controller_key: Option<i32>,
        unit: Option<i32>,
    ) -> VirtualDevice {
        VirtualDevice {
            key,
            device_info: Some(
                Description {
                    label: label.into(),
                    summary: label.into(),
                    ..Default::default()
                }
                .into(),
            ),
            controller_key,
            unit_number: unit,
            ..Default::default()
        }
    }

    fn pci() -> AnyVirtualDevice {
        let mut c = VirtualPCIController::default();
        c.base.base = base(100, "PCI controller 0", None, None);
        c.into()
    }

    fn pvscsi(key: i32, bus: i32) -> AnyVirtualDevice {
        let mut c = ParaVirtualSCSIController::default();
        let ctl: &mut VirtualController = &mut c.base.base;
        ctl.base = base(key, &format!("SCSI controller {bus}"), Some(100), Some(3));
        ctl.bus_number = bus;
        c.into()
    }

    fn disk(key: i32, unit: i32, thin: Option<bool>, eager: Option<bool>) -> AnyVirtualDevice {
        let backing = VirtualDiskFlatVer2BackingInfo {
            base: VirtualDeviceFileBackingInfo {
                file_name: format!("[ds-a] web/web_{unit}.vmdk").into(),
                datastore: (unit == 0)
                    .then(|| ManagedObjectReference::new("Datastore", "datastore-9")),
                ..Default::default()
            },
            disk_mode: "persistent".into(),
            thin_provisioned: thin,
            eagerly_scrub: eager,
            ..Default::default()
        };
        VirtualDisk {
            base: VirtualDevice {
                backing: Some(backing.into()),
                ..base(
                    key,
                    &format!("Hard disk {}", unit + 1),
                    Some(1000),
                    Some(unit),
                )
            },
            capacity_in_kb: 40 << 20,
            ..Default::default()
        }
        .into()
    }

    fn names() -> Names {
        let mut n = Names::default();
        n.insert(
            ManagedObjectReference::new("Datastore", "datastore-9"),
            "datastore-renamed",
        );
        n.insert(
            ManagedObjectReference::new("Network", "network-7"),
            "VM Network",
        );
        n.insert_portgroup("dvportgroup-11", "prod-pg");
        n
    }

    fn connected() -> Option<VirtualDeviceConnectInfo> {
        Some(VirtualDeviceConnectInfo {
            connected: true,
            start_connected: true,
            ..Default::default()
        })
    }

    #[test]
    fn a_vm_with_no_devices_still_prints() {
        let vm = build("vm-1".into(), "empty".into(), &[], &Names::default());
        assert!(vm.devices.is_empty());
        assert_eq!(
            render(std::slice::from_ref(&vm)),
            "empty (vm-1)\n(no devices)\n"
        );
        assert_eq!(vm.to_json()["devices"], serde_json::json!([]));
        assert_eq!(vm.to_json()["name"], "empty");
    }

    #[test]
    fn thin_thick_and_eager_zeroed_disks_are_told_apart() {
        let devices = vec![
            pci(),
            pvscsi(1000, 0),
            disk(2000, 0, Some(true), None),
            disk(2001, 1, Some(false), Some(false)),
            disk(2002, 2, None, Some(true)),
        ];
        let vm = build("vm-2".into(), "web".into(), &devices, &names());
        let all = vm.flatten();
        let disks: Vec<&Disk> = all
            .iter()
            .filter_map(|d| match &d.info {
                Info::Disk(disk) => Some(disk),
                _ => None,
            })
            .collect();
        assert_eq!(disks.len(), 3);
        assert_eq!(disks[0].provisioning, Some(Provisioning::Thin));
        assert_eq!(disks[1].provisioning, Some(Provisioning::Thick));
        assert_eq!(disks[2].provisioning, Some(Provisioning::EagerZeroedThick));
        // The backing's datastore reference wins; without one, the file's `[ds]`.
        assert_eq!(disks[0].datastore.as_deref(), Some("datastore-renamed"));
        assert_eq!(disks[1].datastore.as_deref(), Some("ds-a"));
        assert_eq!(disks[0].capacity_bytes, 40 << 30);
        assert_eq!(disks[0].disk_mode.as_deref(), Some("persistent"));

        // PCI > SCSI > disks, by unit number.
        assert_eq!(vm.devices.len(), 1);
        let scsi = &vm.devices[0].devices[0];
        assert_eq!(
            scsi.info,
            Info::Controller {
                controller_type: "pvscsi".into(),
                bus_number: 0
            }
        );
        let keys: Vec<i32> = scsi.devices.iter().map(|d| d.key).collect();
        assert_eq!(keys, [2000, 2001, 2002]);

        let json = vm.to_json();
        let jd = &json["devices"][0]["devices"][0]["devices"];
        assert_eq!(jd[0]["provisioning"], "thin");
        assert_eq!(jd[0]["thin"], true);
        assert_eq!(jd[1]["provisioning"], "thick");
        assert_eq!(jd[1]["thin"], false);
        assert_eq!(jd[2]["provisioning"], "eagerZeroedThick");
        assert_eq!(jd[2]["file"], "[ds-a] web/web_2.vmdk");
        assert_eq!(json["devices"][0]["devices"][0]["bus_number"], 0);

        let table = render(&[vm]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines[0], "web (vm-2)");
        assert!(lines[1].starts_with("DEVICE"), "{table}");
        assert!(lines[2].starts_with("PCI controller 0  "), "{table}");
        assert!(lines[3].starts_with("└─ SCSI controller 0  "), "{table}");
        assert!(lines[4].starts_with("   ├─ Hard disk 1  "), "{table}");
        assert!(lines[6].starts_with("   └─ Hard disk 3  "), "{table}");
        assert!(
            lines[4].ends_with(
                "40 GiB, thin, persistent, datastore datastore-renamed, [ds-a] web/web_0.vmdk"
            ),
            "{table}"
        );
        assert!(lines[5].contains(", thick, "), "{table}");
        assert!(lines[6].contains(", eagerZeroedThick, "), "{table}");
        // The UNIT column lines up and holds the unit numbers.
        let unit_col = lines[1].find("UNIT").unwrap();
        let units: Vec<&str> = lines[4..]
            .iter()
            .map(|l| l[unit_col..].split_whitespace().next().unwrap())
            .collect();
        assert_eq!(units, ["0", "1", "2"]);
    }

    #[test]
    fn a_device_of_an_unknown_type_is_kept_and_shown_by_its_label() {
        // As the decoder leaves it: the declared base type, the name kept.
        let mut fancy = base(13000, "Fancy accelerator 1", Some(100), Some(21));
        fancy
            .base
            .extra
            .set_unknown_type("VirtualFancyAccelerator".into());
        // It is also the controller of another device.
        let child = base(13001, "Fancy lane 0", Some(13000), Some(0));
        let devices = vec![pci(), fancy.into(), child.into()];
        let vm = build("vm-3".into(), "gpu".into(), &devices, &Names::default());
        let f = &vm.devices[0].devices[0];
        assert_eq!(f.type_name, "VirtualFancyAccelerator");
        assert!(!f.known_type);
        assert_eq!(f.info, Info::Other);
        assert_eq!(f.kind(), "VirtualFancyAccelerator");
        assert_eq!(f.devices[0].label.as_deref(), Some("Fancy lane 0"));
        assert!(f.devices[0].known_type);
        let json = vm.to_json();
        let jf = &json["devices"][0]["devices"][0];
        assert_eq!(jf["type"], "VirtualFancyAccelerator");
        assert_eq!(jf["known_type"], false);
        assert_eq!(jf["kind"], "other");
        assert_eq!(jf["label"], "Fancy accelerator 1");
        assert_eq!(jf["devices"][0]["key"], 13001);
        let table = render(&[vm]);
        assert!(
            table.contains("└─ Fancy accelerator 1  VirtualFancyAccelerator  13000"),
            "{table}"
        );
        assert!(table.contains("type unknown to these bindings"), "{table}");
        assert!(table.contains("   └─ Fancy lane 0  "), "{table}");
    }

    #[test]
    fn nics_name_their_network_port_group_and_adapter() {
        let mut dv = VirtualVmxnet3::default();
        let card: &mut VirtualEthernetCard = &mut dv.base.base;
        card.base = VirtualDevice {
            backing: Some(
                VirtualEthernetCardDistributedVirtualPortBackingInfo {
                    port: DistributedVirtualSwitchPortConnection {
                        switch_uuid: "50 1a".into(),
                        portgroup_key: Some("dvportgroup-11".into()),
                        ..Default::default()
                    },
                    ..Default::default()
                }
                .into(),
            ),
            connectable: connected(),
            ..base(4000, "Network adapter 1", Some(100), Some(7))
        };
        card.mac_address = Some("00:50:56:8a:0b:1c".into());
        let mut std_net = VirtualE1000::default();
        std_net.base.base = base(4001, "Network adapter 2", Some(100), Some(8));
        let mut b = VirtualEthernetCardNetworkBackingInfo {
            network: Some(ManagedObjectReference::new("Network", "network-7")),
            ..Default::default()
        };
        b.base.device_name = "stale name".into();
        std_net.base.base.backing = Some(b.into());
        // A port group the names do not hold: its key is shown instead.
        let mut lost = VirtualE1000::default();
        lost.base.base = VirtualDevice {
            backing: Some(
                VirtualEthernetCardDistributedVirtualPortBackingInfo {
                    port: DistributedVirtualSwitchPortConnection {
                        portgroup_key: Some("dvportgroup-99".into()),
                        ..Default::default()
                    },
                    ..Default::default()
                }
                .into(),
            ),
            ..base(4002, "Network adapter 3", Some(100), Some(9))
        };
        let devices = vec![pci(), dv.into(), std_net.into(), lost.into()];
        let vm = build("vm-4".into(), "net".into(), &devices, &names());
        let nics: Vec<&Nic> = vm
            .flatten()
            .into_iter()
            .filter_map(|d| match &d.info {
                Info::Nic(n) => Some(n),
                _ => None,
            })
            .collect();
        assert_eq!(nics[0].adapter, "vmxnet3");
        assert_eq!(nics[0].network.as_deref(), Some("prod-pg"));
        assert_eq!(nics[1].adapter, "e1000");
        assert_eq!(nics[1].network.as_deref(), Some("VM Network"));
        assert_eq!(nics[2].network, None);
        assert_eq!(nics[2].portgroup_key.as_deref(), Some("dvportgroup-99"));
        let table = render(&[vm]);
        assert!(
            table.contains(
                "vmxnet3  4000  -    7     00:50:56:8a:0b:1c, network prod-pg, connected"
            ),
            "{table}"
        );
        assert!(
            table.contains("-, port group key dvportgroup-99"),
            "{table}"
        );
    }

    #[test]
    fn devices_without_their_controller_or_in_a_loop_are_shown_at_the_top() {
        let orphan = disk(2000, 0, Some(true), None); // controller 1000 is not there
        let a = base(1, "A", Some(2), None);
        let b = base(2, "B", Some(1), None);
        let own = base(3, "Self", Some(3), None);
        let devices = vec![orphan, a.into(), b.into(), own.into()];
        let vm = build("vm-5".into(), "odd".into(), &devices, &Names::default());
        let top: Vec<i32> = vm.devices.iter().map(|d| d.key).collect();
        assert_eq!(top, [2000, 3, 1]);
        assert_eq!(vm.devices[2].devices[0].key, 2);
        assert!(vm.devices[2].devices[0].devices.is_empty());
        assert_eq!(vm.flatten().len(), 4);
    }

    #[test]
    fn capacities_and_uuids() {
        assert_eq!(format_bytes(1 << 20), "1 MiB");
        assert_eq!(format_bytes(40 << 30), "40 GiB");
        assert_eq!(format_bytes(3 << 29), "1.5 GiB");
        assert_eq!(format_bytes(512), "512 B");
        assert!(looks_like_uuid("564d1c6b-8e0f-4a2b-9c3d-1e2f3a4b5c6d"));
        assert!(!looks_like_uuid("564d1c6b-8e0f-4a2b-9c3d-1e2f3a4b5c6"));
        assert!(!looks_like_uuid("web-01"));
        assert_eq!(
            LookupError::NotFound {
                asked: "nope".into(),
                uuid: false
            }
            .to_string(),
            "no virtual machine is named \"nope\""
        );
        assert_eq!(
            datastore_of_file("[LocalDS_0] a/b.vmdk").as_deref(),
            Some("LocalDS_0")
        );
        assert_eq!(datastore_of_file("/vmfs/volumes/x/b.vmdk"), None);
    }
}
