//! Typed methods on managed-object views: what goes on the wire, and how the
//! answer (or a fault) comes back typed. The transport here is a recorder with
//! canned answers; live calls against the simulator come with the client.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use vmomi::mo::VirtualMachine;
use vmomi::rt::{BoxFuture, RoundTripper, SoapRequest};
use vmomi::types::*;

/// Remembers every request and answers with one canned body.
struct Canned {
    answer: String,
    sent: Mutex<Vec<SoapRequest>>,
}

impl RoundTripper for Canned {
    fn round_trip(
        &self,
        request: SoapRequest,
    ) -> BoxFuture<'_, Result<Vec<u8>, vmomi::error::CallError>> {
        self.sent.lock().unwrap().push(request);
        let body = self.answer.clone().into_bytes();
        Box::pin(async move { Ok(body) })
    }
}

/// Polls a future whose transport is already resolved.
fn ready<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("the canned transport never waits"),
    }
}

fn envelope(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"#
    )
}

#[test]
fn power_on_sends_this_and_host_and_returns_the_task() {
    let t = Arc::new(Canned {
        answer: envelope(
            r#"<PowerOnVM_TaskResponse xmlns="urn:vim25"><returnval type="Task">task-7</returnval></PowerOnVM_TaskResponse>"#,
        ),
        sent: Mutex::new(Vec::new()),
    });
    let vm = VirtualMachine::new(
        t.clone(),
        ManagedObjectReference::new("VirtualMachine", "vm-1"),
    );
    let task =
        ready(vm.power_on_vm_task(Some(ManagedObjectReference::new("HostSystem", "host-9"))))
            .unwrap();
    // The task's view, on the same session handle.
    assert_eq!(
        task.reference(),
        &ManagedObjectReference::new("Task", "task-7")
    );
    assert!(Arc::ptr_eq(
        task.client_arc(),
        &(t.clone() as Arc<dyn RoundTripper>)
    ));

    let sent = t.sent.lock().unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].operation, "PowerOnVM_Task");
    assert_eq!(sent[0].this.value, "vm-1");
    let body = String::from_utf8(sent[0].body.clone()).unwrap();
    assert!(
        body.contains(r#"<soapenv:Body><PowerOnVM_Task xmlns="urn:vim25"><_this type="VirtualMachine">vm-1</_this><host type="HostSystem">host-9</host></PowerOnVM_Task></soapenv:Body>"#),
        "{body}"
    );
}

#[test]
fn a_fault_comes_back_typed() {
    let t = Arc::new(Canned {
        answer: envelope(
            r#"<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>The attempted operation cannot be performed in the current state (Powered on).</faultstring><detail><InvalidPowerStateFault xmlns="urn:vim25" xsi:type="InvalidPowerState"><requestedState>poweredOn</requestedState><existingState>poweredOn</existingState></InvalidPowerStateFault></detail></soapenv:Fault>"#,
        ),
        sent: Mutex::new(Vec::new()),
    });
    let vm = VirtualMachine::new(t, ManagedObjectReference::new("VirtualMachine", "vm-1"));
    let err = ready(vm.power_on_vm_task(None)).unwrap_err();
    match err.fault() {
        Some(AnyMethodFault::InvalidPowerState(f)) => {
            assert_eq!(f.existing_state, VirtualMachinePowerState::PoweredOn);
            assert_eq!(f.requested_state, Some(VirtualMachinePowerState::PoweredOn));
        }
        other => panic!("expected InvalidPowerState, got {other:?}"),
    }
    assert!(!err.is_not_authenticated());
}

#[test]
fn requests_with_nested_specs_follow_the_schema_order() {
    let t = Arc::new(Canned {
        answer: envelope(
            r#"<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="VirtualMachine">vm-1</obj><propSet><name>runtime</name><val xsi:type="VirtualMachineRuntimeInfo"><connectionState>connected</connectionState><powerState>poweredOff</powerState><maxCpuUsage>2000</maxCpuUsage></val></propSet></objects></returnval></RetrievePropertiesExResponse>"#,
        ),
        sent: Mutex::new(Vec::new()),
    });
    let spec = PropertyFilterSpec {
        prop_set: vec![PropertySpec {
            r#type: "VirtualMachine".into(),
            path_set: vec![VirtualMachine::RUNTIME.path().into()],
            ..Default::default()
        }],
        object_set: vec![ObjectSpec {
            obj: ManagedObjectReference::new("VirtualMachine", "vm-1"),
            skip: Some(false),
            ..Default::default()
        }],
        ..Default::default()
    };
    let req = RetrievePropertiesExRequestType {
        this: ManagedObjectReference::new("PropertyCollector", "propertyCollector"),
        spec_set: vec![spec],
        options: RetrieveOptions {
            max_objects: Some(100),
            ..Default::default()
        },
        ..Default::default()
    };
    let res = ready(vmomi::methods::retrieve_properties_ex(&*t, &req))
        .unwrap()
        .unwrap();
    let body = String::from_utf8(t.sent.lock().unwrap()[0].body.clone()).unwrap();
    assert!(body.contains(
        "<RetrievePropertiesEx xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">propertyCollector</_this>\
         <specSet><propSet><type>VirtualMachine</type><pathSet>runtime</pathSet></propSet>\
         <objectSet><obj type=\"VirtualMachine\">vm-1</obj><skip>false</skip></objectSet></specSet>\
         <options><maxObjects>100</maxObjects></options></RetrievePropertiesEx>"
    ), "{body}");

    // The typed property path turns the anyType value into the promised type.
    let val = res.objects[0].prop_set[0].val.clone();
    let runtime = VirtualMachine::RUNTIME.decode(val).unwrap();
    assert_eq!(runtime.power_state, VirtualMachinePowerState::PoweredOff);
    assert_eq!(runtime.max_cpu_usage, Some(2000));
    // A value of the wrong type is a typed error naming the path.
    let err = VirtualMachine::RUNTIME.decode(Any::Int(1)).unwrap_err();
    assert!(err.to_string().contains("property runtime"), "{err}");
}
