//! The inventory benchmark: log in, then name, `runtime.powerState` and
//! `config.hardware.device` of every VM of a simulator inventory (10
//! clusters x 500 VMs by default: 5000 VMs, 65,000 devices, one 30 MB
//! response) over HTTPS, through the typed-set helper, next to the same
//! calls with no decoding (the floor) and through the buffered
//! `retrieve_properties_ex` call, and, when asked, the same workload by the
//! peers' SDKs (programs under `bench/`), in one run on one simulator.
//!
//! Each measurement is a child process, so its CPU time and peak RSS are its
//! own: wall time from before the login to the last object, client CPU time
//! (user + system, all threads) over the same span, peak RSS of the process
//! (`VmHWM`), and the login's own latency. Modes run round-robin after a
//! warm-up, the order turned by one each round; the figures are medians, and
//! each mode's ratio to the typed set.
//!
//! Run: `cargo bench -p vmomi-tests --bench inventory` (options:
//! `-- --runs N --clusters N --vms-per-cluster N --peer NAME ...`), or
//! `bench/run`, which builds the peers' programs first.
//!
//! A peer is `pyvmomi`, `govmomi` or `vim_rs` (the programs `bench/setup`
//! builds) or `NAME=COMMAND ARGS...` (split on spaces): any program that
//! reads `VSPHERE_URL`, `VSPHERE_CA_FILE`, `VSPHERE_USER` and
//! `VSPHERE_PASSWORD`, does the same workload and prints one line,
//! `vms devices wall_s cpu_s peak_kb login_s`. `--peers a,b` is the same as
//! `--peer a --peer b`. Every mode must report the simulator's VM count and
//! the typed set's device count, or the bench fails.

use futures_util::TryStreamExt;
use std::process::Command;
use std::time::Instant;
use vmomi::Client;
use vmomi::PropertySet;
use vmomi::mo::VirtualMachine;
use vmomi::rt::{RoundTripper, SoapRequest, Streamed};
use vmomi::types::{
    AnyVirtualDevice, CompactString, RetrieveOptions, RetrievePropertiesExRequestType,
    VirtualMachinePowerState,
};
use vmomi_tests::vcsim::{Options, PASSWORD, USER, Vcsim};

#[derive(PropertySet)]
#[property_set(VirtualMachine)]
struct Vm {
    name: CompactString,
    #[property(runtime.power_state)]
    power: VirtualMachinePowerState,
    #[property(config.hardware.device)]
    devices: Vec<AnyVirtualDevice>,
}

const MODES: [&str; 3] = ["typed-set", "no-decoding", "buffered"];

/// CPU seconds of this process so far, every thread, user and system.
fn cpu_seconds() -> f64 {
    let mut u = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes one rusage into the buffer it is given.
    let u = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, u.as_mut_ptr());
        u.assume_init()
    };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    t(u.ru_utime) + t(u.ru_stime)
}

/// The child: one measurement of `mode`; prints
/// `vms devices wall_s cpu_s peak_kb login_s bytes first_s`.
fn child(url: &str, ca: &str, mode: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (cpu0, t0) = (cpu_seconds(), Instant::now());
        let client = Client::builder()
            .url(url)
            .ca_file(ca)
            .credentials(USER, PASSWORD)
            .connect()
            .await
            .expect("connects");
        let login = t0.elapsed().as_secs_f64();
        let root = client.service_content().root_folder.clone();
        let (mut vms, mut devices, mut bytes) = (0u64, 0u64, 0u64);
        // When the first object (or, with no decoding, the first byte) came.
        let mut first: Option<f64> = None;
        match mode {
            "typed-set" => {
                let mut stream = vmomi::property::retrieve::<Vm>(&client, &root);
                while let Some(vm) = stream.try_next().await.expect("a VM") {
                    first.get_or_insert_with(|| t0.elapsed().as_secs_f64());
                    vms += 1;
                    devices += vm.devices.len() as u64;
                    assert!(!vm.name.is_empty() && vm.power != VirtualMachinePowerState::Suspended);
                }
            }
            "no-decoding" | "buffered" => {
                let views = vmomi::mo::ViewManager::new(
                    client.shared(),
                    client.service_content().view_manager.clone().unwrap(),
                );
                let view = views
                    .create_container_view(root, vec!["VirtualMachine".into()], true)
                    .await
                    .unwrap();
                let req = RetrievePropertiesExRequestType {
                    this: client.service_content().property_collector.clone(),
                    spec_set: vec![vmomi::property::container_view_spec(
                        &view,
                        "VirtualMachine",
                        Vm::paths()
                            .iter()
                            .map(|p| CompactString::from(&**p))
                            .collect(),
                    )],
                    options: RetrieveOptions {
                        max_objects: Some(1000),
                        ..Default::default()
                    },
                    ..Default::default()
                };
                if mode == "buffered" {
                    let result = vmomi::methods::retrieve_properties_ex(&client, &req)
                        .await
                        .unwrap()
                        .unwrap();
                    assert!(result.token.is_none(), "the simulator does not page");
                    for mut o in result.objects {
                        vms += 1;
                        use vmomi::property::Objects;
                        devices += o
                            .take(VirtualMachine::CONFIG.hardware().device())
                            .unwrap()
                            .map_or(0, |d| d.len() as u64);
                    }
                } else {
                    // The same request, its body read and dropped chunk by chunk.
                    let resp = client
                        .round_trip_streamed(SoapRequest {
                            operation: "RetrievePropertiesEx",
                            this: req.this.clone(),
                            body: vmomi::xml::soap::request_envelope("RetrievePropertiesEx", &req),
                            service: vmomi::rt::Service::Vim25,
                        })
                        .await
                        .unwrap();
                    let Streamed::Arriving(mut body) = resp else {
                        panic!("a streamed answer")
                    };
                    let mut buf = Vec::with_capacity(1 << 16);
                    while body.read_into(&mut buf).await.unwrap() {
                        first.get_or_insert_with(|| t0.elapsed().as_secs_f64());
                        bytes += buf.len() as u64;
                        buf.clear();
                    }
                }
                views_destroy(&client, view).await;
            }
            other => panic!("unknown mode {other}"),
        }
        let (wall, cpu) = (t0.elapsed().as_secs_f64(), cpu_seconds() - cpu0);
        let first = first.unwrap_or(wall);
        println!(
            "{vms} {devices} {wall} {cpu} {} {login} {bytes} {first}",
            vmomi_tests::proc_status_kb("VmHWM:")
        );
        client.logout().await.unwrap();
    });
}

