//! `vmci up` of 50 VMs against the simulator (the vmci fixture), with
//! concurrency 8 next to the same 50 clones made one at a time: wall time
//! (straight to the simulator), and HTTP calls per VM counted from one more
//! run of each mode recorded into a cassette (`VSPHERE_RECORD`, untimed).
//! Each run is a fresh build, taken down afterwards; runs alternate after a
//! warm-up, median reported.
//!
//! ```sh
//! cargo bench -p vmci --bench up            # add `-- --vms N --runs N --concurrency N`
//! ```

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};
use vmomi_tests::vcsim::{Options, PASSWORD, USER, Vcsim};

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let vms = arg("--vms", 50);
    let runs = arg("--runs", 3);
    let concurrency = arg("--concurrency", 8);
    let sim = Vcsim::start(&Options {
        ci: true,
        ..Default::default()
    })
    .expect("the simulator starts (scripts/install-test-deps)");
    let dir = std::env::temp_dir().join(format!("vmci-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(".vsphere-ci.yml"),
        format!(
            "repository: bench/up\nvms:\n  - role: agent\n    template: debian-12-ci\n    count: {vms}\n    cpus: 1\n    memory: 1GiB\n    network: VM Network\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("policy.yml"),
        format!(
            "folder: /DC0/vm/ci\nresource_pool: /DC0/host/DC0_C0/Resources\ntemplates: [debian-12-ci]\nnetworks: [VM Network]\nlimits:\n  cpus: 4\n  memory: 8GiB\n  disk: 100GiB\n  count: {vms}\n  lifetime: 8h\n  default_lifetime: 2h\nquota:\n  vms: {q}\n  cpus: {q}\n  memory: {q}GiB\n",
            q = vms * 2
        ),
    )
    .unwrap();
    let mut times: BTreeMap<usize, Vec<Duration>> = BTreeMap::new();
    let mut calls: BTreeMap<usize, usize> = BTreeMap::new();
    let mut build = 0;
    // A warm-up build first, then the two modes in turn.
    for (i, c) in std::iter::once(concurrency)
        .chain((0..runs).flat_map(|_| [concurrency, 1]))
        .enumerate()
    {
        build += 1;
        let start = Instant::now();
        let out = up(&dir, &sim, build, c, None);
        let took = start.elapsed();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        down(&dir, &sim, build);
        if i == 0 {
            continue;
        }
        times.entry(c).or_default().push(took);
    }
    // One recorded run per mode, for the calls.
    for c in [concurrency, 1] {
        build += 1;
        let tape = dir.join(format!("calls-{c}.json"));
        let out = up(&dir, &sim, build, c, Some(&tape));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        down(&dir, &sim, build);
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&tape).unwrap()).unwrap();
        calls.insert(c, json["http_interactions"].as_array().map_or(0, Vec::len));
    }
    report(vms, runs, times, calls);
    let _ = std::fs::remove_dir_all(&dir);
}

fn vmci(dir: &Path, sim: &Vcsim, build: usize, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vmci"));
    c.args(args)
        .current_dir(dir)
        .env("VSPHERE_URL", &sim.url)
        .env("VSPHERE_USER", USER)
        .env("VSPHERE_PASSWORD", PASSWORD)
        .env("VMCI_POLICY", dir.join("policy.yml"))
        .env("VMCI_BUILD", build.to_string());
    c
}

fn up(dir: &Path, sim: &Vcsim, build: usize, concurrency: usize, tape: Option<&Path>) -> Output {
    let mut c = vmci(
        dir,
        sim,
        build,
        &["up", "--json", "--concurrency", &concurrency.to_string()],
    );
    if let Some(t) = tape {
        c.env("VSPHERE_RECORD", t);
    }
    c.output().unwrap()
}

/// Takes the build down (untimed), so every up sees the same folder.
fn down(dir: &Path, sim: &Vcsim, build: usize) {
    let out = vmci(dir, sim, build, &["down", "--json", "--concurrency", "8"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn report(
    vms: usize,
    runs: usize,
    times: BTreeMap<usize, Vec<Duration>>,
    calls: BTreeMap<usize, usize>,
) {
    println!("vmci up of {vms} VMs, {runs} runs each (median), the simulator on this machine");
    println!("| concurrency | wall | calls | calls per VM |");
    println!("| --- | --- | --- | --- |");
    for (c, mut t) in times.into_iter().rev() {
        t.sort();
        let n = calls[&c];
        println!(
            "| {c} | {:.2} s | {n} | {:.1} |",
            t[t.len() / 2].as_secs_f64(),
            n as f64 / vms as f64
        );
    }
}
