//! `vmci` end to end against the simulator with the vmci fixture
//! (`Options::ci`: templates, a folder `/DC0/vm/ci` that refuses duplicate
//! names as vCenter does, a guest agent that reports IPs): the binary is run
//! as a CI job runs it, from a folder holding the spec, with the connection
//! in the environment and the policy in `VMCI_POLICY`.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use vmomi_tests::vcsim::{Options, PASSWORD, USER, Vcsim};

const POLICY: &str = "\
folder: /DC0/vm/ci
resource_pool: /DC0/host/DC0_C0/Resources
datastore: LocalDS_0
templates: [debian-12-ci, ubuntu-24.04-ci]
networks: [VM Network, DC0_DVPG0]
limits:
  cpus: 4
  memory: 8GiB
  disk: 100GiB
  count: 6
  lifetime: 8h
  default_lifetime: 2h
quota:
  vms: 8
  cpus: 16
  memory: 32GiB
";

fn spec(repository: &str, count: u32, cpus: u32) -> String {
    format!(
        "\
repository: {repository}
vms:
  - role: builder
    template: debian-12-ci
    count: {count}
    cpus: {cpus}
    memory: 1GiB
    network: VM Network
    lifetime: 1h
"
    )
}

/// A folder with a spec and a policy file, removed when dropped.
struct Repo {
    dir: PathBuf,
    policy: PathBuf,
}

impl Repo {
    fn new(name: &str, spec: &str) -> Self {
        Self::with_policy(name, spec, POLICY)
    }

    fn with_policy(name: &str, spec: &str, policy_text: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("vmci-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src/deep")).unwrap();
        std::fs::write(dir.join(".vsphere-ci.yml"), spec).unwrap();
        let policy = dir.join("ops-policy.yml");
        std::fs::write(&policy, policy_text).unwrap();
        Self { dir, policy }
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn vmci_cmd(sim: &Vcsim, repo: &Repo, build: &str, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vmci"));
    c.args(args)
        // From a subfolder: the spec is found upward, as in a checkout.
        .current_dir(repo.dir.join("src/deep"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("VSPHERE_URL", &sim.url)
        .env("VSPHERE_USER", USER)
        .env("VSPHERE_PASSWORD", PASSWORD)
        .env("VMCI_POLICY", &repo.policy)
        .env("VMCI_BUILD", build);
    c
}

fn vmci(sim: &Vcsim, repo: &Repo, build: &str, args: &[&str]) -> Output {
    vmci_cmd(sim, repo, build, args)
        .output()
        .expect("vmci runs")
}

fn ok_json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "vmci failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

fn start() -> Option<Vcsim> {
    Vcsim::start_or_skip(&Options {
        ci: true,
        ..Default::default()
    })
}

/// The names of the VMs in the build folder, as vCenter holds them.
fn folder_vms(sim: &Vcsim) -> Vec<String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = vmomi::Client::builder()
            .url(&sim.url)
            .credentials(USER, PASSWORD)
            .connect()
            .await
            .unwrap();
        let found = vmomi::find::Finder::new(&client).find("/DC0/vm/ci/*").await;
        client.close().await.unwrap();
        let mut names: Vec<String> = match found {
            Ok(f) => f
                .into_iter()
                .filter(|f| f.obj.r#type == "VirtualMachine")
                .map(|f| f.path.trim_start_matches("/DC0/vm/ci/").to_string())
                .collect(),
            Err(vmomi::Error::NotFound { .. }) => Vec::new(),
            Err(e) => panic!("{e}"),
        };
        names.sort();
        names
    })
}

/// Clones a VM into the build folder without labels, as a person would.
fn unlabelled_vm(sim: &Vcsim, name: &str) {
    use vmomi::prelude::*;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = vmomi::Client::builder()
            .url(&sim.url)
            .credentials(USER, PASSWORD)
            .connect()
            .await
            .unwrap();
        let finder = vmomi::find::Finder::new(&client);
        let template = finder.by_path("/DC0/vm/debian-12-ci").await.unwrap().obj;
        let folder = finder.by_path("/DC0/vm/ci").await.unwrap().obj;
        let pool = finder
            .by_path("/DC0/host/DC0_C0/Resources")
            .await
            .unwrap()
            .obj;
        let mut spec = vmomi::types::VirtualMachineCloneSpec::default();
        spec.location.pool = Some(pool);
        client
            .view::<vmomi::mo::VirtualMachine>(template)
            .clone_vm_task(folder, name.to_string(), spec)
            .await
            .unwrap()
            .wait()
            .await
            .unwrap();
        client.close().await.unwrap();
    })
}

fn names_of(json: &serde_json::Value) -> Vec<String> {
    let mut n: Vec<String> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap().to_string())
        .collect();
    n.sort();
    n
}

