//! The spec judged against the policy and the live inventory.
//!
//! [`judge`] checks every rule and collects every reason a request cannot be
//! served, never stopping at the first: the developer fixes the spec once,
//! not once per reason. The rules, by their stable names (`Reason::rule`):
//!
//! | rule | refuses when |
//! |---|---|
//! | `folder`, `resource_pool` | the policy's folder or resource pool is not in vCenter |
//! | `datastore` | the policy names a datastore vCenter does not have |
//! | `template` | a group's template is not in the policy's list, or not in vCenter |
//! | `network` | a group's network is not in the policy's list, or not in vCenter |
//! | `cpus`, `memory`, `disk` | a group's VMs are larger than `limits` allows per VM (`disk`: any disk) |
//! | `storage_policy` | a disk's storage policy is not in the policy's list, or not in vCenter |
//! | `storage_policy.datastore` | a disk's storage policy cannot place it on the datastore the clones go to (PBM's `PbmCheckCompatibility` says why) |
//! | `lifetime` | a group's lifetime (or the default) is longer than `limits.lifetime` |
//! | `name` | a VM of a planned name exists with other labels (not this build's) |
//! | `count` | the build asks more VMs in all than `limits.count` |
//! | `quota.vms`, `quota.cpus`, `quota.memory` | the repository's VMs of other builds plus this build's would exceed its quota |
//!
//! Names ([`vm_name`]) and digests ([`spec_hash`]) are pure functions of
//! their inputs, so every runner computes the same ones.

use crate::model::{
    Facts, Offer, Place, Plan, PlannedDisk, PlannedVm, Policy, Quota, Reason, Refusal, Spec,
    StorageFact, VmRequest,
};
use crate::spec::{format_duration, format_size, printable};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::fmt;
use std::time::Duration;

/// The longest VM name [`vm_name`] makes: 63, a DNS label's limit, so the
/// name can serve as the guest's host name too (vSphere allows 80).
pub const MAX_NAME_LEN: usize = 63;

