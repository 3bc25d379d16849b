//! Fault injection (issue 18, item 4): the fault server of
//! `vmomi_tests::faultsrv` in front of the simulator breaks one call with
//! one fault, and each test asserts the typed error the user gets (variant,
//! fields, the words of its message) or the recovery, within a small
//! configured timeout, without a panic or a hang: every call runs in a task
//! with a guard well above that timeout, so a hang fails the test by name.
//!
//! Cases of the list covered in `client_faults.rs` (not repeated here):
//! * a response in the wrong namespace (SOAP 1.2, `urn:pbm`):
//!   `a_response_in_another_namespace_is_refused`;
//! * a connection reset (and an early close) mid-response:
//!   `a_reset_or_close_mid_body_says_so`;
//! * a server that accepts a call and never answers:
//!   `a_call_that_never_ends_times_out_at_the_configured_limit` (here: the
//!   same at connect, before any session exists);
//! * a response over the limit, announced or not:
//!   `a_response_over_the_limit_fails_naming_the_limit_and_the_call` (here:
//!   200 MB, with the process's peak memory checked).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use vmomi::mo::VirtualMachine;
use vmomi::prelude::*;
use vmomi::types::{AnyMethodFault, ManagedObjectReference};
use vmomi::{Client, Error, TransportKind};
use vmomi_tests::faultsrv::{FaultServer, Reply, fault_envelope, html_page};
use vmomi_tests::vcsim::{Options, PASSWORD, USER, Vcsim};

/// The configured call timeout of every client here.
const LIMIT: Duration = Duration::from_secs(2);

/// How long a test waits for a call before calling it hung.
const GUARD: Duration = Duration::from_secs(20);

fn sim() -> Option<Vcsim> {
    Vcsim::start_or_skip(&Options::default())
}

/// A fault server in front of the simulator that answers `operation` with
/// `reply` and forwards everything else.
fn breaking(sim: &Vcsim, operation: &'static str, reply: Reply) -> FaultServer {
    FaultServer::start(Some(&sim.addr), move |req| {
        if req.operation.as_deref() == Some(operation) {
            reply.clone()
        } else {
            Reply::Forward
        }
    })
}

fn builder(url: &str) -> vmomi::ClientBuilder {
    Client::builder()
        .url(url)
        .credentials(USER, PASSWORD)
        .keepalive(None)
        .timeout(LIMIT)
}

/// Runs `fut` on its own task: a panic is reported as such, and a future
/// that has not finished after [`GUARD`] (blocked in a loop or waiting
/// forever) fails the test instead of hanging it.
async fn guarded<T: Send + 'static>(fut: impl Future<Output = T> + Send + 'static) -> T {
    let task = tokio::spawn(fut);
    match tokio::time::timeout(GUARD, task).await {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => panic!("the call panicked: {e}"),
        Err(_) => panic!("no result after {GUARD:?}: the client hung"),
    }
}

/// Connects through `srv`, runs `CurrentTime` and returns its error.
async fn current_time_error(srv: &FaultServer) -> Error {
    let client = builder(&srv.url).connect().await.expect("connects");
    let c = client.clone();
    let err = guarded(async move { c.service_instance().current_time().await })
        .await
        .expect_err("the call fails");
    client.close().await.unwrap();
    Error::from(err)
}

const ENVELOPE_START: &str = r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>"#;
const ENVELOPE_END: &str = "</soapenv:Body></soapenv:Envelope>";

/// A `CurrentTime` answer whose `returnval` holds `value` (raw XML).
fn current_time_response(value: &str) -> Vec<u8> {
    format!(
        r#"{ENVELOPE_START}<CurrentTimeResponse xmlns="urn:vim25"><returnval>{value}</returnval></CurrentTimeResponse>{ENVELOPE_END}"#
    )
    .into_bytes()
}

