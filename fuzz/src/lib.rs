//! Fuzz targets for the SDK's decoders and parsers.
//!
//! Each [`Target`] takes arbitrary bytes, hands them to the public API and
//! looks at what comes back (values are formatted, errors displayed, a few
//! properties asserted). A target returns normally for any input: an `Ok` or
//! a typed `Err` is the contract; a panic, an abort, a hang or runaway memory
//! is a finding.
//!
//! The same functions run in three places:
//!
//! * `vmomi-fuzz-afl TARGET` (feature `afl`), built with `cargo afl build`
//!   and run under AFL++ by `scripts/fuzz TARGET MINUTES`: coverage-guided;
//! * `tests/smoke.rs`, in `cargo test --workspace`: every file of
//!   `corpus/<target>/` plus a fixed number of deterministic mutations
//!   ([`mutate`]), each under a time and a memory bound;
//! * `vmomi-fuzz`, the stable driver: `run TARGET FILE...` replays files (a
//!   crash AFL saved, say) and `random TARGET SECONDS` mutates the corpus for
//!   a time without coverage feedback.

use std::fmt::{self, Debug, Write as _};
use std::sync::OnceLock;

use vmomi::cassette::{self, Cassette, Player, canon};
use vmomi::esxcli::value::{self as esxcli, DataTypeInfo, PropertyInfo, TypeTable};
use vmomi::release::{self, Release};
use vmomi::rt::{Any, Service};
use vmomi::types::AnyMethodFault;
use vmomi::xml::{self, PBM_NAMESPACE, SoapBody};

pub mod mutate;

/// One fuzz target: a kind of input and the API that reads it.
pub struct Target {
    /// The name used on the command line and as the corpus folder.
    pub name: &'static str,
    /// What it feeds and to which functions.
    pub about: &'static str,
    /// Runs one input.
    pub run: fn(&[u8]),
    /// The AFL++ dictionary under `fuzz/dict/` for it.
    pub dict: &'static str,
}

/// Every target, in the order `scripts/fuzz all` runs them.
pub const TARGETS: &[Target] = &[
    Target {
        name: "xml_response",
        about: "vmomi::decode_response / decode_response_in: the operation the body names, \
                RetrievePropertiesEx, and an unknown operation (anyType returnvals)",
        run: xml_response,
        dict: "xml.dict",
    },
    Target {
        name: "xml_lexer",
        about: "the XML tokenizer under vmomi::xml::XmlReader against quick-xml's Reader, token \
                by token (vmomi::xml::compare_with_quick_xml): a difference is a finding",
        run: xml_lexer,
        dict: "xml.dict",
    },
    Target {
        name: "soap_envelope",
        about: "vmomi::xml::decode_body(_in)::<AnyMethodFault> (envelope, faults, returnvals as \
                Any), decode_document::<AnyMethodFault>, the cassette request scanners",
        run: soap_envelope,
        dict: "xml.dict",
    },
    Target {
        name: "service_versions",
        about: "vmomi::release::parse_service_versions, is_vim_service_wsdl, choose, \
                choose_from_about, Release::from_str",
        run: service_versions,
        dict: "xml.dict",
    },
    Target {
        name: "cassette_yaml",
        about: "vmomi::cassette::parse_vcrpy, then interactions, Player::from_cassette and the \
                JSON round trip",
        run: cassette_yaml,
        dict: "yaml.dict",
    },
    Target {
        name: "cassette_json",
        about: "the JSON cassette loader (serde form of Cassette, as cassette::load reads it), \
                then interactions, Player::from_cassette and the JSON round trip",
        run: cassette_json,
        dict: "json.dict",
    },
    Target {
        name: "vmci_spec",
        about: "vmci::spec::parse_spec",
        run: vmci_spec,
        dict: "yaml.dict",
    },
    Target {
        name: "vmci_policy",
        about: "vmci::policy::parse_policy",
        run: vmci_policy,
        dict: "yaml.dict",
    },
    Target {
        name: "esxcli",
        about: "vmomi::esxcli::value::parse_response (typed by a fixed type table), columns, \
                deserialize_into, parse_fault",
        run: esxcli_value,
        dict: "xml.dict",
    },
];