/// What `up` would do for `build`, or every reason it cannot.
// A refusal is an answer, not a failure on a hot path: returned once per
// command, it stays unboxed so callers match on it plainly.
#[allow(clippy::result_large_err)]
pub fn judge(spec: &Spec, policy: &Policy, facts: &Facts, build: &str) -> Result<Plan, Refusal> {
    let mut reasons = Vec::new();
    let mut refuse = |rule: &str, req: Option<&VmRequest>, message: String| {
        reasons.push(Reason {
            rule: rule.to_string(),
            role: req.map(|r| r.role.clone()),
            place: req.map(|r| r.place.clone()),
            message,
        });
    };
    let limits = &policy.limits;

    // Where the VMs would go: the operator's side.
    if !facts.folder_exists {
        refuse(
            "folder",
            None,
            format!(
                "the policy's folder {} does not exist in vCenter ({})",
                printable(&policy.folder),
                printable(&policy.file)
            ),
        );
    }
    if !facts.resource_pool_exists {
        refuse(
            "resource_pool",
            None,
            format!(
                "the policy's resource pool {} does not exist in vCenter ({})",
                printable(&policy.resource_pool),
                printable(&policy.file)
            ),
        );
    }
    if let Some(ds) = &policy.datastore
        && !facts.datastores.contains(ds)
    {
        refuse(
            "datastore",
            None,
            format!(
                "the policy's datastore {} does not exist in vCenter ({})",
                printable(ds),
                printable(&policy.file)
            ),
        );
    }

    // Each group.
    for req in &spec.vms {
        let role = printable(&req.role);
        let template = printable(&req.template);
        if !policy.templates.contains(&req.template) {
            refuse(
                "template",
                Some(req),
                format!(
                    "{role} asks for template {template}, which the policy does not allow (it allows {})",
                    list(&policy.templates)
                ),
            );
        } else if !facts.templates.contains(&req.template) {
            refuse(
                "template",
                Some(req),
                format!(
                    "{role} asks for template {template}, which the policy allows but vCenter does not have"
                ),
            );
        }
        if let Some(net) = &req.network {
            let net_shown = printable(net);
            if !policy.networks.contains(net) {
                refuse(
                    "network",
                    Some(req),
                    if policy.networks.is_empty() {
                        format!(
                            "{role} asks for network {net_shown}; the policy allows none (leave `network` out to keep the template's)"
                        )
                    } else {
                        format!(
                            "{role} asks for network {net_shown}, which the policy does not allow (it allows {})",
                            list(&policy.networks)
                        )
                    },
                );
            } else if !facts.networks.contains(net) {
                refuse(
                    "network",
                    Some(req),
                    format!(
                        "{role} asks for network {net_shown}, which the policy allows but vCenter does not have"
                    ),
                );
            }
        }
        if req.cpus > limits.cpus {
            refuse(
                "cpus",
                Some(req),
                format!(
                    "{role} asks {} per VM; the policy allows at most {}",
                    plural(u64::from(req.cpus), "CPU"),
                    limits.cpus
                ),
            );
        }
        if req.memory_mb > limits.memory_mb {
            refuse(
                "memory",
                Some(req),
                format!(
                    "{role} asks {} of memory per VM; the policy allows at most {}",
                    format_size(req.memory_mb),
                    format_size(limits.memory_mb)
                ),
            );
        }
        if let Some(disk) = req.disks.iter().filter_map(|d| d.size_mb).max()
            && disk > limits.disk_mb
        {
            refuse(
                "disk",
                Some(req),
                format!(
                    "{role} asks a {} disk per VM; the policy allows at most {}",
                    format_size(disk),
                    format_size(limits.disk_mb)
                ),
            );
        }
        let lifetime = lifetime_of(req, policy);
        if lifetime > limits.max_lifetime {
            let asked = match req.lifetime {
                Some(_) => format!("asks a lifetime of {}", format_duration(lifetime)),
                None => format!(
                    "takes the default lifetime of {}",
                    format_duration(lifetime)
                ),
            };
            refuse(
                "lifetime",
                Some(req),
                format!(
                    "{role} {asked}; the policy allows at most {}",
                    format_duration(limits.max_lifetime)
                ),
            );
        }
        // A name held by a VM of another build (or role): only when names
        // of different inputs meet after sanitizing (`pr/7` and `pr-7`).
        // Looked at for a reasonable count only; `count` refuses the rest.
        if req.count <= limits.count {
            for n in 1..=req.count {
                let name = vm_name(&spec.repository, build, &req.role, n);
                if let Some(other) = facts
                    .running
                    .iter()
                    .find(|vm| vm.name == name && !is_ours(vm, spec, build, &req.role))
                {
                    let owner = if other.labels.repository == spec.repository {
                        String::new()
                    } else {
                        format!("repository {} ", printable(&other.labels.repository))
                    };
                    refuse(
                        "name",
                        Some(req),
                        format!(
                            "{role}'s VM {name} would take the name of a VM of {owner}build {} role {}; \
                             vmci leaves that VM alone: use another build name",
                            printable(&other.labels.build),
                            printable(&other.labels.role)
                        ),
                    );
                }
            }
        }
    }

    // The build as a whole.
    let asked_vms: u64 = spec.vms.iter().map(|r| u64::from(r.count)).sum();
    if asked_vms > u64::from(limits.count) {
        let groups: Vec<String> = spec
            .vms
            .iter()
            .map(|r| format!("{} {}", printable(&r.role), r.count))
            .collect();
        refuse(
            "count",
            None,
            format!(
                "build {} asks {} in all ({}); the policy allows at most {} per build",
                printable(build),
                plural(asked_vms, "VM"),
                groups.join(", "),
                limits.count
            ),
        );
    }

    // The repository's quota: other builds' VMs plus all of this build's.
    let quota = quota_of(&spec.repository, policy).clone();
    let (used_vms, used_cpus, used_mb) = facts
        .running
        .iter()
        .filter(|vm| vm.labels.repository == spec.repository && vm.labels.build != build)
        .fold((0u64, 0u64, 0u64), |(v, c, m), vm| {
            (
                v.saturating_add(1),
                c.saturating_add(u64::from(vm.cpus)),
                m.saturating_add(vm.memory_mb),
            )
        });
    let asked_cpus: u64 = spec
        .vms
        .iter()
        .map(|r| u64::from(r.count) * u64::from(r.cpus))
        .fold(0, u64::saturating_add);
    let asked_mb: u64 = spec
        .vms
        .iter()
        .map(|r| u64::from(r.count).saturating_mul(r.memory_mb))
        .fold(0, u64::saturating_add);
    let repo = printable(&spec.repository);
    let build_shown = printable(build);
    if used_vms.saturating_add(asked_vms) > u64::from(quota.vms) {
        refuse(
            "quota.vms",
            None,
            format!(
                "{repo} has {} in other builds and build {build_shown} asks {}; its quota is {}",
                plural(used_vms, "VM"),
                asked_vms,
                plural(u64::from(quota.vms), "VM")
            ),
        );
    }
    if used_cpus.saturating_add(asked_cpus) > u64::from(quota.cpus) {
        refuse(
            "quota.cpus",
            None,
            format!(
                "{repo} has {} in other builds and build {build_shown} asks {}; its quota is {}",
                plural(used_cpus, "CPU"),
                asked_cpus,
                plural(u64::from(quota.cpus), "CPU")
            ),
        );
    }
    if used_mb.saturating_add(asked_mb) > quota.memory_mb {
        refuse(
            "quota.memory",
            None,
            format!(
                "{repo} has {} of memory in other builds and build {build_shown} asks {}; its quota is {}",
                format_size(used_mb),
                format_size(asked_mb),
                format_size(quota.memory_mb)
            ),
        );
    }

    // Storage policies, disk by disk: allowed by the policy, known to
    // vCenter, and able to place the disk where the clones go.
    for req in &spec.vms {
        let role = printable(&req.role);
        for (i, disk) in req.disks.iter().enumerate() {
            let Some(name) = &disk.storage_policy else {
                continue;
            };
            let asked = format!(
                "{role}'s disk {} asks for storage policy {}",
                i + 1,
                printable(name)
            );
            let mut push = |rule: &str, message: String| {
                reasons.push(Reason {
                    rule: rule.to_string(),
                    role: Some(req.role.clone()),
                    place: Some(disk.place.clone()),
                    message,
                })
            };
            if !policy.storage_policies.contains(name) {
                push(
                    "storage_policy",
                    if policy.storage_policies.is_empty() {
                        format!(
                            "{asked}; the policy allows none (leave `storage_policy` out to keep the template's)"
                        )
                    } else {
                        format!(
                            "{asked}, which the policy does not allow (it allows {})",
                            list(&policy.storage_policies)
                        )
                    },
                );
                continue;
            }
            let fact = storage_fact(facts, name, &req.template);
            match fact {
                None | Some(StorageFact { id: None, .. }) => push(
                    "storage_policy",
                    format!("{asked}, which the policy allows but vCenter does not have"),
                ),
                Some(StorageFact {
                    datastore: Some(ds),
                    incompatible: Some(why),
                    ..
                }) => push(
                    "storage_policy.datastore",
                    format!(
                        "{asked}, which cannot place it on datastore {}: {}",
                        printable(ds),
                        printable(why)
                    ),
                ),
                Some(_) => {}
            }
        }
    }

    if !reasons.is_empty() {
        let remaining = Quota {
            vms: u32::try_from(u64::from(quota.vms).saturating_sub(used_vms)).unwrap_or(0),
            cpus: u32::try_from(u64::from(quota.cpus).saturating_sub(used_cpus)).unwrap_or(0),
            memory_mb: quota.memory_mb.saturating_sub(used_mb),
        };
        return Err(Refusal {
            repository: spec.repository.clone(),
            build: build.to_string(),
            reasons,
            offer: Offer {
                templates: policy.templates.clone(),
                networks: policy.networks.clone(),
                storage_policies: policy.storage_policies.clone(),
                limits: policy.limits.clone(),
                quota,
                remaining,
            },
        });
    }

    let mut vms = Vec::new();
    for req in &spec.vms {
        let lifetime = lifetime_of(req, policy);
        let hash = spec_hash(req, lifetime);
        for n in 1..=req.count {
            let name = vm_name(&spec.repository, build, &req.role, n);
            let exists = facts
                .running
                .iter()
                .any(|vm| vm.name == name && is_ours(vm, spec, build, &req.role));
            vms.push(PlannedVm {
                name,
                role: req.role.clone(),
                template: req.template.clone(),
                cpus: req.cpus,
                memory_mb: req.memory_mb,
                disks: req
                    .disks
                    .iter()
                    .map(|d| PlannedDisk {
                        size_mb: d.size_mb,
                        storage_policy: d.storage_policy.as_ref().and_then(|name| {
                            storage_fact(facts, name, &req.template)
                                .and_then(|f| f.id.clone())
                                .map(|id| (name.clone(), id))
                        }),
                    })
                    .collect(),
                network: req.network.clone(),
                lifetime,
                spec_hash: hash.clone(),
                exists,
            });
        }
    }
    Ok(Plan {
        repository: spec.repository.clone(),
        build: build.to_string(),
        vms,
    })
}

