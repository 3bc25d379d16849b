//! Shared code of the sample programs (`src/bin/`), kept in the library so
//! the tests can check it.

use std::time::Duration;

pub mod devices;
pub mod esxcli;
pub mod output;
pub mod vms;

/// What every sample takes on its command line besides the environment
/// (`VSPHERE_URL`, `VSPHERE_USER`, ... as [`vmomi::ClientBuilder::from_env`]
/// reads them).
#[derive(Clone, Debug, Default, clap::Args)]
pub struct ConnectArgs {
    /// The limit of each call: seconds, or 500ms, 90s, 5m, 1h. Overrides
    /// VSPHERE_TIMEOUT; the default is 300 s.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout)]
    pub timeout: Option<Duration>,
}

fn parse_timeout(s: &str) -> Result<Duration, String> {
    vmomi::session::parse_duration(s)
}

/// Connects as the environment says, runs `work`, and closes the client on
/// every path (success or failure): the session is logged out and a
/// `VSPHERE_RECORD` cassette written before the program goes on. The error
/// of `work` wins over one of closing.
pub async fn with_client<T>(
    args: &ConnectArgs,
    work: impl AsyncFnOnce(&vmomi::Client) -> Result<T, vmomi::Error>,
) -> Result<T, vmomi::Error> {
    let mut builder = vmomi::Client::builder().from_env()?;
    if let Some(t) = args.timeout {
        builder = builder.timeout(t);
    }
    let client = builder.connect().await?;
    let result = work(&client).await;
    let closed = client.close().await;
    match (result, closed) {
        (Ok(v), Ok(())) => Ok(v),
        (Err(e), _) | (Ok(_), Err(e)) => Err(e),
    }
}
