//! VI/JSON: a decoded response written in the encoding of vSphere's JSON
//! protocol, so that our decoding can be compared value by value with
//! another SDK's (`vmomi-cassette dump`, and its oracle test against
//! pyVmomi).
//!
//! The encoding: a data object is a JSON object whose `_typeName` is its
//! type (the `xsi:type` sent, or the declared type), with its wire property
//! names; a managed object reference is `{"_typeName":
//! "ManagedObjectReference", "type": ..., "value": ...}`; a repeated field is
//! a list (also with one element); numbers are numbers, booleans booleans,
//! enum values, dates (RFC 3339) and binary (base64) strings. A value in an
//! `anyType` position that is not an object says its type:
//! `{"_typeName": "int", "_value": 5}`, `{"_typeName":
//! "ArrayOfManagedObjectReference", "_value": [...]}`. Unset optional fields
//! and empty arrays are left out.
//!
//! How: each `returnval` is decoded with the typed bindings by the
//! operation's declared result type (the generated decoders of
//! [`DataObject`](crate::types::DataObject), dispatched on `xsi:type` to the
//! declared type or a subtype, as the polymorphic enums do), re-encoded to
//! XML with our encoder (which normalizes it: what the typed value holds,
//! nothing more), and that XML is converted to JSON with the generated
//! schema tables: each field's wire type and whether it is repeated
//! (`generated/schema.rs` and the release tables). So the JSON shows what
//! the typed value holds. Content the bindings kept without knowing it (raw
//! XML of unknown elements, values of unknown types) is written as-is under
//! `_unknownXml` and counted in [`ViJsonResponse::raw_elements`].
//!
//! ```
//! use vmomi_bindings::rt::{Service, vijson};
//! let body = br#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><CreateContainerViewResponse xmlns="urn:vim25"><returnval type="ContainerView">session[1]2</returnval></CreateContainerViewResponse></soapenv:Body></soapenv:Envelope>"#;
//! let r = vijson::response(Service::Vim25, "CreateContainerView", body).unwrap();
//! assert_eq!(
//!     r.body,
//!     vijson::ViJsonBody::Result(
//!         r#"{"_typeName":"ManagedObjectReference","type":"ContainerView","value":"session[1]2"}"#.into()
//!     )
//! );
//! ```

use super::MAX_CHAIN;
use std::cell::Cell;

use crate::generated::any::{ARRAY_TYPES, DATA_OBJECT_TYPES, ENUM_TYPES};
use crate::generated::releases::{ENUMS, FIELDS, TYPES};
use crate::generated::schema::{REPEATED_FIELDS, RESULTS};
use crate::rt::{Any, DecodeFn, Service};
use crate::types::AnyMethodFault;
use crate::xml::{
    BytesStart, DecodeError, Extra, UnknownStats, XSI_NAMESPACE, XmlReader, XmlValue, XmlWriter,
    decode_with_in, local_name,
};

/// One response written as VI/JSON.
#[derive(Clone, Debug, PartialEq)]
pub struct ViJsonResponse {
    /// The result or the fault.
    pub body: ViJsonBody,
    /// Whether the operation is one of the bindings' (otherwise each
    /// `returnval` was decoded by its `xsi:type` and is written as a value
    /// of that type: an `ArrayOf*` box as a list).
    pub known_operation: bool,
    /// What decoding met that the bindings do not know.
    pub unknown: UnknownStats,
    /// How many unknown elements and values of unknown types the JSON holds
    /// as raw XML (under `_unknownXml`).
    pub raw_elements: usize,
}

/// The JSON text of a response.
#[derive(Clone, Debug, PartialEq)]
pub enum ViJsonBody {
    /// The result: the `returnval` (`null` for none), a list of them for an
    /// operation returning an array.
    Result(String),
    /// A SOAP fault: its `faultstring`, and the VI/JSON of the typed fault in
    /// its `detail` (`null` without one).
    Fault {
        /// `faultstring`.
        string: String,
        /// The typed fault (`{"_typeName": "InvalidLogin", ...}`) or `null`.
        detail: String,
    },
}