/// What PBM said of storage policy `name` for the clones of `template`.
fn storage_fact<'f>(facts: &'f Facts, name: &str, template: &str) -> Option<&'f StorageFact> {
    facts
        .storage
        .iter()
        .find(|f| f.policy == name && f.template == template)
}

/// The quota that applies to `repository`: its override, else the policy's.
pub fn quota_of<'p>(repository: &str, policy: &'p Policy) -> &'p Quota {
    policy
        .overrides
        .iter()
        .find(|(r, _)| r == repository)
        .map_or(&policy.quota, |(_, q)| q)
}

/// A group's lifetime: its own, else the policy's default.
pub fn lifetime_of(req: &VmRequest, policy: &Policy) -> Duration {
    req.lifetime.unwrap_or(policy.limits.default_lifetime)
}

fn is_ours(vm: &crate::model::BuildVm, spec: &Spec, build: &str, role: &str) -> bool {
    vm.labels.repository == spec.repository && vm.labels.build == build && vm.labels.role == role
}

/// The name of VM `n` (from 1) of a group: `vmci-<repository>-<build>-<role>-<n>`,
/// each part lowercased, every run of characters other than `a-z` and `0-9`
/// made one `-` (`acme/widget` gives `acme-widget`), at most
/// [`MAX_NAME_LEN`] characters.
///
/// When that is too long, or a part is left empty, the name is shortened
/// deterministically: `vmci-<repository>-<build>` cut to fit, then
/// `-<role, at most 20>-<n>-<h>`, where `<h>` is 10 hex digits (40 bits) of
/// SHA-256 over the four inputs as given, so different inputs keep different
/// names even when their readable parts are cut the same.
pub fn vm_name(repository: &str, build: &str, role: &str, n: u32) -> String {
    let (r, b, ro) = (slug(repository), slug(build), slug(role));
    if !r.is_empty() && !b.is_empty() && !ro.is_empty() {
        let name = format!("vmci-{r}-{b}-{ro}-{n}");
        if name.len() <= MAX_NAME_LEN {
            return name;
        }
    }
    let n_text = n.to_string();
    let hash = digest(&[repository, build, role, &n_text], 10);
    let ro = cut(&ro, 20);
    let tail = if ro.is_empty() {
        format!("-{n}-{hash}")
    } else {
        format!("-{ro}-{n}-{hash}")
    };
    let head: Vec<&str> = ["vmci", &r, &b]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect();
    let head = head.join("-");
    format!("{}{tail}", cut(&head, MAX_NAME_LEN - tail.len()))
}

/// Lowercase ASCII letters and digits, every other run one `-`, none at the ends.
fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        let ch = ch.to_ascii_lowercase();
        if ch.is_ascii_lowercase() || ch.is_ascii_digit() {
            out.push(ch);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// The first `max` characters of an ASCII slug, without a `-` at the end.
fn cut(s: &str, max: usize) -> &str {
    s.get(..max.min(s.len())).unwrap_or(s).trim_end_matches('-')
}

/// `hex_len` hex digits of SHA-256 over `parts`, each prefixed with its
/// length in bytes (8 bytes, little-endian) so no two lists of parts meet.
fn digest(parts: &[&str], hex_len: usize) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    let mut out: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    out.truncate(hex_len);
    out
}

/// A stable digest of what was asked for one VM of a group: 16 hex digits
/// (64 bits) of SHA-256 over, in order, the format's version (`vmci-spec-1`),
/// the template, CPUs, memory in MiB, disk in MiB (`-` when the template's),
/// network (`-` when the template's; a network literally named `-` is
/// written `=-`), and lifetime in seconds, each as decimal or text prefixed
/// with its length (see `digest`); then, only when the spec speaks of more
/// than the first disk's size (so older digests stay as they were),
/// `disks`, their count and each disk's size and storage policy (`-` when
/// none). Role, count and the spec's place are
/// left out: they name VMs, they do not change one. Stable across runs,
/// platforms and versions of `vmci` as long as the version tag is kept.
pub fn spec_hash(req: &VmRequest, lifetime: Duration) -> String {
    let opt = |v: Option<String>| match v {
        None => "-".to_string(),
        Some(s) if s.starts_with(['-', '=']) => format!("={s}"),
        Some(s) => s,
    };
    let cpus = req.cpus.to_string();
    let memory = req.memory_mb.to_string();
    let disk = opt(req.first_disk_mb().map(|d| d.to_string()));
    let network = opt(req.network.clone());
    let lifetime = lifetime.as_secs().to_string();
    let mut parts = vec![
        "vmci-spec-1".to_string(),
        req.template.clone(),
        cpus,
        memory,
        disk,
        network,
        lifetime,
    ];
    if req.disks.len() > 1 || req.disks.iter().any(|d| d.storage_policy.is_some()) {
        parts.push("disks".into());
        parts.push(req.disks.len().to_string());
        for d in &req.disks {
            parts.push(opt(d.size_mb.map(|s| s.to_string())));
            parts.push(opt(d.storage_policy.clone()));
        }
    }
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    digest(&parts, 16)
}

