//! Decode throughput on the fixed corpus `../shared/bench/vcsim-5000vm-devices.xml.gz`
//! (a 30 MB RetrievePropertiesEx response: 5000 VMs, 65,000 devices), next to a
//! raw quick-xml event scan of the same bytes.
//!
//! Run: `cargo bench -p vmomi-bindings --bench decode` (add `-- --iterations N`).

use quick_xml::events::Event;
use std::io::Read;
use std::time::{Duration, Instant};
use vmomi_bindings::types::{AnyMethodFault, AnyVirtualDevice, RetrieveResult};
use vmomi_bindings::xml::decode_opt;

fn corpus() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/bench/vcsim-5000vm-devices.xml.gz"
    );
    let gz = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut out)
        .expect("corpus unpacks");
    out
}

/// Counts events: the floor any quick-xml based decoder stands on.
fn raw_scan(bytes: &[u8]) -> usize {
    let mut r = quick_xml::Reader::from_reader(bytes);
    let mut n = 0usize;
    loop {
        match r.read_event() {
            Ok(Event::Eof) => break,
            Ok(_) => n += 1,
            Err(e) => panic!("corpus is not XML: {e}"),
        }
    }
    n
}

/// Typed decode of the whole response.
fn typed(bytes: &[u8]) -> RetrieveResult {
    decode_opt::<RetrieveResult, AnyMethodFault>(bytes)
        .expect("decodes")
        .unwrap_or_else(|_| panic!("fault"))
        .expect("has a result")
}

/// Typed decode and freeing of the result.
fn typed_and_drop(bytes: &[u8]) -> usize {
    devices(&typed(bytes))
}

/// Number of devices, touching each device's type and a base field as a caller would.
fn devices(res: &RetrieveResult) -> usize {
    let mut devices = 0;
    for oc in &res.objects {
        for p in &oc.prop_set {
            if let vmomi_bindings::types::Any::Array(
                vmomi_bindings::types::AnyArray::ArrayOfVirtualDevice(v),
            ) = &p.val
            {
                // Touch every device's type and base field, as a caller would.
                devices += v
                    .iter()
                    .filter(|d| d.key != 0 || matches!(d, AnyVirtualDevice::VirtualDisk(_)))
                    .count();
            }
        }
    }
    devices
}

/// Times `f`; the value it returns is dropped outside the timed region, so
/// the figure is decoding (freeing the result is timed by `typed+drop`).
fn measure<T>(
    name: &str,
    iters: usize,
    bytes: &[u8],
    f: fn(&[u8]) -> T,
    count: fn(&T) -> usize,
) -> f64 {
    let mut times: Vec<Duration> = Vec::with_capacity(iters);
    let mut check = 0;
    for _ in 0..iters {
        let t = Instant::now();
        let v = std::hint::black_box(f(std::hint::black_box(bytes)));
        times.push(t.elapsed());
        check = count(&v);
        drop(v);
    }
    times.sort();
    let median = times[times.len() / 2];
    let mbps = bytes.len() as f64 / 1e6 / median.as_secs_f64();
    println!(
        "{name:<12} median {:>8.1} ms  best {:>8.1} ms  {:>7.1} MB/s  ({check})",
        median.as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        mbps
    );
    mbps
}

fn main() {
    let mut iters = 15;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--iterations" {
            iters = args.next().and_then(|v| v.parse().ok()).unwrap_or(iters);
        }
    }
    let bytes = corpus();
    println!("corpus: {} bytes, {} iterations each", bytes.len(), iters);
    let raw = measure("raw scan", iters, &bytes, raw_scan, |n| *n);
    let typed = measure("typed", iters, &bytes, typed, devices);
    measure("typed+drop", iters, &bytes, typed_and_drop, |n| *n);
    println!("typed/raw: {:.2}", typed / raw);
}
