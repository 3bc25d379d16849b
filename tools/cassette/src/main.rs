//! `vmomi-cassette`: work with recorded vSphere sessions.
//!
//! `vmomi-cassette check FILE...` decodes every SOAP response of each cassette
//! (vcrpy YAML or our JSON) with the typed bindings, choosing the response type
//! from the request's operation, and prints one line per interaction.
//!
//! `vmomi-cassette import IN.yaml OUT.json` converts a vcrpy cassette to ours,
//! scrubbing passwords, cookies and session keys on the way.
//!
//! `vmomi-cassette scan FILE...` fails when a cassette holds a secret.
//!
//! `vmomi-cassette dump FILE...` prints every decoded SOAP response as
//! VI/JSON (the encoding of vSphere's JSON protocol), one JSON document per
//! line and response, for comparing our decoding value by value with another
//! SDK's (`tests/oracle.rs` does it with pyVmomi):
//! `{"cassette": "c.yaml", "interaction": 1, "operation": "RetrieveServiceContent",
//! "returnval": {...}}` (`null` for none, a list for an array result), or for
//! a SOAP fault `{..., "fault": {"_typeName": "InvalidLogin"}, "faultstring":
//! "..."}`. Interactions that are not SOAP calls are skipped; a summary per
//! cassette goes to standard error. See `vmomi_bindings::rt::vijson` for the
//! encoding.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use vmomi::cassette::{Scrubber, interactions, load_any, save};
use vmomi::decode_response_in;
use vmomi::redact::Redactor;
use vmomi::rt::Service;
use vmomi_bindings::rt::vijson::{self, ViJsonBody};
use vmomi_bindings::xml::UnknownStats;

