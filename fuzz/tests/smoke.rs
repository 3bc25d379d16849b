//! The CI smoke pass of the fuzz targets: every file of `fuzz/corpus/<target>/`
//! (real responses, documents and examples, plus the reproducers of past
//! findings), a set of hostile inputs (deep nesting, long runs) and a fixed
//! number of deterministic mutations of the corpus go through each target.
//! Each must return (no panic) within a time bound and allocate at most a
//! bounded amount of memory; the long, coverage-guided runs are
//! `scripts/fuzz TARGET MINUTES`.
//!
//! `VMOMI_FUZZ_SMOKE_MUTATIONS` sets the mutations per target (300 by
//! default); the seed is fixed, so a failure names the input that reproduces it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use vmomi_fuzz::mutate::{Rng, mutate, parse_dict};
use vmomi_fuzz::{Target, target};

/// Counts, per thread, the bytes live and their peak: each test runs its
/// target on its own thread, so the figures are that target's alone.
struct Counting;

thread_local! {
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

fn grow(n: usize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get().saturating_add(n);
        live.set(now);
        let _ = PEAK.try_with(|p| p.set(p.get().max(now)));
    });
}

fn shrink(n: usize) {
    let _ = LIVE.try_with(|live| live.set(live.get().saturating_sub(n)));
}

// SAFETY: every call is forwarded to `System` unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grow(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grow(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        shrink(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            shrink(layout.size());
            grow(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Longest one input may take (debug build, a loaded 2-core machine).
const TIME_LIMIT: Duration = Duration::from_secs(10);

/// Most memory one input may hold at once: a fixed allowance plus a
/// multiple of its size (a decoded value is larger than its text).
fn memory_limit(len: usize) -> usize {
    64 * 1024 * 1024 + 64 * len
}

#[derive(Default)]
struct Tally {
    inputs: usize,
    slowest: (Duration, String),
    /// Highest peak over allowance seen: (peak bytes, input length, label).
    hungriest: (usize, usize, String),
}

fn check(t: &Target, data: &[u8], label: &str, tally: &mut Tally) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let start = Instant::now();
    (t.run)(data);
    let took = start.elapsed();
    let peak = PEAK.with(Cell::get).saturating_sub(base);
    assert!(
        took <= TIME_LIMIT,
        "{}: {label} ({} bytes) took {took:?}, over {TIME_LIMIT:?}",
        t.name,
        data.len()
    );
    assert!(
        peak <= memory_limit(data.len()),
        "{}: {label} ({} bytes) held {peak} bytes at once, over {}",
        t.name,
        data.len(),
        memory_limit(data.len())
    );
    tally.inputs += 1;
    if took > tally.slowest.0 {
        tally.slowest = (took, label.to_owned());
    }
    if peak > tally.hungriest.0 {
        tally.hungriest = (peak, data.len(), label.to_owned());
    }
}

fn fuzz_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn corpus(name: &str) -> Vec<(PathBuf, Vec<u8>)> {
    corpus_in(&fuzz_dir().join("corpus").join(name))
}

fn corpus_in(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let data = std::fs::read(&p).unwrap();
            (p, data)
        })
        .collect()
}

/// Inputs no corpus file is close to: deep nesting and long runs in each
/// syntax, an entity bomb, invalid UTF-8, nothing at all.
fn hostile() -> Vec<(String, Vec<u8>)> {
    let deep = 100_000;
    let env = |inner: &str| {
        format!(
            "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" \
             xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>\
             <RetrievePropertiesExResponse xmlns=\"urn:vim25\"><returnval>{inner}</returnval>\
             </RetrievePropertiesExResponse></soapenv:Body></soapenv:Envelope>"
        )
    };
    let mut v: Vec<(String, Vec<u8>)> = vec![
        ("empty".into(), Vec::new()),
        ("nul".into(), vec![0]),
        ("invalid utf-8".into(), vec![0xff, 0xfe, b'<', 0xc3, b'a', b'>']),
        ("xml nesting".into(), "<a>".repeat(deep).into_bytes()),
        (
            "envelope nesting".into(),
            env(&"<objects><propSet><val xsi:type=\"ArrayOfAnyType\"><anyType>".repeat(2_000))
                .into_bytes(),
        ),
        (
            "many returnvals".into(),
            env(&"</returnval><returnval>".repeat(20_000)).into_bytes(),
        ),
        (
            "long attribute list".into(),
            format!("<obj {}/>", "a=\"1\" ".repeat(20_000)).into_bytes(),
        ),
        (
            "entity bomb".into(),
            concat!(
                "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\">",
                "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">",
                "<!ENTITY d SYSTEM \"file:///etc/passwd\">]><l>&c;&d;</l>"
            )
            .as_bytes()
            .to_vec(),
        ),
        ("yaml flow nesting".into(), "[".repeat(deep).into_bytes()),
        ("yaml map nesting".into(), "{a: ".repeat(deep).into_bytes()),
        (
            "yaml alias bomb".into(),
            concat!(
                "a: &a [x, x, x, x, x, x, x, x, x, x]\n",
                "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n",
                "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n",
                "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
                "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n",
                "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
                "interactions: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n",
                "vms: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n",
            )
            .as_bytes()
            .to_vec(),
        ),
        ("json nesting".into(), "[".repeat(deep).into_bytes()),
        (
            "json object nesting".into(),
            "{\"http_interactions\":".repeat(deep).into_bytes(),
        ),
    ];
    v.push((
        "long text".into(),
        format!("<obj>{}</obj>", "x".repeat(200_000)).into_bytes(),
    ));
    v
}

