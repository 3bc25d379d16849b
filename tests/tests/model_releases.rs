//! The bindings past the 7.0 WSDL, from the model: a response written as a
//! 9.0 vCenter writes it (8.0 and 9.0 fields and types, an 8.0 type behind
//! `xsi:type`, an enum value newer than 7.0) decodes into typed fields with
//! nothing unknown, and the release check refuses a 9.0 field at 8.0.3 with
//! nothing sent and lets it through at 9.0.

use vmomi::mo::VirtualMachine;
use vmomi::property::Objects;
use vmomi_bindings::rt::release::{Release, check_request_at};
use vmomi_bindings::types::*;
use vmomi_bindings::xml::{EncodeFields, SoapResponse, decode_with};
use vmomi_methods::types::ReconfigVMRequestType;

/// A RetrievePropertiesEx answer of a 9.0 vCenter, as it writes it: the
/// fields of each type in the model's order, which is the wire order
/// (`guestDetailedData`, 8.0.2.0, right after `guestFullName`).
const RESPONSE_9_0: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Body>
<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="VirtualMachine">vm-42</obj>
<propSet><name>config.numaInfo</name><val xsi:type="VirtualMachineVirtualNumaInfo"><coresPerNumaNode>4</coresPerNumaNode><autoCoresPerNumaNode>false</autoCoresPerNumaNode><vnumaOnCpuHotaddExposed>true</vnumaOnCpuHotaddExposed></val></propSet>
<propSet><name>config.sevSnpEnabled</name><val xsi:type="xsd:boolean">true</val></propSet>
<propSet><name>guest</name><val xsi:type="GuestInfo"><toolsStatus>toolsOk</toolsStatus><toolsRunningStatus>guestToolsRunning</toolsRunningStatus><guestId>ubuntu64Guest</guestId><guestFamily>linuxGuest</guestFamily><guestFullName>Ubuntu Linux (64-bit)</guestFullName><guestDetailedData>architecture='X86' bitness='64' distroName='Ubuntu' distroVersion='24.04' familyName='Linux' kernelVersion='6.8.0-45-generic' prettyName='Ubuntu 24.04.1 LTS'</guestDetailedData><hostName>build-01</hostName><ipAddress>10.0.0.5</ipAddress><guestState>running</guestState></val></propSet>
<propSet><name>config.hardware.device</name><val xsi:type="ArrayOfVirtualDevice"><VirtualDevice xsi:type="VirtualPCIPassthrough"><key>13000</key><deviceInfo><label>PCI device 0</label><summary>DVX</summary></deviceInfo><backing xsi:type="VirtualPCIPassthroughDvxBackingInfo"><deviceClass>com.example.dvx</deviceClass></backing></VirtualDevice></val></propSet>
<propSet><name>config.guestId</name><val xsi:type="xsd:string">ubuntu64Guest</val></propSet>
<propSet><name>runtime.powerState</name><val xsi:type="VirtualMachinePowerState">poweredOn</val></propSet>
</objects></returnval></RetrievePropertiesExResponse>
</soapenv:Body>
</soapenv:Envelope>"#;

#[test]
fn a_9_0_response_decodes_into_typed_fields() {
    let (r, stats) =
        decode_with::<RetrieveResult, AnyMethodFault>(RESPONSE_9_0.as_bytes(), SoapResponse::one)
            .unwrap_or_else(|e| panic!("{e}"));
    assert!(stats.is_empty(), "nothing unknown: {stats:?}");
    let mut oc = r.expect("no fault").objects.remove(0);

    let numa = oc
        .take(VirtualMachine::CONFIG.numa_info())
        .unwrap()
        .expect("numaInfo (8.0.0.1)");
    assert_eq!(numa.cores_per_numa_node, Some(4));
    assert_eq!(numa.vnuma_on_cpu_hotadd_exposed, Some(true));
    assert_eq!(
        oc.take(VirtualMachine::CONFIG.sev_snp_enabled()).unwrap(),
        Some(true),
        "sevSnpEnabled (9.0)"
    );
    let guest = oc.take(VirtualMachine::GUEST).unwrap().expect("guest");
    assert_eq!(
        guest.guest_detailed_data.as_deref(),
        Some(
            "architecture='X86' bitness='64' distroName='Ubuntu' distroVersion='24.04' familyName='Linux' kernelVersion='6.8.0-45-generic' prettyName='Ubuntu 24.04.1 LTS'"
        ),
        "guestDetailedData (8.0.2.0)"
    );
    assert_eq!(guest.host_name.as_deref(), Some("build-01"));
    assert!(guest.extra().is_empty());

    let devices = oc
        .take(VirtualMachine::CONFIG.hardware().device())
        .unwrap()
        .expect("devices");
    let AnyVirtualDevice::VirtualPCIPassthrough(pci) = &devices[0] else {
        panic!("{:?}", devices[0].type_name());
    };
    match &pci.base.backing {
        Some(AnyVirtualDeviceBackingInfo::VirtualPCIPassthroughDvxBackingInfo(b)) => {
            assert_eq!(b.device_class.as_deref(), Some("com.example.dvx"));
        }
        other => panic!("the 8.0.0.1 backing decodes as its own type: {other:?}"),
    }
}