/// The declared result of an operation: its wire type (`xsd:string`,
/// `ServiceContent`, `""` for none) and shape (`0` none, `1` one, `2`
/// optional, `3` repeated), or `None` for an operation these bindings lack.
pub fn operation_result(operation: &str) -> Option<(&'static str, u8)> {
    RESULTS
        .binary_search_by(|row| row.0.cmp(operation))
        .ok()
        .map(|i| (RESULTS[i].1, RESULTS[i].2))
}

thread_local! {
    /// The declared type [`Returnval`] decodes as (set around each decode).
    static RETURN_TYPE: Cell<&'static str> = const { Cell::new("xsd:anyType") };
}

/// A `returnval` decoded by the declared type in [`RETURN_TYPE`].
struct Returnval(Any);

impl XmlValue for Returnval {
    fn decode<'a>(r: &mut XmlReader<'a>, s: &BytesStart<'a>) -> Result<Self, DecodeError> {
        decode_declared(r, s, RETURN_TYPE.with(Cell::get)).map(Returnval)
    }

    fn encode(&self, w: &mut XmlWriter, name: &str, xsi_type: Option<&str>) {
        self.0.encode(w, name, xsi_type)
    }
}

/// Decodes a response envelope of `operation` with the typed bindings and
/// writes it as VI/JSON. As `vmomi_methods::decode_response_in` does, a known
/// operation decodes in its own namespace (PBM's operations, all named
/// `Pbm*`, in `urn:pbm`), an unknown one by `xsi:type` in `service`'s.
pub fn response(
    service: Service,
    operation: &str,
    bytes: &[u8],
) -> Result<ViJsonResponse, DecodeError> {
    let declared = operation_result(operation);
    let namespace = if declared.is_some() && operation.starts_with("Pbm") {
        crate::xml::PBM_NAMESPACE
    } else if declared.is_some() {
        crate::xml::VIM25_NAMESPACE
    } else {
        service.namespace()
    };
    let (ty, shape) = declared.unwrap_or(("xsd:anyType", 3));
    let previous = RETURN_TYPE.with(|c| c.replace(ty));
    let decoded =
        decode_with_in::<Vec<Returnval>, AnyMethodFault>(bytes, namespace, |resp| match shape {
            0 => Ok(Vec::new()),
            1 => resp.one().map(|v| vec![v]),
            2 => resp.opt().map(|v| v.into_iter().collect()),
            _ => resp.vec(),
        });
    RETURN_TYPE.with(|c| c.set(previous));
    let (result, unknown) = decoded?;
    let mut raw_elements = 0;
    let body = match result {
        Ok(values) => {
            // Re-encode, then convert each value by its declared type.
            let decl = match declared {
                None => Decl::Own,
                Some(_) => decl_of(ty),
            };
            let mut items = Vec::with_capacity(values.len());
            for v in &values {
                let (json, raw) = reencode(|w| v.encode(w, "returnval", None), decl)?;
                raw_elements += raw;
                items.push(json);
            }
            let json = match (declared.map(|d| d.1), items.len()) {
                (Some(3), _) => J::Arr(items),
                (_, 0) => J::Null,
                (None, n) if n > 1 => J::Arr(items),
                _ => items.pop().unwrap_or(J::Null),
            };
            ViJsonBody::Result(json.to_string())
        }
        Err(fault) => {
            let detail = match &fault.detail {
                Some(d) => {
                    let (json, raw) =
                        reencode(|w| d.encode(w, "fault", None), Decl::Type("MethodFault"))?;
                    raw_elements += raw;
                    json
                }
                None => J::Null,
            };
            ViJsonBody::Fault {
                string: fault.string,
                detail: detail.to_string(),
            }
        }
    };
    Ok(ViJsonResponse {
        body,
        known_operation: declared.is_some(),
        unknown,
        raw_elements,
    })
}

