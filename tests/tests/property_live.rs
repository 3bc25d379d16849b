//! Typed property sets against the simulator: a derived set read for every
//! VM through a ContainerView, as a stream; paths refused before anything is
//! sent; the view destroyed after a full read and after a read given up;
//! paging across several `ContinueRetrievePropertiesEx` calls from a
//! loopback server that pages the way vCenter does (the simulator never
//! pages); and objects handed on while their page is still arriving.

use futures_util::{StreamExt, TryStreamExt};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use vmomi::mo::VirtualMachine;
use vmomi::prelude::*;
use vmomi::property::{PropertySet, check_path, retrieve, retrieve_one, retrieve_paged};
use vmomi::types::{
    AnyMethodFault, AnyVirtualDevice, ManagedObjectReference, VirtualMachinePowerState,
};
use vmomi::{Client, Error};
use vmomi_tests::faultsrv::{FaultServer, Reply};
use vmomi_tests::vcsim::{Options, PASSWORD, USER, Vcsim};

#[derive(PropertySet, Debug)]
#[property_set(VirtualMachine)]
struct Vm {
    #[property(view)]
    vm: VirtualMachine,
    name: String,
    #[property(runtime.power_state)]
    power: VirtualMachinePowerState,
    #[property(config.hardware.device)]
    devices: Vec<AnyVirtualDevice>,
    #[property(config.hardware.num_cpu)]
    cpus: i32,
    #[property(guest.ip_address)]
    ip: Option<String>,
    #[property("summary.config.memorySizeMB")]
    memory_mb: Option<i32>,
}

/// A path the type does not have, given as text (typed paths would not
/// compile).
#[derive(PropertySet, Debug)]
#[property_set(VirtualMachine)]
struct Misspelt {
    #[property("runtime.powerStat")]
    _power: Option<String>,
}

async fn connect(url: &str) -> Client {
    Client::builder()
        .url(url)
        .credentials(USER, PASSWORD)
        .connect()
        .await
        .unwrap()
}

/// Waits until the simulator has answered a DestroyView (the drop that
/// spawned it must get to run meanwhile: the wait blocks another thread).
async fn destroyed(proxy: &Arc<FaultServer>) -> bool {
    let p = proxy.clone();
    tokio::task::spawn_blocking(move || {
        p.wait_forwarded("DestroyView", 1, std::time::Duration::from_secs(30))
    })
    .await
    .unwrap()
}

/// The ContainerViews the client read through (from the requests the proxy
/// saw: a view is the `obj` of a RetrievePropertiesEx).
fn views_read(proxy: &FaultServer) -> Vec<ManagedObjectReference> {
    let mut out: Vec<ManagedObjectReference> = Vec::new();
    for seen in proxy.requests() {
        if seen.operation.as_deref() != Some("RetrievePropertiesEx") {
            continue;
        }
        let body = String::from_utf8_lossy(&seen.body);
        let Some(at) = body.find("<obj type=\"ContainerView\">") else {
            continue;
        };
        let rest = &body[at + "<obj type=\"ContainerView\">".len()..];
        let value = rest[..rest.find('<').unwrap()].to_string();
        let view = ManagedObjectReference::new("ContainerView", &value);
        if !out.contains(&view) {
            out.push(view);
        }
    }
    out
}

/// Whether the server still has `view`. The simulator keeps no
/// `ViewManager.viewList`, so the view itself is asked: a destroyed view
/// answers ManagedObjectNotFound.
async fn exists(client: &Client, view: &ManagedObjectReference) -> bool {
    match retrieve_one(client, view, vmomi::mo::ContainerView::VIEW).await {
        Ok(_) => true,
        Err(e) if matches!(e.fault(), Some(AnyMethodFault::ManagedObjectNotFound(_))) => false,
        Err(e) => panic!("reading {view:?}: {e:?}"),
    }
}

