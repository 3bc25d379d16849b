//! Helpers on the managed-object views, against the simulator: a view holds
//! the session handle, so property reads and task waits are methods on it,
//! and `*_Task` methods hand back the task's view on the same session.

use vmomi::mo::VirtualMachine;
use vmomi::prelude::*;
use vmomi::types::{AnyMethodFault, TaskInfoState, VirtualMachinePowerState};
use vmomi::{Client, Error};
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
    assert!(sim.vms.contains(&name), "{name} is one of {:?}", sim.vms);
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
async fn a_handle_that_is_not_a_session_says_so() {
    struct NoSession;
    impl RoundTripper for NoSession {
        fn round_trip(
            &self,
            _: vmomi::rt::SoapRequest,
        ) -> vmomi::rt::BoxFuture<'_, Result<Vec<u8>, Error>> {
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
