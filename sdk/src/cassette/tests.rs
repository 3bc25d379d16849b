use std::path::PathBuf;

use super::*;

/// The shared pyVmomi cassettes, read in place from `../shared` beside the repository.
fn shared(name: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/cassettes/pyvmomi-vcrpy/"
    ))
    .join(name)
}

/// A fresh scratch directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vmomi-cassette-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const SHARED: [(&str, usize); 5] = [
    ("basic_connection.yaml", 4),
    ("basic_connection_bad_password.yaml", 2),
    ("basic_container_view.yaml", 8),
    ("root_folder_parent.yaml", 6),
    ("smart_connection.yaml", 5),
];

#[test]
fn shared_cassettes_parse_with_expected_counts() {
    for (name, count) in SHARED {
        let c = load_vcrpy(&shared(name)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.http_interactions.len(), count, "{name}");
        assert_eq!(c.recorded_with, "vcrpy (cassette format 1)");
        for i in interactions(&c) {
            assert_eq!(i.uri.split('/').nth(2), Some("vcsa"), "{name}");
            assert!(i.response_body.is_some_and(|b| b.contains("<?xml")));
            // Every POST is SOAP, every GET is the version discovery.
            match i.method {
                "POST" => assert!(i.soap_operation.is_some(), "{name}"),
                "GET" => {
                    assert_eq!(i.uri, "https://vcsa/sdk/vimServiceVersions.xml");
                    assert_eq!(i.request_body, None);
                    assert!(i.raw.request.headers.is_empty());
                }
                other => panic!("{name}: unexpected method {other}"),
            }
        }
    }
}

#[test]
fn bad_password_has_invalid_login_fault() {
    // Flow style with `!!python/unicode` bodies and list-valued headers.
    let c = load_any(shared("basic_connection_bad_password.yaml")).unwrap();
    let all = interactions(&c);
    assert_eq!(
        all[0].soap_operation.as_deref(),
        Some("RetrieveServiceContent")
    );
    assert_eq!(all[0].response_status, 200);
    let login = &all[1];
    assert_eq!(login.soap_operation.as_deref(), Some("Login"));
    assert_eq!(login.response_status, 500);
    assert_eq!(login.raw.response.status.message, "Internal Server Error");
    let body = login.response_body.unwrap();
    assert!(body.contains("<InvalidLoginFault xmlns=\"urn:vim25\" xsi:type=\"InvalidLogin\">"));
    assert!(body.contains("incorrect user name or password"));
    assert_eq!(body.len(), 585); // the recorded content-length
    assert_eq!(login.raw.response.headers["content-length"], ["585"]);
    assert_eq!(
        login.raw.response.headers["set-cookie"],
        [
            "vmware_soap_session=\"f92d3e0148e9d8fb32ef20a75cf89abd4a84cd66\"; Path=/; HttpOnly; Secure;"
        ]
    );
    assert_eq!(
        login.raw.request.headers["SOAPAction"],
        ["\"urn:vim25/4.1\""]
    );
    assert_eq!(login.raw.request.headers["Cookie"], [""]);
    // recorded_at comes from the response Date header.
    assert_eq!(
        login.raw.recorded_at.to_rfc3339(),
        "2015-10-07T17:51:33+00:00"
    );
}

#[test]
fn soap_operations_in_order() {
    let c = load_any(shared("basic_container_view.yaml")).unwrap();
    let ops: Vec<_> = interactions(&c)
        .into_iter()
        .map(|i| (i.method, i.soap_operation))
        .collect();
    let expected = [
        ("GET", None),
        ("POST", Some("RetrieveServiceContent")),
        ("POST", Some("Login")),
        ("POST", Some("RetrieveServiceContent")),
        ("POST", Some("CreateContainerView")),
        ("POST", Some("Fetch")),
        ("POST", Some("Fetch")),
        ("POST", Some("DestroyView")),
    ];
    let expected: Vec<_> = expected
        .iter()
        .map(|(m, op)| (*m, op.map(str::to_owned)))
        .collect();
    assert_eq!(ops, expected);
}

