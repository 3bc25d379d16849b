//! The simulator's storage policy (PBM) service at `/pbm/sdk`, spoken to in
//! raw SOAP over a hand-written HTTP/1.1 POST: log in on `/sdk`, present the
//! `vmware_soap_session` cookie to `/pbm/sdk`, and check the answers' XML
//! text.
//!
//! Temporary scaffolding until the SDK has PBM bindings: it shows the
//! simulator side (`tests/vcsim/pbm.go`, [`Options::pbm`]) works, and should
//! give way to tests through the bindings once they exist.
//!
//! The compatibility rule (see `pbm.go`): the built-in "vSAN Default Storage
//! Policy" is compatible only with datastores of type vsan, so with it
//! `vsanDatastore` is compatible and `LocalDS_0` is not.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use vmomi_tests::vcsim::{Options, PASSWORD, USER, Vcsim};

/// The "vSAN Default Storage Policy" of govmomi's PBM simulator.
const VSAN_POLICY: &str = "aa6d5a82-1c88-45da-85d3-3d74b91a5bad";

struct Reply {
    status: u16,
    /// The header lines, as sent.
    head: String,
    body: String,
}

/// POSTs `payload` in a SOAP envelope to `path` at `addr`, with `cookie` as
/// the session cookie if given.
fn post(addr: &str, path: &str, action: &str, cookie: Option<&str>, payload: &str) -> Reply {
    let body = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>{payload}</soapenv:Body></soapenv:Envelope>"#
    );
    let cookie = cookie
        .map(|c| format!("Cookie: vmware_soap_session={c}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: text/xml; charset=utf-8\r\n\
         SOAPAction: \"{action}\"\r\n{cookie}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut s = TcpStream::connect(addr).expect("connect to the simulator");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.write_all(request.as_bytes()).expect("send the request");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read the reply");
    let raw = String::from_utf8(raw).expect("the reply is UTF-8");
    let (head, rest) = raw.split_once("\r\n\r\n").expect("a header block");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("a status line");
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(rest)
    } else {
        rest.to_string()
    };
    Reply {
        status,
        head: head.to_string(),
        body,
    }
}

/// The payload of a chunked body.
fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    loop {
        let (size, rest) = s.split_once("\r\n").expect("a chunk size line");
        let n = usize::from_str_radix(size.split(';').next().unwrap().trim(), 16).unwrap();
        if n == 0 {
            return out;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
}

/// The texts of every `<tag>...</tag>` in `xml`, in order.
fn texts<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    xml.split(&open)
        .skip(1)
        .map(|s| s.split(&close).next().unwrap())
        .collect()
}

fn check_compatibility(addr: &str, cookie: Option<&str>, hubs: &str, profile: &str) -> Reply {
    post(
        addr,
        "/pbm/sdk",
        "urn:pbm/6.5",
        cookie,
        &format!(
            r#"<PbmCheckCompatibility xmlns="urn:pbm"><_this type="PbmPlacementSolver">placementSolver</_this>{hubs}<profile><uniqueId>{profile}</uniqueId></profile></PbmCheckCompatibility>"#
        ),
    )
}

/// Every `returnval` of a PBM answer, typed by the generated PBM bindings,
/// and the unknown content left (none expected).
fn typed<T: vmomi_bindings::xml::XmlValue>(
    body: &str,
) -> (Vec<T>, vmomi_bindings::xml::UnknownStats) {
    use vmomi_bindings::types::AnyMethodFault;
    use vmomi_bindings::xml::soap::{SoapBody, decode_body_in};
    match decode_body_in::<AnyMethodFault>(body.as_bytes(), "urn:pbm")
        .unwrap_or_else(|e| panic!("{e}\n{body}"))
    {
        SoapBody::Response(mut r) => {
            let mut out = Vec::new();
            while let Some(v) = r.next_returnval().unwrap_or_else(|e| panic!("{e}\n{body}")) {
                out.push(v);
            }
            (out, r.finish().unwrap())
        }
        SoapBody::Fault(f, _) => panic!("fault {f:?}"),
    }
}

