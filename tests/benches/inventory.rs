//! The inventory benchmark: log in, then name, `runtime.powerState` and
//! `config.hardware.device` of every VM of a simulator inventory (10
//! clusters x 500 VMs by default: 5000 VMs, 65,000 devices, one 30 MB
//! response) over HTTPS, through the typed-set helper, next to the same
//! calls with no decoding (the floor) and through the buffered
//! `retrieve_properties_ex` call, in one run on one simulator.
//!
//! Each measurement is a child process of this binary, so its CPU time and
//! peak RSS are its own: wall time from before the login to the last
//! object, client CPU time (user + system, all threads) over the same span,
//! peak RSS of the process (`VmHWM`), and the login's own latency. Modes
//! run round-robin after a warm-up; the figures are medians.
//!
//! Run: `cargo bench -p vmomi-tests --bench inventory` (options:
//! `-- --runs N --clusters N --vms-per-cluster N`).

use futures_util::TryStreamExt;
use std::process::Command;
use std::time::Instant;
use vmomi::Client;
use vmomi::PropertySet;
use vmomi::mo::VirtualMachine;
use vmomi::rt::{RoundTripper, SoapRequest, Streamed};
use vmomi::types::{
    AnyVirtualDevice, RetrieveOptions, RetrievePropertiesExRequestType, VirtualMachinePowerState,
};
use vmomi_tests::vcsim::{Options, PASSWORD, USER, Vcsim};

#[derive(PropertySet)]
#[property_set(VirtualMachine)]
struct Vm {
    name: String,
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
                        Vm::paths().iter().map(|p| p.to_string()).collect(),
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

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(&args[i + 1], &args[i + 2], &args[i + 3]);
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
    let options = Options {
        cluster: opt("--clusters", 10),
        vm: opt("--vms-per-cluster", 500),
        host: 0,
        tls: true,
        ..Default::default()
    };
    let sim = Vcsim::start(&options).expect("the simulator starts");
    let ca = sim.ca_pem.clone().expect("a CA file").display().to_string();
    let run = |mode: &str| -> Vec<f64> {
        let out = Command::new(&args[0])
            .args(["--child", &sim.url, &ca, mode])
            .output()
            .expect("the child runs");
        assert!(
            out.status.success(),
            "{mode}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .map(|x| x.parse().unwrap())
            .collect()
    };
    // Warm-up: the simulator's first answer builds its caches.
    for m in MODES {
        run(m);
    }
    let mut results: Vec<Vec<Vec<f64>>> = vec![Vec::new(); MODES.len()];
    for _ in 0..runs {
        for (i, m) in MODES.iter().enumerate() {
            results[i].push(run(m));
        }
    }
    println!(
        "{} clusters x {} VMs over HTTPS; median of {runs} runs, round-robin after a warm-up",
        options.cluster, options.vm
    );
    println!(
        "{:<12} {:>6} {:>8} {:>9} {:>9} {:>10} {:>9} {:>9} {:>11}",
        "mode", "VMs", "devices", "wall s", "CPU s", "peak MiB", "login s", "first s", "body MB"
    );
    let mut walls = Vec::new();
    for (i, m) in MODES.iter().enumerate() {
        let col = |k: usize| median(results[i].iter().map(|r| r[k]).collect());
        walls.push(col(2));
        println!(
            "{:<12} {:>6} {:>8} {:>9.3} {:>9.3} {:>10.1} {:>9.3} {:>9.3} {:>11}",
            m,
            col(0),
            col(1),
            col(2),
            col(3),
            col(4) / 1024.0,
            col(5),
            col(7),
            if col(6) > 0.0 {
                format!("{:.1}", col(6) / 1e6)
            } else {
                "-".into()
            }
        );
    }
    println!(
        "typed-set wall / no-decoding wall = {:.2} (target at most 1.2)",
        walls[0] / walls[1]
    );
}
