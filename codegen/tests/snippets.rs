//! Codegen unit tests on small hand-written WSDL/XSD sets.

use vmomi_codegen::model::{Kind, Prim, TypeRef};
use vmomi_codegen::{generate, releases, vmodl, wsdl};

const CORE: &str = r#"<?xml version="1.0" encoding="UTF-8" ?>
<schema targetNamespace="urn:vim25" xmlns="http://www.w3.org/2001/XMLSchema"
   xmlns:vim25="urn:vim25" xmlns:xsd="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">
   <complexType name="DynamicData"><sequence></sequence></complexType>
   <complexType name="MethodFault"><sequence>
      <element name="faultMessage" type="xsd:string" minOccurs="0" maxOccurs="unbounded" />
   </sequence></complexType>
   <complexType name="RuntimeFault"><complexContent><extension base="vim25:MethodFault"><sequence>
   </sequence></extension></complexContent></complexType>
   <complexType name="ManagedObjectReference"><simpleContent><extension base="xsd:string">
      <attribute name="type" type="xsd:string"/></extension></simpleContent></complexType>
   <complexType name="ArrayOfString"><sequence>
      <element name="string" type="xsd:string" minOccurs="0" maxOccurs="unbounded" />
   </sequence></complexType>
</schema>"#;

const TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" ?>
<schema targetNamespace="urn:vim25" xmlns="http://www.w3.org/2001/XMLSchema"
   xmlns:vim25="urn:vim25" xmlns:xsd="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">
   <include schemaLocation="core-types.xsd" />
   <complexType name="Device"><complexContent><extension base="vim25:DynamicData"><sequence>
      <element name="key" type="xsd:int" />
      <element name="label" type="xsd:string" minOccurs="0" />
   </sequence></extension></complexContent></complexType>
   <complexType name="Disk"><complexContent><extension base="vim25:Device"><sequence>
      <element name="capacityInKB" type="xsd:long" />
      <element name="filter" type="xsd:string" minOccurs="0" maxOccurs="unbounded" />
   </sequence></extension></complexContent></complexType>
   <complexType name="Hardware"><complexContent><extension base="vim25:DynamicData"><sequence>
      <element name="device" type="vim25:Device" minOccurs="0" maxOccurs="unbounded" />
      <element name="state" type="vim25:PowerState" />
      <element name="value" type="xsd:anyType" minOccurs="0" />
      <element name="when" type="xsd:dateTime" minOccurs="0" />
      <element name="host" type="vim25:ManagedObjectReference" minOccurs="0" />
      <element name="type" type="xsd:string" minOccurs="0" />
      <element name="next" type="vim25:Hardware" minOccurs="0" />
   </sequence></extension></complexContent></complexType>
   <complexType name="ArrayOfDevice"><sequence>
      <element name="Device" type="vim25:Device" minOccurs="0" maxOccurs="unbounded" />
   </sequence></complexType>
   <simpleType name="PowerState"><restriction base="xsd:string">
      <enumeration value="poweredOff" /><enumeration value="poweredOn" /><enumeration value="vmx-04" />
   </restriction></simpleType>
   <complexType name="InvalidThing"><complexContent><extension base="vim25:RuntimeFault"><sequence>
      <element name="name" type="xsd:string" />
   </sequence></extension></complexContent></complexType>
</schema>"#;

const MESSAGES: &str = r#"<?xml version="1.0" encoding="UTF-8" ?>
<schema targetNamespace="urn:vim25" xmlns="http://www.w3.org/2001/XMLSchema"
   xmlns:vim25="urn:vim25" xmlns:xsd="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">
   <include schemaLocation="core-types.xsd" />
   <include schemaLocation="vim-types.xsd" />
   <complexType name="PowerOnRequestType"><sequence>
      <element name="_this" type="vim25:ManagedObjectReference" />
      <element name="host" type="vim25:ManagedObjectReference" minOccurs="0" />
   </sequence></complexType>
</schema>"#;

