//! vSphere releases: which release introduced each type, field, operation and
//! enum value of these bindings, and a local check that a request uses
//! nothing newer than the release the server speaks.
//!
//! The data are tables generated from `since.json`, `versions.json` and the
//! difference between the 5.5 and 7.0 WSDL sets (see "Releases" in
//! `docs/design-bindings.md`; enum values carry lower bounds). Releases are
//! named by their wire names ([`RELEASES`]: `"5.5"`, `"6.7.3"`, `"7.0.3.0"`,
//! ...), oldest first; each includes every release before it.
//!
//! A release string not in [`RELEASES`] is placed by number when it is
//! numeric and dotted (`"7.0"` equals `7.0.0.0`, `"9.5.0.0"` is newer than
//! every release of the table) and is treated as newer than every release
//! otherwise (internal build codes such as `"uA046D008"`): the check only
//! refuses what it can prove the server lacks.
//!
//! ```
//! use vmomi_bindings::rt::release;
//! assert_eq!(release::type_since("VirtualMachineConfigSpec"), Some("2.0"));
//! assert_eq!(release::method_since("ReconfigVM_Task"), Some("2.0"));
//! assert!(release::release_includes("6.7.3", "6.5"));
//! assert!(!release::release_includes("5.5", "7.0.0.0"));
//! assert!(release::release_includes("9.5.0.0", "8.0.3.0"));
//! ```

use std::cmp::Ordering;
use std::fmt;

use crate::generated::releases::{ENUM_VALUES, ENUMS, FIELDS, OPERATIONS, TYPES, UNKNOWN};
use crate::xml::{BytesStart, DecodeError, XmlReader, local_name};

pub use crate::generated::releases::RELEASES;

/// What kind of item a [`ReleaseViolation`] names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ItemKind {
    /// The operation itself (`ReconfigVM_Task`).
    Operation,
    /// A field of a data object or a parameter of the operation
    /// (`VirtualMachineConfigSpec.sgxInfo`).
    Field,
    /// A type: the concrete type of a value given by `xsi:type`
    /// (`VirtualNVMEController`), or an element's declared type.
    Type,
    /// An enum value (`VirtualMachineGuestOsIdentifier.windows9Guest`).
    EnumValue,
}

impl fmt::Display for ItemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ItemKind::Operation => "operation",
            ItemKind::Field => "field",
            ItemKind::Type => "type",
            ItemKind::EnumValue => "enum value",
        })
    }
}

/// A request uses an item newer than the release the server speaks.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{kind} {item} (at {path}) needs release {since}; the server speaks {release}")]
#[non_exhaustive]
pub struct ReleaseViolation {
    /// What the item is.
    pub kind: ItemKind,
    /// The item: `Operation`, `Type.field`, `Type` or `Enum.value`.
    pub item: String,
    /// Where in the request: element names from the operation element down,
    /// `ReconfigVM_Task/spec/deviceChange/device`.
    pub path: String,
    /// The release that introduced the item (a name of [`RELEASES`]).
    pub since: &'static str,
    /// The release checked against, as given.
    pub release: String,
}

// ----- lookups -------------------------------------------------------------------

fn release_name(since: u8) -> Option<&'static str> {
    if since == UNKNOWN {
        return None;
    }
    RELEASES.get(since as usize).copied()
}

fn type_index(name: &str) -> Option<usize> {
    TYPES.binary_search_by(|row| row.0.cmp(name)).ok()
}

fn enum_index(name: &str) -> Option<usize> {
    ENUMS.binary_search_by(|row| row.0.cmp(name)).ok()
}

/// The fields a type declares itself (not its base's).
fn own_fields(ty: usize) -> &'static [(&'static str, &'static str, u8)] {
    let (_, _, _, first, count) = TYPES[ty];
    let first = first as usize;
    FIELDS
        .get(first..first + count as usize)
        .unwrap_or_default()
}

/// Longest base chain followed (guards against a cycle in the tables).
const MAX_CHAIN: usize = 32;

