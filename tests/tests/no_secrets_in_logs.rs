//! No password, cookie or session key reaches log output at any level:
//! every event and span field of every crate (vmomi, reqwest, hyper,
//! rustls) is captured under `trace`, `debug` and `info,vmomi::wire=trace`
//! while a client fails a login, logs in, calls session-scoped objects, is
//! re-logged in after its session was ended, and logs out.

use std::io::Write;
use std::sync::{Arc, Mutex};
use vmomi::Client;
use vmomi::property::retrieve_all;
use vmomi_tests::vcsim::{Options, PASSWORD, USER, Vcsim};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One session's worth of calls: a failed login, logins, calls on
/// session-scoped objects (a ContainerView, whose id on vCenter and the
/// simulator is `session[<session key>]...`), a re-login after the session
/// was ended, logouts. Returns the secrets that must not be in the log.
async fn session(sim: &Vcsim, wire_log: bool) -> Vec<(&'static str, String)> {
    let wrong = "Wr0ng-Secret-Pa55";
    let err = Client::builder()
        .url(&sim.url)
        .credentials(USER, wrong)
        .wire_log(wire_log)
        .connect()
        .await
        .unwrap_err();
    assert!(err.fault().is_some(), "{err}");

    let client = Client::builder()
        .url(&sim.url)
        .credentials(USER, PASSWORD)
        .wire_log(wire_log)
        .connect()
        .await
        .unwrap();
    let admin = Client::builder()
        .url(&sim.url)
        .credentials(USER, PASSWORD)
        .wire_log(wire_log)
        .connect()
        .await
        .unwrap();
    let first = client.session().unwrap().key;
    let vms = retrieve_all(&client, "VirtualMachine", &["name"])
        .await
        .unwrap();
    assert!(!vms.is_empty());
    admin
        .session_manager()
        .terminate_session(vec![first.clone()])
        .await
        .unwrap();
    client.service_instance().current_time().await.unwrap();
    assert_eq!(client.login_count(), 2);
    let second = client.session().unwrap().key;
    retrieve_all(&client, "VirtualMachine", &["name"])
        .await
        .unwrap();
    let admin_key = admin.session().unwrap().key;
    client.close().await.unwrap();
    admin.close().await.unwrap();
    vec![
        ("password", PASSWORD.to_string()),
        ("wrong password", wrong.to_string()),
        ("first session key / cookie", first.into()),
        ("second session key / cookie", second.into()),
        ("admin session key / cookie", admin_key.into()),
    ]
}

fn assert_clean(filter: &str, log: &str, secrets: &[(&str, String)]) {
    for (what, secret) in secrets {
        assert!(!secret.is_empty());
        if let Some(at) = log.find(secret.as_str()) {
            let from = log[..at].rfind('\n').map_or(0, |i| i + 1);
            panic!(
                "with {filter}, the {what} appears in the log: {}",
                &log[from..(at + 80).min(log.len())]
            );
        }
    }
}

/// The whole session under a filter as users set `RUST_LOG`, captured on
/// this thread (a current-thread runtime keeps every task on it).
fn run_under(sim: &Vcsim, filter: &str, wire_log: bool) -> (String, Vec<(&'static str, String)>) {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let secrets = tracing::subscriber::with_default(subscriber, || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(session(sim, wire_log))
    });
    let log = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    (log, secrets)
}

#[test]
fn passwords_cookies_and_session_keys_never_reach_the_log() {
    let Some(sim) = Vcsim::start_or_skip(&Options::default()) else {
        return;
    };
    for (filter, wire_log) in [
        ("trace", true),
        ("debug", false),
        ("info,vmomi::wire=trace", true),
    ] {
        let (log, secrets) = run_under(&sim, filter, wire_log);
        assert_clean(filter, &log, &secrets);
        // The log is real: the call spans, with session-scoped targets, and
        // the wire log when it is on.
        assert!(
            log.contains("vmomi.call"),
            "{filter}: no call spans captured"
        );
        assert!(
            log.contains("this=session[(redacted)]"),
            "{filter}: no session-scoped call captured"
        );
        if wire_log {
            assert!(
                log.contains("vmomi::wire"),
                "{filter}: no wire log captured"
            );
            assert!(
                log.contains("<userName>user</userName>"),
                "{filter}: no Login body logged"
            );
            assert!(
                log.contains("TerminateSession"),
                "{filter}: no TerminateSession logged"
            );
        }
    }
}
