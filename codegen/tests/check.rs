//! `vmomi-codegen --check` against a scratch output: fresh passes, a changed,
//! missing or extra file fails and is named.

use std::path::Path;
use std::process::Command;

fn run(out: &Path, check: bool) -> (bool, String) {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vmomi-codegen"));
    cmd.arg("--quiet")
        .arg("--wsdl")
        .arg(shared.join("wsdl/vim25-7.0"))
        .arg("--vmodl")
        .arg(shared.join("vmodl/vmodl.json"))
        .arg("--out")
        .arg(out);
    if check {
        cmd.arg("--check");
    }
    let o = cmd.output().expect("the codegen runs");
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn check_names_the_first_stale_file() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/wsdl");
    if !shared.exists() {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "../shared is missing under CI"
        );
        return;
    }
    let out = std::env::temp_dir().join(format!("vmomi-codegen-check-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let (ok, _) = run(&out, false);
    assert!(ok, "generation into a scratch directory succeeds");
    let (ok, msg) = run(&out, true);
    assert!(ok, "fresh output passes: {msg}");

    let file = out.join("bindings/src/generated/enums/part_virtualm.rs");
    let text = std::fs::read_to_string(&file).expect("an enums file");
    std::fs::write(&file, text.replace("poweredOn", "poweredUp")).unwrap();
    let (ok, msg) = run(&out, true);
    assert!(!ok);
    assert!(
        msg.contains("enums/part_virtualm.rs") && msg.contains("differs"),
        "{msg}"
    );

    std::fs::write(&file, text).unwrap();
    std::fs::write(
        out.join("methods/src/generated/stray.rs"),
        "// not generated\n",
    )
    .unwrap();
    let (ok, msg) = run(&out, true);
    assert!(!ok);
    assert!(
        msg.contains("stray.rs") && msg.contains("not written by the codegen"),
        "{msg}"
    );
    let _ = std::fs::remove_dir_all(&out);
}
