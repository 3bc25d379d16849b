//! The storage policy (PBM) service through the SDK (`client.pbm()`),
//! live against the simulator's PBM service at `/pbm/sdk`
//! (`tests/vcsim/pbm.go`, [`Options::pbm`]): service content, profiles and
//! their typed content, compatibility, faults, the session it shares with
//! vim25, and what reaches the wire (a recorder under the client).
//!
//! The compatibility rule (see `pbm.go`): the built-in "vSAN Default Storage
//! Policy" is compatible only with datastores of type vsan, so with it
//! `vsanDatastore` is compatible and `LocalDS_0` is not.

use std::sync::Arc;
use vmomi::cassette::Recorder;
use vmomi::mo::Datastore;
use vmomi::property::retrieve_all;
use vmomi::types::{AnyMethodFault, AnyPbmCapabilityConstraints, AnyPbmProfile, PbmProfileId};
use vmomi::{Client, Error};
use vmomi_tests::vcsim::{Options, PASSWORD, USER, Vcsim};

/// The "vSAN Default Storage Policy" of govmomi's PBM simulator.
const VSAN_POLICY: &str = "aa6d5a82-1c88-45da-85d3-3d74b91a5bad";

fn sim() -> Option<Vcsim> {
    Vcsim::start_or_skip(&Options {
        pbm: true,
        ..Default::default()
    })
}

async fn connect(sim: &Vcsim) -> (Client, Arc<Recorder>) {
    let rec = Arc::new(Recorder::new(std::env::temp_dir().join("unused.json")));
    let client = Client::builder()
        .url(&sim.url)
        .credentials(USER, PASSWORD)
        .record(rec.clone())
        .connect()
        .await
        .unwrap();
    (client, rec)
}

