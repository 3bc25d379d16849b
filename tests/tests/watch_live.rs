//! Watches against the simulator: a change made through another session is
//! seen, the watch survives its session being ended (a forced re-login),
//! its collector and filter are gone once the stream is dropped, and a
//! truncated answer is followed at once with its version (crafted answers
//! from the fault server).

use futures_util::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use vmomi::Client;
use vmomi::mo::{PropertyCollector, VirtualMachine};
use vmomi::prelude::*;
use vmomi::property::retrieve_one;
use vmomi::rt::PropertyPath;
use vmomi::types::{
    AnyMethodFault, ManagedObjectReference, ObjectUpdateKind, PropertyChangeOp,
    VirtualMachinePowerState,
};
use vmomi::watch::{Change, Changes, Watch};
use vmomi_tests::faultsrv::{FaultServer, Reply};
use vmomi_tests::vcsim::{Options, PASSWORD, USER, Vcsim};

const POWER: PropertyPath<VirtualMachinePowerState> = PropertyPath::new("runtime.powerState");

/// A safety net only: every wait below ends on an event well before it.
const LIMIT: Duration = Duration::from_secs(60);

async fn connect(url: &str) -> Client {
    Client::builder()
        .url(url)
        .credentials(USER, PASSWORD)
        .connect()
        .await
        .unwrap()
}

async fn vms(client: &Client) -> Vec<ManagedObjectReference> {
    vmomi::property::retrieve_all(client, VirtualMachine::TYPE_NAME, &["name"])
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.obj)
        .collect()
}

/// The next change, which must come.
async fn next(changes: &mut Changes) -> Change {
    tokio::time::timeout(LIMIT, changes.next())
        .await
        .expect("a change within the safety limit")
        .expect("the stream goes on")
        .expect("no error")
}

async fn power(client: &Client, vm: &ManagedObjectReference, on: bool) {
    let vm = VirtualMachine::new(client.shared(), vm.clone());
    let task = if on {
        vm.power_on_vm_task(None).await.unwrap()
    } else {
        vm.power_off_vm_task().await.unwrap()
    };
    task.wait().await.unwrap();
}

#[tokio::test]
async fn a_watch_sees_a_power_off_made_through_another_session() {
    let Some(sim) = Vcsim::start_or_skip(&Options::default()) else {
        return;
    };
    let client = connect(&sim.url).await;
    let other = connect(&sim.url).await;
    let vm = vms(&client).await.remove(0);

    // A typed constant and a nested string path, on one filter.
    let mut changes = Watch::new()
        .object(&vm)
        .path(VirtualMachine::NAME)
        .path("runtime.powerState")
        .start(&client)
        .await
        .unwrap();
    let mut first = vec![next(&mut changes).await, next(&mut changes).await];
    first.sort_by(|a, b| a.path.cmp(&b.path));
    assert_eq!(first[0].path, "name");
    assert!(
        sim.vms
            .contains(&first[0].get(VirtualMachine::NAME).unwrap().unwrap().into())
    );
    assert_eq!(
        first[1].get(POWER).unwrap(),
        Some(VirtualMachinePowerState::PoweredOn)
    );
    for c in &first {
        assert!(c.initial && c.kind == ObjectUpdateKind::Enter, "{c:?}");
        assert_eq!(c.obj, vm);
    }

    power(&other, &vm, false).await;
    let off = next(&mut changes).await;
    assert_eq!(off.obj, vm);
    assert_eq!(off.path, "runtime.powerState");
    assert_eq!(off.op, PropertyChangeOp::Assign);
    assert_eq!(off.kind, ObjectUpdateKind::Modify);
    assert!(!off.initial);
    assert_eq!(
        off.get(POWER).unwrap(),
        Some(VirtualMachinePowerState::PoweredOff)
    );
    // The typed accessor checks the path and the type.
    assert_eq!(off.get(VirtualMachine::NAME).unwrap(), None);
    assert!(
        off.get(PropertyPath::<String>::new("runtime.powerState"))
            .is_err()
    );
    assert_eq!(changes.restarts(), 0);
    let collector = changes.collector().unwrap();
    changes.close().await.unwrap();
    let err = retrieve_one(&client, &collector, PropertyCollector::FILTER)
        .await
        .unwrap_err();
    assert!(
        matches!(err.fault(), Some(AnyMethodFault::ManagedObjectNotFound(_))),
        "closed: {err:?}"
    );
    client.close().await.unwrap();
    other.close().await.unwrap();
}

