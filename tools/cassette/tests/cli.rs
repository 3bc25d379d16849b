//! `vmomi-cassette import` then `check` and `scan` on the five shared vcrpy
//! cassettes (real servers, vCenter 8.0.3 among them): the import scrubs the
//! passwords, cookies and session keys the originals hold, and every
//! response still decodes.

use std::path::PathBuf;
use std::process::Command;

fn shared_cassettes() -> Option<Vec<PathBuf>> {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/cassettes/pyvmomi-vcrpy"
    ));
    let Ok(entries) = std::fs::read_dir(&dir) else {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "{} is missing",
            dir.display()
        );
        eprintln!("skipping: {} is missing", dir.display());
        return None;
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    Some(files)
}

fn tool(args: &[&std::ffi::OsStr]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vmomi-cassette"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn import_check_and_scan_the_shared_vcrpy_cassettes() {
    let Some(files) = shared_cassettes() else {
        return;
    };
    assert_eq!(files.len(), 5);
    let out_dir = std::env::temp_dir().join(format!("vmomi-import-{}", std::process::id()));
    std::fs::create_dir_all(&out_dir).unwrap();

    // The originals hold secrets: the scan must say so.
    let (ok, text) = tool(&["scan".as_ref(), files[0].as_os_str()]);
    assert!(!ok, "{text}");
    assert!(text.contains("secret"), "{text}");

    let mut imported = Vec::new();
    for f in &files {
        let out = out_dir.join(f.file_stem().unwrap()).with_extension("json");
        let (ok, text) = tool(&["import".as_ref(), f.as_os_str(), out.as_os_str()]);
        assert!(ok, "{text}");
        imported.push(out);
    }
    let mut args: Vec<&std::ffi::OsStr> = vec!["check".as_ref()];
    args.extend(imported.iter().map(|p| p.as_os_str()));
    let (ok, text) = tool(&args);
    assert!(ok, "{text}");
    assert!(text.trim_end().ends_with("22 passed, 0 failed"), "{text}");
    assert!(text.contains("InvalidLogin"), "{text}");

    args[0] = "scan".as_ref();
    let (ok, text) = tool(&args);
    assert!(ok, "{text}");
    assert_eq!(text.matches(": clean").count(), 5, "{text}");
    let _ = std::fs::remove_dir_all(&out_dir);
}

/// The PBM scenario's cassette (`cassettes/pbm.json`): its `/pbm/sdk`
/// answers decode in the `urn:pbm` namespace into the PBM bindings, with
/// nothing unknown; an answer of an operation the bindings lack still
/// decodes by `xsi:type` when the path says PBM.
#[test]
fn check_decodes_the_pbm_endpoint() {
    let file = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../cassettes/pbm.json"
    ));
    let (ok, text) = tool(&["check".as_ref(), file.as_os_str()]);
    assert!(ok, "{text}");
    for op in [
        "PbmRetrieveServiceContent",
        "PbmQueryProfile",
        "PbmRetrieveContent",
        "PbmCheckCompatibility",
    ] {
        assert!(text.contains(&format!("{op}: ok\n")), "{op} in {text}");
    }

    // The same cassette with one PBM operation renamed to one no binding
    // has: its profiles (sent with xsi:type) decode in urn:pbm because the
    // path is /pbm/sdk; read as vim25 the namespace would not match.
    let renamed = std::fs::read_to_string(&file)
        .unwrap()
        .replace("PbmRetrieveContent", "PbmRetrieveFutureContent");
    let tmp = std::env::temp_dir().join(format!("vmomi-pbm-{}.json", std::process::id()));
    std::fs::write(&tmp, renamed).unwrap();
    let (ok, text) = tool(&["check".as_ref(), tmp.as_os_str()]);
    std::fs::remove_file(&tmp).unwrap();
    assert!(ok, "{text}");
    assert!(
        text.contains(
            "PbmRetrieveFutureContent: ok (operation not in the bindings: decoded by xsi:type)"
        ),
        "{text}"
    );
}
