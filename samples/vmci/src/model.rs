//! What the spec asks, what the policy allows, what the inventory holds, and
//! what `vmci` decides: the types shared by the parsers (`spec`, `policy`),
//! the judge (`judge`) and the code that talks to vCenter.

use std::time::Duration;

/// A place in a YAML file, for errors: 1-based line and column.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Place {
    /// The file as the user named it (or as it was found).
    pub file: String,
    pub line: usize,
    pub column: usize,
}

/// `file:line:column`; a place at line 0 (the file as a whole: it cannot be
/// read, or the error has no position) shows as `file` alone.
impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.file)
        } else {
            write!(f, "{}:{}:{}", self.file, self.line, self.column)
        }
    }
}

/// The developer's request (`.vsphere-ci.yml`), validated.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    /// Where the spec was read from.
    pub file: String,
    /// The repository the build VMs belong to (`acme/widget`).
    pub repository: String,
    /// The groups of VMs, in the spec's order; roles are unique.
    pub vms: Vec<VmRequest>,
}

/// One group of identical build VMs.
#[derive(Clone, Debug, PartialEq)]
pub struct VmRequest {
    /// The group's name (`builder`), part of each VM's name.
    pub role: String,
    /// Where `role` is in the spec, for the judge's reasons.
    pub place: Place,
    pub template: String,
    pub count: u32,
    pub cpus: u32,
    pub memory_mb: u64,
    /// The template's disks, in device order, as far as the spec speaks of
    /// them (`disk: 40GiB` is the first disk's size); empty keeps them all.
    pub disks: Vec<DiskRequest>,
    /// The network (or port group) of the first NIC; `None` keeps the template's.
    pub network: Option<String>,
    /// `None` takes the policy's default.
    pub lifetime: Option<Duration>,
}

/// What the spec asks of one of the template's disks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DiskRequest {
    /// Where in the spec, for the judge's reasons.
    pub place: Place,
    /// Grow the disk to this size; `None` keeps the template's.
    pub size_mb: Option<u64>,
    /// The storage policy (PBM profile) the disk is placed by, by name;
    /// `None` keeps the template's.
    pub storage_policy: Option<String>,
}

impl VmRequest {
    /// The size asked of the first disk, if any.
    pub fn first_disk_mb(&self) -> Option<u64> {
        self.disks.first().and_then(|d| d.size_mb)
    }
}

/// The operator's policy, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub file: String,
    /// Inventory path of the folder build VMs are created in (`/DC0/vm/ci`).
    pub folder: String,
    /// Inventory path of the resource pool (`/DC0/host/DC0_C0/Resources`).
    pub resource_pool: String,
    /// The datastore clones are placed on; `None` keeps the template's.
    pub datastore: Option<String>,
    /// Templates a spec may name.
    pub templates: Vec<String>,
    /// Networks a spec may name.
    pub networks: Vec<String>,
    /// Storage policies a spec may name (none when the policy lists none).
    pub storage_policies: Vec<String>,
    /// Per VM and per build.
    pub limits: Limits,
    /// Per repository, counting what already runs; `overrides` first.
    pub quota: Quota,
    /// Repository name to its own quota.
    pub overrides: Vec<(String, Quota)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    pub cpus: u32,
    pub memory_mb: u64,
    pub disk_mb: u64,
    /// VMs in one build.
    pub count: u32,
    pub max_lifetime: Duration,
    pub default_lifetime: Duration,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Quota {
    pub vms: u32,
    pub cpus: u32,
    pub memory_mb: u64,
}

/// What the inventory holds that the judge needs, read from vCenter.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facts {
    /// Names of the templates (VMs marked as templates, or any VM) that exist.
    pub templates: Vec<String>,
    pub networks: Vec<String>,
    pub datastores: Vec<String>,
    pub folder_exists: bool,
    pub resource_pool_exists: bool,
    /// Each storage policy the spec names, with each template it is asked
    /// with: what PBM says (read only when the spec names one).
    pub storage: Vec<StorageFact>,
    /// Build VMs of the spec's repository that exist now, other builds
    /// included (this build's own are in it too: the judge leaves them out
    /// of the quota, since `up` would not make them again).
    pub running: Vec<BuildVm>,
}

