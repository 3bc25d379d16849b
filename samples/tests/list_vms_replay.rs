//! `list-vms` from a cassette: the library function against a replayed
//! client, and the binary itself run with networking unavailable (a fresh
//! network namespace) and only `VSPHERE_CASSETTE` pointing at the recording.

use std::process::Command;
use vmomi_tests::tape::{Tape, cassette_dir, recording};
use vmomi_tests::vcsim::Options;

fn options() -> Options {
    Options {
        vm: 3,
        ..Default::default()
    }
}

#[tokio::test]
async fn list_vms_from_the_cassette() {
    let Some(tape) = Tape::open("list-vms", &options()) else {
        return;
    };
    let client = tape.client().connect().await.unwrap();
    let rows = vmomi_samples::vms::list_vms(&client).await.unwrap();
    client.logout().await.unwrap();
    if let Some(sim) = tape.sim() {
        let mut expected = sim.vms.clone();
        expected.sort();
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, expected);
    }
    // 1 standalone host and 1 cluster, each with 3 VMs, all powered on.
    assert_eq!(rows.len(), 6);
    assert!(rows.iter().all(|r| r.power_state == "poweredOn"));
    assert!(
        rows.iter()
            .all(|r| r.cpus.is_some() && r.memory_mb.is_some())
    );
    tape.finish();
}

#[test]
fn the_binary_replays_without_a_network() {
    if recording() {
        return;
    }
    let cassette = cassette_dir().join("list-vms.json");
    // `unshare -rn`: a new user and network namespace with no interface but
    // a down loopback, so any network access would fail.
    let out = Command::new("unshare")
        .args(["-rn"])
        .arg(env!("CARGO_BIN_EXE_list-vms"))
        .arg("--json")
        .env_clear()
        .env("VSPHERE_CASSETTE", &cassette)
        .env("VSPHERE_USER", "user")
        .env("VSPHERE_PASSWORD", "any password: the cassette has none")
        .output();
    let out = match out {
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
    assert_eq!(json.as_array().unwrap().len(), 6);
}
