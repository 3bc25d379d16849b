//! Streaming pull reader over a byte slice, built on quick-xml.
//!
//! Protocol: every start tag handed out by [`XmlReader::root`] or
//! [`XmlReader::next_child`] must be consumed by exactly one of
//! [`XmlReader::value`], [`XmlReader::text`], [`XmlReader::skip`],
//! [`XmlReader::unknown_element`] or a loop of `next_child` until it returns
//! `None` (which is what [`decode_struct`](super::decode_struct) does).
//!
//! Hot-path choices: events borrow from the input, empty elements (`<a/>`) are
//! not expanded (quick-xml would allocate a `String` to synthesize their end
//! tag) but flagged, namespace declarations are only looked for in elements
//! that have attributes, and no element path is kept: it is rebuilt from the
//! call stack only when an error unwinds (see [`DecodeError::within`]).

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::BTreeMap;

use quick_xml::events::{BytesRef, BytesStart};

use super::XmlValue;
use super::error::{DecodeError, DecodeErrorKind};
use super::extra::{Extra, UnknownElement};
use super::lexer::{LexError, Lexer, Token};

/// Namespace of `xsi:type`.
pub const XSI_NAMESPACE: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Deepest element nesting accepted: bounds the recursion of the typed
/// decoders so that hostile input cannot overflow the stack. vSphere data
/// nests a few dozen levels at most.
pub const MAX_DEPTH: usize = 256;

/// Counts of content these bindings did not know, per name (for reports).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnknownStats {
    /// Unknown child elements, by local name.
    pub elements: BTreeMap<String, u64>,
    /// Unknown `xsi:type` names.
    pub types: BTreeMap<String, u64>,
    /// Unknown enum values, as `EnumType.value`.
    pub enum_values: BTreeMap<String, u64>,
}

impl UnknownStats {
    /// True when nothing unknown was seen.
    pub fn is_empty(&self) -> bool {
        self.elements.is_empty() && self.types.is_empty() && self.enum_values.is_empty()
    }

    /// Total number of unknown elements.
    pub fn total_elements(&self) -> u64 {
        self.elements.values().sum()
    }

    /// Total number of values with an unknown `xsi:type`.
    pub fn total_types(&self) -> u64 {
        self.types.values().sum()
    }

    /// Total number of unknown enum values.
    pub fn total_enum_values(&self) -> u64 {
        self.enum_values.values().sum()
    }

    /// Adds the counts of `other` to these.
    pub fn merge(&mut self, other: &UnknownStats) {
        for (mine, theirs) in [
            (&mut self.elements, &other.elements),
            (&mut self.types, &other.types),
            (&mut self.enum_values, &other.enum_values),
        ] {
            for (k, v) in theirs {
                *mine.entry(k.clone()).or_default() += v;
            }
        }
    }
}

fn bump(map: &mut BTreeMap<String, u64>, name: &str) {
    match map.get_mut(name) {
        Some(n) => *n += 1,
        None => {
            map.insert(name.to_owned(), 1);
        }
    }
}

/// One `xmlns:prefix="uri"` declaration in scope.
struct NsBinding<'a> {
    /// Depth of the declaring element; popped when that element ends.
    depth: usize,
    prefix: &'a [u8],
    is_xsi: bool,
}

/// True when the start tag has anything after its name (attributes, or spaces).
#[inline(always)]
fn has_attributes(start: &BytesStart<'_>) -> bool {
    start.name().as_ref().len() < start.len()
}

/// Does an attribute list contain a namespace declaration (`xmlns:`)?
/// A byte search for `x` is much cheaper than parsing the attributes.
#[inline]
fn declares_prefix(attrs: &str) -> bool {
    let b = attrs.as_bytes();
    memchr::memchr_iter(b'x', b).any(|i| b[i..].starts_with(b"xmlns:"))
}

/// Minimal scanner over a start tag's attribute text, yielding raw
/// `(name, value)` pairs. Much cheaper than quick-xml's general iterator for
/// the one or two attributes vim25 elements carry. Every index it slices at
/// is an ASCII byte or an end, so slicing cannot panic.
struct AttrScan<'s> {
    s: &'s str,
    pos: usize,
}

impl<'s> AttrScan<'s> {
    fn new(start: &'s BytesStart<'_>) -> Self {
        AttrScan {
            s: start.attributes_raw(),
            pos: 0,
        }
    }
}

impl<'s> Iterator for AttrScan<'s> {
    /// `Err` carries a description of the syntax error.
    type Item = Result<(&'s str, &'s str), &'static str>;

    fn next(&mut self) -> Option<Self::Item> {
        let b = self.s.as_bytes();
        let skip_ws = |mut i: usize| {
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            i
        };
        let mut i = skip_ws(self.pos);
        if i >= b.len() {
            self.pos = i;
            return None;
        }
        // On any error, stop iterating.
        self.pos = b.len();
        let name_start = i;
        let Some(eq) = memchr::memchr(b'=', &b[i..]) else {
            return Some(Err("expected `name=\"value\"`"));
        };
        i += eq;
        let mut name_end = i;
        while name_end > name_start && b[name_end - 1].is_ascii_whitespace() {
            name_end -= 1;
        }
        if name_end == name_start {
            return Some(Err("expected `name=\"value\"`"));
        }
        i = skip_ws(i + 1);
        let quote = match b.get(i) {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => return Some(Err("attribute value not quoted")),
        };
        let value_start = i + 1;
        let Some(len) = memchr::memchr(quote, &b[value_start..]) else {
            return Some(Err("unterminated attribute value"));
        };
        self.pos = value_start + len + 1;
        Some(Ok((
            &self.s[name_start..name_end],
            &self.s[value_start..value_start + len],
        )))
    }
}