const WSDL: &str = r#"<?xml version="1.0" encoding="UTF-8" ?>
<definitions targetNamespace="urn:vim25" xmlns="http://schemas.xmlsoap.org/wsdl/"
   xmlns:vim25="urn:vim25" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
   <types>
      <schema targetNamespace="urn:vim25" xmlns="http://www.w3.org/2001/XMLSchema"
         xmlns:vim25="urn:vim25" xmlns:xsd="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">
         <include schemaLocation="vim-messagetypes.xsd" />
         <element name="InvalidThingFault" type="vim25:InvalidThing"/>
         <element name="PowerOn_Task" type="vim25:PowerOnRequestType" />
         <element name="PowerOn_TaskResponse"><complexType><sequence>
            <element name="returnval" type="vim25:ManagedObjectReference" />
         </sequence></complexType></element>
      </schema>
   </types>
   <message name="PowerOn_TaskRequestMsg"><part name="parameters" element="vim25:PowerOn_Task" /></message>
   <message name="PowerOn_TaskResponseMsg"><part name="parameters" element="vim25:PowerOn_TaskResponse" /></message>
   <message name="InvalidThingFaultMsg"><part name="fault" element="vim25:InvalidThingFault" /></message>
   <portType name="VimPortType">
      <operation name="PowerOn_Task">
         <input message="vim25:PowerOn_TaskRequestMsg" />
         <output message="vim25:PowerOn_TaskResponseMsg" />
         <fault name="InvalidThingFault" message="vim25:InvalidThingFaultMsg"/>
      </operation>
   </portType>
</definitions>"#;

const VMODL: &str = r#"{
  "Machine": {"kind": "managed", "wsdl_base": null,
    "props": [
      {"name": "hardware", "is-optional": true, "is-array": false, "version-id-ref": null, "wsdl_type": "Hardware"},
      {"name": "host", "is-optional": true, "is-array": false, "version-id-ref": null, "wsdl_type": "Machine"},
      {"name": "future", "is-optional": true, "is-array": false, "version-id-ref": null, "wsdl_type": "FutureInfo"}
    ],
    "methods": {"PowerOn_Task": {"params": [], "result": {}}, "Teleport_Task": {"params": [], "result": {}}}},
  "Gadget": {"kind": "managed", "wsdl_base": null, "props": [], "methods": {"Fly": {"params": [], "result": {}}}},
  "FutureInfo": {"kind": "data", "wsdl_base": "DynamicData", "props": []},
  "PowerState": {"kind": "enum", "values": ["poweredOff", "poweredOn", "vmx-04", "standby"]}
}"#;

fn model() -> vmomi_codegen::model::Model {
    let mut m = wsdl::load_from_strings(&[
        ("core-types.xsd", CORE),
        ("vim-types.xsd", TYPES),
        ("vim-messagetypes.xsd", MESSAGES),
        ("vim.wsdl", WSDL),
    ])
    .expect("snippet WSDL loads");
    vmodl::merge_str(&mut m, VMODL, "test-vmodl.json").expect("vmodl merges");
    m
}

#[test]
fn kinds_inheritance_and_fields() {
    let m = model();
    assert_eq!(m.complex["Disk"].base.as_deref(), Some("Device"));
    assert_eq!(m.complex["Disk"].kind, Kind::Data);
    assert_eq!(m.complex["InvalidThing"].kind, Kind::Fault);
    assert_eq!(m.complex["RuntimeFault"].kind, Kind::Fault);
    assert_eq!(m.complex["ArrayOfDevice"].kind, Kind::ArrayOf);
    assert_eq!(m.complex["PowerOnRequestType"].kind, Kind::Request);
    let hw = &m.complex["Hardware"];
    let value = hw.fields.iter().find(|f| f.name == "value").unwrap();
    assert_eq!(value.ty, TypeRef::Prim(Prim::AnyType));
    assert!(value.optional && !value.repeated);
    let dev = hw.fields.iter().find(|f| f.name == "device").unwrap();
    assert!(dev.repeated);
    assert_eq!(
        hw.fields.iter().find(|f| f.name == "host").unwrap().ty,
        TypeRef::Mor
    );
    assert!(!m.complex.contains_key("ManagedObjectReference"));
    assert_eq!(
        m.enums["PowerState"].values,
        ["poweredOff", "poweredOn", "vmx-04"]
    );
    let op = &m.operations["PowerOn_Task"];
    assert_eq!(op.request_type, "PowerOnRequestType");
    assert_eq!(op.returnval.as_ref().unwrap().ty, TypeRef::Mor);
    assert_eq!(op.faults, ["InvalidThing"]);
}