/// Converts one element as our encoder writes it (`<name xsi:type=..>..`)
/// to VI/JSON, taking it as a value of `declared` (a wire type such as
/// `VirtualMachineConfigInfo`, `xsd:int` or `xsd:anyType`; `None`: of its own
/// `xsi:type`, an `ArrayOf*` box being a list). Returns the JSON and the
/// number of raw XML elements it holds.
pub fn element_to_json(xml: &[u8], declared: Option<&str>) -> Result<(String, usize), DecodeError> {
    let decl = declared.map_or(Decl::Own, decl_of);
    let mut r = XmlReader::new(xml);
    let root = r.root()?;
    let mut conv = Converter { r, raw: 0 };
    let json = conv.value(&root, decl)?;
    Ok((json.to_string(), conv.raw))
}

/// Writes one value with `encode` inside a root declaring `xsi`, then
/// converts it.
fn reencode(
    encode: impl FnOnce(&mut XmlWriter),
    decl: Decl<'_>,
) -> Result<(J, usize), DecodeError> {
    let mut w = XmlWriter::with_capacity(1024);
    w.start_with_attrs(
        "vijson",
        None,
        &[
            ("xmlns:xsi", XSI_NAMESPACE),
            ("xmlns:xsd", "http://www.w3.org/2001/XMLSchema"),
        ],
    );
    encode(&mut w);
    w.end("vijson");
    let bytes = w.into_bytes();
    let mut r = XmlReader::new(&bytes);
    r.root()?;
    let mut conv = Converter { r, raw: 0 };
    let Some(child) = conv.r.next_child()? else {
        return Ok((J::Null, 0));
    };
    let json = conv.value(&child, decl)?;
    Ok((json, conv.raw))
}

// ----- decoding by declared type ---------------------------------------------------

fn lookup<T>(table: &[(&str, DecodeFn<T>)], name: &str) -> Option<DecodeFn<T>> {
    table
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()
        .map(|i| table[i].1)
}

/// Decodes `s` as a value of the wire type `declared` with the typed
/// bindings, as a field of that type decodes.
fn decode_declared<'a>(
    r: &mut XmlReader<'a>,
    s: &BytesStart<'a>,
    declared: &str,
) -> Result<Any, DecodeError> {
    if let Some(p) = declared.strip_prefix("xsd:") {
        return super::any::decode_xsd(r, s, p).unwrap_or_else(|| Any::decode(r, s));
    }
    if declared == "ManagedObjectReference" {
        return Ok(Any::ManagedObjectReference(r.value(s)?));
    }
    if let Some(f) = lookup(ENUM_TYPES, declared) {
        return Ok(Any::Enum(f(r, s)?));
    }
    // The declared type or a subtype, by xsi:type, as the polymorphic enums
    // choose; anything else decodes as the declared type (which records an
    // unknown xsi:type).
    let pick = match r.xsi_type(s)? {
        Some(t) if t != declared && is_subtype(t, declared) => t,
        _ => declared,
    };
    if let Some(f) = lookup(DATA_OBJECT_TYPES, pick) {
        return Ok(Any::Data(f(r, s)?));
    }
    if let Some(f) = lookup(ARRAY_TYPES, declared) {
        return Ok(Any::Array(f(r, s)?));
    }
    Any::decode(r, s)
}

// ----- the schema ------------------------------------------------------------------

fn type_index(name: &str) -> Option<usize> {
    TYPES.binary_search_by(|row| row.0.cmp(name)).ok()
}

fn is_enum(name: &str) -> bool {
    ENUMS.binary_search_by(|row| row.0.cmp(name)).is_ok()
}

/// Whether `ty` is `base` or derives from it.
fn is_subtype(ty: &str, base: &str) -> bool {
    let mut cur = ty;
    for _ in 0..MAX_CHAIN {
        if cur == base {
            return true;
        }
        match type_index(cur) {
            Some(i) if !TYPES[i].2.is_empty() => cur = TYPES[i].2,
            _ => return false,
        }
    }
    false
}

