//! `list-vms`: every virtual machine with its power state, guest OS, CPUs,
//! memory and IP address, as a table or as JSON (`--json`).
//!
//! The server comes from the environment: `VSPHERE_URL`, `VSPHERE_USER`,
//! `VSPHERE_PASSWORD`, `VSPHERE_INSECURE`, `VSPHERE_THUMBPRINT` (or govc's
//! `GOVC_URL`, `GOVC_USERNAME`, `GOVC_PASSWORD`, `GOVC_INSECURE`).

use clap::Parser;
use std::process::ExitCode;
use vmomi_samples::vms::{VmRow, list_vms, render_table};
use vmomi_samples::{ConnectArgs, output, with_client};

/// Lists every virtual machine of a vCenter or ESXi host.
#[derive(Parser)]
#[command(
    version,
    about,
    after_help = "Server and credentials come from VSPHERE_URL, VSPHERE_USER, VSPHERE_PASSWORD, VSPHERE_INSECURE, VSPHERE_THUMBPRINT, VSPHERE_CA_FILE (or GOVC_URL, GOVC_USERNAME, GOVC_PASSWORD, GOVC_INSECURE); VSPHERE_TIMEOUT limits each call, VSPHERE_RECORD=FILE records the session."
)]
struct Args {
    /// Print a JSON array instead of a table.
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
            eprintln!("list-vms: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &Args) -> Result<(), vmomi::Error> {
    let rows: Vec<VmRow> =
        with_client(&args.connect, async |client| list_vms(client).await).await?;
    if args.json {
        output::print_json(&serde_json::Value::Array(
            rows.iter().map(VmRow::to_json).collect(),
        ));
    } else {
        print!("{}", render_table(&rows));
    }
    Ok(())
}