/// A storage policy as PBM knows it, for the clones of one template.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StorageFact {
    /// The policy's name, as the spec gives it.
    pub policy: String,
    pub template: String,
    /// PBM's profile id; `None` when vCenter has no storage policy of that name.
    pub id: Option<String>,
    /// The datastore the template's clones go to (the policy's, or the
    /// template's own), by name; `None` when there is none to ask about (no
    /// such template).
    pub datastore: Option<String>,
    /// PBM's reason when the policy cannot place disks there
    /// (`PbmCheckCompatibility`); `None` when it can.
    pub incompatible: Option<String>,
}

/// A VM that `vmci` made, as its labels and configuration say.
#[derive(Clone, Debug, PartialEq)]
pub struct BuildVm {
    pub name: String,
    pub labels: Labels,
    pub cpus: u32,
    pub memory_mb: u64,
}

/// What `vmci` writes on every VM it makes (in `config.extraConfig`, set in
/// the clone itself so no VM exists without them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Labels {
    pub repository: String,
    pub build: String,
    pub role: String,
    /// A digest of the VM's request, so `plan` sees a changed spec.
    pub spec_hash: String,
    /// Seconds since the Unix epoch.
    pub expires: i64,
}

/// What `up` would do: every VM of the build, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub repository: String,
    pub build: String,
    pub vms: Vec<PlannedVm>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PlannedVm {
    /// Deterministic: `vmci-<repository>-<build>-<role>-<n>`, sanitized.
    pub name: String,
    pub role: String,
    pub template: String,
    pub cpus: u32,
    pub memory_mb: u64,
    pub disks: Vec<PlannedDisk>,
    pub network: Option<String>,
    pub lifetime: Duration,
    pub spec_hash: String,
    /// True when a VM of this name with this build's labels exists.
    pub exists: bool,
}

/// One of the template's disks as `up` sets it.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedDisk {
    /// Grow it to this size; `None` keeps the template's.
    pub size_mb: Option<u64>,
    /// The storage policy: name and PBM profile id.
    pub storage_policy: Option<(String, String)>,
}

impl PlannedVm {
    /// The size asked of the first disk, if any.
    pub fn first_disk_mb(&self) -> Option<u64> {
        self.disks.first().and_then(|d| d.size_mb)
    }
}

/// Why a request cannot be served: every reason, and what the policy offers.
#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    pub repository: String,
    /// The build that was judged.
    pub build: String,
    pub reasons: Vec<Reason>,
    pub offer: Offer,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Reason {
    /// The policy's rule, stable for reports: `template`, `network`,
    /// `datastore`, `folder`, `resource_pool`, `cpus`, `memory`, `disk`,
    /// `storage_policy`, `storage_policy.datastore`, `count`, `lifetime`,
    /// `quota.vms`, `quota.cpus`, `quota.memory`;
    /// and `name`: a VM of the planned name exists with other labels.
    pub rule: String,
    /// The group's role, when the reason is about one group.
    pub role: Option<String>,
    /// Where in the spec (role's place), when the reason is about one group.
    pub place: Option<Place>,
    /// One sentence naming the value asked and the limit.
    pub message: String,
}

/// What the policy offers, to show beside a refusal.
#[derive(Clone, Debug, PartialEq)]
pub struct Offer {
    pub templates: Vec<String>,
    pub networks: Vec<String>,
    pub storage_policies: Vec<String>,
    pub limits: Limits,
    pub quota: Quota,
    /// What this repository still has of its quota now.
    pub remaining: Quota,
}

/// A spec or policy that cannot be read: where, which field, what is wrong.
///
/// Shown as `file:line:column: field: message`; without the field when it is
/// empty (the file as a whole), and without line and column when `line` is 0
/// (the file cannot be read).
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigError {
    pub place: Place,
    /// The field's path in the document (`vms[1].memory`, `limits.cpus`);
    /// indexes count from 0. For a YAML syntax error, the field of the line
    /// the parser stopped at, judged by indentation; `(document)` when none.
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}: {}", self.place, self.message)
        } else {
            write!(f, "{}: {}: {}", self.place, self.field, self.message)
        }
    }
}

impl std::error::Error for ConfigError {}
