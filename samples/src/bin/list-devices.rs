//! `list-devices [VM]`: the virtual hardware of one VM, or of every VM, as a
//! tree under its controllers (disks, NICs, CD/DVD drives, USB devices and
//! the rest by label), as a table or as JSON (`--json`).
//!
//! VM is an inventory path (`/DC0/vm/web-01`) when it holds a `/`, else a
//! name, else a BIOS or instance UUID (see `vmomi_samples::devices`). The
//! server comes from the environment: `VSPHERE_URL`, `VSPHERE_USER`,
//! `VSPHERE_PASSWORD`, `VSPHERE_INSECURE`, `VSPHERE_THUMBPRINT` (or govc's
//! `GOVC_URL`, `GOVC_USERNAME`, `GOVC_PASSWORD`, `GOVC_INSECURE`).

use clap::Parser;
use std::process::ExitCode;
use vmomi_samples::devices::{VmDevices, list_devices, render};
use vmomi_samples::{ConnectArgs, output, with_client};

/// Lists the virtual hardware of a VM (or of every VM) under its controllers.
#[derive(Parser)]
#[command(
    version,
    about,
    after_help = "Server and credentials come from VSPHERE_URL, VSPHERE_USER, VSPHERE_PASSWORD, VSPHERE_INSECURE, VSPHERE_THUMBPRINT, VSPHERE_CA_FILE (or GOVC_URL, GOVC_USERNAME, GOVC_PASSWORD, GOVC_INSECURE); VSPHERE_TIMEOUT limits each call, VSPHERE_RECORD=FILE records the session."
)]
struct Args {
    /// The VM: an inventory path if it holds a / (/DC0/vm/web-01), else its
    /// name, else its BIOS or instance UUID. Every VM when left out.
    vm: Option<String>,
    /// Print a JSON array (one object per VM, devices nested under their
    /// controllers) instead of a table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    connect: ConnectArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    match run(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("list-devices: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let vm = args.vm.as_deref();
    let vms: Vec<VmDevices> =
        with_client(&args.connect, async |client| list_devices(client, vm).await).await??;
    if args.json {
        output::print_json(&serde_json::Value::Array(
            vms.iter().map(VmDevices::to_json).collect(),
        ));
    } else {
        print!("{}", render(&vms));
    }
    Ok(())
}
