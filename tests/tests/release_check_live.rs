//! Requests checked against the release of the endpoint that executes them,
//! live against the simulator (which offers 6.5, 6.0 and 5.5). A recorder
//! under the client proves what reached the wire and with which SOAPAction.

use std::sync::Arc;
use vmomi::cassette::Recorder;
use vmomi::mo::VirtualMachine;
use vmomi::property::retrieve_all;
use vmomi::types::{ManagedObjectReference, VirtualMachineConfigSpec, VirtualMachineSgxInfo};
use vmomi::{Client, Error};
use vmomi_tests::vcsim::{Options, PASSWORD, USER, Vcsim};

async fn connect(sim: &Vcsim, release: Option<&str>, check: bool) -> (Client, Arc<Recorder>) {
    let rec = Arc::new(Recorder::new(std::env::temp_dir().join("unused.json")));
    let mut b = Client::builder()
        .url(&sim.url)
        .credentials(USER, PASSWORD)
        .record(rec.clone())
        .release_check(check);
    if let Some(r) = release {
        b = b.release(r);
    }
    (b.connect().await.unwrap(), rec)
}

async fn a_vm(client: &Client) -> VirtualMachine {
    let vms = retrieve_all(client, VirtualMachine::TYPE_NAME, &["name"])
        .await
        .unwrap();
    let r: ManagedObjectReference = vms[0].obj.clone();
    VirtualMachine::new(client.shared(), r)
}

fn sgx() -> VirtualMachineConfigSpec {
    VirtualMachineConfigSpec {
        sgx_info: Some(VirtualMachineSgxInfo {
            epc_size: 0,
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn encryption() -> VirtualMachineConfigSpec {
    VirtualMachineConfigSpec {
        migrate_encryption: Some("opportunistic".into()),
        ..Default::default()
    }
}

fn last_action(rec: &Recorder) -> String {
    let c = rec.cassette();
    let last = c.http_interactions.last().unwrap();
    last.request.headers["soapaction"][0].clone()
}

#[tokio::test]
async fn a_7_0_field_fails_locally_at_5_5_and_a_6_5_field_is_sent_at_6_5() {
    let Some(sim) = Vcsim::start_or_skip(&Options::default()) else {
        return;
    };

    // Negotiated at 5.5 (pinned: the simulator offers it).
    let (old, rec) = connect(&sim, Some("5.5"), true).await;
    let vm = a_vm(&old).await;
    let before = rec.len();
    let err = Error::from(vm.reconfig_vm_task(sgx()).await.unwrap_err());
    let Error::Release(v) = &err else {
        panic!("expected a local release error, got {err:?}")
    };
    assert_eq!(v.item, "VirtualMachineConfigSpec.sgxInfo");
    assert_eq!(v.since, "7.0.0.0");
    assert_eq!(
        err.to_string(),
        "field VirtualMachineConfigSpec.sgxInfo (at ReconfigVM_Task/spec/sgxInfo) needs release 7.0.0.0; the server speaks 5.5"
    );
    let err = vm.reconfig_vm_task(encryption()).await.unwrap_err();
    assert!(err.to_string().contains("migrateEncryption"), "{err}");
    assert!(err.to_string().contains("needs release 6.5"), "{err}");
    assert_eq!(rec.len(), before, "nothing was sent");
    old.logout().await.unwrap();

    // Negotiated at 6.5: the 6.5 field goes out, with the 6.5 namespace.
    let (new, rec) = connect(&sim, None, true).await;
    let vm = a_vm(&new).await;
    let before = rec.len();
    let task = vm.reconfig_vm_task(encryption()).await.unwrap();
    assert_eq!(rec.len(), before + 1);
    assert_eq!(last_action(&rec), "\"urn:vim25/6.5\"");
    vmomi::task::wait(&new, task.reference()).await.unwrap();
    // The 7.0 field still is refused at 6.5.
    assert!(matches!(
        vm.reconfig_vm_task(sgx()).await.map_err(Error::from),
        Err(Error::Release(_))
    ));

    // A stub for an older host behind this vCenter: same session, 5.5.
    let host = new.at_release("5.5").unwrap();
    assert_eq!(host.release().as_str(), "5.5");
    let vm55 = VirtualMachine::new(host.shared(), vm.reference().clone());
    let err = Error::from(vm55.reconfig_vm_task(encryption()).await.unwrap_err());
    assert!(matches!(err, Error::Release(_)), "{err}");
    let task = vm55
        .reconfig_vm_task(VirtualMachineConfigSpec {
            annotation: Some("built by vmci".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(last_action(&rec), "\"urn:vim25/5.5\"");
    vmomi::task::wait(&new, task.reference()).await.unwrap();
    // The parent client still speaks 6.5.
    new.service_instance().current_time().await.unwrap();
    assert_eq!(last_action(&rec), "\"urn:vim25/6.5\"");
    new.logout().await.unwrap();
}

#[tokio::test]
async fn the_check_can_be_relaxed() {
    let Some(sim) = Vcsim::start_or_skip(&Options::default()) else {
        return;
    };
    let (client, rec) = connect(&sim, Some("5.5"), false).await;
    let vm = a_vm(&client).await;
    let before = rec.len();
    // Sent as asked; what the server makes of it is its business.
    let _ = vm.reconfig_vm_task(sgx()).await;
    assert_eq!(rec.len(), before + 1);
    assert_eq!(last_action(&rec), "\"urn:vim25/5.5\"");
    client.logout().await.unwrap();
}