#[test]
fn storage_policies_over_raw_soap() {
    let Some(sim) = Vcsim::start_or_skip(&Options {
        pbm: true,
        ..Default::default()
    }) else {
        return;
    };
    let addr = sim.addr.as_str();

    // Log in on /sdk; the session cookie is good for /pbm/sdk too.
    let login = post(
        addr,
        "/sdk",
        "urn:vim25/7.0",
        None,
        &format!(
            r#"<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this><userName>{USER}</userName><password>{PASSWORD}</password></Login>"#
        ),
    );
    assert_eq!(login.status, 200, "{}", login.body);
    let cookie = login
        .head
        .lines()
        .filter(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
        .find_map(|l| l.split_once("vmware_soap_session=").map(|(_, v)| v))
        .and_then(|v| v.split(';').next())
        .expect("a vmware_soap_session cookie")
        .trim()
        .to_string();
    let cookie = Some(cookie.as_str());

    let content = post(
        addr,
        "/pbm/sdk",
        "urn:pbm/6.5",
        cookie,
        r#"<PbmRetrieveServiceContent xmlns="urn:pbm"><_this type="PbmServiceInstance">ServiceInstance</_this></PbmRetrieveServiceContent>"#,
    );
    assert_eq!(content.status, 200, "{}", content.body);
    for part in [
        r#"<PbmRetrieveServiceContentResponse xmlns="urn:pbm">"#,
        r#"<profileManager type="PbmProfileProfileManager">ProfileManager</profileManager>"#,
        r#"<placementSolver type="PbmPlacementSolver">placementSolver</placementSolver>"#,
    ] {
        assert!(content.body.contains(part), "{part} in {}", content.body);
    }

    // The same answer, typed by the generated PBM bindings.
    let (sc, stats) = typed::<vmomi_bindings::types::PbmServiceInstanceContent>(&content.body);
    assert!(stats.is_empty(), "{stats:?}");
    assert_eq!(sc[0].profile_manager.value, "ProfileManager");
    assert_eq!(sc[0].placement_solver.r#type, "PbmPlacementSolver");
    assert_eq!(sc[0].about_info.name, "PBM");

    let query = r#"<PbmQueryProfile xmlns="urn:pbm"><_this type="PbmProfileProfileManager">ProfileManager</_this><resourceType><resourceType>STORAGE</resourceType></resourceType></PbmQueryProfile>"#;
    let profiles = post(addr, "/pbm/sdk", "urn:pbm/6.5", cookie, query);
    assert_eq!(profiles.status, 200, "{}", profiles.body);
    let ids = texts(&profiles.body, "uniqueId");
    assert!(ids.contains(&VSAN_POLICY), "{ids:?}");
    let (typed_ids, stats) = typed::<vmomi_bindings::types::PbmProfileId>(&profiles.body);
    assert!(stats.is_empty(), "{stats:?}");
    assert!(
        typed_ids.iter().any(|p| p.unique_id == VSAN_POLICY),
        "{typed_ids:?}"
    );

    // Every datastore, one result each: LocalDS_0 with an error, vsanDatastore without.
    let all = check_compatibility(addr, cookie, "", VSAN_POLICY);
    assert_eq!(all.status, 200, "{}", all.body);
    let results = texts(&all.body, "returnval");
    assert_eq!(results.len(), 2, "{}", all.body);
    let (bad, good): (Vec<&str>, Vec<&str>) = results.iter().partition(|r| r.contains("<error>"));
    assert_eq!((bad.len(), good.len()), (1, 1), "{}", all.body);
    assert!(
        bad[0].contains("<hubType>Datastore</hubType>"),
        "{}",
        bad[0]
    );
    assert!(
        bad[0].contains("Datastore LocalDS_0 of type OTHER is not compatible"),
        "{}",
        bad[0]
    );
    let (res, stats) = typed::<vmomi_bindings::types::PbmPlacementCompatibilityResult>(&all.body);
    assert!(stats.is_empty(), "{stats:?}");
    let incompatible: Vec<_> = res.iter().filter(|r| !r.error.is_empty()).collect();
    assert_eq!((res.len(), incompatible.len()), (2, 1), "{res:?}");
    assert_eq!(incompatible[0].hub.hub_type, "Datastore");
    assert!(
        incompatible[0].error[0]
            .localized_message
            .as_deref()
            .is_some_and(|m| m.contains("LocalDS_0")),
        "{:?}",
        incompatible[0].error
    );
    // hubsToSearch: only the hub asked about.
    let hub = format!("<hubsToSearch>{}</hubsToSearch>", texts(good[0], "hub")[0]);
    let one = check_compatibility(addr, cookie, &hub, VSAN_POLICY);
    assert_eq!(one.status, 200, "{}", one.body);
    assert_eq!(texts(&one.body, "returnval"), good, "{}", one.body);

    let unknown = check_compatibility(addr, cookie, "", "no-such-profile");
    assert_eq!(unknown.status, 500, "{}", unknown.body);
    assert!(
        unknown
            .body
            .contains(r#"xsi:type="InvalidArgument"><invalidProperty>profileId</invalidProperty>"#),
        "{}",
        unknown.body
    );

    // Without the cookie: NotAuthenticated.
    let anonymous = post(addr, "/pbm/sdk", "urn:pbm/6.5", None, query);
    assert_eq!(anonymous.status, 500, "{}", anonymous.body);
    assert!(
        anonymous.body.contains(r#"xsi:type="NotAuthenticated""#),
        "{}",
        anonymous.body
    );
}
