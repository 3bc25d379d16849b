//! Release negotiation against real servers' `vimServiceVersions.xml`
//! (fixtures in `tests/data/versions/`, see the README there) and the real
//! 5.5 `vimService.wsdl` from `../shared`.

use std::path::PathBuf;

use vmomi::release::{
    NEWEST_KNOWN, Release, ServiceVersions, VersionError, choose, choose_from_about,
    is_vim_service_wsdl, known_releases, parse_service_versions,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/versions")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn parse(name: &str) -> ServiceVersions {
    parse_service_versions(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn r(s: &str) -> Release {
    s.parse().unwrap()
}

fn texts<'a>(it: impl Iterator<Item = &'a Release>) -> Vec<&'a str> {
    it.map(Release::as_str).collect()
}

#[test]
fn server_5_5() {
    let sv = parse("vimServiceVersions-5.5.xml");
    assert_eq!(sv.namespace, "urn:vim25");
    assert_eq!(sv.current, Some(r("5.5")));
    assert_eq!(texts(sv.prior.iter()), ["5.1", "5.0", "4.1", "4.0", "2.5"]);
    assert_eq!(sv.unrecognized, ["2.5u2"]);
    let got = choose(&sv, &Release::newest_known(), None).unwrap();
    assert_eq!(got.as_str(), "5.5");
    assert_eq!(got.soap_action(), "urn:vim25/5.5");
}

#[test]
fn server_6_0() {
    let sv = parse("vimServiceVersions-6.0.xml");
    assert_eq!(sv.current, Some(r("6.0")));
    assert_eq!(
        texts(sv.prior.iter()),
        ["5.5", "5.1", "5.0", "4.1", "4.0", "2.5"]
    );
    assert_eq!(sv.unrecognized, ["2.5u2server", "2.5u2"]);
    assert_eq!(
        choose(&sv, &Release::newest_known(), None)
            .unwrap()
            .as_str(),
        "6.0"
    );
}

#[test]
fn server_6_5() {
    let sv = parse("vimServiceVersions-6.5.xml");
    assert_eq!(sv.current, Some(r("6.5")));
    assert_eq!(sv.prior.first(), Some(&r("6.0")));
    assert_eq!(
        choose(&sv, &Release::newest_known(), None)
            .unwrap()
            .as_str(),
        "6.5"
    );
    // An old client talks 5.5 to it.
    assert_eq!(choose(&sv, &r("5.5"), None).unwrap().as_str(), "5.5");
}

/// The recorded vCenter 8.0.3 names its current release with a build code;
/// the newest numbered release it lists is 8.0.2.0, which is also its
/// about.apiVersion and what pyVmomi chose in the same recording.
#[test]
fn server_8_0_3_current_is_a_build_code() {
    let sv = parse("vimServiceVersions-8.0.3.xml");
    assert_eq!(sv.current, None);
    assert_eq!(sv.unrecognized, ["uA046D008"]);
    assert_eq!(sv.prior.len(), 27);
    assert_eq!(sv.prior.first(), Some(&r("8.0.2.0")));
    assert_eq!(sv.prior.last(), Some(&r("4.0")));
    assert_eq!(sv.all().count(), 27);
    // Every release it lists is one this SDK knows, spelled the same.
    for rel in sv.all() {
        assert!(known_releases().contains(&rel.as_str()), "{rel}");
    }
    let got = choose(&sv, &Release::newest_known(), None).unwrap();
    assert_eq!(got.as_str(), "8.0.2.0");
    assert_eq!(
        choose_from_about("8.0.2.0", &Release::newest_known(), None).unwrap(),
        got
    );
}

#[test]
fn server_8_0_3_with_older_client() {
    let sv = parse("vimServiceVersions-8.0.3.xml");
    assert!(sv.prior.contains(&r("7.0.3.0")));
    let got = choose(&sv, &r("7.0.3.0"), None).unwrap();
    assert_eq!(got.as_str(), "7.0.3.0");
    // A client release the server does not list: the newest below it.
    assert_eq!(
        choose(&sv, &r("7.0.2.5"), None).unwrap().as_str(),
        "7.0.2.1"
    );
    assert_eq!(choose(&sv, &r("6.7.2"), None).unwrap().as_str(), "6.7.2");
}

