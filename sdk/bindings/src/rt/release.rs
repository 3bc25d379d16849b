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
use std::hash::{Hash, Hasher};
use std::str::FromStr;
use std::sync::OnceLock;

use crate::generated::releases::{ENUM_VALUES, ENUMS, FIELDS, OPERATIONS, TYPES, UNKNOWN};
use crate::xml::{BytesStart, DecodeError, XmlReader, local_name};

pub use crate::generated::releases::RELEASES;

// ----- the release type ------------------------------------------------------------

/// The newest release this SDK knows: its type model (`shared/vmodl/`) covers
/// vim25 up to VCF 9.0: the newest release a client negotiates.
pub const NEWEST_KNOWN: &str = "9.0.0.0";

/// Longest piece of untrusted text quoted in an error message.
const QUOTE_MAX: usize = 64;

/// `s`, cut to [`QUOTE_MAX`] characters so that an error message stays
/// readable whatever the server sent.
fn clip(s: &str) -> String {
    match s.char_indices().nth(QUOTE_MAX) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_owned(),
    }
}

/// A vim25 API release such as `6.5`, `6.7.3` or `8.0.2.0`: one to four
/// dot-separated decimal numbers.
///
/// Comparison is numeric, with missing trailing parts equal to zero, so
/// `7.0 == 7.0.0.0` and `6.7.3 > 6.7`; `Eq`, `Ord` and `Hash` agree. The
/// original text is kept, because the server expects its own spelling back in
/// the `SOAPAction`: [`as_str`](Self::as_str), [`Display`](fmt::Display) and
/// [`soap_action`](Self::soap_action) use it.
///
/// ```
/// use vmomi_bindings::rt::release::Release;
/// let r: Release = "7.0".parse().unwrap();
/// assert_eq!(r, "7.0.0.0".parse().unwrap());
/// assert!(r < "7.0.3.0".parse().unwrap());
/// assert_eq!(r.as_str(), "7.0");
/// ```
#[derive(Clone)]
pub struct Release {
    text: String,
    parts: [u32; 4],
}

impl Release {
    /// The text this release was parsed from, unchanged.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The `SOAPAction` value that selects this release, `urn:vim25/<text>`,
    /// without the quotes the HTTP header puts around it.
    #[must_use]
    pub fn soap_action(&self) -> String {
        format!("urn:vim25/{}", self.text)
    }

    /// [`NEWEST_KNOWN`] as a `Release`.
    #[must_use]
    pub fn newest_known() -> Release {
        NEWEST_KNOWN
            .parse()
            .expect("NEWEST_KNOWN is a numbered release")
    }
}

impl FromStr for Release {
    type Err = ParseReleaseError;

    /// Parses `1` to `4` dot-separated runs of ASCII digits; no signs, spaces
    /// or suffixes (trim before parsing text from a document).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.is_empty() {
            return Err(ParseReleaseError::Empty);
        }
        let count = text.split('.').count();
        if count > 4 {
            return Err(ParseReleaseError::TooManyParts {
                text: clip(text),
                count,
            });
        }
        let mut parts = [0u32; 4];
        for (slot, part) in parts.iter_mut().zip(text.split('.')) {
            // u32::from_str alone would accept "+5".
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ParseReleaseError::NotANumber {
                    text: clip(text),
                    part: clip(part),
                });
            }
            *slot = part.parse().map_err(|_| ParseReleaseError::TooLarge {
                text: clip(text),
                part: clip(part),
            })?;
        }
        Ok(Release {
            text: text.to_owned(),
            parts,
        })
    }
}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Release").field(&self.text).finish()
    }
}

impl PartialEq for Release {
    fn eq(&self, other: &Self) -> bool {
        self.parts == other.parts
    }
}

impl Eq for Release {}

impl Hash for Release {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.parts.hash(state);
    }
}

impl Ord for Release {
    fn cmp(&self, other: &Self) -> Ordering {
        self.parts.cmp(&other.parts)
    }
}