#[tokio::test]
async fn a_typed_set_of_every_vm_streams_and_its_view_is_destroyed() {
    let Some(sim) = Vcsim::start_or_skip(&Options::default()) else {
        return;
    };
    let proxy = FaultServer::start(Some(&sim.addr), |_| Reply::Forward);
    let client = connect(&proxy.url).await;

    let vms: Vec<Vm> = client
        .root_folder()
        .retrieve::<Vm>()
        .try_collect()
        .await
        .unwrap();
    let mut names: Vec<&str> = vms.iter().map(|v| v.name.as_str()).collect();
    names.sort();
    let mut expected: Vec<&str> = sim.vms.iter().map(String::as_str).collect();
    expected.sort();
    assert_eq!(names, expected);
    for v in &vms {
        assert_eq!(v.power, VirtualMachinePowerState::PoweredOn, "{}", v.name);
        assert!(v.cpus >= 1, "{v:?}");
        assert!(v.ip.as_deref().is_none_or(|ip| !ip.is_empty()), "{v:?}");
        assert!(v.memory_mb.is_some_and(|m| m > 0), "{v:?}");
        assert!(
            v.devices
                .iter()
                .any(|d| matches!(d, AnyVirtualDevice::VirtualDisk(_))),
            "{} has a disk: {:?}",
            v.name,
            v.devices
        );
        // The view is on the same session: the single-object read agrees.
        assert_eq!(
            v.vm.get(VirtualMachine::NAME).await.unwrap().as_deref(),
            Some(v.name.as_str())
        );
    }
    let read = views_read(&proxy);
    assert_eq!(read.len(), 1, "{read:?}");
    assert!(!exists(&client, &read[0]).await, "the view is destroyed");
    assert_eq!(proxy.count("DestroyView"), 1);

    // One object's set, and a container below the root.
    let one: Vm = vms[0].vm.get_set().await.unwrap();
    assert_eq!(one.name, vms[0].name);
    assert_eq!(one.devices.len(), vms[0].devices.len());
    let dc = client
        .root_folder()
        .get(vmomi::mo::Folder::CHILD_ENTITY)
        .await
        .unwrap()
        .unwrap();
    let under: Vec<Vm> = retrieve::<Vm>(&client, &dc[0]).try_collect().await.unwrap();
    assert_eq!(under.len(), vms.len());
    client.logout().await.unwrap();
}

#[tokio::test]
async fn a_path_the_type_lacks_is_refused_with_nothing_sent() {
    let Some(sim) = Vcsim::start_or_skip(&Options::default()) else {
        return;
    };
    let proxy = FaultServer::start(Some(&sim.addr), |_| Reply::Forward);
    let client = connect(&proxy.url).await;
    let before = proxy.requests().len();

    let err = client
        .root_folder()
        .retrieve::<Misspelt>()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::PropertyPath { path, .. } if path == "runtime.powerStat"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "VirtualMachine has no property runtime.powerStat: VirtualMachineRuntimeInfo has no field powerStat"
    );
    let err = VirtualMachine::new(
        client.shared(),
        ManagedObjectReference::new("VirtualMachine", "vm-1"),
    )
    .get_set::<Misspelt>()
    .await
    .unwrap_err();
    assert!(matches!(err, Error::PropertyPath { .. }), "{err:?}");
    let err =
        vmomi::property::retrieve_all(&client, "VirtualMachine", &["config.hardware.devices"])
            .await
            .unwrap_err();
    assert!(
        err.to_string()
            .contains("VirtualHardware has no field devices"),
        "{err}"
    );
    assert_eq!(proxy.requests().len(), before, "nothing was sent");

    // The checks walk data objects only.
    for (path, problem) in [
        (
            "name.length",
            "VirtualMachine.name is a xsd:string, which has no fields",
        ),
        (
            "runtime.host.name",
            "VirtualMachineRuntimeInfo.host is a ManagedObjectReference, which has no fields",
        ),
        ("config..name", "an empty part"),
    ] {
        let e = check_path("VirtualMachine", path).unwrap_err().to_string();
        assert!(e.ends_with(problem), "{path}: {e}");
    }
    check_path("VirtualMachine", "config.extraConfig[\"guestinfo.ip\"]").unwrap();
    check_path("HostSystem", "summary.config.product.apiVersion").unwrap();
    client.logout().await.unwrap();
}

