//! The commands that change or read vCenter: `up`, `down`, `status`,
//! `reap`, `report`, and the record a refusal leaves.
//!
//! Nothing is kept locally. `up` converges: for each planned VM it takes the
//! one of that name if it carries this build's labels, clones it otherwise
//! (the labels are in the clone's own configuration), and a `DuplicateName`
//! from a concurrent `up` counts as "already there" once the labels of the
//! VM that won are checked. `down` and `reap` only touch labelled VMs.

use crate::error::Error;
use crate::labels;
use crate::model::{Labels, Plan, PlannedVm, Policy, Refusal};
use crate::progress::Progress;
use crate::vc::{self, Existing, Site};
use futures_util::StreamExt;
use std::collections::BTreeMap;
use std::time::Duration;
use vmomi::prelude::*;
use vmomi::types::{
    Any, AnyEvent, AnyMethodFault, AnyVirtualDevice, AnyVirtualMachineProfileSpec,
    DatacenterEventArgument, EntityEventArgument, GeneralUserEvent, ManagedEntityEventArgument,
    ManagedObjectReference, VirtualDeviceConfigSpec, VirtualDeviceConfigSpecOperation,
    VirtualEthernetCardDistributedVirtualPortBackingInfo, VirtualEthernetCardNetworkBackingInfo,
    VirtualMachineCloneSpec, VirtualMachineConfigSpec, VirtualMachineDefinedProfileSpec,
    VirtualMachineRelocateSpec,
};
use vmomi::{Client, mo};

/// What a command needs of its run: the session, the policy's places, the
/// clock, and how to report.
pub struct Ctx<'a> {
    pub client: &'a Client,
    pub policy: &'a Policy,
    pub site: Site,
    /// Seconds since the Unix epoch (`VMCI_NOW` pins it for replays).
    pub now: i64,
    pub progress: Progress,
    /// VMs worked on at once.
    pub concurrency: usize,
    /// How long `up` waits for a VM's IP address.
    pub ip_timeout: Duration,
}

/// One VM after `up`, or as `status` shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct VmRow {
    pub name: String,
    pub role: String,
    pub id: String,
    pub powered_on: bool,
    pub ip: Option<String>,
    pub cpus: u32,
    pub memory_mb: u64,
    /// Seconds since the Unix epoch.
    pub expires: i64,
    /// Whether this `up` made it (false: it was there already).
    pub created: bool,
}

impl VmRow {
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "name": self.name,
            "role": self.role,
            "id": self.id,
            "power_state": if self.powered_on { "poweredOn" } else { "poweredOff" },
            "ip": self.ip,
            "cpus": self.cpus,
            "memory_mb": self.memory_mb,
            "expires": self.expires,
            "created": self.created,
        })
    }
}

fn folder(ctx: &Ctx<'_>) -> Result<ManagedObjectReference, Error> {
    ctx.site.folder.clone().ok_or_else(|| {
        Error::Usage(format!(
            "{}: folder {} does not exist in vCenter",
            ctx.policy.file, ctx.policy.folder
        ))
    })
}

/// The VMs of the build folder, `[]` when the folder does not exist yet.
pub async fn existing(ctx: &Ctx<'_>) -> Result<Vec<Existing>, Error> {
    match &ctx.site.folder {
        Some(f) => Ok(vc::existing(ctx.client, f).await?),
        None => Ok(Vec::new()),
    }
}

fn is_build(l: &Labels, repository: &str, build: &str) -> bool {
    l.repository == repository && l.build == build
}

/// Brings every VM of `plan` to running with an IP address, at most
/// `ctx.concurrency` at a time. Every VM is tried; the errors of all that
/// failed are returned together.
pub async fn up(ctx: &Ctx<'_>, plan: &Plan, found: &[Existing]) -> Result<Vec<VmRow>, Error> {
    let folder = folder(ctx)?;
    let pool = ctx.site.pool.clone().ok_or_else(|| {
        Error::Usage(format!(
            "{}: resource pool {} does not exist in vCenter",
            ctx.policy.file, ctx.policy.resource_pool
        ))
    })?;
    // Each template's hardware once, for the disk and NIC edits of its clones.
    let mut hardware: BTreeMap<String, Vec<AnyVirtualDevice>> = BTreeMap::new();
    for p in &plan.vms {
        if hardware.contains_key(&p.template) || found.iter().any(|e| e.name == p.name) {
            continue;
        }
        let t = template(ctx, &p.template)?;
        let devices = t
            .get(mo::VirtualMachine::CONFIG.hardware().device())
            .await?
            .unwrap_or_default();
        hardware.insert(p.template.clone(), devices);
    }
    let results: Vec<Result<VmRow, Error>> = futures_util::stream::iter(&plan.vms)
        .map(|p| {
            let there = found.iter().find(|e| e.name == p.name).cloned();
            let devices = hardware.get(&p.template).map(Vec::as_slice).unwrap_or(&[]);
            up_one(ctx, plan, p, there, devices, &folder, &pool)
        })
        .buffer_unordered(ctx.concurrency.max(1))
        .collect()
        .await;
    let mut rows = gather(results)?;
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(rows)
}

