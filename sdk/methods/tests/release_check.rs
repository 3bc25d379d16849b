//! The local request check of `vmomi_bindings::rt::release` on requests built
//! from the generated request types and encoded as the client sends them.

use vmomi_bindings::rt::release::{
    ItemKind, check_request, enum_value_since, field_since, method_since, type_since,
};
use vmomi_bindings::xml::request_envelope;
use vmomi_methods::types::*;

fn vm() -> ManagedObjectReference {
    ManagedObjectReference::new("VirtualMachine", "vm-42")
}

fn reconfig(spec: VirtualMachineConfigSpec) -> Vec<u8> {
    request_envelope(
        "ReconfigVM_Task",
        &ReconfigVMRequestType {
            this: vm(),
            spec,
            ..Default::default()
        },
    )
}

/// A spec with fields every release has.
fn old_spec() -> VirtualMachineConfigSpec {
    VirtualMachineConfigSpec {
        name: Some("build-01".into()),
        num_cp_us: Some(2),
        memory_mb: Some(2048),
        annotation: Some("a & b".into()),
        ..Default::default()
    }
}

#[test]
fn a_field_introduced_in_7_0_needs_7_0() {
    assert_eq!(
        field_since("VirtualMachineConfigSpec", "sgxInfo"),
        Some("7.0.0.0")
    );
    let mut spec = old_spec();
    spec.sgx_info = Some(VirtualMachineSgxInfo {
        epc_size: 64,
        ..Default::default()
    });
    let req = reconfig(spec);
    for release in ["5.5", "6.5", "6.7.3"] {
        let e = check_request(&req, release).unwrap_err();
        assert_eq!(e.kind, ItemKind::Field);
        assert_eq!(e.item, "VirtualMachineConfigSpec.sgxInfo");
        assert_eq!(e.path, "ReconfigVM_Task/spec/sgxInfo");
        assert_eq!(e.since, "7.0.0.0");
        assert_eq!(e.release, release);
        assert_eq!(
            e.to_string(),
            format!(
                "field VirtualMachineConfigSpec.sgxInfo (at ReconfigVM_Task/spec/sgxInfo) needs release 7.0.0.0; the server speaks {release}"
            )
        );
    }
    for release in [
        "7.0",
        "7.0.0.0",
        "7.0.3.0",
        "8.0.3.0",
        "9.5.0.0",
        "uA046D008",
    ] {
        assert_eq!(check_request(&req, release), Ok(()), "{release}");
    }
    // The same spec without the field passes at 5.5 (unset optional fields
    // are not sent), and at the oldest release.
    let req = reconfig(old_spec());
    assert_eq!(check_request(&req, "5.5"), Ok(()));
    assert_eq!(check_request(&req, "2.0"), Ok(()));
    let e = check_request(&req, "1.0").unwrap_err();
    assert_eq!(e.kind, ItemKind::Operation, "{e}");
}

#[test]
fn an_operation_newer_than_5_5() {
    assert_eq!(method_since("InstantClone_Task"), Some("6.7"));
    let req = request_envelope(
        "InstantClone_Task",
        &InstantCloneRequestType {
            this: vm(),
            spec: VirtualMachineInstantCloneSpec {
                name: "clone".into(),
                ..Default::default()
            },
            ..Default::default()
        },
    );
    let e = check_request(&req, "5.5").unwrap_err();
    assert_eq!(
        e.to_string(),
        "operation InstantClone_Task (at InstantClone_Task) needs release 6.7; the server speaks 5.5"
    );
    assert_eq!(e.kind, ItemKind::Operation);
    assert_eq!(check_request(&req, "6.7"), Ok(()));
    assert_eq!(check_request(&req, "uA046D008"), Ok(()));
}

fn add_device(device: impl Into<AnyVirtualDevice>) -> AnyVirtualDeviceConfigSpec {
    VirtualDeviceConfigSpec {
        operation: Some(VirtualDeviceConfigSpecOperation::Add),
        device: device.into(),
        ..Default::default()
    }
    .into()
}

