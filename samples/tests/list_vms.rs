//! `list-vms` against the simulator, configured only through the environment
//! as users run it: it lists exactly the simulator's VMs, as a table and as
//! JSON, and a bad password fails with a clear message and exit status.

use std::process::Command;
use vmomi_tests::faultsrv::{FaultServer, Reply, fault_envelope};
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

/// `list-vms` with a clean environment plus `vars`.
fn run_with(vars: &[(&str, &str)], args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_list-vms"));
    cmd.args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("VSPHERE_") || k.starts_with("GOVC_") || k == "RUST_LOG" {
            cmd.env_remove(k);
        }
    }
    cmd.envs(vars.iter().copied());
    cmd.output().expect("list-vms runs")
}

fn temp_file(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("vmomi-samples-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join(name);
    let _ = std::fs::remove_file(&f);
    f
}

#[test]
fn vsphere_record_writes_a_cassette_on_success_and_on_error() {
    let Some(sim) = Vcsim::start_or_skip(&Options::default()) else {
        return;
    };
    let ok = temp_file("ok.json");
    let out = run_with(
        &[
            ("VSPHERE_URL", &sim.url),
            ("VSPHERE_USER", USER),
            ("VSPHERE_PASSWORD", PASSWORD),
            ("VSPHERE_RECORD", ok.to_str().unwrap()),
        ],
        &["--json"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cassette = std::fs::read_to_string(&ok).expect("the cassette was written");
    assert!(cassette.contains("RetrievePropertiesEx"), "{cassette}");
    assert!(cassette.contains("Logout"), "close() ran before saving");
    assert!(!cassette.contains(PASSWORD));
    // It replays to the same output, with no server.
    let replayed = run_with(
        &[
            ("VSPHERE_CASSETTE", ok.to_str().unwrap()),
            ("VSPHERE_USER", USER),
            ("VSPHERE_PASSWORD", "x"),
        ],
        &["--json"],
    );
    assert!(
        replayed.status.success(),
        "{}",
        String::from_utf8_lossy(&replayed.stderr)
    );
    assert_eq!(replayed.stdout, out.stdout);

    let failed = temp_file("failed.json");
    let out = run_with(
        &[
            ("VSPHERE_URL", &sim.url),
            ("VSPHERE_USER", USER),
            ("VSPHERE_PASSWORD", "wrong-password"),
            ("VSPHERE_RECORD", failed.to_str().unwrap()),
        ],
        &[],
    );
    assert!(!out.status.success());
    let cassette = std::fs::read_to_string(&failed).expect("written on error too");
    assert!(cassette.contains("InvalidLogin"), "{cassette}");
    assert!(!cassette.contains("wrong-password"));
}

#[test]
fn url_credentials_and_the_environment_have_one_precedence() {
    let Some(sim) = Vcsim::start_or_skip(&Options::default()) else {
        return;
    };
    let with_creds = sim
        .url
        .replace("http://", &format!("http://{USER}:{PASSWORD}@"));
    // The same user in VSPHERE_USER: the URL's password is used.
    let out = run_with(&[("VSPHERE_URL", &with_creds), ("VSPHERE_USER", USER)], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // VSPHERE_PASSWORD wins over the URL's.
    let wrong = sim.url.replace("http://", &format!("http://{USER}:wrong@"));
    let out = run_with(
        &[("VSPHERE_URL", &wrong), ("VSPHERE_PASSWORD", PASSWORD)],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Another user in VSPHERE_USER does not borrow the URL's password.
    let out = run_with(
        &[("VSPHERE_URL", &with_creds), ("VSPHERE_USER", "other")],
        &[],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("VSPHERE_USER") && err.contains("VSPHERE_PASSWORD"),
        "{err}"
    );
    assert!(!err.contains(PASSWORD), "{err}");
}

#[test]
fn a_password_without_a_user_is_a_configuration_error() {
    let out = run_with(
        &[
            ("VSPHERE_URL", "http://127.0.0.1:9/sdk"),
            ("VSPHERE_PASSWORD", "lonely-secret"),
        ],
        &[],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("client configuration"), "{err}");
    assert!(
        err.contains("VSPHERE_USER"),
        "names the missing variable: {err}"
    );
    assert!(!err.contains("lonely-secret"), "{err}");
}

#[test]
fn a_failed_run_logs_out_every_time() {
    let Some(sim) = Vcsim::start_or_skip(&Options::default()) else {
        return;
    };
    let srv = FaultServer::start(Some(&sim.addr), |req| {
        if req.operation.as_deref() == Some("RetrievePropertiesEx") {
            Reply::Respond {
                status: 500,
                content_type: "text/xml; charset=utf-8",
                body: fault_envelope("SystemError", "injected failure"),
            }
        } else {
            Reply::Forward
        }
    });
    const RUNS: usize = 5;
    for run in 1..=RUNS {
        let out = run_with(
            &[
                ("VSPHERE_URL", &srv.url),
                ("VSPHERE_USER", USER),
                ("VSPHERE_PASSWORD", PASSWORD),
            ],
            &[],
        );
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("injected failure"), "{err}");
        // The binary has exited: its Logout was sent before, not raced.
        assert_eq!(srv.count("Login"), run);
        assert_eq!(
            srv.count("Logout"),
            run,
            "run {run} left its session behind"
        );
    }
}

#[test]
fn timeout_comes_from_the_flag_or_vsphere_timeout() {
    let Some(sim) = Vcsim::start_or_skip(&Options::default()) else {
        return;
    };
    let srv = FaultServer::start(Some(&sim.addr), |req| {
        if req.operation.as_deref() == Some("RetrievePropertiesEx") {
            Reply::Hang
        } else {
            Reply::Forward
        }
    });
    let base = [
        ("VSPHERE_URL", srv.url.as_str()),
        ("VSPHERE_USER", USER),
        ("VSPHERE_PASSWORD", PASSWORD),
    ];
    let mut env_timeout = base.to_vec();
    env_timeout.push(("VSPHERE_TIMEOUT", "1s"));
    for (vars, args, limit) in [
        (base.to_vec(), vec!["--timeout", "1"], "1 s"),
        (env_timeout.clone(), vec![], "1 s"),
        // The flag wins over the variable.
        (
            {
                let mut v = base.to_vec();
                v.push(("VSPHERE_TIMEOUT", "10m"));
                v
            },
            vec!["--timeout", "500ms"],
            "0.5 s",
        ),
    ] {
        let out = run_with(&vars, &args);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("RetrievePropertiesEx"), "{err}");
        assert!(err.contains("timed out"), "{err}");
        assert!(err.contains(&format!("the limit is {limit}")), "{err}");
    }
    let out = run_with(&base, &["--timeout", "soon"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a positive duration"));
    let mut bad = base.to_vec();
    bad.push(("VSPHERE_TIMEOUT", "forever"));
    let out = run_with(&bad, &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("VSPHERE_TIMEOUT"), "{err}");
}
