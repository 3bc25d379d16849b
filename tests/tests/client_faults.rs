//! The client against a hostile network and a careless user: the fault
//! server of `vmomi_tests::faultsrv` in front of the simulator breaks one
//! call at a time (resets, early closes, endless or oversized bodies,
//! answers in another namespace, faults that echo the password, a server
//! that never answers), and configurations that used to misbehave
//! silently now fail with an error that names the problem.

use std::time::Duration;
use vmomi::{Client, Error, TransportKind};
use vmomi_tests::faultsrv::{FaultServer, Reply, fault_envelope, refused_addr};
use vmomi_tests::vcsim::{Options, PASSWORD, USER, Vcsim};

fn sim() -> Option<Vcsim> {
    Vcsim::start_or_skip(&Options::default())
}

/// A fault server in front of the simulator that breaks `operation` with
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
}

const ENVELOPE_START: &str = r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><CurrentTimeResponse xmlns="urn:vim25"><returnval>"#;
const ENVELOPE_END: &str =
    "2026-12-01T00:00:00Z</returnval></CurrentTimeResponse></soapenv:Body></soapenv:Envelope>";

#[tokio::test]
async fn a_response_over_the_limit_fails_naming_the_limit_and_the_call() {
    let Some(sim) = sim() else { return };
    for announce in [true, false] {
        let srv = breaking(
            &sim,
            "CurrentTime",
            Reply::Stream {
                prefix: ENVELOPE_START.into(),
                filler: b" ".to_vec(),
                suffix: ENVELOPE_END.into(),
                total: 8 << 20,
                announce,
            },
        );
        let client = builder(&srv.url)
            .max_response_bytes(1 << 20)
            .connect()
            .await
            .expect("the small responses pass");
        let err = Error::from(client.service_instance().current_time().await.unwrap_err());
        match &err {
            Error::ResponseTooLarge {
                call,
                limit,
                announced,
            } => {
                assert!(call.contains("CurrentTime"), "{err}");
                assert_eq!(*limit, 1 << 20);
                assert_eq!(*announced, announce.then_some(8 << 20), "{err}");
            }
            other => panic!("expected ResponseTooLarge, got {other:?}"),
        }
        let msg = err.to_string();
        assert!(msg.contains("1048576 bytes"), "{msg}");
        assert!(msg.contains("VSPHERE_MAX_RESPONSE_MB"), "{msg}");
        // The same body under the limit decodes: the limit is what failed.
        let ok = builder(&srv.url)
            .max_response_bytes(16 << 20)
            .connect()
            .await
            .unwrap();
        ok.service_instance().current_time().await.unwrap();
        client.close().await.unwrap();
        ok.close().await.unwrap();
    }
}

#[tokio::test]
async fn the_default_limit_is_documented_and_finite() {
    assert_eq!(vmomi::session::DEFAULT_MAX_RESPONSE, 256 << 20);
    assert_eq!(vmomi::session::DEFAULT_TIMEOUT, Duration::from_secs(300));
}

#[tokio::test]
async fn a_refused_connection_says_refused_in_one_line() {
    let addr = refused_addr();
    let err = Client::builder()
        .url(format!("http://{addr}/sdk"))
        .connect()
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportKind::Refused,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(msg.contains("connection refused"), "{msg}");
    assert!(msg.contains(&addr.to_string()), "{msg}");
    assert!(msg.contains("os error"), "the cause chain: {msg}");
    assert!(!msg.contains('\n'), "one line: {msg}");
}

#[tokio::test]
async fn a_reset_or_close_mid_body_says_so() {
    let Some(sim) = sim() else { return };
    let half = ENVELOPE_START.as_bytes().to_vec();
    for (reply, kind, word) in [
        (
            Reply::ResetAfter {
                announced: 4096,
                sent: half.clone(),
            },
            TransportKind::Reset,
            "reset",
        ),
        (
            Reply::CloseAfter {
                announced: 4096,
                sent: half.clone(),
            },
            TransportKind::Closed,
            "closed",
        ),
    ] {
        let srv = breaking(&sim, "CurrentTime", reply);
        let client = builder(&srv.url).connect().await.unwrap();
        let err = Error::from(client.service_instance().current_time().await.unwrap_err());
        let msg = err.to_string();
        match &err {
            Error::Transport { kind: k, .. } => assert_eq!(*k, kind, "{msg}"),
            other => panic!("expected a transport error, got {other:?}"),
        }
        assert!(msg.contains(word), "{msg}");
        assert!(msg.contains("CurrentTime"), "names the call: {msg}");
        assert!(!msg.contains('\n'), "{msg}");
        client.close().await.unwrap();
    }
}

