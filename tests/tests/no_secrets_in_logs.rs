//! No password, cookie or session key reaches log output at any level, with
//! the wire log on: every event of every crate (vmomi, reqwest, hyper,
//! rustls) is captured at TRACE while a client logs in, calls, fails a
//! login, is re-logged in after its session was ended, and logs out.

use std::io::Write;
use std::sync::{Arc, Mutex};
use vmomi::Client;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passwords_cookies_and_session_keys_never_reach_the_log() {
    let Some(sim) = Vcsim::start_or_skip(&Options::default()) else {
        return;
    };
    let capture = Capture::default();
    let writer = capture.clone();
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish(),
    )
    .unwrap();

    let wrong = "Wr0ng-Secret-Pa55";
    let err = Client::builder()
        .url(&sim.url)
        .credentials(USER, wrong)
        .wire_log(true)
        .connect()
        .await
        .unwrap_err();
    assert!(err.fault().is_some(), "{err}");

    let client = Client::builder()
        .url(&sim.url)
        .credentials(USER, PASSWORD)
        .wire_log(true)
        .connect()
        .await
        .unwrap();
    let admin = Client::builder()
        .url(&sim.url)
        .credentials(USER, PASSWORD)
        .wire_log(true)
        .connect()
        .await
        .unwrap();
    let first = client.session().unwrap().key;
    admin
        .session_manager()
        .terminate_session(vec![first.clone()])
        .await
        .unwrap();
    client.service_instance().current_time().await.unwrap();
    assert_eq!(client.login_count(), 2);
    let second = client.session().unwrap().key;
    let admin_key = admin.session().unwrap().key;
    client.logout().await.unwrap();
    admin.logout().await.unwrap();

    let log = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    // The log is real: the wire log and the call spans are in it.
    assert!(log.contains("vmomi::wire"), "no wire log captured");
    assert!(
        log.contains("<userName>user</userName>"),
        "no Login body logged"
    );
    assert!(
        log.contains("TerminateSession"),
        "no TerminateSession logged"
    );
    assert!(log.contains("(redacted)"), "nothing was redacted");
    for (what, secret) in [
        ("password", PASSWORD),
        ("wrong password", wrong),
        ("first session key / cookie", first.as_str()),
        ("second session key / cookie", second.as_str()),
        ("admin session key / cookie", admin_key.as_str()),
    ] {
        assert!(!secret.is_empty());
        if let Some(at) = log.find(secret) {
            let from = log[..at].rfind('\n').map_or(0, |i| i + 1);
            panic!(
                "the {what} appears in the log: {}",
                &log[from..(at + 80).min(log.len())]
            );
        }
    }
}