fn template(ctx: &Ctx<'_>, name: &str) -> Result<mo::VirtualMachine, Error> {
    let r = ctx
        .site
        .template(name)
        .ok_or_else(|| Error::Usage(format!("template {name} does not exist in vCenter")))?;
    Ok(ctx.client.view::<mo::VirtualMachine>(r.clone()))
}

async fn up_one(
    ctx: &Ctx<'_>,
    plan: &Plan,
    p: &PlannedVm,
    there: Option<Existing>,
    devices: &[AnyVirtualDevice],
    folder: &ManagedObjectReference,
    pool: &ManagedObjectReference,
) -> Result<VmRow, Error> {
    let fail = |message: String| Error::Vm {
        vm: p.name.clone(),
        message,
    };
    let (vm, created) = match there {
        Some(e) => (adopt(plan, p, settled(ctx, e).await?).map_err(fail)?, false),
        None => match clone(ctx, plan, p, devices, folder, pool).await {
            Ok(vm) => (vm, true),
            Err(Error::Vmomi(e)) if matches!(e.fault(), Some(AnyMethodFault::DuplicateName(_))) => {
                // A concurrent `up` (or one that was killed) made it first.
                ctx.progress
                    .step(&p.name, "already made by another run; checking its labels");
                let now = vc::existing(ctx.client, folder).await?;
                let e = now.into_iter().find(|e| e.name == p.name).ok_or_else(|| {
                    fail(
                        "vCenter says the name is taken, but no VM of that name is in the folder"
                            .into(),
                    )
                })?;
                (adopt(plan, p, settled(ctx, e).await?).map_err(fail)?, false)
            }
            Err(e) => return Err(e),
        },
    };
    let view = ctx.client.view::<mo::VirtualMachine>(vm.obj.clone());
    // Real vCenter applies CPU and memory in the clone; check, and
    // reconfigure what differs (a VM adopted from an earlier run may not
    // have got that far).
    if vm.cpus != p.cpus || vm.memory_mb != p.memory_mb {
        if vm.powered_on {
            return Err(fail(format!(
                "has {} CPUs and {} MB but the spec asks {} and {}; it is powered on, so vmci leaves it (run `vmci down` to remake the build)",
                vm.cpus, vm.memory_mb, p.cpus, p.memory_mb
            )));
        }
        ctx.progress.step(
            &p.name,
            &format!("reconfiguring to {} CPUs, {} MB", p.cpus, p.memory_mb),
        );
        view.reconfig_vm_task(VirtualMachineConfigSpec {
            num_cp_us: Some(p.cpus as i32),
            memory_mb: Some(p.memory_mb as i64),
            ..Default::default()
        })
        .await?
        .wait()
        .await?;
    }
    if !vm.powered_on {
        ctx.progress.step(&p.name, "powering on");
        let task = view.power_on_vm_task(None).await?;
        if let Err(e) = task.wait().await {
            // Another run powered it on in between: that is the goal.
            if !matches!(e.fault(), Some(AnyMethodFault::InvalidPowerState(_))) {
                return Err(e.into());
            }
        }
    }
    ctx.progress.step(&p.name, "waiting for an IP address");
    let ip = wait_for_ip(&view, ctx.ip_timeout)
        .await
        .map_err(|e| match e {
            Error::Usage(m) => fail(m),
            e => e,
        })?;
    ctx.progress.done(&p.name, &format!("ready {ip}"));
    Ok(VmRow {
        name: p.name.clone(),
        role: p.role.clone(),
        id: vm.obj.value.to_string(),
        powered_on: true,
        ip: Some(ip),
        cpus: p.cpus,
        memory_mb: p.memory_mb,
        expires: vm.labels.as_ref().map_or(0, |(l, _)| l.expires),
        created,
    })
}