/// The target called `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// A `fmt::Write` that only counts: formatting a decoded value walks all of
/// it (every `Debug` and `Display` impl runs) without allocating its text.
#[derive(Default)]
struct Sink(usize);

impl fmt::Write for Sink {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}

fn debug(value: &dyn Debug) -> usize {
    let mut s = Sink::default();
    let _ = write!(s, "{value:?}");
    s.0
}

fn display(value: &dyn fmt::Display) -> usize {
    let mut s = Sink::default();
    let _ = write!(s, "{value}");
    s.0
}

/// Walks an SDK result: the value's `Debug`, or the error's `Display` and
/// `Debug` and, for a fault, the typed fault.
/// The SDK's error is made from the decoder's as a call would make it.
fn sdk_result(r: Result<vmomi::Decoded, vmomi::error::CallError>) {
    match r.map_err(vmomi::Error::from) {
        Ok(d) => {
            debug(&d.value);
            debug(&d.unknown);
        }
        Err(e) => {
            display(&e);
            debug(&e);
            if let Some(f) = e.fault() {
                debug(f);
            }
        }
    }
}

/// The local name of the first child of `Body`, if the input is an envelope
/// (`RetrievePropertiesExResponse`), without its `Response` suffix.
fn body_operation(data: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(data);
    let name = cassette::soap_operation(&text)?;
    Some(name.strip_suffix("Response").unwrap_or(&name).to_owned())
}

/// The XML decoder through `decode_response`: as the operation the body
/// names (the deep path for real responses), as `RetrievePropertiesEx`
/// whatever it names, and as an operation the bindings do not know.
pub fn xml_response(data: &[u8]) {
    if let Some(op) = body_operation(data) {
        let service = if op.starts_with("Pbm") {
            Service::Pbm
        } else {
            Service::Vim25
        };
        sdk_result(vmomi::decode_response_in(service, &op, data));
    }
    sdk_result(vmomi::decode_response("RetrievePropertiesEx", data));
    sdk_result(vmomi::decode_response("FuzzNoSuchOperation", data));
}

/// The tokenizer the decoder reads with and quick-xml's reader, on the same
/// bytes: the kind, text and end offset of every token must agree, up to the
/// first error or DOCTYPE (where each stops is compared, not its message).
pub fn xml_lexer(data: &[u8]) {
    let (theirs, ours) = xml::compare_with_quick_xml(data);
    assert_eq!(ours, theirs, "the tokenizer and quick-xml differ");
}

fn soap_body(r: Result<SoapBody<'_, AnyMethodFault>, xml::DecodeError>) {
    match r {
        Ok(SoapBody::Response(mut resp)) => {
            let _ = resp.name().len();
            // Every returnval as anyType, at most as many as there are bytes.
            loop {
                match resp.next_returnval::<Any>() {
                    Ok(Some(v)) => {
                        debug(&v);
                    }
                    Ok(None) => break,
                    Err(e) => {
                        display(&e);
                        debug(&e);
                        return;
                    }
                }
            }
            match resp.finish() {
                Ok(stats) => {
                    debug(&stats);
                }
                Err(e) => {
                    display(&e);
                }
            }
        }
        Ok(SoapBody::Fault(fault, stats)) => {
            display(&fault);
            debug(&fault);
            debug(&stats);
            if let Some(raw) = &fault.raw_detail {
                // The detail as a document of its own (prefixes declared on
                // the envelope are unbound there: an error is fine).
                if let Ok(f) = xml::decode_document::<AnyMethodFault>(raw.as_bytes()) {
                    debug(&f);
                }
            }
        }
        Err(e) => {
            display(&e);
            debug(&e);
        }
    }
}