#[tokio::test]
async fn a_watch_survives_a_forced_relogin() {
    let Some(sim) = Vcsim::start_or_skip(&Options::default()) else {
        return;
    };
    let client = connect(&sim.url).await;
    let admin = connect(&sim.url).await;
    let vm = vms(&client).await.remove(0);
    let view = VirtualMachine::new(client.shared(), vm.clone());
    let mut changes = view.watch([POWER]).await.unwrap();
    let first = next(&mut changes).await;
    assert!(first.initial);
    assert_eq!(
        first.get(POWER).unwrap(),
        Some(VirtualMachinePowerState::PoweredOn)
    );
    let old_collector = changes.collector().unwrap();

    // Another session ends the watch's, as an idle timeout would; its
    // collector and filter go with it. Then the VM changes.
    let old = client.session().unwrap().key;
    admin
        .session_manager()
        .terminate_session(vec![old])
        .await
        .unwrap();
    power(&admin, &vm, false).await;

    // The watch's next wait meets the dead session: the client logs in
    // again, the watch makes a new collector and reports the current state.
    let now = next(&mut changes).await;
    assert!(
        now.initial,
        "current state after the new collector: {now:?}"
    );
    assert_eq!(
        now.get(POWER).unwrap(),
        Some(VirtualMachinePowerState::PoweredOff)
    );
    assert_eq!(client.login_count(), 2);
    assert_eq!(changes.restarts(), 1);
    assert_ne!(changes.collector().unwrap(), old_collector);

    // And it goes on seeing later changes.
    power(&admin, &vm, true).await;
    let on = next(&mut changes).await;
    assert!(!on.initial);
    assert_eq!(
        on.get(POWER).unwrap(),
        Some(VirtualMachinePowerState::PoweredOn)
    );
    assert_eq!(client.login_count(), 2);
    changes.close().await.unwrap();
    client.close().await.unwrap();
    admin.close().await.unwrap();
}

#[tokio::test]
async fn a_dropped_watch_leaves_no_collector_or_filter() {
    let Some(sim) = Vcsim::start_or_skip(&Options::default()) else {
        return;
    };
    let (waits, mut waited) = tokio::sync::mpsc::unbounded_channel();
    let srv = Arc::new(FaultServer::start(Some(&sim.addr), move |req| {
        if req.operation.as_deref() == Some("WaitForUpdatesEx") {
            let _ = waits.send(());
        }
        Reply::Forward
    }));
    let client = connect(&srv.url).await;
    let vm = vms(&client).await.remove(0);
    // A short server wait: the simulator may miss the cancel of a wait
    // that races the destroy, and it ends only when the wait does.
    let mut changes = Watch::new()
        .object(&vm)
        .path(POWER)
        .max_wait(Duration::from_secs(5))
        .start(&client)
        .await
        .unwrap();
    let collector = changes.collector().unwrap();
    let filters = retrieve_one(&client, &collector, PropertyCollector::FILTER)
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(filters.len(), 1, "the watch's filter: {filters:?}");
    assert!(next(&mut changes).await.initial);
    waited.recv().await.unwrap();

    // Drop it while its next wait is held on the server (nothing changes).
    tokio::select! {
        item = changes.next() => panic!("nothing changed, yet {item:?}"),
        _ = waited.recv() => {}
    }
    drop(changes);
    let s = srv.clone();
    let destroyed =
        tokio::task::spawn_blocking(move || s.wait_forwarded("DestroyPropertyCollector", 1, LIMIT))
            .await
            .unwrap();
    assert!(destroyed, "the drop destroyed the collector");

    // The server knows neither the collector nor its filter any more, and
    // the session's own collector holds no filter of ours.
    for gone in [&collector, &filters[0]] {
        let err = retrieve_one(&client, gone, PropertyCollector::FILTER)
            .await
            .unwrap_err();
        assert!(
            matches!(err.fault(), Some(AnyMethodFault::ManagedObjectNotFound(_))),
            "{} is gone: {err:?}",
            gone.value
        );
    }
    let pc = client.service_content().property_collector.clone();
    let default_filters = retrieve_one(&client, &pc, PropertyCollector::FILTER)
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        !default_filters.contains(&filters[0]),
        "{default_filters:?}"
    );
    assert_eq!(srv.count("CreatePropertyCollector"), 1);
    assert_eq!(srv.count("DestroyPropertyCollector"), 1);
    client.close().await.unwrap();
}

