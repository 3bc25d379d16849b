//! Every committed cassette is free of secrets, and the scan would notice one:
//! a password or a session cookie planted into a copy of a real cassette is
//! caught.

use vmomi::redact::Redactor;
use vmomi_tests::tape::cassette_dir;

fn committed() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(cassette_dir()).expect("cassettes/ exists") {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|x| x == "json") {
            out.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    out.sort();
    out
}

#[test]
fn committed_cassettes_hold_no_secret() {
    let files = committed();
    assert!(
        files.len() >= 7,
        "expected the recorded scenarios, found {}",
        files.len()
    );
    let r = Redactor::default()
        .with_literal(vmomi_tests::vcsim::PASSWORD)
        .with_literal("not-the-password");
    for (name, bytes) in &files {
        assert_eq!(r.contains_secret(bytes), None, "{name}");
        // The scrubbed values are there: proof the scan looked at real logins.
        let text = String::from_utf8_lossy(bytes);
        if text.contains("<Login ") || text.contains("<Login>") {
            assert!(text.contains("<password>(redacted"), "{name}");
        }
    }
}

#[test]
fn the_scan_catches_a_planted_password_and_cookie() {
    let (name, bytes) = committed()
        .into_iter()
        .find(|(n, _)| n.ends_with("connect.json"))
        .expect("the connect cassette");
    let text = String::from_utf8(bytes).unwrap();
    let r = Redactor::default();

    let planted = match text.find("<password>(redacted") {
        Some(at) => {
            let end = at + text[at..].find("</password>").unwrap();
            format!(
                "{}<password>hunter2-real-secret{}",
                &text[..at],
                &text[end..]
            )
        }
        None => text.clone(),
    };
    assert_ne!(planted, text, "{name} has a Login to plant into");
    let found = r.contains_secret(planted.as_bytes()).expect("caught");
    assert!(found.contains("password"), "{found}");

    let cookie = text.replacen(
        "vmware_soap_session=",
        "vmware_soap_session=52a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d; x=",
        1,
    );
    assert_ne!(cookie, text, "{name} has a session cookie to plant into");
    let found = r.contains_secret(cookie.as_bytes()).expect("caught");
    assert!(found.to_lowercase().contains("cookie"), "{found}");
}
