//! The finder against the simulator's inventory: exact paths, globs at
//! several depths, and misses that name the deepest part that exists.

use vmomi::find::Finder;
use vmomi::{Client, Error};
use vmomi_tests::vcsim::{Options, PASSWORD, USER, Vcsim};

#[tokio::test]
async fn paths_globs_and_misses() {
    let Some(sim) = Vcsim::start_or_skip(&Options::default()) else {
        return;
    };
    let client = Client::builder()
        .url(&sim.url)
        .credentials(USER, PASSWORD)
        .connect()
        .await
        .unwrap();
    let finder = Finder::new(&client);

    // The datacenter's folders, by their names.
    let dc = finder.find("/*").await.unwrap();
    assert_eq!(dc.len(), 1, "{dc:?}");
    assert_eq!(dc[0].obj.r#type, "Datacenter");
    let top: Vec<String> = finder
        .find(&format!("{}/*", dc[0].path))
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.path)
        .collect();
    for folder in ["vm", "host", "datastore", "network"] {
        assert!(top.contains(&format!("{}/{folder}", dc[0].path)), "{top:?}");
    }

    // Every VM the simulator made is under the vm folder by its name.
    let vms = finder.find(&format!("{}/vm/*", dc[0].path)).await.unwrap();
    let mut names: Vec<&str> = vms
        .iter()
        .map(|f| f.path.rsplit('/').next().unwrap())
        .collect();
    names.sort();
    let mut expected: Vec<&str> = sim.vms.iter().map(String::as_str).collect();
    expected.sort();
    assert_eq!(names, expected);
    assert!(vms.iter().all(|f| f.obj.r#type == "VirtualMachine"));

    // One exact path, and a two-level glob: every host of every compute
    // resource (the standalone one and the cluster's).
    let one = finder.by_path(&vms[0].path).await.unwrap();
    assert_eq!(one, vms[0]);
    let hosts = finder
        .find(&format!("{}/host/*/*", dc[0].path))
        .await
        .unwrap();
    let host_systems = hosts
        .iter()
        .filter(|f| f.obj.r#type == "HostSystem")
        .count();
    assert_eq!(
        host_systems,
        1 + 2,
        "standalone + 2 cluster hosts: {hosts:?}"
    );
    assert!(hosts.iter().any(|f| f.path.ends_with("/Resources")));
    let pattern = finder
        .find(&format!("{}/vm/*_H?_VM[0]", dc[0].path))
        .await
        .unwrap();
    assert!(
        !pattern.is_empty() && pattern.len() < vms.len(),
        "{pattern:?}"
    );

    // A miss names the deepest part that exists and what did not match.
    let miss = format!("{}/vm/no-such-vm", dc[0].path);
    match finder.by_path(&miss).await.unwrap_err() {
        Error::NotFound {
            path,
            deepest,
            missing,
        } => {
            assert_eq!(path, miss);
            assert_eq!(deepest, format!("{}/vm", dc[0].path));
            assert_eq!(missing, "no-such-vm");
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    let err = finder.find("/nope/vm").await.unwrap_err();
    assert!(
        err.to_string()
            .contains("\"/\" has no child matching \"nope\""),
        "{err}"
    );
    assert!(matches!(finder.find("DC0/vm").await, Err(Error::Config(_))));
    assert!(matches!(finder.find("/[").await, Err(Error::Config(_))));
    assert!(matches!(
        finder.by_path(&format!("{}/vm/*", dc[0].path)).await,
        Err(Error::Config(_))
    ));
    client.close().await.unwrap();
}

#[tokio::test]
async fn search_index_lookups() {
    let Some(sim) = Vcsim::start_or_skip(&Options::default()) else {
        return;
    };
    let client = Client::builder()
        .url(&sim.url)
        .credentials(USER, PASSWORD)
        .connect()
        .await
        .unwrap();
    let finder = Finder::new(&client);
    let vm = &finder.find("/*/vm/*").await.unwrap()[0];
    let uuid: String = vmomi::property::retrieve_one(
        &client,
        &vm.obj,
        vmomi::rt::PropertyPath::new("config.uuid"),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        finder.vm_by_uuid(&uuid, false).await.unwrap(),
        Some(vm.obj.clone())
    );
    assert_eq!(
        finder
            .vm_by_uuid("00000000-0000-0000-0000-000000000000", false)
            .await
            .unwrap(),
        None
    );
    client.close().await.unwrap();
}