#[derive(Parser)]
#[command(
    name = "vmomi-cassette",
    about = "Check recorded vSphere sessions",
    version
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Decode every SOAP response with the typed bindings.
    Check {
        /// Cassettes: vcrpy `.yaml`/`.yml` or vmomi `.json`.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Convert a vcrpy YAML cassette to vmomi JSON, scrubbing secrets.
    Import {
        /// The vcrpy cassette.
        input: PathBuf,
        /// The JSON cassette to write.
        output: PathBuf,
    },
    /// Print every decoded SOAP response as VI/JSON, one document per line.
    Dump {
        /// Cassettes: vcrpy `.yaml`/`.yml` or vmomi `.json`.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Fail when a cassette holds a password, cookie or session key.
    Scan {
        /// Cassettes: vcrpy `.yaml`/`.yml` or vmomi `.json`.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

fn import(input: &PathBuf, output: &PathBuf) -> ExitCode {
    let mut cassette = match load_any(input) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("vmomi-cassette import: {e}");
            return ExitCode::FAILURE;
        }
    };
    let scrubber = Scrubber::new(Redactor::default());
    for i in &mut cassette.http_interactions {
        scrubber.interaction(i);
    }
    if let Err(e) = save(&cassette, output) {
        eprintln!("vmomi-cassette import: {e}");
        return ExitCode::FAILURE;
    }
    println!(
        "{}: {} interactions written to {}",
        input.display(),
        cassette.http_interactions.len(),
        output.display()
    );
    ExitCode::SUCCESS
}

fn scan(files: &[PathBuf]) -> ExitCode {
    let redactor = Redactor::default();
    let mut bad = 0;
    for file in files {
        match std::fs::read(file) {
            Ok(bytes) => match redactor.contains_secret(&bytes) {
                Some(what) => {
                    bad += 1;
                    println!("{}: secret: {what}", file.display());
                }
                None => println!("{}: clean", file.display()),
            },
            Err(e) => {
                bad += 1;
                println!("{}: error: {e}", file.display());
            }
        }
    }
    if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn describe(u: &UnknownStats) -> String {
    let mut parts = Vec::new();
    for (what, map) in [
        ("element", &u.elements),
        ("type", &u.types),
        ("enum value", &u.enum_values),
    ] {
        for (name, n) in map {
            parts.push(format!("{what} {name} x{n}"));
        }
    }
    parts.join(", ")
}

fn check(files: &[PathBuf]) -> ExitCode {
    let (mut passed, mut failed) = (0usize, 0usize);
    for file in files {
        let cassette = match load_any(file) {
            Ok(c) => c,
            Err(e) => {
                println!("{}: error: {e}", file.display());
                failed += 1;
                continue;
            }
        };
        let short = file
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        for (n, i) in interactions(&cassette).iter().enumerate() {
            let Some(op) = &i.soap_operation else {
                println!(
                    "{short} #{n} {} {}: skipped (not a SOAP call)",
                    i.method, i.uri
                );
                continue;
            };
            let body = i.response_body.unwrap_or("");
            // The endpoint says which API answered: PBM at /pbm/sdk.
            let service = if i.uri.contains(Service::Pbm.path()) {
                Service::Pbm
            } else {
                Service::Vim25
            };
            match decode_response_in(service, op, body.as_bytes()) {
                Ok(d) => {
                    passed += 1;
                    let how = if d.known_operation {
                        ""
                    } else {
                        " (operation not in the bindings: decoded by xsi:type)"
                    };
                    if d.unknown.is_empty() {
                        println!("{short} #{n} {op}: ok{how}");
                    } else {
                        println!(
                            "{short} #{n} {op}: ok, unknown: {}{how}",
                            describe(&d.unknown)
                        );
                    }
                }
                Err(vmomi::error::CallError::Fault(f)) => {
                    passed += 1;
                    let name = f
                        .detail
                        .as_ref()
                        .map(|d| d.type_name())
                        .unwrap_or("untyped");
                    println!("{short} #{n} {op}: ok, fault {name}: {}", f.string);
                }
                Err(e) => {
                    failed += 1;
                    println!("{short} #{n} {op}: error: {e}");
                }
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// A JSON string literal.
fn json_str(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

fn dump(files: &[PathBuf]) -> ExitCode {
    let mut failed = 0usize;
    for file in files {
        let cassette = match load_any(file) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("{}: error: {e}", file.display());
                failed += 1;
                continue;
            }
        };
        let short = file
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (mut written, mut faults, mut raw, mut skipped) = (0usize, 0usize, 0usize, 0usize);
        let mut unknown = UnknownStats::default();
        for (n, i) in interactions(&cassette).iter().enumerate() {
            let Some(op) = &i.soap_operation else {
                skipped += 1;
                continue;
            };
            let service = if i.uri.contains(Service::Pbm.path()) {
                Service::Pbm
            } else {
                Service::Vim25
            };
            let body = i.response_body.unwrap_or("");
            let head = format!(
                "{{\"cassette\":{},\"interaction\":{n},\"operation\":{}",
                json_str(&short),
                json_str(op)
            );
            let doc = match vijson::response(service, op, body.as_bytes()) {
                Ok(r) => {
                    raw += r.raw_elements;
                    unknown.merge(&r.unknown);
                    match r.body {
                        ViJsonBody::Result(json) => format!("{head},\"returnval\":{json}}}"),
                        ViJsonBody::Fault { string, detail } => {
                            faults += 1;
                            format!(
                                "{head},\"fault\":{detail},\"faultstring\":{}}}",
                                json_str(&string)
                            )
                        }
                    }
                }
                Err(e) => {
                    failed += 1;
                    eprintln!("{} #{n} {op}: error: {e}", file.display());
                    format!("{head},\"error\":{}}}", json_str(&e.to_string()))
                }
            };
            // Every line must be JSON, whatever the response held.
            if let Err(e) = serde_json::from_str::<serde_json::Value>(&doc) {
                failed += 1;
                eprintln!("{} #{n} {op}: not JSON ({e}): {doc}", file.display());
                continue;
            }
            println!("{doc}");
            written += 1;
        }
        let unknown = if unknown.is_empty() {
            String::new()
        } else {
            format!("; unknown to the bindings: {}", describe(&unknown))
        };
        eprintln!(
            "{}: {written} responses ({faults} faults), {raw} kept as raw XML (_unknownXml), {skipped} not SOAP{unknown}",
            file.display()
        );
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn main() -> ExitCode {
    match Cli::parse().cmd {
        Cmd::Check { files } => check(&files),
        Cmd::Import { input, output } => import(&input, &output),
        Cmd::Scan { files } => scan(&files),
        Cmd::Dump { files } => dump(&files),
    }
}
