//! `vmomi::Client` against the vCenter simulator on 127.0.0.1: negotiation,
//! login, typed faults, transparent re-login after the session was ended on
//! the server, concurrency on one session, logout.

use std::time::Duration;
use vmomi::mo::SessionManager;
use vmomi::property::retrieve_one;
use vmomi::session::NegotiationSource;
use vmomi::types::AnyMethodFault;
use vmomi::{Client, Error};
use vmomi_tests::vcsim::{Options, PASSWORD, USER, Vcsim};

fn sim() -> Option<Vcsim> {
    Vcsim::start_or_skip(&Options::default())
}

async fn connect(sim: &Vcsim) -> Client {
    Client::builder()
        .url(&sim.url)
        .credentials(USER, PASSWORD)
        .connect()
        .await
        .expect("connects to the simulator")
}

#[tokio::test]
async fn connect_negotiates_6_5_and_logs_in() {
    let Some(sim) = sim() else { return };
    let client = connect(&sim).await;
    assert_eq!(client.release().as_str(), "6.5");
    let n = client.negotiation();
    assert_eq!(n.source, NegotiationSource::ServiceVersions);
    let offered: Vec<&str> = n.offered.iter().map(|r| r.as_str()).collect();
    assert_eq!(offered, ["6.5", "6.0", "5.5"]);
    assert_eq!(client.about().api_version, "6.5");
    assert_eq!(client.about().api_type, "VirtualCenter");
    assert_eq!(client.login_count(), 1);
    let session = client.session().expect("logged in");
    assert_eq!(session.user_name, USER);

    // The server agrees about who we are.
    let sm = client.service_content().session_manager.clone().unwrap();
    let current = retrieve_one(&client, &sm, SessionManager::CURRENT_SESSION)
        .await
        .unwrap()
        .expect("a current session");
    assert_eq!(current.key, session.key);

    // RetrieveServiceContent through the generated view.
    let sc = client
        .service_instance()
        .retrieve_service_content()
        .await
        .unwrap();
    assert_eq!(sc.root_folder, client.service_content().root_folder);
    client.logout().await.unwrap();
}

#[tokio::test]
async fn a_pinned_release_is_used_or_refused() {
    let Some(sim) = sim() else { return };
    let client = Client::builder()
        .url(&sim.url)
        .credentials(USER, PASSWORD)
        .release("6.0")
        .connect()
        .await
        .unwrap();
    assert_eq!(client.release().as_str(), "6.0");
    client.logout().await.unwrap();

    let err = Client::builder()
        .url(&sim.url)
        .release("7.0.3.0")
        .connect()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Negotiation(_)), "{err}");
    assert!(err.to_string().contains("7.0.3.0"), "{err}");
}

#[tokio::test]
async fn a_wrong_password_is_a_typed_invalid_login() {
    let Some(sim) = sim() else { return };
    let err = Client::builder()
        .url(&sim.url)
        .credentials(USER, "not-the-password")
        .connect()
        .await
        .unwrap_err();
    assert!(
        matches!(err.fault(), Some(AnyMethodFault::InvalidLogin(_))),
        "{err:?}"
    );
    assert!(err.to_string().starts_with("InvalidLogin fault"), "{err}");
    assert!(!err.to_string().contains("not-the-password"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_calls_after_the_session_was_terminated_log_in_once() {
    let Some(sim) = sim() else { return };
    let client = connect(&sim).await;
    let admin = connect(&sim).await;
    let old = client.session().unwrap().key;

    // Another session ends ours on the server, as an idle timeout would.
    admin
        .session_manager()
        .terminate_session(vec![old.clone()])
        .await
        .unwrap();

    let calls = (0..32).map(|_| {
        let c = client.clone();
        tokio::spawn(async move { c.service_instance().current_time().await })
    });
    for call in futures_join(calls).await {
        call.expect("task")
            .expect("the call succeeds after a silent re-login");
    }
    assert_eq!(client.login_count(), 2, "32 failing calls, one re-login");
    let new = client.session().unwrap().key;
    assert_ne!(new, old);

    // The server sees the new session, and the old one is gone.
    let sm = client.service_content().session_manager.clone().unwrap();
    let current = retrieve_one(&client, &sm, SessionManager::CURRENT_SESSION)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(current.key, new);
    client.logout().await.unwrap();
    admin.logout().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_concurrent_calls_share_one_session() {
    let Some(sim) = sim() else { return };
    let client = connect(&sim).await;
    let root = client.service_content().root_folder.clone();
    let calls = (0..32).map(|i| {
        let c = client.clone();
        let root = root.clone();
        tokio::spawn(async move {
            if i % 2 == 0 {
                c.service_instance()
                    .current_time()
                    .await
                    .map(|_| None)
                    .map_err(vmomi::Error::from)
            } else {
                retrieve_one(&c, &root, vmomi::mo::Folder::NAME).await
            }
        })
    });
    let mut names = 0;
    for r in futures_join(calls).await {
        if let Some(name) = r.unwrap().unwrap() {
            assert_eq!(name, "Datacenters");
            names += 1;
        }
    }
    assert_eq!(names, 16);
    assert_eq!(client.login_count(), 1);
    client.logout().await.unwrap();
}

#[tokio::test]
async fn after_logout_calls_fail_instead_of_logging_in_again() {
    let Some(sim) = sim() else { return };
    let client = connect(&sim).await;
    client.logout().await.unwrap();
    assert!(client.session().is_none());
    let err = client.service_instance().current_time().await.unwrap_err();
    assert!(err.is_not_authenticated(), "{err}");
    assert_eq!(client.login_count(), 1);
    // An explicit login resumes.
    client.login().await.unwrap();
    client.service_instance().current_time().await.unwrap();
}

#[tokio::test]
async fn the_keepalive_renews_a_session_the_server_ended() {
    let Some(sim) = sim() else { return };
    let client = Client::builder()
        .url(&sim.url)
        .credentials(USER, PASSWORD)
        .keepalive(Some(Duration::from_millis(100)))
        .connect()
        .await
        .unwrap();
    let admin = connect(&sim).await;
    admin
        .session_manager()
        .terminate_session(vec![client.session().unwrap().key])
        .await
        .unwrap();
    // No call of ours runs: only the keep-alive's CurrentTime can meet
    // NotAuthenticated and log in again. Wait for that, with a deadline.
    tokio::time::timeout(Duration::from_secs(30), async {
        while client.login_count() < 2 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the keep-alive logged in again");
    assert_eq!(client.login_count(), 2);
    client.service_instance().current_time().await.unwrap();
    assert_eq!(client.login_count(), 2);
}

#[tokio::test]
async fn transport_errors_are_distinct_variants() {
    // Nothing listens on port 9 of loopback.
    let err = Client::builder()
        .url("http://127.0.0.1:9/sdk")
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: vmomi::TransportKind::Refused,
                ..
            }
        ),
        "{err:?}"
    );

    let Some(sim) = sim() else { return };
    // A path that is not the SDK gives an HTTP status, not a decode error.
    let url = sim.url.replace("/sdk", "/nothing-here");
    let err = Client::builder().url(url).connect().await.unwrap_err();
    assert!(matches!(err, Error::Http { status: 404, .. }), "{err:?}");
}

async fn futures_join<T: Send + 'static>(
    handles: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<Result<T, tokio::task::JoinError>> {
    let mut out = Vec::new();
    for h in handles.collect::<Vec<_>>() {
        out.push(h.await);
    }
    out
}