/// How long a VM of a planned name may be seen without labels before it is
/// taken for someone else's: another run's clone shows in the folder a moment
/// before its configuration (and so its labels) is in place.
const LABELS_SETTLE: Duration = Duration::from_secs(20);

/// `e` as it is once any clone in progress has finished: re-read, with a
/// growing pause, while it shows no labels, for at most [`LABELS_SETTLE`].
async fn settled(ctx: &Ctx<'_>, mut e: Existing) -> Result<Existing, Error> {
    let start = std::time::Instant::now();
    let mut pause = Duration::from_millis(50);
    while e.labels.is_none() && start.elapsed() < LABELS_SETTLE {
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(2));
        e = match vc::one(ctx.client, &e.obj).await {
            Ok(now) => now,
            // Gone (a clone that failed and was cleaned up): keep what we saw.
            Err(err) if matches!(err.fault(), Some(AnyMethodFault::ManagedObjectNotFound(_))) => {
                return Ok(e);
            }
            Err(err) => return Err(err.into()),
        };
    }
    Ok(e)
}

/// A VM of the planned name is there: it is this build's if its labels say
/// so, and never touched otherwise.
fn adopt(plan: &Plan, p: &PlannedVm, e: Existing) -> Result<Existing, String> {
    match &e.labels {
        Some((l, _)) if is_build(l, &plan.repository, &plan.build) && l.role == p.role => Ok(e),
        Some((l, _)) => Err(format!(
            "a VM of this name belongs to {} build {} role {}; vmci will not touch it",
            l.repository, l.build, l.role
        )),
        None => Err(format!(
            "a VM of this name ({}) exists without vmci's labels; vmci will not touch it: rename it or ask its owner",
            e.obj.value
        )),
    }
}

/// Clones the planned VM, its labels, CPU, memory, disk and network in the
/// clone's own configuration.
async fn clone(
    ctx: &Ctx<'_>,
    plan: &Plan,
    p: &PlannedVm,
    devices: &[AnyVirtualDevice],
    folder: &ManagedObjectReference,
    pool: &ManagedObjectReference,
) -> Result<Existing, Error> {
    let template = template(ctx, &p.template)?;
    let labels = Labels {
        repository: plan.repository.clone(),
        build: plan.build.clone(),
        role: p.role.clone(),
        spec_hash: p.spec_hash.clone(),
        expires: ctx.now + p.lifetime.as_secs() as i64,
    };
    let device_change = device_edits(ctx, p, devices).await?;
    let spec = VirtualMachineCloneSpec {
        location: VirtualMachineRelocateSpec {
            pool: Some(pool.clone()),
            datastore: ctx.site.datastore.clone(),
            // The VM's home (its configuration files) follows its first
            // disk's storage policy, as the vSphere client places it.
            profile: profile_spec(p.disks.first().and_then(|d| d.storage_policy.as_ref())),
            ..Default::default()
        },
        config: Some(VirtualMachineConfigSpec {
            num_cp_us: Some(p.cpus as i32),
            memory_mb: Some(p.memory_mb as i64),
            // For people in the vSphere client; vmci itself reads extraConfig.
            annotation: Some(format!(
                "Build VM made by vmci: repository {}, build {}, role {}, spec {}, expires {} (Unix time). `vmci down` or `vmci reap` destroys it.",
                plan.repository, plan.build, p.role, p.spec_hash, labels.expires
            ).into()),
            extra_config: labels::encode(&labels, ctx.now),
            device_change,
            ..Default::default()
        }),
        ..Default::default()
    };
    let task = template
        .clone_vm_task(folder.clone(), p.name.clone(), spec)
        .await?;
    ctx.progress.step(
        &p.name,
        &format!("cloning from {} ({})", p.template, task.reference().value),
    );
    let info = task.wait().await?;
    let Some(Any::ManagedObjectReference(obj)) = info.result else {
        return Err(Error::Vm {
            vm: p.name.clone(),
            message: "the clone task succeeded without naming the new VM".into(),
        });
    };
    // What the clone made, as vCenter reports it (the simulator, unlike
    // vCenter, keeps the template's CPU and memory).
    Ok(vc::one(ctx.client, &obj).await?)
}

