//! The AFL++ harness: `vmomi-fuzz-afl TARGET`, in persistent mode, built by
//! `cargo afl build --features afl` and started by `scripts/fuzz`. A panic
//! anywhere (even one caught inside the SDK) aborts, so AFL++ records it as a
//! crash.

fn main() {
    let name = std::env::args().nth(1).unwrap_or_default();
    let Some(target) = vmomi_fuzz::target(&name) else {
        let names: Vec<_> = vmomi_fuzz::TARGETS.iter().map(|t| t.name).collect();
        eprintln!("usage: vmomi-fuzz-afl TARGET, one of {}", names.join(", "));
        std::process::exit(2);
    };
    let run = target.run;
    // Once before the fork server starts: lazy statics (the ESXCLI type
    // table, ...) are then set in every child, so the first input of each
    // does not show coverage the others lack (AFL++ calls that instability).
    run(b"");
    afl::fuzz!(|data: &[u8]| run(data));
}
