//! `list-devices` against the simulator, configured only through the
//! environment as users run it: every VM's controllers, disks and NICs as
//! the simulator holds them (read independently, with a plain retrieval of
//! the raw device list), as JSON and as a table; one VM by name, by
//! inventory path and by UUID; and a VM that is not there fails naming it.

use std::collections::BTreeSet;
use std::process::{Command, Output};
use vmomi::mo::VirtualMachine;
use vmomi::property::Objects;
use vmomi::rt::PropertyPath;
use vmomi::types::{AnyVirtualDevice, AnyVirtualDeviceBackingInfo, CompactString};
use vmomi_tests::vcsim::{Options, PASSWORD, USER, Vcsim};

/// `list-devices ARGS` against `sim`, with a clean environment.
fn list_devices(sim: &Vcsim, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_list-devices"));
    cmd.args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("VSPHERE_") || k.starts_with("GOVC_") || k == "RUST_LOG" {
            cmd.env_remove(k);
        }
    }
    cmd.env("VSPHERE_URL", &sim.url)
        .env("VSPHERE_USER", USER)
        .env("VSPHERE_PASSWORD", PASSWORD);
    cmd.output().expect("list-devices runs")
}

fn json_of(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("--json prints JSON")
}

/// A VM as the simulator holds it.
struct SimVm {
    id: String,
    name: String,
    uuid: String,
    devices: Vec<AnyVirtualDevice>,
}

/// Every VM's raw devices and every network and port group name, read
/// without the sample's code.
async fn read_simulator(sim: &Vcsim) -> (Vec<SimVm>, BTreeSet<String>) {
    let client = vmomi::Client::builder()
        .url(&sim.url)
        .credentials(USER, PASSWORD)
        .connect()
        .await
        .unwrap();
    let devices = VirtualMachine::CONFIG.hardware().device();
    let uuid = VirtualMachine::CONFIG.uuid();
    let objects = vmomi::property::retrieve_all(
        &client,
        "VirtualMachine",
        &["name", &uuid.path(), &devices.path()],
    )
    .await
    .unwrap();
    let mut vms: Vec<SimVm> = objects
        .into_iter()
        .map(|mut oc| SimVm {
            name: oc.take(VirtualMachine::NAME).unwrap().unwrap().to_string(),
            uuid: oc.take(uuid).unwrap().unwrap().to_string(),
            devices: oc.take(devices).unwrap().unwrap_or_default(),
            id: oc.obj.value.to_string(),
        })
        .collect();
    vms.sort_by(|a, b| a.name.cmp(&b.name));
    let mut networks = BTreeSet::new();
    for ty in ["Network", "DistributedVirtualPortgroup"] {
        for mut oc in vmomi::property::retrieve_all(&client, ty, &["name"])
            .await
            .unwrap()
        {
            networks.insert(
                oc.take(PropertyPath::<String>::new("name"))
                    .unwrap()
                    .unwrap(),
            );
        }
    }
    client.logout().await.unwrap();
    (vms, networks)
}

fn is_mac(s: &str) -> bool {
    let parts: Vec<&str> = s.split(':').collect();
    parts.len() == 6
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')))
}

/// The raw MAC address of a NIC, for the adapter types the simulator makes.
fn raw_mac(d: &AnyVirtualDevice) -> Option<Option<CompactString>> {
    use AnyVirtualDevice as D;
    Some(match d {
        D::VirtualE1000(n) => n.mac_address.clone(),
        D::VirtualE1000e(n) => n.mac_address.clone(),
        D::VirtualVmxnet3(n) => n.mac_address.clone(),
        D::VirtualVmxnet2(n) => n.mac_address.clone(),
        D::VirtualPCNet32(n) => n.mac_address.clone(),
        D::VirtualEthernetCard(n) => n.mac_address.clone(),
        _ => return None,
    })
}