/// The envelope and fault decoder, with the fault type of the bindings.
pub fn soap_envelope(data: &[u8]) {
    soap_body(xml::decode_body::<AnyMethodFault>(data));
    soap_body(xml::decode_body_in::<AnyMethodFault>(data, PBM_NAMESPACE));
    match xml::decode_document::<AnyMethodFault>(data) {
        Ok(f) => {
            debug(&f);
        }
        Err(e) => {
            display(&e);
        }
    }
    // What cassette replay reads of each request body.
    debug(&canon::request_info(data));
    let _ = canon::canonical_body(data).len();
}

/// The release documents: `vimServiceVersions.xml` and `vimService.wsdl`.
pub fn service_versions(data: &[u8]) {
    let newest = Release::newest_known();
    match release::parse_service_versions(data) {
        Ok(sv) => {
            debug(&sv);
            assert!(
                sv.current.is_some() || !sv.prior.is_empty(),
                "parse_service_versions returned no numbered release: {sv:?}"
            );
            for r in sv.all() {
                display(r);
                let pinned = release::choose(&sv, &newest, Some(r));
                assert!(pinned.is_ok(), "a listed release {r} is refused as a pin");
            }
            match release::choose(&sv, &newest, None) {
                Ok(r) => assert!(r <= newest, "chose {r}, newer than {newest}"),
                Err(e) => {
                    display(&e);
                }
            }
        }
        Err(e) => {
            display(&e);
            debug(&e);
        }
    }
    let _ = release::is_vim_service_wsdl(data);
    let text = String::from_utf8_lossy(data);
    if text.len() <= 256 {
        if let Ok(r) = text.parse::<Release>() {
            display(&r);
            let _ = r.cmp(&newest);
        }
        match release::choose_from_about(&text, &newest, None) {
            Ok(r) => assert!(
                r <= newest,
                "choose_from_about gave {r}, newer than {newest}"
            ),
            Err(e) => {
                display(&e);
            }
        }
    }
}

/// What replay does with a cassette it has read, and the property that a
/// cassette read is one that can be saved and read back unchanged.
fn cassette_read(c: &Cassette) {
    for i in cassette::interactions(c) {
        debug(&i.soap_operation);
        let _ = (i.method.len(), i.uri.len(), i.response_status);
    }
    let player = Player::from_cassette(c, "fuzz");
    let _ = player.len();
    let json = cassette::to_json_string(c).expect("a cassette read serializes to JSON");
    let back: Cassette = match serde_json::from_str(&json) {
        Ok(b) => b,
        Err(e) => panic!("a cassette read does not read back from its own JSON: {e}\n{json}"),
    };
    assert!(
        back == *c,
        "the JSON round trip changed the cassette:\n{json}"
    );
}

/// The vcrpy YAML reader.
pub fn cassette_yaml(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match cassette::parse_vcrpy(&text, "fuzz.yaml") {
        Ok(c) => cassette_read(&c),
        Err(e) => {
            display(&e);
            debug(&e);
        }
    }
}

/// The JSON cassette loader, as [`vmomi::cassette::load`] reads a file's text.
pub fn cassette_json(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match serde_json::from_str::<Cassette>(&text) {
        Ok(c) => cassette_read(&c),
        Err(e) => {
            display(&e);
        }
    }
}

fn config_errors(errors: &[vmci::model::ConfigError]) {
    assert!(!errors.is_empty(), "an Err with no error in it");
    for e in errors {
        display(e);
    }
}

/// The vmci spec parser.
pub fn vmci_spec(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match vmci::spec::parse_spec(".vsphere-ci.yml", &text) {
        Ok(spec) => {
            debug(&spec);
        }
        Err(errors) => config_errors(&errors),
    }
}

