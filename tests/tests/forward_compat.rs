//! Content from a newer server (an unknown element, an unknown `xsi:type` for a
//! declared base type, an unknown anyType type, an unknown enum value) decodes
//! without failure, is reported by name, and survives a re-encode.

use vmomi::decode_response;
use vmomi_bindings::types::*;
use vmomi_bindings::xml::{EncodeFields, SoapResponse, XmlValue, XmlWriter, decode_with};

const RESPONSE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Body><RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="VirtualMachine">vm-1</obj>
<propSet><name>config.hardware.device</name><val xsi:type="ArrayOfVirtualDevice">
<VirtualDevice xsi:type="VirtualQuantumDevice"><key>9000</key><deviceInfo><label>QPU 0</label><summary>64 qubits</summary></deviceInfo><qubits>64</qubits></VirtualDevice>
<VirtualDevice xsi:type="VirtualDisk"><key>2000</key><capacityInKB>1024</capacityInKB><futureField>on</futureField></VirtualDevice>
</val></propSet>
<propSet><name>runtime.powerState</name><val xsi:type="VirtualMachinePowerState">hibernating</val></propSet>
<propSet><name>quantum</name><val xsi:type="QuantumInfo"><coherence>12</coherence></val></propSet>
</objects></returnval></RetrievePropertiesExResponse></soapenv:Body></soapenv:Envelope>"#;

#[test]
fn unknown_element_and_types_are_reported_not_fatal() {
    let (res, stats) = decode_with::<Option<RetrieveResult>, AnyMethodFault>(
        RESPONSE.as_bytes(),
        SoapResponse::opt,
    )
    .expect("decodes despite unknown content");
    let res = res.expect("no fault").expect("a result");
    let props = &res.objects[0].prop_set;

    // Unknown subtype of VirtualDevice: decoded as the declared type, name kept.
    let Any::Array(AnyArray::ArrayOfVirtualDevice(devices)) = &props[0].val else {
        panic!("devices: {:?}", props[0].val)
    };
    let AnyVirtualDevice::VirtualDevice(q) = &devices[0] else {
        panic!("{:?}", devices[0])
    };
    assert_eq!(q.key, 9000);
    assert_eq!(q.extra().unknown_type(), Some("VirtualQuantumDevice"));
    assert_eq!(q.extra().elements()[0].name, "qubits");
    assert_eq!(q.extra().elements()[0].xml, "<qubits>64</qubits>");
    // The base fields still decode through the declared type.
    assert_eq!(
        q.device_info.as_ref().map(|d| d.label.as_str()),
        Some("QPU 0")
    );

    // Unknown element inside a known type.
    let AnyVirtualDevice::VirtualDisk(d) = &devices[1] else {
        panic!("{:?}", devices[1])
    };
    assert_eq!(d.capacity_in_kb, 1024);
    assert_eq!(d.extra().elements()[0].name, "futureField");

    // Unknown enum value and unknown anyType type.
    assert_eq!(
        props[1].val,
        Any::Enum(AnyEnum::VirtualMachinePowerState(
            VirtualMachinePowerState::Unrecognized("hibernating".into())
        ))
    );
    let Any::Unknown(u) = &props[2].val else {
        panic!("{:?}", props[2].val)
    };
    assert_eq!(u.type_name, "QuantumInfo");
    assert!(u.xml.contains("<coherence>12</coherence>"));

    // Reported by name and count.
    assert_eq!(stats.elements.get("qubits"), Some(&1));
    assert_eq!(stats.elements.get("futureField"), Some(&1));
    assert_eq!(stats.types.get("VirtualQuantumDevice"), Some(&1));
    assert_eq!(stats.types.get("QuantumInfo"), Some(&1));
    assert_eq!(
        stats
            .enum_values
            .get("VirtualMachinePowerState.hibernating"),
        Some(&1)
    );

    // And through the by-operation API.
    let d = decode_response("RetrievePropertiesEx", RESPONSE.as_bytes()).unwrap();
    assert_eq!(d.unknown, stats);

    // Unknown content survives a round trip.
    let mut w = XmlWriter::new();
    devices[1].encode(&mut w, "device", None);
    let xml = String::from_utf8(w.into_bytes()).unwrap();
    assert!(xml.contains("<futureField>on</futureField>"), "{xml}");
}