impl PartialOrd for Release {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Why a text is not a [`Release`]. Texts are quoted cut to 64 characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseReleaseError {
    /// The text is empty.
    #[error("release \"\": empty text")]
    Empty,
    /// A dot-separated part is empty or has a character other than `0`-`9`.
    #[error("release {text:?}: part {part:?} is not a number")]
    NotANumber {
        /// The whole text.
        text: String,
        /// The offending part.
        part: String,
    },
    /// A part does not fit in 32 bits.
    #[error("release {text:?}: part {part:?} is too large")]
    TooLarge {
        /// The whole text.
        text: String,
        /// The offending part.
        part: String,
    },
    /// More than four parts.
    #[error("release {text:?}: {count} parts, at most 4")]
    TooManyParts {
        /// The whole text.
        text: String,
        /// How many parts it has.
        count: usize,
    },
}

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

/// The field `name` of type `ty` or of one of its bases, inherited fields
/// first: `(declaring type, field row)`.
fn find_field(ty: usize, name: &str) -> Option<(usize, &'static (&'static str, &'static str, u8))> {
    let (chain, len) = super::base_chain(ty, |t| match TYPES[t].2 {
        "" => None,
        base => type_index(base),
    });
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

/// [`RELEASES`] as [`Release`]s (`None` for `2.5u2` and `2.5u2server`).
fn table() -> &'static [Option<Release>] {
    static TABLE: OnceLock<Vec<Option<Release>>> = OnceLock::new();
    TABLE.get_or_init(|| RELEASES.iter().map(|r| r.parse().ok()).collect())
}

/// A release's place among [`RELEASES`]: release `i` of the table is
/// `2i + 1`; a release between table releases `k - 1` and `k` (by number,
/// `7.0` being `7.0.0.0`) is `2k`, so a future release (`9.2.0.0`) is past
/// every release of the table.
fn rank(release: &Release) -> usize {
    if let Some(i) = RELEASES.iter().position(|x| *x == release.as_str()) {
        return 2 * i + 1;
    }
    let k = table()
        .iter()
        .position(|x| x.as_ref().is_some_and(|x| x > release))
        .unwrap_or(RELEASES.len());
    2 * k
}

/// [`rank`] of a release name: a name of the table, or a text that parses
/// as a [`Release`]; any other text (an internal build code such as
/// `uA046D008`) is newer than everything.
fn rank_text(release: &str) -> usize {
    let r = release.trim();
    if let Some(i) = RELEASES.iter().position(|x| *x == r) {
        return 2 * i + 1;
    }
    r.parse().map_or(usize::MAX, |r| rank(&r))
}

/// Does a server speaking `release` have an item introduced in
/// `item_release` (a name of [`RELEASES`], as the `*_since` functions
/// return)? Both are placed as the module documentation describes.
pub fn release_includes(release: &str, item_release: &str) -> bool {
    rank_text(item_release) <= rank_text(release)
}

impl Release {
    /// Whether a server speaking this release has an item introduced in
    /// `item_release` (a name the `*_since` functions return).
    ///
    /// ```
    /// use vmomi_bindings::rt::release::Release;
    /// let future: Release = "9.2.0.0".parse().unwrap();
    /// assert!(future.includes("8.0.3.0"));
    /// assert!(!"6.5".parse::<Release>().unwrap().includes("7.0.0.0"));
    /// ```
    #[must_use]
    pub fn includes(&self, item_release: &str) -> bool {
        rank_text(item_release) <= rank(self)
    }
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
    check(envelope, rank_text(release), release)
}

/// [`check_request`] against a [`Release`]: what the client runs before
/// every request, with the release it negotiated (or a stub's).
///
/// ```
/// use vmomi_bindings::rt::release::{Release, check_request_at};
/// let req = br#"<QueryConnections xmlns="urn:vim25"><_this type="VirtualMachine">vm-1</_this></QueryConnections>"#;
/// let at = |r: &str| check_request_at(req, &r.parse::<Release>().unwrap());
/// assert!(at("7.0").is_err());
/// assert!(at("7.0.1.0").is_ok());
/// assert!(at("9.2.0.0").is_ok(), "a release newer than the tables has everything");
/// ```
pub fn check_request_at(envelope: &[u8], release: &Release) -> Result<(), ReleaseViolation> {
    check(envelope, rank(release), release.as_str())
}

fn check(envelope: &[u8], ceiling: usize, release: &str) -> Result<(), ReleaseViolation> {
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

    fn r(s: &str) -> Release {
        s.parse().unwrap()
    }

    #[test]
    fn release_parse_errors_name_the_problem() {
        let msg = |s: &str| s.parse::<Release>().unwrap_err().to_string();
        assert_eq!(msg(""), "release \"\": empty text");
        assert_eq!(msg("7.x"), "release \"7.x\": part \"x\" is not a number");
        assert_eq!(msg("7..0"), "release \"7..0\": part \"\" is not a number");
        assert_eq!(msg("7.0."), "release \"7.0.\": part \"\" is not a number");
        assert_eq!(msg("+7.0"), "release \"+7.0\": part \"+7\" is not a number");
        assert_eq!(msg(" 7.0"), "release \" 7.0\": part \" 7\" is not a number");
        assert_eq!(
            msg("1.2.3.4.5"),
            "release \"1.2.3.4.5\": 5 parts, at most 4"
        );
        assert_eq!(
            msg("7.4294967296"),
            "release \"7.4294967296\": part \"4294967296\" is too large"
        );
        assert!(matches!(
            "2.5u2".parse::<Release>(),
            Err(ParseReleaseError::NotANumber { .. })
        ));
        let long = "x".repeat(1000);
        assert!(msg(&long).len() < 200, "long texts are cut");
    }

    #[test]
    fn release_order_is_numeric_and_eq_agrees() {
        use std::collections::HashSet;
        assert!(r("6.7.3") > r("6.7"));
        assert!(r("10.0") > r("9.0"));
        assert!(r("6.10") > r("6.9"));
        assert_eq!(r("7.0"), r("7.0.0.0"));
        assert_eq!(r("7.0").cmp(&r("7.0.0.0")), Ordering::Equal);
        assert_eq!(r("07.0"), r("7"));
        let set: HashSet<Release> = [r("7"), r("7.0"), r("7.0.0.0")].into_iter().collect();
        assert_eq!(set.len(), 1, "Hash agrees with Eq");
        assert_eq!(r("7.0").to_string(), "7.0");
        assert_eq!(format!("{:?}", r("7.0")), "Release(\"7.0\")");
        assert_eq!(r("8.0.2.0").soap_action(), "urn:vim25/8.0.2.0");
    }

    #[test]
    fn future_and_odd_releases_are_placed() {
        let newest = Release::newest_known();
        assert!(r("9.2.0.0") > newest);
        assert!(r("9.2.0.0") < r("10.0"));
        assert_eq!(rank(&r("9.2.0.0")), 2 * RELEASES.len());
        assert!(rank(&r("7.0")) > rank(&r("6.7.3")));
        assert_eq!(rank(&r("7.0")), rank_text("7.0"));
        assert_eq!(rank_text("uA046D008"), usize::MAX);
        assert!(r("9.2.0.0").includes(NEWEST_KNOWN));
        assert!(!r("5.5").includes("6.0"));
        assert!(r("5.5").includes("5.5"));
    }

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
        assert_eq!(r("7.0").cmp(&r("7.0.0.0")), Ordering::Equal);
        assert!(r("10.0") > r("9.9"));
        assert!("7..0".parse::<Release>().is_err());
        assert!(
            "99999999999999999999999".parse::<Release>().is_err(),
            "overlong parts are not numbers"
        );
        assert!(
            release_includes("99999999999999999999999", "9.1.1.0"),
            "a text that is not a release passes everything"
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
