//! The live client scenarios again, from cassettes: offline in CI (the test
//! script runs this file with networking unavailable), recorded anew against
//! the simulator with `VMOMI_RECORD=1` (scripts/record-cassettes).

use vmomi::Error;
use vmomi::mo::{Folder, SessionManager, VirtualMachine};
use vmomi::prelude::*;
use vmomi::property::retrieve_one;
use vmomi::session::NegotiationSource;
use vmomi::types::{AnyMethodFault, TaskInfoState, VirtualMachinePowerState};
use vmomi_tests::tape::Tape;
use vmomi_tests::vcsim::Options;

fn tape(name: &str) -> Option<Tape> {
    Tape::open(name, &Options::default())
}

#[tokio::test]
async fn connect_negotiate_login_logout() {
    let Some(tape) = tape("connect") else { return };
    let client = tape.client().connect().await.unwrap();
    assert_eq!(client.release().as_str(), "6.5");
    assert_eq!(
        client.negotiation().source,
        NegotiationSource::ServiceVersions
    );
    assert_eq!(client.about().api_type, "VirtualCenter");
    assert_eq!(client.login_count(), 1);
    let session = client.session().unwrap();
    let sm = client.service_content().session_manager.clone().unwrap();
    let current = retrieve_one(&client, &sm, SessionManager::CURRENT_SESSION)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(current.key, session.key);
    assert_eq!(current.user_name, "user");
    let sc = client
        .service_instance()
        .retrieve_service_content()
        .await
        .unwrap();
    assert_eq!(sc.root_folder, client.service_content().root_folder);
    client.logout().await.unwrap();
    tape.finish();
}

#[tokio::test]
async fn pinned_release_used_or_refused() {
    let Some(tape) = tape("pinned-release") else {
        return;
    };
    let client = tape.client().release("6.0").connect().await.unwrap();
    assert_eq!(client.release().as_str(), "6.0");
    client.logout().await.unwrap();
    let err = tape
        .builder()
        .release("7.0.3.0")
        .connect()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Negotiation(_)), "{err}");
    tape.finish();
}

#[tokio::test]
async fn bad_password_is_invalid_login() {
    let Some(tape) = tape("bad-password") else {
        return;
    };
    let err = tape
        .builder()
        .credentials("user", "not-the-password")
        .connect()
        .await
        .unwrap_err();
    assert!(
        matches!(err.fault(), Some(AnyMethodFault::InvalidLogin(_))),
        "{err}"
    );
    tape.finish();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn terminated_session_relogin_once_under_32_concurrent_calls() {
    // How many of the 32 calls meet the dead session depends on timing, so
    // a replayed request may be answered again (the server's answer to it).
    let Some(tape) = Tape::open_with("relogin", &Options::default(), true) else {
        return;
    };
    let client = tape.client().connect().await.unwrap();
    let admin = tape.client().connect().await.unwrap();
    let old = client.session().unwrap().key;
    admin
        .session_manager()
        .terminate_session(vec![old.clone()])
        .await
        .unwrap();
    let calls: Vec<_> = (0..32)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.service_instance().current_time().await })
        })
        .collect();
    for c in calls {
        c.await
            .unwrap()
            .expect("each call succeeds after one silent re-login");
    }
    assert_eq!(client.login_count(), 2);
    assert_ne!(client.session().unwrap().key, old);
    client.logout().await.unwrap();
    admin.logout().await.unwrap();
    tape.finish();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_concurrent_calls_on_one_session() {
    let Some(tape) = tape("concurrent") else {
        return;
    };
    let client = tape.client().connect().await.unwrap();
    let root = client.service_content().root_folder.clone();
    let calls: Vec<_> = (0..32)
        .map(|i| {
            let c = client.clone();
            let root = root.clone();
            tokio::spawn(async move {
                if i % 2 == 0 {
                    c.service_instance()
                        .current_time()
                        .await
                        .map(|_| None)
                        .map_err(vmomi::Error::from)
                } else {
                    retrieve_one(&c, &root, Folder::NAME).await
                }
            })
        })
        .collect();
    let mut names = 0;
    for c in calls {
        if let Some(n) = c.await.unwrap().unwrap() {
            assert_eq!(n, "Datacenters");
            names += 1;
        }
    }
    assert_eq!(names, 16);
    assert_eq!(client.login_count(), 1);
    client.logout().await.unwrap();
    tape.finish();
}