/// The field `name` of type `ty` or of one of its bases, inherited fields
/// first: `(declaring type, field row)`.
fn find_field(ty: usize, name: &str) -> Option<(usize, &'static (&'static str, &'static str, u8))> {
    let mut chain = [0usize; MAX_CHAIN];
    let mut len = 0;
    let mut cur = Some(ty);
    while let Some(t) = cur {
        if len == MAX_CHAIN {
            break;
        }
        chain[len] = t;
        len += 1;
        let base = TYPES[t].2;
        cur = if base.is_empty() {
            None
        } else {
            type_index(base)
        };
    }
    chain[..len].iter().rev().find_map(|&t| {
        let fields = own_fields(t);
        fields
            .binary_search_by(|f| f.0.cmp(name))
            .ok()
            .map(|i| (t, &fields[i]))
    })
}

fn enum_value(e: usize, value: &str) -> Option<u8> {
    let (_, _, first, count) = ENUMS[e];
    let first = first as usize;
    let values = ENUM_VALUES
        .get(first..first + count as usize)
        .unwrap_or_default();
    values
        .binary_search_by(|v| v.0.cmp(value))
        .ok()
        .map(|i| values[i].1)
}

/// Every release, by wire name, oldest first (the same as [`RELEASES`]).
pub fn releases() -> &'static [&'static str] {
    RELEASES
}

/// The release that introduced a type: a data object, fault, enum, `ArrayOf*`
/// box, request type (`ReconfigVMRequestType`) or managed object type
/// (`HostVStorageObjectManager`). `None`: not a type of these bindings, or
/// no source dates it.
pub fn type_since(name: &str) -> Option<&'static str> {
    match type_index(name) {
        Some(t) => release_name(TYPES[t].1),
        None => enum_index(name).and_then(|e| release_name(ENUMS[e].1)),
    }
}

/// The release that introduced `field` of `type_name`, looked up along the
/// base chain (`field_since("VirtualDisk", "key")` is `VirtualDevice.key`'s).
/// Covers data-object fields, operation parameters (on the request type:
/// `field_since("ReconfigVMRequestType", "spec")`) and managed-object
/// properties (`field_since("VirtualMachine", "layoutEx")`). The field's own
/// release: using it also needs the type of the value holding it.
pub fn field_since(type_name: &str, field: &str) -> Option<&'static str> {
    let t = type_index(type_name)?;
    find_field(t, field).and_then(|(_, f)| release_name(f.2))
}

/// The wire type of `field` of `type_name`, its own or a base's
/// (`"xsd:string"`, `"VirtualMachineRuntimeInfo"`, `"ManagedObjectReference"`):
/// what a property path walks through.
pub fn field_type(type_name: &str, field: &str) -> Option<&'static str> {
    find_field(type_index(type_name)?, field).map(|(_, f)| f.1)
}

/// Whether `name` is a complex type these tables know (one with fields).
pub fn is_complex_type(name: &str) -> bool {
    type_index(name).is_some()
}

/// The release that introduced an operation (`ReconfigVM_Task`).
pub fn method_since(operation: &str) -> Option<&'static str> {
    OPERATIONS
        .binary_search_by(|row| row.0.cmp(operation))
        .ok()
        .and_then(|i| release_name(OPERATIONS[i].1))
}

/// The oldest release that may have an enum value. Enum values are not dated
/// by `since.json`: values the 5.5 WSDL has get their enum's release, others
/// the release after 5.5 or their enum's, if later (lower bounds).
pub fn enum_value_since(enum_name: &str, value: &str) -> Option<&'static str> {
    enum_index(enum_name)
        .and_then(|e| enum_value(e, value))
        .and_then(release_name)
}

// ----- comparing releases ----------------------------------------------------------

/// Compares two dotted numeric releases (`7.0` = `7.0.0.0`); `None` when
/// either is not made of dot-separated decimal numbers.
fn cmp_numeric(a: &str, b: &str) -> Option<Ordering> {
    fn parts(s: &str) -> Option<impl Iterator<Item = u64> + '_> {
        if s.is_empty()
            || !s
                .split('.')
                .all(|p| !p.is_empty() && p.len() <= 18 && p.bytes().all(|c| c.is_ascii_digit()))
        {
            return None;
        }
        Some(s.split('.').map(|p| p.parse::<u64>().unwrap_or(0)))
    }
    let mut a = parts(a)?;
    let mut b = parts(b)?;
    loop {
        match (a.next(), b.next()) {
            (None, None) => return Some(Ordering::Equal),
            (x, y) => match x.unwrap_or(0).cmp(&y.unwrap_or(0)) {
                Ordering::Equal => {}
                other => return Some(other),
            },
        }
    }
}