#[tokio::test]
async fn a_call_that_never_ends_times_out_at_the_configured_limit() {
    let Some(sim) = sim() else { return };
    let srv = breaking(&sim, "CurrentTime", Reply::Hang);
    let client = builder(&srv.url)
        .timeout(Duration::from_secs(1))
        .connect()
        .await
        .unwrap();
    let err = Error::from(client.service_instance().current_time().await.unwrap_err());
    match &err {
        Error::Timeout { call, limit, .. } => {
            assert!(call.contains("CurrentTime"), "{err}");
            assert_eq!(*limit, Duration::from_secs(1));
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(err.to_string().contains("VSPHERE_TIMEOUT"), "{err}");
    client.close().await.unwrap();
}

#[tokio::test]
async fn a_response_in_another_namespace_is_refused() {
    let Some(sim) = sim() else { return };
    let soap12 = r#"<?xml version="1.0"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><CurrentTimeResponse xmlns="urn:vim25"><returnval>2026-12-01T00:00:00Z</returnval></CurrentTimeResponse></env:Body></env:Envelope>"#;
    let other_ns = r#"<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><CurrentTimeResponse xmlns="urn:pbm"><returnval>2026-12-01T00:00:00Z</returnval></CurrentTimeResponse></soapenv:Body></soapenv:Envelope>"#;
    for (body, expect) in [(soap12, "SOAP 1.2"), (other_ns, "\"urn:pbm\"")] {
        let srv = breaking(
            &sim,
            "CurrentTime",
            Reply::Respond {
                status: 200,
                content_type: "text/xml; charset=utf-8",
                body: body.into(),
            },
        );
        let client = builder(&srv.url).connect().await.unwrap();
        let err = Error::from(client.service_instance().current_time().await.unwrap_err());
        assert!(matches!(err, Error::Decode(_)), "{err:?}");
        assert!(err.to_string().contains(expect), "{err}");
        client.close().await.unwrap();
    }
}

#[tokio::test]
async fn a_password_echoed_by_the_server_is_never_in_the_error() {
    let Some(sim) = sim() else { return };
    let echo = format!("Cannot complete login for {USER} with password {PASSWORD}");
    let srv = breaking(
        &sim,
        "Login",
        Reply::Respond {
            status: 500,
            content_type: "text/xml; charset=utf-8",
            body: fault_envelope("InvalidLogin", &echo),
        },
    );
    let err = builder(&srv.url).connect().await.unwrap_err();
    assert!(
        matches!(
            err.fault(),
            Some(vmomi::types::AnyMethodFault::InvalidLogin(_))
        ),
        "{err:?}"
    );
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("Cannot complete login"), "{shown}");
    assert!(!shown.contains(PASSWORD), "{shown}");

    // An error page (not a SOAP fault) that echoes it: the same.
    let srv = breaking(
        &sim,
        "Login",
        Reply::Respond {
            status: 403,
            content_type: "text/plain",
            body: echo.clone().into_bytes(),
        },
    );
    let err = builder(&srv.url).connect().await.unwrap_err();
    assert!(matches!(err, Error::Http { status: 403, .. }), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(PASSWORD), "{shown}");
}

#[tokio::test]
async fn a_one_letter_password_still_lets_the_fault_decode() {
    // Redacting `x` everywhere would turn `xmlns` into `(redacted)mlns` and
    // the fault would not decode: only text content is redacted.
    let Some(sim) = sim() else { return };
    let srv = breaking(
        &sim,
        "Login",
        Reply::Respond {
            status: 500,
            content_type: "text/xml; charset=utf-8",
            body: fault_envelope("InvalidLogin", "Cannot complete login with password x"),
        },
    );
    let err = Client::builder()
        .url(&srv.url)
        .credentials(USER, "x")
        .connect()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.fault(),
            Some(vmomi::types::AnyMethodFault::InvalidLogin(_))
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("with password (redacted)"),
        "{err}"
    );
}

#[tokio::test]
async fn a_plus_in_a_url_password_is_a_plus() {
    let Some(sim) = sim() else { return };
    let srv = breaking(&sim, "__none__", Reply::Forward);
    let url = srv.url.replace("http://", "http://user:p+ss%2Bword@");
    let err = Client::builder().url(&url).connect().await.unwrap_err();
    assert!(
        err.fault().is_some(),
        "a wrong password for the simulator: {err}"
    );
    let login = srv
        .requests()
        .into_iter()
        .find(|r| r.operation.as_deref() == Some("Login"))
        .expect("a Login was sent");
    let body = String::from_utf8(login.body).unwrap();
    assert!(body.contains("<password>p+ss+word</password>"), "{body}");
}

#[tokio::test]
async fn a_url_ending_in_a_slash_works_for_every_request() {
    let Some(sim) = sim() else { return };
    for url in [format!("{}/", sim.url), format!("{}//", sim.url)] {
        let client = builder(&url).connect().await.expect("connects");
        assert_eq!(client.url().as_str(), sim.url);
        client.service_instance().current_time().await.unwrap();
        client.close().await.unwrap();
    }
    // The bare address gets /sdk.
    let client = builder(&format!("http://{}", sim.addr))
        .connect()
        .await
        .unwrap();
    assert_eq!(client.url().path(), "/sdk");
    client.close().await.unwrap();
}

#[tokio::test]
async fn a_thumbprint_or_ca_file_with_plain_http_is_refused() {
    let err = builder("http://127.0.0.1:1/sdk")
        .thumbprint("AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01")
        .connect()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(err.to_string().contains("plain http"), "{err}");
    assert!(err.to_string().contains(".thumbprint()"), "{err}");

    let err = builder("http://127.0.0.1:1/sdk")
        .ca_file("/nonexistent.pem")
        .connect()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("plain http"), "{err}");

    // Plain http beyond loopback carries the password in clear: refused
    // unless asked for (checked before any connection is made).
    let err = builder("http://vc.example.invalid/sdk")
        .connect()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(err.to_string().contains("VSPHERE_ALLOW_HTTP"), "{err}");
    let err = builder("http://vc.example.invalid/sdk")
        .allow_plain_http(true)
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await
        .unwrap_err();
    assert!(
        !matches!(err, Error::Config(_)),
        "allowed, it tries to connect: {err:?}"
    );
}

#[tokio::test]
async fn close_logs_out_and_is_idempotent() {
    let Some(sim) = sim() else { return };
    let srv = breaking(&sim, "__none__", Reply::Forward);
    let client = builder(&srv.url).connect().await.unwrap();
    client.close().await.unwrap();
    client.close().await.unwrap();
    assert_eq!(srv.count("Logout"), 1);
    let err = Error::from(client.service_instance().current_time().await.unwrap_err());
    assert!(err.is_not_authenticated(), "no re-login after close: {err}");
}
