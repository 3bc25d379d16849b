//! The stable driver of the fuzz targets (no coverage feedback):
//!
//! ```text
//! vmomi-fuzz list                         the targets
//! vmomi-fuzz run TARGET PATH...           each file (or every file of a folder) once,
//!                                         with its time and peak memory: reproduces a crash
//! vmomi-fuzz random TARGET SECONDS [SEED] mutates fuzz/corpus/TARGET for that long
//! ```
//!
//! Targets run on a thread with a 2 MiB stack (as a tokio worker and a test
//! thread have; `VMOMI_FUZZ_STACK_KIB` changes it), so a deep recursion
//! fails here as it would there.
//!
//! `random` writes the input being run to `fuzz/out/random-TARGET/current`
//! first, so an abort (a stack overflow) leaves it behind; a panic is saved
//! as `crash-SEED-N` beside it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use vmomi_fuzz::mutate::{Rng, mutate, parse_dict};
use vmomi_fuzz::{TARGETS, Target, target};

fn main() -> ExitCode {
    let stack = std::env::var("VMOMI_FUZZ_STACK_KIB")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(2048);
    std::thread::Builder::new()
        .name("fuzz".into())
        .stack_size(stack * 1024)
        .spawn(cli)
        .expect("start the fuzz thread")
        .join()
        .unwrap_or(ExitCode::FAILURE)
}

fn cli() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = || {
        eprintln!("usage: vmomi-fuzz list | run TARGET PATH... | random TARGET SECONDS [SEED]");
        ExitCode::from(2)
    };
    let find = |name: &str| {
        let t = target(name);
        if t.is_none() {
            eprintln!("no target {name:?}; `vmomi-fuzz list` names them");
        }
        t
    };
    match args.first().map(String::as_str) {
        Some("list") => {
            for t in TARGETS {
                println!("{:<18} {}", t.name, t.about);
            }
            ExitCode::SUCCESS
        }
        Some("run") if args.len() >= 3 => {
            let Some(t) = find(&args[1]) else {
                return ExitCode::from(2);
            };
            for p in &args[2..] {
                for file in files(Path::new(p)) {
                    let data = std::fs::read(&file).expect("read the input");
                    let start = Instant::now();
                    (t.run)(&data);
                    println!(
                        "{}: {} bytes, {:.1} ms",
                        file.display(),
                        data.len(),
                        start.elapsed().as_secs_f64() * 1e3
                    );
                }
            }
            ExitCode::SUCCESS
        }
        Some("random") if args.len() >= 3 => {
            let Some(t) = find(&args[1]) else {
                return ExitCode::from(2);
            };
            let Ok(seconds) = args[2].parse::<u64>() else {
                return usage();
            };
            let seed = args.get(3).and_then(|s| s.parse().ok()).unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(1, |d| d.as_secs())
            });
            random(t, Duration::from_secs(seconds), seed)
        }
        _ => usage(),
    }
}

/// `path` itself, or the files of the folder `path`, sorted.
fn files(path: &Path) -> Vec<PathBuf> {
    if !path.is_dir() {
        return vec![path.to_path_buf()];
    }
    let mut out: Vec<PathBuf> = std::fs::read_dir(path)
        .expect("read the folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

fn random(t: &Target, limit: Duration, seed: u64) -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus: Vec<Vec<u8>> = files(&root.join("corpus").join(t.name))
        .iter()
        .filter_map(|f| std::fs::read(f).ok())
        .collect();
    if corpus.is_empty() {
        eprintln!("fuzz/corpus/{} is empty", t.name);
        return ExitCode::FAILURE;
    }
    let dict = std::fs::read_to_string(root.join("dict").join(t.dict))
        .map(|d| parse_dict(&d))
        .unwrap_or_default();
    let out = root.join("out").join(format!("random-{}", t.name));
    std::fs::create_dir_all(&out).expect("create the output folder");
    let current = out.join("current");
    let mut rng = Rng::new(seed);
    let start = Instant::now();
    let mut n: u64 = 0;
    let mut slowest = Duration::ZERO;
    println!(
        "{}: seed {seed}, {} corpus files, {limit:?}",
        t.name,
        corpus.len()
    );
    while start.elapsed() < limit {
        let base = &corpus[rng.below(corpus.len())];
        let other = &corpus[rng.below(corpus.len())];
        let input = mutate(&mut rng, base, other, &dict);
        std::fs::write(&current, &input).expect("write the current input");
        let began = Instant::now();
        let run = t.run;
        if std::panic::catch_unwind(|| run(&input)).is_err() {
            let crash = out.join(format!("crash-{seed}-{n}"));
            std::fs::write(&crash, &input).expect("save the crash");
            eprintln!(
                "{}: panic on input {n}, saved as {}",
                t.name,
                crash.display()
            );
            return ExitCode::FAILURE;
        }
        slowest = slowest.max(began.elapsed());
        n += 1;
    }
    let _ = std::fs::remove_file(&current);
    println!(
        "{}: {n} inputs in {:.0} s, no crash; slowest {:.1} ms",
        t.name,
        start.elapsed().as_secs_f64(),
        slowest.as_secs_f64() * 1e3
    );
    ExitCode::SUCCESS
}
