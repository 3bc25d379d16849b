//! Shared code of the sample programs (`src/bin/`), kept in the library so
//! the tests can check it.

use std::time::Duration;
use vmomi::types::VirtualMachinePowerState;

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

/// One line of `list-vms`.
#[derive(Clone, Debug, PartialEq)]
pub struct VmRow {
    /// The managed object id (`vm-42`).
    pub id: String,
    /// The inventory name.
    pub name: String,
    /// `poweredOn`, `poweredOff` or `suspended`.
    pub power_state: String,
    /// The guest OS as configured (`config.guestFullName`).
    pub guest_os: Option<String>,
    /// Virtual CPUs.
    pub cpus: Option<i32>,
    /// Memory in MB.
    pub memory_mb: Option<i32>,
    /// The primary IP address VMware Tools reports.
    pub ip: Option<String>,
}

/// What `list-vms` reads of each VM: one typed property set, one
/// retrieval for all of them.
#[derive(vmomi::PropertySet)]
#[property_set(VirtualMachine)]
struct Listed {
    #[property(reference)]
    obj: vmomi::types::ManagedObjectReference,
    name: Option<String>,
    #[property(runtime.power_state)]
    power: Option<VirtualMachinePowerState>,
    #[property(config.guest_full_name)]
    guest_os: Option<String>,
    #[property(config.hardware.num_cpu)]
    cpus: Option<i32>,
    #[property(config.hardware.memory_mb)]
    memory_mb: Option<i32>,
    #[property(guest.ip_address)]
    ip: Option<String>,
}

/// Reads every VM with the properties `list-vms` shows, sorted by name.
pub async fn list_vms(client: &vmomi::Client) -> Result<Vec<VmRow>, vmomi::Error> {
    use futures_util::TryStreamExt;
    let root = client.service_content().root_folder.clone();
    let listed: Vec<Listed> = vmomi::property::retrieve::<Listed>(client, &root)
        .try_collect()
        .await?;
    let mut rows: Vec<VmRow> = listed
        .into_iter()
        .map(|v| VmRow {
            name: v.name.unwrap_or_default(),
            power_state: v.power.map(|p| p.as_str().to_string()).unwrap_or_default(),
            guest_os: v.guest_os,
            cpus: v.cpus,
            memory_mb: v.memory_mb,
            ip: v.ip,
            id: v.obj.value,
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
    Ok(rows)
}

impl VmRow {
    /// The row as a JSON object (absent values are `null`).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "name": self.name,
            "power_state": self.power_state,
            "guest_os": self.guest_os,
            "cpus": self.cpus,
            "memory_mb": self.memory_mb,
            "ip": self.ip,
        })
    }
}

/// Formats rows as an aligned text table with a header line.
pub fn render_table(rows: &[VmRow]) -> String {
    let header = ["NAME", "POWER", "GUEST OS", "CPU", "MEMORY", "IP"];
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            [
                r.name.clone(),
                r.power_state.clone(),
                r.guest_os.clone().unwrap_or_else(|| "-".into()),
                r.cpus.map_or_else(|| "-".into(), |c| c.to_string()),
                r.memory_mb
                    .map_or_else(|| "-".into(), |m| format!("{m} MB")),
                r.ip.clone().unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    let mut width = header.map(str::len);
    for row in &cells {
        for (w, c) in width.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cols: &[&str]| {
        let mut l = String::new();
        for (i, (c, w)) in cols.iter().zip(width).enumerate() {
            if i + 1 == cols.len() {
                l.push_str(c);
            } else {
                l.push_str(&format!("{c:<w$}  "));
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&header);
    for row in &cells {
        line(&row.each_ref().map(String::as_str));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_columns_and_marks_missing_values() {
        let rows = vec![
            VmRow {
                id: "vm-1".into(),
                name: "build-01".into(),
                power_state: "poweredOn".into(),
                guest_os: Some("Debian GNU/Linux 12 (64-bit)".into()),
                cpus: Some(4),
                memory_mb: Some(8192),
                ip: Some("10.0.0.5".into()),
            },
            VmRow {
                id: "vm-2".into(),
                name: "x".into(),
                power_state: "poweredOff".into(),
                guest_os: None,
                cpus: None,
                memory_mb: None,
                ip: None,
            },
        ];
        let t = render_table(&rows);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("NAME      POWER"), "{t}");
        assert!(lines[2].starts_with("x         poweredOff  -"), "{t}");
        let ip_col = lines[0].find("IP").unwrap();
        assert_eq!(&lines[1][ip_col..], "10.0.0.5");
        assert_eq!(rows[1].to_json()["ip"], serde_json::Value::Null);
    }
}
