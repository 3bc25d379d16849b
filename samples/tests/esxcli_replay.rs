//! `esxcli` from a cassette (`cassettes/esxcli.json`, the simulator's ESXCLI
//! fixture): the library against a replayed client, on the older (6.0) host
//! through the 6.5 vCenter, and the binary itself run with networking
//! unavailable (a fresh network namespace), printing what the library reads.
//! Re-record with `VMOMI_RECORD=1 cargo test -p vmomi-samples --test esxcli_replay`.

use std::process::Command;
use vmomi::types::AnyMethodFault;
use vmomi_samples::esxcli::{parse_command_line, render, run};
use vmomi_tests::tape::{Tape, cassette_dir, recording};
use vmomi_tests::vcsim::Options;

/// The host the fixture makes ESXi 6.0 (the first standalone host).
const OLD_HOST: &str = "DC0_H0";

fn options() -> Options {
    Options {
        esxcli: true,
        ..Default::default()
    }
}

#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Version {
    product: String,
    version: String,
}

#[tokio::test]
async fn esxcli_on_the_older_host_from_the_cassette() {
    let Some(tape) = Tape::open("esxcli", &options()) else {
        return;
    };
    if let Some(sim) = tape.sim() {
        assert_eq!(sim.esxcli_old_host.as_deref(), Some(OLD_HOST));
    }
    let client = tape.client().connect().await.unwrap();
    assert_eq!(client.release().as_str(), "6.5");

    let line = parse_command_line(&["system", "version", "get"]);
    let version: Version = run(&client, OLD_HOST, None, &line)
        .await
        .unwrap()
        .deserialize_into()
        .unwrap();
    assert_eq!(
        (version.product.as_str(), version.version.as_str()),
        ("VMware ESXi", "6.0.0")
    );

    let vibs = run(
        &client,
        OLD_HOST,
        None,
        &parse_command_line(&["software", "vib", "list"]),
    )
    .await
    .unwrap();
    let table = render(&vibs);
    let header = table.lines().next().unwrap();
    assert!(header.starts_with("AcceptanceLevel"), "{table}");
    assert_eq!(table.lines().count(), 1 + 4, "{table}");

    // Pinned to the vCenter's release: the older host refuses it.
    let err = run(&client, OLD_HOST, Some("6.5"), &line)
        .await
        .unwrap_err();
    assert!(
        matches!(err.fault(), Some(AnyMethodFault::InvalidArgument(f)) if f.invalid_property.as_deref() == Some("version")),
        "{err}"
    );
    client.logout().await.unwrap();
    tape.finish();
}

#[tokio::test]
async fn the_binary_replays_without_a_network() {
    if recording() {
        return;
    }
    let cassette = cassette_dir().join("esxcli.json");
    let run_bin = |json: bool| {
        let mut cmd = Command::new("unshare");
        cmd.args(["-rn"]).arg(env!("CARGO_BIN_EXE_esxcli"));
        cmd.args(["--host", OLD_HOST]);
        if json {
            cmd.arg("--json");
        }
        cmd.args(["software", "vib", "list"])
            .env_clear()
            .env("VSPHERE_CASSETTE", &cassette)
            .env("VSPHERE_USER", "user")
            .env("VSPHERE_PASSWORD", "any password: the cassette has none")
            .output()
    };
    let out = match run_bin(true) {
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
    let vibs = json.as_array().expect("a JSON array of VIBs");
    assert_eq!(vibs.len(), 4);
    assert!(
        vibs.iter()
            .any(|v| v["Name"] == "esx-base" && v["Vendor"] == "VMware"),
        "{json}"
    );

    let out = run_bin(false).unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().any(|l| l.contains("esx-base")), "{text}");
}