/// The local part of an `xsi:type` value: after its last `:`, trimmed.
fn type_local(value: &str) -> &str {
    match value.as_bytes().iter().rposition(|&b| b == b':') {
        Some(i) => value[i + 1..].trim_ascii(),
        None => value.trim_ascii(),
    }
}

/// `(prefix, local part)` when a start tag's attribute text is exactly one
/// `prefix:type="value"` (either quote, spaces around it), read in one pass;
/// else `None`, and the general scan decides, errors included. It gives
/// what the general scan gives for that shape.
#[inline]
fn lone_type_attribute(attrs: &str) -> Option<(&str, &str)> {
    let b = attrs.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    let name = i;
    while i < b.len() && b[i] != b':' {
        if matches!(b[i], b'=' | b'"' | b'\'') {
            return None;
        }
        i += 1;
    }
    let colon = i;
    let quote = match b.get(colon..colon + 7)? {
        [b':', b't', b'y', b'p', b'e', b'=', q @ (b'"' | b'\'')] => *q,
        _ => return None,
    };
    let value = colon + 7;
    let mut local = value;
    i = value;
    while i < b.len() && b[i] != quote {
        if b[i] == b':' {
            local = i + 1;
        }
        i += 1;
    }
    let close = i;
    if close >= b.len() || colon == name || !attrs[close + 1..].trim_ascii().is_empty() {
        return None;
    }
    Some((&attrs[name..colon], attrs[local..close].trim_ascii()))
}

/// The raw `(name, value)` pairs of a start tag's attribute text; stops at
/// the first syntax error (yielded as `Err`).
pub(crate) fn scan_attributes(
    attrs: &str,
) -> impl Iterator<Item = Result<(&str, &str), &'static str>> {
    AttrScan { s: attrs, pos: 0 }
}

/// Pull reader over an in-memory XML document.
pub struct XmlReader<'a> {
    /// The document without any UTF-8 byte order mark.
    input: &'a [u8],
    /// Bytes stripped from the front (the BOM), added to reported offsets.
    base: u64,
    lex: Lexer<'a>,
    /// Number of open elements (not counting a flagged empty element).
    depth: usize,
    /// The element last handed out was `<x/>`: its (empty) content and end are
    /// implied, and the next consuming call must not read any event.
    pending_empty: bool,
    ns: Vec<NsBinding<'a>>,
    /// Last `xsi_type` answer, keyed by the start tag's address: polymorphic
    /// values are asked twice (to dispatch, then by `decode_struct`).
    /// The answer is kept as a span of the tag's attribute text.
    last_xsi: Cell<(usize, Option<(u32, u32)>)>,
    stats: UnknownStats,
}

impl<'a> XmlReader<'a> {
    /// A reader over `input` (UTF-8; a byte order mark is skipped).
    pub fn new(input: &'a [u8]) -> Self {
        let (input, base) = match input.strip_prefix(b"\xEF\xBB\xBF") {
            Some(rest) => (rest, 3),
            None => (input, 0),
        };
        XmlReader {
            input,
            base,
            lex: Lexer::new(input),
            depth: 0,
            pending_empty: false,
            ns: Vec::new(),
            last_xsi: Cell::new((0, None)),
            stats: UnknownStats::default(),
        }
    }

    /// Current byte offset in the input (just after the last event read).
    pub fn offset(&self) -> u64 {
        self.base + self.lex.position() as u64
    }

    /// Number of currently open elements.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Counts of unknown elements and types seen so far.
    pub fn stats(&self) -> &UnknownStats {
        &self.stats
    }

    /// Takes the counts, leaving them empty.
    pub fn take_stats(&mut self) -> UnknownStats {
        std::mem::take(&mut self.stats)
    }

    // ----- navigation -------------------------------------------------------