/// The vmci policy parser.
pub fn vmci_policy(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match vmci::policy::parse_policy("vmci-policy.yml", &text) {
        Ok(policy) => {
            debug(&policy);
        }
        Err(errors) => config_errors(&errors),
    }
}

/// The type table the ESXCLI target decodes with: the types of the documents
/// in `tests/vcsim/ESXCLI.md` and one of every leaf type.
pub fn esxcli_types() -> &'static TypeTable {
    static TYPES: OnceLock<TypeTable> = OnceLock::new();
    TYPES.get_or_init(|| {
        let t = |name: &str, props: &[(&str, &str)]| DataTypeInfo {
            wsdl_name: String::new(),
            name: name.to_owned(),
            properties: props
                .iter()
                .map(|(n, ty)| PropertyInfo::new(*n, *ty))
                .collect(),
        };
        [
            t(
                "vim.EsxCLI.network.ip.interface.ipv4.get.IPv4Interface",
                &[
                    ("AddressType", "string"),
                    ("DHCPDNS", "boolean"),
                    ("Gateway", "string"),
                    ("IPv4Address", "string"),
                    ("IPv4Broadcast", "string"),
                    ("IPv4Netmask", "string"),
                    ("Name", "string"),
                ],
            ),
            t(
                "vim.EsxCLI.system.version.get.VersionGet",
                &[
                    ("Build", "string"),
                    ("Patch", "string"),
                    ("Product", "string"),
                    ("Update", "string"),
                    ("Version", "string"),
                ],
            ),
            t(
                "vim.EsxCLI.system.hostname.get.FullyQualifiedHostName",
                &[
                    ("DomainName", "string"),
                    ("FullyQualifiedDomainName", "string"),
                    ("HostName", "string"),
                ],
            ),
            t(
                "vim.EsxCLI.network.vm.list.VM",
                &[
                    ("Name", "string"),
                    ("Networks", "string[]"),
                    ("NumPorts", "long"),
                    ("WorldID", "long"),
                ],
            ),
            t(
                "vim.EsxCLI.software.vib.list.SoftwarePackage",
                &[
                    ("AcceptanceLevel", "string"),
                    ("CreationDate", "string"),
                    ("ID", "string"),
                    ("InstallDate", "string"),
                    ("Name", "string"),
                    ("Status", "string"),
                    ("Vendor", "string"),
                    ("Version", "string"),
                ],
            ),
            t("vim.EsxCLI.CLIFault", &[("errMsg", "string[]")]),
            t(
                "vim.EsxCLI.fuzz.AllLeaves",
                &[
                    ("B", "boolean"),
                    ("L", "long"),
                    ("I", "int"),
                    ("S", "short"),
                    ("Y", "byte"),
                    ("D", "double"),
                    ("F", "float"),
                    ("T", "dateTime"),
                    ("X", "xsd:string"),
                    ("Bs", "boolean[]"),
                    ("Ls", "long[]"),
                    ("Nested", "vim.EsxCLI.fuzz.AllLeaves"),
                    ("NestedList", "vim.EsxCLI.fuzz.AllLeaves[]"),
                    ("Vm", "vim.EsxCLI.network.vm.list.VM"),
                ],
            ),
        ]
        .into_iter()
        .collect()
    })
}

/// The ESXCLI result and fault documents (the `response` and `faultDetail`
/// strings of `ExecuteSoap`).
pub fn esxcli_value(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match esxcli::parse_response(&text, esxcli_types()) {
        Ok(v) => {
            debug(&v);
            let (header, rows) = esxcli::columns(&v);
            let _ = (header.len(), rows.len());
            let _ = v
                .deserialize_into::<serde_json::Value>()
                .map_err(|e| display(&e));
        }
        Err(e) => {
            display(&e);
        }
    }
    match esxcli::parse_fault(&text) {
        Ok(f) => {
            display(&f);
        }
        Err(e) => {
            display(&e);
        }
    }
}