#[test]
fn an_enum_value_newer_than_7_0_is_a_variant() {
    // windows2022srvNext_64Guest is newer than the 7.0 WSDL.
    let v = VirtualMachineGuestOsIdentifier::from_wire("windows2022srvNext_64Guest");
    assert_eq!(
        v,
        VirtualMachineGuestOsIdentifier::Windows2022srvNext64Guest
    );
    assert_eq!(v.as_str(), "windows2022srvNext_64Guest");
}

#[test]
fn a_9_0_field_is_refused_at_8_0_3_and_sent_at_9_0() {
    let spec = VirtualMachineConfigSpec {
        tdx_enabled: Some(true),
        ..Default::default()
    };
    let req = vmomi_bindings::xml::soap::request_envelope(
        "ReconfigVM_Task",
        &ReconfigVMRequestType {
            this: ManagedObjectReference::new("VirtualMachine", "vm-1"),
            spec,
            ..Default::default()
        },
    );
    let at = |r: &str| check_request_at(&req, &r.parse::<Release>().unwrap());
    let err = at("8.0.3.0").unwrap_err();
    assert_eq!(err.item, "VirtualMachineConfigSpec.tdxEnabled");
    assert_eq!(err.since, "9.0.0.0");
    assert_eq!(err.path, "ReconfigVM_Task/spec/tdxEnabled");
    assert!(at("9.0.0.0").is_ok());
    // And an 8.0.0.1 field at 8.0.0.0.
    let numa = VirtualMachineConfigSpec {
        virtual_numa: Some(VirtualMachineVirtualNuma {
            cores_per_numa_node: Some(4),
            ..Default::default()
        }),
        ..Default::default()
    };
    let req = vmomi_bindings::xml::soap::request_envelope(
        "ReconfigVM_Task",
        &ReconfigVMRequestType {
            this: ManagedObjectReference::new("VirtualMachine", "vm-1"),
            spec: numa,
            ..Default::default()
        },
    );
    let at = |r: &str| check_request_at(&req, &r.parse::<Release>().unwrap());
    assert_eq!(at("8.0.0.0").unwrap_err().since, "8.0.0.1");
    assert!(at("8.0.0.1").is_ok());
}

#[test]
fn a_9_0_method_from_the_model_is_refused_at_8_0_3_and_sent_at_9_0() {
    use vmomi_methods::types::DirectPathProfileManagerCreateRequestType;
    let req = vmomi_bindings::xml::soap::request_envelope(
        "DirectPathProfileManagerCreate",
        &DirectPathProfileManagerCreateRequestType {
            this: ManagedObjectReference::new(
                "DirectPathProfileManager",
                "DirectPathProfileManager",
            ),
            ..Default::default()
        },
    );
    let at = |r: &str| check_request_at(&req, &r.parse::<Release>().unwrap());
    let err = at("8.0.3.0").unwrap_err();
    assert_eq!(err.item, "DirectPathProfileManagerCreate");
    assert_eq!(err.since, "9.0.0.0");
    assert!(at("9.0.0.0").is_ok());
}

/// A vim25 field that holds a vSAN type (`VsanConfigInfoEx.dataEncryptionConfig`
/// is a `VsanDataEncryptionConfig`, which since.json does not list): typed,
/// with the vSAN type's own fields, nothing kept as unknown XML, and written
/// back the same.
#[test]
fn a_vim25_field_holding_a_vsan_type_is_typed() {
    let doc = r#"<val xmlns="urn:vim25" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="VsanConfigInfoEx"><enabled>true</enabled><dataEncryptionConfig><encryptionEnabled>true</encryptionEnabled><kmsProviderId><id>kms-1</id></kmsProviderId><eraseDisksBeforeUse>false</eraseDisksBeforeUse></dataEncryptionConfig><mode>Compute</mode></val>"#;
    let mut r = vmomi_bindings::xml::XmlReader::new(doc.as_bytes());
    let root = r.root().unwrap();
    let info: VsanConfigInfoEx = r.value(&root).unwrap_or_else(|e| panic!("{e}"));
    assert!(r.stats().is_empty(), "nothing unknown: {:?}", r.stats());
    assert_eq!(info.base.enabled, Some(true));
    let enc = info
        .data_encryption_config
        .as_ref()
        .expect("dataEncryptionConfig");
    assert!(enc.encryption_enabled);
    assert_eq!(
        enc.kms_provider_id.as_ref().map(|k| k.id.as_str()),
        Some("kms-1")
    );
    assert_eq!(enc.erase_disks_before_use, Some(false));
    assert_eq!(info.mode.as_deref(), Some("Compute"));
    assert!(info.extra().is_empty());

    let mut w = vmomi_bindings::xml::XmlWriter::new();
    vmomi_bindings::xml::encode_struct(&mut w, "val", &info, Some("VsanConfigInfoEx"));
    let written = String::from_utf8(w.into_bytes()).unwrap();
    assert!(
        written.contains("<dataEncryptionConfig><encryptionEnabled>true</encryptionEnabled><kmsProviderId><id>kms-1</id></kmsProviderId><eraseDisksBeforeUse>false</eraseDisksBeforeUse></dataEncryptionConfig><mode>Compute</mode>"),
        "{written}"
    );
}