/// A `WaitForUpdatesEx` answer: one object update of `name`.
fn update_set(version: u32, truncated: bool, kind: &str, vm: &str, name: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><WaitForUpdatesExResponse xmlns="urn:vim25"><returnval><version>{version}</version><filterSet><filter type="PropertyFilter">filter-1</filter><objectSet><kind>{kind}</kind><obj type="VirtualMachine">{vm}</obj><changeSet><name>name</name><op>assign</op><val xsi:type="xsd:string">{name}</val></changeSet></objectSet></filterSet><truncated>{truncated}</truncated></returnval></WaitForUpdatesExResponse></soapenv:Body></soapenv:Envelope>"#
    )
    .into_bytes()
}

#[tokio::test]
async fn a_truncated_answer_is_followed_with_its_version() {
    let Some(sim) = Vcsim::start_or_skip(&Options::default()) else {
        return;
    };
    let ids = {
        let c = connect(&sim.url).await;
        let ids: Vec<String> = vms(&c).await.into_iter().map(|v| v.value.into()).collect();
        c.close().await.unwrap();
        ids
    };
    let (a, b) = (ids[0].clone(), ids[1].clone());
    let waits = std::sync::atomic::AtomicUsize::new(0);
    let (aa, bb) = (a.clone(), b.clone());
    let srv = FaultServer::start(Some(&sim.addr), move |req| {
        if req.operation.as_deref() != Some("WaitForUpdatesEx") {
            return Reply::Forward;
        }
        let body = match waits.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
            // The first answer in two pages, then one later change.
            0 => update_set(1, true, "enter", &aa, "page-1"),
            1 => update_set(2, false, "enter", &bb, "page-2"),
            2 => update_set(3, false, "modify", &aa, "renamed"),
            _ => return Reply::Hang,
        };
        Reply::Respond {
            status: 200,
            content_type: "text/xml; charset=utf-8",
            body,
        }
    });
    let client = connect(&srv.url).await;
    let objs = [
        ManagedObjectReference::new("VirtualMachine", &a),
        ManagedObjectReference::new("VirtualMachine", &b),
    ];
    let mut changes = Watch::new()
        .objects(&objs)
        .path(VirtualMachine::NAME)
        .max_object_updates(1)
        .start(&client)
        .await
        .unwrap();
    let got = [
        next(&mut changes).await,
        next(&mut changes).await,
        next(&mut changes).await,
    ];
    let seen: Vec<(&str, String, bool)> = got
        .iter()
        .map(|c| {
            (
                c.obj.value.as_str(),
                c.get(VirtualMachine::NAME).unwrap().unwrap().into(),
                c.initial,
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (a.as_str(), "page-1".to_string(), true),
            (b.as_str(), "page-2".to_string(), true),
            (a.as_str(), "renamed".to_string(), false),
        ]
    );
    assert_eq!(changes.version(), "3");

    let asked: Vec<String> = srv
        .requests()
        .into_iter()
        .filter(|r| r.operation.as_deref() == Some("WaitForUpdatesEx"))
        .map(|r| String::from_utf8(r.body).unwrap())
        .collect();
    let version = |body: &str| {
        body.split("<version>")
            .nth(1)
            .and_then(|r| r.split("</version>").next())
            .unwrap_or("")
            .to_string()
    };
    // The first asks from nothing; each next one carries the last version.
    assert_eq!(version(&asked[0]), "", "{}", asked[0]);
    assert_eq!(version(&asked[1]), "1", "{}", asked[1]);
    assert_eq!(version(&asked[2]), "2", "{}", asked[2]);
    for body in &asked[..3] {
        assert!(
            body.contains("<maxObjectUpdates>1</maxObjectUpdates>"),
            "{body}"
        );
    }
    drop(changes);
    client.close().await.unwrap();
}