/// Every device of a VM's JSON tree with the device it hangs under.
fn flatten<'a>(
    devices: &'a serde_json::Value,
    parent: Option<&'a serde_json::Value>,
    out: &mut Vec<(&'a serde_json::Value, Option<&'a serde_json::Value>)>,
) {
    for d in devices.as_array().expect("devices is an array") {
        out.push((d, parent));
        flatten(&d["devices"], Some(d), out);
    }
}

#[tokio::test]
async fn every_vm_shows_the_simulators_controllers_disks_and_nics() {
    let Some(sim) = Vcsim::start_or_skip(&Options::default()) else {
        return;
    };
    let (raw, networks) = read_simulator(&sim).await;
    let mut expected = sim.vms.clone();
    expected.sort();
    assert_eq!(
        raw.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(),
        expected
    );
    assert!(!networks.is_empty());

    let json = json_of(&list_devices(&sim, &["--json"]));
    let vms = json.as_array().unwrap();
    assert_eq!(vms.len(), raw.len());
    for (vm, sim_vm) in vms.iter().zip(&raw) {
        assert_eq!(vm["name"], sim_vm.name.as_str());
        assert_eq!(vm["id"], sim_vm.id.as_str());
        let mut all = Vec::new();
        flatten(&vm["devices"], None, &mut all);
        // Every device the simulator holds, each once, with its type.
        let listed: BTreeSet<(i64, &str)> = all
            .iter()
            .map(|(d, _)| (d["key"].as_i64().unwrap(), d["type"].as_str().unwrap()))
            .collect();
        let held: BTreeSet<(i64, &str)> = sim_vm
            .devices
            .iter()
            .map(|d| (i64::from(d.key), d.type_name()))
            .collect();
        assert_eq!(all.len(), sim_vm.devices.len(), "{vm}");
        assert_eq!(listed, held, "{vm}");
        for (d, parent) in &all {
            // Nested under the controller the device names.
            if let Some(p) = parent {
                assert_eq!(d["controller_key"], p["key"], "{d}");
            }
            let raw_dev = sim_vm
                .devices
                .iter()
                .find(|r| i64::from(r.key) == d["key"].as_i64().unwrap())
                .unwrap();
            assert_eq!(d["unit_number"], serde_json::json!(raw_dev.unit_number));
        }

        let disks: Vec<_> = all.iter().filter(|(d, _)| d["kind"] == "disk").collect();
        assert!(!disks.is_empty(), "{} has no disk: {vm}", sim_vm.name);
        for (d, parent) in &disks {
            let p = parent.expect("a disk sits under its controller");
            assert_eq!(p["kind"], "controller", "{p}");
            assert!(p["bus_number"].is_i64(), "{p}");
            assert!(d["unit_number"].is_i64(), "{d}");
            let Some(AnyVirtualDevice::VirtualDisk(raw_disk)) = sim_vm
                .devices
                .iter()
                .find(|r| i64::from(r.key) == d["key"].as_i64().unwrap())
            else {
                panic!("{d} is not a disk in the simulator");
            };
            assert_eq!(d["capacity_bytes"], raw_disk.capacity_in_kb * 1024, "{d}");
            let Some(AnyVirtualDeviceBackingInfo::VirtualDiskFlatVer2BackingInfo(b)) =
                &raw_disk.backing
            else {
                panic!("the simulator's disk has a flat backing");
            };
            assert_eq!(d["file"], b.file_name.as_str());
            assert_eq!(
                d["provisioning"],
                if b.thin_provisioned == Some(true) {
                    "thin"
                } else if b.eagerly_scrub == Some(true) {
                    "eagerZeroedThick"
                } else {
                    "thick"
                }
            );
            assert_eq!(d["disk_mode"], b.disk_mode.as_str());
            let ds = d["datastore"].as_str().unwrap();
            assert!(b.file_name.starts_with(&format!("[{ds}] ")), "{d}");
        }

        let nics: Vec<_> = all.iter().filter(|(d, _)| d["kind"] == "nic").collect();
        assert!(!nics.is_empty(), "{} has no NIC: {vm}", sim_vm.name);
        for (n, _) in &nics {
            let mac = n["mac_address"].as_str().unwrap();
            assert!(is_mac(mac), "{mac}");
            let raw_nic = sim_vm
                .devices
                .iter()
                .find(|r| i64::from(r.key) == n["key"].as_i64().unwrap())
                .unwrap();
            assert_eq!(raw_mac(raw_nic), Some(Some(mac.into())));
            let net = n["network"].as_str().unwrap();
            assert!(networks.contains(net), "{net} is not in {networks:?}");
            assert!(!n["adapter"].as_str().unwrap().is_empty());
        }
    }

    // The table says the same.
    let out = list_devices(&sim, &[]);
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    // One block per VM, a blank line apart, in the same order.
    let blocks: Vec<&str> = table.split("\n\n").collect();
    assert_eq!(blocks.len(), vms.len(), "{table}");
    for (vm, block) in vms.iter().zip(blocks) {
        let heading = format!(
            "{} ({})",
            vm["name"].as_str().unwrap(),
            vm["id"].as_str().unwrap()
        );
        assert_eq!(block.lines().next(), Some(heading.as_str()), "{table}");
        let mut all = Vec::new();
        flatten(&vm["devices"], None, &mut all);
        // The heading, the column names, one line per device.
        assert_eq!(block.lines().count(), all.len() + 2, "{block}");
        for (d, _) in all {
            let label = d["label"].as_str().unwrap();
            let line = block
                .lines()
                .find(|l| l.contains(label) && l.contains(&format!("  {}  ", d["key"])))
                .unwrap_or_else(|| panic!("no line for {d}: {block}"));
            if let Some(mac) = d["mac_address"].as_str() {
                assert!(line.contains(mac), "{line}");
                assert!(line.contains(d["network"].as_str().unwrap()), "{line}");
            }
            if let Some(file) = d["file"].as_str() {
                assert!(line.contains(file), "{line}");
            }
        }
    }
}