/// A release's place among [`RELEASES`]: release `i` of the table is
/// `2i + 1`; a numeric release between table releases `k - 1` and `k` is
/// `2k`; a non-numeric release not in the table is newer than everything.
fn rank(release: &str) -> usize {
    let r = release.trim();
    if let Some(i) = RELEASES.iter().position(|x| *x == r) {
        return 2 * i + 1;
    }
    if cmp_numeric(r, "0").is_none() {
        return usize::MAX;
    }
    let k = RELEASES
        .iter()
        .position(|x| cmp_numeric(x, r) == Some(Ordering::Greater))
        .unwrap_or(RELEASES.len());
    2 * k
}

/// Does a server speaking `release` have an item introduced in
/// `item_release` (a name of [`RELEASES`], as the `*_since` functions
/// return)? Both are placed as the module documentation describes.
pub fn release_includes(release: &str, item_release: &str) -> bool {
    rank(item_release) <= rank(release)
}

// ----- the request check -------------------------------------------------------------

/// Checks that a request envelope (as
/// [`request_envelope`](crate::xml::soap::request_envelope) writes it) uses
/// nothing newer than `release`, the release the server speaks: the
/// operation, every field present (unset optional fields are absent, so they
/// pass), the concrete type of every value that carries `xsi:type` (a
/// device subtype in `deviceChange`, the content of `anyType` values and
/// `ArrayOf*` boxes) and every enum value. Returns the first item found.
///
/// Items these bindings do not know (unknown elements, operations, types or
/// enum values) and items no source dates pass. The input may also be the
/// bare operation element. Malformed XML ends the check without a violation
/// (what was read before the error is checked): the check refuses only what
/// it can prove too new, and the server rejects malformed requests anyway.
/// It never panics.
///
/// ```
/// use vmomi_bindings::rt::release::check_request;
/// let req = br#"<QueryConnections xmlns="urn:vim25"><_this type="VirtualMachine">vm-1</_this></QueryConnections>"#;
/// let err = check_request(req, "6.7").unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "operation QueryConnections (at QueryConnections) needs release 7.0.1.0; the server speaks 6.7"
/// );
/// assert!(check_request(req, "7.0.1.0").is_ok());
/// ```
pub fn check_request(envelope: &[u8], release: &str) -> Result<(), ReleaseViolation> {
    let ceiling = rank(release);
    if ceiling > 2 * RELEASES.len() {
        // Newer than every release of the table: everything passes.
        return Ok(());
    }
    let mut c = Checker {
        r: XmlReader::new(envelope),
        ceiling,
    };
    match c.request() {
        Ok(()) | Err(Stop::Malformed) => Ok(()),
        Err(Stop::Found(v)) => {
            let mut path = v.path;
            path.reverse();
            Err(ReleaseViolation {
                kind: v.kind,
                item: v.item,
                path: path.join("/"),
                since: v.since,
                release: release.to_owned(),
            })
        }
    }
}

/// A violation being unwound: the path is collected innermost first.
struct Found {
    kind: ItemKind,
    item: String,
    since: &'static str,
    path: Vec<String>,
}

enum Stop {
    Found(Box<Found>),
    Malformed,
}

impl Stop {
    fn within(mut self, name: &str) -> Self {
        if let Stop::Found(f) = &mut self {
            f.path.push(name.to_owned());
        }
        self
    }
}

impl From<DecodeError> for Stop {
    fn from(_: DecodeError) -> Self {
        Stop::Malformed
    }
}

struct Checker<'a> {
    r: XmlReader<'a>,
    /// Items whose rank (`2 * since + 1`) exceeds this are too new.
    ceiling: usize,
}