#[tokio::test]
async fn logout_then_not_authenticated_then_login() {
    let Some(tape) = tape("logout") else { return };
    let client = tape.client().connect().await.unwrap();
    client.logout().await.unwrap();
    let err = client.service_instance().current_time().await.unwrap_err();
    assert!(err.is_not_authenticated(), "{err}");
    client.login().await.unwrap();
    client.service_instance().current_time().await.unwrap();
    client.logout().await.unwrap();
    tape.finish();
}

#[tokio::test]
async fn a_changed_request_fails_with_a_readable_diff() {
    if vmomi_tests::tape::recording() {
        return; // nothing to record: this replays the "connect" cassette
    }
    let tape = tape("connect").unwrap();
    let client = tape.client().connect().await.unwrap();
    let sm = client.service_content().session_manager.clone().unwrap();
    // Recorded: currentSession. Asked now: a different property.
    let err = retrieve_one(&client, &sm, SessionManager::DEFAULT_LOCALE)
        .await
        .unwrap_err();
    let Error::Replay(msg) = &err else {
        panic!("expected a replay miss, got {err:?}")
    };
    assert!(
        msg.contains("no recorded interaction matches the request POST /sdk RetrievePropertiesEx"),
        "{msg}"
    );
    assert!(msg.contains("closest recorded interaction #"), "{msg}");
    let changed = |sign: char, text: &str| {
        msg.lines()
            .any(|l| l.starts_with(sign) && l.trim_start_matches(sign).trim() == text)
    };
    assert!(changed('-', "<pathSet>currentSession</pathSet>"), "{msg}");
    assert!(changed('+', "<pathSet>defaultLocale</pathSet>"), "{msg}");
}

#[tokio::test]
async fn a_task_is_waited_for_and_replayed_without_waiting() {
    let Some(tape) = tape("power-off-task") else {
        return;
    };
    let client = tape.client().connect().await.unwrap();
    let vms = vmomi::property::retrieve_all(&client, VirtualMachine::TYPE_NAME, &["name"])
        .await
        .unwrap();
    let vm = VirtualMachine::new(client.shared(), vms[0].obj.clone());
    // The task's view comes back on the same session; helpers are methods.
    let info = vm.power_off_vm_task().await.unwrap().wait().await.unwrap();
    assert_eq!(info.state, TaskInfoState::Success);
    let power = vm
        .get(vmomi::rt::PropertyPath::<VirtualMachinePowerState>::new(
            "runtime.powerState",
        ))
        .await
        .unwrap();
    assert_eq!(power, Some(VirtualMachinePowerState::PoweredOff));
    // Powering off again fails with the typed fault, through the task.
    let task = vm.power_off_vm_task().await.unwrap();
    let err = vmomi::task::wait(&client, task.reference())
        .await
        .unwrap_err();
    assert!(
        matches!(err.fault(), Some(AnyMethodFault::InvalidPowerState(_))),
        "{err:?}"
    );
    client.logout().await.unwrap();
    tape.finish();
}

#[tokio::test]
async fn ordered_playback_requires_the_recorded_order() {
    if vmomi_tests::tape::recording() {
        return;
    }
    let path = vmomi_tests::tape::cassette_dir().join("connect.json");
    let player = std::sync::Arc::new(vmomi::cassette::Player::open(&path).unwrap().ordered(true));
    let client = vmomi::Client::builder()
        .credentials("user", "x")
        .replay(player)
        .connect()
        .await
        .unwrap();
    // Recorded next: RetrievePropertiesEx (currentSession); Logout now is out
    // of order.
    let err = client.logout().await.unwrap_err();
    let Error::Replay(msg) = &err else {
        panic!("expected a replay miss, got {err:?}")
    };
    assert!(msg.contains("request POST /sdk Logout"), "{msg}");
    assert!(
        msg.contains("next recorded interaction #3: POST /sdk RetrievePropertiesEx"),
        "{msg}"
    );
}

