//! `ManagedObjectReference`: `<name type="VirtualMachine">vm-42</name>`.

use std::fmt;

use compact_str::CompactString;
use quick_xml::events::BytesStart;

use super::{DecodeError, XmlReader, XmlType, XmlValue, XmlWriter};

/// A reference to a server-side managed object.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ManagedObjectReference {
    /// Managed object type, e.g. `VirtualMachine`.
    pub r#type: CompactString,
    /// Server-assigned identifier, e.g. `vm-42`.
    pub value: CompactString,
}

impl ManagedObjectReference {
    /// A reference to the object `value` of type `ty`.
    pub fn new(ty: impl Into<CompactString>, value: impl Into<CompactString>) -> Self {
        ManagedObjectReference {
            r#type: ty.into(),
            value: value.into(),
        }
    }
}

impl fmt::Display for ManagedObjectReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.r#type, self.value)
    }
}

impl XmlType for ManagedObjectReference {
    const TYPE_NAME: &'static str = "ManagedObjectReference";
}

impl XmlValue for ManagedObjectReference {
    fn decode<'a>(r: &mut XmlReader<'a>, start: &BytesStart<'a>) -> Result<Self, DecodeError> {
        // A missing `type` decodes as empty, like other missing required data.
        let ty = r
            .attribute(start, b"type")?
            .map(CompactString::from)
            .unwrap_or_default();
        let value = CompactString::decode(r, start)?;
        Ok(ManagedObjectReference { r#type: ty, value })
    }

    fn encode(&self, w: &mut XmlWriter, name: &str, xsi_type: Option<&str>) {
        w.start_with_attrs(name, xsi_type, &[("type", &self.r#type)]);
        w.text(&self.value);
        w.end(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_form_and_display() {
        let m = ManagedObjectReference::new("VirtualMachine", "vm-42");
        assert_eq!(m.to_string(), "VirtualMachine:vm-42");
        let mut w = XmlWriter::new();
        w.field("vm", &m);
        m.encode(&mut w, "val", Some("ManagedObjectReference"));
        assert_eq!(
            std::str::from_utf8(w.as_bytes()).unwrap(),
            "<vm type=\"VirtualMachine\">vm-42</vm>\
             <val xsi:type=\"ManagedObjectReference\" type=\"VirtualMachine\">vm-42</val>"
        );
    }

    #[test]
    fn decodes_type_attribute_not_xsi_type() {
        let doc = br#"<val xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance" XMLSchema-instance:type="ManagedObjectReference" type="ContainerView">session[52bb85b0]5286fa88</val>"#;
        let mut r = XmlReader::new(doc);
        let s = r.root().unwrap();
        assert_eq!(r.xsi_type(&s).unwrap(), Some("ManagedObjectReference"));
        let m: ManagedObjectReference = r.value(&s).unwrap();
        assert_eq!(
            m,
            ManagedObjectReference::new("ContainerView", "session[52bb85b0]5286fa88")
        );

        let mut r = XmlReader::new(b"<obj>x</obj>");
        let s = r.root().unwrap();
        let m: ManagedObjectReference = r.value(&s).unwrap();
        assert_eq!(m, ManagedObjectReference::new("", "x"));
    }

    #[test]
    fn orders_and_hashes() {
        let mut v = [
            ManagedObjectReference::new("VirtualMachine", "vm-2"),
            ManagedObjectReference::new("Folder", "group-d1"),
            ManagedObjectReference::new("VirtualMachine", "vm-10"),
        ];
        v.sort();
        assert_eq!(v[0].r#type, "Folder");
        let set: std::collections::HashSet<_> = v.iter().cloned().collect();
        assert_eq!(set.len(), 3);
    }
}
