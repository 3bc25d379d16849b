//! `cargo run -p vmomi-codegen [-- --check] [--wsdl DIR] [--vmodl FILE] [--out DIR]
//! [--wsdl-old DIR] [--wsdl-old-release WIRE] [--versions FILE] [--since FILE]`
//!
//! Without flags, run from the repository root, it reads `../shared/wsdl/vim25-7.0`
//! and `../shared/vmodl/vmodl.json` and rewrites `sdk/bindings/src/generated`
//! (wire types) and `sdk/methods/src/generated` (requests, methods, views).
//! For the release tables it also reads the older WSDL set beside the primary
//! one (`vim25-5.5`, whose release is taken from the directory name unless
//! `--wsdl-old-release` gives it) and `versions.json` and `since.json` beside
//! `vmodl.json`.
//! `--check` writes nothing and fails, naming the first differing file, when the
//! committed output is stale.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

struct Args {
    wsdl: PathBuf,
    vmodl: PathBuf,
    out: PathBuf,
    wsdl_old: Option<PathBuf>,
    wsdl_old_release: Option<String>,
    versions: Option<PathBuf>,
    since: Option<PathBuf>,
    check: bool,
    quiet: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        wsdl: "../shared/wsdl/vim25-7.0".into(),
        vmodl: "../shared/vmodl/vmodl.json".into(),
        out: "sdk".into(),
        wsdl_old: None,
        wsdl_old_release: None,
        versions: None,
        since: None,
        check: false,
        quiet: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut val = |flag: &str| it.next().ok_or_else(|| format!("{flag} needs a value"));
        match arg.as_str() {
            "--check" => a.check = true,
            "--quiet" | "-q" => a.quiet = true,
            "--wsdl" => a.wsdl = val("--wsdl")?.into(),
            "--vmodl" => a.vmodl = val("--vmodl")?.into(),
            "--out" => a.out = val("--out")?.into(),
            "--wsdl-old" => a.wsdl_old = Some(val("--wsdl-old")?.into()),
            "--wsdl-old-release" => a.wsdl_old_release = Some(val("--wsdl-old-release")?),
            "--versions" => a.versions = Some(val("--versions")?.into()),
            "--since" => a.since = Some(val("--since")?.into()),
            "-h" | "--help" => {
                println!(
                    "usage: vmomi-codegen [--check] [--quiet] [--wsdl DIR] [--vmodl FILE] [--out DIR]\n    \
                     [--wsdl-old DIR (default: vim25-5.5 beside --wsdl)] [--wsdl-old-release WIRE]\n    \
                     [--versions FILE] [--since FILE] (default: beside --vmodl)"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument `{other}` (try --help)")),
        }
    }
    Ok(a)
}

/// Formats every `.rs` file with rustfmt in one run over a scratch directory.
fn format(files: &mut BTreeMap<String, String>) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("vmomi-codegen-fmt-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut paths = Vec::new();
    for (rel, text) in files.iter() {
        if rel.ends_with(".rs") {
            let p = dir.join(rel);
            std::fs::create_dir_all(p.parent().expect("has parent")).map_err(|e| e.to_string())?;
            std::fs::write(&p, text).map_err(|e| e.to_string())?;
            paths.push((rel.clone(), p));
        }
    }
    // rustfmt formats each file given on the command line (no module walking needed).
    for chunk in paths.chunks(64) {
        let status = Command::new(std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".into()))
            .args(["--edition", "2024"])
            .args(chunk.iter().map(|(_, p)| p))
            .stdout(Stdio::null())
            .status()
            .map_err(|e| format!("cannot run rustfmt: {e}"))?;
        if !status.success() {
            return Err(format!("rustfmt failed on the generated code ({status})"));
        }
    }
    for (rel, p) in paths {
        let text = std::fs::read_to_string(&p).map_err(|e| e.to_string())?;
        files.insert(rel, text);
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// The committed generated files under both output roots, keyed like the codegen's output.
fn existing(out: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut acc = BTreeMap::new();
    for root in [
        vmomi_codegen::emit::TYPES_ROOT,
        vmomi_codegen::emit::METHODS_ROOT,
    ] {
        for (k, v) in existing_under(&out.join(root)) {
            acc.insert(format!("{root}/{k}"), v);
        }
    }
    acc
}

fn existing_under(out: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, acc: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, acc);
            } else if let Ok(b) = std::fs::read(&p) {
                let rel = p
                    .strip_prefix(root)
                    .expect("under root")
                    .to_string_lossy()
                    .replace('\\', "/");
                acc.insert(rel, b);
            }
        }
    }
    let mut acc = BTreeMap::new();
    walk(out, out, &mut acc);
    acc
}

