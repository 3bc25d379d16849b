//! `xsd:anyType` values (property values, `KeyAnyValue`, task results).

use crate::generated::any::{ARRAY_TYPES, DATA_OBJECT_TYPES, ENUM_TYPES};
use crate::types::{AnyArray, AnyEnum, DataObject};
use compact_str::CompactString;

use crate::xml::{
    BytesStart, DateTime, DecodeError, Extra, ManagedObjectReference, XmlReader, XmlValue,
    XmlWriter,
};

/// A value whose declared type is `xsd:anyType`, decoded by its `xsi:type`.
///
/// ```
/// use vmomi_bindings::types::{Any, AnyEnum, VirtualMachinePowerState};
/// let v = Any::Enum(AnyEnum::VirtualMachinePowerState(VirtualMachinePowerState::PoweredOn));
/// assert_eq!(v.type_name(), "VirtualMachinePowerState");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Any {
    /// `xsd:string` (also a value sent without `xsi:type`).
    String(CompactString),
    /// `xsd:boolean`
    Boolean(bool),
    /// `xsd:byte`
    Byte(i8),
    /// `xsd:short`
    Short(i16),
    /// `xsd:int`
    Int(i32),
    /// `xsd:long`
    Long(i64),
    /// `xsd:float`
    Float(f32),
    /// `xsd:double`
    Double(f64),
    /// `xsd:dateTime`
    DateTime(DateTime),
    /// `xsd:base64Binary`
    Base64Binary(Vec<u8>),
    /// `xsd:anyURI`
    AnyUri(CompactString),
    /// `ManagedObjectReference`
    ManagedObjectReference(ManagedObjectReference),
    /// A value of a WSDL enum.
    Enum(AnyEnum),
    /// A data object or fault.
    Data(DataObject),
    /// An `ArrayOf*` box.
    Array(AnyArray),
    /// A type these bindings do not know (from a newer server), kept as raw XML.
    Unknown(UnknownValue),
}

/// An `anyType` value of a type these bindings do not know.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UnknownValue {
    /// The `xsi:type` the server sent.
    pub type_name: String,
    /// The element as it arrived.
    pub xml: String,
}

impl Default for Any {
    fn default() -> Self {
        Any::Unknown(UnknownValue::default())
    }
}

impl Any {
    /// The WSDL or XSD name of the value's type.
    pub fn type_name(&self) -> &str {
        match self {
            Any::String(_) => "xsd:string",
            Any::Boolean(_) => "xsd:boolean",
            Any::Byte(_) => "xsd:byte",
            Any::Short(_) => "xsd:short",
            Any::Int(_) => "xsd:int",
            Any::Long(_) => "xsd:long",
            Any::Float(_) => "xsd:float",
            Any::Double(_) => "xsd:double",
            Any::DateTime(_) => "xsd:dateTime",
            Any::Base64Binary(_) => "xsd:base64Binary",
            Any::AnyUri(_) => "xsd:anyURI",
            Any::ManagedObjectReference(_) => "ManagedObjectReference",
            Any::Enum(e) => e.type_name(),
            Any::Data(d) => d.type_name(),
            Any::Array(a) => a.type_name(),
            Any::Unknown(u) => &u.type_name,
        }
    }
}

fn lookup<T>(
    table: &[(&str, crate::rt::DecodeFn<T>)],
    name: &str,
) -> Option<crate::rt::DecodeFn<T>> {
    table
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()
        .map(|i| table[i].1)
}

/// A value of the XSD primitive type `name` (`string`, `int`, ...: the
/// local name, without `xsd:`), or `None` when `name` is no such type.
pub(crate) fn decode_xsd<'a>(
    r: &mut XmlReader<'a>,
    s: &BytesStart<'a>,
    name: &str,
) -> Option<Result<Any, DecodeError>> {
    Some(match name {
        "string" => r.value(s).map(Any::String),
        "boolean" => r.value(s).map(Any::Boolean),
        "byte" => r.value(s).map(Any::Byte),
        "short" => r.value(s).map(Any::Short),
        "int" => r.value(s).map(Any::Int),
        "long" => r.value(s).map(Any::Long),
        "float" => r.value(s).map(Any::Float),
        "double" => r.value(s).map(Any::Double),
        "dateTime" => r.value(s).map(Any::DateTime),
        "base64Binary" => r.value(s).map(Any::Base64Binary),
        "anyURI" => r.value(s).map(Any::AnyUri),
        _ => return None,
    })
}

/// A value of a type these bindings do not know, kept as its XML.
fn unknown<'a>(r: &mut XmlReader<'a>, s: &BytesStart<'a>, t: &str) -> Result<Any, DecodeError> {
    let type_name = t.to_string();
    r.unknown_type(&type_name);
    let mut extra = Extra::default();
    r.unknown_element(s, &mut extra)?;
    let xml = extra
        .elements()
        .first()
        .map(|e| e.xml.clone())
        .unwrap_or_default();
    Ok(Any::Unknown(UnknownValue { type_name, xml }))
}

