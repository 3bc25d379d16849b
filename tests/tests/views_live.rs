//! Helpers on the managed-object views, against the simulator: a view holds
//! the session handle, so property reads and task waits are methods on it,
//! and `*_Task` methods hand back the task's view on the same session.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use vmomi::event::EventQuery;
use vmomi::mo::VirtualMachine;
use vmomi::prelude::*;
use vmomi::task::TaskWait;
use vmomi::types::AnyEvent;
use vmomi::types::{AnyMethodFault, TaskInfoState, VirtualMachinePowerState};
use vmomi::{Client, Error};
use vmomi_tests::faultsrv::{FaultServer, Reply};
use vmomi_tests::vcsim::{Options, PASSWORD, USER, Vcsim};

#[tokio::test]
async fn views_read_properties_and_wait_for_their_tasks() {
    let Some(sim) = Vcsim::start_or_skip(&Options::default()) else {
        return;
    };
    let client = Client::builder()
        .url(&sim.url)
        .credentials(USER, PASSWORD)
        .connect()
        .await
        .unwrap();
    let vms = vmomi::property::retrieve_all(&client, VirtualMachine::TYPE_NAME, &["name"])
        .await
        .unwrap();
    let vm = VirtualMachine::new(client.shared(), vms[0].obj.clone());

    let name = vm.get(VirtualMachine::NAME).await.unwrap().expect("a name");
    assert!(
        sim.vms.iter().any(|v| *v == name),
        "{name} is one of {:?}",
        sim.vms
    );
    let runtime = vm.get(VirtualMachine::RUNTIME).await.unwrap().unwrap();
    assert_eq!(runtime.power_state, VirtualMachinePowerState::PoweredOn);

    let task = vm.power_off_vm_task().await.unwrap();
    assert_eq!(task.reference().r#type, "Task");
    let info = task.wait().await.unwrap();
    assert_eq!(info.state, TaskInfoState::Success);
    let runtime = vm.get(VirtualMachine::RUNTIME).await.unwrap().unwrap();
    assert_eq!(runtime.power_state, VirtualMachinePowerState::PoweredOff);

    // A failing task surfaces its typed fault.
    let err = vm
        .power_off_vm_task()
        .await
        .unwrap()
        .wait()
        .await
        .unwrap_err();
    assert!(
        matches!(err.fault(), Some(AnyMethodFault::InvalidPowerState(_))),
        "{err:?}"
    );
    vm.power_on_vm_task(None)
        .await
        .unwrap()
        .wait()
        .await
        .unwrap();
    client.close().await.unwrap();
}

#[tokio::test]
async fn a_service_content_without_the_manager_is_server_data() {
    // A session whose ServiceContent names no EventManager: the server's
    // data, not the client's configuration.
    struct NoEventManager(vmomi::types::ServiceContent);
    impl RoundTripper for NoEventManager {
        fn round_trip(
            &self,
            _: vmomi::rt::SoapRequest,
        ) -> vmomi::rt::BoxFuture<'_, Result<Vec<u8>, vmomi::error::CallError>> {
            panic!("nothing may be sent")
        }
        fn service_content(&self) -> Option<&vmomi::types::ServiceContent> {
            Some(&self.0)
        }
    }
    let vm = VirtualMachine::new(
        std::sync::Arc::new(NoEventManager(Default::default())),
        vmomi::types::ManagedObjectReference::new("VirtualMachine", "vm-1"),
    );
    let err = vm.events(EventQuery::new()).await.unwrap_err();
    assert!(
        matches!(&err, Error::ServerData { what } if what.contains("EventManager")),
        "{err:?}"
    );
    assert!(err.to_string().contains("events of vm-1"), "{err}");
}

#[tokio::test]
async fn a_handle_that_is_not_a_session_says_so() {
    struct NoSession;
    impl RoundTripper for NoSession {
        fn round_trip(
            &self,
            _: vmomi::rt::SoapRequest,
        ) -> vmomi::rt::BoxFuture<'_, Result<Vec<u8>, vmomi::error::CallError>> {
            panic!("nothing may be sent")
        }
    }
    let vm = VirtualMachine::new(
        std::sync::Arc::new(NoSession),
        vmomi::types::ManagedObjectReference::new("VirtualMachine", "vm-1"),
    );
    let err = vm.get(VirtualMachine::NAME).await.unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(err.to_string().contains("name of vm-1"), "{err}");
}

