//! The operator's policy (YAML).
//!
//! ```yaml
//! folder: /DC0/vm/ci
//! resource_pool: /DC0/host/DC0_C0/Resources
//! datastore: LocalDS_0          # optional
//! templates: [debian-12-ci, ubuntu-24.04-ci]
//! networks: [VM Network, DC0_DVPG0]   # optional
//! storage_policies: [vSAN Default Storage Policy]   # optional: none when left out
//! limits:        # per VM, and count per build
//!   cpus: 8
//!   memory: 16GiB
//!   disk: 100GiB
//!   count: 10
//!   lifetime: 8h            # maximum
//!   default_lifetime: 2h
//! quota:         # per repository, counting what already runs
//!   vms: 20
//!   cpus: 64
//!   memory: 128GiB
//! repositories:  # optional overrides of quota per repository
//!   acme/big: { vms: 40, cpus: 160, memory: 512GiB }
//! ```
//!
//! Errors are reported as for the spec (see [`crate::spec`]): every one at
//! once, each with file, line, column and field (`limits.cpus`,
//! `repositories["acme/big"].vms`).

use crate::model::{ConfigError, Limits, Policy, Quota};
use crate::spec::yaml::{Checker, Fields, Node};
use crate::spec::{check_repository, format_duration, printable, read_config};
use std::path::Path;

/// The policy's fields, in the order documented.
pub const POLICY_FIELDS: &[&str] = &[
    "folder",
    "resource_pool",
    "datastore",
    "templates",
    "networks",
    "storage_policies",
    "limits",
    "quota",
    "repositories",
];

/// The fields of `limits`.
pub const LIMIT_FIELDS: &[&str] = &[
    "cpus",
    "memory",
    "disk",
    "count",
    "lifetime",
    "default_lifetime",
];

/// The fields of `quota` and of each entry of `repositories`.
pub const QUOTA_FIELDS: &[&str] = &["vms", "cpus", "memory"];

/// Reads and parses a policy; see [`crate::spec::load_spec`] for how an
/// unreadable file is reported.
pub fn load_policy(path: &Path) -> Result<Policy, Vec<ConfigError>> {
    let file = path.display().to_string();
    let text = read_config(path, &file).map_err(|e| vec![e])?;
    parse_policy(&file, &text)
}

/// Parses and validates a policy; every error found, each with its place.
pub fn parse_policy(file: &str, text: &str) -> Result<Policy, Vec<ConfigError>> {
    let root = crate::spec::yaml::parse(file, text).map_err(|e| vec![e])?;
    let mut c = Checker::new(file);
    let policy = check_policy(&mut c, &root);
    c.finish(policy)
}

fn check_policy(c: &mut Checker<'_>, root: &Node) -> Option<Policy> {
    let f = c.document(root, "policy", POLICY_FIELDS)?;
    let folder = c
        .required(&f, "folder", "")
        .and_then(|n| inventory_path(c, n, "folder"));
    let resource_pool = c
        .required(&f, "resource_pool", "")
        .and_then(|n| inventory_path(c, n, "resource_pool"));
    let datastore = match f.get("datastore") {
        None => Some(None),
        Some(n) => c.name(n, "datastore").map(Some),
    };
    let templates = c.required(&f, "templates", "").and_then(|n| {
        let names = c.names(n, "templates")?;
        if names.is_empty() {
            c.error_at(n, "templates", "lists no templates; a spec could use none");
            return None;
        }
        Some(names)
    });
    let networks = match f.get("networks") {
        None => Some(Vec::new()),
        Some(n) => c.names(n, "networks"),
    };
    let storage_policies = match f.get("storage_policies") {
        None => Some(Vec::new()),
        Some(n) => c.names(n, "storage_policies"),
    };
    let limits = c
        .required(&f, "limits", "")
        .and_then(|n| check_limits(c, n));
    let quota = c
        .required(&f, "quota", "")
        .and_then(|n| check_quota(c, n, "quota"));
    let overrides = match f.get("repositories") {
        None => Some(Vec::new()),
        Some(n) => check_overrides(c, n),
    };
    Some(Policy {
        file: c.file().to_string(),
        folder: folder?,
        resource_pool: resource_pool?,
        datastore: datastore?,
        templates: templates?,
        networks: networks?,
        storage_policies: storage_policies?,
        limits: limits?,
        quota: quota?,
        overrides: overrides?,
    })
}