#[test]
fn vmodl_merge_keeps_wsdl_methods_and_reports_skips() {
    let m = model();
    let machine = &m.managed["Machine"];
    assert_eq!(machine.methods, ["PowerOn_Task"]);
    let props: Vec<&str> = machine.properties.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(props, ["hardware", "host"]);
    assert_eq!(
        machine.properties[1].ty,
        TypeRef::Mor,
        "a managed-object typed property is a reference"
    );
    assert!(!m.managed.contains_key("Gadget"));
    let skipped: Vec<String> = m
        .skipped
        .iter()
        .map(|s| format!("{}: {}", s.item, s.reason))
        .collect();
    let has = |needle: &str| skipped.iter().any(|s| s.contains(needle));
    assert!(has("method Machine.Teleport_Task"), "{skipped:?}");
    assert!(has("managed object Gadget"), "{skipped:?}");
    assert!(
        has("property Machine.future: its type `FutureInfo`"),
        "{skipped:?}"
    );
    assert!(has("data type FutureInfo"), "{skipped:?}");
    assert!(has("enum value PowerState.standby"), "{skipped:?}");
}

#[test]
fn emitted_code_has_the_expected_shapes() {
    let m = model();
    let files = generate(&m).expect("generates");
    let all: String = files.values().cloned().collect();
    // Embedded base with Deref, and field types by occurrence.
    assert!(all.contains("pub struct Disk {"));
    assert!(all.contains("pub base: Device,"));
    assert!(all.contains("inherits!(Disk => Device);"));
    assert!(all.contains("pub capacity_in_kb: i64,"));
    assert!(all.contains("pub filter: Vec<CompactString>,"));
    assert!(all.contains("pub label: Option<CompactString>,"));
    // A field declared with a type that has subtypes holds the polymorphic enum.
    assert!(all.contains("pub device: Vec<AnyDevice>,"));
    assert!(all.contains("AnyDevice: Device {"));
    assert!(all.contains("Disk [base],"));
    assert!(all.contains("pub value: Option<Any>,"));
    assert!(all.contains("pub when: Option<DateTime>,"));
    assert!(all.contains("pub host: Option<ManagedObjectReference>,"));
    assert!(all.contains("pub r#type: Option<CompactString>,"));
    // Self-containment is broken with a Box.
    assert!(all.contains("pub next: Option<Box<Hardware>>,"));
    // Roots keep unknown content.
    assert!(all.contains("pub extra: Extra,"));
    // Enums keep unknown values and sanitise names.
    assert!(all.contains("PoweredOff = \"poweredOff\","));
    assert!(all.contains("Vmx04 = \"vmx-04\","));
    // Faults get a polymorphic enum too (SOAP fault details).
    assert!(all.contains("AnyMethodFault: MethodFault"));
    assert!(all.contains("InvalidThing [base base],"));
    // Methods and managed-object views.
    assert!(all.contains("pub fn power_on_task<'a>("));
    // With a Task managed object in the model, a task method hands back its
    // view; without one (this model), the bare reference.
    assert!(all.contains("pub fn power_on_task(&self, host: Option<ManagedObjectReference>)"));
    assert!(all.contains("impl crate::ObjectView for "));
    assert!(all.contains("pub const HARDWARE: PropertyPath<Hardware>"));
    assert!(all.contains("ArrayOfDevice(AnyDevice, \"Device\")"));
    assert!(files["bindings/src/generated/summary.txt"].contains("methods:             1"));
    assert!(files.contains_key("methods/src/generated/mo/part_m.rs"));
    // Deterministic.
    assert!(
        files == generate(&model()).unwrap(),
        "generation is not deterministic"
    );
}

#[test]
fn broken_inputs_give_errors_naming_the_item() {
    let bad = TYPES.replace("vim25:PowerState", "vim25:Missing");
    let e = wsdl::load_from_strings(&[
        ("core-types.xsd", CORE),
        ("vim-types.xsd", &bad),
        ("vim-messagetypes.xsd", MESSAGES),
        ("vim.wsdl", WSDL),
    ])
    .unwrap_err();
    assert!(e.contains("Hardware.state") && e.contains("Missing"), "{e}");
    let e = wsdl::load_from_strings(&[("vim.wsdl", "<definitions><types>")]).unwrap_err();
    assert!(e.contains("vim.wsdl"), "{e}");
    let mut m = model();
    let e = vmodl::merge_str(&mut m, "{\"a\": [", "x.json").unwrap_err();
    assert!(e.contains("x.json") && e.contains("line"), "{e}");
}