/// The first VM of the recorded inventory, on `client`'s session.
async fn first_vm(client: &vmomi::Client) -> VirtualMachine {
    let vms = vmomi::property::retrieve_all(client, VirtualMachine::TYPE_NAME, &["name"])
        .await
        .unwrap();
    VirtualMachine::new(client.shared(), vms[0].obj.clone())
}

#[tokio::test]
async fn finder_glob_hit_and_a_miss_naming_the_path() {
    let Some(tape) = tape("finder") else { return };
    let client = tape.client().connect().await.unwrap();
    let finder = vmomi::find::Finder::new(&client);
    let mut hit: Vec<String> = finder
        .find("/DC0/vm/DC0_H0_VM?")
        .await
        .unwrap()
        .into_iter()
        .inspect(|f| assert_eq!(f.obj.r#type, "VirtualMachine", "{f:?}"))
        .map(|f| f.path)
        .collect();
    hit.sort();
    assert_eq!(hit, ["/DC0/vm/DC0_H0_VM0", "/DC0/vm/DC0_H0_VM1"]);
    let err = finder.by_path("/DC0/vm/no-such-vm").await.unwrap_err();
    match &err {
        Error::NotFound {
            path,
            deepest,
            missing,
        } => {
            assert_eq!(path, "/DC0/vm/no-such-vm");
            assert_eq!(deepest, "/DC0/vm");
            assert_eq!(missing, "no-such-vm");
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert!(err.to_string().contains("/DC0/vm/no-such-vm"), "{err}");
    client.logout().await.unwrap();
    tape.finish();
}

#[tokio::test]
async fn a_task_result_and_a_failing_tasks_typed_fault() {
    let Some(tape) = tape("task-result") else {
        return;
    };
    let client = tape.client().connect().await.unwrap();
    let vm = first_vm(&client).await;
    let info = vm
        .create_snapshot_task("before-change", None, false, false)
        .await
        .unwrap()
        .wait()
        .await
        .unwrap();
    assert_eq!(info.state, TaskInfoState::Success);
    match &info.result {
        Some(vmomi::types::Any::ManagedObjectReference(snap)) => {
            assert_eq!(snap.r#type, "VirtualMachineSnapshot", "{snap:?}")
        }
        other => panic!("expected the snapshot as the task's result, got {other:?}"),
    }
    // The VM is on: powering it on fails, through the task, typed.
    let err = vm
        .power_on_vm_task(None)
        .await
        .unwrap()
        .wait()
        .await
        .unwrap_err();
    assert!(
        matches!(err.fault(), Some(AnyMethodFault::InvalidPowerState(_))),
        "{err:?}"
    );
    client.logout().await.unwrap();
    tape.finish();
}

#[tokio::test]
async fn events_of_a_vm_after_power_off() {
    let Some(tape) = tape("events") else { return };
    let client = tape.client().connect().await.unwrap();
    let vm = first_vm(&client).await;
    vm.power_off_vm_task().await.unwrap().wait().await.unwrap();
    let all = vm.events(vmomi::event::EventQuery::new()).await.unwrap();
    let off: Vec<_> = all
        .iter()
        .filter_map(|e| match e {
            vmomi::types::AnyEvent::VmPoweredOffEvent(off) => Some(off),
            _ => None,
        })
        .collect();
    assert_eq!(off.len(), 1, "{all:?}");
    assert_eq!(
        off[0].vm.as_ref().map(|v| &v.vm),
        Some(vm.reference()),
        "{off:?}"
    );
    let only = vm
        .events(vmomi::event::EventQuery::new().of_types(["VmPoweredOffEvent"]))
        .await
        .unwrap();
    assert_eq!(only.len(), 1, "{only:?}");
    client.logout().await.unwrap();
    tape.finish();
}

#[tokio::test]
async fn a_watch_sees_a_power_change() {
    use futures_util::StreamExt;
    const POWER: vmomi::rt::PropertyPath<VirtualMachinePowerState> =
        vmomi::rt::PropertyPath::new("runtime.powerState");
    let Some(tape) = tape("watch") else { return };
    let client = tape.client().connect().await.unwrap();
    let other = tape.client().connect().await.unwrap();
    let vm = first_vm(&client).await;
    let mut changes = vm.watch([POWER]).await.unwrap();
    let limit = std::time::Duration::from_secs(60);
    let mut next = async || {
        tokio::time::timeout(limit, changes.next())
            .await
            .expect("a change")
            .expect("the stream goes on")
            .expect("no error")
    };
    let first = next().await;
    assert!(first.initial);
    assert_eq!(
        first.get(POWER).unwrap(),
        Some(VirtualMachinePowerState::PoweredOn)
    );
    VirtualMachine::new(other.shared(), vm.reference().clone())
        .power_off_vm_task()
        .await
        .unwrap()
        .wait()
        .await
        .unwrap();
    let off = next().await;
    assert!(!off.initial);
    assert_eq!(off.obj, *vm.reference());
    assert_eq!(
        off.get(POWER).unwrap(),
        Some(VirtualMachinePowerState::PoweredOff)
    );
    // Closed, not dropped: the DestroyPropertyCollector is part of the tape.
    changes.close().await.unwrap();
    client.logout().await.unwrap();
    other.logout().await.unwrap();
    tape.finish();
}

#[derive(vmomi::PropertySet, Debug)]
#[property_set(VirtualMachine)]
struct TypedVm {
    #[property(view)]
    vm: VirtualMachine,
    name: String,
    #[property(runtime.power_state)]
    power: VirtualMachinePowerState,
    #[property(config.hardware.device)]
    devices: Vec<vmomi::types::AnyVirtualDevice>,
    #[property(guest.ip_address)]
    ip: Option<String>,
}

#[tokio::test]
async fn a_typed_property_set_of_every_vm_and_of_one() {
    use futures_util::TryStreamExt;
    let Some(tape) = tape("typed-set") else {
        return;
    };
    let client = tape.client().connect().await.unwrap();
    let mut vms: Vec<TypedVm> = client
        .root_folder()
        .retrieve::<TypedVm>()
        .try_collect()
        .await
        .unwrap();
    vms.sort_by(|a, b| a.name.cmp(&b.name));
    let names: Vec<&str> = vms.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "DC0_C0_RP0_VM0",
            "DC0_C0_RP0_VM1",
            "DC0_H0_VM0",
            "DC0_H0_VM1"
        ]
    );
    for v in &vms {
        assert_eq!(v.power, VirtualMachinePowerState::PoweredOn, "{v:?}");
        assert!(!v.devices.is_empty(), "{v:?}");
        assert!(v.ip.as_deref().is_none_or(|ip| !ip.is_empty()));
    }
    let one: TypedVm = vms[0].vm.get_set().await.unwrap();
    assert_eq!(one.name, vms[0].name);
    assert_eq!(one.devices.len(), vms[0].devices.len());
    client.logout().await.unwrap();
    tape.finish();
}

#[tokio::test]
async fn storage_policies_from_pbm() {
    let Some(tape) = Tape::open(
        "pbm",
        &Options {
            pbm: true,
            ..Default::default()
        },
    ) else {
        return;
    };
    let client = tape.client().connect().await.unwrap();
    let pbm = client.pbm().await.unwrap();
    assert_eq!(pbm.content().about_info.name, "PBM");
    let vsan = pbm
        .profile_by_name("vSAN Default Storage Policy")
        .await
        .unwrap()
        .expect("the vSAN default policy");
    let stores = vmomi::property::retrieve_all(&client, vmomi::mo::Datastore::TYPE_NAME, &["name"])
        .await
        .unwrap();
    let mut refs: Vec<_> = stores.into_iter().map(|o| o.obj).collect();
    refs.sort_by(|a, b| a.value.cmp(&b.value));
    let fits = pbm.compatible(&vsan.profile_id, &refs).await.unwrap();
    assert_eq!(fits.len(), 1, "only vsanDatastore: {fits:?}");
    let name = fits[0].clone();
    let ds: vmomi::mo::Datastore = client.view(name);
    assert_eq!(
        ds.get(vmomi::mo::Datastore::NAME).await.unwrap().as_deref(),
        Some("vsanDatastore")
    );
    client.logout().await.unwrap();
    tape.finish();
}
