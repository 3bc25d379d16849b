//! The examples in examples/vmci parse, and the example spec is served by
//! the example policy on the simulator's inventory.

use std::path::PathBuf;
use std::time::Duration;
use vmci::judge::judge;
use vmci::model::Facts;
use vmci::policy::load_policy;
use vmci::spec::{FILE_NAME, load_spec};

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/vmci")
}

/// The vcsim VPX model with the templates and folder the tests add.
fn simulator() -> Facts {
    Facts {
        templates: vec!["debian-12-ci".into(), "ubuntu-24.04-ci".into()],
        networks: vec!["VM Network".into(), "DC0_DVPG0".into()],
        datastores: vec!["LocalDS_0".into()],
        folder_exists: true,
        resource_pool_exists: true,
        storage: vec![],
        running: vec![],
    }
}

#[test]
fn the_example_spec_parses() {
    let spec = load_spec(&examples().join(FILE_NAME)).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(spec.repository, "acme/widget");
    let roles: Vec<&str> = spec.vms.iter().map(|v| v.role.as_str()).collect();
    assert_eq!(roles, ["builder", "tester"]);
    assert!(
        spec.vms
            .iter()
            .all(|v| v.cpus == 1 && v.memory_mb == 1024 && v.count == 1)
    );
}

#[test]
fn the_example_policy_parses() {
    let policy =
        load_policy(&examples().join("vmci-policy.yml")).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(policy.folder, "/DC0/vm/ci");
    assert_eq!(policy.resource_pool, "/DC0/host/DC0_C0/Resources");
    assert_eq!(policy.datastore.as_deref(), Some("LocalDS_0"));
    assert_eq!(policy.templates, ["debian-12-ci", "ubuntu-24.04-ci"]);
    assert_eq!(policy.networks, ["VM Network", "DC0_DVPG0"]);
    assert_eq!(
        policy.limits.default_lifetime,
        Duration::from_secs(2 * 3600)
    );
    assert_eq!(policy.overrides.len(), 1);
}

#[test]
fn the_example_spec_is_served_by_the_example_policy() {
    let spec = load_spec(&examples().join(FILE_NAME)).unwrap_or_else(|e| panic!("{e:?}"));
    let policy =
        load_policy(&examples().join("vmci-policy.yml")).unwrap_or_else(|e| panic!("{e:?}"));
    let plan = judge(&spec, &policy, &simulator(), "42").unwrap_or_else(|r| panic!("{r}"));
    let names: Vec<&str> = plan.vms.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "vmci-acme-widget-42-builder-1",
            "vmci-acme-widget-42-tester-1"
        ]
    );
    assert_eq!(plan.vms[0].lifetime, Duration::from_secs(3600));
    assert_eq!(
        plan.vms[1].lifetime,
        Duration::from_secs(2 * 3600),
        "the policy's default"
    );
    assert_eq!(plan.vms[1].network.as_deref(), Some("DC0_DVPG0"));
}

#[test]
fn the_example_spec_is_refused_without_the_templates() {
    let spec = load_spec(&examples().join(FILE_NAME)).unwrap_or_else(|e| panic!("{e:?}"));
    let policy =
        load_policy(&examples().join("vmci-policy.yml")).unwrap_or_else(|e| panic!("{e:?}"));
    let mut facts = simulator();
    facts.templates.clear();
    facts.folder_exists = false;
    let refusal = judge(&spec, &policy, &facts, "42").unwrap_err();
    let rules: Vec<&str> = refusal.reasons.iter().map(|r| r.rule.as_str()).collect();
    assert_eq!(rules, ["folder", "template", "template"]);
    let text = refusal.to_string();
    assert!(
        text.starts_with("acme/widget build 42 cannot be served:\n"),
        "{text}"
    );
    assert!(
        text.contains(".vsphere-ci.yml:6:11: builder asks for template debian-12-ci"),
        "{text}"
    );
}