/// The field `name` of type `ty` or of a base (inherited first, as the
/// release tables look fields up): its wire type and whether it is repeated.
fn field(ty: usize, name: &str) -> Option<(&'static str, bool)> {
    let (chain, len) = super::base_chain(ty, |t| match TYPES[t].2 {
        "" => None,
        base => type_index(base),
    });
    chain[..len].iter().rev().find_map(|&t| {
        let (_, _, _, first, count) = TYPES[t];
        let first = first as usize;
        let own = FIELDS.get(first..first + count as usize)?;
        let i = own.binary_search_by(|f| f.0.cmp(name)).ok()?;
        let row = (first + i) as u32;
        Some((own[i].1, REPEATED_FIELDS.binary_search(&row).is_ok()))
    })
}

/// How a value's position declares it.
#[derive(Clone, Copy, Debug)]
enum Decl<'t> {
    /// `xsd:anyType`: a value that is not an object says its type.
    Any,
    /// No declared type (a `returnval` of an unknown operation): the value
    /// is of its `xsi:type`, written plainly (a box as a list).
    Own,
    /// A wire type, by local name (`int`, `ManagedObjectReference`, `VirtualDisk`).
    Type(&'t str),
}

fn decl_of(wire: &str) -> Decl<'_> {
    match wire.strip_prefix("xsd:").unwrap_or(wire) {
        "anyType" => Decl::Any,
        t => Decl::Type(t),
    }
}

const PRIMITIVES: &[&str] = &[
    "anyURI",
    "base64Binary",
    "boolean",
    "byte",
    "dateTime",
    "double",
    "float",
    "int",
    "long",
    "short",
    "string",
];

// ----- XML to JSON -----------------------------------------------------------------

struct Converter<'a> {
    r: XmlReader<'a>,
    raw: usize,
}

impl<'a> Converter<'a> {
    fn value(&mut self, s: &BytesStart<'a>, decl: Decl<'_>) -> Result<J, DecodeError> {
        let xsi = self.r.xsi_type(s)?;
        let ty: &str = match decl {
            // A declared simple type is what the value is; a declared
            // complex type may be sent as a subtype.
            Decl::Type(t) if type_index(t).is_some() => xsi.unwrap_or(t),
            Decl::Type(t) => t,
            Decl::Any | Decl::Own => xsi.unwrap_or("string"),
        };
        let boxed = matches!(decl, Decl::Any);
        if PRIMITIVES.contains(&ty) {
            let text = self.r.text(s)?;
            let v = primitive(ty, &text);
            return Ok(if boxed { typed(ty, v) } else { v });
        }
        if ty == "ManagedObjectReference" {
            let t = self
                .r
                .attribute(s, b"type")?
                .unwrap_or_default()
                .into_owned();
            let value = self.r.text(s)?.into_owned();
            return Ok(J::Obj(vec![
                ("_typeName".into(), J::Str("ManagedObjectReference".into())),
                ("type".into(), J::Str(t)),
                ("value".into(), J::Str(value)),
            ]));
        }
        if is_enum(ty) {
            let v = J::Str(self.r.text(s)?.into_owned());
            return Ok(if boxed { typed(ty, v) } else { v });
        }
        let Some(ti) = type_index(ty) else {
            // A value of a type these bindings do not know, kept as raw XML.
            let xml = self.raw_xml(s)?;
            return Ok(J::Obj(vec![
                ("_typeName".into(), J::Str(ty.to_owned())),
                ("_unknownXml".into(), J::Arr(vec![J::Str(xml)])),
            ]));
        };
        if ty.starts_with("ArrayOf") && TYPES[ti].4 == 1 {
            let (_, _, _, first, _) = TYPES[ti];
            let item = decl_of(FIELDS[first as usize].1);
            let mut items = Vec::new();
            while let Some(c) = self.r.next_child()? {
                items.push(self.value(&c, item)?);
            }
            let list = J::Arr(items);
            return Ok(if boxed { typed(ty, list) } else { list });
        }
        let mut obj: Vec<(String, J)> = vec![("_typeName".into(), J::Str(ty.to_owned()))];
        let mut unknown = Vec::new();
        while let Some(c) = self.r.next_child()? {
            let name = local_name(&c);
            let Some((fty, repeated)) = field(ti, name) else {
                unknown.push(J::Str(self.raw_xml(&c)?));
                continue;
            };
            let v = self.value(&c, decl_of(fty))?;
            if !repeated {
                obj.push((name.to_owned(), v));
                continue;
            }
            match obj.iter_mut().find(|(k, _)| k == name) {
                Some((_, J::Arr(items))) => items.push(v),
                _ => obj.push((name.to_owned(), J::Arr(vec![v]))),
            }
        }
        if !unknown.is_empty() {
            obj.push(("_unknownXml".into(), J::Arr(unknown)));
        }
        Ok(J::Obj(obj))
    }