    /// Skips the XML declaration, comments, processing instructions and
    /// whitespace, and returns the document element's start tag.
    pub fn root(&mut self) -> Result<BytesStart<'a>, DecodeError> {
        loop {
            match self.lex.next() {
                Ok(Token::Start(s)) => {
                    self.open(&s)?;
                    return Ok(s);
                }
                Ok(Token::Empty(s)) => {
                    self.pending_empty = true;
                    return Ok(s);
                }
                Ok(Token::Text(t)) if t.trim_ascii().is_empty() => {}
                Ok(Token::Decl | Token::Pi | Token::Comment) => {}
                Ok(Token::DocType) => return Err(self.doctype()),
                Ok(Token::Eof) => return Err(self.eof()),
                Ok(Token::Text(t)) => return Err(self.not_xml(t)),
                Ok(_) => return Err(self.unexpected("content before the root element")),
                Err(e) => return Err(self.xml_error(e)),
            }
        }
    }

    /// The next child element of the current element, or `None` once the
    /// current element's end tag has been consumed. Text, comments and
    /// processing instructions between children are skipped.
    #[inline]
    pub fn next_child(&mut self) -> Result<Option<BytesStart<'a>>, DecodeError> {
        if self.pending_empty {
            self.pending_empty = false;
            return Ok(None);
        }
        loop {
            match self.lex.next() {
                Ok(Token::Start(s)) => {
                    self.open(&s)?;
                    return Ok(Some(s));
                }
                Ok(Token::End) => {
                    self.close();
                    return Ok(None);
                }
                Ok(Token::Empty(s)) => {
                    self.pending_empty = true;
                    return Ok(Some(s));
                }
                Ok(Token::Eof) => return Err(self.eof()),
                Ok(Token::DocType) => return Err(self.doctype()),
                Ok(_) => {}
                Err(e) => return Err(self.xml_error(e)),
            }
        }
    }

    /// Decodes the element `start` as a `T`.
    #[inline]
    pub fn value<T: XmlValue>(&mut self, start: &BytesStart<'a>) -> Result<T, DecodeError> {
        T::decode(self, start)
    }

    /// The text content of `start`, through its end tag: entity and character
    /// references resolved, CDATA kept, line ends normalized. Borrows from the
    /// input unless something had to be rewritten. A child element is an error.
    #[inline]
    pub fn text(&mut self, start: &BytesStart<'a>) -> Result<Cow<'a, str>, DecodeError> {
        if self.pending_empty {
            self.pending_empty = false;
            return Ok(Cow::Borrowed(""));
        }
        // Fast path: one text event (or none), then the end tag.
        let first = match self.lex.next() {
            Ok(Token::Text(t)) => normalize_eols(Cow::Borrowed(t)),
            Ok(Token::End) => {
                self.close();
                return Ok(Cow::Borrowed(""));
            }
            other => return self.text_slow(start, Cow::Borrowed(""), other),
        };
        match self.lex.next() {
            Ok(Token::End) => {
                self.close();
                Ok(first)
            }
            other => self.text_slow(start, first, other),
        }
    }

    /// The general case of [`text`](Self::text): references, CDATA,
    /// comments, and errors. `event` is the next unprocessed event.
    #[inline(never)]
    fn text_slow(
        &mut self,
        start: &BytesStart<'a>,
        mut out: Cow<'a, str>,
        mut event: Result<Token<'a>, LexError>,
    ) -> Result<Cow<'a, str>, DecodeError> {
        loop {
            match event {
                Ok(Token::Text(t)) => append(&mut out, normalize_eols(Cow::Borrowed(t))),
                Ok(Token::End) => {
                    self.close();
                    return Ok(out);
                }
                Ok(Token::Ref(name)) => match BytesRef::new(name).resolve_char_ref() {
                    Ok(Some(c)) => out.to_mut().push(c),
                    Ok(None) => match quick_xml::escape::resolve_predefined_entity(name) {
                        Some(s) => out.to_mut().push_str(s),
                        None => {
                            return Err(self.error_here(DecodeErrorKind::Xml(format!(
                                "unknown entity &{};",
                                name
                            ))));
                        }
                    },
                    Err(e) => {
                        return Err(self.error_here(DecodeErrorKind::Xml(format!("&{name};: {e}"))));
                    }
                },
                Ok(Token::CData(c)) => append(&mut out, normalize_eols(Cow::Borrowed(c))),
                Ok(Token::Comment | Token::Pi) => {}
                Ok(Token::Start(s) | Token::Empty(s)) => {
                    let msg = format!(
                        "unexpected element <{}> in the simple content of <{}>",
                        s.name().as_ref(),
                        start.name().as_ref()
                    );
                    return Err(DecodeError::new(
                        self.start_offset(&s),
                        DecodeErrorKind::Unexpected(msg),
                    ));
                }
                Ok(Token::Eof) => return Err(self.eof()),
                Ok(Token::DocType) => return Err(self.doctype()),
                Ok(Token::Decl) => {
                    return Err(self.unexpected("declaration inside an element"));
                }
                Err(e) => return Err(self.xml_error(e)),
            }
            event = self.lex.next();
        }
    }

    /// Skips `start`'s content through its end tag.
    pub fn skip(&mut self, _start: &BytesStart<'a>) -> Result<(), DecodeError> {
        if self.pending_empty {
            self.pending_empty = false;
            return Ok(());
        }
        // Nested declarations are not recorded while skipping, so only the
        // ones of `start` itself need popping at the end.
        let outer = self.depth.saturating_sub(1);
        loop {
            match self.lex.next() {
                // Skipping recurses nowhere, but a document nested this deep
                // is refused wherever the nesting is, not only where it is
                // decoded.
                Ok(Token::Start(_)) if self.depth == MAX_DEPTH => return Err(self.too_deep()),
                Ok(Token::Start(_)) => self.depth += 1,
                Ok(Token::End) => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth <= outer {
                        self.pop_ns();
                        return Ok(());
                    }
                }
                Ok(Token::Eof) => return Err(self.eof()),
                Ok(Token::DocType) => return Err(self.doctype()),
                Ok(_) => {}
                Err(e) => return Err(self.xml_error(e)),
            }
        }
    }

    /// Keeps `start` (an element the bindings do not know) verbatim in
    /// `extra`, skipping it, and counts it in [`stats`](Self::stats).
    pub fn unknown_element(
        &mut self,
        start: &BytesStart<'a>,
        extra: &mut Extra,
    ) -> Result<(), DecodeError> {
        let begin = self.start_index(start);
        self.skip(start)?;
        let name = start.local_name();
        let name: &str = name.as_ref();
        let xml = match begin {
            Some(b) => self.raw_from(b)?.to_owned(),
            // Not from this input (hand-built start tag): keep what we can.
            None => format!("<{}/>", &**start),
        };
        bump(&mut self.stats.elements, name);
        extra.push_element(UnknownElement {
            name: name.to_owned(),
            xml,
        });
        Ok(())
    }

    /// Skips an element these bindings do not expect here, counting it.
    pub fn skip_unknown(&mut self, start: &BytesStart<'a>) -> Result<(), DecodeError> {
        self.skip(start)?;
        let name = start.local_name();
        bump(&mut self.stats.elements, name.as_ref());
        Ok(())
    }

    /// Counts a value sent with an `xsi:type` these bindings do not know.
    pub fn unknown_type(&mut self, name: &str) {
        bump(&mut self.stats.types, name);
    }

    /// Counts an enum value these bindings do not know (kept by the caller).
    pub fn unknown_enum_value(&mut self, enum_type: &str, value: &str) {
        bump(&mut self.stats.enum_values, &format!("{enum_type}.{value}"));
    }

    // ----- attributes ---------------------------------------------------------

    /// The local part of `start`'s `xsi:type` attribute (`xsd:string` gives
    /// `string`), if it has one. The attribute is found by namespace: its
    /// prefix may be bound on the element itself or on any ancestor, whatever
    /// its spelling (`xsi`, `XMLSchema-instance`, ...). An undeclared `xsi`
    /// prefix is accepted too, for fragments cut out of a larger document.
    ///
    /// The answer borrows from `start`; an element's namespace scope is this
    /// reader's, so `start` should be the tag it handed out last.
    #[inline]
    pub fn xsi_type<'s>(&self, start: &'s BytesStart<'a>) -> Result<Option<&'s str>, DecodeError> {
        if !has_attributes(start) {
            return Ok(None);
        }
        let attrs = start.attributes_raw();
        let key = start.as_ptr() as usize;
        let (k, v) = self.last_xsi.get();
        if k == key {
            return Ok(v.map(|(a, b)| &attrs[a as usize..b as usize]));
        }
        let v = self.xsi_type_slow(start, attrs)?;
        // Only tags of this input have stable, unique addresses.
        if self.index_of(start).is_some() {
            let span = v.map(|t| {
                let a = t.as_ptr() as usize - attrs.as_ptr() as usize;
                (a as u32, (a + t.len()) as u32)
            });
            self.last_xsi.set((key, span));
        }
        Ok(v)
    }

    fn xsi_type_slow<'s>(
        &self,
        start: &BytesStart<'a>,
        attrs: &'s str,
    ) -> Result<Option<&'s str>, DecodeError> {
        // Nearly every typed element carries its type and nothing else:
        // that shape is read in one pass. Its prefix is then not declared on
        // the element itself, so the scope decides.
        if let Some((prefix, local)) = lone_type_attribute(attrs) {
            return Ok(self.prefix_in_scope_is_xsi(prefix).then_some(local));
        }
        for attr in scan_attributes(attrs) {
            let (key, value) = attr.map_err(|e| self.attr_error(start, e))?;
            let Some(prefix) = key.strip_suffix(":type") else {
                continue;
            };
            if !self.prefix_is_xsi(start, prefix)? {
                continue;
            }
            return Ok(Some(type_local(value)));
        }
        Ok(None)
    }

    fn prefix_is_xsi(&self, start: &BytesStart<'a>, prefix: &str) -> Result<bool, DecodeError> {
        // Declarations on the element itself first: those of an empty element
        // are never pushed on the scope stack.
        if declares_prefix(start.attributes_raw()) {
            for attr in AttrScan::new(start) {
                let (key, value) = attr.map_err(|e| self.attr_error(start, e))?;
                if key.strip_prefix("xmlns:") == Some(prefix) {
                    return Ok(is_xsi_uri(value));
                }
            }
        }
        Ok(self.prefix_in_scope_is_xsi(prefix))
    }

    /// Whether `prefix`, as declared by the open elements, names the xsi
    /// namespace (an undeclared `xsi` does too).
    #[inline]
    fn prefix_in_scope_is_xsi(&self, prefix: &str) -> bool {
        for b in self.ns.iter().rev() {
            if b.prefix == prefix.as_bytes() {
                return b.is_xsi;
            }
        }
        prefix == "xsi"
    }

    /// The value of the unprefixed attribute `name` of `start`, unescaped.
    pub fn attribute(
        &self,
        start: &BytesStart<'a>,
        name: impl AsRef<[u8]>,
    ) -> Result<Option<Cow<'a, str>>, DecodeError> {
        if !has_attributes(start) {
            return Ok(None);
        }
        let name = name.as_ref();
        for attr in AttrScan::new(start) {
            let (key, raw) = attr.map_err(|e| self.attr_error(start, e))?;
            if key.as_bytes() != name {
                continue;
            }
            if raw
                .bytes()
                .any(|b| matches!(b, b'&' | b'\t' | b'\n' | b'\r'))
            {
                // Attribute-value normalization (XML 1.0 3.3.3): literal line
                // ends and tabs become spaces, then references are replaced
                // (so `&#9;` stays a tab).
                let spaced = raw.replace("\r\n", " ").replace(['\t', '\n', '\r'], " ");
                let unescaped =
                    quick_xml::escape::unescape(&spaced).map_err(|e| self.attr_error(start, e))?;
                return Ok(Some(Cow::Owned(unescaped.into_owned())));
            }
            return Ok(Some(match self.input_str(raw) {
                Some(s) => Cow::Borrowed(s),
                None => Cow::Owned(raw.to_owned()),
            }));
        }
        Ok(None)
    }

    // ----- errors -------------------------------------------------------------

    /// An [`DecodeErrorKind::InvalidValue`] error located at `start`.
    #[cold]
    pub fn invalid_value(
        &self,
        start: &BytesStart<'a>,
        ty: &'static str,
        value: &str,
    ) -> DecodeError {
        DecodeError::invalid_value(self.start_offset(start), ty, value)
    }

    /// A [`DecodeErrorKind::Unexpected`] error at the current offset.
    #[cold]
    pub fn unexpected(&self, message: impl Into<String>) -> DecodeError {
        self.error_here(DecodeErrorKind::Unexpected(message.into()))
    }

    #[cold]
    fn error_here(&self, kind: DecodeErrorKind) -> DecodeError {
        DecodeError::new(self.offset(), kind)
    }

    /// A DOCTYPE anywhere: a SOAP message must not have one (SOAP 1.1,
    /// section 3), and refusing it whole means no DTD is read and no entity
    /// is declared, so none is expanded (billion laughs) or fetched from a
    /// file or URL (XXE). Located at its `<!DOCTYPE`.
    #[cold]
    fn doctype(&self) -> DecodeError {
        let offset = self.base + self.lex.markup_start() as u64;
        DecodeError::new(
            offset,
            DecodeErrorKind::Unexpected(
                "a DOCTYPE is not accepted (a SOAP message has none): no DTD is read and no entity is expanded or fetched"
                    .to_owned(),
            ),
        )
    }

    /// Text where the root element should be: a body that is not XML at
    /// all (plain text, JSON), shown by its start.
    #[cold]
    fn not_xml(&self, raw: &str) -> DecodeError {
        let lead = raw.len() - raw.trim_ascii_start().len();
        let offset = (raw.as_ptr() as usize)
            .checked_sub(self.input.as_ptr() as usize)
            .filter(|&i| i <= self.input.len())
            .map_or_else(|| self.offset(), |i| self.base + (i + lead) as u64);
        let text = raw.trim_ascii();
        let start: String = text.chars().take(40).collect();
        let more = if start.len() < text.len() { "..." } else { "" };
        DecodeError::new(
            offset,
            DecodeErrorKind::Unexpected(format!("not XML: it starts with {start:?}{more}")),
        )
    }

    #[cold]
    fn too_deep(&self) -> DecodeError {
        self.unexpected(format!("elements nested deeper than {MAX_DEPTH} levels"))
    }

    #[cold]
    fn eof(&self) -> DecodeError {
        self.error_here(DecodeErrorKind::UnexpectedEof)
    }

    #[cold]
    fn xml_error(&self, e: LexError) -> DecodeError {
        DecodeError::new(self.base + e.at as u64, DecodeErrorKind::Xml(e.message))
    }

    #[cold]
    fn attr_error(&self, start: &BytesStart<'a>, e: impl std::fmt::Display) -> DecodeError {
        DecodeError::new(
            self.start_offset(start),
            DecodeErrorKind::Xml(format!("bad attribute in <{}>: {e}", start.name().as_ref())),
        )
    }

    // ----- internals ----------------------------------------------------------

    /// Bookkeeping for a start tag that opens an element.
    #[inline(always)]
    fn open(&mut self, s: &BytesStart<'a>) -> Result<(), DecodeError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.too_deep());
        }
        if has_attributes(s) && declares_prefix(s.attributes_raw()) {
            self.push_ns(s)?;
        }
        Ok(())
    }

    /// Bookkeeping for an end tag.
    #[inline(always)]
    fn close(&mut self) {
        self.depth = self.depth.saturating_sub(1);
        self.pop_ns();
    }

    #[inline(always)]
    fn pop_ns(&mut self) {
        while matches!(self.ns.last(), Some(b) if b.depth > self.depth) {
            self.ns.pop();
        }
    }

    #[cold]
    fn push_ns(&mut self, s: &BytesStart<'a>) -> Result<(), DecodeError> {
        for attr in AttrScan::new(s) {
            let (key, value) = attr.map_err(|e| self.attr_error(s, e))?;
            let Some(prefix) = key.strip_prefix("xmlns:").and_then(|p| self.input_bytes(p)) else {
                continue;
            };
            self.ns.push(NsBinding {
                depth: self.depth,
                prefix,
                is_xsi: is_xsi_uri(value),
            });
        }
        Ok(())
    }

    /// Index in `input` of `s`, a slice of it (events borrow from the input).
    fn index_of(&self, s: &str) -> Option<usize> {
        let base = self.input.as_ptr() as usize;
        let p = s.as_ptr() as usize;
        if p >= base && p - base + s.len() <= self.input.len() {
            Some(p - base)
        } else {
            None
        }
    }

    /// Re-borrows `s` (a slice of the input) for the input's lifetime.
    fn input_bytes(&self, s: &str) -> Option<&'a [u8]> {
        let i = self.index_of(s)?;
        Some(&self.input[i..i + s.len()])
    }

    /// Like [`input_bytes`](Self::input_bytes), as text: a slice of the
    /// lexer's checked prefix, so the bytes are not checked again.
    pub(crate) fn input_str(&self, s: &str) -> Option<&'a str> {
        let i = self.index_of(s)?;
        self.lex.valid().get(i..i + s.len())
    }

    /// Index in `input` of the `<` of `start`, when it comes from this input.
    pub(crate) fn start_index(&self, start: &BytesStart<'a>) -> Option<usize> {
        self.index_of(start).map(|i| i.saturating_sub(1))
    }

    /// Byte offset of the `<` of `start` (the current offset if unknown).
    pub(crate) fn start_offset(&self, start: &BytesStart<'a>) -> u64 {
        match self.start_index(start) {
            Some(i) => self.base + i as u64,
            None => self.offset(),
        }
    }

    /// The raw input from index `begin` to the current position.
    pub(crate) fn raw_from(&self, begin: usize) -> Result<&'a str, DecodeError> {
        let end = self.lex.position().min(self.input.len());
        // Within the lexer's checked prefix there is nothing to check again.
        if let Some(s) = self.lex.valid().get(begin..end) {
            return Ok(s);
        }
        let bytes = self.input.get(begin..end).unwrap_or_default();
        std::str::from_utf8(bytes).map_err(|e| {
            DecodeError::new(
                self.base + (begin + e.valid_up_to()) as u64,
                DecodeErrorKind::Xml(e.to_string()),
            )
        })
    }
}