/// The first disk grown to the asked size and the first NIC moved to the
/// asked network, as edits of the template's devices.
async fn device_edits(
    ctx: &Ctx<'_>,
    p: &PlannedVm,
    devices: &[AnyVirtualDevice],
) -> Result<Vec<vmomi::types::AnyVirtualDeviceConfigSpec>, Error> {
    let (_, nic) = vc::first_disk_and_nic(devices);
    let edit = |device: AnyVirtualDevice, profile: Vec<AnyVirtualMachineProfileSpec>| {
        VirtualDeviceConfigSpec {
            operation: Some(VirtualDeviceConfigSpecOperation::Edit),
            device,
            profile,
            ..Default::default()
        }
        .into()
    };
    let disks: Vec<&AnyVirtualDevice> = devices
        .iter()
        .filter(|d| matches!(d, AnyVirtualDevice::VirtualDisk(_)))
        .collect();
    if p.disks.len() > disks.len() {
        return Err(Error::Vm {
            vm: p.name.clone(),
            message: format!(
                "the spec speaks of {} disks; template {} has {}",
                p.disks.len(),
                p.template,
                disks.len()
            ),
        });
    }
    let mut out = Vec::new();
    for (i, (want, disk)) in p.disks.iter().zip(disks).enumerate() {
        let AnyVirtualDevice::VirtualDisk(d) = disk else {
            continue;
        };
        let mut d = d.clone();
        let mut changed = false;
        if let Some(want_mb) = want.size_mb {
            let want_kb = want_mb as i64 * 1024;
            if d.capacity_in_kb < want_kb {
                d.capacity_in_kb = want_kb;
                d.capacity_in_bytes = Some(want_kb * 1024);
                changed = true;
            } else if d.capacity_in_kb > want_kb {
                ctx.progress.step(
                    &p.name,
                    &format!(
                        "the template's disk {} is {} MB, larger than the {} MB asked; keeping it (disks only grow)",
                        i + 1,
                        d.capacity_in_kb / 1024,
                        want_mb
                    ),
                );
            }
        }
        let profile = profile_spec(want.storage_policy.as_ref());
        if changed || !profile.is_empty() {
            out.push(edit(AnyVirtualDevice::VirtualDisk(d), profile));
        }
    }
    if let (Some(net), Some(mut card)) = (&p.network, nic) {
        let network = ctx
            .site
            .network(net)
            .ok_or_else(|| Error::Usage(format!("network {net} does not exist in vCenter")))?;
        card.as_base_mut().backing = Some(if network.r#type == "DistributedVirtualPortgroup" {
            let pg = ctx
                .client
                .view::<mo::DistributedVirtualPortgroup>(network.clone());
            let key = pg.get(mo::DistributedVirtualPortgroup::KEY).await?;
            let dvs = pg
                .get(mo::DistributedVirtualPortgroup::CONFIG.distributed_virtual_switch())
                .await?;
            let uuid = match dvs {
                Some(dvs) => {
                    ctx.client
                        .view::<mo::DistributedVirtualSwitch>(dvs)
                        .get(mo::DistributedVirtualSwitch::UUID)
                        .await?
                }
                None => None,
            };
            let mut b = VirtualEthernetCardDistributedVirtualPortBackingInfo::default();
            b.port.switch_uuid = uuid.unwrap_or_default();
            b.port.portgroup_key = key;
            b.into()
        } else {
            let mut b = VirtualEthernetCardNetworkBackingInfo::default();
            b.base.device_name = net.as_str().into();
            b.network = Some(network.clone());
            b.into()
        });
        out.push(edit(card, Vec::new()));
    }
    Ok(out)
}

/// The profile spec that places storage by a PBM storage policy
/// (`VirtualMachineDefinedProfileSpec`), or none.
fn profile_spec(policy: Option<&(String, String)>) -> Vec<AnyVirtualMachineProfileSpec> {
    policy
        .map(|(_, id)| {
            VirtualMachineDefinedProfileSpec {
                profile_id: id.as_str().into(),
                ..Default::default()
            }
            .into()
        })
        .into_iter()
        .collect()
}

/// Waits until the VM reports an IP address (a watch on `guest.ipAddress`).
async fn wait_for_ip(vm: &mo::VirtualMachine, limit: Duration) -> Result<String, Error> {
    let path = mo::VirtualMachine::GUEST.ip_address();
    let wait = async {
        let mut changes = vm.watch([path]).await?;
        while let Some(change) = changes.next().await {
            if let Some(ip) = change?.get(path)?.filter(|ip| !ip.is_empty()) {
                return Ok(ip.into());
            }
        }
        Err(Error::Usage("the watch of its IP address ended".into()))
    };
    match tokio::time::timeout(limit, wait).await {
        Ok(r) => r,
        Err(_) => Err(Error::Usage(format!(
            "no IP address after {} s (is VMware Tools running in the template?)",
            limit.as_secs()
        ))),
    }
}