#[test]
fn pins() {
    let sv = parse("vimServiceVersions-8.0.3.xml");
    let newest = Release::newest_known();
    assert_eq!(
        choose(&sv, &newest, Some(&r("6.7"))).unwrap().as_str(),
        "6.7"
    );
    // Numeric match, server spelling.
    assert_eq!(
        choose(&sv, &newest, Some(&r("7.0"))).unwrap().as_str(),
        "7.0.0.0"
    );
    assert_eq!(
        choose(&sv, &newest, Some(&r("6.5.0"))).unwrap().as_str(),
        "6.5"
    );
    // A pin above the client's newest is honoured: the caller asked for it.
    assert_eq!(
        choose(&sv, &r("7.0"), Some(&r("8.0.1.0")))
            .unwrap()
            .as_str(),
        "8.0.1.0"
    );

    let e = choose(&sv, &newest, Some(&r("8.0.3.0"))).unwrap_err();
    match &e {
        VersionError::PinnedNotOffered { pinned, offered } => {
            assert_eq!(pinned.as_str(), "8.0.3.0");
            assert_eq!(offered.len(), 27);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(
        e.to_string().starts_with(
            "pinned release 8.0.3.0 is not offered by the server (it offers 8.0.2.0, 8.0.1.0,"
        ),
        "{e}"
    );
    let sv55 = parse("vimServiceVersions-5.5.xml");
    assert!(matches!(
        choose(&sv55, &newest, Some(&r("6.0"))),
        Err(VersionError::PinnedNotOffered { .. })
    ));
    assert_eq!(
        choose(&sv55, &newest, Some(&r("4.1"))).unwrap().as_str(),
        "4.1"
    );
}

#[test]
fn server_newer_than_client() {
    let xml = b"<namespaces version=\"1.0\"><namespace><name>urn:vim25</name>\
        <version>10.0.0.0</version><priorVersions><version>9.1.0.0</version>\
        <version>9.0.0.0</version><version>8.0.3.0</version></priorVersions>\
        </namespace></namespaces>";
    let sv = parse_service_versions(xml).unwrap();
    assert_eq!(
        choose(&sv, &r(NEWEST_KNOWN), None).unwrap().as_str(),
        "9.0.0.0"
    );

    let only_new = b"<namespaces><namespace><name>urn:vim25</name><version>10.0</version>\
        <priorVersions><version>9.5</version></priorVersions></namespace></namespaces>";
    let sv = parse_service_versions(only_new).unwrap();
    let e = choose(&sv, &r(NEWEST_KNOWN), None).unwrap_err();
    match &e {
        VersionError::NoCommonRelease {
            server,
            client_newest,
        } => {
            assert_eq!(texts(server.iter()), ["10.0", "9.5"]);
            assert_eq!(client_newest.as_str(), "9.0.0.0");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        e.to_string(),
        "no common release: the server offers 10.0, 9.5, this client knows releases up to 9.0.0.0"
    );
}

#[test]
fn other_namespaces_are_ignored() {
    // urn:vim25Service and urn:vim2 are not urn:vim25; the first urn:vim25 wins.
    let xml = b"<namespaces><namespace><name>urn:vim25Service</name><version>9.9</version>\
        </namespace><namespace><name>urn:vim2</name><version>2.0</version></namespace>\
        <namespace><name>urn:vim25</name><version>6.7.3</version></namespace>\
        <namespace><name>urn:vim25</name><version>7.0</version></namespace></namespaces>";
    let sv = parse_service_versions(xml).unwrap();
    assert_eq!(sv.current, Some(r("6.7.3")));
    assert!(sv.prior.is_empty());
    assert_eq!(
        choose(&sv, &r(NEWEST_KNOWN), None).unwrap().as_str(),
        "6.7.3"
    );
}

#[test]
fn garbage_is_an_error() {
    let cases: [&[u8]; 12] = [
        b"",
        b"   ",
        b"not xml at all",
        b"<",
        b"<<<>>>",
        b"\xff\xfe<\x00n\x00",
        b"<namespaces><namespace><name>urn:vim25</name><version>\xc3\x28</version></namespace></namespaces>",
        b"<html><head><title>503 Service Unavailable</title></head></html>",
        b"<namespaces version=\"1.0\"/>",
        b"<namespaces><namespace><name>urn:vim25</name><version>6.5</version></namespaces>",
        b"<namespaces><namespace><name>urn:vim25</name><version>6.5</version></namespace></namespaces><x/>",
        b"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e \"6.5\">]><namespaces><namespace><name>urn:vim25</name><version>&e;</version></namespace></namespaces>",
    ];
    for case in cases {
        let got = parse_service_versions(case);
        assert!(
            got.is_err(),
            "{:?} parsed: {got:?}",
            String::from_utf8_lossy(case)
        );
    }
    let e = parse_service_versions(b"<namespaces><namespace></namespaces>").unwrap_err();
    match &e {
        VersionError::NotXml { offset, .. } => {
            assert_eq!(*offset, 23, "the start of </namespaces>")
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(
        e.to_string()
            .starts_with("vimServiceVersions.xml: not well-formed XML at byte 23: "),
        "{e}"
    );
    let e = parse_service_versions(b"<namespaces><n>\xc3\x28</n></namespaces>").unwrap_err();
    assert!(
        matches!(e, VersionError::NotXml { offset: 15, .. }),
        "{e:?}"
    );
    assert!(matches!(
        parse_service_versions(b"<html/>"),
        Err(VersionError::NotServiceVersions { .. })
    ));
}

/// A cut download (every prefix of the real 8.0.3 document) is never a
/// shorter list and never a panic; the document only parses once complete.
#[test]
fn every_prefix_of_the_8_0_3_document() {
    let doc = fixture("vimServiceVersions-8.0.3.xml");
    let complete = doc
        .windows(b"</namespaces>".len())
        .position(|w| w == b"</namespaces>")
        .unwrap()
        + b"</namespaces>".len();
    for end in 0..=doc.len() {
        let got = parse_service_versions(&doc[..end]);
        assert_eq!(
            got.is_ok(),
            end >= complete,
            "prefix of {end} bytes: {got:?}"
        );
    }
}

/// Deterministic pseudo-random mutations of the real documents: no panics.
#[test]
fn mutated_documents_never_panic() {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let docs = [
        fixture("vimServiceVersions-8.0.3.xml"),
        fixture("vimServiceVersions-5.5.xml"),
    ];
    let bytes = b"<>/&;!?[]-\"'= \n\x00\xff\xc3x9.";
    for doc in &docs {
        for _ in 0..3000 {
            let mut d = doc.clone();
            for _ in 0..(next() % 4 + 1) {
                let i = (next() as usize) % d.len();
                match next() % 3 {
                    0 => d[i] = bytes[(next() as usize) % bytes.len()],
                    1 => {
                        d.remove(i);
                    }
                    _ => d.insert(i, bytes[(next() as usize) % bytes.len()]),
                }
            }
            if let Ok(sv) = parse_service_versions(&d) {
                let _ = choose(&sv, &Release::newest_known(), None);
            }
            let _ = is_vim_service_wsdl(&d);
        }
    }
    // Deep nesting is handled without recursion.
    let deep = "<namespaces>".to_owned() + &"<a>".repeat(100_000);
    assert!(parse_service_versions(deep.as_bytes()).is_err());
}

#[test]
fn fixtures_are_not_wsdl() {
    for name in [
        "vimServiceVersions-5.5.xml",
        "vimServiceVersions-6.0.xml",
        "vimServiceVersions-6.5.xml",
        "vimServiceVersions-8.0.3.xml",
    ] {
        assert!(!is_vim_service_wsdl(&fixture(name)), "{name}");
    }
}

#[test]
fn wsdl_shapes() {
    let yes: [&str; 3] = [
        // Prefixed WSDL namespace.
        r#"<w:definitions xmlns:w="http://schemas.xmlsoap.org/wsdl/" targetNamespace="urn:vim25Service"/>"#,
        // Only the import names vim25.
        r#"<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" targetNamespace="urn:other">
             <import location="vim.wsdl" namespace="urn:vim25"/></definitions>"#,
        r#"<?xml version="1.0"?><!-- c --><definitions targetNamespace="urn:vim25Service"
             xmlns="http://schemas.xmlsoap.org/wsdl/"></definitions>"#,
    ];
    for x in yes {
        assert!(is_vim_service_wsdl(x.as_bytes()), "{x}");
    }
    let no: [&str; 6] = [
        // No WSDL namespace binding.
        r#"<definitions targetNamespace="urn:vim25Service"/>"#,
        r#"<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" targetNamespace="urn:sms"/>"#,
        // Import of another namespace, and an import nested too deep.
        r#"<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"><import namespace="urn:pbm"/><x><import namespace="urn:vim25"/></x></definitions>"#,
        // Truncated.
        r#"<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" targetNamespace="urn:vim25Service">"#,
        r#"<html><body>definitions urn:vim25Service</body></html>"#,
        "",
    ];
    for x in no {
        assert!(!is_vim_service_wsdl(x.as_bytes()), "{x}");
    }
}

/// The real 5.5 `vimService.wsdl` from `../shared` (read in place): a vim25
/// endpoint that names no release. Skipped when `../shared` is absent,
/// except under CI.
#[test]
fn real_vim_service_wsdl_5_5() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/wsdl/vim25-5.5/vimService.wsdl");
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("{}: {e} (required under CI)", path.display())
        }
        Err(e) => {
            eprintln!("skipping: {}: {e}", path.display());
            return;
        }
    };
    assert!(is_vim_service_wsdl(&bytes));
    // It is not a versions document, and no cut of it passes as a WSDL.
    assert!(matches!(
        parse_service_versions(&bytes),
        Err(VersionError::NotServiceVersions { .. })
    ));
    let end = bytes.len()
        - bytes
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
    for cut in 0..end {
        assert!(!is_vim_service_wsdl(&bytes[..cut]), "prefix of {cut} bytes");
    }
    // The fallback then asks about.apiVersion.
    let got = choose_from_about("5.5", &Release::newest_known(), None).unwrap();
    assert_eq!(got.soap_action(), "urn:vim25/5.5");
}

#[test]
fn release_ordering() {
    assert!(r("6.7.3") > r("6.7"));
    assert_eq!(r("7.0"), r("7.0.0.0"));
    assert_eq!(r("7.0").as_str(), "7.0");
    assert!(r("10.0") > r("9.0"));
    assert!(r("8.0.0.1") > r("8.0"));
    let mut v: Vec<Release> = ["9.0.0.0", "6.5", "10.0", "6.7.3", "6.7", "7.0.0.0"]
        .iter()
        .map(|s| r(s))
        .collect();
    v.sort();
    assert_eq!(
        texts(v.iter()),
        ["6.5", "6.7", "6.7.3", "7.0.0.0", "9.0.0.0", "10.0"]
    );
    assert_eq!(
        "7.x".parse::<Release>().unwrap_err().to_string(),
        "release \"7.x\": part \"x\" is not a number"
    );
}

/// `known_releases()` is `shared/vmodl/versions.json` up to `NEWEST_KNOWN`.
#[test]
fn known_releases_match_versions_json() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vmodl/versions.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("{}: {e} (required under CI)", path.display())
        }
        Err(e) => {
            eprintln!("skipping: {}: {e}", path.display());
            return;
        }
    };
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let wire: Vec<&str> = json["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["wire"].as_str().unwrap())
        .collect();
    let upto = wire.iter().position(|w| *w == NEWEST_KNOWN).unwrap();
    assert_eq!(known_releases(), &wire[..=upto]);
}

#[test]
fn byte_order_mark_is_accepted() {
    let mut doc = b"\xef\xbb\xbf".to_vec();
    doc.extend_from_slice(&fixture("vimServiceVersions-6.5.xml"));
    assert_eq!(
        parse_service_versions(&doc).unwrap().current,
        Some(r("6.5"))
    );
}