fn plural(n: u64, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        return "none".to_string();
    }
    names
        .iter()
        .map(|n| printable(n))
        .collect::<Vec<_>>()
        .join(", ")
}

fn place_json(place: &Option<Place>) -> Value {
    match place {
        Some(p) => json!({ "file": p.file, "line": p.line, "column": p.column }),
        None => Value::Null,
    }
}

fn quota_json(q: &Quota) -> Value {
    json!({ "vms": q.vms, "cpus": q.cpus, "memory_mb": q.memory_mb })
}

impl Plan {
    /// The plan for `--json`:
    /// `{"repository", "build", "vms": [{"name", "role", "template", "cpus",
    /// "memory_mb", "disk_mb" (the first disk's size; null: the template's),
    /// "disks": [{"size_mb" (null: the template's), "storage_policy" (null:
    /// the template's, else {"name", "id"})}], "network" (null: the
    /// template's), "lifetime_seconds", "spec_hash", "exists"}]}`.
    pub fn to_json(&self) -> Value {
        let vms: Vec<Value> = self
            .vms
            .iter()
            .map(|vm| {
                json!({
                    "name": vm.name,
                    "role": vm.role,
                    "template": vm.template,
                    "cpus": vm.cpus,
                    "memory_mb": vm.memory_mb,
                    "disk_mb": vm.first_disk_mb(),
                    "disks": vm.disks.iter().map(|d| json!({
                        "size_mb": d.size_mb,
                        "storage_policy": d.storage_policy.as_ref().map(|(name, id)| json!({"name": name, "id": id})),
                    })).collect::<Vec<_>>(),
                    "network": vm.network,
                    "lifetime_seconds": vm.lifetime.as_secs(),
                    "spec_hash": vm.spec_hash,
                    "exists": vm.exists,
                })
            })
            .collect();
        json!({ "repository": self.repository, "build": self.build, "vms": vms })
    }
}

impl Refusal {
    /// The refusal for `--json`: `{"repository", "build", "reasons": [{"rule",
    /// "role" (null for the build as a whole), "place" ({"file", "line",
    /// "column"} or null), "message"}], "offer": {"templates", "networks",
    /// "storage_policies", "limits": {"cpus", "memory_mb", "disk_mb", "count",
    /// "max_lifetime_seconds", "default_lifetime_seconds"}, "quota":
    /// {"vms", "cpus", "memory_mb"}, "remaining": (the same)}}`.
    pub fn to_json(&self) -> Value {
        let reasons: Vec<Value> = self
            .reasons
            .iter()
            .map(|r| {
                json!({
                    "rule": r.rule,
                    "role": r.role,
                    "place": place_json(&r.place),
                    "message": r.message,
                })
            })
            .collect();
        let o = &self.offer;
        json!({
            "repository": self.repository,
            "build": self.build,
            "reasons": reasons,
            "offer": {
                "templates": o.templates,
                "networks": o.networks,
                "storage_policies": o.storage_policies,
                "limits": {
                    "cpus": o.limits.cpus,
                    "memory_mb": o.limits.memory_mb,
                    "disk_mb": o.limits.disk_mb,
                    "count": o.limits.count,
                    "max_lifetime_seconds": o.limits.max_lifetime.as_secs(),
                    "default_lifetime_seconds": o.limits.default_lifetime.as_secs(),
                },
                "quota": quota_json(&o.quota),
                "remaining": quota_json(&o.remaining),
            },
        })
    }
}