/// Powers off and destroys `vms`, at most `ctx.concurrency` at a time;
/// returns the names destroyed.
pub async fn destroy(ctx: &Ctx<'_>, vms: Vec<Existing>) -> Result<Vec<String>, Error> {
    let results: Vec<Result<String, Error>> = futures_util::stream::iter(vms)
        .map(|e| async move {
            debug_assert!(e.labels.is_some(), "only labelled VMs are destroyed");
            let view = ctx.client.view::<mo::VirtualMachine>(e.obj.clone());
            if e.powered_on {
                ctx.progress.step(&e.name, "powering off");
                if let Err(err) = view.power_off_vm_task().await?.wait().await
                    && !matches!(err.fault(), Some(AnyMethodFault::InvalidPowerState(_)))
                {
                    return Err(err.into());
                }
            }
            ctx.progress.step(&e.name, "destroying");
            match view.destroy_task().await?.wait().await {
                Ok(_) => {}
                // Gone already (a concurrent down): that is the goal.
                Err(err)
                    if matches!(err.fault(), Some(AnyMethodFault::ManagedObjectNotFound(_))) => {}
                Err(err) => return Err(err.into()),
            }
            ctx.progress.done(&e.name, "destroyed");
            Ok(e.name)
        })
        .buffer_unordered(ctx.concurrency.max(1))
        .collect()
        .await;
    let mut names = gather(results)?;
    names.sort();
    Ok(names)
}

/// Every VM's result: the values when all succeeded, else every error (one
/// alone as itself).
fn gather<T>(results: Vec<Result<T, Error>>) -> Result<Vec<T>, Error> {
    let mut values = Vec::new();
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(v) => values.push(v),
            Err(e) => errors.push(e),
        }
    }
    match errors.len() {
        0 => Ok(values),
        1 => Err(errors.remove(0)),
        _ => Err(Error::Several(errors)),
    }
}

/// This build's VMs (labelled ones only).
pub fn of_build(found: Vec<Existing>, repository: &str, build: &str) -> Vec<Existing> {
    found
        .into_iter()
        .filter(|e| matches!(&e.labels, Some((l, _)) if is_build(l, repository, build)))
        .collect()
}

/// Labelled VMs whose lifetime is over at `now`, of every repository.
pub fn expired(found: Vec<Existing>, now: i64) -> Vec<Existing> {
    found
        .into_iter()
        .filter(|e| matches!(&e.labels, Some((l, _)) if l.expires <= now))
        .collect()
}

/// Rows for `status`.
pub fn rows(found: &[Existing]) -> Vec<VmRow> {
    found
        .iter()
        .filter_map(|e| {
            let (l, _) = e.labels.as_ref()?;
            Some(VmRow {
                name: e.name.clone(),
                role: l.role.clone(),
                id: e.obj.value.to_string(),
                powered_on: e.powered_on,
                ip: e.ip.clone(),
                cpus: e.cpus,
                memory_mb: e.memory_mb,
                expires: l.expires,
                created: false,
            })
        })
        .collect()
}

/// The prefix of the user events that record refusals.
pub const REFUSAL_EVENT: &str = "vmci refused ";

/// What a refusal record says (the event's message after the prefix).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RefusalRecord {
    pub repository: String,
    pub build: String,
    /// `plan` or `up`.
    pub command: String,
    pub rules: Vec<String>,
    pub vms: u64,
    pub cpus: u64,
    pub memory_mb: u64,
}

impl RefusalRecord {
    pub fn new(refusal: &Refusal, spec: &crate::model::Spec, build: &str, command: &str) -> Self {
        let mut rules: Vec<String> = refusal.reasons.iter().map(|r| r.rule.clone()).collect();
        rules.sort();
        rules.dedup();
        Self {
            repository: refusal.repository.clone(),
            build: build.to_string(),
            command: command.to_string(),
            rules,
            // In u64 and saturating: a spec may ask absurd amounts.
            vms: sum(spec.vms.iter().map(|v| u64::from(v.count))),
            cpus: sum(spec
                .vms
                .iter()
                .map(|v| u64::from(v.count).saturating_mul(u64::from(v.cpus)))),
            memory_mb: sum(spec
                .vms
                .iter()
                .map(|v| u64::from(v.count).saturating_mul(v.memory_mb))),
        }
    }
}