fn respond(status: u16, content_type: &'static str, body: Vec<u8>) -> Reply {
    Reply::Respond {
        status,
        content_type,
        body,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_soap_fault_with_http_500_is_the_typed_fault() {
    let Some(sim) = sim() else { return };
    let envelope = format!(
        r#"{ENVELOPE_START}<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>A specified parameter was not correct: spec.numCPUs</faultstring><detail><InvalidArgumentFault xmlns="urn:vim25" xsi:type="InvalidArgument"><invalidProperty>spec.numCPUs</invalidProperty></InvalidArgumentFault></detail></soapenv:Fault>{ENVELOPE_END}"#
    );
    let srv = breaking(
        &sim,
        "CurrentTime",
        respond(500, "text/xml; charset=utf-8", envelope.into_bytes()),
    );
    let err = current_time_error(&srv).await;
    match err.fault() {
        Some(AnyMethodFault::InvalidArgument(f)) => {
            assert_eq!(f.invalid_property.as_deref(), Some("spec.numCPUs"));
        }
        other => panic!("expected InvalidArgument, got {other:?} from {err:?}"),
    }
    let Error::Fault(f) = &err else {
        unreachable!()
    };
    assert_eq!(f.code, "ServerFaultCode");
    assert!(f.raw_detail.as_deref().unwrap().contains("spec.numCPUs"));
    assert_eq!(
        err.to_string(),
        "InvalidArgument fault: A specified parameter was not correct: spec.numCPUs"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_html_error_page_is_an_http_error_with_the_page_text() {
    let Some(sim) = sim() else { return };
    for (status, title, text, server) in [
        (
            503,
            "503 Service Unavailable",
            "No server is available to handle this request.",
            "rhttpproxy",
        ),
        (502, "502 Bad Gateway", "nginx/1.24.0", "nginx/1.24.0"),
    ] {
        let srv = breaking(
            &sim,
            "CurrentTime",
            Reply::RespondWith {
                status,
                content_type: "text/html",
                headers: vec![("Server", server.to_string())],
                body: html_page(title, text),
            },
        );
        let err = current_time_error(&srv).await;
        match &err {
            Error::Http {
                status: s,
                url,
                message,
            } => {
                assert_eq!(*s, status);
                assert_eq!(url, &srv.url);
                assert_eq!(message, &format!("{title}: {text}"), "the page's text");
            }
            other => panic!("expected Error::Http, got {other:?}"),
        }
        assert_eq!(
            err.to_string(),
            format!("HTTP status {status} from {}: {title}: {text}", srv.url)
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_200_that_is_not_a_soap_envelope_is_a_decode_error() {
    let Some(sim) = sim() else { return };
    for (content_type, body, says) in [
        (
            "text/plain",
            &b"It works!"[..],
            r#"at byte 0 in /: not XML: it starts with "It works!""#,
        ),
        (
            "application/json",
            b" {\"error\":\"maintenance\"}",
            r#"at byte 1 in /: not XML: it starts with "{\"error\":\"maintenance\"}""#,
        ),
        (
            "text/html",
            b"<html><head><title>Login</title></head><body>Captive portal</body></html>",
            "at byte 6 in /: expected a SOAP Envelope, found <html>",
        ),
        (
            "text/xml",
            b"<?xml version=\"1.0\"?><status xmlns=\"urn:other\">ok</status>",
            "in /: expected a SOAP Envelope, found <status>",
        ),
        ("text/xml", b"", "at byte 0 in /: unexpected end of input"),
    ] {
        let srv = breaking(
            &sim,
            "CurrentTime",
            respond(200, content_type, body.to_vec()),
        );
        let err = current_time_error(&srv).await;
        assert!(matches!(err, Error::Decode(_)), "{err:?}");
        let msg = err.to_string();
        assert!(msg.starts_with("XML decode error "), "{msg}");
        assert!(msg.ends_with(says), "{msg}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_truncated_mid_element_is_a_decode_error_at_the_cut() {
    let Some(sim) = sim() else { return };
    let whole = current_time_response("2026-12-01T00:00:00Z");
    // Cut inside the returnval's text: complete for HTTP (Content-Length is
    // the cut length), incomplete for XML.
    let cut = whole
        .windows(4)
        .position(|w| w == b"2026")
        .expect("the value")
        + 7;
    let srv = breaking(
        &sim,
        "CurrentTime",
        respond(200, "text/xml; charset=utf-8", whole[..cut].to_vec()),
    );
    let err = current_time_error(&srv).await;
    let Error::Decode(d) = &err else {
        panic!("expected Error::Decode, got {err:?}")
    };
    assert_eq!(d.offset(), cut as u64, "{err}");
    assert_eq!(
        d.path(),
        "/Envelope/Body/CurrentTimeResponse/returnval",
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "XML decode error at byte {cut} in /Envelope/Body/CurrentTimeResponse/returnval: unexpected end of input"
        )
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_never_answers_the_connect_times_out() {
    let srv = FaultServer::start(None, |_| Reply::Hang);
    let url = srv.url.clone();
    let started = Instant::now();
    let err = guarded(async move { builder(&url).connect().await })
        .await
        .expect_err("nothing answers");
    match &err {
        Error::Timeout { call, limit, .. } => {
            assert_eq!(call, &format!("GET {}/vimServiceVersions.xml", srv.url));
            assert_eq!(*limit, LIMIT);
        }
        other => panic!("expected Error::Timeout, got {other:?}"),
    }
    assert!(started.elapsed() < LIMIT * 2, "{:?}", started.elapsed());
    assert!(err.to_string().contains("timed out after 2"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_trickles_a_byte_a_second_meets_the_deadline() {
    let Some(sim) = sim() else { return };
    let srv = breaking(
        &sim,
        "CurrentTime",
        Reply::Trickle {
            body: current_time_response("2026-12-01T00:00:00Z"),
            every: Duration::from_secs(1),
        },
    );
    let client = builder(&srv.url).connect().await.unwrap();
    let started = Instant::now();
    let c = client.clone();
    let err = guarded(async move { c.service_instance().current_time().await })
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    let err = Error::from(err);
    match &err {
        Error::Timeout {
            call,
            elapsed: took,
            limit,
        } => {
            assert_eq!(call, &format!("CurrentTime on {}", srv.url));
            assert_eq!(*limit, LIMIT);
            assert!(*took >= LIMIT, "{took:?}");
        }
        other => panic!("expected Error::Timeout, got {other:?}"),
    }
    // The body would take minutes; the deadline covers all of it.
    assert!(elapsed < LIMIT + Duration::from_secs(2), "{elapsed:?}");
    assert!(
        err.to_string()
            .starts_with(&format!("CurrentTime on {} timed out after 2", srv.url)),
        "{err}"
    );
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gzip_body_is_refused_naming_the_encoding() {
    let Some(sim) = sim() else { return };
    // A gzip magic, then garbage: what a misbehaving proxy sends.
    let mut body = vec![0x1f, 0x8b, 0x08, 0x00];
    body.extend_from_slice(b"\x00\x00not deflate at all\xff\xfe");
    let srv = breaking(
        &sim,
        "CurrentTime",
        Reply::RespondWith {
            status: 200,
            content_type: "text/xml; charset=utf-8",
            headers: vec![("Content-Encoding", "gzip".into())],
            body,
        },
    );
    let err = current_time_error(&srv).await;
    match &err {
        Error::Transport { kind, .. } => assert_eq!(*kind, TransportKind::Protocol, "{err}"),
        other => panic!("expected Error::Transport, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        format!(
            "CurrentTime on {}: HTTP protocol error (Content-Encoding: gzip in a response to Accept-Encoding: identity; this client decodes no content encoding)",
            srv.url
        )
    );
    // The client asked for no encoding.
    let sent = srv
        .requests()
        .into_iter()
        .find(|r| r.operation.as_deref() == Some("CurrentTime"))
        .unwrap();
    assert!(
        sent.headers
            .iter()
            .any(|(k, v)| k == "accept-encoding" && v == "identity"),
        "{:?}",
        sent.headers
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_200_mb_response_stops_at_the_limit_in_bounded_memory() {
    let Some(sim) = sim() else { return };
    const TOTAL: u64 = 200 << 20;
    const MAX: u64 = 16 << 20;
    for announce in [false, true] {
        let srv = breaking(
            &sim,
            "CurrentTime",
            Reply::Stream {
                prefix: format!(
                    r#"{ENVELOPE_START}<CurrentTimeResponse xmlns="urn:vim25"><returnval>"#
                )
                .into_bytes(),
                filler: b" ".to_vec(),
                suffix: Vec::new(),
                total: TOTAL,
                announce,
            },
        );
        let client = builder(&srv.url)
            .max_response_bytes(MAX)
            .connect()
            .await
            .unwrap();
        let c = client.clone();
        let err = guarded(async move { c.service_instance().current_time().await })
            .await
            .unwrap_err();
        let err = Error::from(err);
        match &err {
            Error::ResponseTooLarge {
                call,
                limit,
                announced,
            } => {
                assert_eq!(call, &format!("CurrentTime on {}", srv.url));
                assert_eq!(*limit, MAX);
                assert_eq!(*announced, announce.then_some(TOTAL));
            }
            other => panic!("expected ResponseTooLarge, got {other:?}"),
        }
        let msg = err.to_string();
        assert!(msg.contains("exceeds the limit of 16777216 bytes"), "{msg}");
        assert!(msg.contains("VSPHERE_MAX_RESPONSE_MB"), "{msg}");
        client.close().await.unwrap();
    }
    // Nothing near 200 MB was ever held (the peak of the whole process).
    let peak_kb = vmomi_tests::proc_status_kb("VmHWM:");
    assert!(peak_kb < 120 << 10, "peak RSS {peak_kb} kB");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hundred_thousand_levels_of_nesting_is_a_decode_error() {
    let Some(sim) = sim() else { return };
    const LEVELS: usize = 100_000;
    // A snapshot tree is the one recursive shape vSphere really sends.
    let tree = format!(
        "{}{}",
        "<childSnapshotList>".repeat(LEVELS),
        "</childSnapshotList>".repeat(LEVELS)
    );
    let body = format!(
        r#"{ENVELOPE_START}<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="VirtualMachine">vm-42</obj><propSet><name>snapshot</name><val xsi:type="VirtualMachineSnapshotInfo"><rootSnapshotList>{tree}</rootSnapshotList></val></propSet></objects></returnval></RetrievePropertiesExResponse>{ENVELOPE_END}"#
    );
    let srv = breaking(
        &sim,
        "RetrievePropertiesEx",
        respond(200, "text/xml; charset=utf-8", body.into_bytes()),
    );
    let client = builder(&srv.url).connect().await.unwrap();
    let vm: VirtualMachine = client.view(ManagedObjectReference::new("VirtualMachine", "vm-42"));
    let err = guarded(async move { vm.get(VirtualMachine::SNAPSHOT).await })
        .await
        .unwrap_err();
    let Error::Decode(d) = &err else {
        panic!("expected Error::Decode, got {err:?}")
    };
    assert!(
        d.path()
            .starts_with("/Envelope/Body/RetrievePropertiesExResponse/returnval/objects/propSet/val/rootSnapshotList/childSnapshotList/"),
        "{}",
        d.path()
    );
    // The path shown is cut to its ends: one readable line.
    let msg = err.to_string();
    assert!(
        msg.contains(
            " in /Envelope/Body/RetrievePropertiesExResponse/returnval/objects/propSet/...("
        ),
        "{msg}"
    );
    assert!(
        msg.ends_with("/childSnapshotList: elements nested deeper than 256 levels"),
        "{msg}"
    );
    assert!(msg.len() < 400, "{} bytes: {msg}", msg.len());

    // Deep content the bindings do not know is refused the same way.
    let deep = format!("{}{}", "<x>".repeat(LEVELS), "</x>".repeat(LEVELS));
    let srv = breaking(
        &sim,
        "CurrentTime",
        respond(
            200,
            "text/xml; charset=utf-8",
            format!(
                r#"{ENVELOPE_START}<CurrentTimeResponse xmlns="urn:vim25">{deep}<returnval>2026-12-01T00:00:00Z</returnval></CurrentTimeResponse>{ENVELOPE_END}"#
            )
            .into_bytes(),
        ),
    );
    let err = current_time_error(&srv).await;
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    assert!(
        err.to_string()
            .contains("elements nested deeper than 256 levels"),
        "{err}"
    );
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_doctype_is_refused_and_no_entity_is_expanded_or_fetched() {
    let Some(sim) = sim() else { return };
    // A file an external entity points at: its contents must never appear.
    let secret = std::env::temp_dir().join(format!("vmomi-xxe-{}.txt", std::process::id()));
    std::fs::write(&secret, "XXE-MARKER-7d1f").unwrap();
    let fetched = Arc::new(AtomicBool::new(false));
    let f = fetched.clone();
    // What the next CurrentTime gets: status and body.
    let next = Arc::new(std::sync::Mutex::new((200, Vec::new())));
    let answer = next.clone();
    let srv = FaultServer::start(Some(&sim.addr), move |req| {
        if req.path.starts_with("/xxe") {
            f.store(true, Ordering::SeqCst);
            return respond(200, "text/plain", b"XXE-MARKER-7d1f".to_vec());
        }
        match req.operation.as_deref() {
            Some("CurrentTime") => {
                let (status, body) = answer.lock().unwrap().clone();
                respond(status, "text/xml; charset=utf-8", body)
            }
            _ => Reply::Forward,
        }
    });
    let laughs = r#"<!DOCTYPE soapenv:Envelope [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>"#;
    let file = format!(
        r#"<!DOCTYPE soapenv:Envelope [<!ENTITY xxe SYSTEM "file://{}">]>"#,
        secret.display()
    );
    let http = format!(
        r#"<!DOCTYPE soapenv:Envelope [<!ENTITY % dtd SYSTEM "http://{0}/xxe.dtd"> %dtd; <!ENTITY xxe SYSTEM "http://{0}/xxe">]>"#,
        srv.addr()
    );
    let client = builder(&srv.url).connect().await.unwrap();
    for (status, doctype, whole) in [
        (200, laughs, current_time_response("&lol9;")),
        (200, file.as_str(), current_time_response("&xxe;")),
        (200, http.as_str(), current_time_response("&xxe;")),
        // A fault is decoded by the session, before the call's decoder.
        (500, laughs, fault_envelope("InvalidArgument", "&lol9;")),
    ] {
        // The DOCTYPE goes after the XML declaration, before the root.
        let decl_end = whole.windows(2).position(|w| w == b"?>").unwrap() + 2;
        let mut doc = whole[..decl_end].to_vec();
        doc.extend_from_slice(doctype.as_bytes());
        doc.extend_from_slice(&whole[decl_end..]);
        *next.lock().unwrap() = (status, doc);
        let c = client.clone();
        let err = guarded(async move { c.service_instance().current_time().await })
            .await
            .unwrap_err();
        let err = Error::from(err);
        let Error::Decode(d) = &err else {
            panic!("expected Error::Decode, got {err:?}")
        };
        assert_eq!(d.offset(), decl_end as u64, "at the DOCTYPE: {err}");
        assert_eq!(
            err.to_string(),
            format!(
                "XML decode error at byte {decl_end} in /: a DOCTYPE is not accepted (a SOAP message has none): no DTD is read and no entity is expanded or fetched"
            )
        );
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("XXE-MARKER"), "{shown}");
        assert!(!shown.contains("lollol"), "{shown}");
    }
    assert!(
        !fetched.load(Ordering::SeqCst),
        "an external entity was fetched"
    );
    client.close().await.unwrap();
    std::fs::remove_file(&secret).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_session_that_expires_between_calls_logs_in_once_then_succeeds() {
    let Some(sim) = sim() else { return };
    let srv = FaultServer::start(Some(&sim.addr), |_| Reply::Forward);
    let client = builder(&srv.url).connect().await.unwrap();
    client.service_instance().current_time().await.unwrap();
    let old = client.session().unwrap().key;
    // The server ends the session (as vCenter does after 30 idle minutes).
    let admin = Client::builder()
        .url(&sim.url)
        .credentials(USER, PASSWORD)
        .keepalive(None)
        .connect()
        .await
        .unwrap();
    admin
        .session_manager()
        .terminate_session(vec![old.clone()])
        .await
        .unwrap();
    let c = client.clone();
    guarded(async move { c.service_instance().current_time().await })
        .await
        .expect("the call succeeds after one re-login");
    assert_eq!(client.login_count(), 2);
    assert_eq!(srv.count("Login"), 2, "one re-login");
    assert_eq!(srv.count("CurrentTime"), 3, "the refused call retried once");
    assert_ne!(client.session().unwrap().key, old);
    client.close().await.unwrap();
    admin.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_session_that_stays_unauthenticated_fails_after_one_retry() {
    let Some(sim) = sim() else { return };
    let srv = breaking(
        &sim,
        "CurrentTime",
        respond(
            500,
            "text/xml; charset=utf-8",
            fault_envelope("NotAuthenticated", "The session is not authenticated."),
        ),
    );
    let client = builder(&srv.url).connect().await.unwrap();
    let c = client.clone();
    let err = guarded(async move { c.service_instance().current_time().await })
        .await
        .unwrap_err();
    let err = Error::from(err);
    assert!(err.is_not_authenticated(), "{err:?}");
    assert_eq!(
        err.to_string(),
        "NotAuthenticated fault: The session is not authenticated."
    );
    assert_eq!(srv.count("CurrentTime"), 2, "the call and one retry");
    assert_eq!(srv.count("Login"), 2, "connect and one re-login");
    assert_eq!(client.login_count(), 2);
    // The next call is bounded the same way: nothing accumulates.
    let err = client.service_instance().current_time().await.unwrap_err();
    assert!(err.is_not_authenticated(), "{err:?}");
    assert_eq!(srv.count("CurrentTime"), 4);
    assert_eq!(srv.count("Login"), 3);
    client.close().await.unwrap();
}