    /// The element `s` as raw XML, consumed and counted.
    fn raw_xml(&mut self, s: &BytesStart<'a>) -> Result<String, DecodeError> {
        let mut extra = Extra::default();
        self.r.unknown_element(s, &mut extra)?;
        self.raw += 1;
        Ok(extra
            .elements()
            .first()
            .map(|e| e.xml.clone())
            .unwrap_or_default())
    }
}

/// `{"_typeName": ty, "_value": v}`.
fn typed(ty: &str, v: J) -> J {
    J::Obj(vec![
        ("_typeName".into(), J::Str(ty.to_owned())),
        ("_value".into(), v),
    ])
}

/// A primitive's text as JSON: numbers and booleans as such (a text that is
/// not a JSON number, `NaN` or `INF`, stays a string), the rest as strings.
fn primitive(ty: &str, text: &str) -> J {
    match ty {
        "boolean" => match text.trim_ascii() {
            "true" | "1" => J::Bool(true),
            "false" | "0" => J::Bool(false),
            _ => J::Str(text.to_owned()),
        },
        "byte" | "short" | "int" | "long" | "float" | "double" => {
            let t = text.trim_ascii();
            if is_json_number(t) {
                J::Num(t.to_owned())
            } else {
                J::Str(t.to_owned())
            }
        }
        _ => J::Str(text.to_owned()),
    }
}

/// JSON's number grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn is_json_number(t: &str) -> bool {
    let b = t.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > start
    };
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    if b.get(i) == Some(&b'0') {
        i += 1;
    } else if !digits(&mut i) {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}

/// A JSON value, kept in the order it was built.
#[derive(Clone, Debug)]
enum J {
    Null,
    Bool(bool),
    /// Text that is a valid JSON number.
    Num(String),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

impl std::fmt::Display for J {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            J::Null => f.write_str("null"),
            J::Bool(b) => write!(f, "{b}"),
            J::Num(n) => f.write_str(n),
            J::Str(s) => write_str(f, s),
            J::Arr(items) => {
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            J::Obj(fields) => {
                f.write_str("{")?;
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write_str(f, k)?;
                    write!(f, ":{v}")?;
                }
                f.write_str("}")
            }
        }
    }
}