fn smoke(name: &str) {
    let t = target(name).unwrap();
    let started = Instant::now();
    let files = corpus(name);
    assert!(!files.is_empty(), "fuzz/corpus/{name} is empty");
    let mut tally = Tally::default();
    for (path, data) in &files {
        let label = path.file_name().unwrap().to_string_lossy();
        check(t, data, &format!("corpus/{name}/{label}"), &mut tally);
    }
    for (label, data) in hostile() {
        check(t, &data, &format!("hostile input `{label}`"), &mut tally);
    }
    let dict = parse_dict(&std::fs::read_to_string(fuzz_dir().join("dict").join(t.dict)).unwrap());
    let mutations: usize = std::env::var("VMOMI_FUZZ_SMOKE_MUTATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    // A fixed seed per target: the same inputs on every run.
    let seed = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    let mut rng = Rng::new(seed);
    for n in 0..mutations {
        let (base_path, base) = &files[rng.below(files.len())];
        let (_, other) = &files[rng.below(files.len())];
        let input = mutate(&mut rng, base, other, &dict);
        let label = format!(
            "mutation {n} of {} (seed {seed:#x})",
            base_path.file_name().unwrap().to_string_lossy()
        );
        check(t, &input, &label, &mut tally);
    }
    eprintln!(
        "{name}: {} inputs ({} corpus files, {mutations} mutations) in {:.1} s; \
         slowest {:.0} ms ({}); most memory {} KiB for {} bytes ({})",
        tally.inputs,
        files.len(),
        started.elapsed().as_secs_f64(),
        tally.slowest.0.as_secs_f64() * 1e3,
        tally.slowest.1,
        tally.hungriest.0 / 1024,
        tally.hungriest.1,
        tally.hungriest.2,
    );
}

#[test]
fn every_target_has_a_test_and_a_corpus() {
    let tested = [
        "xml_response",
        "xml_lexer",
        "soap_envelope",
        "service_versions",
        "cassette_yaml",
        "cassette_json",
        "vmci_spec",
        "vmci_policy",
        "esxcli",
    ];
    let names: Vec<_> = vmomi_fuzz::TARGETS.iter().map(|t| t.name).collect();
    assert_eq!(names, tested);
    for t in vmomi_fuzz::TARGETS {
        assert!(
            fuzz_dir().join("corpus").join(t.name).is_dir(),
            "{}",
            t.name
        );
        assert!(fuzz_dir().join("dict").join(t.dict).is_file(), "{}", t.dict);
    }
}

/// The corpus is committed: nothing in it may be a secret (the scan the
/// committed cassettes pass, `tests/tests/secret_scan.rs`).
#[test]
fn corpus_holds_no_secret() {
    let r = vmomi::redact::Redactor::default();
    for t in vmomi_fuzz::TARGETS {
        for (path, data) in corpus(t.name) {
            assert_eq!(r.contains_secret(&data), None, "{}", path.display());
        }
    }
}

/// The JSON target reads text as `cassette::load` reads a file: the
/// committed cassettes load both ways alike.
#[test]
fn json_target_reads_as_cassette_load() {
    for (path, data) in corpus("cassette_json") {
        let Ok(by_target) = serde_json::from_slice::<vmomi::cassette::Cassette>(&data) else {
            continue;
        };
        let by_load = vmomi::cassette::load(&path).unwrap();
        assert!(by_target == by_load, "{}", path.display());
    }
}

#[test]
fn xml_response() {
    smoke("xml_response");
}

#[test]
fn xml_lexer() {
    smoke("xml_lexer");
}

#[test]
fn soap_envelope() {
    smoke("soap_envelope");
}

#[test]
fn service_versions() {
    smoke("service_versions");
}

#[test]
fn cassette_yaml() {
    smoke("cassette_yaml");
}

#[test]
fn cassette_json() {
    smoke("cassette_json");
}

#[test]
fn vmci_spec() {
    smoke("vmci_spec");
}

#[test]
fn vmci_policy() {
    smoke("vmci_policy");
}

#[test]
fn esxcli() {
    smoke("esxcli");
}
