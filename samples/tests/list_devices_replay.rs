//! `list-devices` from a cassette (`cassettes/list-devices.json`, every VM of
//! a simulator with one VM per resource pool): the library function against
//! a replayed client, and the binary itself run with networking unavailable
//! (a fresh network namespace) and only `VSPHERE_CASSETTE` pointing at the
//! recording, printing what the library reads. Re-record with
//! `VMOMI_RECORD=1 cargo test -p vmomi-samples --test list_devices_replay`.

use std::process::Command;
use vmomi_samples::devices::{Info, VmDevices, list_devices};
use vmomi_tests::tape::{Tape, cassette_dir, recording};
use vmomi_tests::vcsim::Options;

fn options() -> Options {
    Options {
        vm: 1,
        ..Default::default()
    }
}

/// Every VM of the cassette, read through the library.
async fn replayed(tape: &Tape) -> Vec<VmDevices> {
    let client = tape.client().connect().await.unwrap();
    let vms = list_devices(&client, None)
        .await
        .unwrap()
        .expect("every VM, no lookup");
    client.logout().await.unwrap();
    vms
}

#[tokio::test]
async fn list_devices_from_the_cassette() {
    let Some(tape) = Tape::open("list-devices", &options()) else {
        return;
    };
    let vms = replayed(&tape).await;
    if let Some(sim) = tape.sim() {
        let mut expected = sim.vms.clone();
        expected.sort();
        let names: Vec<&str> = vms.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, expected);
    }
    // 1 standalone host and 1 cluster, each with one VM.
    assert_eq!(vms.len(), 2);
    for vm in &vms {
        // A disk under a SCSI controller, with its file on LocalDS_0.
        let disk = vm
            .flatten()
            .into_iter()
            .filter(|d| matches!(d.info, Info::Controller { .. }))
            .flat_map(|c| c.devices.iter())
            .find_map(|d| match &d.info {
                Info::Disk(disk) => Some(disk),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{} has no disk under a controller", vm.name));
        assert_eq!(disk.datastore.as_deref(), Some("LocalDS_0"));
        assert!(
            disk.file
                .as_deref()
                .unwrap()
                .starts_with(&format!("[LocalDS_0] {}/", vm.name)),
            "{disk:?}"
        );
        assert_eq!(disk.capacity_bytes, 1 << 20);
        // A NIC on the distributed port group, named through its key.
        let nic = vm
            .flatten()
            .into_iter()
            .find_map(|d| match &d.info {
                Info::Nic(n) => Some(n),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{} has no NIC", vm.name));
        assert_eq!(nic.network.as_deref(), Some("DC0_DVPG0"), "{nic:?}");
        assert!(nic.portgroup_key.is_some(), "{nic:?}");
        assert!(nic.mac_address.is_some(), "{nic:?}");
    }
    tape.finish();
}

#[tokio::test]
async fn the_binary_replays_without_a_network() {
    if recording() {
        return;
    }
    let cassette = cassette_dir().join("list-devices.json");
    let run = |json: bool| {
        // `unshare -rn`: a new user and network namespace with no interface
        // but a down loopback, so any network access would fail.
        let mut cmd = Command::new("unshare");
        cmd.args(["-rn"]).arg(env!("CARGO_BIN_EXE_list-devices"));
        if json {
            cmd.arg("--json");
        }
        cmd.env_clear()
            .env("VSPHERE_CASSETTE", &cassette)
            .env("VSPHERE_USER", "user")
            .env("VSPHERE_PASSWORD", "any password: the cassette has none")
            .output()
    };
    let out = match run(true) {
        Ok(o) => o,
        Err(e) if std::env::var("CI").as_deref() != Ok("true") => {
            eprintln!("skipping: unshare is unavailable ({e})");
            return;
        }
        Err(e) => panic!("unshare is needed to prove offline replay: {e}"),
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();

    // What the library reads from the same cassette, printed both ways.
    let tape = Tape::open("list-devices", &options()).expect("the cassette");
    let vms = replayed(&tape).await;
    tape.finish();
    assert_eq!(
        json,
        serde_json::Value::Array(vms.iter().map(VmDevices::to_json).collect())
    );
    let out = run(false).unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        vmomi_samples::devices::render(&vms)
    );
}
