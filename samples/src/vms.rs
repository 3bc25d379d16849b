//! `list-vms`: what it reads of each VM and how it shows it.

use crate::output::or_dash;
use vmomi::types::VirtualMachinePowerState;

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
            id: v.obj.value.to_string(),
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
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.name.clone(),
                r.power_state.clone(),
                or_dash(r.guest_os.as_deref()),
                or_dash(r.cpus),
                r.memory_mb
                    .map_or_else(|| "-".into(), |m| format!("{m} MB")),
                or_dash(r.ip.as_deref()),
            ]
        })
        .collect();
    crate::output::render_table(&header, &cells)
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