#[test]
fn json_round_trip_is_equal_and_deterministic() {
    let dir = scratch("roundtrip");
    for (name, _) in SHARED {
        let c = load_vcrpy(&shared(name)).unwrap();
        let json = dir.join(name.replace(".yaml", ".json"));
        save(&c, &json).unwrap();
        let back = load(&json).unwrap();
        assert_eq!(back, c, "{name}");
        assert_eq!(load_any(&json).unwrap(), c, "{name}");
        // Same bytes when saved again, and independent of HashMap order.
        let again = dir.join("again.json");
        save(&back, &again).unwrap();
        let (a, b) = (
            std::fs::read(&json).unwrap(),
            std::fs::read(&again).unwrap(),
        );
        assert_eq!(a, b, "{name}");
        assert_eq!(to_json_string(&c).unwrap().as_bytes(), &a[..]);
    }
    let text = std::fs::read_to_string(dir.join("basic_connection.json")).unwrap();
    assert!(text.starts_with("{\n  \"http_interactions\": ["));
    assert!(text.ends_with("}\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn malformed_yaml_names_file_and_position() {
    let text = "interactions:\n- request: {method: POST, uri: 'x'\n  response: 1\n";
    let err = parse_vcrpy(text, "broken.yaml").unwrap_err();
    let CassetteError::YamlSyntax {
        file, line, column, ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(file, "broken.yaml");
    assert_eq!((*line, *column), (3, 3), "{err}");
    assert!(
        err.to_string().starts_with("broken.yaml:3:3: invalid YAML"),
        "{err}"
    );

    // Through the file loader the message names the path.
    let dir = scratch("malformed");
    let path = dir.join("broken.yaml");
    std::fs::write(&path, text).unwrap();
    let err = load_any(&path).unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("{}:3:3:", path.display())),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn missing_interactions_names_file_and_key() {
    let err = parse_vcrpy("# comment\nversion: 1\n", "empty.yaml").unwrap_err();
    let CassetteError::YamlStructure {
        file,
        line,
        column,
        key_path,
        message,
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(file, "empty.yaml");
    assert_eq!((*line, *column), (2, 1));
    assert_eq!(key_path, "interactions");
    assert_eq!(message, "missing key `interactions`");
    assert_eq!(
        err.to_string(),
        "empty.yaml:2:1: `interactions`: missing key `interactions`"
    );
}

#[test]
fn structural_errors_carry_key_path() {
    let text = std::fs::read_to_string(shared("basic_connection.yaml")).unwrap();
    // Break the status code of the fourth interaction (index 3).
    let pos = text.match_indices("code: 200").nth(3).unwrap().0;
    let line = text[..pos].matches('\n').count() + 1;
    let broken = format!("{}code: two hundred{}", &text[..pos], &text[pos + 9..]);
    let err = parse_vcrpy(&broken, "x.yaml").unwrap_err();
    let CassetteError::YamlStructure {
        line: l,
        column,
        key_path,
        ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(key_path, "interactions[3].response.status.code");
    assert_eq!((*l, *column), (line, 13), "{err}");
    assert!(err.to_string().contains("`two hundred`"), "{err}");

    let cases = [
        (
            "interactions: {}\n",
            "interactions",
            "expected a list, found a mapping",
        ),
        (
            "interactions:\n- response: {}\n",
            "interactions[0].request",
            "missing key `request`",
        ),
        (
            "interactions:\n- request: {method: GET, uri: 'not a uri', body: null, headers: {}}\n  response: {}\n",
            "interactions[0].request.uri",
            "invalid URI",
        ),
        (
            "interactions:\n- request: {method: [GET], uri: 'http://h/'}\n  response: {}\n",
            "interactions[0].request.method",
            "expected a string, found a list",
        ),
        (
            "interactions:\n- request: {method: GET, uri: 'http://h/'}\n  response: {status: {message: OK}}\n",
            "interactions[0].response.status.code",
            "missing key `code`",
        ),
        (
            "interactions:\n- request: {method: GET, uri: 'http://h/', headers: {A: !!python/object x}}\n  response: {}\n",
            "interactions[0].request.headers.A",
            "unsupported YAML tag",
        ),
        (
            "interactions: []\nversion: 2\n",
            "version",
            "unsupported vcrpy cassette format version",
        ),
        ("- 1\n", "<root>", "expected a mapping, found a list"),
        ("", "<root>", "empty document"),
        (
            "a: 1\n---\nb: 2\n",
            "<root>",
            "expected a single YAML document",
        ),
    ];
    for (text, path, msg) in cases {
        match parse_vcrpy(text, "case.yaml") {
            Err(CassetteError::YamlStructure {
                key_path,
                message,
                file,
                ..
            }) => {
                assert_eq!(file, "case.yaml");
                assert_eq!(key_path, path, "{text}");
                assert!(message.contains(msg), "{text}: {message}");
            }
            other => panic!("{text}: {other:?}"),
        }
    }
    // Duplicate keys are a YAML error, with a position.
    let err = parse_vcrpy("interactions: []\ninteractions: []\n", "dup.yaml").unwrap_err();
    assert!(
        matches!(err, CassetteError::YamlSyntax { line: 2, .. }),
        "{err:?}"
    );
}

#[test]
fn truncated_or_mangled_input_never_panics() {
    let text = std::fs::read_to_string(shared("basic_connection_bad_password.yaml")).unwrap();
    let cuts = text.char_indices().map(|(i, _)| i).step_by(7);
    for cut in cuts {
        let _ = parse_vcrpy(&text[..cut], "cut.yaml");
        let mangled = format!("{}]{}", &text[..cut], &text[cut..]);
        let _ = parse_vcrpy(&mangled, "mangled.yaml");
    }
}

#[test]
fn tags_and_value_shapes() {
    let text = r#"
interactions:
- request:
    body: !!binary |
      PEEvPg==
    headers:
      Single: !!python/str one
      Number: [585]
      Empty: null
    method: patch
    uri: http://host:8080/p?q=1
  response:
    body: {string: null}
    headers: {}
    status: {code: '204', message: No Content}
- request: {body: !!python/unicode plain text, method: BREW, uri: 'http://h/'}
  response:
    body: just a string
    status: {code: 418}
version: 1
"#;
    let c = parse_vcrpy(text, "tags.yaml").unwrap();
    let [a, b] = &c.http_interactions[..] else {
        panic!()
    };
    assert_eq!(a.request.body.string, "<A/>");
    assert_eq!(a.request.method, Method::Patch);
    assert_eq!(a.request.headers["Single"], ["one"]);
    assert_eq!(a.request.headers["Number"], ["585"]);
    assert!(a.request.headers["Empty"].is_empty());
    assert_eq!(a.request.uri.as_str(), "http://host:8080/p?q=1");
    assert_eq!(a.response.status.code, 204);
    assert_eq!(a.response.body.string, "");
    assert_eq!(a.recorded_at.timestamp(), 0); // no Date header: the epoch
    assert_eq!(b.request.body.string, "plain text");
    assert_eq!(b.request.method, Method::Other("BREW".into()));
    assert_eq!(b.response.body.string, "just a string");
    assert_eq!(b.response.status.message, "");
    let views = interactions(&c);
    assert_eq!(views[0].method, "PATCH");
    assert_eq!(views[0].soap_operation, None);
    assert_eq!(views[0].response_body, None);
    assert_eq!(views[1].response_status, 418);

    // The JSON form round-trips these too.
    let back: Cassette = serde_json::from_str(&to_json_string(&c).unwrap()).unwrap();
    assert_eq!(back, c);
}

#[test]
fn load_any_and_json_errors_name_the_file() {
    let dir = scratch("errors");
    let txt = dir.join("c.txt");
    std::fs::write(&txt, "{}").unwrap();
    assert!(matches!(
        load_any(&txt),
        Err(CassetteError::UnknownFormat { .. })
    ));

    let json = dir.join("bad.json");
    std::fs::write(&json, "{\n  \"http_interactions\": [1]\n}\n").unwrap();
    let err = load_any(&json).unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with(&json.display().to_string()), "{msg}");
    assert!(msg.contains("line 2"), "{msg}");

    let missing = dir.join("missing.yml");
    let err = load_any(&missing).unwrap_err();
    assert!(
        matches!(&err, CassetteError::Io { file, .. } if *file == missing),
        "{err:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn soap_operation_scan() {
    let env = |body: &str| {
        format!(
            "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\">\
             <s:Header><x:Ignored xmlns:x=\"u\"/><Hdr>t</Hdr></s:Header>{body}</s:Envelope>"
        )
    };
    let op = |body: &str| soap_operation(&env(body));
    assert_eq!(
        op("<s:Body><Logout xmlns=\"urn:vim25\"/></s:Body>").as_deref(),
        Some("Logout")
    );
    assert_eq!(
        op("<s:Body>\n <v:Fetch xmlns:v=\"urn:vim25\"><a/></v:Fetch></s:Body>").as_deref(),
        Some("Fetch")
    );
    assert_eq!(op("<s:Body></s:Body>"), None);
    assert_eq!(op("<s:Body/>"), None);
    assert_eq!(soap_operation("<html><body><p/></body></html>"), None);
    assert_eq!(soap_operation("not xml at all"), None);
    assert_eq!(soap_operation("<Envelope><Body><Op"), None);
    assert_eq!(soap_operation(""), None);
}

#[test]
fn deep_nesting_is_refused_with_its_position() {
    // Found by fuzzing: the parser's own loader recursed once per level and
    // overflowed the stack. Block style, flow style, both past the limit.
    let block = "- ".repeat(10_000) + "x\n";
    let flow = "[".repeat(100_000);
    // (The scanner itself stops flow style at 256 levels, with its own words.)
    for (text, says) in [
        (block, "nested deeper than 64 levels"),
        (flow, "recursion limit exceeded"),
    ] {
        let err = parse_vcrpy(&text, "deep.yaml").unwrap_err();
        let CassetteError::YamlSyntax {
            file,
            line,
            message,
            ..
        } = &err
        else {
            panic!("{err:?}");
        };
        assert_eq!((file.as_str(), *line), ("deep.yaml", 1));
        assert!(message.contains(says), "{message}");
    }
    // Sixty-four levels are still a YAML document (and then not a cassette).
    let ok = "- ".repeat(63) + "x\n";
    assert!(matches!(
        parse_vcrpy(&ok, "deep.yaml"),
        Err(CassetteError::YamlStructure { .. })
    ));
}

#[test]
fn aliases_that_expand_exponentially_are_refused() {
    // Each level holds ten aliases of the one before: 10^9 nodes expanded.
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let p = i - 1;
        let refs = vec![format!("*a{p}"); 10].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let err = parse_vcrpy(&text, "laughs.yaml").unwrap_err();
    let CassetteError::YamlSyntax { line, message, .. } = &err else {
        panic!("{err:?}");
    };
    assert!(message.contains("more than 1000000 nodes"), "{message}");
    // a5 is the first to pass a million: 1.1 million nodes, on line 6.
    assert_eq!(*line, 6, "{err}");
}

#[test]
fn a_date_header_past_year_9999_is_not_a_recording_time() {
    // Found by fuzzing: chrono parses the five-digit year, and writing the
    // cassette back (RFC 2822, four digits) panicked.
    let text = "interactions:\n- request: {body: null, headers: {}, method: GET, uri: 'http://h/'}\n  response:\n    body: {string: ''}\n    headers: {date: ['Wed, 25 Nov 22026 04:53:23 GMT']}\n    status: {code: 200, message: OK}\nversion: 1\n";
    let c = parse_vcrpy(text, "y.yaml").unwrap();
    assert_eq!(c.http_interactions[0].recorded_at.timestamp(), 0);
    assert!(super::to_json_string(&c).is_ok());
    // A JSON cassette holding such a date is refused when read, by interaction.
    let json = super::to_json_string(&c).unwrap().replace(
        "Thu, 1 Jan 1970 00:00:00 +0000",
        "Wed, 25 Nov 22026 04:53:23 +0000",
    );
    assert!(json.contains("22026"), "{json}");
    let dir = std::env::temp_dir().join(format!("vmomi-year-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("y.json");
    std::fs::write(&path, &json).unwrap();
    let err = super::load(&path).unwrap_err().to_string();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        err.contains("interaction 0: recorded_at is in the year 22026"),
        "{err}"
    );
}