#[test]
fn plan_up_again_status_down() {
    let Some(sim) = start() else { return };
    let repo = Repo::new("cycle", &spec("acme/widget", 3, 2));

    let plan = ok_json(&vmci(&sim, &repo, "42", &["plan", "--json"]));
    let planned: Vec<&str> = plan["vms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(planned.len(), 3, "{plan}");
    assert!(folder_vms(&sim).is_empty(), "plan makes nothing");

    let up = ok_json(&vmci(
        &sim,
        &repo,
        "42",
        &["up", "--json", "--concurrency", "3"],
    ));
    let made = names_of(&up);
    let mut planned_sorted: Vec<String> = planned.iter().map(|s| s.to_string()).collect();
    planned_sorted.sort();
    assert_eq!(made, planned_sorted);
    for vm in up.as_array().unwrap() {
        assert_eq!(vm["created"], true, "{vm}");
        assert_eq!(vm["power_state"], "poweredOn", "{vm}");
        assert_eq!(vm["cpus"], 2, "{vm}");
        assert_eq!(vm["memory_mb"], 1024, "{vm}");
        assert!(vm["ip"].as_str().unwrap().starts_with("10.0."), "{vm}");
    }
    assert_eq!(folder_vms(&sim), made);

    // A second up of the same build makes nothing and reports the same VMs.
    let again = ok_json(&vmci(&sim, &repo, "42", &["up", "--json"]));
    assert_eq!(names_of(&again), made);
    assert!(
        again
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["created"] == false),
        "{again}"
    );
    assert_eq!(folder_vms(&sim), made);

    // --env for the CI job.
    let env = vmci(&sim, &repo, "42", &["up", "--env"]);
    assert!(env.status.success());
    let env = String::from_utf8(env.stdout).unwrap();
    assert!(env.contains("VMCI_BUILDER_1_IP='10.0."), "{env}");
    assert!(
        env.lines()
            .any(|l| l.starts_with("VMCI_BUILDER_IPS='10.0.")),
        "{env}"
    );

    // Another build of the same repository, to prove down takes only its own.
    let other = ok_json(&vmci(&sim, &repo, "43", &["up", "--json"]));
    assert_eq!(other.as_array().unwrap().len(), 3);

    let status = ok_json(&vmci(&sim, &repo, "42", &["status", "--json"]));
    assert_eq!(status["build"], "42");
    assert_eq!(names_of(&status["vms"]), made);

    let down = ok_json(&vmci(&sim, &repo, "42", &["down", "--json"]));
    let mut gone: Vec<String> = down["destroyed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    gone.sort();
    assert_eq!(gone, made);
    assert_eq!(folder_vms(&sim), names_of(&other), "build 43 is untouched");
    let status = ok_json(&vmci(&sim, &repo, "42", &["status", "--json"]));
    assert!(status["vms"].as_array().unwrap().is_empty(), "{status}");
}

#[test]
fn reap_takes_only_expired_labelled_vms() {
    let Some(sim) = start() else { return };
    let repo = Repo::new("reap", &spec("acme/reap", 2, 1));
    let now: i64 = 1_900_000_000;
    let mut up = vmci_cmd(&sim, &repo, "7", &["up", "--json"]);
    up.env("VMCI_NOW", now.to_string());
    let made = names_of(&ok_json(&up.output().unwrap()));
    // A VM a person made in the folder, with the name vmci chooses for
    // build 8's first VM.
    let plan8 = ok_json(&vmci(&sim, &repo, "8", &["plan", "--json"]));
    let squatter = plan8["vms"][0]["name"].as_str().unwrap().to_string();
    unlabelled_vm(&sim, &squatter);

    // Before the lifetime (1h) is over nothing goes.
    let mut reap = vmci_cmd(&sim, &repo, "7", &["reap", "--json"]);
    reap.env("VMCI_NOW", (now + 1800).to_string());
    let early = ok_json(&reap.output().unwrap());
    assert!(early["reaped"].as_array().unwrap().is_empty(), "{early}");

    let mut reap = vmci_cmd(&sim, &repo, "7", &["reap", "--json"]);
    reap.env("VMCI_NOW", (now + 3601).to_string());
    let late = ok_json(&reap.output().unwrap());
    let mut reaped: Vec<String> = late["reaped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    reaped.sort();
    assert_eq!(reaped, made);
    assert_eq!(
        folder_vms(&sim),
        vec![squatter.clone()],
        "the unlabelled VM survives"
    );

    // And up never adopts the unlabelled VM of its name.
    let out = vmci(&sim, &repo, "8", &["up"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&squatter) && err.contains("without vmci's labels"),
        "{err}"
    );
}

#[test]
fn a_refused_spec_lists_every_reason_and_report_counts_it() {
    let Some(sim) = start() else { return };
    // 16 CPUs (limit 4), 7 VMs (limit 6), a template and a network the
    // policy does not offer.
    let bad = "\
repository: acme/greedy
vms:
  - role: huge
    template: windows-2022
    count: 7
    cpus: 16
    memory: 1GiB
    network: Secret Net
";
    let repo = Repo::new("refused", bad);
    let out = vmci(&sim, &repo, "1", &["plan"]);
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in ["windows-2022", "16", "Secret Net", "7", "debian-12-ci"] {
        assert!(text.contains(needle), "{needle} missing in:\n{text}");
    }
    let out = vmci(&sim, &repo, "1", &["up", "--json"]);
    assert!(!out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let reasons = json["refused"]["reasons"].as_array().unwrap();
    let rules: Vec<&str> = reasons
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    for rule in ["template", "network", "cpus", "count"] {
        assert!(rules.contains(&rule), "{rule} missing: {rules:?}");
    }
    assert!(folder_vms(&sim).is_empty(), "a refused up makes nothing");

    let report = ok_json(&vmci(&sim, &repo, "1", &["report", "--json"]));
    let greedy = report
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["repository"] == "acme/greedy")
        .unwrap_or_else(|| panic!("no acme/greedy in {report}"));
    assert_eq!(greedy["refused"], 2, "plan and up: {greedy}");
    assert_eq!(greedy["refused_by_rule"]["cpus"], 2, "{greedy}");
    assert_eq!(greedy["refused_asked"]["cpus"], 2 * 7 * 16, "{greedy}");
    assert_eq!(greedy["vms"], 0);
}

#[test]
fn malformed_documents_name_file_line_and_column() {
    let Some(sim) = start() else { return };
    let repo = Repo::new(
        "malformed",
        "repository: acme/x\nvms:\n  - role: b\n    template: debian-12-ci\n    count: 1\n    cpu: 2\n    memory: 1GiB\n",
    );
    let out = vmci(&sim, &repo, "1", &["plan"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(".vsphere-ci.yml:6:"), "{err}");
    assert!(err.contains("cpu"), "{err}");

    let repo = Repo::new("malformed-policy", &spec("acme/x", 1, 1));
    std::fs::write(
        &repo.policy,
        POLICY.replace("  cpus: 4\n", "  cpus: four\n"),
    )
    .unwrap();
    let out = vmci(&sim, &repo, "1", &["plan"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ops-policy.yml:7:"), "{err}");
    assert!(err.contains("cpus"), "{err}");
}

#[test]
fn two_ups_at_once_make_each_vm_once() {
    let Some(sim) = start() else { return };
    let repo = Repo::new("race", &spec("acme/race", 4, 1));
    let spawn = || {
        vmci_cmd(&sim, &repo, "5", &["up", "--json", "--concurrency", "4"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let (a, b) = (ok_json(&a), ok_json(&b));
    assert_eq!(names_of(&a), names_of(&b));
    assert_eq!(folder_vms(&sim), names_of(&a), "each VM once");
    let made_by_a = a
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["created"] == true)
        .count();
    let made_by_b = b
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["created"] == true)
        .count();
    assert_eq!(
        made_by_a + made_by_b,
        4,
        "each VM made by exactly one run: {a} {b}"
    );
}

#[test]
fn an_up_killed_mid_way_converges_when_run_again() {
    use std::io::{BufRead, BufReader};
    let Some(sim) = start() else { return };
    let repo = Repo::new("killed", &spec("acme/killed", 3, 1));
    let mut child = vmci_cmd(&sim, &repo, "9", &["up", "--concurrency", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut seen = Vec::new();
    for line in BufReader::new(stderr).lines() {
        let line = line.unwrap();
        let started = line.contains("cloning from");
        seen.push(line);
        if started {
            child.kill().unwrap();
            break;
        }
    }
    child.wait().unwrap();
    assert!(seen.iter().any(|l| l.contains("cloning from")), "{seen:?}");
    assert!(folder_vms(&sim).len() < 3, "killed before all were made");

    let up = ok_json(&vmci(&sim, &repo, "9", &["up", "--json"]));
    assert_eq!(up.as_array().unwrap().len(), 3);
    assert_eq!(folder_vms(&sim), names_of(&up), "exactly the requested VMs");
    assert!(
        up.as_array()
            .unwrap()
            .iter()
            .all(|v| v["power_state"] == "poweredOn")
    );
}

/// The "vSAN Default Storage Policy" of govmomi's PBM simulator: compatible
/// only with datastores of type vsan (`tests/vcsim/pbm.go`).
const VSAN_POLICY_ID: &str = "aa6d5a82-1c88-45da-85d3-3d74b91a5bad";

fn storage_spec(policy: &str) -> String {
    format!(
        "\
repository: acme/stored
vms:
  - role: builder
    template: debian-12-ci
    cpus: 1
    memory: 1GiB
    disks:
      - size: 20GiB
        storage_policy: {policy}
"
    )
}

#[test]
fn storage_policies_are_judged_with_pbm_and_applied_by_up() {
    let Some(sim) = Vcsim::start_or_skip(&Options {
        ci: true,
        pbm: true,
        ..Default::default()
    }) else {
        return;
    };
    let allowing = |datastore: &str| {
        POLICY.replace("datastore: LocalDS_0", &format!("datastore: {datastore}"))
            + "storage_policies: [vSAN Default Storage Policy, VVol No Requirements Policy]\n"
    };

    // A policy vCenter has but the operator does not allow: refused, naming it
    // and what is allowed, at the disk's place.
    let repo = Repo::with_policy(
        "storage-refused",
        &storage_spec("VM Encryption Policy"),
        &allowing("vsanDatastore"),
    );
    let out = vmci(&sim, &repo, "1", &["plan", "--json"]);
    assert!(
        !out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let reason = &json["refused"]["reasons"][0];
    assert_eq!(reason["rule"], "storage_policy", "{json}");
    assert_eq!(reason["place"]["line"], 8, "{json}");
    assert_eq!(
        reason["message"],
        "builder's disk 1 asks for storage policy VM Encryption Policy, which the policy does \
         not allow (it allows vSAN Default Storage Policy, VVol No Requirements Policy)"
    );
    assert_eq!(
        json["refused"]["offer"]["storage_policies"][0],
        "vSAN Default Storage Policy"
    );

    // An allowed policy on a datastore it cannot use: PBM's reason.
    let repo = Repo::with_policy(
        "storage-incompatible",
        &storage_spec("vSAN Default Storage Policy"),
        &allowing("LocalDS_0"),
    );
    let out = vmci(&sim, &repo, "1", &["plan", "--json"]);
    assert!(!out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let reason = &json["refused"]["reasons"][0];
    assert_eq!(reason["rule"], "storage_policy.datastore", "{json}");
    let message = reason["message"].as_str().unwrap();
    assert!(
        message.contains("cannot place it on datastore LocalDS_0")
            && message.contains("LocalDS_0 of type OTHER is not compatible"),
        "{message}"
    );

    // Allowed and compatible: planned with PBM's profile id, and `up` asks
    // vCenter to place the VM and its disk by it.
    let repo = Repo::with_policy(
        "storage-served",
        &storage_spec("vSAN Default Storage Policy"),
        &allowing("vsanDatastore"),
    );
    let plan = ok_json(&vmci(&sim, &repo, "1", &["plan", "--json"]));
    let disk = &plan["vms"][0]["disks"][0];
    assert_eq!(disk["storage_policy"]["id"], VSAN_POLICY_ID, "{plan}");
    assert_eq!(disk["size_mb"], 20 * 1024);

    let tape = repo.dir.join("up.json");
    let out = vmci_cmd(&sim, &repo, "1", &["up", "--json"])
        .env("VSPHERE_RECORD", &tape)
        .output()
        .unwrap();
    let up = ok_json(&out);
    assert_eq!(names_of(&up), ["vmci-acme-stored-1-builder-1"], "{up}");
    // The simulator keeps no storage policies of VMs (its clone drops the
    // profile specs), so what is checked is what vCenter was asked: the
    // clone's location (the VM's home) and its first disk's edit.
    let cassette = std::fs::read_to_string(&tape).unwrap();
    let cassette: serde_json::Value = serde_json::from_str(&cassette).unwrap();
    let clone = cassette["http_interactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["request"]["body"]["string"].as_str().unwrap())
        .find(|b| b.contains("<CloneVM_Task "))
        .expect("a CloneVM_Task request");
    let profile = format!(
        "<profile xsi:type=\"VirtualMachineDefinedProfileSpec\"><profileId>{VSAN_POLICY_ID}</profileId></profile>"
    );
    assert_eq!(clone.matches(&profile).count(), 2, "{clone}");
    let location = &clone[clone.find("<location>").unwrap()..clone.find("</location>").unwrap()];
    assert!(location.contains(&profile), "{location}");
    let disk_edit = clone
        .split("<deviceChange>")
        .find(|c| c.contains("xsi:type=\"VirtualDisk\""))
        .expect("an edit of the disk");
    assert!(disk_edit.contains(&profile), "{disk_edit}");
    assert!(
        disk_edit.contains("<capacityInKB>20971520</capacityInKB>"),
        "{disk_edit}"
    );

    let down = vmci(&sim, &repo, "1", &["down", "--json"]);
    assert!(down.status.success());
    assert!(folder_vms(&sim).is_empty());
}
