//! Peak memory of a client call per MB of response, end to end: the
//! simulator for the session, the fault server of `vmomi_tests::faultsrv`
//! answering `RetrievePropertiesEx` with a large body of VM objects (the
//! shape `list-vms` reads) or of whitespace, and a child process that makes
//! the call and reports how much its peak RSS grew during it (Linux
//! `VmHWM`, reset through `/proc/self/clear_refs` just before the call).
//!
//! Run: `cargo bench -p vmomi-tests --bench response_memory` (add
//! `-- --mb N` for the body size, default 200).

use std::process::Command;
use vmomi::Client;
use vmomi::mo::VirtualMachine;
use vmomi::property::retrieve_all;
use vmomi_tests::faultsrv::{FaultServer, Reply};
use vmomi_tests::vcsim::{Options, PASSWORD, USER, Vcsim};

const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soapenv:Body><RetrievePropertiesExResponse xmlns="urn:vim25"><returnval>"#;
const TAIL: &str = "</returnval></RetrievePropertiesExResponse></soapenv:Body></soapenv:Envelope>";

/// About `bytes` of VM objects with the six properties `list-vms` reads.
fn vm_objects(bytes: usize) -> Vec<u8> {
    let mut out = HEAD.as_bytes().to_vec();
    let mut i = 0usize;
    while out.len() < bytes {
        out.extend_from_slice(
            format!(
                concat!(
                    r#"<objects><obj type="VirtualMachine">vm-{i}</obj>"#,
                    r#"<propSet><name>name</name><val xsi:type="xsd:string">build-agent-{i}</val></propSet>"#,
                    r#"<propSet><name>runtime.powerState</name><val xsi:type="VirtualMachinePowerState">poweredOn</val></propSet>"#,
                    r#"<propSet><name>config.guestFullName</name><val xsi:type="xsd:string">Debian GNU/Linux 12 (64-bit)</val></propSet>"#,
                    r#"<propSet><name>config.hardware.numCPU</name><val xsi:type="xsd:int">4</val></propSet>"#,
                    r#"<propSet><name>config.hardware.memoryMB</name><val xsi:type="xsd:int">8192</val></propSet>"#,
                    r#"<propSet><name>guest.ipAddress</name><val xsi:type="xsd:string">10.0.{a}.{b}</val></propSet>"#,
                    "</objects>"
                ),
                i = i,
                a = (i / 250) % 250,
                b = i % 250
            )
            .as_bytes(),
        );
        i += 1;
    }
    out.extend_from_slice(TAIL.as_bytes());
    out
}

/// An empty result padded with whitespace to `bytes`.
fn whitespace(bytes: usize) -> Vec<u8> {
    let mut out = vm_objects(0);
    out.truncate(out.len() - TAIL.len());
    out.resize(bytes, b' ');
    out.extend_from_slice(TAIL.as_bytes());
    out
}

/// The child: connect, reset the peak, make the call, report.
fn child(url: &str, limit_mb: u64) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = Client::builder()
            .url(url)
            .credentials(USER, PASSWORD)
            .max_response_bytes(limit_mb << 20)
            .connect()
            .await
            .expect("connects");
        std::fs::write("/proc/self/clear_refs", "5").expect("reset VmHWM");
        let before = vmomi_tests::proc_status_kb("VmRSS:");
        let t = std::time::Instant::now();
        let objects = retrieve_all(&client, VirtualMachine::TYPE_NAME, &["name"])
            .await
            .expect("retrieves");
        let secs = t.elapsed().as_secs_f64();
        let peak = vmomi_tests::proc_status_kb("VmHWM:");
        println!("{} {before} {peak} {secs}", objects.len());
        client.close().await.unwrap();
    });
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(&args[i + 1], args[i + 2].parse().unwrap());
        return;
    }
    let mb: usize = args
        .iter()
        .position(|a| a == "--mb")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let sim = Vcsim::start(&Options::default()).expect("the simulator starts");
    println!("body size {mb} MB; peak RSS growth of the child during the call");
    for (name, body) in [
        ("VM objects", vm_objects(mb * 1_000_000)),
        ("whitespace", whitespace(mb * 1_000_000)),
    ] {
        let len = body.len();
        let srv = FaultServer::start(Some(&sim.addr), move |req| {
            if req.operation.as_deref() == Some("RetrievePropertiesEx") {
                Reply::Respond {
                    status: 200,
                    content_type: "text/xml; charset=utf-8",
                    body: body.clone(),
                }
            } else {
                Reply::Forward
            }
        });
        let out = Command::new(&args[0])
            .args(["--child", &srv.url, &(2 * mb as u64 + 64).to_string()])
            .output()
            .expect("child runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let line = String::from_utf8_lossy(&out.stdout);
        let f: Vec<f64> = line
            .split_whitespace()
            .map(|x| x.parse().unwrap())
            .collect();
        let grown_mb = (f[2] - f[1]) * 1024.0 / 1e6;
        let body_mb = len as f64 / 1e6;
        println!(
            "{name:<11} {body_mb:>7.1} MB body, {:>7} objects: peak RSS +{grown_mb:>7.1} MB = {:>5.2} MB per MB, {:.2} s",
            f[0],
            grown_mb / body_mb,
            f[3]
        );
    }
}
