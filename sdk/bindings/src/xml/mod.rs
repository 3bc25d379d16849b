//! The hand-written XML runtime the generated bindings are built on.
//!
//! Streaming and DOM-free: [`XmlReader`] pulls events from an in-memory
//! document (borrowing text from it), generated types implement
//! [`DecodeFields`]/[`EncodeFields`] and get [`XmlValue`] through
//! [`decode_struct`]/[`encode_struct`]; [`XmlWriter`] writes requests and
//! the `soap` functions wrap them in envelopes and unwrap responses.
//! The contract with the code generator is `docs/design-bindings.md`.

mod error;
mod extra;
mod lexer;
mod mor;
mod reader;
pub mod soap;
mod value;
mod writer;

pub use error::{DecodeError, DecodeErrorKind};
pub use extra::{Extra, ExtraContent, UnknownElement};
#[doc(hidden)]
pub use lexer::compare_with_quick_xml;
pub use mor::ManagedObjectReference;
pub use quick_xml::events::BytesStart;
pub use reader::{MAX_DEPTH, UnknownStats, XSI_NAMESPACE, XmlReader};
pub use soap::{
    PBM_NAMESPACE, SoapBody, SoapFault, SoapResponse, VIM25_NAMESPACE, decode_body, decode_body_in,
    decode_one, decode_opt, decode_unit, decode_vec, decode_with, decode_with_in, request_envelope,
    request_envelope_in,
};
pub use value::{DateTime, format_datetime, parse_datetime};
pub use writer::XmlWriter;

/// A named XML Schema type.
pub trait XmlType {
    /// The WSDL name, as it appears in `xsi:type` (e.g. `VirtualDisk`).
    const TYPE_NAME: &'static str;
}

/// Decoding of a complex type's child elements, one at a time.
///
/// Object safe: [`decode_struct`]'s loop works on `&mut dyn DecodeFields` so
/// that it is compiled once rather than once per generated type.
pub trait DecodeFields {
    /// Decodes one child element of this struct. Unknown names are passed to
    /// the base (`self.base.decode_field`); the root type hands them to
    /// [`XmlReader::unknown_element`] with its `extra`.
    ///
    /// `name` is the child's local name, computed once by the caller so that
    /// each level of the base chain does not compute it again.
    fn decode_field<'a>(
        &mut self,
        name: &str,
        r: &mut XmlReader<'a>,
        start: &BytesStart<'a>,
    ) -> Result<(), DecodeError>;

    /// The root type's [`Extra`].
    fn extra_mut(&mut self) -> &mut Extra;
}

/// Encoding of a complex type's child elements.
pub trait EncodeFields {
    /// Writes the base's fields first (XSD sequence order), then its own.
    fn encode_fields(&self, w: &mut XmlWriter);

    /// The root type's [`Extra`].
    fn extra(&self) -> &Extra;
}

/// A value that is an XML element's content.
pub trait XmlValue: Sized {
    /// Decodes the element `start` (just read), consuming it through its end tag.
    fn decode<'a>(r: &mut XmlReader<'a>, start: &BytesStart<'a>) -> Result<Self, DecodeError>;

    /// Writes the value as element `name`; `xsi_type: Some` forces the
    /// `xsi:type` attribute (used for `anyType` content and subtypes).
    fn encode(&self, w: &mut XmlWriter, name: &str, xsi_type: Option<&str>);
}

/// Decodes a complex type: `T::default()`, then each child element through
/// [`DecodeFields::decode_field`]. An `xsi:type` other than `T::TYPE_NAME`
/// is recorded in the value's [`Extra`] and counted as unknown.
#[inline]
pub fn decode_struct<'a, T: DecodeFields + Default + XmlType>(
    r: &mut XmlReader<'a>,
    start: &BytesStart<'a>,
) -> Result<T, DecodeError> {
    let mut value = T::default();
    decode_struct_fields(r, start, T::TYPE_NAME, &mut value)?;
    Ok(value)
}

/// Like [`decode_struct`], decoding straight into a box: polymorphic values
/// are boxed, and building them in place saves moving large structs twice.
#[inline]
pub fn decode_boxed<'a, T: DecodeFields + Default + XmlType>(
    r: &mut XmlReader<'a>,
    start: &BytesStart<'a>,
) -> Result<Box<T>, DecodeError> {
    let mut value = Box::<T>::default();
    decode_struct_fields(r, start, T::TYPE_NAME, &mut *value)?;
    Ok(value)
}