#[tokio::test]
async fn a_read_given_up_destroys_its_view() {
    let Some(sim) = Vcsim::start_or_skip(&Options::default()) else {
        return;
    };
    let proxy = Arc::new(FaultServer::start(Some(&sim.addr), |_| Reply::Forward));
    let client = connect(&proxy.url).await;
    let mut stream = client.root_folder().retrieve::<Vm>();
    let first = stream.next().await.unwrap().unwrap();
    assert!(sim.vms.contains(&first.name));
    let view = views_read(&proxy).pop().unwrap();
    assert!(
        exists(&client, &view).await,
        "the view lives while the stream does"
    );
    drop(stream);
    // The destroy is spawned by the drop: wait for the proxy to see it.
    assert!(destroyed(&proxy).await, "DestroyView reached the simulator");
    assert!(!exists(&client, &view).await);
    client.logout().await.unwrap();
}

/// One page of a RetrievePropertiesEx answer of `objects`, with `token`.
fn page(response: &str, objects: std::ops::Range<usize>, token: Option<&str>) -> Vec<u8> {
    let mut body = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><{response} xmlns="urn:vim25"><returnval>"#
    );
    if let Some(t) = token {
        body.push_str(&format!("<token>{t}</token>"));
    }
    for i in objects {
        body.push_str(&format!(
            r#"<objects><obj type="VirtualMachine">vm-{i}</obj><propSet><name>name</name><val xsi:type="xsd:string">paged-{i}</val></propSet><propSet><name>runtime.powerState</name><val xsi:type="VirtualMachinePowerState">poweredOff</val></propSet><propSet><name>config.hardware.device</name><val xsi:type="ArrayOfVirtualDevice"><VirtualDevice xsi:type="VirtualDisk"><key>2000</key><deviceInfo><label>Hard disk 1</label><summary>{i} KB</summary></deviceInfo><backing xsi:type="VirtualDiskFlatVer2BackingInfo"><fileName>[ds] vm-{i}/disk.vmdk</fileName><diskMode>persistent</diskMode></backing><controllerKey>1000</controllerKey><unitNumber>0</unitNumber><capacityInKB>{i}</capacityInKB></VirtualDevice></val></propSet><propSet><name>config.hardware.numCPU</name><val xsi:type="xsd:int">2</val></propSet></objects>"#
        ));
    }
    body.push_str(&format!(
        "</returnval></{response}></soapenv:Body></soapenv:Envelope>"
    ));
    body.into_bytes()
}

fn respond(body: Vec<u8>) -> Reply {
    Reply::Respond {
        status: 200,
        content_type: "text/xml; charset=utf-8",
        body,
    }
}

