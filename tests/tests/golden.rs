//! Golden decoding of real server bytes: every SOAP response in the five
//! vcrpy cassettes recorded against real vCenters (8.0.3 among them), decoded
//! by operation, with assertions on the decoded values.

use vmomi::cassette::{interactions, load_vcrpy};
use vmomi::decode_response;
use vmomi_bindings::types::*;
use vmomi_bindings::xml::{EncodeFields, SoapResponse, decode_with};

const CASSETTES: [&str; 5] = [
    "basic_connection",
    "basic_connection_bad_password",
    "basic_container_view",
    "root_folder_parent",
    "smart_connection",
];

fn cassette(name: &str) -> vmomi::cassette::Cassette {
    let p = vmomi_tests::shared().join(format!("cassettes/pyvmomi-vcrpy/{name}.yaml"));
    load_vcrpy(&p).unwrap_or_else(|e| panic!("{e}"))
}

/// The response bodies of one SOAP operation in a cassette.
fn bodies(name: &str, op: &str) -> Vec<String> {
    let c = cassette(name);
    interactions(&c)
        .into_iter()
        .filter(|i| i.soap_operation.as_deref() == Some(op))
        .map(|i| i.response_body.expect("a body").to_string())
        .collect()
}

fn one<T: vmomi_bindings::xml::XmlValue>(body: &str) -> (T, vmomi_bindings::xml::UnknownStats) {
    let (r, stats) = decode_with::<T, AnyMethodFault>(body.as_bytes(), SoapResponse::one)
        .unwrap_or_else(|e| panic!("{e}"));
    (r.unwrap_or_else(|f| panic!("fault {f}")), stats)
}

#[test]
fn every_response_body_decodes() {
    let mut decoded = 0;
    let mut faults = 0;
    for name in CASSETTES {
        let c = cassette(name);
        for i in interactions(&c) {
            let Some(op) = &i.soap_operation else {
                continue;
            };
            let body = i.response_body.expect("SOAP responses have bodies");
            match decode_response(op, body.as_bytes()) {
                Ok(_) => decoded += 1,
                Err(vmomi_bindings::Error::Fault(f)) => {
                    assert!(
                        f.detail.is_some(),
                        "{name} {op}: fault without typed detail"
                    );
                    faults += 1;
                }
                Err(e) => panic!("{name}: {op}: {e}"),
            }
        }
    }
    // Counted from the cassettes: 22 SOAP responses, one of them a fault.
    assert_eq!((decoded, faults), (21, 1));
}

#[test]
fn service_content_of_a_vcenter_8_0_3() {
    let body = &bodies("basic_container_view", "RetrieveServiceContent")[0];
    let (sc, stats) = one::<ServiceContent>(body);
    assert_eq!(
        sc.about.full_name,
        "VMware vCenter Server 8.0.3 build-69507950"
    );
    assert_eq!(sc.about.version, "8.0.3");
    assert_eq!(sc.about.api_type, "VirtualCenter");
    // The server answers in the release the client asked for (pyVmomi sent 8.0.2.0).
    assert_eq!(sc.about.api_version, "8.0.2.0");
    assert_eq!(
        sc.root_folder,
        ManagedObjectReference::new("Folder", "group-d1")
    );
    assert_eq!(sc.property_collector.value, "propertyCollector");
    assert_eq!(
        sc.view_manager,
        Some(ManagedObjectReference::new("ViewManager", "ViewManager"))
    );
    assert_eq!(
        sc.session_manager.as_ref().map(|m| m.r#type.as_str()),
        Some("SessionManager")
    );
    assert_eq!(
        sc.tenant_manager.as_ref().map(|m| m.value.as_str()),
        Some("TenantManager-69507950")
    );
    // Every element of this 8.0.3 ServiceContent is known to the 7.0U3 WSDL.
    assert!(stats.is_empty(), "{stats:?}");
    assert!(sc.extra().is_empty());
}

#[test]
fn login_returns_a_typed_user_session() {
    let body = &bodies("root_folder_parent", "Login")[0];
    let (s, stats) = one::<UserSession>(body);
    assert_eq!(s.user_name, "my_user");
    assert_eq!(s.locale, "en");
    assert_eq!(
        s.login_time.to_rfc3339(),
        "2023-12-14T09:38:54.309232+00:00"
    );
    assert_eq!(s.ip_address.as_deref(), Some("10.234.46.97"));
    assert_eq!(s.call_count, Some(0));
    assert!(stats.is_empty(), "{stats:?}");
}

#[test]
fn bad_password_is_a_typed_invalid_login_fault() {
    let body = &bodies("basic_connection_bad_password", "Login")[0];
    let err = decode_response("Login", body.as_bytes()).unwrap_err();
    match err.fault() {
        Some(AnyMethodFault::InvalidLogin(_)) => {}
        other => panic!("expected InvalidLogin, got {other:?}"),
    }
    let vmomi_bindings::Error::Fault(f) = &err else {
        unreachable!()
    };
    assert_eq!(f.code, "ServerFaultCode");
    assert_eq!(
        f.string,
        "Cannot complete login due to an incorrect user name or password."
    );
    assert!(
        err.to_string()
            .starts_with("InvalidLogin fault: Cannot complete login")
    );
}

#[test]
fn container_view_and_fetched_properties() {
    let view = &bodies("basic_container_view", "CreateContainerView")[0];
    let (mor, _) = one::<ManagedObjectReference>(view);
    assert_eq!(mor.r#type, "ContainerView");
    assert!(mor.value.starts_with("session["));

    // `Fetch` is newer than the 7.0 WSDL: its returnval decodes by xsi:type.
    let fetched = bodies("basic_container_view", "Fetch");
    let (v, _) = one::<Any>(&fetched[0]);
    match v {
        Any::Array(AnyArray::ArrayOfManagedObjectReference(refs)) => {
            assert_eq!(
                refs,
                [ManagedObjectReference::new("Datacenter", "datacenter-3")]
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    let d = decode_response("Fetch", fetched[1].as_bytes()).unwrap();
    assert!(!d.known_operation);
    assert!(format!("{:?}", d.value).contains("datastore-17"));

    // Fetch of `content` returns the ServiceContent as anyType.
    let content = &bodies("root_folder_parent", "Fetch")[0];
    let (v, _) = one::<Any>(content);
    let Any::Data(DataObject::ServiceContent(sc)) = v else {
        panic!("not ServiceContent: {v:?}")
    };
    assert_eq!(sc.root_folder.value, "group-d1");
    // The root folder has no parent: an empty FetchResponse.
    let parent = &bodies("root_folder_parent", "Fetch")[1];
    let d = decode_response("Fetch", parent.as_bytes()).unwrap();
    assert_eq!(format!("{:?}", d.value), "[]");
}