/// The local part of an element name (after any `prefix:`). Names are
/// short, so a byte loop beats `str::find`.
#[inline]
pub fn local_name<'s>(start: &'s BytesStart<'_>) -> &'s str {
    let name = start.name().0;
    match name.bytes().position(|b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// The non-generic body of [`decode_struct`]: decodes `start`'s children
/// into an existing `value` whose type is named `type_name`.
pub fn decode_struct_fields<'a>(
    r: &mut XmlReader<'a>,
    start: &BytesStart<'a>,
    type_name: &str,
    value: &mut dyn DecodeFields,
) -> Result<(), DecodeError> {
    match r.xsi_type(start)? {
        Some(t) if t != type_name => {
            r.unknown_type(t);
            value.extra_mut().set_unknown_type(t.to_owned());
        }
        _ => {}
    }
    while let Some(child) = r.next_child()? {
        let name = local_name(&child);
        if let Err(e) = value.decode_field(name, r, &child) {
            return Err(e.within(name));
        }
    }
    Ok(())
}

/// Encodes a complex type: start tag (with `xsi:type` if given), fields, the
/// unknown elements kept in its [`Extra`] (verbatim), end tag.
pub fn encode_struct<T: EncodeFields + ?Sized>(
    w: &mut XmlWriter,
    name: &str,
    value: &T,
    xsi_type: Option<&str>,
) {
    w.start(name, xsi_type);
    value.encode_fields(w);
    for e in value.extra().elements() {
        w.raw(&e.xml);
    }
    w.end(name);
}

/// Decodes a whole document whose root element is a `T` (errors carry the
/// root's name in their path).
pub fn decode_document<T: XmlValue>(bytes: &[u8]) -> Result<T, DecodeError> {
    let mut r = XmlReader::new(bytes);
    let root = r.root()?;
    r.value(&root)
        .map_err(|e| e.within(root.local_name().as_ref()))
}

/// Hand-written types shaped exactly like the generated ones
/// (`docs/design-bindings.md`), for the runtime's tests.
#[cfg(test)]
pub(crate) mod examples {
    use super::*;
    use std::ops::{Deref, DerefMut};

    /// Root type: optional, repeated and MOR fields, plus `extra`.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct Device {
        pub key: i32,
        pub label: Option<String>,
        pub connected: Vec<i32>,
        pub owner: Option<ManagedObjectReference>,
        pub extra: Extra,
    }

    impl XmlType for Device {
        const TYPE_NAME: &'static str = "Device";
    }

    impl DecodeFields for Device {
        fn decode_field<'a>(
            &mut self,
            name: &str,
            r: &mut XmlReader<'a>,
            s: &BytesStart<'a>,
        ) -> Result<(), DecodeError> {
            match name {
                "key" => self.key = r.value(s)?,
                "label" => self.label = Some(r.value(s)?),
                "connected" => self.connected.push(r.value(s)?),
                "owner" => self.owner = Some(r.value(s)?),
                _ => return r.unknown_element(s, &mut self.extra),
            }
            Ok(())
        }
        fn extra_mut(&mut self) -> &mut Extra {
            &mut self.extra
        }
    }

    impl EncodeFields for Device {
        fn encode_fields(&self, w: &mut XmlWriter) {
            w.field("key", &self.key);
            w.opt_field("label", &self.label);
            w.vec_field("connected", &self.connected);
            w.opt_field("owner", &self.owner);
        }
        fn extra(&self) -> &Extra {
            &self.extra
        }
    }

    impl XmlValue for Device {
        fn decode<'a>(r: &mut XmlReader<'a>, s: &BytesStart<'a>) -> Result<Self, DecodeError> {
            decode_struct(r, s)
        }
        fn encode(&self, w: &mut XmlWriter, name: &str, xsi_type: Option<&str>) {
            encode_struct(w, name, self, xsi_type)
        }
    }

    /// Subtype embedding its base.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct Disk {
        pub base: Device,
        pub capacity_in_kb: i64,
        pub datastore: ManagedObjectReference,
        pub created: Option<DateTime>,
        pub digest: Option<Vec<u8>>,
        pub ratio: Option<f64>,
        pub tags: Vec<String>,
    }

    impl Deref for Disk {
        type Target = Device;
        fn deref(&self) -> &Device {
            &self.base
        }
    }
    impl DerefMut for Disk {
        fn deref_mut(&mut self) -> &mut Device {
            &mut self.base
        }
    }

    impl XmlType for Disk {
        const TYPE_NAME: &'static str = "Disk";
    }

    impl DecodeFields for Disk {
        fn decode_field<'a>(
            &mut self,
            name: &str,
            r: &mut XmlReader<'a>,
            s: &BytesStart<'a>,
        ) -> Result<(), DecodeError> {
            match name {
                "capacityInKB" => self.capacity_in_kb = r.value(s)?,
                "datastore" => self.datastore = r.value(s)?,
                "created" => self.created = Some(r.value(s)?),
                "digest" => self.digest = Some(r.value(s)?),
                "ratio" => self.ratio = Some(r.value(s)?),
                "tags" => self.tags.push(r.value(s)?),
                _ => return self.base.decode_field(name, r, s),
            }
            Ok(())
        }
        fn extra_mut(&mut self) -> &mut Extra {
            self.base.extra_mut()
        }
    }

    impl EncodeFields for Disk {
        fn encode_fields(&self, w: &mut XmlWriter) {
            self.base.encode_fields(w);
            w.field("capacityInKB", &self.capacity_in_kb);
            w.field("datastore", &self.datastore);
            w.opt_field("created", &self.created);
            w.opt_field("digest", &self.digest);
            w.opt_field("ratio", &self.ratio);
            w.vec_field("tags", &self.tags);
        }
        fn extra(&self) -> &Extra {
            self.base.extra()
        }
    }

    impl XmlValue for Disk {
        fn decode<'a>(r: &mut XmlReader<'a>, s: &BytesStart<'a>) -> Result<Self, DecodeError> {
            decode_struct(r, s)
        }
        fn encode(&self, w: &mut XmlWriter, name: &str, xsi_type: Option<&str>) {
            encode_struct(w, name, self, xsi_type)
        }
    }

    /// Polymorphic field type, dispatching on `xsi:type`.
    #[derive(Clone, Debug, PartialEq)]
    pub enum AnyDevice {
        Device(Box<Device>),
        Disk(Box<Disk>),
    }

    impl XmlValue for AnyDevice {
        fn decode<'a>(r: &mut XmlReader<'a>, s: &BytesStart<'a>) -> Result<Self, DecodeError> {
            Ok(match r.xsi_type(s)? {
                Some("Disk") => AnyDevice::Disk(Box::new(decode_struct(r, s)?)),
                _ => AnyDevice::Device(Box::new(decode_struct(r, s)?)),
            })
        }
        fn encode(&self, w: &mut XmlWriter, name: &str, xsi_type: Option<&str>) {
            match self {
                AnyDevice::Device(d) => encode_struct(w, name, &**d, xsi_type),
                AnyDevice::Disk(d) => encode_struct(w, name, &**d, xsi_type.or(Some("Disk"))),
            }
        }
    }

    /// A root type holding a polymorphic repeated field.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct Vm {
        pub name: String,
        pub power_on: bool,
        pub host: ManagedObjectReference,
        pub devices: Vec<AnyDevice>,
        pub extra: Extra,
    }

    impl XmlType for Vm {
        const TYPE_NAME: &'static str = "Vm";
    }

    impl DecodeFields for Vm {
        fn decode_field<'a>(
            &mut self,
            name: &str,
            r: &mut XmlReader<'a>,
            s: &BytesStart<'a>,
        ) -> Result<(), DecodeError> {
            match name {
                "name" => self.name = r.value(s)?,
                "powerOn" => self.power_on = r.value(s)?,
                "host" => self.host = r.value(s)?,
                "devices" => self.devices.push(r.value(s)?),
                _ => return r.unknown_element(s, &mut self.extra),
            }
            Ok(())
        }
        fn extra_mut(&mut self) -> &mut Extra {
            &mut self.extra
        }
    }

    impl EncodeFields for Vm {
        fn encode_fields(&self, w: &mut XmlWriter) {
            w.field("name", &self.name);
            w.field("powerOn", &self.power_on);
            w.field("host", &self.host);
            w.vec_field("devices", &self.devices);
        }
        fn extra(&self) -> &Extra {
            &self.extra
        }
    }

    impl XmlValue for Vm {
        fn decode<'a>(r: &mut XmlReader<'a>, s: &BytesStart<'a>) -> Result<Self, DecodeError> {
            decode_struct(r, s)
        }
        fn encode(&self, w: &mut XmlWriter, name: &str, xsi_type: Option<&str>) {
            encode_struct(w, name, self, xsi_type)
        }
    }

    pub fn sample_vm() -> Vm {
        let disk = Disk {
            base: Device {
                key: 2000,
                label: Some("Hard disk 1 <&>".into()),
                connected: vec![1, 2],
                owner: Some(ManagedObjectReference::new("VirtualMachine", "vm-42")),
                extra: Extra::default(),
            },
            capacity_in_kb: 16_777_216,
            datastore: ManagedObjectReference::new("Datastore", "datastore-11"),
            created: parse_datetime("2023-12-14T07:29:52.123456Z"),
            digest: Some(vec![0, 1, 2, 254, 255]),
            ratio: Some(0.1),
            tags: vec!["a".into(), "".into(), "c d".into()],
        };
        Vm {
            name: "DC0_C0_RP0_VM0".into(),
            power_on: true,
            host: ManagedObjectReference::new("HostSystem", "host-21"),
            devices: vec![
                AnyDevice::Device(Box::new(Device {
                    key: 100,
                    ..Device::default()
                })),
                AnyDevice::Disk(Box::new(disk)),
            ],
            extra: Extra::default(),
        }
    }

    /// `<vm>` document with the `xsi` prefix declared on the root.
    pub fn encode_doc(vm: &Vm) -> String {
        let mut w = XmlWriter::new();
        w.start_with_attr("vm", "xmlns:xsi", XSI_NAMESPACE);
        vm.encode_fields(&mut w);
        for e in vm.extra.elements() {
            w.raw(&e.xml);
        }
        w.end("vm");
        String::from_utf8(w.into_bytes()).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::examples::*;
    use super::*;

    #[test]
    fn round_trip_encode_decode() {
        let vm = sample_vm();
        let doc = encode_doc(&vm);
        let back: Vm = decode_document(doc.as_bytes()).unwrap();
        assert_eq!(back, vm);
        // Through a SOAP request envelope as well.
        let env = request_envelope("ReconfigVM", &vm);
        let mut r = XmlReader::new(&env);
        let e = r.root().unwrap();
        assert_eq!(e.name().as_ref(), "soapenv:Envelope");
        let body = r.next_child().unwrap().unwrap();
        assert_eq!(body.local_name().as_ref(), "Body");
        let op = r.next_child().unwrap().unwrap();
        assert_eq!(op.local_name().as_ref(), "ReconfigVM");
        let back: Vm = r.value(&op).unwrap();
        assert_eq!(back, vm);
        assert!(r.stats().is_empty());
    }

    #[test]
    fn inherited_fields_are_written_first() {
        let vm = sample_vm();
        let doc = encode_doc(&vm);
        let disk_start = doc.find(r#"<devices xsi:type="Disk">"#).unwrap();
        let disk = &doc[disk_start..];
        assert!(disk.starts_with(
            "<devices xsi:type=\"Disk\"><key>2000</key><label>Hard disk 1 &lt;&amp;&gt;</label>\
             <connected>1</connected><connected>2</connected>\
             <owner type=\"VirtualMachine\">vm-42</owner>\
             <capacityInKB>16777216</capacityInKB><datastore type=\"Datastore\">datastore-11</datastore>\
             <created>2023-12-14T07:29:52.123456Z</created><digest>AAEC/v8=</digest><ratio>0.1</ratio>\
             <tags>a</tags><tags></tags><tags>c d</tags></devices>"
        ));
        // The base-typed value carries no xsi:type.
        assert!(doc.contains("<devices><key>100</key></devices>"));
    }

    #[test]
    fn xsi_type_dispatch_with_both_prefix_styles() {
        // Real vCenter: xsi declared on the Envelope.
        let vcenter = br#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><vm><devices xsi:type="Disk"><key>1</key><capacityInKB>5</capacityInKB></devices></vm></soapenv:Body></soapenv:Envelope>"#;
        // vcsim: the prefix is bound on the element itself and used by descendants.
        let vcsim = br#"<Envelope><Body><vm xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance"><devices XMLSchema-instance:type="Disk"><key>1</key><capacityInKB>5</capacityInKB></devices></vm></Body></Envelope>"#;
        let on_element = br#"<Envelope><Body><vm><devices xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance" XMLSchema-instance:type="Disk"><key>1</key><capacityInKB>5</capacityInKB></devices></vm></Body></Envelope>"#;
        // A `type` attribute in another namespace is not xsi:type.
        let other_ns = br#"<Envelope xmlns:xsi="urn:not-xsi"><Body><vm><devices xsi:type="Disk"><key>1</key></devices></vm></Body></Envelope>"#;
        for (doc, want_disk) in [
            (&vcenter[..], true),
            (&vcsim[..], true),
            (&on_element[..], true),
            (&other_ns[..], false),
        ] {
            let mut r = XmlReader::new(doc);
            r.root().unwrap();
            let body = r.next_child().unwrap().unwrap();
            assert_eq!(body.local_name().as_ref(), "Body");
            let vm_start = r.next_child().unwrap().unwrap();
            let vm: Vm = r.value(&vm_start).unwrap();
            match &vm.devices[0] {
                AnyDevice::Disk(d) => {
                    assert!(want_disk);
                    assert_eq!((d.key, d.capacity_in_kb), (1, 5));
                }
                AnyDevice::Device(d) => {
                    assert!(!want_disk);
                    assert_eq!(d.key, 1);
                }
            }
        }
    }

    #[test]
    fn unknown_elements_are_kept_counted_and_written_back() {
        let doc = br#"<vm xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><name>x</name><newRootField a="1">v<b/></newRootField><devices xsi:type="Disk"><key>1</key><futureField>42</futureField><capacityInKB>5</capacityInKB></devices><powerOn>true</powerOn></vm>"#;
        let mut r = XmlReader::new(doc);
        let root = r.root().unwrap();
        let vm: Vm = r.value(&root).unwrap();
        assert_eq!(vm.extra.elements().len(), 1);
        assert_eq!(
            vm.extra.elements()[0].xml,
            r#"<newRootField a="1">v<b/></newRootField>"#
        );
        let AnyDevice::Disk(disk) = &vm.devices[0] else {
            panic!("{vm:?}")
        };
        // Unknown fields of a subtype land in the root type's extra.
        assert_eq!(disk.extra.elements()[0].name, "futureField");
        assert_eq!(disk.capacity_in_kb, 5);
        assert!(vm.power_on);
        assert_eq!(r.stats().elements.get("newRootField"), Some(&1));
        assert_eq!(r.stats().elements.get("futureField"), Some(&1));
        assert_eq!(r.stats().total_elements(), 2);
        assert!(r.stats().types.is_empty());

        // Written back after the known fields.
        let mut w = XmlWriter::new();
        w.field("vm", &vm);
        let out = String::from_utf8(w.into_bytes()).unwrap();
        assert!(
            out.contains(
                "<datastore type=\"\"></datastore><futureField>42</futureField></devices>"
            )
        );
        assert!(out.ends_with(r#"</devices><newRootField a="1">v<b/></newRootField></vm>"#));
        // And decode again to the same value.
        let again: Vm = decode_document(out.as_bytes()).unwrap();
        assert_eq!(again, vm);
    }

    #[test]
    fn unknown_xsi_type_is_recorded() {
        let doc = br#"<vm xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><devices xsi:type="vim25:FancyNewDisk"><key>7</key><sparkle>yes</sparkle></devices><devices xsi:type="Device"><key>8</key></devices></vm>"#;
        let mut r = XmlReader::new(doc);
        let root = r.root().unwrap();
        let vm: Vm = r.value(&root).unwrap();
        let AnyDevice::Device(d) = &vm.devices[0] else {
            panic!()
        };
        assert_eq!(d.key, 7);
        assert_eq!(d.extra.unknown_type(), Some("FancyNewDisk"));
        assert_eq!(d.extra.elements()[0].name, "sparkle");
        let AnyDevice::Device(d) = &vm.devices[1] else {
            panic!()
        };
        assert!(d.extra.is_empty(), "its own type name is not unknown");
        assert_eq!(r.stats().types.get("FancyNewDisk"), Some(&1));
        assert_eq!(r.stats().total_types(), 1);
    }

    fn err_of(doc: &[u8]) -> DecodeError {
        decode_document::<Vm>(doc).unwrap_err()
    }

    #[test]
    fn malformed_inputs_give_located_errors() {
        let good = encode_doc(&sample_vm());
        let ok_prefix =
            r#"<vm xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><name>n</name>"#;

        // Bad int inside a polymorphic element.
        let doc = format!(r#"{ok_prefix}<devices xsi:type="Disk"><key>12x</key></devices></vm>"#);
        let e = err_of(doc.as_bytes());
        assert_eq!(e.path(), "/vm/devices/key");
        assert_eq!(e.offset(), doc.find("<key>").unwrap() as u64);
        assert_eq!(
            e.kind(),
            &DecodeErrorKind::InvalidValue {
                ty: "xsd:int",
                value: "12x".into()
            }
        );

        // Bad base64, bad dateTime, bad double.
        for (field, text, ty) in [
            ("digest", "!!!", "xsd:base64Binary"),
            ("created", "2023-02-30T00:00:00Z", "xsd:dateTime"),
            ("ratio", "1.2.3", "xsd:double"),
        ] {
            let doc = format!(
                r#"{ok_prefix}<devices xsi:type="Disk"><key>1</key><{field}>{text}</{field}></devices></vm>"#
            );
            let e = err_of(doc.as_bytes());
            assert_eq!(e.path(), format!("/vm/devices/{field}"));
            assert!(matches!(e.kind(), DecodeErrorKind::InvalidValue { ty: t, .. } if *t == ty));
            assert_eq!(e.offset(), doc.find(&format!("<{field}>")).unwrap() as u64);
        }

        // Mismatched end tag.
        let doc = format!("{ok_prefix}<devices><key>1</kee></devices></vm>");
        let e = err_of(doc.as_bytes());
        assert_eq!(e.path(), "/vm/devices/key");
        assert_eq!(e.offset(), doc.find("</kee>").unwrap() as u64);
        assert!(matches!(e.kind(), DecodeErrorKind::Xml(m) if m.contains("kee")));

        // Truncated in the middle of a device.
        let cut = good.find("<capacityInKB>").unwrap() + 5;
        let e = err_of(&good.as_bytes()[..cut]);
        assert!(e.path().starts_with("/vm/devices"), "{e}");
        assert!(e.offset() <= cut as u64);

        // Invalid UTF-8 inside a string field.
        let mut doc = format!("{ok_prefix}<devices><label>QZ</label></devices></vm>").into_bytes();
        let at = doc.windows(2).position(|w| w == b"QZ").unwrap() + 1;
        doc[at] = 0xFF;
        let e = err_of(&doc);
        assert_eq!(e.path(), "/vm/devices/label");
        assert_eq!(e.offset(), at as u64);

        // Garbage.
        let e = err_of(b"\x00\x01garbage<<<>>>");
        assert_eq!(e.path(), "/");
        let e = err_of(b"<vm><name>x</name><devices><key>1</key></vm>");
        assert_eq!(e.path(), "/vm/devices");
        // Bad attribute syntax.
        let e = err_of(br#"<vm><host type=Folder>x</host></vm>"#);
        assert_eq!(e.path(), "/vm/host");
    }

    #[test]
    fn every_truncation_fails_cleanly() {
        let doc = encode_doc(&sample_vm());
        let bytes = doc.as_bytes();
        let end = doc.rfind("</vm>").unwrap();
        for cut in 0..bytes.len() {
            let res = decode_document::<Vm>(&bytes[..cut]);
            if cut <= end {
                let e = res.unwrap_err();
                assert!(e.offset() <= cut as u64, "cut {cut}: {e}");
            }
            // The same prefixes through the SOAP path.
            let env = request_envelope("Op", &sample_vm());
            let _ = decode_one::<Vm, Device>(&env[..cut.min(env.len())]);
        }
        // Single-byte corruptions never panic either.
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..2000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut b = bytes.to_vec();
            let i = (seed as usize) % b.len();
            b[i] = (seed >> 32) as u8;
            let _ = decode_document::<Vm>(&b);
        }
    }
}
