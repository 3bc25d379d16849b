//! `list-vms`: every virtual machine with its power state, guest OS, CPUs,
//! memory and IP address, as a table or as JSON (`--json`).
//!
//! The server comes from the environment: `VSPHERE_URL`, `VSPHERE_USER`,
//! `VSPHERE_PASSWORD`, `VSPHERE_INSECURE`, `VSPHERE_THUMBPRINT` (or govc's
//! `GOVC_URL`, `GOVC_USERNAME`, `GOVC_PASSWORD`, `GOVC_INSECURE`).

use clap::Parser;
use std::process::ExitCode;
use vmomi_samples::{VmRow, list_vms, render_table};

/// Lists every virtual machine of a vCenter or ESXi host.
#[derive(Parser)]
#[command(
    version,
    about,
    after_help = "Server and credentials come from VSPHERE_URL, VSPHERE_USER, VSPHERE_PASSWORD, VSPHERE_INSECURE, VSPHERE_THUMBPRINT (or GOVC_URL, GOVC_USERNAME, GOVC_PASSWORD, GOVC_INSECURE)."
)]
struct Args {
    /// Print a JSON array instead of a table.
    #[arg(long)]
    json: bool,
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
    let client = vmomi::Client::builder().from_env()?.connect().await?;
    let rows: Vec<VmRow> = list_vms(&client).await?;
    client.logout().await?;
    if args.json {
        let json = serde_json::Value::Array(rows.iter().map(VmRow::to_json).collect());
        println!(
            "{}",
            serde_json::to_string_pretty(&json).unwrap_or_default()
        );
    } else {
        print!("{}", render_table(&rows));
    }
    Ok(())
}