fn write_str(f: &mut std::fmt::Formatter<'_>, s: &str) -> std::fmt::Result {
    f.write_str("\"")?;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let esc = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            c if (c as u32) < 0x20 => "",
            _ => continue,
        };
        f.write_str(&s[start..i])?;
        if esc.is_empty() {
            write!(f, "\\u{:04x}", c as u32)?;
        } else {
            f.write_str(esc)?;
        }
        start = i + c.len_utf8();
    }
    f.write_str(&s[start..])?;
    f.write_str("\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(xml: &str, declared: Option<&str>) -> (String, usize) {
        element_to_json(xml.as_bytes(), declared).unwrap()
    }

    #[test]
    fn schema_tables_answer() {
        assert_eq!(
            operation_result("RetrieveServiceContent"),
            Some(("ServiceContent", 1))
        );
        assert_eq!(operation_result("DestroyView"), Some(("", 0)));
        assert_eq!(operation_result("FindByUuid").map(|r| r.1), Some(2));
        assert_eq!(
            operation_result("RetrieveProperties"),
            Some(("ObjectContent", 3))
        );
        assert_eq!(operation_result("Fetch"), None);
        let hw = type_index("VirtualHardware").unwrap();
        assert_eq!(field(hw, "device"), Some(("VirtualDevice", true)));
        assert_eq!(field(hw, "memoryMB"), Some(("xsd:int", false)));
        let disk = type_index("VirtualDisk").unwrap();
        // Inherited from VirtualDevice.
        assert_eq!(field(disk, "key"), Some(("xsd:int", false)));
        assert_eq!(field(disk, "nope"), None);
        assert!(is_subtype("VirtualDisk", "VirtualDevice"));
        assert!(!is_subtype("VirtualDevice", "VirtualDisk"));
        // Every repeated row is a row of FIELDS, ascending.
        assert!(REPEATED_FIELDS.windows(2).all(|w| w[0] < w[1]));
        assert!((*REPEATED_FIELDS.last().unwrap() as usize) < FIELDS.len());
    }

    #[test]
    fn fields_lists_numbers_and_references() {
        let xml = r#"<v xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><device xsi:type="VirtualDisk"><key>2000</key><capacityInKB>16</capacityInKB><backing xsi:type="VirtualDiskFlatVer2BackingInfo"><fileName>[ds] a.vmdk</fileName><datastore type="Datastore">datastore-1</datastore><diskMode>persistent</diskMode><thinProvisioned>true</thinProvisioned></backing></device><memoryMB>4096</memoryMB><numCPU>2</numCPU></v>"#;
        let (json, raw) = conv(xml, Some("VirtualHardware"));
        assert_eq!(raw, 0);
        assert_eq!(
            json,
            r#"{"_typeName":"VirtualHardware","device":[{"_typeName":"VirtualDisk","key":2000,"capacityInKB":16,"backing":{"_typeName":"VirtualDiskFlatVer2BackingInfo","fileName":"[ds] a.vmdk","datastore":{"_typeName":"ManagedObjectReference","type":"Datastore","value":"datastore-1"},"diskMode":"persistent","thinProvisioned":true}}],"memoryMB":4096,"numCPU":2}"#
        );
    }

    #[test]
    fn any_type_values_say_their_type() {
        let xml = r#"<v xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><name>n</name><val xsi:type="xsd:int">5</val></v>"#;
        assert_eq!(
            conv(xml, Some("DynamicProperty")).0,
            r#"{"_typeName":"DynamicProperty","name":"n","val":{"_typeName":"int","_value":5}}"#
        );
        let xml = r#"<val xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="ArrayOfManagedObjectReference"><ManagedObjectReference type="Datastore">datastore-17</ManagedObjectReference></val>"#;
        let boxed =
            r#"[{"_typeName":"ManagedObjectReference","type":"Datastore","value":"datastore-17"}]"#;
        assert_eq!(
            conv(xml, Some("xsd:anyType")).0,
            format!(r#"{{"_typeName":"ArrayOfManagedObjectReference","_value":{boxed}}}"#)
        );
        // With no declared type the box is a plain list.
        assert_eq!(conv(xml, None).0, boxed);
        let xml = r#"<val xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="VirtualMachinePowerState">poweredOn</val>"#;
        assert_eq!(
            conv(xml, Some("xsd:anyType")).0,
            r#"{"_typeName":"VirtualMachinePowerState","_value":"poweredOn"}"#
        );
    }

    #[test]
    fn unknown_content_is_raw_and_counted() {
        let xml = r#"<v xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><key>1</key><futureField a="x">1<b/></futureField></v>"#;
        let (json, raw) = conv(xml, Some("VirtualDevice"));
        assert_eq!(raw, 1);
        assert_eq!(
            json,
            r#"{"_typeName":"VirtualDevice","key":1,"_unknownXml":["<futureField a=\"x\">1<b/></futureField>"]}"#
        );
        let xml = r#"<val xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="FancyNew"><x>"q"</x></val>"#;
        let (json, raw) = conv(xml, Some("xsd:anyType"));
        assert_eq!(raw, 1);
        assert!(
            json.starts_with(r#"{"_typeName":"FancyNew","_unknownXml":["<val "#),
            "{json}"
        );
    }

    #[test]
    fn text_is_escaped_and_odd_numbers_stay_strings() {
        assert_eq!(
            conv("<v>a\"b\\c\n\u{1}</v>", Some("xsd:string")).0,
            r#""a\"b\\c\n\u0001""#
        );
        assert_eq!(conv("<v>NaN</v>", Some("xsd:double")).0, r#""NaN""#);
        assert_eq!(conv("<v>1.5e-7</v>", Some("xsd:double")).0, "1.5e-7");
        assert_eq!(conv("<v>-12</v>", Some("xsd:long")).0, "-12");
        for (t, ok) in [
            ("0", true),
            ("01", false),
            ("1.", false),
            ("-", false),
            ("2E+3", true),
        ] {
            assert_eq!(is_json_number(t), ok, "{t}");
        }
    }

    #[test]
    fn responses_and_faults() {
        let env = |inner: &str| {
            format!(
                r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>{inner}</soapenv:Body></soapenv:Envelope>"#
            )
        };
        let body = env(
            r#"<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>bad</faultstring><detail><InvalidLoginFault xmlns="urn:vim25" xsi:type="InvalidLogin"></InvalidLoginFault></detail></soapenv:Fault>"#,
        );
        let r = response(Service::Vim25, "Login", body.as_bytes()).unwrap();
        assert_eq!(
            r.body,
            ViJsonBody::Fault {
                string: "bad".into(),
                detail: r#"{"_typeName":"InvalidLogin"}"#.into()
            }
        );
        // A void operation, an array result (one element is still a list).
        let body = env(r#"<DestroyViewResponse xmlns="urn:vim25"></DestroyViewResponse>"#);
        let r = response(Service::Vim25, "DestroyView", body.as_bytes()).unwrap();
        assert_eq!(r.body, ViJsonBody::Result("null".into()));
        let body = env(
            r#"<RetrievePropertiesResponse xmlns="urn:vim25"><returnval><obj type="Folder">group-d1</obj><propSet><name>name</name><val xsi:type="xsd:string">Datacenters</val></propSet></returnval></RetrievePropertiesResponse>"#,
        );
        let r = response(Service::Vim25, "RetrieveProperties", body.as_bytes()).unwrap();
        assert_eq!(
            r.body,
            ViJsonBody::Result(
                r#"[{"_typeName":"ObjectContent","obj":{"_typeName":"ManagedObjectReference","type":"Folder","value":"group-d1"},"propSet":[{"_typeName":"DynamicProperty","name":"name","val":{"_typeName":"string","_value":"Datacenters"}}]}]"#.into()
            )
        );
        assert!(r.known_operation && r.unknown.is_empty() && r.raw_elements == 0);
        // An unknown element is counted in both places.
        let body = env(
            r#"<CurrentTimeResponse xmlns="urn:vim25"><returnval>2024-01-02T03:04:05.100Z</returnval></CurrentTimeResponse>"#,
        );
        let r = response(Service::Vim25, "CurrentTime", body.as_bytes()).unwrap();
        assert_eq!(
            r.body,
            ViJsonBody::Result(r#""2024-01-02T03:04:05.100Z""#.into())
        );
        let body = env(
            r#"<LoginResponse xmlns="urn:vim25"><returnval><key>k</key><newThing>1</newThing></returnval></LoginResponse>"#,
        );
        let r = response(Service::Vim25, "Login", body.as_bytes()).unwrap();
        assert_eq!(r.raw_elements, 1);
        assert_eq!(r.unknown.elements.get("newThing"), Some(&1));
        // An operation the bindings lack: each returnval by its xsi:type.
        let body = env(
            r#"<FetchResponse xmlns="urn:vim25"><returnval xsi:type="xsd:string">x</returnval></FetchResponse>"#,
        );
        let r = response(Service::Vim25, "Fetch", body.as_bytes()).unwrap();
        assert_eq!(r.body, ViJsonBody::Result(r#""x""#.into()));
        assert!(!r.known_operation);
    }
}