impl XmlValue for Any {
    fn decode<'a>(r: &mut XmlReader<'a>, s: &BytesStart<'a>) -> Result<Self, DecodeError> {
        let Some(t) = r.xsi_type(s)? else {
            return Ok(Any::String(r.value(s)?));
        };
        if let Some(v) = decode_xsd(r, s, t) {
            return v;
        }
        Ok(match t {
            "ManagedObjectReference" => Any::ManagedObjectReference(r.value(s)?),
            // Only the boxes are named `ArrayOf...`: one search, not three.
            _ if t.starts_with("ArrayOf") => match lookup(ARRAY_TYPES, t) {
                Some(f) => Any::Array(f(r, s)?),
                None => unknown(r, s, t)?,
            },
            _ => {
                if let Some(f) = lookup(DATA_OBJECT_TYPES, t) {
                    Any::Data(f(r, s)?)
                } else if let Some(f) = lookup(ENUM_TYPES, t) {
                    Any::Enum(f(r, s)?)
                } else {
                    unknown(r, s, t)?
                }
            }
        })
    }

    fn encode(&self, w: &mut XmlWriter, name: &str, _xsi_type: Option<&str>) {
        // anyType content always carries its own xsi:type.
        match self {
            Any::String(v) => v.encode(w, name, Some("xsd:string")),
            Any::Boolean(v) => v.encode(w, name, Some("xsd:boolean")),
            Any::Byte(v) => v.encode(w, name, Some("xsd:byte")),
            Any::Short(v) => v.encode(w, name, Some("xsd:short")),
            Any::Int(v) => v.encode(w, name, Some("xsd:int")),
            Any::Long(v) => v.encode(w, name, Some("xsd:long")),
            Any::Float(v) => v.encode(w, name, Some("xsd:float")),
            Any::Double(v) => v.encode(w, name, Some("xsd:double")),
            Any::DateTime(v) => v.encode(w, name, Some("xsd:dateTime")),
            Any::Base64Binary(v) => v.encode(w, name, Some("xsd:base64Binary")),
            Any::AnyUri(v) => v.encode(w, name, Some("xsd:anyURI")),
            Any::ManagedObjectReference(v) => v.encode(w, name, Some("ManagedObjectReference")),
            Any::Enum(e) => crate::rt::encode_text(w, name, e.as_str(), Some(e.type_name())),
            Any::Data(d) => d.encode(w, name),
            Any::Array(a) => a.encode(w, name),
            Any::Unknown(u) => w.raw(&u.xml),
        }
    }
}

/// Conversion from an `anyType` value to the Rust type a property path names.
/// On a mismatch the value comes back unchanged.
pub trait FromAny: Sized {
    /// Converts, or returns the value when its type is not `Self`.
    fn from_any(v: Any) -> Result<Self, Any>;
}

impl FromAny for Any {
    fn from_any(v: Any) -> Result<Self, Any> {
        Ok(v)
    }
}

macro_rules! from_any_prim {
    ($t:ty, $($v:ident),+) => {
        impl FromAny for $t {
            fn from_any(v: Any) -> Result<Self, Any> {
                match v {
                    $(Any::$v(x) => Ok(x),)+
                    other => Err(other),
                }
            }
        }
    };
}
from_any_prim!(CompactString, String, AnyUri);

/// A `String` when the caller asks for one (the bindings hold `CompactString`).
impl FromAny for String {
    fn from_any(v: Any) -> Result<Self, Any> {
        CompactString::from_any(v).map(String::from)
    }
}
from_any_prim!(bool, Boolean);
from_any_prim!(i8, Byte);
from_any_prim!(i16, Short);
from_any_prim!(i32, Int);
from_any_prim!(i64, Long);
from_any_prim!(f32, Float);
from_any_prim!(f64, Double);
from_any_prim!(DateTime, DateTime);
from_any_prim!(Vec<u8>, Base64Binary);
from_any_prim!(ManagedObjectReference, ManagedObjectReference);

impl FromAny for Vec<Any> {
    fn from_any(v: Any) -> Result<Self, Any> {
        match v {
            Any::Array(AnyArray::ArrayOfAnyType(x)) => Ok(x),
            other => Err(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Any::decode` sends every `ArrayOf...` name to the boxes alone.
    #[test]
    fn only_the_array_boxes_are_named_array_of() {
        let misnamed: Vec<&str> = DATA_OBJECT_TYPES
            .iter()
            .map(|(n, _)| *n)
            .chain(ENUM_TYPES.iter().map(|(n, _)| *n))
            .filter(|n| n.starts_with("ArrayOf"))
            .chain(
                ARRAY_TYPES
                    .iter()
                    .map(|(n, _)| *n)
                    .filter(|n| !n.starts_with("ArrayOf")),
            )
            .collect();
        assert_eq!(misnamed, Vec::<&str>::new());
    }

    fn decode(xml: &str) -> Any {
        crate::xml::decode_document::<Any>(xml.as_bytes()).unwrap()
    }

    #[test]
    fn arrays_enums_and_unknown_types_by_name() {
        const XSI: &str =
            r#"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="urn:vim25""#;
        let a = decode(&format!(
            r#"<val {XSI} xsi:type="ArrayOfInt"><int>1</int><int>2</int></val>"#
        ));
        assert_eq!(a, Any::Array(AnyArray::ArrayOfInt(vec![1, 2])));
        let e = decode(&format!(
            r#"<val {XSI} xsi:type="VirtualMachinePowerState">poweredOn</val>"#
        ));
        assert_eq!(e.type_name(), "VirtualMachinePowerState");
        let u = decode(&format!(
            r#"<val {XSI} xsi:type="ArrayOfSomethingNew"><x>1</x></val>"#
        ));
        match u {
            Any::Unknown(u) => assert_eq!(u.type_name, "ArrayOfSomethingNew"),
            other => panic!("expected an unknown value, got {other:?}"),
        }
    }
}
