//! The inventory workload of `tests/benches/inventory.rs` with vim_rs over
//! SOAP: log in, then name, `runtime.powerState` and
//! `config.hardware.device` of every VM through a ContainerView and the
//! PropertyCollector (`ObjectRetriever::retrieve_objects_from_container`,
//! which pages with `ContinueRetrievePropertiesEx` and destroys the view).
//!
//! Reads `VSPHERE_URL`, `VSPHERE_CA_FILE`, `VSPHERE_USER` and
//! `VSPHERE_PASSWORD`; prints one line, as the bench's own child does:
//! `vms devices wall_s cpu_s peak_kb login_s` (wall from before the login to
//! the last object, CPU user + system of the process, peak RSS `VmHWM`).

use std::sync::Arc;
use std::time::Instant;
use vim_rs::core::ClientBuilder;
use vim_rs::core::client::TransportMode;
use vim_rs::core::pc_retrieve::ObjectRetriever;
use vim_rs::types::enums::VirtualMachinePowerStateEnum;
use vim_rs::vim_retrievable;

vim_retrievable!(
    struct Vm: VirtualMachine {
        name = "name",
        power_state = "runtime.power_state",
        devices = "config.hardware.device"?,
    }
);

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        eprintln!("vim-rs-inventory: {name} is not set");
        std::process::exit(1)
    })
}

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

fn peak_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
        })
        .unwrap_or(0)
}

fn http_client(ca_file: &str) -> reqwest::Client {
    use rustls::pki_types::{CertificateDer, pem::PemObject};
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca_file).expect("the CA file") {
        roots.add(cert.expect("a PEM certificate")).expect("a CA certificate");
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(config)
        .cookie_store(true)
        .no_proxy()
        .build()
        .expect("an HTTP client")
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let url = env("VSPHERE_URL");
    let ca = env("VSPHERE_CA_FILE");
    let (user, password) = (env("VSPHERE_USER"), env("VSPHERE_PASSWORD"));
    // vim_rs takes `host[:port]` and adds https:// and /sdk itself.
    let server = url
        .strip_prefix("https://")
        .expect("an https URL")
        .trim_end_matches('/')
        .trim_end_matches("/sdk")
        .to_string();

    let (cpu0, t0) = (cpu_seconds(), Instant::now());
    let client = ClientBuilder::new(&server, http_client(&ca))
        .basic_authn(&user, &password)
        .app_details(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
        .transport(TransportMode::Soap)
        .build()
        .await
        .expect("connects and logs in");
    let login = t0.elapsed().as_secs_f64();

    let retriever = ObjectRetriever::new(client.clone()).expect("a retriever");
    let vms: Vec<Vm> = retriever
        .retrieve_objects_from_container(&client.service_content().root_folder)
        .await
        .expect("the VMs");
    let mut devices = 0u64;
    for vm in &vms {
        assert!(!vm.name.is_empty() && vm.power_state != VirtualMachinePowerStateEnum::Suspended);
        devices += vm.devices.as_ref().map_or(0, |d| d.len() as u64);
    }
    let (wall, cpu) = (t0.elapsed().as_secs_f64(), cpu_seconds() - cpu0);
    println!("{} {devices} {wall} {cpu} {} {login}", vms.len(), peak_kb());
    client.close().await.expect("logs out");
}