/// Every datastore by name.
async fn datastores(
    client: &Client,
) -> Vec<(
    vmomi::types::CompactString,
    vmomi::types::ManagedObjectReference,
)> {
    let mut out: Vec<_> = retrieve_all(client, Datastore::TYPE_NAME, &["name"])
        .await
        .unwrap()
        .into_iter()
        .map(|o| {
            let name = Datastore::NAME.decode(o.prop_set[0].val.clone()).unwrap();
            (name, o.obj)
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn profiles_content_and_compatibility_are_typed() {
    let Some(sim) = sim() else { return };
    let (client, _) = connect(&sim).await;
    let pbm = client.pbm().await.unwrap();
    assert_eq!(pbm.content().about_info.name, "PBM");
    assert_eq!(
        pbm.profile_manager().reference().r#type,
        "PbmProfileProfileManager"
    );
    assert_eq!(pbm.placement_solver().reference().value, "placementSolver");

    // Profiles with their typed content: the vSAN policy's constraints are
    // sub-profiles whose capabilities are in the VSAN namespace.
    let profiles = pbm.storage_profiles().await.unwrap();
    assert!(profiles.len() >= 2, "{profiles:?}");
    let vsan = profiles
        .iter()
        .find(|p| p.profile_id.unique_id == VSAN_POLICY)
        .expect("the vSAN default policy");
    let AnyPbmProfile::PbmCapabilityProfile(cap) = vsan else {
        panic!("a capability profile: {vsan:?}")
    };
    assert_eq!(cap.resource_type.resource_type, "STORAGE");
    let AnyPbmCapabilityConstraints::PbmCapabilitySubProfileConstraints(subs) = &cap.constraints
    else {
        panic!("sub-profile constraints: {:?}", cap.constraints)
    };
    assert!(
        subs.sub_profiles
            .iter()
            .flat_map(|s| &s.capability)
            .any(|c| c.id.namespace == "VSAN"),
        "{subs:?}"
    );
    let by_name = pbm
        .profile_by_name(&vsan.name)
        .await
        .unwrap()
        .expect("found by name");
    assert_eq!(by_name.profile_id.unique_id, VSAN_POLICY);
    assert!(
        pbm.profile_by_name("no such policy")
            .await
            .unwrap()
            .is_none()
    );

    // Compatibility: one result per datastore, LocalDS_0 with the reason.
    let stores = datastores(&client).await;
    let refs: Vec<_> = stores.iter().map(|(_, r)| r.clone()).collect();
    let id = PbmProfileId {
        unique_id: VSAN_POLICY.into(),
        ..Default::default()
    };
    let results = pbm.check_compatibility(&id, &refs).await.unwrap();
    assert_eq!(results.len(), refs.len(), "{results:?}");
    let local = &stores.iter().find(|(n, _)| n == "LocalDS_0").unwrap().1;
    let bad = results
        .iter()
        .find(|r| r.hub.hub_id == local.value)
        .unwrap();
    assert!(
        bad.error[0]
            .localized_message
            .as_deref()
            .is_some_and(|m| m.contains("LocalDS_0")),
        "{bad:?}"
    );
    let fits = pbm.compatible(&id, &refs).await.unwrap();
    let names: Vec<&str> = stores
        .iter()
        .filter(|(_, r)| fits.contains(r))
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(names, ["vsanDatastore"]);

    // An unknown profile: the typed fault, naming the property.
    let unknown = PbmProfileId {
        unique_id: "no-such-profile".into(),
        ..Default::default()
    };
    let err = pbm.check_compatibility(&unknown, &refs).await.unwrap_err();
    match err.fault() {
        Some(AnyMethodFault::InvalidArgument(f)) => {
            assert_eq!(f.invalid_property.as_deref(), Some("profileId"))
        }
        other => panic!("InvalidArgument, got {other:?} ({err})"),
    }
    client.logout().await.unwrap();
}

#[tokio::test]
async fn pbm_calls_carry_the_vim25_session_and_the_release() {
    let Some(sim) = sim() else { return };
    let (client, rec) = connect(&sim).await;
    let key = client.session().unwrap().key;
    let pbm = client.pbm().await.unwrap();
    pbm.storage_profiles().await.unwrap();
    let cassette = rec.cassette();
    let pbm_calls: Vec<_> = cassette
        .http_interactions
        .iter()
        .filter(|i| i.request.uri.path() == "/pbm/sdk")
        .collect();
    assert_eq!(pbm_calls.len(), 3, "content, query, retrieve");
    for i in &pbm_calls {
        let header = |name: &str| {
            i.request
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v[0].clone())
                .unwrap_or_else(|| panic!("no {name} header"))
        };
        let action = header("SOAPAction");
        assert_eq!(action, format!("\"urn:pbm/{}\"", client.release()));
        // The session travels as the cookie and as the vcSessionCookie
        // header, both scrubbed to the same pseudonym.
        let cookie = header("cookie");
        let pseudonym = cookie
            .split_once('=')
            .map(|(_, v)| v.trim_matches('"'))
            .unwrap();
        assert!(pseudonym.starts_with("(redacted-"), "{cookie}");
        let body = &i.request.body.string;
        assert!(
            body.contains(&format!(
                "<soapenv:Header><vcSessionCookie>{pseudonym}</vcSessionCookie></soapenv:Header><soapenv:Body><Pbm"
            )),
            "{body}"
        );
        assert!(body.contains(" xmlns=\"urn:pbm\">"), "{body}");
    }
    let all = vmomi::cassette::to_json_string(&cassette).unwrap();
    assert!(
        !all.contains(key.as_str()),
        "the session key leaked into the recording"
    );
    // vim25 calls carry no PBM header.
    assert!(
        cassette
            .http_interactions
            .iter()
            .filter(|i| i.request.uri.path() == "/sdk")
            .all(|i| !i.request.body.string.contains("vcSessionCookie"))
    );
    client.logout().await.unwrap();
}

#[tokio::test]
async fn an_expired_session_logs_in_again_and_a_closed_one_is_a_typed_fault() {
    let Some(sim) = sim() else { return };
    let (client, _) = connect(&sim).await;
    let pbm = client.pbm().await.unwrap();
    assert_eq!(client.login_count(), 1);

    // Another session ends this one, as an idle timeout would.
    let (admin, _) = connect(&sim).await;
    let key = client.session().unwrap().key;
    admin
        .session_manager()
        .terminate_session(vec![key])
        .await
        .unwrap();
    let profiles = pbm.storage_profiles().await.unwrap();
    assert!(!profiles.is_empty());
    assert_eq!(client.login_count(), 2, "one re-login on vim25");

    // Logged out: NotAuthenticated, typed, and no re-login.
    client.logout().await.unwrap();
    let err: Error = pbm.storage_profiles().await.unwrap_err();
    assert!(err.is_not_authenticated(), "{err}");
    assert_eq!(client.login_count(), 2);
    admin.logout().await.unwrap();
}
