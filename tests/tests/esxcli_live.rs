//! ESXCLI through the vCenter connection, live against the simulator's
//! ESXCLI fixture (`tests/vcsim/esxcli.go`, [`Options::esxcli`]): every host
//! has a type manager and a method executer, and one host is ESXi 6.0,
//! whose executer refuses a release newer than its own, as a real host
//! does. vCenter (and the other hosts) are 6.5.

use serde::Deserialize;
use vmomi::error::EsxcliProblem;
use vmomi::esxcli::{Esxcli, Value};
use vmomi::mo::HostSystem;
use vmomi::types::{AnyMethodFault, ManagedObjectReference};
use vmomi::{Client, Error};
use vmomi_tests::vcsim::{Options, PASSWORD, USER, Vcsim};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HostName {
    host_name: String,
    domain_name: String,
    fully_qualified_domain_name: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Vib {
    name: String,
    version: String,
    vendor: String,
    acceptance_level: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Ipv4 {
    name: String,
    #[serde(rename = "IPv4Address")]
    address: String,
    #[serde(rename = "DHCPDNS")]
    _dhcp_dns: bool,
    gateway: Option<String>,
}

/// Every host by name.
async fn hosts(client: &Client) -> Vec<(String, ManagedObjectReference)> {
    let mut out: Vec<_> = vmomi::property::retrieve_all(client, HostSystem::TYPE_NAME, &["name"])
        .await
        .unwrap()
        .into_iter()
        .map(|o| {
            (
                HostSystem::NAME
                    .decode(o.prop_set[0].val.clone())
                    .unwrap()
                    .into(),
                o.obj,
            )
        })
        .collect();
    out.sort();
    out
}

fn problem(e: Error) -> EsxcliProblem {
    match e {
        Error::Esxcli { problem, .. } => *problem,
        other => panic!("not an ESXCLI error: {other}"),
    }
}

#[tokio::test]
async fn each_host_answers_in_its_own_release_through_vcenter() {
    let Some(sim) = Vcsim::start_or_skip(&Options {
        esxcli: true,
        ..Default::default()
    }) else {
        return;
    };
    let old_name = sim
        .esxcli_old_host
        .clone()
        .expect("the fixture names its older host");
    let client = Client::builder()
        .url(&sim.url)
        .credentials(USER, PASSWORD)
        .connect()
        .await
        .unwrap();
    assert_eq!(client.release().as_str(), "6.5");
    let all = hosts(&client).await;
    let old = all.iter().find(|(n, _)| *n == old_name).unwrap().1.clone();
    let (current_name, current) = all.iter().find(|(n, _)| *n != old_name).unwrap().clone();

    for (name, host, release) in [(&old_name, &old, "6.0"), (&current_name, &current, "6.5")] {
        let esxcli = Esxcli::connect(&client, host).await.unwrap();
        assert_eq!(esxcli.release().as_str(), release, "{name}");
        let fqdn: HostName = esxcli
            .run_as(&["system", "hostname", "get"], &[])
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(fqdn.host_name, *name);
        assert_eq!(fqdn.domain_name, "localdomain");
        assert_eq!(
            fqdn.fully_qualified_domain_name,
            format!("{name}.localdomain")
        );

        let vibs: Vec<Vib> = esxcli
            .run_as(&["software", "vib", "list"], &[])
            .await
            .unwrap();
        assert_eq!(vibs.len(), 4, "{vibs:?}");
        let base = vibs
            .iter()
            .find(|v| v.name == "esx-base")
            .expect("esx-base");
        assert_eq!(base.vendor, "VMware");
        assert_eq!(base.acceptance_level, "VMwareCertified");
        assert!(base.version.starts_with(&format!("{release}.")), "{base:?}");

        // Typed by the host's type info: DHCPDNS is a boolean, and the 6.0
        // host's IPv4Interface has no Gateway.
        let ipv4 = esxcli
            .run(
                &["network", "ip", "interface", "ipv4", "get"],
                &[("interface-name", "vmk0")],
            )
            .await
            .unwrap();
        let Value::List(rows) = &ipv4 else {
            panic!("a list: {ipv4:?}")
        };
        assert_eq!(rows.len(), 1, "{ipv4:?}");
        let Value::Record { fields, .. } = &rows[0] else {
            panic!("a record: {ipv4:?}")
        };
        let dhcp = fields.iter().find(|(n, _)| n == "DHCPDNS").map(|(_, v)| v);
        assert!(matches!(dhcp, Some(Value::Bool(_))), "{fields:?}");
        let rows: Vec<Ipv4> = ipv4.deserialize_into().unwrap();
        assert_eq!(
            (rows[0].name.as_str(), rows[0].address.as_str()),
            ("vmk0", "127.0.0.1")
        );
        assert_eq!(rows[0].gateway.is_none(), release == "6.0", "{rows:?}");
    }

    // The per-host choice turned off: the vCenter's release, which the older
    // host refuses with the typed fault; the current host takes it.
    let pinned = Esxcli::connect_at(&client, &old, client.release().as_str())
        .await
        .unwrap();
    let err = pinned
        .run(&["system", "hostname", "get"], &[])
        .await
        .unwrap_err();
    match err.fault() {
        Some(AnyMethodFault::InvalidArgument(f)) => {
            assert_eq!(f.invalid_property.as_deref(), Some("version"), "{err}")
        }
        other => panic!("InvalidArgument(version), got {other:?}: {err}"),
    }
    let on_current = Esxcli::connect_at(&client, &current, client.release().as_str())
        .await
        .unwrap();
    on_current
        .run(&["system", "hostname", "get"], &[])
        .await
        .unwrap();

    // Mistakes are named.
    let esxcli = Esxcli::connect(&client, &current).await.unwrap();
    let e = problem(
        esxcli
            .run(&["system", "hostnam", "get"], &[])
            .await
            .unwrap_err(),
    );
    let EsxcliProblem::UnknownCommand { unknown, available } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(unknown, "hostnam get");
    assert_eq!(available, &["hostname", "version"]);
    let e = esxcli
        .run(
            &["network", "ip", "interface", "ipv4", "get"],
            &[("interface", "vmk0")],
        )
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "esxcli network ip interface ipv4 get: unknown argument \"interface\"; \
         the command takes: interfacename, netstack"
    );
    let e = problem(
        esxcli
            .run(
                &["software", "vib", "list"],
                &[("rebooting-image", "maybe")],
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(
        e.to_string(),
        "argument \"rebooting-image\": \"maybe\" is not a boolean"
    );
    // A command that fails on the host: the executer's fault, with its message.
    let e = problem(
        esxcli
            .run(
                &["network", "ip", "interface", "ipv4", "get"],
                &[("interface-name", "nosuch")],
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(
        e,
        EsxcliProblem::Failed {
            fault: "VimEsxCLICLIFault".into(),
            messages: vec!["Not found: no VMkernel NIC named nosuch".into()],
        }
    );
    client.logout().await.unwrap();
}