/// ```text
/// acme/widget build 42 cannot be served:
///   - .vsphere-ci.yml:3:11: builder asks 16 CPUs per VM; the policy allows at most 8
///   - build 42 asks 12 VMs in all (builder 10, tester 2); the policy allows at most 10 per build
/// The policy offers: templates debian-12-ci, ubuntu-24.04-ci; networks VM Network, DC0_DVPG0
///   per VM: at most 8 CPUs, 16GiB of memory, a 100GiB disk, a lifetime of 8h (default 2h)
///   per build: at most 10 VMs
///   quota of acme/widget: 20 VMs, 64 CPUs, 128GiB of memory; remaining now: 18 VMs, 60 CPUs, 120GiB
/// ```
impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} build {} cannot be served:",
            printable(&self.repository),
            printable(&self.build)
        )?;
        for r in &self.reasons {
            match &r.place {
                Some(p) => writeln!(f, "  - {p}: {}", r.message)?,
                None => writeln!(f, "  - {}", r.message)?,
            }
        }
        let o = &self.offer;
        let l = &o.limits;
        let networks = if o.networks.is_empty() {
            "none (keep the template's)".to_string()
        } else {
            list(&o.networks)
        };
        let storage = if o.storage_policies.is_empty() {
            String::new()
        } else {
            format!("; storage policies {}", list(&o.storage_policies))
        };
        writeln!(
            f,
            "The policy offers: templates {}; networks {networks}{storage}",
            list(&o.templates)
        )?;
        writeln!(
            f,
            "  per VM: at most {}, {} of memory, a {} disk, a lifetime of {} (default {})",
            plural(u64::from(l.cpus), "CPU"),
            format_size(l.memory_mb),
            format_size(l.disk_mb),
            format_duration(l.max_lifetime),
            format_duration(l.default_lifetime)
        )?;
        writeln!(
            f,
            "  per build: at most {}",
            plural(u64::from(l.count), "VM")
        )?;
        write!(
            f,
            "  quota of {}: {}, {}, {} of memory; remaining now: {}, {}, {}",
            printable(&self.repository),
            plural(u64::from(o.quota.vms), "VM"),
            plural(u64::from(o.quota.cpus), "CPU"),
            format_size(o.quota.memory_mb),
            plural(u64::from(o.remaining.vms), "VM"),
            plural(u64::from(o.remaining.cpus), "CPU"),
            format_size(o.remaining.memory_mb)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BuildVm, DiskRequest, Labels, Limits, PlannedDisk, StorageFact};

    fn place(line: usize) -> Place {
        Place {
            file: ".vsphere-ci.yml".into(),
            line,
            column: 11,
        }
    }

    fn req(role: &str, line: usize) -> VmRequest {
        VmRequest {
            role: role.into(),
            place: place(line),
            template: "debian-12-ci".into(),
            count: 2,
            cpus: 2,
            memory_mb: 4096,
            disks: vec![DiskRequest {
                place: place(line + 5),
                size_mb: Some(40 * 1024),
                storage_policy: None,
            }],
            network: Some("VM Network".into()),
            lifetime: Some(Duration::from_secs(7200)),
        }
    }

    fn spec() -> Spec {
        let mut tester = req("tester", 11);
        tester.template = "ubuntu-24.04-ci".into();
        tester.count = 1;
        tester.disks = Vec::new();
        tester.network = None;
        tester.lifetime = None;
        Spec {
            file: ".vsphere-ci.yml".into(),
            repository: "acme/widget".into(),
            vms: vec![req("builder", 3), tester],
        }
    }

    fn policy() -> Policy {
        Policy {
            file: "policy.yml".into(),
            folder: "/DC0/vm/ci".into(),
            resource_pool: "/DC0/host/DC0_C0/Resources".into(),
            datastore: Some("LocalDS_0".into()),
            templates: vec!["debian-12-ci".into(), "ubuntu-24.04-ci".into()],
            networks: vec!["VM Network".into(), "DC0_DVPG0".into()],
            storage_policies: vec!["gold".into(), "silver".into()],
            limits: Limits {
                cpus: 8,
                memory_mb: 16 * 1024,
                disk_mb: 100 * 1024,
                count: 10,
                max_lifetime: Duration::from_secs(8 * 3600),
                default_lifetime: Duration::from_secs(2 * 3600),
            },
            quota: Quota {
                vms: 20,
                cpus: 64,
                memory_mb: 128 * 1024,
            },
            overrides: vec![(
                "acme/big".into(),
                Quota {
                    vms: 40,
                    cpus: 160,
                    memory_mb: 512 * 1024,
                },
            )],
        }
    }

    fn facts() -> Facts {
        Facts {
            templates: vec!["debian-12-ci".into(), "ubuntu-24.04-ci".into()],
            networks: vec!["VM Network".into(), "DC0_DVPG0".into()],
            datastores: vec!["LocalDS_0".into()],
            folder_exists: true,
            resource_pool_exists: true,
            storage: vec![
                StorageFact {
                    policy: "gold".into(),
                    template: "debian-12-ci".into(),
                    id: Some("gold-id".into()),
                    datastore: Some("LocalDS_0".into()),
                    incompatible: None,
                },
                StorageFact {
                    policy: "silver".into(),
                    template: "debian-12-ci".into(),
                    id: Some("silver-id".into()),
                    datastore: Some("LocalDS_0".into()),
                    incompatible: Some(
                        "Datastore LocalDS_0 of type OTHER is not compatible".into(),
                    ),
                },
            ],
            running: vec![],
        }
    }

    /// The spec with storage policy `name` on the builder's first disk and
    /// a second disk of its own.
    fn with_policy(name: &str) -> Spec {
        let mut s = spec();
        s.vms[0].disks[0].storage_policy = Some(name.into());
        s.vms[0].disks.push(DiskRequest {
            place: place(10),
            size_mb: None,
            storage_policy: Some(name.into()),
        });
        s
    }

    #[test]
    fn storage_policies_allowed_known_and_compatible_are_planned_per_disk() {
        let plan = judge(&with_policy("gold"), &policy(), &facts(), "42").unwrap();
        let b = &plan.vms[0];
        assert_eq!(
            b.disks,
            vec![
                PlannedDisk {
                    size_mb: Some(40 * 1024),
                    storage_policy: Some(("gold".into(), "gold-id".into())),
                },
                PlannedDisk {
                    size_mb: None,
                    storage_policy: Some(("gold".into(), "gold-id".into())),
                },
            ]
        );
        let j = plan.to_json();
        assert_eq!(j["vms"][0]["disks"][1]["storage_policy"]["id"], "gold-id");
        assert_eq!(j["vms"][0]["disk_mb"], 40 * 1024);
        // The policy is part of what was asked: another digest.
        let plain = judge(&spec(), &policy(), &facts(), "42").unwrap();
        assert_ne!(plain.vms[0].spec_hash, b.spec_hash);
    }

    #[test]
    fn storage_policies_are_refused_disk_by_disk_with_the_reason() {
        // Not allowed by the operator: each disk, at its place.
        let r = judge(&with_policy("platinum"), &policy(), &facts(), "42").unwrap_err();
        let got: Vec<_> = r
            .reasons
            .iter()
            .map(|r| {
                (
                    r.rule.as_str(),
                    r.place.as_ref().unwrap().line,
                    r.message.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "storage_policy",
                    8,
                    "builder's disk 1 asks for storage policy platinum, which the policy does not allow (it allows gold, silver)"
                ),
                (
                    "storage_policy",
                    10,
                    "builder's disk 2 asks for storage policy platinum, which the policy does not allow (it allows gold, silver)"
                ),
            ]
        );
        assert_eq!(r.offer.storage_policies, ["gold", "silver"]);
        assert!(
            r.to_string().contains("; storage policies gold, silver\n"),
            "{r}"
        );

        // A policy that allows none says so.
        let mut none = policy();
        none.storage_policies.clear();
        let r = judge(&with_policy("gold"), &none, &facts(), "42").unwrap_err();
        assert!(
            r.reasons[0].message.ends_with(
                "the policy allows none (leave `storage_policy` out to keep the template's)"
            ),
            "{r}"
        );

        // Allowed but incompatible with the datastore: PBM's reason.
        let r = judge(&with_policy("silver"), &policy(), &facts(), "42").unwrap_err();
        assert_eq!(r.reasons[0].rule, "storage_policy.datastore");
        assert_eq!(
            r.reasons[0].message,
            "builder's disk 1 asks for storage policy silver, which cannot place it on datastore LocalDS_0: \
             Datastore LocalDS_0 of type OTHER is not compatible"
        );

        // Allowed but not in vCenter.
        let mut f = facts();
        f.storage[0].id = None;
        let r = judge(&with_policy("gold"), &policy(), &f, "42").unwrap_err();
        assert_eq!(
            r.reasons[0].message,
            "builder's disk 1 asks for storage policy gold, which the policy allows but vCenter does not have"
        );
    }

    fn running(
        repository: &str,
        build: &str,
        role: &str,
        n: u32,
        cpus: u32,
        memory_mb: u64,
    ) -> BuildVm {
        BuildVm {
            name: vm_name(repository, build, role, n),
            labels: Labels {
                repository: repository.into(),
                build: build.into(),
                role: role.into(),
                spec_hash: "h".into(),
                expires: 0,
            },
            cpus,
            memory_mb,
        }
    }

    fn refused(spec: &Spec, policy: &Policy, facts: &Facts) -> Refusal {
        match judge(spec, policy, facts, "42") {
            Ok(plan) => panic!("expected a refusal, got {plan:?}"),
            Err(r) => r,
        }
    }

    /// The one reason of a refusal: its rule, role and message.
    fn only(r: &Refusal) -> (&str, Option<&str>, &str) {
        assert_eq!(r.reasons.len(), 1, "{r}");
        let x = &r.reasons[0];
        (x.rule.as_str(), x.role.as_deref(), x.message.as_str())
    }

    #[test]
    fn a_fitting_spec_is_planned_in_order() {
        let plan = judge(&spec(), &policy(), &facts(), "42").unwrap();
        assert_eq!(
            (plan.repository.as_str(), plan.build.as_str()),
            ("acme/widget", "42")
        );
        let names: Vec<&str> = plan.vms.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "vmci-acme-widget-42-builder-1",
                "vmci-acme-widget-42-builder-2",
                "vmci-acme-widget-42-tester-1"
            ]
        );
        let t = &plan.vms[2];
        assert_eq!(
            t.lifetime,
            Duration::from_secs(7200),
            "the policy's default"
        );
        assert_eq!((t.first_disk_mb(), t.network.clone()), (None, None));
        assert_eq!(plan.vms[0].spec_hash, plan.vms[1].spec_hash);
        assert_ne!(plan.vms[0].spec_hash, plan.vms[2].spec_hash);
        assert!(plan.vms.iter().all(|v| !v.exists));
    }

    #[test]
    fn exists_needs_the_name_and_this_builds_labels() {
        let mut f = facts();
        f.running
            .push(running("acme/widget", "42", "builder", 2, 2, 4096));
        let plan = judge(&spec(), &policy(), &f, "42").unwrap();
        let exists: Vec<bool> = plan.vms.iter().map(|v| v.exists).collect();
        assert_eq!(exists, [false, true, false]);
        // This build's own VMs do not count against the quota.
        let mut p = policy();
        p.quota.vms = 3;
        assert!(judge(&spec(), &p, &f, "42").is_ok());
    }

    #[test]
    fn a_name_held_by_another_build_is_refused() {
        // `4.2` and `4-2` sanitize alike.
        let mut f = facts();
        let mut other = running("acme/widget", "4.2", "builder", 1, 1, 1024);
        other.name = vm_name("acme/widget", "4-2", "builder", 1);
        f.running.push(other);
        let r = judge(&spec(), &policy(), &f, "4-2").unwrap_err();
        assert_eq!(r.reasons.len(), 1, "{r}");
        assert_eq!(r.reasons[0].rule, "name");
        assert!(
            r.reasons[0].message.contains("build 4.2 role builder"),
            "{r}"
        );
    }

    #[test]
    fn template_must_be_allowed_and_exist() {
        let mut s = spec();
        s.vms[0].template = "centos-7".into();
        let r = refused(&s, &policy(), &facts());
        assert_eq!(
            only(&r),
            (
                "template",
                Some("builder"),
                "builder asks for template centos-7, which the policy does not allow (it allows debian-12-ci, ubuntu-24.04-ci)"
            )
        );
        assert_eq!(r.reasons[0].place, Some(place(3)));
        let mut f = facts();
        f.templates.retain(|t| t != "ubuntu-24.04-ci");
        let r = refused(&spec(), &policy(), &f);
        assert_eq!(
            only(&r),
            (
                "template",
                Some("tester"),
                "tester asks for template ubuntu-24.04-ci, which the policy allows but vCenter does not have"
            )
        );
    }

    #[test]
    fn network_must_be_allowed_and_exist() {
        let mut s = spec();
        s.vms[0].network = Some("Prod".into());
        let r = refused(&s, &policy(), &facts());
        assert_eq!(only(&r).0, "network");
        assert!(
            only(&r)
                .2
                .contains("asks for network Prod, which the policy does not allow")
        );
        let mut f = facts();
        f.networks.clear();
        let r = refused(&spec(), &policy(), &f);
        assert_eq!(only(&r).0, "network");
        assert!(only(&r).2.contains("vCenter does not have"));
        let mut p = policy();
        p.networks.clear();
        let r = refused(&spec(), &p, &facts());
        assert!(only(&r).2.contains("the policy allows none"), "{r}");
    }

    #[test]
    fn datastore_folder_and_pool_must_exist() {
        let mut f = facts();
        f.datastores.clear();
        let r = refused(&spec(), &policy(), &f);
        assert_eq!(
            only(&r),
            (
                "datastore",
                None,
                "the policy's datastore LocalDS_0 does not exist in vCenter (policy.yml)"
            )
        );
        let mut p = policy();
        p.datastore = None;
        assert!(
            judge(&spec(), &p, &f, "42").is_ok(),
            "no datastore named, none needed"
        );
        let mut f = facts();
        f.folder_exists = false;
        assert_eq!(only(&refused(&spec(), &policy(), &f)).0, "folder");
        let mut f = facts();
        f.resource_pool_exists = false;
        assert_eq!(only(&refused(&spec(), &policy(), &f)).0, "resource_pool");
    }

    #[test]
    fn per_vm_limits() {
        let mut s = spec();
        s.vms[0].cpus = 16;
        assert_eq!(
            only(&refused(&s, &policy(), &facts())),
            (
                "cpus",
                Some("builder"),
                "builder asks 16 CPUs per VM; the policy allows at most 8"
            )
        );
        let mut s = spec();
        s.vms[1].memory_mb = 32 * 1024;
        assert_eq!(
            only(&refused(&s, &policy(), &facts())),
            (
                "memory",
                Some("tester"),
                "tester asks 32GiB of memory per VM; the policy allows at most 16GiB"
            )
        );
        let mut s = spec();
        s.vms[0].disks[0].size_mb = Some(200 * 1024);
        assert_eq!(
            only(&refused(&s, &policy(), &facts())),
            (
                "disk",
                Some("builder"),
                "builder asks a 200GiB disk per VM; the policy allows at most 100GiB"
            )
        );
        // At the limits exactly: served.
        let mut s = spec();
        s.vms[0].cpus = 8;
        s.vms[0].memory_mb = 16 * 1024;
        s.vms[0].disks[0].size_mb = Some(100 * 1024);
        s.vms[0].lifetime = Some(Duration::from_secs(8 * 3600));
        assert!(judge(&s, &policy(), &facts(), "42").is_ok());
    }

    #[test]
    fn lifetime_within_the_maximum() {
        let mut s = spec();
        s.vms[0].lifetime = Some(Duration::from_secs(86_400));
        assert_eq!(
            only(&refused(&s, &policy(), &facts())),
            (
                "lifetime",
                Some("builder"),
                "builder asks a lifetime of 1d; the policy allows at most 8h"
            )
        );
        // A default above the maximum (a policy built by hand) is caught too.
        let mut p = policy();
        p.limits.default_lifetime = Duration::from_secs(9 * 3600);
        assert_eq!(
            only(&refused(&spec(), &p, &facts())),
            (
                "lifetime",
                Some("tester"),
                "tester takes the default lifetime of 9h; the policy allows at most 8h"
            )
        );
    }

    #[test]
    fn count_per_build() {
        let mut s = spec();
        s.vms[0].count = 10;
        let r = refused(&s, &policy(), &facts());
        assert_eq!(
            only(&r),
            (
                "count",
                None,
                "build 42 asks 11 VMs in all (builder 10, tester 1); the policy allows at most 10 per build"
            )
        );
        assert_eq!(r.reasons[0].place, None);
    }

    #[test]
    fn quota_counts_other_builds_of_this_repository_only() {
        let mut f = facts();
        for n in 1..=18 {
            f.running
                .push(running("acme/widget", "41", "builder", n, 1, 1024));
        }
        // Another repository's and this build's own VMs do not count.
        f.running
            .push(running("acme/other", "41", "builder", 1, 8, 8192));
        f.running
            .push(running("acme/widget", "42", "builder", 1, 2, 4096));
        let r = refused(&spec(), &policy(), &f);
        assert_eq!(
            only(&r),
            (
                "quota.vms",
                None,
                "acme/widget has 18 VMs in other builds and build 42 asks 3; its quota is 20 VMs"
            )
        );
        assert_eq!(
            r.offer.remaining,
            Quota {
                vms: 2,
                cpus: 46,
                memory_mb: 110 * 1024
            }
        );

        let mut f = facts();
        f.running
            .push(running("acme/widget", "41", "builder", 1, 60, 1024));
        let r = refused(&spec(), &policy(), &f);
        assert_eq!(
            only(&r),
            (
                "quota.cpus",
                None,
                "acme/widget has 60 CPUs in other builds and build 42 asks 6; its quota is 64 CPUs"
            )
        );

        let mut f = facts();
        f.running
            .push(running("acme/widget", "41", "builder", 1, 1, 120 * 1024));
        let r = refused(&spec(), &policy(), &f);
        assert_eq!(
            only(&r),
            (
                "quota.memory",
                None,
                "acme/widget has 120GiB of memory in other builds and build 42 asks 12GiB; its quota is 128GiB"
            )
        );
    }

    #[test]
    fn a_repositorys_override_comes_first() {
        let mut s = spec();
        s.vms[0].count = 9;
        s.vms[0].cpus = 8;
        let mut f = facts();
        f.running
            .push(running("acme/big", "41", "builder", 1, 8, 8192));
        f.running
            .push(running("acme/big", "41", "builder", 2, 8, 8192));
        // 10 VMs asked, 2 running: 12 VMs, 74 CPUs: over the quota of 20/64...
        let r = refused(&s, &policy(), &f);
        assert!(
            r.reasons.iter().all(|x| x.rule.starts_with("quota.")),
            "{r}"
        );
        let mut p = policy();
        p.quota.cpus = 1;
        s.repository = "acme/big".into();
        // ...within acme/big's 40/160, whatever the default quota.
        assert!(judge(&s, &p, &f, "42").is_ok());
        let mut p = policy();
        p.overrides[0].1.vms = 0;
        let r = refused(&s, &p, &f);
        assert_eq!(r.offer.quota.vms, 0);
        assert_eq!(only(&r).0, "quota.vms");
    }

    #[test]
    fn every_reason_is_collected() {
        let mut s = spec();
        s.vms[0].template = "centos-7".into();
        s.vms[0].cpus = 16;
        s.vms[0].count = 10;
        s.vms[1].memory_mb = 64 * 1024;
        s.vms[1].network = Some("Prod".into());
        s.vms[1].lifetime = Some(Duration::from_secs(86_400));
        let mut f = facts();
        f.folder_exists = false;
        f.datastores.clear();
        let r = refused(&s, &policy(), &f);
        let rules: Vec<(&str, Option<&str>)> = r
            .reasons
            .iter()
            .map(|x| (x.rule.as_str(), x.role.as_deref()))
            .collect();
        assert_eq!(
            rules,
            [
                ("folder", None),
                ("datastore", None),
                ("template", Some("builder")),
                ("cpus", Some("builder")),
                ("network", Some("tester")),
                ("memory", Some("tester")),
                ("lifetime", Some("tester")),
                ("count", None),
                ("quota.cpus", None),
            ]
        );
        assert_eq!(r.repository, "acme/widget");
        assert_eq!(r.build, "42");
        assert_eq!(r.offer.templates, policy().templates);
        assert_eq!(r.offer.limits, policy().limits);
        assert_eq!(r.offer.remaining, policy().quota);
    }

    #[test]
    fn refusal_text_and_json() {
        let mut s = spec();
        s.vms[0].cpus = 16;
        s.vms[0].count = 10;
        let mut f = facts();
        f.running
            .push(running("acme/widget", "41", "builder", 1, 4, 8192));
        let r = refused(&s, &policy(), &f);
        let text = r.to_string();
        assert_eq!(
            text,
            "acme/widget build 42 cannot be served:\n\
             \x20 - .vsphere-ci.yml:3:11: builder asks 16 CPUs per VM; the policy allows at most 8\n\
             \x20 - build 42 asks 11 VMs in all (builder 10, tester 1); the policy allows at most 10 per build\n\
             \x20 - acme/widget has 4 CPUs in other builds and build 42 asks 162; its quota is 64 CPUs\n\
             The policy offers: templates debian-12-ci, ubuntu-24.04-ci; networks VM Network, DC0_DVPG0; storage policies gold, silver\n\
             \x20 per VM: at most 8 CPUs, 16GiB of memory, a 100GiB disk, a lifetime of 8h (default 2h)\n\
             \x20 per build: at most 10 VMs\n\
             \x20 quota of acme/widget: 20 VMs, 64 CPUs, 128GiB of memory; remaining now: 19 VMs, 60 CPUs, 120GiB"
        );
        let j = r.to_json();
        assert_eq!(j["build"], "42");
        assert_eq!(j["reasons"][0]["rule"], "cpus");
        assert_eq!(j["reasons"][0]["role"], "builder");
        assert_eq!(j["reasons"][0]["place"]["line"], 3);
        assert_eq!(j["reasons"][1]["place"], Value::Null);
        assert_eq!(j["offer"]["storage_policies"][1], "silver");
        assert_eq!(j["offer"]["limits"]["max_lifetime_seconds"], 8 * 3600);
        assert_eq!(j["offer"]["remaining"]["vms"], 19);
    }

    #[test]
    fn plan_json() {
        let plan = judge(&spec(), &policy(), &facts(), "42").unwrap();
        let j = plan.to_json();
        assert_eq!(j["vms"].as_array().map(Vec::len), Some(3));
        assert_eq!(j["vms"][0]["name"], "vmci-acme-widget-42-builder-1");
        assert_eq!(j["vms"][0]["disk_mb"], 40 * 1024);
        assert_eq!(j["vms"][2]["disk_mb"], Value::Null);
        assert_eq!(j["vms"][2]["lifetime_seconds"], 7200);
        assert_eq!(j["vms"][0]["exists"], false);
    }

    #[test]
    fn hostile_text_is_escaped_in_reasons() {
        let mut s = spec();
        s.vms[0].template = "x\u{1b}[2J".into();
        let r = refused(&s, &policy(), &facts());
        assert!(!r.to_string().contains('\u{1b}'));
        assert!(r.to_string().contains("x\\u{1b}[2J"));
    }

    #[test]
    fn names_are_readable_safe_and_short() {
        assert_eq!(
            vm_name("acme/widget", "42", "builder", 1),
            "vmci-acme-widget-42-builder-1"
        );
        assert_eq!(
            vm_name("Acme/Widget.JS", "PR #7", "db", 3),
            "vmci-acme-widget-js-pr-7-db-3"
        );
        let long = vm_name(
            &format!("acme/{}", "w".repeat(100)),
            "1234567",
            "integration-tests",
            12,
        );
        assert!(long.len() <= MAX_NAME_LEN, "{long}");
        assert!(long.starts_with("vmci-acme-www"), "{long}");
        assert!(long.contains("-integration-tests-12-"), "{long}");
        // Deterministic, and different inputs cut alike still differ.
        let other = vm_name(
            &format!("acme/{}x", "w".repeat(100)),
            "1234567",
            "integration-tests",
            12,
        );
        assert_eq!(
            long,
            vm_name(
                &format!("acme/{}", "w".repeat(100)),
                "1234567",
                "integration-tests",
                12
            )
        );
        assert_ne!(long, other);
        // Parts that sanitize to nothing still give a valid, distinct name.
        let a = vm_name("acme/widget", "!!!", "builder", 1);
        let b = vm_name("acme/widget", "???", "builder", 1);
        assert_ne!(a, b);
        for name in [&long, &other, &a, &b, &vm_name("", "", "", u32::MAX)] {
            assert!(name.len() <= MAX_NAME_LEN, "{name}");
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{name}"
            );
            assert!(!name.contains("--") && !name.ends_with('-'), "{name}");
        }
        let huge = vm_name(
            &"ü/".repeat(500),
            &"9".repeat(500),
            &"r".repeat(500),
            u32::MAX,
        );
        assert!(huge.len() <= MAX_NAME_LEN, "{huge}");
    }

    #[test]
    fn spec_hash_is_stable_and_sees_every_asked_field() {
        let r = req("builder", 3);
        let two_hours = Duration::from_secs(7200);
        let h = spec_hash(&r, two_hours);
        assert_eq!(h.len(), 16);
        // Pinned: a change here makes every running VM look changed.
        assert_eq!(h, "e3e07960a0d290e4");
        let mut other = r.clone();
        other.role = "other".into();
        other.count = 7;
        other.place = place(99);
        assert_eq!(
            spec_hash(&other, two_hours),
            h,
            "role, count and place are not asked of a VM"
        );
        let changes: Vec<VmRequest> = vec![
            VmRequest {
                template: "t".into(),
                ..r.clone()
            },
            VmRequest {
                cpus: 3,
                ..r.clone()
            },
            VmRequest {
                memory_mb: 4097,
                ..r.clone()
            },
            VmRequest {
                disks: Vec::new(),
                ..r.clone()
            },
            VmRequest {
                network: None,
                ..r.clone()
            },
            VmRequest {
                network: Some("-".into()),
                ..r.clone()
            },
        ];
        let mut seen = vec![h.clone()];
        for c in &changes {
            let x = spec_hash(c, two_hours);
            assert!(!seen.contains(&x), "{c:?}");
            seen.push(x);
        }
        assert_ne!(spec_hash(&r, Duration::from_secs(3600)), h);
    }
}