fn sum(values: impl Iterator<Item = u64>) -> u64 {
    values.fold(0, u64::saturating_add)
}

/// Leaves the refusal in vCenter: a user event on the build folder's
/// datacenter (and the folder, when it exists), which `report` sums.
pub async fn record_refusal(ctx: &Ctx<'_>, record: &RefusalRecord) -> Result<(), Error> {
    let Some(manager) = ctx.client.service_content().event_manager.clone() else {
        return Err(vmomi::Error::ServerData {
            what: "EventManager (ServiceContent.eventManager) to record a refusal".into(),
        }
        .into());
    };
    let json = serde_json::to_string(record).unwrap_or_default();
    let mut event = GeneralUserEvent::default();
    event.base.message = format!("{REFUSAL_EVENT}{json}").into();
    if let Some(dc) = &ctx.site.datacenter {
        event.base.base.datacenter = Some(DatacenterEventArgument {
            base: EntityEventArgument {
                name: ctx.site.datacenter_name.as_str().into(),
                ..Default::default()
            },
            datacenter: dc.clone(),
        });
    }
    if let Some(f) = &ctx.site.folder {
        event.entity = Some(ManagedEntityEventArgument {
            base: EntityEventArgument {
                name: ctx.policy.folder.as_str().into(),
                ..Default::default()
            },
            entity: f.clone(),
        });
    }
    ctx.client
        .view::<mo::EventManager>(manager)
        .post_event(AnyEvent::from(event), None)
        .await?;
    Ok(())
}

/// One repository in `report`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RepoReport {
    pub repository: String,
    pub vms: u32,
    pub cpus: u64,
    pub memory_mb: u64,
    pub storage_bytes: u64,
    /// Age of the oldest VM, in seconds.
    pub oldest_age: i64,
    /// Refused plans and ups.
    pub refused: u32,
    /// Refusals per rule.
    pub refused_by_rule: BTreeMap<String, u32>,
    /// What the refused requests asked in all.
    pub refused_vms: u64,
    pub refused_cpus: u64,
    pub refused_memory_mb: u64,
}

impl RepoReport {
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "repository": self.repository,
            "vms": self.vms,
            "cpus": self.cpus,
            "memory_mb": self.memory_mb,
            "storage_bytes": self.storage_bytes,
            "oldest_age_seconds": self.oldest_age,
            "refused": self.refused,
            "refused_by_rule": self.refused_by_rule,
            "refused_asked": {
                "vms": self.refused_vms,
                "cpus": self.refused_cpus,
                "memory_mb": self.refused_memory_mb,
            },
        })
    }
}

/// Build VMs per repository, and the refusals recorded in vCenter.
pub async fn report(ctx: &Ctx<'_>, found: &[Existing]) -> Result<Vec<RepoReport>, Error> {
    let mut by_repo: BTreeMap<String, RepoReport> = BTreeMap::new();
    for e in found {
        let Some((l, created)) = &e.labels else {
            continue;
        };
        let r = by_repo.entry(l.repository.clone()).or_default();
        r.vms += 1;
        r.cpus += u64::from(e.cpus);
        r.memory_mb += e.memory_mb;
        r.storage_bytes += e.storage;
        r.oldest_age = r.oldest_age.max(ctx.now - created);
    }
    if let Some(dc) = &ctx.site.datacenter {
        let events = ctx
            .client
            .view::<mo::Datacenter>(dc.clone())
            .events(vmomi::event::EventQuery::new().of_types(["GeneralUserEvent"]))
            .await?;
        for ev in events {
            let AnyEvent::GeneralUserEvent(ev) = ev else {
                continue;
            };
            let Some(json) = ev.base.message.strip_prefix(REFUSAL_EVENT) else {
                continue;
            };
            // Another tool's event that happens to start the same way is not ours.
            let Ok(rec) = serde_json::from_str::<RefusalRecord>(json) else {
                continue;
            };
            let r = by_repo.entry(rec.repository.clone()).or_default();
            r.refused += 1;
            for rule in rec.rules {
                *r.refused_by_rule.entry(rule).or_default() += 1;
            }
            r.refused_vms += rec.vms;
            r.refused_cpus += rec.cpus;
            r.refused_memory_mb += rec.memory_mb;
        }
    }
    Ok(by_repo
        .into_iter()
        .map(|(repository, mut r)| {
            r.repository = repository;
            r
        })
        .collect())
}