/// An inventory path: `/DC0/vm/ci`, from the root, no empty parts.
fn inventory_path(c: &mut Checker<'_>, node: &Node, field: &str) -> Option<String> {
    let path = c.name(node, field)?;
    let ok = path.len() > 1 && path.starts_with('/') && !path[1..].split('/').any(str::is_empty);
    if !ok {
        c.error_at(
            node,
            field,
            format!(
                "`{}` is not an inventory path: write it from the root, like /DC0/vm/ci \
                 (no empty parts, no / at the end)",
                printable(&path)
            ),
        );
        return None;
    }
    Some(path)
}

fn check_limits(c: &mut Checker<'_>, node: &Node) -> Option<Limits> {
    let f = c.map(node, "limits", LIMIT_FIELDS)?;
    let positive = |c: &mut Checker<'_>, f: &Fields<'_>, name: &str| {
        c.required(f, name, "limits")
            .and_then(|n| c.positive(n, &format!("limits.{name}"), name))
    };
    let size = |c: &mut Checker<'_>, f: &Fields<'_>, name: &str| {
        c.required(f, name, "limits")
            .and_then(|n| c.positive_size(n, &format!("limits.{name}")))
    };
    let cpus = positive(c, &f, "cpus");
    let memory_mb = size(c, &f, "memory");
    let disk_mb = size(c, &f, "disk");
    let count = positive(c, &f, "count");
    let max_lifetime = c
        .required(&f, "lifetime", "limits")
        .and_then(|n| c.duration(n, "limits.lifetime"));
    let default_node = c.required(&f, "default_lifetime", "limits");
    let default_lifetime = default_node.and_then(|n| c.duration(n, "limits.default_lifetime"));
    if let (Some(max), Some(default), Some(n)) = (max_lifetime, default_lifetime, default_node)
        && default > max
    {
        c.error_at(
            n,
            "limits.default_lifetime",
            format!(
                "the default lifetime {} is longer than the maximum `lifetime` {}",
                format_duration(default),
                format_duration(max)
            ),
        );
        return None;
    }
    Some(Limits {
        cpus: cpus?,
        memory_mb: memory_mb?,
        disk_mb: disk_mb?,
        count: count?,
        max_lifetime: max_lifetime?,
        default_lifetime: default_lifetime?,
    })
}

/// A quota: every field required, 0 allowed (a quota of 0 VMs shuts a
/// repository out).
fn check_quota(c: &mut Checker<'_>, node: &Node, path: &str) -> Option<Quota> {
    let f = c.map(node, path, QUOTA_FIELDS)?;
    let count = |c: &mut Checker<'_>, name: &str| {
        c.required(&f, name, path)
            .and_then(|n| c.whole(n, &format!("{path}.{name}"), u64::from(u32::MAX)))
            .and_then(|n| u32::try_from(n).ok())
    };
    let vms = count(c, "vms");
    let cpus = count(c, "cpus");
    let memory_mb = c
        .required(&f, "memory", path)
        .and_then(|n| c.size(n, &format!("{path}.memory")));
    Some(Quota {
        vms: vms?,
        cpus: cpus?,
        memory_mb: memory_mb?,
    })
}