async fn views_destroy(client: &Client, view: vmomi::types::ManagedObjectReference) {
    vmomi::mo::ContainerView::new(client.shared(), view)
        .destroy_view()
        .await
        .unwrap();
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// One mode of the table: ours (a child of this binary) or a peer's program.
struct Mode {
    name: String,
    /// The program and its arguments; empty for our own modes.
    peer: Vec<String>,
}

/// The command of a peer named on the command line: a name `bench/setup`
/// builds a program for, or `NAME=COMMAND ARGS...`.
fn peer(spec: &str) -> Mode {
    let bench = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench");
    let at = |p: &str| bench.join(p).display().to_string();
    let (name, peer): (&str, Vec<String>) = match spec.split_once('=') {
        Some((name, cmd)) => (name, cmd.split_whitespace().map(String::from).collect()),
        None => match spec {
            "pyvmomi" => (
                spec,
                vec![at(".venv/bin/python"), at("pyvmomi/inventory.py")],
            ),
            "govmomi" => (spec, vec![at("bin/govmomi-inventory")]),
            "vim_rs" => (spec, vec![at("vim_rs/target/release/vim-rs-inventory")]),
            other => panic!("unknown peer {other:?}: pyvmomi, govmomi, vim_rs or NAME=COMMAND"),
        },
    };
    assert!(!peer.is_empty(), "peer {name}: no command");
    let program = std::path::Path::new(&peer[0]);
    assert!(
        !program.is_absolute() || program.exists(),
        "peer {name}: {} is missing: run bench/setup{}",
        program.display(),
        if name == "vim_rs" { " --vim_rs" } else { "" }
    );
    Mode {
        name: name.to_string(),
        peer,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        let [url, ca, mode, ..] = &args[i + 1..] else {
            eprintln!(
                "inventory: --child needs URL CA_FILE MODE, got {:?}",
                &args[i + 1..]
            );
            std::process::exit(2);
        };
        child(url, ca, mode);
        return;
    }
    let opt = |name: &str, default: u32| -> u32 {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let runs = opt("--runs", 5) as usize;
    let mut modes: Vec<Mode> = MODES
        .iter()
        .map(|m| Mode {
            name: m.to_string(),
            peer: Vec::new(),
        })
        .collect();
    for (i, a) in args.iter().enumerate() {
        let value = || {
            args.get(i + 1)
                .unwrap_or_else(|| panic!("{a} needs a value"))
        };
        match a.as_str() {
            "--peer" => modes.push(peer(value())),
            "--peers" => modes.extend(value().split(',').filter(|p| !p.is_empty()).map(peer)),
            _ => {}
        }
    }
    let options = Options {
        cluster: opt("--clusters", 10),
        vm: opt("--vms-per-cluster", 500),
        host: 0,
        tls: true,
        ..Default::default()
    };
    let sim = Vcsim::start(&options).expect("the simulator starts");
    let ca = sim.ca_pem.clone().expect("a CA file").display().to_string();
    // `vms devices wall_s cpu_s peak_kb login_s [bytes first_s]`; a peer's
    // last two are NaN.
    let run = |mode: &Mode| -> Vec<f64> {
        let mut cmd = if mode.peer.is_empty() {
            let mut c = Command::new(&args[0]);
            c.args(["--child", &sim.url, &ca, &mode.name]);
            c
        } else {
            let mut c = Command::new(&mode.peer[0]);
            c.args(&mode.peer[1..])
                .env("VSPHERE_URL", &sim.url)
                .env("VSPHERE_CA_FILE", &ca)
                .env("VSPHERE_USER", USER)
                .env("VSPHERE_PASSWORD", PASSWORD);
            c
        };
        let out = cmd
            .output()
            .unwrap_or_else(|e| panic!("{}: cannot run {cmd:?}: {e}", mode.name));
        assert!(
            out.status.success(),
            "{} ({}): {}",
            mode.name,
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let line = stdout
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        let mut r: Vec<f64> = line
            .split_whitespace()
            .map(|x| {
                x.parse()
                    .unwrap_or_else(|_| panic!("{}: not a number {x:?} in {line:?}", mode.name))
            })
            .collect();
        assert!(
            r.len() == 6 || r.len() == 8,
            "{}: expected `vms devices wall_s cpu_s peak_kb login_s`, got {line:?}",
            mode.name
        );
        r.resize(8, f64::NAN);
        r
    };
    // Every mode that counts must see every VM, and the devices the typed
    // set saw: the workload is the same or the comparison means nothing.
    let mut devices: Option<f64> = None;
    let mut check = |mode: &Mode, r: &[f64]| {
        if mode.name == "no-decoding" {
            return;
        }
        assert_eq!(
            r[0],
            sim.vms.len() as f64,
            "{}: VMs counted, against the simulator's",
            mode.name
        );
        let d = *devices.get_or_insert(r[1]);
        assert_eq!(
            r[1], d,
            "{}: devices counted, against the first mode's",
            mode.name
        );
    };
    // Warm-up: the simulator's first answer builds its caches (and the
    // peers' programs come into the page cache).
    for m in &modes {
        let r = run(m);
        check(m, &r);
    }
    let mut results: Vec<Vec<Vec<f64>>> = vec![Vec::new(); modes.len()];
    // Round-robin, the order turned by one each round: whatever a run
    // leaves behind on the simulator (its garbage collection after a 30 MB
    // answer) falls on each mode in turn rather than always on the same one.
    for round in 0..runs {
        for k in 0..modes.len() {
            let i = (round + k) % modes.len();
            let r = run(&modes[i]);
            check(&modes[i], &r);
            results[i].push(r);
        }
    }
    let col = |i: usize, k: usize| median(results[i].iter().map(|r| r[k]).collect());
    let (wall0, cpu0, rss0) = (col(0, 2), col(0, 3), col(0, 4));
    println!(
        "{} clusters x {} VMs ({} VMs) over HTTPS; median of {runs} runs, round-robin (order turned each round) after a warm-up",
        options.cluster,
        options.vm,
        sim.vms.len()
    );
    println!(
        "{:<12} {:>6} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8} {:>7} {:>7} {:>7}",
        "mode",
        "VMs",
        "devices",
        "wall s",
        "CPU s",
        "peak MiB",
        "login s",
        "first s",
        "body MB",
        "wall x",
        "CPU x",
        "RSS x"
    );
    let dash = |v: f64, f: &dyn Fn(f64) -> String| {
        if v.is_nan() || v == 0.0 {
            "-".into()
        } else {
            f(v)
        }
    };
    let mut markdown = Vec::new();
    for (i, m) in modes.iter().enumerate() {
        let (wall, cpu, rss) = (col(i, 2), col(i, 3), col(i, 4));
        let first = dash(col(i, 7), &|v| format!("{v:.3}"));
        let body = dash(col(i, 6), &|v| format!("{:.1}", v / 1e6));
        println!(
            "{:<12} {:>6} {:>8} {:>9.3} {:>9.3} {:>9.1} {:>9.3} {:>9} {:>8} {:>7.2} {:>7.2} {:>7.2}",
            m.name,
            col(i, 0),
            col(i, 1),
            wall,
            cpu,
            rss / 1024.0,
            col(i, 5),
            first,
            body,
            wall / wall0,
            cpu / cpu0,
            rss / rss0
        );
        markdown.push(format!(
            "| {} | {:.3} s | {:.3} s | {:.1} MiB | {:.0} ms | {:.2} | {:.2} | {:.2} |",
            m.name,
            wall,
            cpu,
            rss / 1024.0,
            col(i, 5) * 1e3,
            wall / wall0,
            cpu / cpu0,
            rss / rss0
        ));
    }
    println!(
        "typed-set wall / no-decoding wall = {:.2} (target at most 1.2)",
        wall0 / col(1, 2)
    );
    println!("\nAs markdown (ratios: the mode's median over typed-set's):\n");
    println!("| client / mode | wall | client CPU | peak RSS | login | wall x | CPU x | RSS x |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for l in markdown {
        println!("{l}");
    }
}
