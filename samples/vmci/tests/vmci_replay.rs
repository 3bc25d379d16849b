//! `vmci plan` and `vmci up` from cassettes, run as the binary with no
//! network at all (`unshare -rn`): the example spec and policy of
//! `examples/vmci`, the clock and build id pinned so the requests are the
//! recorded ones. `VMOMI_RECORD=1` records both anew against the simulator
//! (`scripts/record-cassettes`).

use std::path::PathBuf;
use std::process::{Command, Output};
use vmomi_tests::tape::{cassette_dir, recording};
use vmomi_tests::vcsim::{Options, PASSWORD, USER, Vcsim};

/// The clock and build every recording and replay uses.
const NOW: &str = "1893456000";
const BUILD: &str = "1234";

fn example() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/vmci"))
}

fn base(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vmci"));
    c.args(args)
        .args(["--concurrency", "1"])
        .current_dir(example())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("VMCI_NOW", NOW)
        .env("VMCI_BUILD", BUILD);
    c
}

/// Records `cassettes/<name>.json` from a fresh simulator.
fn record(name: &str, args: &[&str]) {
    let sim = Vcsim::start_or_skip(&Options {
        ci: true,
        ..Default::default()
    })
    .expect("recording needs the simulator");
    let out = base(args)
        .env("VSPHERE_URL", &sim.url)
        .env("VSPHERE_USER", USER)
        .env("VSPHERE_PASSWORD", PASSWORD)
        .env(
            "VSPHERE_RECORD",
            cassette_dir().join(format!("{name}.json")),
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Replays `cassettes/<name>.json` in a namespace without a network.
fn replay(name: &str, args: &[&str]) -> Option<Output> {
    let mut c = Command::new("unshare");
    c.arg("-rn").arg(env!("CARGO_BIN_EXE_vmci"));
    let b = base(args);
    c.args(b.get_args())
        .current_dir(example())
        .env_clear()
        .env("VMCI_NOW", NOW)
        .env("VMCI_BUILD", BUILD)
        .env(
            "VSPHERE_CASSETTE",
            cassette_dir().join(format!("{name}.json")),
        )
        .env("VSPHERE_USER", USER)
        .env("VSPHERE_PASSWORD", "any password: the cassette has none");
    match c.output() {
        Ok(o) => Some(o),
        Err(e) if std::env::var("CI").as_deref() != Ok("true") => {
            eprintln!("skipping: unshare is unavailable ({e})");
            None
        }
        Err(e) => panic!("unshare is needed to prove offline replay: {e}"),
    }
}

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn plan_replays_offline() {
    let args = ["plan", "--json"];
    if recording() {
        return record("vmci-plan", &args);
    }
    let Some(out) = replay("vmci-plan", &args) else {
        return;
    };
    let plan = json(&out);
    let vms = plan["vms"].as_array().unwrap();
    assert!(!vms.is_empty(), "{plan}");
    assert!(vms.iter().all(|v| v["exists"] == false), "{plan}");
}

#[test]
fn up_replays_offline() {
    let args = ["up", "--json"];
    if recording() {
        return record("vmci-up", &args);
    }
    let Some(out) = replay("vmci-up", &args) else {
        return;
    };
    let up = json(&out);
    let vms = up.as_array().unwrap();
    assert!(!vms.is_empty(), "{up}");
    for vm in vms {
        assert_eq!(vm["created"], true, "{vm}");
        assert!(vm["ip"].as_str().unwrap().starts_with("10.0."), "{vm}");
    }
}
