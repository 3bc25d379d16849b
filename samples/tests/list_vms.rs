//! `list-vms` against the simulator, configured only through the environment
//! as users run it: it lists exactly the simulator's VMs, as a table and as
//! JSON, and a bad password fails with a clear message and exit status.

use std::process::Command;
use vmomi_tests::vcsim::{Options, PASSWORD, USER, Vcsim};

fn list_vms(sim: &Vcsim, password: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_list-vms"))
        .args(args)
        .env_remove("VSPHERE_URL")
        .env_remove("VSPHERE_USER")
        .env_remove("VSPHERE_PASSWORD")
        .env_remove("VSPHERE_INSECURE")
        .env_remove("VSPHERE_THUMBPRINT")
        // govc's names, to prove the fallbacks.
        .env("GOVC_URL", &sim.url)
        .env("GOVC_USERNAME", USER)
        .env("GOVC_PASSWORD", password)
        .output()
        .expect("list-vms runs")
}

#[test]
fn lists_exactly_the_simulators_vms() {
    let Some(sim) = Vcsim::start_or_skip(&Options {
        vm: 3,
        ..Default::default()
    }) else {
        return;
    };
    let mut expected = sim.vms.clone();
    expected.sort();
    // 1 standalone host and 1 cluster, each with one resource pool of 3 VMs.
    assert_eq!(expected.len(), 6, "{expected:?}");

    let out = list_vms(&sim, PASSWORD, &["--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = json.as_array().unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, expected);
    for r in rows {
        assert_eq!(r["power_state"], "poweredOn", "{r}");
        assert!(r["cpus"].as_i64().unwrap() >= 1, "{r}");
        assert!(r["memory_mb"].as_i64().unwrap() >= 32, "{r}");
        assert!(r["id"].as_str().unwrap().starts_with("vm-"), "{r}");
        assert!(r["guest_os"].is_string(), "{r}");
    }

    let out = list_vms(&sim, PASSWORD, &[]);
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("NAME"), "{table}");
    let listed: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(listed, expected);
}

#[test]
fn a_wrong_password_fails_with_the_fault_name() {
    let Some(sim) = Vcsim::start_or_skip(&Options::default()) else {
        return;
    };
    let out = list_vms(&sim, "wrong-password", &[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("InvalidLogin"), "{err}");
    assert!(!err.contains("wrong-password"), "{err}");
    assert!(out.stdout.is_empty());
}