#[tokio::test]
async fn one_vm_by_name_path_or_uuid_and_a_missing_one_fails() {
    let Some(sim) = Vcsim::start_or_skip(&Options::default()) else {
        return;
    };
    let (raw, _) = read_simulator(&sim).await;
    let all = json_of(&list_devices(&sim, &["--json"]));
    let vm = &raw[raw.len() - 1];
    let expected = all
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == vm.name.as_str())
        .unwrap();
    let path = format!("/DC0/vm/{}", vm.name);
    for arg in [vm.name.as_str(), path.as_str(), vm.uuid.as_str()] {
        let one = json_of(&list_devices(&sim, &["--json", arg]));
        assert_eq!(
            one.as_array().unwrap(),
            std::slice::from_ref(expected),
            "{arg}"
        );
    }
    let out = list_devices(&sim, &[&path]);
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        table.lines().next(),
        Some(format!("{} ({})", vm.name, vm.id).as_str())
    );

    for (arg, says) in [
        ("no-such-vm-3c1d", "no virtual machine is named \"no-such-vm-3c1d\"".to_string()),
        (
            "00000000-0000-0000-0000-00000000abcd",
            "no virtual machine is named \"00000000-0000-0000-0000-00000000abcd\" or has it as BIOS or instance UUID".to_string(),
        ),
        (
            "/DC0/vm/no-such-vm-3c1d",
            "inventory path \"/DC0/vm/no-such-vm-3c1d\" not found".to_string(),
        ),
        ("/DC0/vm", "/DC0/vm is a Folder, not a virtual machine".to_string()),
    ] {
        let out = list_devices(&sim, &[arg]);
        assert_eq!(out.status.code(), Some(1), "{arg}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("list-devices: "), "{err}");
        assert!(err.contains(&says), "{arg}: {err}");
        assert!(out.stdout.is_empty(), "{arg}");
    }
}