/// A `WaitForUpdatesEx` answer: the task's whole `info` in state `state`.
fn info_update(version: u32, task: &str, state: &str, progress: Option<u32>) -> Vec<u8> {
    let progress = progress.map_or(String::new(), |p| format!("<progress>{p}</progress>"));
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><WaitForUpdatesExResponse xmlns="urn:vim25"><returnval><version>{version}</version><filterSet><filter type="PropertyFilter">filter-1</filter><objectSet><kind>modify</kind><obj type="Task">{task}</obj><changeSet><name>info</name><op>assign</op><val xsi:type="TaskInfo"><key>{task}</key><task type="Task">{task}</task><descriptionId>VirtualMachine.powerOff</descriptionId><state>{state}</state><cancelled>false</cancelled><cancelable>true</cancelable>{progress}<reason xsi:type="TaskReasonUser"><userName>user</userName></reason><queueTime>2026-12-01T00:00:00Z</queueTime><eventChainId>1</eventChainId></val></changeSet></objectSet></filterSet></returnval></WaitForUpdatesExResponse></soapenv:Body></soapenv:Envelope>"#
    )
    .into_bytes()
}

/// A server whose tasks run slowly: the simulator finishes tasks before it
/// answers, so the fault server answers the wait's `WaitForUpdatesEx` calls
/// itself: first the task running at 40%, then `second` (`None`: never).
fn slow_tasks(sim: &Vcsim, second: Option<&'static str>) -> FaultServer {
    let task = Mutex::new(String::new());
    let waits = AtomicUsize::new(0);
    FaultServer::start(Some(&sim.addr), move |req| {
        let body = String::from_utf8_lossy(&req.body);
        match req.operation.as_deref() {
            Some("CreateFilter") => {
                if let Some(id) = body
                    .split(r#"<obj type="Task">"#)
                    .nth(1)
                    .and_then(|r| r.split('<').next())
                {
                    *task.lock().unwrap() = id.to_string();
                }
                Reply::Forward
            }
            Some("WaitForUpdatesEx") => {
                let task = task.lock().unwrap().clone();
                let body = match (waits.fetch_add(1, Ordering::SeqCst), second) {
                    (0, _) => info_update(1, &task, "running", Some(40)),
                    (_, Some(state)) => info_update(2, &task, state, Some(100)),
                    (_, None) => return Reply::Hang,
                };
                Reply::Respond {
                    status: 200,
                    content_type: "text/xml; charset=utf-8",
                    body,
                }
            }
            _ => Reply::Forward,
        }
    })
}

async fn a_vm(url: &str) -> (Client, VirtualMachine) {
    let client = Client::builder()
        .url(url)
        .credentials(USER, PASSWORD)
        .connect()
        .await
        .unwrap();
    let vms = vmomi::property::retrieve_all(&client, VirtualMachine::TYPE_NAME, &["name"])
        .await
        .unwrap();
    let vm = VirtualMachine::new(client.shared(), vms[0].obj.clone());
    (client, vm)
}

#[tokio::test]
async fn a_wait_reports_progress_and_destroys_its_collector() {
    let Some(sim) = Vcsim::start_or_skip(&Options::default()) else {
        return;
    };
    let srv = slow_tasks(&sim, Some("success"));
    let (client, vm) = a_vm(&srv.url).await;
    let mut seen = Vec::new();
    let info = vm
        .power_off_vm_task()
        .await
        .unwrap()
        .wait_with(TaskWait::new().progress(|i| seen.push((i.state.clone(), i.progress))))
        .await
        .unwrap();
    assert_eq!(info.state, TaskInfoState::Success);
    assert_eq!(seen, [(TaskInfoState::Running, Some(40))]);
    assert_eq!(srv.count("WaitForUpdatesEx"), 2, "no polling");
    assert_eq!(srv.count("RetrievePropertiesEx"), 1, "only the VM list");
    assert_eq!(srv.count("CreatePropertyCollector"), 1);
    assert_eq!(srv.count("DestroyPropertyCollector"), 1);
    client.close().await.unwrap();
}

#[tokio::test]
async fn a_wait_stops_at_its_deadline_and_can_cancel_the_task() {
    let Some(sim) = Vcsim::start_or_skip(&Options::default()) else {
        return;
    };
    for cancel in [false, true] {
        let srv = slow_tasks(&sim, None);
        let (client, vm) = a_vm(&srv.url).await;
        let task = vm.power_off_vm_task().await.unwrap();
        let err = task
            .wait_with(
                TaskWait::new()
                    .deadline(Duration::from_millis(500))
                    .cancel_at_deadline(cancel),
            )
            .await
            .unwrap_err();
        match &err {
            Error::Timeout { call, limit, .. } => {
                assert!(call.contains(task.reference().value.as_str()), "{err}");
                assert_eq!(*limit, Duration::from_millis(500));
            }
            other => panic!("expected a timeout, got {other:?}"),
        }
        assert_eq!(srv.count("CancelTask"), usize::from(cancel));
        // The wait's collector is gone from the server, deadline or not.
        assert_eq!(srv.count("DestroyPropertyCollector"), 1);
        client.close().await.unwrap();
    }
}

#[tokio::test]
async fn events_of_a_vm_after_power_off_are_typed_and_the_collector_goes() {
    let Some(sim) = Vcsim::start_or_skip(&Options::default()) else {
        return;
    };
    let srv = FaultServer::start(Some(&sim.addr), |_| Reply::Forward);
    let (client, vm) = a_vm(&srv.url).await;
    vm.power_off_vm_task().await.unwrap().wait().await.unwrap();

    let all = vm.events(EventQuery::new()).await.unwrap();
    let off: Vec<&vmomi::types::VmPoweredOffEvent> = all
        .iter()
        .filter_map(|e| match e {
            AnyEvent::VmPoweredOffEvent(off) => Some(&**off),
            _ => None,
        })
        .collect();
    assert_eq!(
        off.len(),
        1,
        "{:?}",
        all.iter().map(|e| e.type_name()).collect::<Vec<_>>()
    );
    assert_eq!(
        off[0].vm.as_ref().map(|v| v.vm.value.as_str()),
        Some(vm.reference().value.as_str())
    );

    let only = vm
        .events(EventQuery::new().of_types(["VmPoweredOffEvent"]).max(10))
        .await
        .unwrap();
    assert_eq!(only.len(), 1, "{only:?}");
    assert!(matches!(only[0], AnyEvent::VmPoweredOffEvent(_)));
    let one = vm.events(EventQuery::new().max(1)).await.unwrap();
    assert_eq!(one.len(), 1);

    // Every collector the helper made was destroyed.
    assert_eq!(srv.count("CreateCollectorForEvents"), 3);
    assert_eq!(srv.count("DestroyCollector"), 3);
    assert_eq!(
        srv.count("CreatePropertyCollector"),
        srv.count("DestroyPropertyCollector")
    );
    client.close().await.unwrap();
}

#[tokio::test]
async fn a_view_is_destroyed_when_its_reader_is_dropped() {
    let Some(sim) = Vcsim::start_or_skip(&Options::default()) else {
        return;
    };
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let tx = Mutex::new(tx);
    let srv = FaultServer::start(Some(&sim.addr), move |req| match req.operation.as_deref() {
        Some("RetrievePropertiesEx") => Reply::Hang,
        Some("DestroyView") => {
            let _ = tx.lock().unwrap().send(());
            Reply::Forward
        }
        _ => Reply::Forward,
    });
    let client = Client::builder()
        .url(&srv.url)
        .credentials(USER, PASSWORD)
        .connect()
        .await
        .unwrap();
    // The read never ends; the caller gives up and drops it.
    let read = vmomi::property::retrieve_all(&client, VirtualMachine::TYPE_NAME, &["name"]);
    let gave_up = tokio::time::timeout(Duration::from_millis(300), read).await;
    assert!(gave_up.is_err());
    // The drop spawned the DestroyView; it reaches the server.
    let destroyed = tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(30)))
        .await
        .unwrap();
    assert!(
        destroyed.is_ok(),
        "no DestroyView after the reader was dropped"
    );
    assert_eq!(srv.count("CreateContainerView"), 1);
    // Log out only once the simulator has answered the DestroyView: a
    // Logout racing it can end the simulator's connection unanswered.
    let answered = tokio::task::spawn_blocking(move || {
        let ok = srv.wait_forwarded("DestroyView", 1, Duration::from_secs(30));
        (srv, ok)
    })
    .await
    .unwrap();
    assert!(answered.1, "the DestroyView was never answered");
    client.close().await.unwrap();
    drop(answered.0);
}
