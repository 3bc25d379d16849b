//! `esxcli --host HOST COMMAND... [--option value ...]`: an ESXCLI command
//! on a host through vCenter (or the host itself), answered in the host's
//! own release, as a table or as JSON (`--json`).
//!
//! ```text
//! esxcli --host esx-01 system hostname get
//! esxcli --host esx-01 software vib list --json
//! esxcli --host esx-01 network ip interface ipv4 get --interface-name vmk0
//! ```
//!
//! The server comes from the environment, as for every sample
//! (`VSPHERE_URL`, `VSPHERE_USER`, `VSPHERE_PASSWORD`, ...).

use clap::Parser;
use std::process::ExitCode;
use vmomi_samples::esxcli::{parse_command_line, render, run};
use vmomi_samples::{ConnectArgs, output, with_client};

/// Runs an ESXCLI command on a host, in the host's own release.
#[derive(Parser)]
#[command(
    version,
    about,
    after_help = "Server and credentials come from VSPHERE_URL, VSPHERE_USER, VSPHERE_PASSWORD, VSPHERE_INSECURE, VSPHERE_THUMBPRINT, VSPHERE_CA_FILE (or GOVC_URL, GOVC_USERNAME, GOVC_PASSWORD, GOVC_INSECURE); VSPHERE_TIMEOUT limits each call, VSPHERE_RECORD=FILE records the session."
)]
struct Args {
    /// The host: its name, or an inventory path (/DC0/host/cluster/esx-01).
    #[arg(long)]
    host: String,
    /// Print the result as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Ask the host for this release instead of its own (as clients that
    /// pin one release do; an older host refuses a newer one).
    #[arg(long, value_name = "RELEASE")]
    release: Option<String>,
    #[command(flatten)]
    connect: ConnectArgs,
    /// The command and its options: `system hostname get`,
    /// `network ip interface ipv4 get --interface-name vmk0`.
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
    command: Vec<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    match go(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("esxcli: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn go(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let mut line = parse_command_line(&args.command);
    // `--json` after the command is this program's, not the command's: no
    // ESXCLI command has a `--json` option.
    let before = line.options.len();
    line.options.retain(|(n, v)| !(n == "json" && v == "true"));
    let json = args.json || line.options.len() < before;
    let release = args.release.as_deref();
    let value = with_client(&args.connect, async |client| {
        run(client, &args.host, release, &line).await
    })
    .await?;
    if json {
        output::print_json(&serde_json::to_value(&value)?);
    } else {
        print!("{}", render(&value));
    }
    Ok(())
}