impl<'a> Checker<'a> {
    fn too_new(&self, since: u8) -> Option<&'static str> {
        if since == UNKNOWN || 2 * (since as usize) < self.ceiling {
            return None;
        }
        release_name(since)
    }

    fn found(kind: ItemKind, item: String, since: &'static str) -> Stop {
        Stop::Found(Box::new(Found {
            kind,
            item,
            since,
            path: Vec::new(),
        }))
    }

    /// The envelope (or a bare operation element).
    fn request(&mut self) -> Result<(), Stop> {
        let root = self.r.root()?;
        if local_name(&root) != "Envelope" {
            return self.operation(&root);
        }
        while let Some(child) = self.r.next_child()? {
            if local_name(&child) != "Body" {
                self.r.skip(&child)?;
                continue;
            }
            return match self.r.next_child()? {
                Some(op) => self.operation(&op),
                None => Ok(()),
            };
        }
        Ok(())
    }

    fn operation(&mut self, el: &BytesStart<'a>) -> Result<(), Stop> {
        let name = local_name(el);
        let Ok(i) = OPERATIONS.binary_search_by(|row| row.0.cmp(name)) else {
            return Ok(());
        };
        let (op, since, request_type) = OPERATIONS[i];
        if let Some(s) = self.too_new(since) {
            return Err(Self::found(ItemKind::Operation, op.to_owned(), s).within(op));
        }
        match type_index(request_type) {
            Some(t) => self.complex(t).map_err(|e| e.within(op)),
            None => Ok(()),
        }
    }

    /// The children of an element whose type is `ty`.
    fn complex(&mut self, ty: usize) -> Result<(), Stop> {
        while let Some(child) = self.r.next_child()? {
            let name = local_name(&child);
            let Some((owner, &(field, declared, since))) = find_field(ty, name) else {
                self.r.skip(&child)?;
                continue;
            };
            if let Some(s) = self.too_new(since) {
                let item = format!("{}.{field}", TYPES[owner].0);
                return Err(Self::found(ItemKind::Field, item, s).within(field));
            }
            self.value(&child, declared).map_err(|e| e.within(field))?;
        }
        Ok(())
    }

    /// One element whose declared type is `declared` (`xsd:int`,
    /// `ManagedObjectReference`, a vim25 type name).
    fn value(&mut self, el: &BytesStart<'a>, declared: &'static str) -> Result<(), Stop> {
        let ty = match self.r.xsi_type(el)? {
            Some(t) => t,
            None if declared.starts_with("xsd:") => return Ok(self.r.skip(el)?),
            None => declared,
        };
        if let Some(t) = type_index(ty) {
            let (name, since, ..) = TYPES[t];
            if let Some(s) = self.too_new(since) {
                return Err(Self::found(ItemKind::Type, name.to_owned(), s));
            }
            return self.complex(t);
        }
        if let Some(e) = enum_index(ty) {
            let (name, since, ..) = ENUMS[e];
            if let Some(s) = self.too_new(since) {
                return Err(Self::found(ItemKind::Type, name.to_owned(), s));
            }
            let text = self.r.text(el)?;
            let text = text.trim();
            if let Some(s) = enum_value(e, text).and_then(|v| self.too_new(v)) {
                return Err(Self::found(
                    ItemKind::EnumValue,
                    format!("{name}.{text}"),
                    s,
                ));
            }
            return Ok(());
        }
        // Primitives, references, unknown types.
        Ok(self.r.skip(el)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx(name: &str) -> usize {
        RELEASES.iter().position(|r| *r == name).unwrap()
    }

    #[test]
    fn tables_are_sorted_and_consistent() {
        assert!(RELEASES.len() > 30 && RELEASES.len() < UNKNOWN as usize);
        assert!(TYPES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(ENUMS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(OPERATIONS.windows(2).all(|w| w[0].0 < w[1].0));
        let mut next = 0;
        for (name, since, base, first, count) in TYPES {
            assert_eq!(*first as usize, next, "{name}");
            next += *count as usize;
            assert!(*since == UNKNOWN || (*since as usize) < RELEASES.len());
            assert!(
                base.is_empty() || type_index(base).is_some(),
                "{name}: {base}"
            );
            let own = own_fields(type_index(name).unwrap());
            assert!(own.windows(2).all(|w| w[0].0 < w[1].0), "{name}");
        }
        assert_eq!(next, FIELDS.len());
        let mut next = 0;
        for (name, _, first, count) in ENUMS {
            assert_eq!(*first as usize, next, "{name}");
            next += *count as usize;
        }
        assert_eq!(next, ENUM_VALUES.len());
        for (op, _, req) in OPERATIONS {
            assert!(type_index(req).is_some(), "{op}: {req}");
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(type_since("VirtualMachineConfigSpec"), Some("2.0"));
        assert_eq!(type_since("VirtualMachineSgxInfo"), Some("7.0.0.0"));
        assert_eq!(type_since("VirtualMachinePowerState"), Some("2.0"));
        assert_eq!(type_since("HostVStorageObjectManager"), Some("6.5"));
        assert_eq!(type_since("NoSuchType"), None);
        assert_eq!(
            field_since("VirtualMachineConfigSpec", "sgxInfo"),
            Some("7.0.0.0")
        );
        assert_eq!(field_since("VirtualMachineConfigSpec", "name"), Some("2.0"));
        // Inherited: VirtualDisk.key is VirtualDevice's.
        assert_eq!(field_since("VirtualDisk", "key"), Some("2.0"));
        assert_eq!(field_since("VirtualDisk", "nope"), None);
        assert_eq!(field_since("VirtualMachine", "layoutEx"), Some("4.0"));
        assert_eq!(
            field_since("RelocateVMRequestType", "priority"),
            Some("4.0")
        );
        assert_eq!(method_since("ReconfigVM_Task"), Some("2.0"));
        assert_eq!(method_since("QueryConnections"), Some("7.0.1.0"));
        assert_eq!(method_since("Nope"), None);
        assert_eq!(
            enum_value_since("VirtualMachinePowerState", "poweredOn"),
            Some("2.0")
        );
        assert_eq!(enum_value_since("VirtualMachinePowerState", "nope"), None);
        assert_eq!(releases()[idx("5.5")], "5.5");
    }

    #[test]
    fn release_ranks() {
        assert!(release_includes("5.5", "5.5"));
        assert!(release_includes("5.5", "2.5u2server"));
        assert!(!release_includes("5.5", "6.0"));
        // Numeric releases outside the table fall between its releases.
        assert!(release_includes("7.0", "7.0.0.0"));
        assert!(!release_includes("7.0", "7.0.0.2"));
        assert!(release_includes("7.0.3", "7.0.3.0"));
        assert!(!release_includes("7.0.3", "7.0.3.1"));
        assert!(release_includes("9.5.0.0", "9.1.1.0"));
        assert!(release_includes("3.0", "2.5u2server"));
        assert!(!release_includes("3.0", "4.0"));
        assert!(!release_includes("1.0", "2.0"));
        assert!(release_includes(" 6.5 ", "6.5"));
        // Internal codes: the one in the table sits in its place, others are newest.
        assert!(release_includes("m5CA1EF4D", "9.1.0.0"));
        assert!(!release_includes("m5CA1EF4D", "9.1.1.0"));
        assert!(release_includes("uA046D008", "9.1.1.0"));
        assert!(release_includes("", "9.1.1.0"));
        assert!(!release_includes("9.1.1.0", "uA046D008"));
        assert_eq!(cmp_numeric("7.0", "7.0.0.0"), Some(Ordering::Equal));
        assert_eq!(cmp_numeric("10.0", "9.9"), Some(Ordering::Greater));
        assert_eq!(cmp_numeric("7..0", "7"), None);
        assert_eq!(
            cmp_numeric("99999999999999999999999", "1"),
            None,
            "overlong parts are not numbers"
        );
    }

    const NS: &str = r#"xmlns="urn:vim25" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance""#;

    #[test]
    fn bare_operation_elements_and_any_type_content() {
        // anyType value with an enum type, then an ArrayOf box of a newer type.
        let doc = format!(
            r#"<SetField {NS}><_this type="CustomFieldsManager">f</_this><entity type="VirtualMachine">vm-1</entity><key>1</key><value>x</value></SetField>"#
        );
        assert!(check_request(doc.as_bytes(), "2.0").is_ok());
        // vcsim-style prefix for the schema-instance namespace.
        let doc = r#"<UpdateOptions xmlns="urn:vim25" xmlns:X="http://www.w3.org/2001/XMLSchema-instance"><_this type="OptionManager">o</_this><changedValue><key>k</key><value X:type="ArrayOfGuestInfoVirtualDiskMapping"><GuestInfoVirtualDiskMapping><vmdkPath>x</vmdkPath></GuestInfoVirtualDiskMapping></value></changedValue></UpdateOptions>"#;
        let e = check_request(doc.as_bytes(), "6.7").unwrap_err();
        assert_eq!(e.kind, ItemKind::Type);
        assert_eq!(e.item, "ArrayOfGuestInfoVirtualDiskMapping");
        assert_eq!(e.path, "UpdateOptions/changedValue/value");
        assert_eq!(e.since, "7.0.0.0");
        // An enum in anyType content.
        let doc = r#"<UpdateOptions xmlns="urn:vim25" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><_this type="OptionManager">o</_this><changedValue><key>k</key><value xsi:type="VirtualMachineGuestOsIdentifier">windows2019srv_64Guest</value></changedValue></UpdateOptions>"#;
        let e = check_request(doc.as_bytes(), "5.5").unwrap_err();
        assert_eq!(e.kind, ItemKind::EnumValue);
        assert_eq!(
            e.item,
            "VirtualMachineGuestOsIdentifier.windows2019srv_64Guest"
        );
        assert_eq!(e.path, "UpdateOptions/changedValue/value");
        assert!(check_request(doc.as_bytes(), "7.0.3.0").is_ok());
    }

    #[test]
    fn never_panics_on_odd_input() {
        let op = "<QueryConnections xmlns=\"urn:vim25\">";
        for doc in [
            &b""[..],
            b"   ",
            b"<",
            b"<a",
            b"junk",
            b"<Envelope/>",
            b"<Envelope><Header/><Body/></Envelope>",
            b"<Envelope><Body><Unknown_Op><x/></Unknown_Op></Body></Envelope>",
            b"<ReconfigVM_Task><spec><sgxInfo><epcSize>1</epcSize></spec></ReconfigVM_Task>",
            b"<ReconfigVM_Task><spec><guestId><x/></guestId></spec></ReconfigVM_Task>",
            b"<ReconfigVM_Task><spec xsi:type=\"\"/></ReconfigVM_Task>",
            b"<ReconfigVM_Task><spec a=b></spec></ReconfigVM_Task>",
            b"\xEF\xBB\xBF<ReconfigVM_Task><spec><name>\xFF</name></spec></ReconfigVM_Task>",
            op.as_bytes(),
        ] {
            for release in ["", "2.0", "5.5", "7.0", "x", "1.0", "99"] {
                let _ = check_request(doc, release);
            }
        }
        // Too deep: the reader's depth limit ends the walk.
        let mut deep = String::from("<ReconfigVM_Task><spec><extraConfig>");
        for _ in 0..1000 {
            deep.push_str("<value xsi:type=\"OptionValue\">");
        }
        assert!(check_request(deep.as_bytes(), "2.0").is_ok());
        // Every prefix and single-byte corruption of a real-looking request.
        let doc = br#"<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><ReconfigVM_Task xmlns="urn:vim25"><_this type="VirtualMachine">vm-1</_this><spec><name>a&amp;b</name><deviceChange><operation>add</operation><device xsi:type="VirtualNVMEController"><key>-1</key><busNumber>0</busNumber></device></deviceChange><extraConfig><key>k</key><value xsi:type="xsd:string">v</value></extraConfig></spec></ReconfigVM_Task></soapenv:Body></soapenv:Envelope>"#;
        let e = check_request(doc, "5.5").unwrap_err();
        assert_eq!(e.path, "ReconfigVM_Task/spec/deviceChange/device");
        for i in 0..doc.len() {
            let _ = check_request(&doc[..i], "5.5");
            for b in [b'<', b'>', b'"', b'/', b'&', b':', 0xFF, b'x'] {
                let mut d = doc.to_vec();
                d[i] = b;
                let _ = check_request(&d, "5.5");
            }
        }
        // What precedes an error is still checked.
        assert!(check_request(op.as_bytes(), "6.7").is_err());
        // A violation found before malformed content is reported.
        let doc = b"<ReconfigVM_Task><spec><sgxInfo><epcSize>1</epcSize></sgxInfo><x></spec>";
        assert!(check_request(doc, "6.7").is_err());
    }
}