fn run() -> Result<ExitCode, String> {
    let a = parse_args()?;
    let mut model = vmomi_codegen::load(&a.wsdl, &a.vmodl)?;
    let beside = |p: &Path, name: &str| p.parent().unwrap_or(Path::new(".")).join(name);
    let wsdl_old = a
        .wsdl_old
        .clone()
        .unwrap_or_else(|| beside(&a.wsdl, "vim25-5.5"));
    let old_release = match &a.wsdl_old_release {
        Some(r) => r.clone(),
        None => wsdl_old
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix("vim25-"))
            .ok_or_else(|| {
                format!(
                    "cannot tell the release of {} from its name (vim25-<release>): give --wsdl-old-release",
                    wsdl_old.display()
                )
            })?
            .to_string(),
    };
    vmomi_codegen::load_releases(
        &mut model,
        &wsdl_old,
        &old_release,
        &a.versions
            .clone()
            .unwrap_or_else(|| beside(&a.vmodl, "versions.json")),
        &a.since
            .clone()
            .unwrap_or_else(|| beside(&a.vmodl, "since.json")),
    )?;
    let mut files = vmomi_codegen::generate(&model)?;
    format(&mut files)?;
    if !a.quiet {
        print!(
            "{}",
            files[&format!("{}/summary.txt", vmomi_codegen::emit::TYPES_ROOT)]
        );
    }
    let old = existing(&a.out);
    if a.check {
        for (rel, text) in &files {
            match old.get(rel) {
                Some(b) if b == text.as_bytes() => {}
                Some(_) => {
                    eprintln!(
                        "stale: {} differs from what the codegen writes; run `cargo run -p vmomi-codegen`",
                        a.out.join(rel).display()
                    );
                    return Ok(ExitCode::FAILURE);
                }
                None => {
                    eprintln!(
                        "stale: {} is missing; run `cargo run -p vmomi-codegen`",
                        a.out.join(rel).display()
                    );
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
        if let Some(rel) = old.keys().find(|k| !files.contains_key(*k)) {
            eprintln!(
                "stale: {} is not written by the codegen; run `cargo run -p vmomi-codegen`",
                a.out.join(rel).display()
            );
            return Ok(ExitCode::FAILURE);
        }
        eprintln!(
            "generated code in {} is fresh ({} files)",
            a.out.display(),
            files.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    for rel in old.keys().filter(|k| !files.contains_key(*k)) {
        std::fs::remove_file(a.out.join(rel)).map_err(|e| e.to_string())?;
    }
    for (rel, text) in &files {
        let p = a.out.join(rel);
        if old.get(rel).map(|b| b.as_slice()) != Some(text.as_bytes()) {
            std::fs::create_dir_all(p.parent().expect("has parent")).map_err(|e| e.to_string())?;
            std::fs::write(&p, text).map_err(|e| format!("cannot write {}: {e}", p.display()))?;
        }
    }
    eprintln!("wrote {} files to {}", files.len(), a.out.display());
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    match run() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("vmomi-codegen: {e}");
            ExitCode::from(2)
        }
    }
}
