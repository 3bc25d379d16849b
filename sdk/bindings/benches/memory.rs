//! Peak memory per MB of response: how much heap a response costs from the
//! moment its body is in memory (the client reads it into one buffer of its
//! announced size) until it is decoded, measured with a counting global
//! allocator, on the fixed corpus `../shared/bench/vcsim-5000vm-devices.xml.gz`
//! (30 MB, 5000 VMs with 65,000 devices), on the same corpus with its
//! indentation grown, and on a response padded with whitespace; with the
//! number of allocations each decode makes.
//!
//! Run: `cargo bench -p vmomi-bindings --bench memory`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use vmomi_bindings::types::{AnyMethodFault, RetrieveResult};
use vmomi_bindings::xml::decode_opt;

/// Counts live heap bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// Allocations made (a `realloc` counts as one).
static COUNT: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        COUNT.fetch_add(1, Ordering::Relaxed);
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        COUNT.fetch_add(1, Ordering::Relaxed);
        if !p.is_null() {
            if new_size >= layout.size() {
                let now = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed)
                    + (new_size - layout.size());
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

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

fn decode(bytes: &[u8]) -> Option<RetrieveResult> {
    decode_opt::<RetrieveResult, AnyMethodFault>(bytes)
        .expect("decodes")
        .unwrap_or_else(|_| panic!("fault"))
}

/// Heap of one response from its body (copied into a buffer of exactly its
/// size, as the client's reader does) to the decoded value: the peak and
/// what the decoded value keeps, both per MB of body.
fn measure(name: &str, wire: &[u8]) {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let mut body = Vec::with_capacity(wire.len());
    body.extend_from_slice(wire);
    let count = COUNT.load(Ordering::Relaxed);
    let decoded = decode(&body);
    let allocations = COUNT.load(Ordering::Relaxed) - count;
    let peak = PEAK.load(Ordering::Relaxed) - base;
    let kept = LIVE.load(Ordering::Relaxed) - base - body.capacity();
    let objects = decoded.as_ref().map_or(0, |r| r.objects.len());
    drop(body);
    drop(decoded);
    let mb = wire.len() as f64 / 1e6;
    println!(
        "{name:<24} {:>8.1} MB body  peak {:>8.1} MB = {:>5.2} MB/MB  decoded value {:>8.1} MB = {:>5.2} MB/MB  ({objects} objects, {allocations} allocations)",
        mb,
        peak as f64 / 1e6,
        peak as f64 / 1e6 / mb,
        kept as f64 / 1e6,
        kept as f64 / 1e6 / mb,
    );
}

/// The corpus pretty-printed: a line break and `indent` spaces between
/// every two tags, as pretty-printing servers send it.
fn pretty(corpus: &[u8], indent: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(corpus.len() * 2);
    for (i, &b) in corpus.iter().enumerate() {
        out.push(b);
        if b == b'>' && corpus.get(i + 1) == Some(&b'<') {
            out.push(b'\n');
            out.resize(out.len() + indent, b' ');
        }
    }
    out
}

/// The response `list-vms` reads: `n` VMs with six small properties each.
fn list_vms_shape(n: usize) -> Vec<u8> {
    let mut out = br#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soapenv:Body><RetrievePropertiesExResponse xmlns="urn:vim25"><returnval>"#.to_vec();
    for i in 0..n {
        out.extend_from_slice(format!(
            concat!(
                r#"<objects><obj type="VirtualMachine">vm-{i}</obj>"#,
                r#"<propSet><name>name</name><val xsi:type="xsd:string">build-agent-{i}</val></propSet>"#,
                r#"<propSet><name>runtime.powerState</name><val xsi:type="VirtualMachinePowerState">poweredOn</val></propSet>"#,
                r#"<propSet><name>config.guestFullName</name><val xsi:type="xsd:string">Debian GNU/Linux 12 (64-bit)</val></propSet>"#,
                r#"<propSet><name>config.hardware.numCPU</name><val xsi:type="xsd:int">4</val></propSet>"#,
                r#"<propSet><name>config.hardware.memoryMB</name><val xsi:type="xsd:int">8192</val></propSet>"#,
                r#"<propSet><name>guest.ipAddress</name><val xsi:type="xsd:string">10.0.{}.{}</val></propSet>"#,
                "</objects>"
            ),
            (i / 250) % 250,
            i % 250,
            i = i
        ).as_bytes());
    }
    out.extend_from_slice(
        b"</returnval></RetrievePropertiesExResponse></soapenv:Body></soapenv:Envelope>",
    );
    out
}

/// A small RetrievePropertiesEx response padded with `n` bytes of whitespace
/// inside the envelope.
fn whitespace(n: usize) -> Vec<u8> {
    let head = br#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="VirtualMachine">vm-1</obj><propSet><name>name</name><val xsi:type="xsd:string">vm</val></propSet></objects>"#;
    let tail = b"</returnval></RetrievePropertiesExResponse></soapenv:Body></soapenv:Envelope>";
    let mut out = Vec::with_capacity(head.len() + n + tail.len());
    out.extend_from_slice(head);
    out.resize(head.len() + n, b' ');
    out.extend_from_slice(tail);
    out
}

fn main() {
    let corpus = corpus();
    let nl = corpus.iter().filter(|&&b| b == b'\n').count();
    println!("corpus: {} bytes, {nl} lines", corpus.len());
    measure("5000 VMs (corpus)", &corpus);
    let wide = pretty(&corpus, 8);
    measure("5000 VMs, pretty-printed", &wide);
    drop(wide);
    measure("list-vms shape, 300k VMs", &list_vms_shape(300_000));
    measure("whitespace-padded 200 MB", &whitespace(200_000_000));
}
