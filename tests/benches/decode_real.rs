//! Decode throughput on real servers' bytes: the largest response of each
//! shared vcrpy cassette (`../shared/cassettes/pyvmomi-vcrpy/`, recorded
//! from real vCenters), decoded by its operation as a call would
//! (`vmomi::decode_response`), next to a raw quick-xml event scan of the
//! same bytes in the same run. The 30 MB simulator corpus is
//! `cargo bench -p vmomi-bindings --bench decode`.
//!
//! Run: `cargo bench -p vmomi-tests --bench decode_real` (add
//! `-- --millis N`, the time spent per measurement; default 300).

use quick_xml::events::Event;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use vmomi::cassette::{interactions, load_vcrpy};

/// Counts events: the floor any quick-xml based decoder stands on.
fn raw_scan(bytes: &[u8]) -> usize {
    let mut r = quick_xml::Reader::from_reader(bytes);
    let mut n = 0usize;
    loop {
        match r.read_event() {
            Ok(Event::Eof) => break,
            Ok(_) => n += 1,
            Err(e) => panic!("not XML: {e}"),
        }
    }
    n
}

/// Median time of one call of `f`, in rounds of `batch` calls, over about
/// `budget` of wall time.
fn median_of(budget: Duration, mut f: impl FnMut()) -> Duration {
    // How many calls make a round of about a millisecond.
    let t = Instant::now();
    f();
    let one = t.elapsed().max(Duration::from_nanos(100));
    let batch = (Duration::from_millis(1).as_nanos() / one.as_nanos()).max(1) as u32;
    let mut rounds = Vec::new();
    let start = Instant::now();
    while start.elapsed() < budget || rounds.len() < 5 {
        let t = Instant::now();
        for _ in 0..batch {
            f();
        }
        rounds.push(t.elapsed() / batch);
    }
    rounds.sort();
    rounds[rounds.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let millis = args
        .iter()
        .position(|a| a == "--millis")
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse().expect("--millis N"))
        .unwrap_or(300);
    let budget = Duration::from_millis(millis);
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/cassettes/pyvmomi-vcrpy");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no cassettes in {}", dir.display());
    println!("the largest response of each shared vcrpy cassette; median per decode");
    println!("| cassette | operation | bytes | raw scan | typed | typed / raw |");
    println!("| --- | --- | --- | --- | --- | --- |");
    let (mut raw_total, mut typed_total) = (Duration::ZERO, Duration::ZERO);
    for file in &files {
        let cassette = load_vcrpy(file).unwrap_or_else(|e| panic!("{e}"));
        let list = interactions(&cassette);
        let (op, body) = list
            .iter()
            .filter_map(|i| Some((i.soap_operation.as_deref()?, i.response_body?)))
            .max_by_key(|(_, body)| body.len())
            .expect("a SOAP response");
        let bytes = body.as_bytes();
        // The same decode a call does; it must succeed on these bytes.
        vmomi::decode_response(op, bytes).unwrap_or_else(|e| panic!("{op}: {e}"));
        let raw = median_of(budget, || {
            std::hint::black_box(raw_scan(std::hint::black_box(bytes)));
        });
        let typed = median_of(budget, || {
            std::hint::black_box(vmomi::decode_response(op, std::hint::black_box(bytes)).ok());
        });
        raw_total += raw;
        typed_total += typed;
        println!(
            "| {} | {op} | {} | {:.1} µs | {:.1} µs | {:.2} |",
            file.file_name().unwrap().to_string_lossy(),
            bytes.len(),
            raw.as_secs_f64() * 1e6,
            typed.as_secs_f64() * 1e6,
            raw.as_secs_f64() / typed.as_secs_f64()
        );
    }
    println!(
        "all five: typed / raw = {:.2}",
        raw_total.as_secs_f64() / typed_total.as_secs_f64()
    );
}