#[test]
fn a_device_subtype_newer_than_5_5_in_device_change() {
    assert_eq!(type_since("VirtualNVMEController"), Some("6.5"));
    let disk = VirtualDisk {
        base: VirtualDevice {
            key: -100,
            ..Default::default()
        },
        capacity_in_kb: 1 << 20,
        ..Default::default()
    };
    let nvme = VirtualNVMEController {
        base: VirtualController {
            base: VirtualDevice {
                key: -101,
                ..Default::default()
            },
            bus_number: 0,
            ..Default::default()
        },
        ..Default::default()
    };
    let mut spec = old_spec();
    spec.device_change = vec![add_device(disk.clone()), add_device(nvme)];
    let req = reconfig(spec);
    let text = String::from_utf8_lossy(&req);
    assert!(
        text.contains(r#"xsi:type="VirtualNVMEController""#),
        "{text}"
    );
    let e = check_request(&req, "5.5").unwrap_err();
    assert_eq!(e.kind, ItemKind::Type);
    assert_eq!(e.item, "VirtualNVMEController");
    assert_eq!(e.path, "ReconfigVM_Task/spec/deviceChange/device");
    assert_eq!(e.since, "6.5");
    assert_eq!(
        e.to_string(),
        "type VirtualNVMEController (at ReconfigVM_Task/spec/deviceChange/device) needs release 6.5; the server speaks 5.5"
    );
    assert_eq!(check_request(&req, "6.5"), Ok(()));

    // A disk alone passes at 5.5: its xsi:type, its fields and the
    // inherited VirtualDevice fields are all older.
    let mut spec = old_spec();
    spec.device_change = vec![add_device(disk)];
    assert_eq!(check_request(&reconfig(spec), "5.5"), Ok(()));
}

#[test]
fn an_enum_value_newer_than_5_5() {
    // vim25 types most enum-valued fields as xsd:string; enum values are
    // checked where the declared type is an enum, and in anyType content,
    // which carries the enum type as xsi:type.
    assert_eq!(
        enum_value_since("VirtualMachineGuestOsIdentifier", "windows9Guest"),
        Some("6.0")
    );
    assert_eq!(
        enum_value_since("VirtualMachineGuestOsIdentifier", "windows8Guest"),
        Some("2.0"),
        "in the 5.5 WSDL: the enum's own release (a lower bound)"
    );
    let update = |guest: VirtualMachineGuestOsIdentifier| {
        request_envelope(
            "UpdateOptions",
            &UpdateOptionsRequestType {
                this: ManagedObjectReference::new("OptionManager", "VpxSettings"),
                changed_value: vec![
                    OptionValue {
                        key: "guest".into(),
                        value: Some(Any::Enum(AnyEnum::VirtualMachineGuestOsIdentifier(guest))),
                        ..Default::default()
                    }
                    .into(),
                ],
                ..Default::default()
            },
        )
    };
    let req = update(VirtualMachineGuestOsIdentifier::Windows9Guest);
    let e = check_request(&req, "5.5").unwrap_err();
    assert_eq!(e.kind, ItemKind::EnumValue);
    assert_eq!(e.item, "VirtualMachineGuestOsIdentifier.windows9Guest");
    assert_eq!(e.path, "UpdateOptions/changedValue/value");
    assert_eq!(
        e.to_string(),
        "enum value VirtualMachineGuestOsIdentifier.windows9Guest (at UpdateOptions/changedValue/value) needs release 6.0; the server speaks 5.5"
    );
    assert_eq!(check_request(&req, "6.0"), Ok(()));
    let req = update(VirtualMachineGuestOsIdentifier::Windows8Guest);
    assert_eq!(check_request(&req, "5.5"), Ok(()));

    // A strongly typed enum parameter: a value the enum does not know passes
    // (it is newer than these bindings: nothing to prove).
    let req = request_envelope(
        "MigrateVM_Task",
        &MigrateVMRequestType {
            this: vm(),
            priority: VirtualMachineMovePriority::HighPriority,
            state: Some(VirtualMachinePowerState::Unrecognized("hibernating".into())),
            ..Default::default()
        },
    );
    assert_eq!(check_request(&req, "2.0"), Ok(()));
}

#[test]
fn unknown_releases() {
    let mut spec = old_spec();
    spec.sgx_info = Some(VirtualMachineSgxInfo::default());
    let req = reconfig(spec);
    // An internal build code is newer than everything; a numeric release
    // between two known ones sits between them.
    assert_eq!(check_request(&req, "uA046D008"), Ok(()));
    assert_eq!(check_request(&req, "7.0.0.1"), Ok(()));
    assert!(check_request(&req, "6.9.9").is_err());
}
