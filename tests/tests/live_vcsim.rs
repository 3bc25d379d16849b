//! The bindings against a real vCenter simulator on 127.0.0.1 (a random port):
//! version discovery, RetrieveServiceContent, and Login with a wrong and a right
//! password, encoded and decoded by the generated types.

use vmomi::types::*;
use vmomi::xml::{EncodeFields, request_envelope};
use vmomi_tests::http::request;
use vmomi_tests::vcsim::{Options, PASSWORD, USER, Vcsim};

fn call(sim: &Vcsim, op: &str, body: &impl EncodeFields) -> Vec<u8> {
    let env = request_envelope(op, body);
    let r = request(
        &sim.addr,
        "POST",
        "/sdk",
        &[
            ("Content-Type", "text/xml; charset=utf-8"),
            ("SOAPAction", "\"urn:vim25/6.5\""),
        ],
        &env,
    )
    .expect("the simulator answers");
    r.body
}

#[test]
fn service_content_and_login_against_the_simulator() {
    let Some(sim) = Vcsim::start_or_skip(&Options {
        vm: 3,
        ..Default::default()
    }) else {
        return;
    };
    assert!(sim.url.starts_with("http://127.0.0.1:"), "{}", sim.url);

    let versions = request(&sim.addr, "GET", "/sdk/vimServiceVersions.xml", &[], b"").unwrap();
    assert_eq!(versions.status, 200);
    let text = String::from_utf8(versions.body).unwrap();
    assert!(text.contains("<version>6.5</version>"), "{text}");

    let si = ManagedObjectReference::new("ServiceInstance", "ServiceInstance");
    let req = RetrieveServiceContentRequestType {
        this: si,
        ..Default::default()
    };
    let body = call(&sim, "RetrieveServiceContent", &req);
    let sc: ServiceContent = vmomi::rt::ret_one(&body).unwrap();
    assert_eq!(sc.about.api_version, "6.5");
    assert_eq!(sc.about.api_type, "VirtualCenter");
    assert_eq!(sc.root_folder.r#type, "Folder");
    let sm = sc.session_manager.expect("a session manager");

    let bad = LoginRequestType {
        this: sm.clone(),
        user_name: USER.into(),
        password: "wrong".into(),
        ..Default::default()
    };
    let err = vmomi::rt::ret_one::<UserSession>(&call(&sim, "Login", &bad)).unwrap_err();
    assert!(
        matches!(err.fault(), Some(AnyMethodFault::InvalidLogin(_))),
        "{err}"
    );

    let good = LoginRequestType {
        this: sm,
        user_name: USER.into(),
        password: PASSWORD.into(),
        ..Default::default()
    };
    let session = vmomi::rt::ret_one::<UserSession>(&call(&sim, "Login", &good)).unwrap();
    assert_eq!(session.user_name, USER);
}