fn is_xsi_uri(value: &str) -> bool {
    value == XSI_NAMESPACE
        || (value.contains('&')
            && quick_xml::escape::unescape(value).is_ok_and(|v| v == XSI_NAMESPACE))
}

/// XML 1.0 end-of-line handling: `\r\n` and lone `\r` become `\n`.
/// (A plain byte search beats memchr's set-up on typical short values.)
#[inline]
fn normalize_eols(text: Cow<'_, str>) -> Cow<'_, str> {
    if text.as_bytes().contains(&b'\r') {
        Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        text
    }
}

#[inline]
fn append<'a>(out: &mut Cow<'a, str>, piece: Cow<'a, str>) {
    if out.is_empty() {
        *out = piece;
    } else {
        out.to_mut().push_str(&piece);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(s: &BytesStart<'_>) -> String {
        s.local_name().as_ref().to_owned()
    }

    #[test]
    fn walks_children_and_text_with_empty_elements_and_noise() {
        let doc = b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- c --><a>\n  <b>x</b><c/><?pi x?><d>1<!-- c -->2</d>\n  <e><f/><g>t</g></e></a>";
        let mut r = XmlReader::new(doc);
        let a = r.root().unwrap();
        assert_eq!(local(&a), "a");
        let b = r.next_child().unwrap().unwrap();
        assert_eq!(r.text(&b).unwrap(), "x");
        let c = r.next_child().unwrap().unwrap();
        assert_eq!(local(&c), "c");
        assert_eq!(r.text(&c).unwrap(), "");
        let d = r.next_child().unwrap().unwrap();
        assert_eq!(r.text(&d).unwrap(), "12");
        let e = r.next_child().unwrap().unwrap();
        let f = r.next_child().unwrap().unwrap();
        assert_eq!(local(&f), "f");
        assert!(
            r.next_child().unwrap().is_none(),
            "empty <f/> has no children"
        );
        let g = r.next_child().unwrap().unwrap();
        r.skip(&g).unwrap();
        assert!(r.next_child().unwrap().is_none(), "end of <e>");
        let _ = e;
        assert!(r.next_child().unwrap().is_none(), "end of <a>");
        assert_eq!(r.depth(), 0);
        assert_eq!(r.offset(), doc.len() as u64);
    }

    #[test]
    fn text_borrows_when_possible_and_unescapes() {
        let doc = b"<a><b>plain</b><c>a &amp; b &lt;c&gt; &#65;&#x42; &quot;&apos;</c><d><![CDATA[<x>&amp;]]></d><e>l1\r\nl2</e></a>";
        let mut r = XmlReader::new(doc);
        r.root().unwrap();
        let b = r.next_child().unwrap().unwrap();
        assert!(matches!(r.text(&b).unwrap(), Cow::Borrowed("plain")));
        let c = r.next_child().unwrap().unwrap();
        assert_eq!(r.text(&c).unwrap(), "a & b <c> AB \"'");
        let d = r.next_child().unwrap().unwrap();
        assert_eq!(r.text(&d).unwrap(), "<x>&amp;");
        let e = r.next_child().unwrap().unwrap();
        assert_eq!(r.text(&e).unwrap(), "l1\nl2");
    }

    #[test]
    fn text_rejects_child_elements_and_unknown_entities() {
        let mut r = XmlReader::new(b"<a><b>x<c/>y</b></a>");
        r.root().unwrap();
        let b = r.next_child().unwrap().unwrap();
        let e = r.text(&b).unwrap_err();
        assert_eq!(e.offset(), 7);
        assert!(matches!(e.kind(), DecodeErrorKind::Unexpected(m) if m.contains("<c>")));

        let mut r = XmlReader::new(b"<a>&nbsp;</a>");
        let a = r.root().unwrap();
        let e = r.text(&a).unwrap_err();
        assert!(matches!(e.kind(), DecodeErrorKind::Xml(m) if m.contains("nbsp")));
    }

    #[test]
    fn attributes_are_unescaped_and_borrowed_when_clean() {
        let doc = br#"<a type="Virtual&amp;Machine" other='x' xsi:type="T"><b type="Folder"/></a>"#;
        let mut r = XmlReader::new(doc);
        let a = r.root().unwrap();
        assert_eq!(
            r.attribute(&a, b"type").unwrap().as_deref(),
            Some("Virtual&Machine")
        );
        assert_eq!(r.attribute(&a, "other").unwrap().as_deref(), Some("x"));
        assert_eq!(r.attribute(&a, b"missing").unwrap(), None);
        let b = r.next_child().unwrap().unwrap();
        assert!(matches!(
            r.attribute(&b, b"type").unwrap(),
            Some(Cow::Borrowed("Folder"))
        ));
    }

    #[test]
    fn xsi_type_is_resolved_by_namespace() {
        let doc = br#"<E xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:o="urn:other">
            <a xsi:type="xsd:string">s</a>
            <b xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance" XMLSchema-instance:type="ArrayOfX">
                <c XMLSchema-instance:type="Inner"/>
                <d/>
            </b>
            <e XMLSchema-instance:type="NotBoundHere"/>
            <f o:type="Other" type="Folder"/>
            <g xmlns:xsi="urn:not-xsi" xsi:type="Shadowed"/>
            <h xmlns:p="http://www.w3.org/2001/XMLSchema-instance" p:type="OnItself"/>
            <i xsi:type="AfterShadow"/>
            <j  xsi:type = "Spaced" />
            <k xsi:type='Quoted'/>
            <l xsi:type="x:y:Last" other="1"/>
            <m o:type="Other"/>
        </E>"#;
        let mut r = XmlReader::new(doc);
        let root = r.root().unwrap();
        assert_eq!(r.xsi_type(&root).unwrap(), None);
        let mut seen = Vec::new();
        while let Some(child) = r.next_child().unwrap() {
            seen.push((
                local(&child),
                r.xsi_type(&child).unwrap().map(str::to_owned),
            ));
            if local(&child) == "b" {
                while let Some(gc) = r.next_child().unwrap() {
                    seen.push((local(&gc), r.xsi_type(&gc).unwrap().map(str::to_owned)));
                    r.skip(&gc).unwrap();
                }
            } else {
                r.skip(&child).unwrap();
            }
        }
        assert_eq!(
            seen.iter()
                .map(|(n, t)| (n.as_str(), t.as_deref()))
                .collect::<Vec<_>>(),
            [
                ("a", Some("string")),
                ("b", Some("ArrayOfX")),
                ("c", Some("Inner")),
                ("d", None),
                ("e", None),
                ("f", None),
                ("g", None),
                ("h", Some("OnItself")),
                ("i", Some("AfterShadow")),
                ("j", Some("Spaced")),
                ("k", Some("Quoted")),
                ("l", Some("Last")),
                ("m", None),
            ]
        );
    }

    #[test]
    fn a_lone_type_attribute_is_read_without_the_general_scan() {
        assert_eq!(
            lone_type_attribute(r#" xsi:type="VirtualDisk""#),
            Some(("xsi", "VirtualDisk"))
        );
        assert_eq!(
            lone_type_attribute(" p:type='xsd:int' "),
            Some(("p", "int"))
        );
        // Any other shape is left to the general scan.
        for attrs in [
            r#" type="Folder""#,
            r#" xsi:type = "Spaced""#,
            r#" xsi:type="A" b="c""#,
            r#" :type="A""#,
            r#" xsi:type="A"#,
            r#" xsi:type="A'"#,
            r#" p:q:type="A""#,
            r#" xsi:typo="A""#,
            "",
        ] {
            assert_eq!(lone_type_attribute(attrs), None, "{attrs}");
        }
        // Where it answers, it answers what the general scan does.
        let general = |attrs| {
            for attr in scan_attributes(attrs) {
                let (key, value) = attr.ok()?;
                if let Some(prefix) = key.strip_suffix(":type") {
                    return Some((prefix, type_local(value)));
                }
            }
            None
        };
        for attrs in [
            r#" xsi:type="VirtualDisk""#,
            " p:type='xsd:int' ",
            r#"xsi:type="x:y:Last""#,
            r#" xsi:type="""#,
            r#" xsi:type=" a b ""#,
            r#" xsi:type="&amp;""#,
            r#" a b:type="T""#,
            "\txsi:type='it\"s'\n",
        ] {
            let fast = lone_type_attribute(attrs);
            assert!(fast.is_some(), "{attrs}");
            assert_eq!(fast, general(attrs), "{attrs}");
        }
    }

    #[test]
    fn undeclared_xsi_prefix_is_tolerated_in_fragments() {
        let mut r = XmlReader::new(br#"<a xsi:type="Frag"/>"#);
        let a = r.root().unwrap();
        assert_eq!(r.xsi_type(&a).unwrap(), Some("Frag"));
    }

    #[test]
    fn unknown_element_keeps_raw_xml_and_counts() {
        let doc = br#"<a><known>1</known><newThing kind="x"><deep>&amp;<z/></deep></newThing><flag/><newThing/></a>"#;
        let mut r = XmlReader::new(doc);
        r.root().unwrap();
        let mut extra = Extra::default();
        while let Some(c) = r.next_child().unwrap() {
            if c.local_name().as_ref() == "known" {
                r.skip(&c).unwrap();
            } else {
                r.unknown_element(&c, &mut extra).unwrap();
            }
        }
        let got: Vec<_> = extra
            .elements()
            .iter()
            .map(|e| (e.name.as_str(), e.xml.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "newThing",
                    r#"<newThing kind="x"><deep>&amp;<z/></deep></newThing>"#
                ),
                ("flag", "<flag/>"),
                ("newThing", "<newThing/>"),
            ]
        );
        assert_eq!(r.stats().elements.get("newThing"), Some(&2));
        assert_eq!(r.stats().total_elements(), 3);
        r.unknown_type("Foo");
        assert_eq!(r.stats().total_types(), 1);
        r.unknown_enum_value("VirtualMachinePowerState", "hibernating");
        r.unknown_enum_value("VirtualMachinePowerState", "hibernating");
        assert_eq!(
            r.stats()
                .enum_values
                .get("VirtualMachinePowerState.hibernating"),
            Some(&2)
        );
        assert_eq!(r.stats().total_enum_values(), 2);
        assert!(!r.stats().is_empty());
        let mut merged = r.stats().clone();
        merged.merge(r.stats());
        assert_eq!(merged.total_elements(), 6);
        assert_eq!(merged.total_enum_values(), 4);
        assert_eq!(r.take_stats().total_types(), 1);
        assert!(r.stats().is_empty());
    }

    #[test]
    fn errors_carry_offsets() {
        // Mismatched end tag: reported at its `<`.
        let mut r = XmlReader::new(b"<a><b>x</c></a>");
        r.root().unwrap();
        let b = r.next_child().unwrap().unwrap();
        let e = r.text(&b).unwrap_err();
        assert_eq!(e.offset(), 7);
        assert!(matches!(e.kind(), DecodeErrorKind::Xml(_)));

        // Truncated.
        let mut r = XmlReader::new(b"<a><b>x");
        r.root().unwrap();
        let b = r.next_child().unwrap().unwrap();
        let e = r.text(&b).unwrap_err();
        assert_eq!(e.kind(), &DecodeErrorKind::UnexpectedEof);
        assert_eq!(e.offset(), 7);

        // Invalid UTF-8: the offset of the bad byte.
        let mut r = XmlReader::new(b"<a><b>ok\xFFno</b></a>");
        r.root().unwrap();
        let b = r.next_child().unwrap().unwrap();
        let e = r.text(&b).unwrap_err();
        assert_eq!(e.offset(), 8);
        assert!(matches!(e.kind(), DecodeErrorKind::Xml(_)));

        // Empty document, text before root.
        assert_eq!(
            XmlReader::new(b"  ").root().unwrap_err().kind(),
            &DecodeErrorKind::UnexpectedEof
        );
        let e = XmlReader::new(b"\n junk<a/>").root().unwrap_err();
        assert_eq!(e.offset(), 2);
        assert_eq!(
            e.to_string(),
            "XML decode error at byte 2 in /: not XML: it starts with \"junk\""
        );
        let json = format!("{{\"error\": \"{}\"}}", "x".repeat(60));
        let e = XmlReader::new(json.as_bytes()).root().unwrap_err();
        assert!(
            e.to_string()
                .ends_with(r#"it starts with "{\"error\": \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxx"..."#),
            "{e}"
        );
    }

    #[test]
    fn nesting_is_bounded() {
        let mut doc = String::new();
        for _ in 0..(MAX_DEPTH + 10) {
            doc.push_str("<a>");
        }
        let mut r = XmlReader::new(doc.as_bytes());
        let mut res = r.root().map(|_| ());
        while res.is_ok() {
            res = r.next_child().map(|c| assert!(c.is_some()));
        }
        let e = res.unwrap_err();
        assert!(matches!(e.kind(), DecodeErrorKind::Unexpected(m) if m.contains("nested")));
        assert_eq!(r.depth(), MAX_DEPTH + 1);
    }

    #[test]
    fn skipped_content_is_bounded_too() {
        let deep = format!("<a>{}{}</a>", "<x>".repeat(100_000), "</x>".repeat(100_000));
        let mut r = XmlReader::new(deep.as_bytes());
        r.root().unwrap();
        let x = r.next_child().unwrap().unwrap();
        let e = r.skip(&x).unwrap_err();
        assert!(matches!(e.kind(), DecodeErrorKind::Unexpected(m) if m.contains("nested")));
        // At the limit itself, skipping works.
        let ok = format!("{}{}", "<x>".repeat(MAX_DEPTH), "</x>".repeat(MAX_DEPTH));
        let mut r = XmlReader::new(ok.as_bytes());
        let x = r.root().unwrap();
        r.skip(&x).unwrap();
    }

    #[test]
    fn a_doctype_is_refused_before_any_entity_is_seen() {
        let cases: [&[u8]; 4] = [
            b"<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY e \"lol\">]><a>&e;</a>",
            b"\xEF\xBB\xBF<!DOCTYPE a [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><a>&xxe;</a>",
            b"<!-- c -->\n<!DOCTYPE a SYSTEM \"http://127.0.0.1:9/a.dtd\"><a/>",
            b"<!DOCTYPE a [<!ENTITY % p SYSTEM \"http://127.0.0.1:9/p\"> %p;]><a/>",
        ];
        for (doc, at) in cases.into_iter().zip([21, 3, 11, 0]) {
            let e = XmlReader::new(doc).root().unwrap_err();
            assert!(
                matches!(e.kind(), DecodeErrorKind::Unexpected(m) if m.contains("DOCTYPE")),
                "{e}"
            );
            assert_eq!(e.offset(), at, "{e}");
        }
    }
}