#[tokio::test]
async fn pages_are_followed_with_continue_retrieve_properties_ex() {
    let Some(sim) = Vcsim::start_or_skip(&Options::default()) else {
        return;
    };
    // Like vCenter with maxObjects 1000: 2,500 objects in three pages.
    const TOTAL: usize = 2500;
    let continued = Arc::new(AtomicUsize::new(0));
    let c = continued.clone();
    let proxy = FaultServer::start(Some(&sim.addr), move |seen| {
        let body = String::from_utf8_lossy(&seen.body);
        match seen.operation.as_deref() {
            // Only the retrieval of the view pages; the session's own reads go on.
            Some("RetrievePropertiesEx") if body.contains("<type>VirtualMachine</type>") => {
                assert!(body.contains("<maxObjects>1000</maxObjects>"), "{body}");
                respond(page(
                    "RetrievePropertiesExResponse",
                    0..1000,
                    Some("page-2"),
                ))
            }
            Some("ContinueRetrievePropertiesEx") => {
                c.fetch_add(1, Ordering::SeqCst);
                if body.contains("<token>page-2</token>") {
                    respond(page(
                        "ContinueRetrievePropertiesExResponse",
                        1000..2000,
                        Some("page-3"),
                    ))
                } else if body.contains("<token>page-3</token>") {
                    respond(page(
                        "ContinueRetrievePropertiesExResponse",
                        2000..TOTAL,
                        None,
                    ))
                } else {
                    Reply::Respond {
                        status: 500,
                        content_type: "text/xml",
                        body: vmomi_tests::faultsrv::fault_envelope(
                            "InvalidArgument",
                            "unknown token",
                        ),
                    }
                }
            }
            _ => Reply::Forward,
        }
    });
    let client = connect(&proxy.url).await;

    #[derive(PropertySet)]
    #[property_set(VirtualMachine)]
    struct Paged {
        #[property(reference)]
        obj: ManagedObjectReference,
        name: String,
        #[property(runtime.power_state)]
        power: VirtualMachinePowerState,
        #[property(config.hardware.device)]
        devices: Vec<AnyVirtualDevice>,
    }
    let root = client.service_content().root_folder.clone();
    let all: Vec<Paged> = retrieve_paged::<Paged>(&client, &root, 1000)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), TOTAL);
    assert_eq!(
        continued.load(Ordering::SeqCst),
        2,
        "two ContinueRetrievePropertiesEx calls"
    );
    for (i, v) in all.iter().enumerate() {
        assert_eq!(v.obj.value, format!("vm-{i}"));
        assert_eq!(v.name, format!("paged-{i}"));
        assert_eq!(v.power, VirtualMachinePowerState::PoweredOff);
        match &v.devices[..] {
            [AnyVirtualDevice::VirtualDisk(d)] => assert_eq!(d.capacity_in_kb, i as i64),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(proxy.count("DestroyView"), 1);
    assert!(!exists(&client, &views_read(&proxy)[0]).await);
    client.logout().await.unwrap();
}

#[tokio::test]
async fn objects_arrive_while_their_page_is_still_being_sent() {
    let Some(sim) = Vcsim::start_or_skip(&Options::default()) else {
        return;
    };
    // One object, then a gigabyte of whitespace inside `returnval`: a
    // reader that waited for the whole body would hit the response limit
    // (256 MiB) before handing on anything.
    let head = page("RetrievePropertiesExResponse", 0..1, None);
    let cut = head.len()
        - b"</returnval></RetrievePropertiesExResponse></soapenv:Body></soapenv:Envelope>".len();
    let (prefix, suffix) = (head[..cut].to_vec(), head[cut..].to_vec());
    let proxy = Arc::new(FaultServer::start(Some(&sim.addr), move |seen| {
        let body = String::from_utf8_lossy(&seen.body);
        match seen.operation.as_deref() {
            Some("RetrievePropertiesEx") if body.contains("<type>VirtualMachine</type>") => {
                Reply::Stream {
                    prefix: prefix.clone(),
                    filler: vec![b' '; 64 * 1024],
                    suffix: suffix.clone(),
                    total: 1 << 30,
                    announce: false,
                }
            }
            _ => Reply::Forward,
        }
    }));
    let client = connect(&proxy.url).await;
    #[derive(PropertySet)]
    #[property_set(VirtualMachine)]
    struct Name {
        name: String,
    }
    let mut stream = client.root_folder().retrieve::<Name>();
    let first = stream.next().await.unwrap().unwrap();
    assert_eq!(first.name, "paged-0");
    drop(stream);
    assert!(destroyed(&proxy).await, "DestroyView reached the simulator");
    client.logout().await.unwrap();
}

#[tokio::test]
async fn a_failing_continuation_ends_the_stream_with_its_fault() {
    let Some(sim) = Vcsim::start_or_skip(&Options::default()) else {
        return;
    };
    let proxy = FaultServer::start(Some(&sim.addr), move |seen| {
        let body = String::from_utf8_lossy(&seen.body);
        match seen.operation.as_deref() {
            Some("RetrievePropertiesEx") if body.contains("<type>VirtualMachine</type>") => {
                respond(page("RetrievePropertiesExResponse", 0..3, Some("page-2")))
            }
            Some("ContinueRetrievePropertiesEx") => Reply::Respond {
                status: 500,
                content_type: "text/xml",
                body: vmomi_tests::faultsrv::fault_envelope("InvalidArgument", "token expired"),
            },
            _ => Reply::Forward,
        }
    });
    let client = connect(&proxy.url).await;
    #[derive(PropertySet, Debug)]
    #[property_set(VirtualMachine)]
    struct Name {
        name: String,
    }
    let items: Vec<Result<Name, Error>> = client.root_folder().retrieve::<Name>().collect().await;
    assert_eq!(items.len(), 4, "three objects, then the fault");
    for (i, item) in items[..3].iter().enumerate() {
        assert_eq!(item.as_ref().unwrap().name, format!("paged-{i}"));
    }
    let err = items[3].as_ref().unwrap_err();
    assert!(
        matches!(err.fault(), Some(AnyMethodFault::InvalidArgument(_))),
        "{err:?}"
    );
    // The view went before the error was handed on.
    assert_eq!(proxy.count("DestroyView"), 1);
    assert!(!exists(&client, &views_read(&proxy)[0]).await);
    client.logout().await.unwrap();
}