const VERSIONS: &str = r#"{"releases": [
    {"id": "v.one", "wire": "1.0"}, {"id": "v.two", "wire": "2.0"},
    {"id": "v.twoish", "wire": "2.0u1"}, {"id": "v.three", "wire": "3.0.0.0"}],
  "aliases": {"q.one": {"same_as": "v.two"}}}"#;

const SINCE: &str = r#"{"types": {
  "DynamicData": {"kind": "data", "since": "v.one"},
  "MethodFault": {"kind": "data", "since": "v.one"},
  "RuntimeFault": {"kind": "data", "since": "v.three"},
  "Device": {"kind": "data", "since": "v.one", "props": {"label": "q.one"}},
  "Disk": {"kind": "data", "since": "v.one", "props": {"filter": "v.three", "capacityInKB": "other.v9"}},
  "Hardware": {"kind": "data", "since": "v.two"},
  "InvalidThing": {"kind": "data", "since": "v.one"},
  "PowerState": {"kind": "enum", "since": "v.one"},
  "Machine": {"kind": "managed", "since": "v.one", "props": {"hardware": "v.two"},
    "methods": {"PowerOn_Task": {"since": "v.two", "params": {"host": "v.three"}}}}
}}"#;

/// The model loaded with an "old" set (released as 2.0) that lacks
/// `Disk.filter`, `Hardware.next`, `InvalidThing`, the `vmx-04` value and the
/// `host` parameter.
fn model_with_releases() -> vmomi_codegen::model::Model {
    let mut m = model();
    let old_types = TYPES
        .replace(
            r#"<element name="filter" type="xsd:string" minOccurs="0" maxOccurs="unbounded" />"#,
            "",
        )
        .replace(
            r#"<element name="next" type="vim25:Hardware" minOccurs="0" />"#,
            "",
        )
        .replace(r#"<enumeration value="vmx-04" />"#, "");
    let old_types = old_types
        .split("<complexType name=\"InvalidThing\">")
        .next()
        .unwrap()
        .to_string()
        + "</schema>";
    let old_messages = MESSAGES.replace(
        r#"<element name="host" type="vim25:ManagedObjectReference" minOccurs="0" />"#,
        "",
    );
    let old_wsdl = WSDL
        .replace(
            r#"<element name="InvalidThingFault" type="vim25:InvalidThing"/>"#,
            "",
        )
        .replace(
            r#"<fault name="InvalidThingFault" message="vim25:InvalidThingFaultMsg"/>"#,
            "",
        );
    let old = wsdl::load_from_strings(&[
        ("core-types.xsd", CORE),
        ("vim-types.xsd", &old_types),
        ("vim-messagetypes.xsd", &old_messages),
        ("vim.wsdl", &old_wsdl),
    ])
    .expect("old snippet WSDL loads");
    assert!(!old.complex.contains_key("InvalidThing"));
    m.releases = releases::compute(&m, &old, "2.0", VERSIONS, SINCE).expect("releases");
    m
}

#[test]
fn releases_come_from_since_json_and_the_wsdl_difference() {
    let m = model_with_releases();
    let r = &m.releases;
    let wire = |s: Option<&releases::Since>| s.and_then(|s| s.release).map(|i| r.wire(i));
    let ty = |n: &str| wire(r.types.get(n));
    let field = |t: &str, f: &str| wire(r.fields.get(&(t.to_string(), f.to_string())));
    let value = |e: &str, v: &str| wire(r.enum_values.get(&(e.to_string(), v.to_string())));
    assert_eq!(r.releases, ["1.0", "2.0", "2.0u1", "3.0.0.0"]);
    assert_eq!(ty("Disk"), Some("1.0"));
    assert_eq!(ty("Hardware"), Some("2.0"));
    assert_eq!(ty("Machine"), Some("1.0"), "managed object types too");
    // Derived: boxes from their item, requests from their operation.
    assert_eq!(ty("ArrayOfDevice"), Some("1.0"));
    assert_eq!(ty("ArrayOfString"), Some("1.0"));
    assert_eq!(ty("PowerOnRequestType"), Some("2.0"));
    // Fields: listed (alias ids map to their release), or the type's.
    assert_eq!(field("Device", "label"), Some("2.0"));
    assert_eq!(field("Device", "key"), Some("1.0"));
    assert_eq!(field("Disk", "filter"), Some("3.0.0.0"));
    assert_eq!(field("Hardware", "next"), Some("2.0"));
    assert_eq!(field("Machine", "hardware"), Some("2.0"));
    // An id versions.json does not map falls back to the WSDL rule: present
    // in the old set, so the type's release.
    assert_eq!(field("Disk", "capacityInKB"), Some("1.0"));
    assert!(
        r.notes.iter().any(|n| n.contains("other.*")),
        "{:?}",
        r.notes
    );
    // Parameters: listed, or the operation's; `_this` is the operation's.
    assert_eq!(field("PowerOnRequestType", "host"), Some("3.0.0.0"));
    assert_eq!(field("PowerOnRequestType", "_this"), Some("2.0"));
    assert_eq!(wire(r.operations.get("PowerOn_Task")), Some("2.0"));
    // Enum values: in the old set, the enum's release; absent, the release
    // after the old set's.
    assert_eq!(value("PowerState", "poweredOn"), Some("1.0"));
    assert_eq!(value("PowerState", "vmx-04"), Some("2.0u1"));
    // Disagreements: dated at or before 2.0 but absent from the old set, and
    // dated after it but present.
    let dis: Vec<(&str, &str, bool)> = r
        .disagreements
        .iter()
        .map(|d| (d.kind, d.item.as_str(), d.in_old))
        .collect();
    assert_eq!(
        dis,
        [
            ("field", "Hardware.next", false),
            ("type", "InvalidThing", false),
            ("type", "RuntimeFault", true)
        ]
    );

    let files = generate(&m).expect("generates");
    let rel = |f: &str| files[&format!("bindings/src/generated/releases/{f}")].clone();
    assert!(rel("mod.rs").contains("\"2.0u1\","));
    assert!(rel("types.rs").contains(r#"("Disk", 0, "Device", "#));
    assert!(rel("types.rs").contains(r#"("Machine", 0, "", "#));
    assert!(rel("fields.rs").contains(r#"("filter", "xsd:string", 3),"#));
    assert!(rel("fields.rs").contains(r#"("device", "Device", 1),"#));
    assert!(rel("fields.rs").contains(r#"("host", "ManagedObjectReference", 3),"#));
    assert!(rel("enums.rs").contains(r#"("vmx-04", 2),"#));
    assert!(rel("operations.rs").contains(r#"("PowerOn_Task", 1, "PowerOnRequestType"),"#));
    assert!(files["bindings/src/generated/mod.rs"].contains("pub mod releases;"));
    let summary = &files["bindings/src/generated/summary.txt"];
    assert!(summary.contains("release        types  fields  params  methods  enum values"));
    assert!(
        summary.contains("type InvalidThing (since.json: 1.0)"),
        "{summary}"
    );
    assert!(
        summary.contains("no release from any source: 0 items"),
        "{summary}"
    );
}

#[test]
fn bad_release_inputs_are_errors() {
    let m = model();
    let e = releases::compute(&m, &model(), "4.0", VERSIONS, SINCE).unwrap_err();
    assert!(e.contains("4.0"), "{e}");
    let e = releases::compute(&m, &model(), "2.0", "{", SINCE).unwrap_err();
    assert!(e.contains("versions.json"), "{e}");
    let e = releases::compute(&m, &model(), "2.0", VERSIONS, "[]").unwrap_err();
    assert!(e.contains("since.json"), "{e}");
}

/// vmodl.json of a newer release than the snippet WSDL: a field in the
/// middle of a WSDL type, a field the WSDL has optional and the model
/// required, a new data type used as an array (its box made), a new fault,
/// a new enum value, a type of another service, and a field typed by one.
const VMODL_NEWER: &str = r#"{
  "Device": {"kind": "data", "wsdl_base": "DynamicData", "props": [
    {"name": "key", "is-optional": false, "is-array": false, "wsdl_type": "xsd:int"},
    {"name": "slot", "is-optional": true, "is-array": false, "wsdl_type": "SlotInfo"},
    {"name": "label", "is-optional": false, "is-array": false, "wsdl_type": "xsd:string"},
    {"name": "slots", "is-optional": true, "is-array": true, "wsdl_type": "SlotInfo"},
    {"name": "health", "is-optional": true, "is-array": false, "wsdl_type": "VsanHealth"},
    {"name": "error", "is-optional": true, "is-array": false, "wsdl_type": "MethodFault"}
  ]},
  "SlotInfo": {"kind": "data", "wsdl_base": "DynamicData", "props": [
    {"name": "bus", "is-optional": false, "is-array": false, "wsdl_type": "xsd:int"}
  ]},
  "SlotFault": {"kind": "data", "wsdl_base": "RuntimeFault", "props": []},
  "VsanHealth": {"kind": "data", "wsdl_base": "DynamicData", "props": [
    {"name": "detail", "is-optional": true, "is-array": true, "wsdl_type": "VsanHealthDetail"}
  ]},
  "VsanHealthDetail": {"kind": "data", "wsdl_base": "DynamicData", "props": []},
  "CnsVolume": {"kind": "data", "wsdl_base": "DynamicData", "props": []},
  "SlotManager": {"kind": "managed", "props": [], "methods": {
    "Rescan_Task": {"params": [], "result": {"is-array": true, "is-optional": true,
      "is-task": true, "version-id-ref": "vim.version.version11", "wsdl_type": null}}
  }},
  "PowerState": {"kind": "enum", "values": ["poweredOff", "poweredOn", "vmx-04", "standby"]},
  "SlotKind": {"kind": "enum", "values": ["pci", "usb"]}
}"#;

#[test]
fn newer_types_fields_and_values_come_from_the_model_in_wire_order() {
    let mut m = wsdl::load_from_strings(&[
        ("core-types.xsd", CORE),
        ("vim-types.xsd", TYPES),
        ("vim-messagetypes.xsd", MESSAGES),
        ("vim.wsdl", WSDL),
    ])
    .unwrap();
    let vim25: std::collections::BTreeSet<String> = [
        "Device",
        "SlotInfo",
        "SlotFault",
        "PowerState",
        "SlotKind",
        "SlotManager",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    vmodl::merge_str_with(&mut m, VMODL_NEWER, "newer.json", Some(&vim25)).unwrap();
    let names: Vec<&str> = m.complex["Device"]
        .fields
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    // The model's order, the WSDL's fields kept as the WSDL has them.
    assert_eq!(names, ["key", "slot", "label", "slots", "health", "error"]);
    let label = &m.complex["Device"].fields[2];
    assert!(label.optional, "the WSDL's optional wins");
    assert_eq!(
        m.complex["Device"].fields[5].ty,
        TypeRef::Named("LocalizedMethodFault".into())
    );
    assert_eq!(m.complex["SlotInfo"].kind, Kind::Data);
    assert_eq!(m.complex["SlotFault"].kind, Kind::Fault);
    assert_eq!(m.complex["ArrayOfSlotInfo"].kind, Kind::ArrayOf);
    assert_eq!(
        m.enums["PowerState"].values.last().map(String::as_str),
        Some("standby")
    );
    assert_eq!(m.enums["SlotKind"].values, ["pci", "usb"]);
    // A vSAN type a vim25 field holds comes in, with what it holds in turn;
    // a type of another service that nothing of vim25 holds stays out.
    assert_eq!(
        m.complex["Device"].fields[4].ty,
        TypeRef::Named("VsanHealth".into())
    );
    assert_eq!(m.complex["VsanHealthDetail"].kind, Kind::Data);
    assert!(m.complex.contains_key("ArrayOfVsanHealthDetail"));
    assert_eq!(
        m.vsan.iter().map(String::as_str).collect::<Vec<_>>(),
        ["VsanHealth", "VsanHealthDetail"]
    );
    assert!(!m.complex.contains_key("CnsVolume"), "another service");
    assert!(
        m.skipped.iter().any(|s| s.item == "data type CnsVolume"),
        "{:?}",
        m.skipped
    );
    assert!(
        !m.skipped.iter().any(|s| s.item.starts_with("field ")),
        "{:?}",
        m.skipped
    );
    // A task method returns one task, whatever its task's result holds.
    let rescan = &m.operations["Rescan_Task"];
    let ret = rescan.returnval.as_ref().unwrap();
    assert_eq!((&ret.ty, ret.repeated), (&TypeRef::Mor, false));
    assert_eq!(m.method_versions["Rescan_Task"], "vim.version.version11");
    assert!(
        m.disagreements
            .iter()
            .any(|d| d.item == "field Device.label" && d.reason.contains("optional")),
        "{:?}",
        m.disagreements
    );
    assert_eq!(
        m.added
            .iter()
            .filter(|a| a.item.starts_with("field Device."))
            .count(),
        4
    );
    // And the whole thing generates.
    let files = generate(&m).unwrap();
    assert!(files.values().any(|t| t.contains("pub struct SlotInfo")));
}