fn check_overrides(c: &mut Checker<'_>, node: &Node) -> Option<Vec<(String, Quota)>> {
    let entries = c.entries(
        node,
        "repositories",
        "a mapping of repository names to quotas",
    )?;
    let mut out = Vec::new();
    let mut ok = true;
    for (key, value) in entries {
        let path = format!("repositories[\"{}\"]", printable(&key.name));
        if let Err(message) = check_repository(&key.name) {
            c.error(key.line, key.column, &path, message);
            ok = false;
        }
        match check_quota(c, value, &path) {
            Some(q) => out.push((key.name.clone(), q)),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const GOOD: &str = "\
folder: /DC0/vm/ci
resource_pool: /DC0/host/DC0_C0/Resources
datastore: LocalDS_0
templates: [debian-12-ci, ubuntu-24.04-ci]
networks: [VM Network, DC0_DVPG0]
limits:
  cpus: 8
  memory: 16GiB
  disk: 100GiB
  count: 10
  lifetime: 8h
  default_lifetime: 2h
quota:
  vms: 20
  cpus: 64
  memory: 128GiB
repositories:
  acme/big: { vms: 40, cpus: 160, memory: 512GiB }
  acme/frozen: { vms: 0, cpus: 0, memory: 0 }
";

    fn errors(text: &str) -> Vec<ConfigError> {
        match parse_policy("p.yml", text) {
            Ok(p) => panic!("expected errors, got {p:?}"),
            Err(e) => e,
        }
    }

    fn brief(errors: &[ConfigError]) -> Vec<(usize, usize, String)> {
        errors
            .iter()
            .map(|e| (e.place.line, e.place.column, e.field.clone()))
            .collect()
    }

    #[test]
    fn parses_a_good_policy() {
        let p = parse_policy("p.yml", GOOD).unwrap();
        assert_eq!(p.file, "p.yml");
        assert_eq!(p.folder, "/DC0/vm/ci");
        assert_eq!(p.resource_pool, "/DC0/host/DC0_C0/Resources");
        assert_eq!(p.datastore.as_deref(), Some("LocalDS_0"));
        assert_eq!(p.templates, ["debian-12-ci", "ubuntu-24.04-ci"]);
        assert_eq!(p.networks, ["VM Network", "DC0_DVPG0"]);
        assert_eq!(
            p.limits,
            Limits {
                cpus: 8,
                memory_mb: 16 * 1024,
                disk_mb: 100 * 1024,
                count: 10,
                max_lifetime: Duration::from_secs(8 * 3600),
                default_lifetime: Duration::from_secs(2 * 3600),
            }
        );
        assert_eq!(
            p.quota,
            Quota {
                vms: 20,
                cpus: 64,
                memory_mb: 128 * 1024
            }
        );
        assert_eq!(
            p.overrides,
            vec![
                (
                    "acme/big".to_string(),
                    Quota {
                        vms: 40,
                        cpus: 160,
                        memory_mb: 512 * 1024
                    }
                ),
                (
                    "acme/frozen".to_string(),
                    Quota {
                        vms: 0,
                        cpus: 0,
                        memory_mb: 0
                    }
                ),
            ]
        );
    }

    #[test]
    fn optional_fields_may_be_left_out() {
        let text = GOOD
            .replace("datastore: LocalDS_0\n", "")
            .replace("networks: [VM Network, DC0_DVPG0]\n", "");
        let text = &text[..text.find("repositories:").unwrap()];
        let p = parse_policy("p.yml", text).unwrap();
        assert_eq!(
            (p.datastore, p.networks, p.overrides),
            (None, vec![], vec![])
        );
    }

    #[test]
    fn every_error_is_reported_with_its_field() {
        let text = "\
folder: DC0/vm/ci
resource_pool: /DC0/host//Resources
templates: []
networks: [VM Network, VM Network]
limits:
  cpu: 8
  memory: 16 GB
  disk: 0
  count: 0
  lifetime: 8h
  default_lifetime: 1d
quota:
  vms: -1
  cpus: 64
repositories:
  not a repo: { vms: 1, cpus: 1, memory: 1GiB }
  acme/big: { vms: 40, cpus: 160, memory: lots }
";
        let e = errors(text);
        assert_eq!(
            brief(&e),
            vec![
                (1, 9, "folder".into()),
                (2, 16, "resource_pool".into()),
                (3, 12, "templates".into()),
                (4, 24, "networks[1]".into()),
                (6, 3, "limits.cpu".into()),
                (6, 3, "limits.cpus".into()),
                (8, 9, "limits.disk".into()),
                (9, 10, "limits.count".into()),
                (11, 21, "limits.default_lifetime".into()),
                (13, 3, "quota.memory".into()),
                (13, 8, "quota.vms".into()),
                (16, 3, "repositories[\"not a repo\"]".into()),
                (17, 43, "repositories[\"acme/big\"].memory".into()),
            ],
            "{e:#?}"
        );
        assert!(e[4].message.contains("did you mean `cpus`?"));
        assert!(e[8].message.contains("longer than the maximum"));
        assert!(e[12].message.contains("`lots` is not a size"), "{}", e[12]);
    }

    #[test]
    fn missing_sections() {
        let e = errors("folder: /a\n");
        assert_eq!(
            brief(&e),
            vec![
                (1, 1, "resource_pool".into()),
                (1, 1, "templates".into()),
                (1, 1, "limits".into()),
                (1, 1, "quota".into()),
            ]
        );
        let e = errors("");
        assert!(e[0].message.contains("the policy is empty"));
        let e = errors(&GOOD.replace("quota:\n  vms: 20", "quota: 20\nx:\n  vms: 20"));
        assert!(
            e.iter()
                .any(|e| e.field == "quota" && e.message.contains("expected a mapping"))
        );
    }

    #[test]
    fn syntax_error_names_line_and_field() {
        let text = GOOD.replace("  count: 10\n", "  count: [10\n");
        let e = errors(&text);
        assert_eq!(e.len(), 1);
        assert!(e[0].field.starts_with("limits"), "{}", e[0]);
    }
}
